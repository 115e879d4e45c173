"""The reports (issue 20 item 7): the commitments status report and the list of forms and
groups, as DOCX and PDF in the official layout and as XLSX."""

from __future__ import annotations

import io
from datetime import date, timedelta

import docx
from openpyxl import load_workbook
from pypdf import PdfReader

from questioning.models import Commitment
from tests.factories import bearer
from tests.questioning.helpers import file_question, ok, setup_world


async def _world_with_commitments(client):
    w = await setup_world()
    form = await file_question(client, w)
    base = f"/api/v1/questioning/sessions/{w.session_id}"
    for days in (30, 60):
        c = await ok(
            client,
            w.chair,
            "POST",
            f"{base}/commitments",
            json={
                "agency_code": "SO-XD-Q",
                "official_name": "Nguyễn Văn Giám",
                "official_title": "Giám đốc Sở Xây dựng",
                "measure": f"Sửa xong tuyến đường số {days}",
                "deadline": (date.today() + timedelta(days=days)).isoformat(),
                "form_id": form["id"],
            },
        )
    await Commitment.filter(id=c["id"]).update(deadline=date.today() - timedelta(days=3))
    return w


async def test_commitments_report_in_three_formats(client) -> None:
    w = await _world_with_commitments(client)
    url = f"/api/v1/councils/{w.council.code}/questioning/commitments-report"
    headers = await bearer(w.secretariat)
    d = await client.get(f"{url}.docx", headers=headers)
    assert d.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(d.content)).paragraphs)
    assert "BÁO CÁO" in text and "quá hạn: 1" in text
    p = await client.get(f"{url}.pdf", headers=headers)
    pdf_text = " ".join(
        " ".join(pg.extract_text() for pg in PdfReader(io.BytesIO(p.content)).pages).split()
    )
    assert "Sửa xong tuyến đường số 60" in pdf_text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in pdf_text
    x = await client.get(f"{url}.xlsx", headers=headers)
    rows = list(load_workbook(io.BytesIO(x.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "TT" and {r[6] for r in rows[1:]} == {"Đang thực hiện", "Quá hạn"}
    assert (await client.get(f"{url}.odt", headers=headers)).status_code == 404
    r = await client.get(f"{url}.pdf", headers=await bearer(w.other_secretariat))
    assert r.status_code == 403


async def test_forms_report_for_the_chair_side_only(client) -> None:
    w = await _world_with_commitments(client)
    url = f"/api/v1/questioning/sessions/{w.session_id}/forms-report"
    x = await client.get(f"{url}.xlsx", headers=await bearer(w.chair))
    rows = list(load_workbook(io.BytesIO(x.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and "Hoàng Hoa Thám" in rows[1][4]
    d = await client.get(f"{url}.docx", headers=await bearer(w.chair))
    assert "DANH SÁCH" in "\n".join(p.text for p in docx.Document(io.BytesIO(d.content)).paragraphs)
    assert (await client.get(f"{url}.pdf", headers=await bearer(w.delegate))).status_code == 403
