"""The live questioning in the sitting's minutes (``council.minutes_sections``): under the agenda
item of kind questioning, each group's questions in the order they were called, who asked whom,
each turn (asking, answering, follow-up: who spoke, from when to when, for how long) and the
chair's conclusion. In Vietnamese, as the minutes are."""

from __future__ import annotations

from datetime import datetime

from council import minutes_sections
from council.localtime import local
from council.models import User
from questioning.models import GroupConclusion, QuestionForm, QuestionGroup, QuestionTurn

PHASES_VI = {"asking": "Chất vấn", "answering": "Trả lời", "followup": "Tranh luận"}


def _clock(moment: datetime) -> str:
    at = local(moment)
    return f"{at:%H} giờ {at:%M} phút"


def _turn_line(turn: QuestionTurn) -> str:
    text = f"{PHASES_VI.get(turn.phase, turn.phase)}: {turn.speaker}, từ {_clock(turn.started_at)}"
    if turn.ended_at is not None:
        seconds = int((turn.ended_at - turn.started_at).total_seconds())
        text += f" đến {_clock(turn.ended_at)} ({seconds // 60} phút {seconds % 60} giây)"
    return text + "."


async def section(session_id: int, item_id: int, kind: str) -> list[tuple[str, str]]:
    if kind != "questioning":
        return []
    turns = await QuestionTurn.filter(session_id=session_id, item_id=item_id).order_by(
        "started_at", "id"
    )
    if not turns:
        return []
    forms = {f.id: f for f in await QuestionForm.filter(id__in={t.form_id for t in turns})}
    groups = {
        g.id: g for g in await QuestionGroup.filter(id__in={f.group_id for f in forms.values()})
    }
    conclusions = {c.group_id: c for c in await GroupConclusion.filter(group_id__in=list(groups))}
    askers = {u.id: u for u in await User.filter(id__in={f.asker_id for f in forms.values()})}
    lines: list[tuple[str, str]] = [("text", "Chất vấn và trả lời chất vấn:")]
    # Groups and forms in the order they were first called.
    order: list[int] = []
    by_form: dict[int, list[QuestionTurn]] = {}
    for t in turns:
        if t.form_id not in by_form:
            order.append(t.form_id)
        by_form.setdefault(t.form_id, []).append(t)
    group_order = list(dict.fromkeys(forms[f].group_id for f in order))
    for gid in group_order:
        group = groups.get(gid or 0)
        lines.append(("subheading", f"Nhóm vấn đề: {group.title if group else ''}"))
        for fid in (f for f in order if forms[f].group_id == gid):
            form = forms[fid]
            asker = askers.get(form.asker_id)
            who = (asker.full_name or asker.username) if asker else ""
            lines.append(
                (
                    "text",
                    f"Đại biểu {who} chất vấn {form.official_name}, {form.official_title} "
                    f"(lĩnh vực {form.field}): {form.text}",
                )
            )
            lines += [("bullet", _turn_line(t)) for t in by_form[fid]]
        conclusion = conclusions.get(gid or 0)
        if conclusion is not None:
            lines.append(("text", f"Kết luận của chủ tọa về nhóm vấn đề: {conclusion.text}"))
    return lines


minutes_sections.register("questioning", section)
