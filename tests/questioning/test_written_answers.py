"""answer.request, answer.submit, answer.assess (issue 20 item 4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from council.calendar import CalendarConfig, WorkingCalendar
from council.localtime import local_date
from council.models import AuditEntry
from petitions.models import PetitionSettings
from questioning.models import Notice
from tests.factories import bearer, error_code
from tests.questioning.helpers import call, file_question, ok, setup_world

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def test_the_deadline_counts_the_councils_working_days(client) -> None:
    w = await setup_world()
    form = await file_question(client, w)
    before = datetime.now(UTC)
    sent = await ok(
        client,
        w.secretariat,
        "POST",
        f"/api/v1/questioning/forms/{form['id']}/answer-request",
        json={"working_days": 7},
    )
    due = local_date(datetime.fromisoformat(sent["answer_due_at"]))
    assert due == WorkingCalendar().add_working_days(local_date(before), 7)
    assert due.weekday() < 5
    assert await Notice.exists(user_id=w.official.id)


async def test_the_deadline_follows_the_calendar_the_council_configured(client) -> None:
    """The council's own closed days (set in its petitions' settings) count for questioning too:
    the core's calendar reads them through the source petitions registers."""
    w = await setup_world()
    today = local_date(datetime.now(UTC))
    closed = [(today + timedelta(days=n)).isoformat() for n in range(1, 15)]
    config = {"extra_closed": closed}
    await PetitionSettings.create(council_id=w.council.id, calendar=config)
    form = await file_question(client, w)
    sent = await ok(
        client,
        w.secretariat,
        "POST",
        f"/api/v1/questioning/forms/{form['id']}/answer-request",
        json={"working_days": 3},
    )
    due = local_date(datetime.fromisoformat(sent["answer_due_at"]))
    assert due > today + timedelta(days=14)
    assert due == WorkingCalendar(CalendarConfig.from_dict(config)).add_working_days(today, 3)


async def test_the_official_answers_with_a_letter_and_the_asker_assesses(client) -> None:
    w = await setup_world()
    form = await file_question(client, w)
    fid = form["id"]
    r = await call(
        client, w.official, "POST", f"/api/v1/questioning/forms/{fid}/answer", json={"text": "x"}
    )
    assert r.status_code == 409 and error_code(r) == "not_requested"
    await ok(client, w.chair, "POST", f"/api/v1/questioning/forms/{fid}/answer-request", json={})
    r = await client.post(
        f"/api/v1/questioning/forms/{fid}/answer",
        headers=await bearer(w.official),
        data={"text": "Sở đã bố trí vốn, thi công xong trong quý I/2027."},
        files={"letter": ("tra-loi.pdf", PDF, "application/pdf")},
    )
    assert r.status_code == 200, r.text
    assert r.json()["has_letter"] and r.json()["answered_at"]
    assert await Notice.exists(user_id=w.delegate.id)
    letter = await client.get(
        f"/api/v1/questioning/forms/{fid}/letter.pdf", headers=await bearer(w.delegate)
    )
    assert letter.status_code == 200 and letter.content == PDF
    r = await call(client, w.other_official, "GET", f"/api/v1/questioning/forms/{fid}/letter.pdf")
    assert r.status_code == 404

    r = await call(
        client,
        w.delegate2,
        "POST",
        f"/api/v1/questioning/forms/{fid}/assessment",
        json={"verdict": "unsatisfactory"},
    )
    assert r.status_code == 403
    done = await ok(
        client,
        w.delegate,
        "POST",
        f"/api/v1/questioning/forms/{fid}/assessment",
        json={"verdict": "unsatisfactory"},
    )
    assert done["verdict"] == "unsatisfactory"
    assert await AuditEntry.exists(operation="answer.assess", target_id=str(fid))


async def test_a_letter_must_be_a_pdf(client) -> None:
    w = await setup_world()
    fid = (await file_question(client, w))["id"]
    await ok(client, w.chair, "POST", f"/api/v1/questioning/forms/{fid}/answer-request", json={})
    r = await client.post(
        f"/api/v1/questioning/forms/{fid}/answer",
        headers=await bearer(w.official),
        data={"text": "Trả lời"},
        files={"letter": ("x.pdf", b"GIF89a not a pdf", "application/pdf")},
    )
    assert r.status_code == 422


async def test_an_overdue_answer_shows_as_overdue(client) -> None:
    w = await setup_world()
    fid = (await file_question(client, w))["id"]
    await ok(client, w.chair, "POST", f"/api/v1/questioning/forms/{fid}/answer-request", json={})
    from questioning.models import QuestionForm

    await QuestionForm.filter(id=fid).update(answer_due_at=datetime(2026, 1, 5, tzinfo=UTC))
    got = await ok(client, w.secretariat, "GET", f"/api/v1/questioning/forms/{fid}")
    assert got["answer_overdue"] is True


async def test_overdue_answers_show_on_the_dashboards(client) -> None:
    from selectolax.lexbor import LexborHTMLParser

    from questioning.models import QuestionForm
    from tests.factories import login

    w = await setup_world()
    fid = (await file_question(client, w))["id"]
    await ok(client, w.chair, "POST", f"/api/v1/questioning/forms/{fid}/answer-request", json={})
    await login(client, w.secretariat)
    page = LexborHTMLParser((await client.get("/")).text)
    assert page.css_first("#questioning-widget") is None  # not late yet
    # the official it is addressed to sees it at once, as a task, not yet marked late
    await login(client, w.official)
    page = LexborHTMLParser((await client.get("/")).text)
    assert page.css_first(f"#questioning-widget a[href='/questioning/forms/{fid}']")
    assert page.css_first("#questioning-widget .late") is None
    await QuestionForm.filter(id=fid).update(answer_due_at=datetime(2026, 1, 5, tzinfo=UTC))
    for user in (w.secretariat, w.official):
        await login(client, user)
        page = LexborHTMLParser((await client.get("/")).text)
        assert page.css_first(f"#questioning-widget a[href='/questioning/forms/{fid}']"), user.role
    assert page.css_first("#questioning-widget .late")  # the official's: late now
    await login(client, w.other_secretariat)
    assert LexborHTMLParser((await client.get("/")).text).css_first("#questioning-widget") is None
