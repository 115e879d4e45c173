"""The rules of sessions and voting. Routes, events and the assistant call these functions only.

One operation, one name: ``poll_open`` is ``poll.open`` in the audit log, the permission and the
route name.
"""

from meetings.services.attendance import attendance_check_in, attendance_list
from meetings.services.ballots import ballot_cast, ballot_cast_then
from meetings.services.closing import poll_close
from meetings.services.counting import stored_choices
from meetings.services.documents import (
    DocumentView,
    PageText,
    document_delete,
    document_file,
    document_for_reader,
    document_replace,
    document_update,
    document_upload,
    documents_of,
    note_save,
    notes_of,
    session_documents_for_reader,
    versions_of,
)
from meetings.services.minutes import minutes_number, minutes_record, minutes_render
from meetings.services.sessions import (
    agenda_for,
    item_create,
    item_move,
    item_reorder,
    items_of,
    session_close,
    session_create,
    session_publish,
    session_set_current,
    session_start,
    sessions_for,
)
from meetings.services.speakers import (
    speaker_finish,
    speaker_give_floor,
    speaker_queue,
    speaker_request,
    speaker_withdraw,
)
from meetings.services.state import session_state
from meetings.services.viewer import PageImage, ViewerPage, page_image, viewer_pages
from meetings.services.voting import (
    poll_create,
    poll_dict,
    poll_for_reader,
    poll_open,
)

__all__ = [
    "DocumentView",
    "PageImage",
    "ViewerPage",
    "PageText",
    "agenda_for",
    "attendance_check_in",
    "attendance_list",
    "ballot_cast",
    "ballot_cast_then",
    "document_delete",
    "document_file",
    "document_for_reader",
    "document_replace",
    "document_update",
    "document_upload",
    "documents_of",
    "items_of",
    "item_create",
    "item_move",
    "item_reorder",
    "minutes_number",
    "minutes_record",
    "minutes_render",
    "note_save",
    "notes_of",
    "poll_close",
    "poll_create",
    "poll_dict",
    "poll_for_reader",
    "poll_open",
    "stored_choices",
    "session_close",
    "session_create",
    "session_documents_for_reader",
    "session_publish",
    "session_set_current",
    "session_start",
    "page_image",
    "session_state",
    "viewer_pages",
    "sessions_for",
    "speaker_finish",
    "speaker_give_floor",
    "speaker_queue",
    "speaker_request",
    "speaker_withdraw",
    "versions_of",
]
