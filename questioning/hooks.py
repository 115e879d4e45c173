"""What questioning tells the core: each delegate's public questions and their answers, for the
activity record (``council.activity``)."""

from __future__ import annotations

from council import activity
from questioning.activity import questions_of

activity.provide("question", questions_of)
