"""The meetings macros word codes from the tables the audit log reads (meetings/services/common.py):
every kind and rule reads the same on a page as in the log, in both languages."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

import meetings.routes  # noqa: F401 - registers the tables as the templates' ``meeting_labels``
from council.i18n import N_, gettext, set_language
from council.templating import environment
from meetings.services.common import (
    CHOICE_MSGIDS,
    CONFIDENTIALITY_MSGIDS,
    KIND_MSGIDS,
    POLL_KIND_MSGIDS,
    POLL_RULE_MSGIDS,
)
from tests.html import squash, text


@pytest.fixture(params=["vi", "en"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    token = set_language(request.param)
    try:
        yield request.param
    finally:
        set_language("vi")
        del token


def macros() -> Any:
    return environment().get_template("meetings/_macros.html").module


def poll(kind: str = "motion", rule: str = "majority_of_seats", secret: bool = False) -> Any:
    return SimpleNamespace(kind=kind, rule=rule, secret=secret, options=[])


def worded_poll(p: Any) -> list[str]:
    return [squash(part) for part in str(macros().poll_kind(p)).split("·")]


def test_every_poll_kind_and_rule_is_worded_as_the_log_words_it(lang: str) -> None:
    for kind, msgid in POLL_KIND_MSGIDS.items():
        for rule, rule_msgid in POLL_RULE_MSGIDS.items():
            for secret, secrecy in ((True, "Secret ballot"), (False, "Named vote")):
                assert worded_poll(poll(kind, rule, secret)) == [
                    gettext(msgid.msgid),
                    gettext(secrecy),
                    gettext(rule_msgid.msgid),
                ]
    if lang == "vi":  # the words the pages showed before they read the tables
        assert worded_poll(poll("election", "two_thirds_of_seats", True)) == [
            "Bầu cử",
            "Bỏ phiếu kín",
            "ít nhất hai phần ba tổng số đại biểu",
        ]


def test_every_item_kind_confidentiality_and_choice_is_worded_from_its_table(lang: str) -> None:
    m = macros()
    for kind, msgid in KIND_MSGIDS.items():
        assert text(str(m.kind(kind)), "span.badge.kind") == gettext(msgid.msgid)
    for level, msgid in CONFIDENTIALITY_MSGIDS.items():
        assert text(str(m.conf(level)), f"span.badge.conf-{level}") == gettext(msgid.msgid)
    for choice, msgid in CHOICE_MSGIDS.items():
        assert squash(str(m.worded_choice(poll(), choice))) == gettext(msgid.msgid)
    # Codes no table knows read as they did: the catch-all words, or the code itself.
    assert text(str(m.kind("bogus")), "span") == gettext("Other business")
    assert text(str(m.conf("bogus")), "span") == gettext("Confidential")
    assert worded_poll(poll("bogus", "bogus")) == [
        gettext("Vote of confidence"),
        gettext("Named vote"),
        gettext("more than half of all seats"),
    ]
    assert squash(str(m.worded_choice(poll(), "bogus"))) == "bogus"


def test_a_kind_or_rule_added_to_a_table_is_worded_on_the_pages_too(
    lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One place to word a new code: the table (the macros hold no list of their own)."""
    monkeypatch.setitem(POLL_KIND_MSGIDS, "referendum", N_("Election"))
    monkeypatch.setitem(
        POLL_RULE_MSGIDS, "three_quarters_of_seats", N_("at least two thirds of all seats")
    )
    monkeypatch.setitem(KIND_MSGIDS, "oath", N_("Opening"))
    monkeypatch.setitem(CONFIDENTIALITY_MSGIDS, "restricted", N_("Internal"))
    worded = worded_poll(poll("referendum", "three_quarters_of_seats"))
    assert worded == [
        gettext("Election"),
        gettext("Named vote"),
        gettext("at least two thirds of all seats"),
    ]
    assert text(str(macros().kind("oath")), "span") == gettext("Opening")
    assert text(str(macros().conf("restricted")), "span") == gettext("Internal")
