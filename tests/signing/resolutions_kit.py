"""Named helpers of the resolution tests: a sitting whose draft resolutions were voted on."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

from council.models import Council, User
from council.settings import Settings
from meetings import services
from meetings.models import AgendaItem, Session
from tests.factories import make_council, make_delegates, make_user
from tests.signing.pki import P12_PASSWORD, TestPki

BUDGET_TOPIC = "dự toán ngân sách phường năm 2027"
FONT = Path(__file__).resolve().parents[2] / "meetings" / "fonts" / "DejaVuSans.ttf"
DRAFT = (
    "Căn cứ Luật Tổ chức chính quyền địa phương;\n"
    "QUYẾT NGHỊ:\n"
    "Điều 1. Thông qua dự toán ngân sách phường năm 2027 với tổng thu 125 tỷ đồng.\n"
    "Điều 2. Giao Ủy ban nhân dân phường tổ chức thực hiện Nghị quyết này."
)


def draft_document(text: str = DRAFT) -> bytes:
    """A draft resolution as a PDF with Vietnamese text."""
    pdf = FPDF()
    pdf.add_font("dejavu", fname=str(FONT))
    pdf.add_page()
    pdf.set_font("dejavu", size=12)
    pdf.multi_cell(w=0, text=text)
    out = io.BytesIO()
    pdf.output(out)
    return out.getvalue()


@dataclass
class Sitting:
    council: Council
    session: Session
    secretariat: User
    chair: User
    delegates: list[User]
    items: list[AgendaItem] = field(default_factory=list)


async def sitting(code: str | None = None, *, chair_name: str = "Nguyễn Văn Chủ") -> Sitting:
    """A council of seven seats in session: the chair and six delegates present."""
    council = await make_council(code, seats=7)
    secretariat = await make_user("secretariat", council)
    chair = await make_user("chair", council, full_name=chair_name)
    delegates = await make_delegates(council, 6)
    session = await services.session_create(
        secretariat,
        council_code=council.code,
        title="Kỳ họp thứ năm HĐND khóa I",
        starts_at=datetime(2026, 12, 7, 1, 0, tzinfo=UTC),
    )
    return Sitting(council, session, secretariat, chair, delegates)


async def add_draft(s: Sitting, title: str, text: str | None = DRAFT) -> AgendaItem:
    item = await services.item_create(
        s.secretariat, s.session.id, title=title, kind="draft_resolution"
    )
    if text is not None:
        await services.document_upload(
            s.secretariat,
            s.session.id,
            draft_document(text),
            title=title,
            confidentiality="public",
            item_id=item.id,
            filename="du-thao.pdf",
        )
    s.items.append(item)
    return item


async def start(s: Sitting) -> None:
    await services.session_publish(s.secretariat, s.session.id)
    await services.session_start(s.chair, s.session.id)
    for person in (s.chair, *s.delegates):
        await services.attendance_check_in(person, s.session.id)


async def vote(s: Sitting, item: AgendaItem, yes: int = 5, no: int = 1) -> None:
    """A named motion on ``item``: ``yes`` for, ``no`` against, the rest present abstain."""
    await services.session_set_current(s.chair, s.session.id, item.id)
    poll = await services.poll_create(
        s.chair, s.session.id, title=f"Biểu quyết: {item.title}", kind="motion", item_id=item.id
    )
    await services.poll_open(s.chair, poll.id)
    for i, voter in enumerate((s.chair, *s.delegates)):
        choice = "yes" if i < yes else "no" if i < yes + no else "abstain"
        await services.ballot_cast(voter, poll.id, choice)
    await services.poll_close(s.chair, poll.id)


async def passed_sitting(
    titles: tuple[str, ...] = ("Dự thảo Nghị quyết về dự toán ngân sách phường năm 2027",),
    code: str | None = None,
) -> Sitting:
    """A sitting whose draft resolutions all passed (5 for, 1 against, 1 abstaining of 7)."""
    s = await sitting(code)
    for title in titles:
        # each draft's text speaks of its own subject
        await add_draft(s, title, DRAFT.replace(BUDGET_TOPIC, title.split(" về ", 1)[-1]))
    await start(s)
    for item in s.items:
        await vote(s, item)
    return s


def sign_with_p12(settings: Settings, pki: TestPki, who: str = "chair") -> None:
    """The server signs with the PKCS#12 file of ``who`` from the test PKI, trusting its root."""
    settings.signing_p12_path = str(pki.p12(who))
    settings.signing_p12_password = P12_PASSWORD
    settings.signing_trust_roots = str(pki.roots_dir)
