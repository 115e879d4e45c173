"""Small real Vietnamese petitions and index builders for the search tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from council.search.index import Change, SearchIndex
from council.search.schema import IndexSpec

PETITIONS = IndexSpec(
    name="petitions_test",
    text_fields={"title": 2.0, "body": 1.0},
    keyword_fields=("status", "council", "category", "channel"),
    date_fields=("filed_at", "due_at"),
    stored_fields=("title", "body", "status", "filed_at"),
)


def petition(
    code: str,
    title: str,
    body: str,
    *,
    status: str = "received",
    council: str | list[str] = "HN-BD",
    category: str = "transport",
    channel: str = "online",
    filed_at: date = date(2025, 3, 3),
    due_at: date | None = None,
) -> dict[str, Any]:
    """A petitions index document."""
    doc: dict[str, Any] = {
        "id": code,
        "title": title,
        "body": body,
        "status": status,
        "council": council,
        "category": category,
        "channel": channel,
        "filed_at": filed_at,
    }
    if due_at is not None:
        doc["due_at"] = due_at
    return doc


def sample_petitions() -> list[dict[str, Any]]:
    """A dozen petitions on roads, pollution, schools and the budget, in real Vietnamese."""
    return [
        petition(
            "KN-01",
            "Đề nghị sửa chữa đường giao thông liên thôn",
            "Đường giao thông liên thôn Đoài - thôn Đông xuống cấp nghiêm trọng, nhiều ổ gà, "
            "mùa mưa ngập nước gây nguy hiểm cho người tham gia giao thông.",
            filed_at=date(2025, 1, 6),
            due_at=date(2025, 2, 5),
        ),
        petition(
            "KN-02",
            "Ô nhiễm môi trường từ cơ sở tái chế nhựa",
            "Cơ sở tái chế nhựa xả nước thải chưa qua xử lý ra kênh, gây ô nhiễm môi trường "
            "và mùi hôi cho khu dân cư.",
            category="environment",
            status="assigned",
            council=["HN-HD", "HN"],
            filed_at=date(2025, 2, 10),
            due_at=date(2025, 3, 12),
        ),
        petition(
            "KN-03",
            "Công khai dự toán ngân sách xã",
            "Cử tri đề nghị công khai Nghị quyết về dự toán ngân sách nhà nước năm 2025 "
            "của Hội đồng nhân dân xã.",
            category="administration",
            status="published",
            channel="voter_meeting",
            filed_at=date(2025, 3, 3),
        ),
        petition(
            "KN-04",
            "Mở rộng phố Dương Nội",
            "Đề nghị mở rộng phố Dương Nội và lắp đèn chiếu sáng công cộng.",
            council="HN-HD",
            filed_at=date(2025, 4, 1),
        ),
        petition(
            "KN-05",
            "Trường tiểu học thiếu phòng học",
            "Trường tiểu học phường Ba Đình thiếu phòng học, học sinh phải học ca ba.",
            category="education",
            channel="direct",
            filed_at=date(2025, 4, 15),
        ),
        petition(
            "KN-06",
            "Kiến nghị về y tế học đường",
            "Đôi môi của các cháu bị nứt nẻ vì thời tiết; trường chưa có nhân viên y tế.",
            category="health",
            filed_at=date(2025, 5, 2),
        ),
        petition(
            "KN-07",
            "duong lang bi ngap",
            "duong vao lang bi ngap sau moi tran mua, de nghi nang cap",
            channel="assisted",
            filed_at=date(2025, 5, 20),
        ),
        petition(
            "KN-08",
            "Đèn đường hỏng <script>",
            'Đèn đường trước số 5 hỏng <script>alert("x")</script> & tối om, đề nghị thay mới.',
            filed_at=date(2025, 6, 2),
        ),
        petition(
            "KN-09",
            "Nước sạch ở Khánh Hoà",
            "Thôn Khánh Hoà chưa có nước sạch, người dân dùng nước giếng nhiễm phèn.",
            category="utilities",
            filed_at=date(2025, 6, 30),
        ),
    ]


def build_index(
    root: Path, docs: Iterable[Mapping[str, Any]], spec: IndexSpec = PETITIONS
) -> SearchIndex:
    """An index under ``root`` holding ``docs``, written the way the outbox worker writes."""
    index = SearchIndex(root, spec)
    with index.write_lock:
        index.apply([Change(str(d["id"]), "upsert", d) for d in docs])
    return index


def ids(result: Any) -> list[str]:
    """The ids of a result's hits, in order."""
    return [hit.id for hit in result.hits]


_SUBJECTS = [
    "Đường giao thông liên thôn",
    "Mặt đường Nguyễn Trãi",
    "Hệ thống thoát nước phố Dương Nội",
    "Trường tiểu học Ba Đình",
    "Cơ sở tái chế nhựa",
    "Trạm y tế phường Hoàng Liệt",
    "Bãi rác tự phát ven đê",
    "Khu tái định cư Khánh Hoà",
]
_PROBLEMS = [
    "xuống cấp nghiêm trọng, nhiều ổ gà",
    "gây ô nhiễm môi trường, bốc mùi hôi",
    "ngập úng kéo dài sau mỗi trận mưa",
    "thiếu phòng học, học sinh phải học ca ba",
    "chưa được bồi thường giải phóng mặt bằng",
    "hoạt động quá giờ gây tiếng ồn",
    "duong bi hong, de nghi sua chua",
]
_ASKS = [
    "Đề nghị các cơ quan chức năng sớm kiểm tra, xử lý.",
    "Cử tri đề nghị công khai dự toán ngân sách.",
    "Đề nghị Ủy ban nhân dân thành phố chỉ đạo giải quyết dứt điểm.",
    "",
]


def generated_petitions(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` varied petitions built from real phrases (deterministic)."""
    import random

    rng = random.Random(seed)
    out = []
    for i in range(n):
        subject = rng.choice(_SUBJECTS)
        problem = rng.choice(_PROBLEMS)
        body = f"{subject} {problem}. {rng.choice(_PROBLEMS).capitalize()}. {rng.choice(_ASKS)}"
        out.append(
            petition(
                f"KN-{i:04d}",
                f"{subject} {problem}"[: rng.randint(20, 60)],
                body * rng.randint(1, 3),
                status=rng.choice(["received", "assigned", "published"]),
                council=rng.sample(["HN", "HN-BD", "HN-HD", "HN-TX"], rng.randint(1, 2)),
                category=rng.choice(["transport", "environment", "education"]),
                channel=rng.choice(["online", "voter_meeting", "assisted"]),
                filed_at=date(2025, 1, 1).fromordinal(
                    date(2025, 1, 1).toordinal() + rng.randrange(300)
                ),
                due_at=None
                if rng.random() < 0.3
                else date(2025, 6, 1).fromordinal(date(2025, 6, 1).toordinal() + rng.randrange(60)),
            )
        )
    return out
