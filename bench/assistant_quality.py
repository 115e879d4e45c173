"""Quality of the assistant's answers and summaries on the labelled set in tests/assistant/data/quality.

Run: .venv/bin/python bench/assistant_quality.py [--provider extractive|openai|both] [--verbose]

The set's four documents are uploaded as PDF into a session of a scratch database; every question
is asked and every document summarized as a delegate, through the assistant's services. Printed:
- hit@1 and hit@3: the share of answerable questions whose answer cites a right page first / among
  its first three citations (the same for the pages the search ranked, "retrieval");
- "not found": the share of unanswerable questions answered "not found" (goal 10/10), and the
  false "not found" rate on answerable ones;
- for each summary: the share of the document's key facts it keeps (goal ≥ 0.6) and the number
  of its points that quote the document's frame (header, legal bases, salutation, closing
  formula, distribution list, signature; goal 0).

Goals hold for the offline provider. ``openai`` runs against the loopback test server
(tests/assistant/openai_server.py), which echoes its passages: its figures check the wiring, not
a model. To measure your own model server instead, set LLM_PROVIDER=openai, LLM_BASE_URL,
LLM_MODEL (and LLM_API_KEY) in the environment and pass ``--provider env``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.assistant import quality  # noqa: E402


def _mark(value: float, goal: float, higher: bool = True) -> str:
    ok = value >= goal if higher else value <= goal
    return "ok" if ok else "BELOW GOAL"


def report(run: quality.Run, *, goals: bool, verbose: bool) -> None:
    """Print the figures of one run."""
    f = run.figures()
    answerable = sum(1 for a in run.answers if a.question.pages)
    unanswerable = len(run.answers) - answerable
    print(f"\n== provider {run.provider}, model {run.model} ==")
    print(f"questions: {answerable} answerable, {unanswerable} unanswerable")

    def line(name: str, value: float, goal: float | None, text: str) -> None:
        suffix = f"  (goal ≥ {goal:g}: {_mark(value, goal)})" if goals and goal is not None else ""
        print(f"{name:<34}{text}{suffix}")

    line("answers: hit@1", f["hit@1"], quality.GOALS["hit@1"], f"{f['hit@1']:.2f}")
    line("answers: hit@3", f["hit@3"], quality.GOALS["hit@3"], f"{f['hit@3']:.2f}")
    line("retrieval: hit@1", f["retrieval_hit@1"], None, f"{f['retrieval_hit@1']:.2f}")
    line("retrieval: hit@3", f["retrieval_hit@3"], None, f"{f['retrieval_hit@3']:.2f}")
    said = round(f["unanswerable"] * unanswerable)
    line(
        "unanswerable said 'not found'",
        f["unanswerable"],
        quality.GOALS["unanswerable"],
        f"{said}/{unanswerable}",
    )
    wrong = round(f["false_not_found"] * answerable)
    print(f"{'false not found (answerable)':<34}{wrong}/{answerable} = {f['false_not_found']:.2f}")
    for s in run.summaries:
        print(
            f"summary of the {s.document.kind:<22} key facts {len(s.facts_kept)}/"
            f"{len(s.document.key_facts)} = {s.key_facts:.2f}, frame points {len(s.frame_points)}, "
            f"{len(s.points)} points"
        )
        if verbose:
            missing = [x for x in s.document.key_facts if x not in s.facts_kept]
            print(f"    missing: {missing}")
            for point in s.frame_points:
                print(f"    frame: {point}")
    line(
        "key facts (lowest summary)",
        f["key_facts"],
        quality.GOALS["key_facts"],
        f"{f['key_facts']:.2f}",
    )
    print(f"{'key facts (mean)':<34}{f['key_facts_mean']:.2f}")
    frame = int(f["frame"])
    goal_text = f"  (goal 0: {'ok' if frame == 0 else 'ABOVE GOAL'})" if goals else ""
    print(f"{'frame points in all summaries':<34}{frame}{goal_text}")
    if verbose:
        for a in run.answers:
            if a.question.pages and not set(a.cited[:1]) & set(a.question.pages):
                print(f"    miss@1: {a.question.text} -> {a.cited[:3]} (want {a.question.pages})")
            if not a.question.pages and a.found:
                print(f"    answered, should not: {a.question.text} -> {a.cited[:3]}")


def _server() -> Any:
    from tests.assistant.openai_server import OpenAIServer

    server = OpenAIServer()
    server.start()
    return server


async def main(provider: str, verbose: bool, set_dir: Path) -> None:
    from assistant.retrieval import settle
    from assistant.services.common import close_gateways
    from council import db, uploads
    from council.search.engine import configure
    from council.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env({}, data_dir=tmp, database_url=f"sqlite://{tmp}/bench.db")
        await db.migrate(settings)
        await db.close()
        await db.init(settings)
        configure(settings.index_dir)
        uploads.configure(settings.uploads_dir)
        qset = quality.load_set(set_dir)
        try:
            if provider in ("extractive", "both"):
                offline = dataclasses.replace(settings, llm_provider="extractive")
                report(await quality.run(offline, qset), goals=True, verbose=verbose)
            if provider in ("openai", "both"):
                server = _server()
                try:
                    loopback = dataclasses.replace(
                        settings,
                        llm_provider="openai",
                        llm_base_url=server.base_url,
                        llm_model="loopback-echo",
                        llm_api_key="unused",
                        llm_trusted=False,
                    )
                    run = await quality.run(loopback, qset)
                    report(run, goals=False, verbose=verbose)
                    print(f"model calls at the loopback server: {server.count}")
                finally:
                    server.stop()
            if provider == "env":
                own = Settings.from_env(
                    dict(os.environ), data_dir=tmp, database_url=f"sqlite://{tmp}/bench.db"
                )
                report(await quality.run(own, qset), goals=False, verbose=verbose)
        finally:
            await settle()
            await close_gateways()
            await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--provider", choices=("extractive", "openai", "both", "env"), default="both"
    )
    parser.add_argument("--verbose", action="store_true", help="list misses and frame points")
    parser.add_argument(
        "--set", type=Path, default=quality.SET_DIR, help="the labelled set's folder"
    )
    args = parser.parse_args()
    asyncio.run(main(args.provider, args.verbose, args.set))
