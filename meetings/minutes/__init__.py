"""Minutes (biên bản) drafted from a session's record, as DOCX and PDF."""

from meetings.minutes.record import (
    AttendanceRecord,
    CheckInUndone,
    DayAttendance,
    ItemRecord,
    MinutesRecord,
    SpeakerRecord,
    VoteRecord,
)
from meetings.minutes.render_docx import render_docx
from meetings.minutes.render_pdf import render_pdf

__all__ = [
    "AttendanceRecord",
    "CheckInUndone",
    "DayAttendance",
    "ItemRecord",
    "MinutesRecord",
    "SpeakerRecord",
    "VoteRecord",
    "render_docx",
    "render_pdf",
]
