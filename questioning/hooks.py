"""What questioning tells the core: each delegate's public questions and their answers, for the
activity record (``council.activity``); and what it hears from it: a sitting that leaves the
questioning item ends the turn left open there (``live.sitting_moved``)."""

from __future__ import annotations

from council import activity, signals
from questioning.activity import questions_of
from questioning.services.live import sitting_moved

activity.provide("question", questions_of)
signals.ITEM_CHANGED.connect(sitting_moved)
