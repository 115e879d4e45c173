"""Fixtures of the assistant's tests: a loopback OpenAI-compatible server and a real report."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from assistant.config import AssistantConfig
from tests.assistant.openai_server import OpenAIServer

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def _llm_server() -> Iterator[OpenAIServer]:
    server = OpenAIServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def llm_server(_llm_server: OpenAIServer) -> Iterator[OpenAIServer]:
    """The loopback model server, with its request log and switches cleared."""
    _llm_server.reset()
    yield _llm_server
    _llm_server.reset()


def openai_config(server: OpenAIServer, **overrides: object) -> AssistantConfig:
    """Settings pointing the ``openai`` provider at ``server``."""
    values: dict[str, object] = {
        "provider": "openai",
        "base_url": server.base_url,
        "api_key": "test-key",
        "model": "loopback-vi",
        "context_tokens": 8192,
        "timeout": 5.0,
    }
    values.update(overrides)
    return AssistantConfig(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Page:
    number: int
    text: str


@dataclass(frozen=True)
class Doc:
    """A document as meetings hands it to the assistant (the fields of ``DocumentView``)."""

    id: int
    title: str
    confidentiality: str
    content_hash: str
    pages: list[Page] = field(default_factory=list)


def report_pages() -> list[Page]:
    """The five pages of a Vietnamese city socio-economic report (form feeds between pages)."""
    text = (DATA / "bao_cao_kt_xh.txt").read_text(encoding="utf-8").replace("\\f", "\f")
    return [Page(i + 1, t) for i, t in enumerate(text.split("\f"))]


def report(doc_id: int = 1, confidentiality: str = "public", repeat: int = 1) -> Doc:
    """The report as a document; ``repeat`` > 1 makes a longer one (pages renumbered)."""
    pages = [
        Page(n * len(report_pages()) + p.number, p.text)
        for n in range(repeat)
        for p in report_pages()
    ]
    return Doc(
        doc_id,
        "Báo cáo tình hình kinh tế - xã hội năm 2025",
        confidentiality,
        f"hash-{doc_id}-{repeat}",
        pages,
    )


# --- with the core: an app whose assistant talks to the loopback server ------------------------

import dataclasses  # noqa: E402
from collections.abc import AsyncIterator  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402


def with_llm(settings: Any, server: OpenAIServer | None, **overrides: Any) -> Any:
    """A copy of the core ``Settings`` with the assistant pointed at ``server`` (or offline)."""
    values: dict[str, Any] = {"llm_provider": "extractive"}
    if server is not None:
        values = {
            "llm_provider": "openai",
            "llm_base_url": server.base_url,
            "llm_model": "loopback-vi",
            "llm_api_key": "test-key",
            "llm_trusted": False,
            "llm_context_tokens": 8192,
            "llm_timeout": 5.0,
        }
    values.update(overrides)
    return dataclasses.replace(settings, **values)


@pytest.fixture
async def make_client(settings: Any) -> AsyncIterator[Any]:
    """``await make_client(settings)`` → an in-process httpx client of an app built on them."""
    from council.app import create_app
    from council.search.engine import configure

    configure(settings.index_dir)
    clients: list[httpx.AsyncClient] = []

    async def build(app_settings: Any) -> httpx.AsyncClient:
        app = create_app(app_settings, manage_db=False)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )
        clients.append(client)
        return client

    yield build
    from assistant.retrieval import settle
    from assistant.services.common import close_gateways

    await settle()
    for client in clients:
        await client.aclose()

    await close_gateways()


@dataclass
class Sitting:
    """A published session of a city council with its people and documents."""

    council: Any
    secretariat: Any
    delegate: Any
    session_id: int
    documents: dict[str, int] = field(default_factory=dict)


async def setup_session(docs: dict[str, tuple[str, list[str]]]) -> Sitting:
    """A council, its secretariat and a delegate, a published session, and ``docs``:
    key → (confidentiality, page texts), uploaded as DOCX through meetings' services."""
    from meetings import services as meetings
    from meetings.documents.generate import make_docx
    from tests.factories import make_council, make_user

    council = await make_council()
    secretariat = await make_user("secretariat", council)
    delegate = await make_user("delegate", council)
    session = await meetings.session_create(
        secretariat,
        council_code=council.code,
        title="Kỳ họp thứ 5 HĐND thành phố",
        starts_at=datetime.now(UTC) + timedelta(days=3),
    )
    sitting = Sitting(council, secretariat, delegate, session.id)
    for key, (confidentiality, pages) in docs.items():
        title = REPORT_TITLE if key == "report" else key
        document = await meetings.document_upload(
            secretariat,
            session.id,
            make_docx(title, pages),
            title=title,
            confidentiality=confidentiality,
            filename=f"{key}.docx",
        )
        sitting.documents[key] = document.id
    await meetings.session_publish(secretariat, session.id)
    return sitting


REPORT_TITLE = "Báo cáo tình hình kinh tế - xã hội năm 2025"


def report_texts() -> list[str]:
    """The report's pages as plain texts."""
    return [p.text for p in report_pages()]
