"""Demo data: a sitting in progress in Ba Đình ward with a full agenda, real-looking Vietnamese PDF
and DOCX documents generated here, votes taken and one open, and delegates who can log in and vote.
Safe to run twice (``council demo``)."""

from __future__ import annotations

from council import storage
from council.localtime import local_day_at
from council.models import Council, User
from council.settings import Settings
from meetings import demo_minutes, demo_resolutions, services
from meetings.documents.generate import make_docx, make_pdf
from meetings.models import Session

COUNCIL = "HN-BADINH"
SLUG = "hn.badinh"
TITLE = "Kỳ họp thứ năm (chuyên đề), Hội đồng nhân dân phường Ba Đình khóa I, nhiệm kỳ 2026–2031"

AGENDA = [
    ("Khai mạc kỳ họp; thông qua chương trình kỳ họp", "opening"),
    ("Báo cáo tình hình kinh tế - xã hội, quốc phòng - an ninh 9 tháng đầu năm 2026", "report"),
    ("Tờ trình về dự toán thu, chi ngân sách phường năm 2027", "proposal"),
    (
        "Báo cáo thẩm tra của Ban Kinh tế - Ngân sách về dự toán ngân sách năm 2027",
        "verification_report",
    ),
    ("Dự thảo Nghị quyết về dự toán ngân sách phường năm 2027", "draft_resolution"),
    ("Báo cáo kết quả giải quyết ý kiến, kiến nghị của cử tri trước kỳ họp", "petitions_report"),
    ("Chất vấn và trả lời chất vấn về chỉnh trang đô thị, trật tự vỉa hè", "questioning"),
    ("Bầu bổ sung Ủy viên Ủy ban nhân dân phường", "other"),
    ("Bế mạc kỳ họp", "closing"),
]


def _report_pages() -> list[str]:
    sectors = [
        (
            "Thu ngân sách",
            "Tổng thu ngân sách nhà nước trên địa bàn ước đạt 1.284 tỷ đồng, bằng 81,6% "
            "dự toán, tăng 7,9% so với cùng kỳ. Thu thuế ngoài quốc doanh đạt 412 tỷ đồng.",
        ),
        (
            "Chi ngân sách",
            "Tổng chi ngân sách phường ước đạt 318 tỷ đồng, bằng 72,4% dự toán; chi đầu tư "
            "phát triển tập trung cho cải tạo hè phố, hạ ngầm đường dây và trường học.",
        ),
        (
            "Chỉnh trang đô thị",
            "Hoàn thành cải tạo 14 tuyến phố, lát lại 9,6 km vỉa hè bằng đá tự nhiên; "
            "xử lý 1.126 trường hợp vi phạm trật tự đô thị, lấn chiếm lòng đường, vỉa hè.",
        ),
        (
            "Chuyển đổi số",
            "98,7% hồ sơ thủ tục hành chính được tiếp nhận và giải quyết trực tuyến; "
            "Trung tâm phục vụ hành chính công phường tiếp nhận 21.540 hồ sơ, 99,2% đúng hạn.",
        ),
        (
            "Văn hóa - xã hội",
            "Chăm lo đầy đủ cho 1.932 người có công và đối tượng bảo trợ xã hội; tỷ lệ "
            "người dân tham gia bảo hiểm y tế đạt 95,1%. Không để hộ nghèo phát sinh.",
        ),
        (
            "Quốc phòng - an ninh",
            "Tình hình an ninh chính trị, trật tự an toàn xã hội được giữ vững; "
            "phạm pháp hình sự giảm 12,3% so với cùng kỳ. Hoàn thành 100% chỉ tiêu giao quân.",
        ),
    ]
    pages = []
    for i, (heading, body) in enumerate(sectors, start=1):
        pages.append(
            f"{('I', 'II', 'III', 'IV', 'V', 'VI')[i - 1]}. {heading.upper()}\n"
            f"{body}\n"
            "Ủy ban nhân dân phường đánh giá kết quả đạt được là tích cực, tuy nhiên vẫn còn một số tồn tại, "
            "hạn chế cần tiếp tục khắc phục trong những tháng cuối năm.\n"
            f"Trang {i}/{len(sectors)}"
        )
    return pages


def _resolution_pages() -> list[str]:
    return [
        "HỘI ĐỒNG NHÂN DÂN PHƯỜNG BA ĐÌNH\nNGHỊ QUYẾT\nVề dự toán thu, chi ngân sách phường năm 2027\n"
        "Căn cứ Luật Tổ chức chính quyền địa phương số 72/2025/QH15;\nCăn cứ Luật Ngân sách nhà nước;\n"
        "Xét Tờ trình của Ủy ban nhân dân phường, Báo cáo thẩm tra của Ban Kinh tế - Ngân sách và ý kiến "
        "thảo luận của đại biểu Hội đồng nhân dân phường tại kỳ họp.",
        "QUYẾT NGHỊ:\nĐiều 1. Dự toán thu ngân sách nhà nước trên địa bàn năm 2027 là 1.650 tỷ đồng; "
        "dự toán chi ngân sách phường là 412 tỷ đồng.\nĐiều 2. Giao Ủy ban nhân dân phường tổ chức thực "
        "hiện Nghị quyết.\nĐiều 3. Thường trực Hội đồng nhân dân, các Ban và đại biểu Hội đồng nhân dân "
        "phường giám sát việc thực hiện Nghị quyết.",
    ]


def _verification_pages() -> list[str]:
    return [
        "BÁO CÁO THẨM TRA\nBan Kinh tế - Ngân sách cơ bản thống nhất với dự toán do Ủy ban nhân dân "
        "phường trình. Đề nghị rà soát các khoản chi thường xuyên, ưu tiên chi cho trường học và y tế.",
        "Ban đề nghị bổ sung thuyết minh về nguồn thu từ đấu giá quyền sử dụng đất và lộ trình hạ ngầm "
        "đường dây trên các tuyến phố Đội Cấn, Kim Mã.",
    ]


def _petitions_pages() -> list[str]:
    return [
        "BÁO CÁO KẾT QUẢ GIẢI QUYẾT Ý KIẾN, KIẾN NGHỊ CỬ TRI\nTrước kỳ họp, cử tri phường có 86 ý kiến, "
        "kiến nghị; đã giải quyết xong 79 kiến nghị (91,9%), đang giải quyết 7 kiến nghị.",
        "Các kiến nghị chủ yếu về trật tự vỉa hè, thoát nước mùa mưa tại ngõ 279 Đội Cấn, ô nhiễm tiếng ồn "
        "và việc cấp giấy chứng nhận quyền sử dụng đất còn chậm.",
    ]


def _personnel_pages() -> list[str]:
    return [
        "TÀI LIỆU MẬT — HỒ SƠ NHÂN SỰ\nGiới thiệu nhân sự bầu bổ sung Ủy viên Ủy ban nhân dân phường: "
        "ông Nguyễn Minh Khôi, sinh năm 1982, Trưởng phòng Kinh tế, Hạ tầng và Đô thị.",
        "Nhận xét, đánh giá của cấp ủy nơi công tác: có bản lĩnh chính trị vững vàng, năng lực chuyên môn tốt.",
    ]


async def _user(username: str) -> User:
    return await User.get(username=username)


async def load(settings: Settings) -> list[tuple[str, str, str]]:
    """Create the demo sitting (once) and return nothing new to log in with: the core demo users are
    the delegates (``hn.badinh.db001`` … checks in and votes on the open motion)."""
    await demo_minutes.load(settings)  # the city council's closed sitting, its minutes signed
    await demo_resolutions.load(settings)  # and its resolution, numbered, signed, published
    council = await Council.get_or_none(code=COUNCIL)
    if council is None or await Session.exists(council_id=council.id, title=TITLE):
        return []
    storage.configure(settings)
    secretariat = await _user(f"{SLUG}.vanphong")
    chair = await _user(f"{SLUG}.chutoa")
    delegates = list(await User.filter(council_id=council.id, role="delegate").order_by("username"))

    session = await services.session_create(
        secretariat,
        council_code=COUNCIL,
        title=TITLE,
        location="Hội trường UBND phường Ba Đình",
        starts_at=local_day_at(),  # today, 08:00 in Vietnam
    )
    items = [
        await services.item_create(secretariat, session.id, title=t, kind=k) for t, k in AGENDA
    ]
    documents = [
        (
            "Báo cáo tình hình kinh tế - xã hội 9 tháng năm 2026",
            "public",
            items[1],
            make_pdf,
            _report_pages(),
        ),
        (
            "Tờ trình dự toán ngân sách năm 2027",
            "internal",
            items[2],
            make_pdf,
            _resolution_pages()[:1],
        ),
        (
            "Báo cáo thẩm tra dự toán ngân sách",
            "internal",
            items[3],
            make_docx,
            _verification_pages(),
        ),
        (
            "Dự thảo Nghị quyết về dự toán ngân sách năm 2027",
            "internal",
            items[4],
            make_docx,
            _resolution_pages(),
        ),
        (
            "Báo cáo kết quả giải quyết kiến nghị cử tri",
            "public",
            items[5],
            make_pdf,
            _petitions_pages(),
        ),
        (
            "Hồ sơ nhân sự bầu bổ sung (tài liệu mật)",
            "confidential",
            items[7],
            make_pdf,
            _personnel_pages(),
        ),
    ]
    for title, conf, item, maker, pages in documents:
        ext = "pdf" if maker is make_pdf else "docx"
        await services.document_upload(
            secretariat,
            session.id,
            maker(title, pages),
            title=title,
            confidentiality=conf,
            item_id=item.id,
            filename=f"{title}.{ext}",
        )
    await services.session_publish(secretariat, session.id)
    await services.session_start(chair, session.id)
    # Everyone is present but the first three delegates, who check in from their tablets.
    await services.attendance_check_in(chair, session.id)
    for delegate in delegates[3:25]:
        await services.attendance_check_in(delegate, session.id)
    voters = [chair, *delegates[3:25]]

    await services.session_set_current(chair, session.id, items[0].id)
    agenda_vote = await services.poll_create(
        chair,
        session.id,
        title="Thông qua chương trình kỳ họp",
        kind="motion",
        secret=False,
        item_id=items[0].id,
    )
    await services.poll_open(chair, agenda_vote.id)
    for i, voter in enumerate(voters):
        await services.ballot_cast(voter, agenda_vote.id, "yes" if i < 21 else "abstain")
    await services.poll_close(chair, agenda_vote.id)

    for speaker in delegates[5:7]:
        request = await services.speaker_request(speaker, session.id)
        await services.speaker_give_floor(chair, request["request_id"])
    await services.speaker_finish(chair, session.id)

    await services.session_set_current(chair, session.id, items[4].id)
    resolution = await services.poll_create(
        chair,
        session.id,
        title="Biểu quyết thông qua Nghị quyết về dự toán ngân sách năm 2027",
        kind="motion",
        secret=False,
        item_id=items[4].id,
    )
    await services.poll_open(chair, resolution.id)
    for i, voter in enumerate(voters[:14]):
        await services.ballot_cast(voter, resolution.id, "yes" if i < 12 else "no")
    await services.speaker_request(delegates[8], session.id)
    await services.speaker_request(delegates[9], session.id)
    await services.poll_create(
        chair,
        session.id,
        title="Bầu bổ sung Ủy viên Ủy ban nhân dân phường",
        kind="election",
        secret=True,
        item_id=items[7].id,
        options=["Nguyễn Minh Khôi", "Trần Thu Hà"],
        max_choices=1,
        countdown_seconds=60,
    )

    # A published session of the city council for the coming weeks.
    city_secretariat = await User.get_or_none(username="hn.vanphong")
    if city_secretariat is not None:
        upcoming = await services.session_create(
            city_secretariat,
            council_code="HN",
            title="Kỳ họp thường lệ cuối năm 2026, Hội đồng nhân dân thành phố Hà Nội",
            starts_at=local_day_at(days=14),
            location="Hội trường Thành ủy Hà Nội",
        )
        for title, kind in AGENDA[:6]:
            await services.item_create(city_secretariat, upcoming.id, title=title, kind=kind)
        await services.session_publish(city_secretariat, upcoming.id)
    return []  # the core demo already prints this council's delegate login
