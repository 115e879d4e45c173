"""Human labels for the machine names of statuses, channels, stages, resolutions and diversions,
and the place names citizens know for councils."""

from __future__ import annotations

from council.i18n import N_, LazyString
from council.search.text import fold
from council.templating import fmt_number
from petitions.metrics import Reason, Thresholds

STATUS: dict[str, LazyString] = {
    "received": N_("Received"),
    "accepted": N_("Accepted by the commune"),
    "escalated": N_("Escalated"),
    "assigned": N_("Assigned to an agency"),
    "answered": N_("Answered"),
    "published": N_("Answer published"),
    "closed": N_("Closed"),
    "rejected": N_("Rejected"),
    "merged": N_("Merged"),
    "diverted": N_("Sent to another channel"),
}
CHANNEL: dict[str, LazyString] = {
    "online": N_("Online"),
    "voter_meeting": N_("Voter-contact meeting"),
    "direct": N_("At the service centre"),
    "mail": N_("By mail"),
    "assisted": N_("Assisted by commune staff"),
}
STAGE: dict[str, LazyString] = {
    "classify": N_("Classify and decide competence"),
    "assign": N_("Assign to an agency"),
    "central": N_("Awaiting a central agency"),
    "answer": N_("Answer"),
    "review": N_("Review and publish the answer"),
}
RESOLUTION: dict[str, LazyString] = {
    "resolved": N_("Resolved"),
    "roadmap": N_("On a roadmap"),
    "not_resolved": N_("Not resolved"),
}
DIVERSION: dict[str, LazyString] = {
    "complaint": N_("Complaint"),
    "denunciation": N_("Denunciation"),
    "procedure": N_("Individual administrative procedure"),
}
# What happened, worded as an event for the history ("Đã tiếp nhận"), never as a field label.
# A step that leads to a status is named as that status, as the notifications name it.
ACTION: dict[str, LazyString] = {
    "file": STATUS["received"],
    "accept": STATUS["accepted"],
    "escalate": STATUS["escalated"],
    "assign": STATUS["assigned"],
    "answer": N_("Answered"),
    "publish": N_("Answer published"),
    "reopen": N_("Petition reopened"),
    "reject": N_("Rejected"),
    "merge": N_("Merged"),
    "close": N_("Closed"),
    "divert": N_("Sent to another channel"),
    "resolution": N_("Resolution recorded"),
    "feedback": N_("The petitioner rated the answer"),
    "support": N_("Another voter added their support"),
    "carry_over": N_("Carried over to the next cycle"),
    "return": N_("Returned by the agency for another assignment"),
    "extend_request": N_("Deadline extension requested"),
    "extend": N_("Deadline extended"),
    "extend_refuse": N_("Deadline extension refused"),
    "letter": N_("Reply letter attached"),
    "letter_remove": N_("Reply letter removed"),
}

# What a staff button does, as a verb. ACTION above says what happened, for the history.
ACTION_VERB: dict[str, LazyString] = {
    "accept": N_("Accept"),
    "escalate": N_("Escalate to the city"),
    "escalate_central": N_("Escalate to a central agency"),
    "assign": N_("Assign to an agency"),
    "answer": N_("Answer"),
    "publish": N_("Publish the answer"),
    "reopen": N_("Reopen"),
    "reject": N_("Reject"),
    "merge": N_("Merge into another petition"),
    "close": N_("Close"),
    "divert": N_("Send to another channel"),
    "resolution": N_("Record the resolution"),
    "resolution_update": N_("Update the resolution"),
    "return": N_("Return to the secretariat (not ours to answer)"),
}
# What the browser asks before an action that is hard to undo.
CONFIRM: dict[str, LazyString] = {
    "escalate": N_("Send this petition up? Your council will no longer handle it."),
    "reject": N_("Reject this petition? The petitioner will be told the reason."),
    "merge": N_("Merge this petition into the chosen one? It will be closed as merged."),
    "divert": N_("Send this petition to another channel? It will be closed here."),
    "return": N_("Return this petition to the secretariat? Your agency will no longer hold it."),
}
EXTENSION_STATE: dict[str, LazyString] = {
    "pending": N_("awaiting a decision"),
    "approved": N_("approved"),
    "refused": N_("refused"),
    "lapsed": N_("lapsed: the step ended first"),
}
NOTIFICATION_STATE: dict[str, LazyString] = {
    "recorded": N_("recorded, not e-mailed"),
    "sent": N_("e-mailed"),
    "failed": N_("e-mail failed"),
}
RECIPIENT: dict[str, LazyString] = {
    "petitioner": N_("the petitioner"),
    "supporter": N_("a supporter"),
    "staff": N_("staff"),
}


def mask_email(address: str) -> str:
    """Enough of an address for its owner to recognise it, too little for anyone else to use:
    "hoa.nguyen@example.vn" → "h***@example.vn"."""
    local, at, domain = address.partition("@")
    if not at:
        return address[:1] + "***"
    return f"{local[:1]}***@{domain}"


def recipient(kind: str, email: str | None, user_name: str | None = None) -> str:
    """Whom a notification was for, as staff read it: "người gửi kiến nghị (h***@example.vn)"
    or the staff member's name; the address masked, and only when the reader may see it."""
    who = user_name or text(RECIPIENT, kind)
    return f"{who} ({mask_email(email)})" if email else who


LIGHT: dict[str, LazyString] = {"green": N_("Green"), "yellow": N_("Yellow"), "red": N_("Red")}
REASON: dict[str, LazyString] = {
    "rate_below": N_("on-time rate {value}, below {threshold}"),
    "overdue_above": N_("{value} of open steps overdue, above {threshold}"),
    "overdue_any": N_("open steps overdue: {value}"),
    "rate_met": N_("on-time rate {value}, at least {threshold}, nothing overdue"),
    "nothing_finished": N_("no step finished yet, nothing overdue"),
}


def _percent(share: float) -> str:
    value = share * 100
    return f"{fmt_number(value, 0 if value == round(value) else 1)}%"


def light_text(light: str, reasons: list[Reason]) -> str:
    """The colour in words with why: "Đỏ: tỉ lệ đúng hạn 72,5%, dưới 80%"."""
    parts = []
    for r in reasons:
        value = str(int(r.value)) if r.kind == "overdue_any" else _percent(r.value)
        template = text(REASON, r.kind)
        parts.append(template.format(value=value, threshold=_percent(r.threshold)))
    return f"{text(LIGHT, light)}: {'; '.join(parts)}" if parts else text(LIGHT, light)


def thresholds_text(t: Thresholds | None = None) -> str:
    """How a light gets its colour, in words, from the thresholds in force."""
    t = t or Thresholds()
    return (
        N_(
            "Green: at least {green} of steps on time and nothing overdue. Yellow: below "
            "{green} on time or something overdue. Red: below {red} on time or more than "
            "{red_overdue} of open steps overdue."
        )
        .format(
            green=_percent(t.green_on_time),
            red=_percent(t.red_on_time),
            red_overdue=_percent(t.red_overdue),
        )
        .render()
    )


def action_verb(
    action: str, level: str | None = None, lang: str | None = None, *, update: bool = False
) -> str:
    """The button for ``action``: a city escalates to a central agency, a commune to its city;
    a resolution already recorded (``update``) is updated."""
    key = "escalate_central" if action == "escalate" and level == "city" else action
    if action == "resolution" and update:
        key = "resolution_update"
    return text(ACTION_VERB, key, lang)


def attachment_kind(mime: str) -> str:
    """A photo or a PDF, as a person would say it, not its MIME type."""
    if mime.startswith("image/"):
        return str(N_("Photo"))
    return "PDF" if mime == "application/pdf" else str(N_("File"))


def text(table: dict[str, LazyString], key: str | None, lang: str | None = None) -> str:
    """The label of ``key`` in ``table`` (translated), or the key itself when unknown."""
    if key is None:
        return ""
    label = table.get(key)
    return label.render(lang) if label is not None else key


_COUNCIL_PREFIXES = ("hội đồng nhân dân ", "hđnd ")
_PLACE_KINDS = ("phường ", "xã ", "đặc khu ", "thị trấn ", "thành phố ", "tỉnh ")


def place_name(council_name: str) -> str:
    """The place a citizen knows, not the body: "Hội đồng nhân dân phường Ba Đình" → "Phường Ba
    Đình"; any other name is kept as it is."""
    lowered = council_name.casefold()
    for prefix in _COUNCIL_PREFIXES:
        if lowered.startswith(prefix) and len(council_name) > len(prefix):
            rest = council_name[len(prefix) :].strip()
            return rest[:1].upper() + rest[1:]
    return council_name


def place_sort_key(name: str) -> str:
    """Sort "Phường Ba Đình", "Xã Sóc Sơn" by the proper name (Ba Đình, Sóc Sơn), accents folded."""
    short = place_name(name)
    lowered = short.casefold()
    for kind in _PLACE_KINDS:
        if lowered.startswith(kind):
            short = short[len(kind) :]
            break
    return fold(short)
