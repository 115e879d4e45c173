"""The record of an election's results (biên bản xác định kết quả bầu cử) in the official layout
(Nghị định 30/2020/NĐ-CP), as PDF and DOCX through ``council.officialdoc``."""

from __future__ import annotations

from council.officialdoc import (
    Bullets,
    Heading,
    Issuer,
    OfficialDocument,
    Paragraph,
    Signer,
    Table,
    issuer_of,
    place_of,
)
from elections.schemas import ElectionOut


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def record(e: ElectionOut) -> OfficialDocument:
    """The record's frame and body from an election's results, as the public API shows them."""
    unit = issuer_of(e.council_name).lines[1:] or ("",)
    kind = "bầu cử bổ sung đại biểu" if e.kind == "by" else "bầu cử đại biểu"
    registered = sum(c.registered for c in e.constituencies)
    voted = sum(c.voted for c in e.constituencies)
    body: list = [
        Paragraph(
            f"Cuộc {kind} Hội đồng nhân dân {e.term} được tiến hành ngày "
            f"{e.day.day:02d}/{e.day.month:02d}/{e.day.year} (mã {e.id}). Ủy ban bầu cử xác định "
            "kết quả bầu cử căn cứ biên bản kết quả bầu cử của các Ban bầu cử như sau:"
        ),
        Heading("I. KẾT QUẢ CHUNG"),
        Bullets(
            (
                f"Tổng số đại biểu được bầu: {e.seats}; số đơn vị bầu cử: {len(e.constituencies)}.",
                f"Tổng số cử tri trong danh sách: {_n(registered)}; số cử tri đã tham gia bỏ "
                f"phiếu: {_n(voted)}"
                + (f", đạt {100 * voted / registered:.2f}%." if registered else "."),
                f"Số người trúng cử: {e.filled}/{e.seats}.",
            )
        ),
    ]
    if e.supplementary_needed:
        body.append(
            Paragraph(
                "Số người trúng cử chưa đủ hai phần ba tổng số đại biểu được bầu: đề nghị tổ "
                "chức bầu cử thêm theo quy định của Luật Bầu cử.",
                italic=True,
            )
        )
    body.append(Heading("II. KẾT QUẢ Ở TỪNG ĐƠN VỊ BẦU CỬ"))
    for c in e.constituencies:
        body.append(Heading(f"Đơn vị bầu cử số {c.number}: {c.area}", level=2))
        body.append(
            Paragraph(
                f"Số đại biểu được bầu: {c.seats}. Cử tri trong danh sách: {_n(c.registered)}; "
                f"đã bỏ phiếu: {_n(c.voted)}; phiếu hợp lệ: {_n(c.valid)}."
            )
        )
        if c.repeat_needed:
            body.append(
                Paragraph(
                    "Số cử tri đi bầu chưa quá một nửa tổng số cử tri trong danh sách: phải tổ "
                    "chức bầu cử lại ở đơn vị bầu cử này.",
                    italic=True,
                )
            )
        rows = tuple(
            (
                str(i),
                cand.full_name,
                _n(cand.votes or 0),
                f"{100 * (cand.votes or 0) / c.valid:.2f}%" if c.valid else "",
                "Trúng cử" if cand.elected else "",
            )
            for i, cand in enumerate(sorted(c.candidates, key=lambda x: -(x.votes or 0)), start=1)
        )
        body.append(
            Table(
                ("STT", "Họ và tên", "Số phiếu bầu", "Tỷ lệ so với phiếu hợp lệ", "Kết quả"),
                rows,
                widths=(0.6, 3.2, 1.4, 1.6, 1.2),
            )
        )
        if c.unfilled and not c.repeat_needed:
            body.append(Paragraph(f"Còn thiếu {c.unfilled} đại biểu.", italic=True))
        if c.tie_broken_by_age:
            body.append(
                Paragraph(
                    "Có người ứng cử bằng số phiếu ở vị trí cuối: người nhiều tuổi hơn trúng cử.",
                    italic=True,
                )
            )
    return OfficialDocument(
        issuer=Issuer(("ỦY BAN BẦU CỬ", *unit)),
        kind="BIÊN BẢN",
        summary=f"Xác định kết quả {kind} Hội đồng nhân dân {e.term}",
        symbol="BB-UBBC",
        number=None,
        place=place_of(e.council_name),
        date=e.day,
        body=body,
        signers=[Signer("CHỦ TỊCH", "", authority="TM. ỦY BAN BẦU CỬ")],
        recipients=["Thường trực Hội đồng nhân dân", "Ủy ban Mặt trận Tổ quốc", "Lưu: VT"],
        title=f"Biên bản xác định kết quả bầu cử {e.id}",
    )
