"""audit.view: the audit log page for administrators, filtered by operation, user, council and
date, each entry linked to its target, and the chain's verification with its head hash."""

from __future__ import annotations

import importlib
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from council import audit, audit_verify
from council.audit_log import operation_label
from council.localtime import local_date
from council.models import AuditEntry, User
from meetings.models import AgendaItem, Poll, Session
from questioning.models import QuestionGroup, Round
from tests.council.test_audit import _sql
from tests.factories import bearer, htmx, login, make_council, make_user
from tests.html import attrs, text, texts
from tests.petitions.helpers import act_ok, file_petition, setup_world


def _rows(html: str) -> list[dict[str, str]]:
    out = []
    for tr in HTMLParser(html).css("table.audit-log tbody tr"):
        cells = [" ".join(td.text(deep=True).split()) for td in tr.css("td")]
        link = tr.css_first("td.target a")
        out.append(
            {
                "seq": tr.css_first("td.seq").attributes.get("data-seq") or "",
                "chain_seq": cells[0],
                "operation": tr.css_first("td.operation").attributes.get("data-operation") or "",
                "label": text(tr, "td.operation .op-label"),
                "by": cells[3],
                "council": cells[4],
                "about": cells[5],
                "href": link.attributes.get("href", "") if link else "",
            }
        )
    return out


async def test_admin_reads_filters_and_follows_the_audit_log(client, anon) -> None:
    w = await setup_world()
    code = (await file_petition(anon))["code"]
    await act_ok(client, w.commune_sec, code, "accept")
    await login(client, w.admin)

    r = await client.get("/admin/audit")
    assert r.status_code == 200
    rows = _rows(r.text)
    total = await AuditEntry.all().count()
    newest = await AuditEntry.all().order_by("-id").first()
    assert newest is not None
    assert len(rows) == min(total, 50) and int(rows[0]["seq"]) == newest.seq  # newest first
    first = HTMLParser(r.text).css_first("table.audit-log tbody tr")
    assert first.attributes["id"] == f"seq-{newest.chain}-{newest.seq}"
    # Entries are numbered per chain: the column says which chain and which number in it.
    assert texts(r.text, "table.audit-log thead th")[0] == "Chuỗi · số"
    assert rows[0]["chain_seq"] == f"{newest.chain} · {newest.seq}"

    r = await client.get("/admin/audit", params={"operation": "petition.accept"})
    (row,) = _rows(r.text)
    assert row["href"] == f"/petitions/staff/{code}" and code in row["about"]
    assert row["by"].startswith("Văn phòng Ba Đình") and row["council"] == w.commune.name

    r = await client.get("/admin/audit", params={"user": w.commune_sec.username})
    assert {x["operation"] for x in _rows(r.text)} == {"auth.token", "petition.accept"}

    r = await client.get(
        "/admin/audit", params={"council": w.commune.code, "operation": "petition.file"}
    )
    assert [x["href"] for x in _rows(r.text)] == [f"/petitions/staff/{code}"]

    today = local_date((await AuditEntry.all().order_by("-id").first()).created_at)
    r = await client.get("/admin/audit", params={"date_from": today.isoformat()})
    assert len(_rows(r.text)) == min(total, 50)
    r = await client.get(
        "/admin/audit", params={"date_to": (today - timedelta(days=1)).isoformat()}
    )
    assert _rows(r.text) == [] and text(r.text, "#audit-list p") == "Không có mục nào phù hợp."
    r = await client.get("/admin/audit", params={"date_from": "hôm qua"})
    assert r.status_code == 422 and "Cần nhập ngày" in r.text

    fragment = await client.get("/admin/audit", params={"operation": "user.create"}, headers=htmx())
    assert "<html" not in fragment.text and _rows(fragment.text)
    user_rows = _rows(fragment.text)
    made = await User.get(username=w.commune_sec.username)
    (mine,) = [x for x in user_rows if x["href"] == f"/admin/users/{made.id}/edit"]
    assert mine["about"] == f"người dùng Văn phòng Ba Đình ({made.username})"  # a name, not an id


async def test_the_page_shows_the_verification_and_its_head_hash(client) -> None:
    admin = await User.get_or_none(role="admin") or await make_user("admin")
    await make_user("secretariat", await make_council("HN"))
    await login(client, admin)
    expected = await audit_verify.verify()
    r = await client.get("/admin/audit/verify", headers=htmx())
    status = HTMLParser(r.text).css_first(".audit-verify")
    text = " ".join(status.text(deep=True).split())
    assert f"{expected.count} mục" in text and expected.head in text
    assert "nguyên vẹn" in text
    # One anchor per chain: the deployment's, then the council's.
    anchors = [a.text() for a in status.css("code.anchor")]
    assert anchors == [
        f"{chain}:{seq}:{digest}" if chain else f"{seq}:{digest}"
        for chain, (seq, digest) in sorted(expected.heads.items())
    ]
    assert len(anchors) == 2
    # Worded for an administrator: what the anchors are for, the command set apart as code.
    assert "Mốc kiểm tra" in text and "không mục nào" in text
    assert [c.text() for c in status.css("code.command")] == ["council verify-audit --anchor …"]

    victim = await AuditEntry.filter(operation="user.create").order_by("-id").first()
    await _sql("UPDATE audit_entry SET actor_name = ? WHERE id = ?", ["someone-else", victim.id])
    r = await client.get("/admin/audit/verify")
    status = HTMLParser(r.text).css_first(".audit-verify")
    assert f"mục {victim.seq}" in status.text() and "nội dung đã bị sửa" in status.text()
    link = status.css_first("a").attributes["href"]
    assert link == f"/admin/audit#seq-{victim.chain}-{victim.seq}"
    assert "<html" in r.text  # without htmx, a page of its own


async def test_only_administrators_read_the_audit_log(client, anon) -> None:
    w = await setup_world()
    await login(client, w.commune_sec)
    assert (await client.get("/admin/audit")).status_code == 403
    assert (await client.get("/admin/audit/verify")).status_code == 403
    r = await anon.get("/admin/audit")
    assert r.status_code in (302, 303) and "/login" in r.headers["location"]
    r = await anon.get("/api/v1/audit", headers=await bearer(w.city_sec))
    assert r.status_code == 403
    r = await anon.get(
        "/api/v1/audit", params={"operation": "council.create"}, headers=await bearer(w.admin)
    )
    body = r.json()
    assert r.status_code == 200 and body["total"] == 4  # HN, its two wards, HP
    assert {i["link"] for i in body["items"]} == {
        f"/admin/councils/{c.id}/edit" for c in (w.city, w.commune, w.other_commune, w.other_city)
    }
    r = await anon.get("/api/v1/audit/verify", headers=await bearer(w.admin))
    assert r.json()["ok"] is True and len(r.json()["head"]) == 64
    # One head per chain (the deployment's, 0, and each council's), each an anchor to keep.
    heads = {h["chain"]: h for h in r.json()["heads"]}
    assert 0 in heads and w.city.id in heads
    assert all(h["seq"] > 0 and len(h["hash"]) == 64 for h in heads.values())
    assert (
        heads[w.city.id]["anchor"]
        == f"{w.city.id}:{heads[w.city.id]['seq']}:{heads[w.city.id]['hash']}"
    )
    assert heads[0]["anchor"] == f"{heads[0]['seq']}:{heads[0]['hash']}"
    assert r.json()["broken_chain"] is None
    r = await anon.get("/api/v1/audit?date_to=31/12", headers=await bearer(w.admin))
    assert r.status_code == 422 and "date_to" in r.json()["error"]["details"]["fields"]
    # The refusal names what was tried in words, not as "operation audit.view".
    await login(client, w.admin)
    r = await client.get("/admin/audit", params={"operation": "permission.denied"})
    assert "thao tác Đọc nhật ký kiểm toán" in [x["about"] for x in _rows(r.text)]


async def test_operations_details_and_targets_read_in_words(client, anon) -> None:
    """Each entry says its operation in words (the registry's label, the code beside it), its
    details as labelled fields, and links its target to the page that shows it, agenda items,
    votes, question groups and questioning rounds included; a PDF checked has no page."""
    w = await setup_world()
    code = (await file_petition(anon))["code"]
    await act_ok(client, w.commune_sec, code, "reject", reason="Không thuộc phạm vi")
    r = await client.get(
        "/api/v1/petitions/export.csv", params={"status": "rejected"}, headers=await bearer(w.admin)
    )
    assert r.status_code == 200
    session = await Session.create(
        council_id=w.city.id, title="Kỳ họp thứ 5", starts_at=datetime.now(UTC)
    )
    item = await AgendaItem.create(session=session, position=1, title="Chất vấn")
    poll = await Poll.create(
        session=session, item_id=item.id, title="Thông qua nghị quyết", seats=30
    )
    rnd = await Round.create(council_id=w.city.id, session_id=session.id)
    group = await QuestionGroup.create(round=rnd, title="Ùn tắc giao thông", criterion="pressing")
    for operation, kind, target in (
        ("item.update", "agenda_item", item.id),
        ("poll.create", "poll", poll.id),
        ("question_group.propose", "question_group", group.id),
        ("questioning.hold", "round", rnd.id),
        ("pdf.verify", "pdf", "ab" * 32),
    ):
        await audit.record(operation, actor=w.admin, target_type=kind, target_id=target)
    await audit.record(
        "petition.extension_approve",
        actor=w.admin,
        target_type="petition",
        target_id=code,
        details={"original": "2027-01-05T16:59:59+00:00"},
    )
    await login(client, w.admin)

    page = await client.get("/admin/audit")
    rows = {x["operation"]: x for x in _rows(page.text)}
    assert rows["petition.reject"]["label"] == "Từ chối kiến nghị"
    assert rows["petition.export"]["label"] == "Xuất danh sách kiến nghị"
    assert rows["auth.token"]["label"] == "Đăng nhập API (mã truy cập)"
    assert text(_row(page.text, "pdf.verify"), ".op-code") == "pdf.verify"  # the code stays
    # Details: labelled fields, not raw keys.
    reject = _row(page.text, "petition.reject")
    assert attrs(reject, ".audit-details [data-key]", "data-key") == ["from", "to", "reason"]
    assert texts(reject, ".audit-details dt") == ["Từ", "Thành", "Lý do"]
    assert texts(reject, ".audit-details dd") == [
        "Đã tiếp nhận",
        "Không tiếp nhận",
        "Không thuộc phạm vi",
    ]
    export = _row(page.text, "petition.export")
    dts, dds = texts(export, ".audit-details dt"), texts(export, ".audit-details dd")
    fields = dict(zip(dts, dds, strict=True))
    assert fields == {
        "Định dạng": "csv",
        "Bộ lọc": "Trạng thái: Không tiếp nhận",
        "Số dòng": "1",
        "Kèm dữ liệu cá nhân": "không",
    }
    assert attrs(export, ".audit-details [data-key]", "data-key") == [
        "format",
        "filters",
        "rows",
        "personal",
    ]
    extension = _row(page.text, "petition.extension_approve")
    assert texts(extension, ".audit-details dt") == ["Hạn ban đầu"]
    assert texts(extension, ".audit-details dd") == ["23:59, 05/01/2027"]  # in Vietnam time
    # Targets linked to their pages.
    assert rows["item.update"]["href"] == f"/meetings/sessions/{session.id}/prepare#item-{item.id}"
    assert rows["item.update"]["about"] == "nội dung chương trình Chất vấn"
    assert rows["poll.create"]["href"] == f"/meetings/sessions/{session.id}/prepare#item-{item.id}"
    assert rows["poll.create"]["about"] == "biểu quyết Thông qua nghị quyết"
    assert rows["question_group.propose"]["href"] == (
        f"/questioning/sessions/{session.id}#group-{group.id}"
    )
    assert rows["question_group.propose"]["about"] == "nhóm vấn đề chất vấn Ùn tắc giao thông"
    assert rows["questioning.hold"]["href"] == f"/questioning/sessions/{session.id}"
    assert rows["pdf.verify"]["href"] == ""
    assert rows["pdf.verify"]["about"] == f"tệp PDF, SHA-256 {'ab' * 32}"
    # The filter offers operations by their labels.
    assert attrs(page.text, "#f-operation option[value='petition.reject']", "value") == [
        "petition.reject"
    ]
    assert text(page.text, "#f-operation option[value='petition.reject']") == "Từ chối kiến nghị"
    # In English too.
    page = await client.get("/admin/audit", params={"lang": "en", "operation": "petition.reject"})
    assert [x["label"] for x in _rows(page.text)] == ["Reject a petition"]
    assert texts(page.text, ".audit-details dt") == ["Changed from", "Changed to", "Reason"]
    # The chain's verification still reads the log.
    r = await client.get("/admin/audit/verify", headers=htmx())
    assert r.status_code == 200 and attrs(r.text, "code.hash", "class") == ["hash"]


def _row(html: str, operation: str):
    (tr,) = [
        tr
        for tr in HTMLParser(html).css("table.audit-log tbody tr")
        if tr.css_first("td.operation").attributes.get("data-operation") == operation
    ]
    return tr


def test_every_audited_operation_has_a_label() -> None:
    """Every operation name the code writes to the log reads in words on the audit page."""
    for package in ("council", "meetings", "petitions", "questioning", "elections", "assistant"):
        importlib.import_module(f"{package}.operations")
    importlib.import_module("council.signing.operations")
    root = Path(__file__).resolve().parents[2]
    names: set[str] = set()
    for package in ("council", "meetings", "petitions", "questioning", "elections", "assistant"):
        for path in (root / package).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            # audit.record("x.y", …), audit.Draft("x.y", …), "x.y" if … else "x.z"
            for m in re.finditer(
                r'(?:audit\.record|Draft)\(\s*"([a-z_]+\.[a-z_]+)"'
                r'(?:\s+if\s[^\n]*?else\s+"([a-z_]+\.[a-z_]+)")?',
                source,
            ):
                names |= {g for g in m.groups() if g}
    assert len(names) > 50 and {"poll.close", "poll.open", "auth.token"} <= names
    unlabelled = sorted(n for n in names if operation_label(n) == n)
    assert unlabelled == []


async def test_coded_values_in_the_details_read_in_words(client, anon) -> None:
    """Statuses, kinds, roles, channels, criteria in an entry's details read as the domain's own
    pages word them (Vietnamese first, English through the catalogs), not as their codes."""
    w = await setup_world()
    code = (await file_petition(anon))["code"]
    await act_ok(client, w.commune_sec, code, "reject", reason="Không thuộc phạm vi")
    for operation, details in (
        ("item.create", {"kind": "questioning", "title": "Chất vấn"}),
        ("poll.create", {"kind": "motion", "rule": "two_thirds_of_seats"}),
        ("user.update", {"role": "chair", "was": "delegate"}),
        ("document.upload", {"confidentiality": "internal"}),
        ("question_group.propose", {"criterion": "pressing"}),
        ("answer.assess", {"verdict": "unsatisfactory"}),
        ("ballot.cast", {"poll_id": 1, "choice": "abstain"}),
        ("minutes.sign", {"signed_as": "secretary"}),
        ("resolution.update", {"changed": ["title", "text"]}),
        ("petition.export", {"filters": {"status": "received"}, "format": "csv"}),
    ):
        await audit.record(operation, actor=w.admin, details=details)
    await login(client, w.admin)

    page = await client.get("/admin/audit")

    def fields(operation: str) -> dict[str, str]:
        row = _row(page.text, operation)
        return dict(
            zip(texts(row, ".audit-details dt"), texts(row, ".audit-details dd"), strict=True)
        )

    assert fields("petition.reject")["Từ"] == "Đã tiếp nhận"
    assert fields("petition.reject")["Thành"] == "Không tiếp nhận"
    assert fields("petition.file")["Kênh tiếp nhận"] == "Trực tuyến"
    assert fields("item.create")["Loại"] == "Chất vấn"
    assert fields("poll.create") == {
        "Loại": "Biểu quyết thông qua",
        "Quy tắc thông qua": "ít nhất hai phần ba tổng số đại biểu",
    }
    assert fields("user.update") == {"Vai trò": "Chủ tọa", "Vai trò trước đó": "Đại biểu"}
    assert fields("document.upload") == {"Độ mật": "Nội bộ"}
    assert fields("question_group.propose") == {"Tiêu chí": "Vấn đề bức xúc ở địa phương"}
    assert fields("answer.assess") == {"Đánh giá câu trả lời": "Chưa thỏa đáng"}
    assert fields("petition.export")["Bộ lọc"] == "Trạng thái: Đã tiếp nhận"
    assert fields("ballot.cast")["Lựa chọn"] == "Không biểu quyết"
    assert fields("minutes.sign") == {"Ký với tư cách": "Thư ký"}
    assert fields("resolution.update") == {"Đã thay đổi": "Tiêu đề, Nội dung"}

    page = await client.get("/admin/audit", params={"lang": "en"})
    assert fields("petition.reject")["Changed from"] == "Received"
    assert fields("item.create")["Kind"] == "Questioning"
    assert fields("user.update")["Role"] == "Chair"


def test_every_code_an_entry_can_hold_has_a_label() -> None:
    """A new status, kind, role… the log can record is caught here until it has its words."""
    from council.admin import audit as _admin_audit  # noqa: F401  (registers the roles)
    from council.audit_log import value_labels
    from council.models import ROLES
    from meetings import routes as _meetings_routes  # noqa: F401
    from meetings.models import CONFIDENTIALITY, ITEM_KINDS
    from meetings.voting.tally import MOTION_CHOICES, PollKind, Rule
    from petitions import routes as _petitions_routes  # noqa: F401
    from petitions.workflow import Channel, Resolution, Status
    from questioning import routes as _questioning_routes  # noqa: F401
    from questioning.models import CRITERIA, VERDICTS

    codes = {
        ("item.create", "kind"): ITEM_KINDS,
        ("item.update", "kind"): ITEM_KINDS,
        ("poll.create", "kind"): [k.value for k in PollKind],
        ("poll.create", "rule"): [r.value for r in Rule],
        ("document.upload", "confidentiality"): CONFIDENTIALITY,
        ("ballot.cast", "choice"): MOTION_CHOICES,
        ("ballot.hand_record", "choice"): MOTION_CHOICES,
        ("minutes.sign", "signed_as"): ("chair", "secretary"),
        ("minutes.sign", "how"): ("p12", "token", "remote"),
        ("session.set_current", "by"): ("poll.open",),
        ("resolution.sign", "how"): ("p12", "token", "remote"),
        ("resolution.update", "changed"): ("title", "text"),
        ("document.update", "confidentiality"): CONFIDENTIALITY,
        ("user.create", "role"): ROLES,
        ("user.update", "was"): ROLES,
        ("user.signing_refused", "signing_role"): ROLES,
        ("petition.accept", "from"): [s.value for s in Status],
        ("petition.accept", "to"): [s.value for s in Status],
        ("petition.export", "status"): [s.value for s in Status],
        ("petition.file", "channel"): [c.value for c in Channel],
        ("petition.resolution", "resolution"): [r.value for r in Resolution],
        ("question_group.propose", "criterion"): CRITERIA,
        ("answer.assess", "verdict"): VERDICTS,
    }
    missing = []
    for (operation, key), values in codes.items():
        labels = value_labels(operation, key) or {}
        missing += [f"{operation} {key}={v}" for v in values if v not in labels]
    assert missing == []
    from council.audit_log import detail_label

    # …and each of those keys in words too (a raw "by: …" read as code among Vietnamese rows).
    assert [key for _, key in codes if detail_label(key) is None] == []


def test_the_keys_of_a_questioning_limits_entry_have_labels() -> None:
    """questioning.limits records the round's limits before and after: every key in words."""
    from council.audit_log import detail_label
    from questioning import routes as _questioning_routes  # noqa: F401
    from questioning.models import Round

    keys = {"before", "after", "session_id"} | {
        name for name in Round._meta.fields_map if name.endswith("_seconds")
    }
    assert {"asking_seconds", "answering_seconds", "followup_seconds"} <= keys
    assert [k for k in sorted(keys) if detail_label(k) is None] == []


def _results() -> list[dict[str, object]]:
    """A closed poll's result of each kind, as poll.close records it."""
    from meetings.voting.tally import (
        CandidateResult,
        ConfidenceResult,
        ElectionResult,
        MotionResult,
        PersonConfidence,
        Rule,
    )

    rule = Rule.MAJORITY_OF_SEATS
    return [
        MotionResult(13, 2, 0, 31, rule, 16, False).as_dict(),
        ElectionResult(
            31, rule, 16, 1, 20, [CandidateResult(1, "An", 17, True, True, False)]
        ).as_dict(),
        ConfidenceResult(31, 20, [PersonConfidence(1, "Bình", 10, 5, 5, 31)]).as_dict(),
    ]


def test_every_key_of_a_poll_result_has_a_label() -> None:
    """A poll close records its result as a nested record: each of its keys, at any depth,
    reads in words, and whether it passed reads as passed / not passed."""
    from council.audit_log import detail_label, value_labels
    from meetings import routes as _meetings_routes  # noqa: F401  (registers the words)

    def keys(value: object) -> set[str]:
        if isinstance(value, dict):
            return set(value) | {k for v in value.values() for k in keys(v)}
        if isinstance(value, list):
            return {k for v in value for k in keys(v)}
        return set()

    found = {k for result in _results() for k in keys({"session_id": 1, "result": result})}
    assert {"not_voted", "required", "passed", "votes", "low_two_thirds"} <= found
    assert sorted(k for k in found if detail_label(k) is None) == []
    assert set(value_labels("poll.close", "passed") or {}) == {"true", "false"}


async def test_a_poll_close_reads_its_result_in_words(client) -> None:
    admin = await User.get_or_none(role="admin") or await make_user("admin")
    motion, election, _ = _results()
    await audit.record("poll.close", actor=admin, details={"session_id": 1, "result": motion})
    await audit.record("poll.open", actor=admin, details={"result": election})
    await login(client, admin)

    page = await client.get("/admin/audit", params={"operation": "poll.close"})
    result = text(_row(page.text, "poll.close"), "[data-key='result'] dd")
    assert result == (
        "Loại: Biểu quyết thông qua; Số đại biểu: 31; Quy tắc thông qua: quá nửa tổng số đại biểu; "
        "Tán thành: 13; Không tán thành: 2; Không biểu quyết: 0; "
        "Không tham gia biểu quyết: 16; Số phiếu cần: 16; Kết luận: không đạt"
    )
    page = await client.get("/admin/audit", params={"operation": "poll.open"})
    assert "An (Phương án số: 1; Số phiếu bầu: 17; Đạt số phiếu cần: có; Trúng cử: có" in text(
        _row(page.text, "poll.open"), "[data-key='result'] dd"
    )
    page = await client.get("/admin/audit", params={"operation": "poll.close", "lang": "en"})
    result = text(_row(page.text, "poll.close"), "[data-key='result'] dd")
    assert "For: 13; Against: 2; Abstain: 0; Did not take part in the vote: 16" in result
    assert result.endswith("Votes needed: 16; Outcome of the vote: not passed")
