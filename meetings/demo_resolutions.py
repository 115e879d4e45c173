"""The demo's published resolution: the draft resolution passed at the city council's earlier,
closed sitting (``meetings.demo_minutes``) is issued with its number, signed by the demo chair
with the development CA's key and published, so the public list and ``/verify`` have one."""

from __future__ import annotations

from council.models import User
from council.settings import Settings
from meetings.demo_minutes import SIGNERS, closed_sitting, demo_signer
from meetings.models import AgendaItem
from meetings.resolutions.models import Resolution
from meetings.resolutions.services import (
    resolution_issue,
    resolution_publish,
    resolution_update,
)
from meetings.resolutions.signing import resolution_sign

TEXT = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;\n"
    "Xét Tờ trình của Ủy ban nhân dân thành phố về việc kiện toàn tổ chức bộ máy các cơ quan "
    "chuyên môn; Báo cáo thẩm tra của Ban Pháp chế; ý kiến thảo luận của đại biểu Hội đồng nhân "
    "dân thành phố tại kỳ họp,\n"
    "QUYẾT NGHỊ:\n"
    "Điều 1. Kiện toàn tổ chức bộ máy các cơ quan chuyên môn thuộc Ủy ban nhân dân thành phố theo "
    "Tờ trình của Ủy ban nhân dân thành phố.\n"
    "Điều 2. Giao Ủy ban nhân dân thành phố tổ chức thực hiện; Thường trực, các Ban và đại biểu "
    "Hội đồng nhân dân thành phố giám sát việc thực hiện Nghị quyết này.\n"
    "Điều 3. Nghị quyết có hiệu lực kể từ ngày ký."
)


async def load(settings: Settings) -> Resolution | None:
    """Issue, sign and publish the closed sitting's resolution (once; safe to run twice)."""
    session = await closed_sitting(settings)
    if session is None:
        return None
    item = await AgendaItem.get_or_none(session_id=session.id, kind="draft_resolution")
    if item is None:
        return None
    secretary = await User.get(username=SIGNERS["secretariat"])
    resolution = await Resolution.get_or_none(item_id=item.id)
    if resolution is None:
        resolution = await resolution_issue(secretary, item.id)
        if not resolution.text:
            resolution = await resolution_update(secretary, resolution.id, text=TEXT)
    if resolution.status == "draft":
        chair, _ = await demo_signer(settings, "chair")
        resolution = await resolution_sign(chair, resolution.id, settings)
    if resolution.status == "signed":
        resolution = await resolution_publish(secretary, resolution.id)
    return resolution
