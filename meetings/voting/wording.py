"""Result sentences worded the way Vietnamese minutes word them.

"16/30 đại biểu tán thành, chiếm 53,33% tổng số đại biểu". The phrases are kept here per locale,
not in the gettext catalog, because minutes are a legal record that is always drafted in
Vietnamese whatever the reader's interface language; screens pass the reader's locale.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal

from meetings.voting.tally import (
    ConfidenceResult,
    ElectionResult,
    MotionResult,
    Rule,
    TallyResult,
)

_PHRASES: dict[str, dict[str, str]] = {
    "vi": {
        "share": "{count}/{seats} đại biểu {what}, chiếm {percent}% tổng số đại biểu",
        "yes": "tán thành",
        "no": "không tán thành",
        "abstain": "không biểu quyết",
        "not_voted": "{count}/{seats} đại biểu không tham gia biểu quyết",
        "passed": "Kết quả: thông qua",
        "failed": "Kết quả: không được thông qua",
        "required_majority": "cần trên một nửa tổng số đại biểu: {required}/{seats}",
        "required_two_thirds": "cần ít nhất hai phần ba tổng số đại biểu: {required}/{seats}",
        "selected": "bầu",
        "elected": "trúng cử",
        "not_elected": "không trúng cử",
        "tied": "bằng phiếu, cần bầu lại",
        "ballots": "Số phiếu hợp lệ: {count}/{seats}",
        "high": "tín nhiệm cao",
        "medium": "tín nhiệm",
        "low": "tín nhiệm thấp",
        "level": "{what} {count}/{seats} ({percent}%)",
        "low_over_half": "có trên một nửa tổng số đại biểu đánh giá tín nhiệm thấp",
        "low_two_thirds": "có từ hai phần ba tổng số đại biểu trở lên đánh giá tín nhiệm thấp",
    },
    "en": {
        "share": "{count}/{seats} delegates {what}, {percent}% of all delegates",
        "yes": "in favour",
        "no": "against",
        "abstain": "abstaining",
        "not_voted": "{count}/{seats} delegates did not vote",
        "passed": "Result: adopted",
        "failed": "Result: not adopted",
        "required_majority": "more than half of all delegates needed: {required}/{seats}",
        "required_two_thirds": "at least two thirds of all delegates needed: {required}/{seats}",
        "selected": "selected",
        "elected": "elected",
        "not_elected": "not elected",
        "tied": "tied, another round needed",
        "ballots": "Valid ballots: {count}/{seats}",
        "high": "high confidence",
        "medium": "confidence",
        "low": "low confidence",
        "level": "{what} {count}/{seats} ({percent}%)",
        "low_over_half": "rated low by more than half of all delegates",
        "low_two_thirds": "rated low by at least two thirds of all delegates",
    },
}


def _p(locale: str) -> dict[str, str]:
    return _PHRASES.get(locale.split("_")[0].split("-")[0], _PHRASES["vi"])


def percent_of_seats(count: int, seats: int) -> Decimal:
    """``count`` as a percentage of ``seats``, rounded half up to two decimals."""
    return (Decimal(count) * 100 / Decimal(seats)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def format_percent(count: int, seats: int, locale: str = "vi") -> str:
    """ "53,33" in Vietnamese, "53.33" in English (no % sign)."""
    return format_decimal(percent_of_seats(count, seats), format="#,##0.00", locale=locale)


def share_sentence(count: int, seats: int, what: str, locale: str = "vi") -> str:
    """ "16/30 đại biểu tán thành, chiếm 53,33% tổng số đại biểu" for ``what`` = "tán thành"."""
    return _p(locale)["share"].format(
        count=count, seats=seats, what=what, percent=format_percent(count, seats, locale)
    )


def _required(rule: Rule, required: int, seats: int, locale: str) -> str:
    key = "required_majority" if rule is Rule.MAJORITY_OF_SEATS else "required_two_thirds"
    return _p(locale)[key].format(required=required, seats=seats)


def motion_lines(result: MotionResult, locale: str = "vi") -> list[str]:
    """The lines minutes write for a motion, ending with the outcome."""
    p = _p(locale)
    lines = [
        share_sentence(result.yes, result.seats, p["yes"], locale),
        share_sentence(result.no, result.seats, p["no"], locale),
        share_sentence(result.abstain, result.seats, p["abstain"], locale),
    ]
    if result.not_voted:
        lines.append(p["not_voted"].format(count=result.not_voted, seats=result.seats))
    outcome = p["passed"] if result.passed else p["failed"]
    lines.append(f"{outcome} ({_required(result.rule, result.required, result.seats, locale)})")
    return lines


def election_lines(result: ElectionResult, locale: str = "vi") -> list[str]:
    """One line per candidate (votes over seats and outcome), after the ballot count."""
    p = _p(locale)
    lines = [p["ballots"].format(count=result.ballots, seats=result.seats)]
    for c in result.candidates:
        outcome = p["elected"] if c.elected else p["tied"] if c.tied else p["not_elected"]
        lines.append(
            f"{c.label}: {share_sentence(c.votes, result.seats, p['selected'], locale)} — {outcome}"
        )
    lines.append(_required(result.rule, result.required, result.seats, locale))
    return lines


def confidence_lines(result: ConfidenceResult, locale: str = "vi") -> list[str]:
    """One line per person with the three levels over seats, and the low-confidence flags."""
    p = _p(locale)
    lines = [p["ballots"].format(count=result.ballots, seats=result.seats)]
    for person in result.persons:
        parts = [
            p["level"].format(
                what=p[level],
                count=getattr(person, level),
                seats=result.seats,
                percent=format_percent(getattr(person, level), result.seats, locale),
            )
            for level in ("high", "medium", "low")
        ]
        line = f"{person.label}: " + "; ".join(parts)
        if person.low_two_thirds:
            line += f" — {p['low_two_thirds']}"
        elif person.low_over_half:
            line += f" — {p['low_over_half']}"
        lines.append(line)
    return lines


def result_lines(result: TallyResult, locale: str = "vi") -> list[str]:
    """Minutes lines for any poll result."""
    if isinstance(result, MotionResult):
        return motion_lines(result, locale)
    if isinstance(result, ElectionResult):
        return election_lines(result, locale)
    return confidence_lines(result, locale)


def headline(result: TallyResult, locale: str = "vi") -> str:
    """The one sentence a hall screen shows."""
    p = _p(locale)
    if isinstance(result, MotionResult):
        outcome = p["passed"] if result.passed else p["failed"]
        return f"{share_sentence(result.yes, result.seats, p['yes'], locale)}. {outcome}"
    if isinstance(result, ElectionResult):
        names = ", ".join(c.label for c in result.elected) or "—"
        return f"{p['elected'].capitalize()}: {names}"
    return "; ".join(result_lines(result, locale)[1:])
