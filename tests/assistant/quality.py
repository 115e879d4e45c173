"""The assistant's quality set and how it is scored (used by bench/assistant_quality.py and the tests).

The set (``data/quality/``): four session documents of a provincial council (a budget proposal, a
socio-economic report, a verification report and a draft resolution) written for the benchmark
with their full frame (header, motto, legal bases, salutation, distribution list, signature);
questions with the pages that answer them; questions the documents do not answer; for each
document the key facts (figures and decisions) a summary should keep and the marks of its frame.

A run uploads the documents as PDF through meetings' services into a published session, then asks
every question and summarizes every document as a delegate, through the assistant's services:
the same path as the API.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SET_DIR = Path(__file__).parent / "data" / "quality"

# The goals for the offline provider (issue 19).
GOALS = {"hit@3": 0.9, "hit@1": 0.75, "unanswerable": 1.0, "key_facts": 0.6, "frame": 0}


@dataclass(frozen=True)
class Document:
    key: str
    title: str
    kind: str
    confidentiality: str
    pages: list[str]
    key_facts: list[str]
    frame: list[str]


@dataclass(frozen=True)
class Question:
    text: str
    pages: list[tuple[str, int]]  # (document key, page) that answer it; empty: unanswerable


@dataclass(frozen=True)
class QualitySet:
    documents: list[Document]
    questions: list[Question]
    frame_marks: list[str]

    @property
    def answerable(self) -> list[Question]:
        return [q for q in self.questions if q.pages]

    @property
    def unanswerable(self) -> list[Question]:
        return [q for q in self.questions if not q.pages]


def load_set(directory: Path = SET_DIR) -> QualitySet:
    """The labelled set as shipped."""
    raw = json.loads((directory / "set.json").read_text(encoding="utf-8"))
    documents = []
    for d in raw["documents"]:
        text = (directory / d["file"]).read_text(encoding="utf-8")
        pages = [p.strip("\n") for p in re.split(r"^\\f$", text, flags=re.M)]
        documents.append(
            Document(
                d["key"],
                d["title"],
                d["kind"],
                d["confidentiality"],
                pages,
                d["key_facts"],
                d["frame"],
            )
        )
    questions = [Question(q["q"], [(k, int(p)) for k, p in q["pages"]]) for q in raw["questions"]]
    questions += [Question(q, []) for q in raw["unanswerable"]]
    return QualitySet(documents, questions, raw["frame_marks"])


@dataclass
class Answered:
    question: Question
    found: bool
    cited: list[tuple[str, int]]  # pages cited by the answer, in order
    retrieved: list[tuple[str, int]]  # pages the search ranked, in order


@dataclass
class Summarized:
    document: Document
    text: str
    points: list[str]  # the summary's points as shown (headings excluded)
    facts_kept: list[str]
    frame_points: list[str]

    @property
    def key_facts(self) -> float:
        return len(self.facts_kept) / len(self.document.key_facts)


@dataclass
class Run:
    provider: str
    model: str
    answers: list[Answered] = field(default_factory=list)
    summaries: list[Summarized] = field(default_factory=list)

    def _answerable(self) -> list[Answered]:
        return [a for a in self.answers if a.question.pages]

    def _hit(self, k: int, retrieved: bool = False) -> float:
        rows = self._answerable()
        hits = sum(
            1
            for a in rows
            if set((a.retrieved if retrieved else a.cited)[:k]) & set(a.question.pages)
        )
        return hits / len(rows)

    def figures(self) -> dict[str, float]:
        """Every figure the benchmark prints (rates in 0..1)."""
        unanswerable = [a for a in self.answers if not a.question.pages]
        answerable = self._answerable()
        return {
            "hit@1": self._hit(1),
            "hit@3": self._hit(3),
            "retrieval_hit@1": self._hit(1, retrieved=True),
            "retrieval_hit@3": self._hit(3, retrieved=True),
            "unanswerable": sum(not a.found for a in unanswerable) / len(unanswerable),
            "false_not_found": sum(not a.found for a in answerable) / len(answerable),
            "key_facts": min((s.key_facts for s in self.summaries), default=0.0),
            "key_facts_mean": (
                sum(s.key_facts for s in self.summaries) / len(self.summaries)
                if self.summaries
                else 0.0
            ),
            "frame": sum(len(s.frame_points) for s in self.summaries),
        }


def normalized(text: str) -> str:
    """Lowercased, with runs of white space as one space (for fact and frame matching)."""
    return " ".join(text.split()).lower()


def score_summary(
    document: Document, summary: dict[str, Any], frame_marks: list[str]
) -> Summarized:
    """The key facts a summary keeps and its points that quote the document's frame."""
    points = [p["text"] for p in summary["points"] if p["kind"] != "heading"]
    shown = normalized(" ".join(points))
    kept = [f for f in document.key_facts if normalized(f) in shown]
    # The frame's marks keep their capitals: "KHÓA XV, KỲ HỌP THỨ TÁM" heads the resolution,
    # "… khóa XV, kỳ họp thứ tám thông qua ngày …" is its content.
    marks = [" ".join(m.split()) for m in [*frame_marks, *document.frame]]
    frame = [p for p in points if any(m in " ".join(p.split()) for m in marks)]
    return Summarized(document, summary["summary"], points, kept, frame)


async def upload(
    qset: QualitySet, *, council_code: str | None = None
) -> tuple[Any, int, dict[int, str]]:
    """A council, a delegate and a published session holding the set's documents as PDF files;
    returns (delegate, session id, {document id: key})."""
    from meetings import services as meetings
    from meetings.documents.generate import make_pdf
    from tests.factories import make_council, make_user

    council = await make_council(council_code)
    secretariat = await make_user("secretariat", council)
    delegate = await make_user("delegate", council)
    session = await meetings.session_create(
        secretariat,
        council_code=council.code,
        title="Kỳ họp thứ tám, Hội đồng nhân dân tỉnh khóa XV",
        starts_at=datetime.now(UTC) + timedelta(days=3),
    )
    keys: dict[int, str] = {}
    for document in qset.documents:
        created = await meetings.document_upload(
            secretariat,
            session.id,
            make_pdf(document.title, document.pages),
            title=document.title,
            confidentiality=document.confidentiality,
            filename=f"{document.key}.pdf",
        )
        keys[created.id] = document.key
    await meetings.session_publish(secretariat, session.id)
    return delegate, session.id, keys


async def run(settings: Any, qset: QualitySet | None = None) -> Run:
    """Ask every question and summarize every document of the set as a delegate would."""
    from assistant import retrieval, services
    from meetings.services import session_documents_for_reader

    qset = qset or load_set()
    # The benchmark asks more than a delegate's hourly allowance.
    settings = dataclasses.replace(settings, assistant_rate="100000/60")
    delegate, session_id, keys = await upload(qset)
    by_key = {d.key: d for d in qset.documents}
    result: Run | None = None
    views = await session_documents_for_reader(delegate, session_id)
    for question in qset.questions:
        answer = await services.ask(delegate, session_id, question.text, settings=settings)
        hits = await retrieval.search(question.text, views, limit=6)
        if result is None:
            result = Run(answer["provider"], answer["model"])
        result.answers.append(
            Answered(
                question,
                bool(answer["found"]),
                [(keys[c["document_id"]], c["page"]) for c in answer["citations"]],
                [(keys[h.document_id], h.page) for h in hits],
            )
        )
    assert result is not None
    for document_id, key in keys.items():
        summary = await services.summarize(delegate, document_id, settings=settings)
        result.summaries.append(score_summary(by_key[key], summary, qset.frame_marks))
    return result
