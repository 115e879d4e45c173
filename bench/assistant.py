"""Benchmark of the assistant. Run: .venv/bin/python bench/assistant.py

Prints:
- the time of the offline (extractive) summary of a 100-page document (goal ≤ 2 s);
- retrieval latency p50/p95 for questions over a session of 2,000 pages (goal p95 ≤ 100 ms);
- the model calls of a summary through the ``openai`` provider, counted at a loopback
  OpenAI-compatible server (= chunks + reduce steps), and of a repeat (= 0, from the cache).
"""

from __future__ import annotations

import asyncio
import importlib.util
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import AssistantConfig  # noqa: E402
from assistant.gateway import Gateway, Usage  # noqa: E402
from assistant.sentences import split_sentences  # noqa: E402

REPORT = ROOT / "tests" / "assistant" / "data" / "bao_cao_kt_xh.txt"
QUESTIONS = [
    "Tỷ lệ giải ngân vốn đầu tư công đạt bao nhiêu?",
    "tinh trang ngap ung da duoc khac phuc chua",
    "Chất lượng không khí mùa đông thế nào?",
    "Bao nhiêu trường đạt chuẩn quốc gia?",
    "tien do duong vanh dai 4",
    "Thu ngân sách nhà nước trên địa bàn",
    "Bệnh viện Nhi cơ sở 2 đã đưa vào sử dụng chưa?",
    "xoa nha tam nha dot nat cho ho ngheo",
    "Giá vàng thế giới hôm nay?",
    "Kế hoạch năm 2026 có những chỉ tiêu chủ yếu nào?",
]


@dataclass(frozen=True)
class Page:
    number: int
    text: str


@dataclass(frozen=True)
class Doc:
    id: int
    title: str
    confidentiality: str
    content_hash: str
    session_id: int = 1
    council_id: int = 1
    pages: list[Page] = field(default_factory=list)


def make_document(doc_id: int, pages: int, seed: int) -> Doc:
    """A long Vietnamese report: the sample report's sentences recombined, numbers varied,
    about 2,400 characters a page (a dense A4 page)."""
    text = REPORT.read_text(encoding="utf-8").replace("\\f", "\f")
    sentences = [
        s for p in text.split("\f") for s in split_sentences(p) if len(s) > 40 and s[-1] in ".;"
    ]
    rnd = random.Random(seed)
    out = []
    for number in range(1, pages + 1):
        body = []
        while sum(len(s) for s in body) < 2400:
            sentence = re.sub(r"\d+", lambda _m: str(rnd.randint(1, 999)), rnd.choice(sentences))
            body.append(sentence)
        out.append(Page(number, "\n".join(body)))
    return Doc(doc_id, f"Báo cáo số {doc_id}", "public", f"bench-{doc_id}-{seed}", pages=out)


async def offline_summary() -> float:
    from assistant import summaries

    doc = make_document(1, 100, seed=1)
    gateway = Gateway.from_config(AssistantConfig())
    best = []
    for _ in range(3):
        started = time.perf_counter()
        await summaries.summarize(doc, gateway, usage=Usage(), cache=None, max_tokens=1024)
        best.append(time.perf_counter() - started)
    chars = sum(len(p.text) for p in doc.pages)
    print(
        f"offline summary of a 100-page document ({chars:,} characters): "
        f"{min(best):.2f} s best, {statistics.median(best):.2f} s median of 3 (goal ≤ 2 s)"
    )
    return min(best)


async def retrieval_latency() -> None:
    from assistant import retrieval

    docs = [make_document(i, 100, seed=i) for i in range(1, 21)]  # 20 documents × 100 pages
    started = time.perf_counter()
    await retrieval.ensure_indexed(docs)
    print(
        f"indexing 2,000 pages: {time.perf_counter() - started:.1f} s (once per document version)"
    )
    timings = []
    found = 0
    for round_ in range(20):
        for question in QUESTIONS:
            started = time.perf_counter()
            hits = await retrieval.search(question, docs, limit=6)
            timings.append((time.perf_counter() - started) * 1000)
            found += bool(hits) if round_ == 0 else 0
    timings.sort()
    p50 = timings[len(timings) // 2]
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"retrieval over 2,000 pages, {len(timings)} questions: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
        f"(goal p95 ≤ 100 ms); {found}/{len(QUESTIONS)} questions found passages"
    )


async def model_calls() -> None:
    from assistant import summaries
    from assistant.services.summary import DatabaseCache

    spec = importlib.util.spec_from_file_location(
        "openai_server", ROOT / "tests" / "assistant" / "openai_server.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    server = module.OpenAIServer()
    server.start()
    try:
        config = AssistantConfig(
            provider="openai",
            base_url=server.base_url,
            model="loopback",
            api_key="x",
            context_tokens=8192,
            timeout=30,
        )
        gateway = Gateway.from_config(config)
        doc = make_document(101, 100, seed=101)
        plan = summaries.plan(doc, gateway, config.max_output_tokens)
        started = time.perf_counter()
        await summaries.summarize(
            doc, gateway, usage=Usage(), cache=DatabaseCache(), max_tokens=config.max_output_tokens
        )
        elapsed = time.perf_counter() - started
        first = server.count
        reduces = first - len(plan.chunks)
        await summaries.summarize(
            doc, gateway, usage=Usage(), cache=DatabaseCache(), max_tokens=config.max_output_tokens
        )
        repeat = server.count - first
        await gateway.aclose()
        print(
            f"model calls for a 100-page summary at LLM_CONTEXT_TOKENS=8192: {first} "
            f"= {len(plan.chunks)} chunks + {reduces} reduce steps ({elapsed:.1f} s against the loopback server)"
        )
        print(f"model calls for the repeat: {repeat} (served from the cache)")
    finally:
        server.stop()


async def main() -> None:
    from council import db
    from council.search.engine import configure
    from council.settings import Settings

    await offline_summary()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env({}, data_dir=tmp, database_url=f"sqlite://{tmp}/bench.db")
        await db.migrate(settings)
        await db.close()
        await db.init(settings)
        configure(settings.index_dir)
        try:
            await retrieval_latency()
            await model_calls()
        finally:
            await db.close()


if __name__ == "__main__":
    asyncio.run(main())
