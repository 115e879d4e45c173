"""Word segmenters and topic names on the demo petitions. Run: .venv/bin/python bench/topic_names.py

Loads the demo data set into a scratch database, groups each commune's current cycle the way the
secretariat's "Petition groups" page does, and compares three ways of cutting titles into words:
- "syllable runs": two syllables are one word when, over the cycle's titles and bodies, at least
  half the occurrences of one of them (three or more) come with the other (the method used
  before underthesea);
- "underthesea": its word tokenizer (the one the app uses, ``council.topics.words``);
- "pyvi": ViTokenizer, when installed (``pip install pyvi``; it pulls in scikit-learn).

Printed for each: the word-boundary precision, recall and F1 against a segmentation by hand of
every demo title (tests/assistant/data/demo_titles_segmented.json), its speed, and the share of
group names that are clean phrases (both ends at a word boundary of the reference, no preposition
or petition wording inside, no function word at an end), with the names themselves.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from council import topics  # noqa: E402
from council.search.text import fold, syllables  # noqa: E402

GOLD = ROOT / "tests" / "assistant" / "data" / "demo_titles_segmented.json"


def gold_segmenter() -> Callable[[str], list[list[str]] | None]:
    """The reference words of a demo title (None for a title no template makes)."""
    raw = json.loads(GOLD.read_text(encoding="utf-8"))
    patterns = []
    for template in raw["templates"]:
        parts = re.split(r"(\{\w+\})", template)
        regex, slots = "", []
        for part in parts:
            if part.startswith("{"):
                name = part[1:-1]
                regex += "(" + "|".join(re.escape(v.replace("_", " ")) for v in raw[name]) + ")"
                slots.append(name)
            else:
                regex += re.escape(part.replace("_", " "))
        patterns.append((re.compile(f"^{regex}$"), template, slots))

    def segment(title: str) -> list[list[str]] | None:
        for pattern, template, slots in patterns:
            match = pattern.match(title)
            if not match:
                continue
            text = template
            for name, value in zip(slots, match.groups(), strict=True):
                spelled = next(v for v in raw[name] if v.replace("_", " ") == value)
                text = text.replace("{" + name + "}", spelled, 1)
            return [w.split("_") for w in text.split() if any(c.isalnum() for c in w)]
        return None

    return segment


def syllable_runs(texts: Sequence[str]) -> Callable[[str], list[list[str]]]:
    """The statistical method: adjacent syllables frequent together are one word."""
    ones: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for text in texts:
        sylls = syllables(text)
        ones.update(sylls)
        pairs.update(zip(sylls, sylls[1:], strict=False))

    def joined(a: str, b: str) -> bool:
        n = pairs.get((a.lower(), b.lower()), 0)
        return n >= 3 and n >= 0.5 * min(ones[a.lower()], ones[b.lower()])

    def segment(text: str) -> list[list[str]]:
        out: list[list[str]] = []
        for token in re.findall(r"[^\W_]+", text):
            if out and joined(out[-1][-1], token):
                out[-1].append(token)
            else:
                out.append([token])
        return out

    return segment


def pyvi_segmenter() -> Callable[[str], list[list[str]]] | None:
    try:
        from pyvi import ViTokenizer  # type: ignore[import-not-found]
    except ImportError:
        return None

    def segment(text: str) -> list[list[str]]:
        return [
            w.split("_") for w in ViTokenizer.tokenize(text).split() if any(c.isalnum() for c in w)
        ]

    return segment


def boundaries(words: list[list[str]]) -> set[int]:
    """Positions (between syllables) where a word ends."""
    cuts, at = set(), 0
    for word in words:
        at += len([s for s in word if any(c.isalnum() for c in s)])
        cuts.add(at)
    return cuts


def clean(name: str, titles: Sequence[str], gold: Callable[[str], Any]) -> bool:
    """Whether ``name`` is a run of whole reference words of one of ``titles``, with no
    preposition or petition wording inside and no function word at an end."""
    want = [fold(s) for s in syllables(name)]
    if not want:
        return False
    for title in titles:
        words = gold(title)
        if words is None:
            continue
        folded = [[fold(s) for s in w] for w in words]
        for start in range(len(folded)):
            run, end = [], start
            while end < len(folded) and len(run) < len(want):
                run += folded[end]
                end += 1
            if run != want:
                continue
            inner = [" ".join(w) for w in folded[start:end]]
            spelled = [" ".join(w).lower() for w in words[start:end]]
            if any(w in topics._BREAKS for w in spelled) or any(
                w in topics._FRAMING for w in inner
            ):
                return False
            return inner[0] not in topics._FUNCTION and inner[-1] not in topics._FUNCTION
    return False


def load_demo(data_dir: str) -> None:
    """The demo data set in ``data_dir``, the way ``make run`` loads it."""
    env = {**os.environ, "COUNCIL_DATA_DIR": data_dir}
    council = str(ROOT / ".venv" / "bin" / "council")
    subprocess.run([council, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([council, "demo"], env=env, check=True, capture_output=True)


async def demo_cycles(data_dir: str) -> dict[str, list[Any]]:
    """Each commune's current-cycle petitions from the demo data set, as the grouping reads them."""
    from council import db
    from council.models import Council
    from council.settings import Settings
    from petitions.models import Petition

    settings = Settings.from_env({}, data_dir=data_dir)
    await db.init(settings)
    try:
        councils = {c.id: c for c in await Council.all()}
        rows = await Petition.exclude(status__in=("merged", "rejected", "diverted")).order_by("id")
        cycles: dict[str, list[Any]] = {}
        for p in rows:
            c = councils[p.council_id]
            cycles.setdefault(c.code, []).append(
                SimpleNamespace(
                    code=p.code,
                    title=p.title,
                    body=p.body,
                    category=p.category,
                    commune_name=c.name,
                )
            )
        return cycles
    finally:
        await db.close()


def main() -> None:
    from assistant.services.grouping import cluster

    gold = gold_segmenter()
    with tempfile.TemporaryDirectory() as tmp:
        load_demo(tmp)
        cycles = asyncio.run(demo_cycles(tmp))
    titles = [p.title for ps in cycles.values() for p in ps]
    texts = [f"{p.title}. {p.body}" for ps in cycles.values() for p in ps]
    references = {t: gold(t) for t in titles}
    missing = [t for t, w in references.items() if w is None]
    print(
        f"demo petitions: {len(titles)} in {len(cycles)} cycles; reference for {len(titles) - len(missing)}"
    )

    segmenters: dict[str, Callable[[str], list[list[str]]]] = {
        "syllable runs": syllable_runs(texts),
        "underthesea": topics.words,
    }
    found = pyvi_segmenter()
    if found is None:
        print("pyvi: not installed (pip install pyvi to compare it too)")
    else:
        segmenters["pyvi"] = found

    groups = [g for ps in cycles.values() for g in cluster(ps) if g.count > 1]
    print(f"groups of two or more petitions: {len(groups)}\n")
    print(
        f"{'segmenter':<15}{'precision':>10}{'recall':>8}{'F1':>7}{'ms/title':>10}{'clean names':>14}"
    )
    named: dict[str, list[str]] = {}
    for label, segment in segmenters.items():
        segment(titles[0])  # loads a model, if any
        started = time.perf_counter()
        tp = fp = fn = 0
        for title in titles:
            want = references[title]
            if want is None:
                continue
            got = boundaries(segment(title))
            ref = boundaries(want)
            tp, fp, fn = tp + len(got & ref), fp + len(got - ref), fn + len(ref - got)
        elapsed = (time.perf_counter() - started) * 1000 / len(titles)
        precision, recall = tp / (tp + fp), tp / (tp + fn)
        f1 = 2 * precision * recall / (precision + recall)
        names = [topics.topic_name(g.titles, segment) for g in groups]
        named[label] = names
        ok = sum(clean(n, g.titles, gold) for n, g in zip(names, groups, strict=True))
        print(
            f"{label:<15}{precision:>10.3f}{recall:>8.3f}{f1:>7.3f}{elapsed:>10.2f}"
            f"{f'{ok}/{len(groups)}':>14}"
        )
    print()
    for i, group in enumerate(groups):
        row = " | ".join(f"{named[k][i] or '—'}" for k in named)
        print(f"{group.count:>3} {group.category:<15}{row}")


if __name__ == "__main__":
    main()
