"""Demo: a past questioning in the city council (answers, commitments in every state, with
progress reports) and question forms filed for a coming sitting in Ba Đình."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from council.localtime import local_date, local_day_at
from council.models import Agency, Council, User
from council.settings import Settings
from meetings.models import Session
from meetings.services import sessions as meeting_sessions
from questioning.models import (
    Commitment,
    GroupConclusion,
    Milestone,
    ProgressReport,
    QuestionForm,
    QuestionGroup,
    QuestionTurn,
    Round,
)
from questioning.services import forms

QUESTIONING_ITEM = "Chất vấn và trả lời chất vấn"
# Each group's conclusion by the chair at the past sitting.
CONCLUSIONS = (
    "Đề nghị Sở Xây dựng hoàn thành giải phóng mặt bằng, thông xe đường Hoàng Hoa Thám trong quý "
    "II/2026 và đưa các trạm bơm chống ngập vào vận hành trước mùa mưa.",
    "Đề nghị Sở Tài nguyên và Môi trường, Sở Giáo dục và Đào tạo báo cáo tiến độ tại kỳ họp sau.",
)

PAST_TITLE = "Kỳ họp thứ tư (chất vấn), Hội đồng nhân dân thành phố Hà Nội"
COMING_TITLE = "Kỳ họp thường lệ cuối năm 2026, Hội đồng nhân dân phường Ba Đình"

# (agency, official, title, field, question, answer, verdict)
PAST_FORMS = (
    (
        "SO-XD",
        "Lê Văn Thành",
        "Giám đốc Sở Xây dựng",
        "Giao thông",
        "Đề nghị Giám đốc cho biết vì sao dự án cải tạo đường Hoàng Hoa Thám chậm tiến độ và "
        "giải pháp hoàn thành?",
        "Dự án chậm do vướng giải phóng mặt bằng 12 hộ; Sở đã phối hợp phường hoàn thành bàn giao "
        "mặt bằng, dự kiến thông xe trong quý II/2026.",
        "satisfactory",
    ),
    (
        "SO-XD",
        "Lê Văn Thành",
        "Giám đốc Sở Xây dựng",
        "Giao thông",
        "Tình trạng ngập úng tại các tuyến phố khi mưa lớn kéo dài, Sở có giải pháp gì để xử lý "
        "dứt điểm?",
        "Sở đã trình đầu tư 3 trạm bơm cục bộ và cải tạo cống thoát nước trên 8 tuyến phố.",
        "unsatisfactory",
    ),
    (
        "SO-TNMT",
        "Phạm Thị Hoa",
        "Giám đốc Sở Nông nghiệp và Môi trường",
        "Môi trường",
        "Đề nghị cho biết tiến độ xử lý ô nhiễm sông Tô Lịch và trách nhiệm của các đơn vị liên "
        "quan?",
        None,
        None,
    ),
    (
        "SO-GDDT",
        "Trần Quốc Hưng",
        "Giám đốc Sở Giáo dục và Đào tạo",
        "Giáo dục",
        "Tình trạng thiếu trường lớp ở các phường mới, Sở có kế hoạch gì cho năm học 2026-2027?",
        None,
        None,
    ),
)

# (agency, form index, measure, days from today to the deadline, done days from today or None,
#  percent)
COMMITMENTS = (
    ("SO-XD", 0, "Hoàn thành cải tạo và thông xe đường Hoàng Hoa Thám", -60, -75, 100),
    ("SO-XD", 1, "Đưa 3 trạm bơm cục bộ chống ngập vào vận hành", -90, -20, 100),
    ("SO-TNMT", 2, "Hoàn thành nạo vét, kè bờ sông Tô Lịch đoạn qua phường Ba Đình", 120, None, 45),
    ("SO-GDDT", 3, "Khởi công 2 trường tiểu học tại các phường thiếu trường", -15, None, 30),
)


async def _past_questioning(city: Council) -> None:
    secretariat = await User.get(username="hn.vanphong")
    chair = await User.get(username="hn.chutoa")
    delegates = list(await User.filter(council_id=city.id, role="delegate").order_by("id").limit(4))
    session = await meeting_sessions.session_create(
        secretariat,
        council_code=city.code,
        title=PAST_TITLE,
        starts_at=local_day_at(days=-200),
        location="Hội trường Thành ủy Hà Nội",
    )
    item = await meeting_sessions.item_create(
        secretariat, session.id, title=QUESTIONING_ITEM, kind="questioning"
    )
    held = session.starts_at + timedelta(hours=4)
    # The sitting took place: started in the morning, closed in the afternoon.
    await Session.filter(id=session.id).update(
        status="closed",
        started_at=session.starts_at,
        closed_at=held + timedelta(hours=2),
        current_item_id=None,
    )
    rnd = await Round.create(
        council_id=city.id,
        session_id=session.id,
        groups_fixed_at=held - timedelta(days=3),
        held_at=held,
    )
    groups = [
        await QuestionGroup.create(
            round_id=rnd.id,
            title=t,
            criterion=c,
            chosen=True,
            position=i,
            created_by_id=chair.id,
        )
        for i, (t, c) in enumerate(
            (
                ("Giao thông đô thị và chống ngập", "pressing"),
                ("Môi trường và giáo dục", "supervision"),
            )
        )
    ]
    made: list[QuestionForm] = []
    for i, (acode, name, title, field, text, answer, verdict) in enumerate(PAST_FORMS):
        agency = await Agency.get(code=acode)
        made.append(
            await QuestionForm.create(
                round_id=rnd.id,
                council_id=city.id,
                asker_id=delegates[i % len(delegates)].id,
                agency_id=agency.id,
                official_name=name,
                official_title=title,
                field=field,
                text=text,
                group_id=groups[0 if i < 2 else 1].id,
                answer_due_at=held + timedelta(days=14) if answer else None,
                answer_text=answer,
                answered_at=held + timedelta(days=10) if answer else None,
                verdict=verdict,
            )
        )
    await _past_turns(session.id, item.id, held - timedelta(hours=3), made, groups)
    today = local_date(datetime.now(UTC))
    for acode, index, measure, deadline_days, done_days, percent in COMMITMENTS:
        form = made[index]
        deadline = today + timedelta(days=deadline_days)
        c = await Commitment.create(
            council_id=city.id,
            session_id=session.id,
            agency_id=(await Agency.get(code=acode)).id,
            official_name=form.official_name,
            official_title=form.official_title,
            form_id=form.id,
            measure=measure,
            deadline=deadline,
            percent=percent,
            done_on=today + timedelta(days=done_days) if done_days is not None else None,
            created_by_id=secretariat.id,
        )
        first = _between(today - timedelta(days=150), deadline)
        await Milestone.create(
            commitment_id=c.id,
            title="Hoàn thành phương án, bố trí vốn",
            due_on=first,
            done_on=first,
        )
        await ProgressReport.create(
            commitment_id=c.id,
            percent=min(percent, 30),
            note="Đã phê duyệt phương án và bố trí vốn.",
            reported_on=first,
        )
        if percent > 30:
            await ProgressReport.create(
                commitment_id=c.id,
                percent=percent,
                note="Hoàn thành." if percent == 100 else "Đang thi công theo kế hoạch.",
                reported_on=c.done_on or today - timedelta(days=5),
            )


async def _past_turns(
    session_id: int,
    item_id: int,
    start: datetime,
    made: list[QuestionForm],
    groups: list[QuestionGroup],
) -> None:
    """The record of the live questioning: each form asked, answered (one follow-up on the
    first), and each group concluded by the chair."""
    at = start
    for group, conclusion in zip(groups, CONCLUSIONS, strict=True):
        for n, form in enumerate(f for f in made if f.group_id == group.id):
            asker = await User.get(id=form.asker_id)
            steps = [("asking", 150), ("answering", 480)]
            if n == 0:
                steps += [("followup", 90), ("answering", 180)]
            for phase, seconds in steps:
                speaker = (
                    f"{form.official_name}, {form.official_title}"
                    if phase == "answering"
                    else asker.full_name
                )
                await QuestionTurn.create(
                    session_id=session_id,
                    item_id=item_id,
                    form_id=form.id,
                    phase=phase,
                    speaker=speaker,
                    speaker_id=asker.id if phase != "answering" else None,
                    limit_seconds={"asking": 180, "answering": 600, "followup": 120}[phase],
                    started_at=at,
                    ended_at=at + timedelta(seconds=seconds),
                )
                at += timedelta(seconds=seconds + 20)
        await GroupConclusion.create(group_id=group.id, text=conclusion, concluded_at=at)
        at += timedelta(minutes=2)


def _between(a: date, b: date) -> date:
    return a if a < b else b - timedelta(days=1)


async def _coming_in_ba_dinh(council: Council) -> None:
    secretariat = await User.get(username="hn.badinh.vanphong")
    session = await meeting_sessions.session_create(
        secretariat,
        council_code=council.code,
        title=COMING_TITLE,
        starts_at=local_day_at(days=21),
        location="Hội trường UBND phường Ba Đình",
    )
    for title, kind in (
        ("Báo cáo kết quả thực hiện nhiệm vụ kinh tế - xã hội năm 2026", "report"),
        (QUESTIONING_ITEM, "questioning"),
    ):
        await meeting_sessions.item_create(secretariat, session.id, title=title, kind=kind)
    await meeting_sessions.session_publish(secretariat, session.id)
    # The ward's chairman answers with his own account, by name and title.
    official = await User.get(username="cb.ub-badinh")
    if not official.title:
        official.title = "Chủ tịch Ủy ban nhân dân phường Ba Đình"
        await official.save(update_fields=["title"])
    questions = (
        (
            "Đô thị",
            "Đề nghị cho biết kế hoạch xử lý các công trình xây dựng sai phép trên phố Đội Cấn?",
        ),
        ("Đô thị", "Việc xử lý công trình xây dựng sai phép tại ngõ 12 Đội Cấn đến nay ra sao?"),
        ("Môi trường", "Đề nghị cho biết giải pháp thu gom rác thải tại các ngõ nhỏ vào buổi tối?"),
        (
            "Xã hội",
            "Tiến độ chi trả trợ cấp cho người cao tuổi trên địa bàn phường hiện nay thế nào?",
        ),
    )
    delegates = list(
        await User.filter(council_id=council.id, role="delegate").order_by("username").limit(4)
    )
    for delegate, (field, text) in zip(delegates, questions, strict=False):
        await forms.question_file(
            delegate,
            session.id,
            forms.FormInput(
                agency_code="UB-BADINH",
                official_name=official.full_name,
                official_title=official.title,
                field=field,
                text=text,
            ),
        )


async def load(settings: Settings) -> list[tuple[str, str, str]]:
    """Both parts once each (safe to run twice); the core demo's logins are enough."""
    city = await Council.get_or_none(code="HN")
    if city is not None and not await Session.exists(council_id=city.id, title=PAST_TITLE):
        await _past_questioning(city)
    ba_dinh = await Council.get_or_none(code="HN-BADINH")
    if ba_dinh is not None and not await Session.exists(council_id=ba_dinh.id, title=COMING_TITLE):
        await _coming_in_ba_dinh(ba_dinh)
    return []
