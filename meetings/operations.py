"""Every meetings operation, declared once: name, permission (roles, scope and the resolver of
the target's council), input schema, target ids and the service it calls. Routes, pages and
Socket.IO events point at these (``perm=ops.POLL_OPEN``); see ``council.registry``."""

from __future__ import annotations

from council.i18n import N_
from council.registry import operation
from council.signing import schemas as signing_schemas
from meetings import minutes_schemas, schemas, services
from meetings.permissions import (
    MEMBERS,
    SEATS,
    SECRETARIAT,
    STAFF,
    WATCHERS,
    cached_poll_scope,
    council_code_scope,
    display_scope,
    document_scope,
    hand_vote_scope,
    item_scope,
    poll_scope,
    resolution_scope,
    session_scope,
    speaker_scope,
)
from meetings.resolutions import schemas as resolution_schemas
from meetings.resolutions import services as resolutions
from meetings.resolutions import signing as resolution_signing
from meetings.services import (
    attendance,
    displays,
    hand_votes,
    minutes_flow,
    minutes_signing,
    notices,
    preparing,
    public,
    revote,
)

SESSION = ("session_id",)
POLL = ("poll_id",)
ITEM = ("item_id",)
DOCUMENT = ("document_id",)

# --- sessions --------------------------------------------------------------------------------
SESSION_CREATE = operation(
    "session.create", *SECRETARIAT, scope="council", resolve=council_code_scope,
    body=schemas.SessionIn, service=services.session_create, label=N_("Create a session"), summary="Create a session (draft)",
)  # fmt: skip
SESSION_NEW = operation(
    "session.new", *SECRETARIAT, service=services.session_create,
    summary="The new-session form (the service checks the council chosen)",
)  # fmt: skip
SESSION_LIST = operation(
    "session.list", *MEMBERS, service=services.sessions_for, summary="Sessions the user may see"
)
SESSION_VIEW = operation(
    "session.view", *MEMBERS, scope="council", resolve=session_scope, target=SESSION,
    service=services.session_state, summary="A session's state: agenda, attendance, polls",
)  # fmt: skip
SESSION_PUBLISH = operation(
    "session.publish", *STAFF, scope="council", resolve=session_scope, target=SESSION,
    service=services.session_publish, label=N_("Publish a session"), summary="Publish a draft session to its delegates",
)  # fmt: skip
SESSION_START = operation(
    "session.start", *STAFF, scope="council", resolve=session_scope, target=SESSION,
    service=services.session_start, label=N_("Open a session"), summary="Start the sitting",
)  # fmt: skip
SESSION_CLOSE = operation(
    "session.close", *STAFF, scope="council", resolve=session_scope, target=SESSION,
    service=services.session_close, label=N_("Close a session"), summary="Close the sitting",
)  # fmt: skip
SESSION_SET_CURRENT = operation(
    "session.set_current", *STAFF, scope="council", resolve=session_scope, target=SESSION,
    body=schemas.CurrentIn, service=services.session_set_current,
    label=N_("Make a session current"), summary="Make an agenda item the current one",
)  # fmt: skip
SESSION_JOIN = operation(
    "session.join", *WATCHERS, scope="council", resolve=session_scope, target=SESSION,
    service=services.session_state, summary="Join the session's live room (Socket.IO)",
)  # fmt: skip
SESSION_UPDATE = operation(
    "session.update", *STAFF, scope="council", resolve=session_scope, target=SESSION,
    body=schemas.SessionPatch, service=preparing.session_update,
    label=N_("Edit a session"), summary="Change a session's title, time, place or speaking time",
)  # fmt: skip
SESSION_COPY = operation(
    "session.copy", *SECRETARIAT, scope="council", resolve=session_scope, target=SESSION,
    body=schemas.SessionCopyIn, service=preparing.session_copy,
    label=N_("Copy a session"), summary="A new draft session with the same agenda",
)  # fmt: skip
SESSION_HISTORY = operation(
    "session.history", *MEMBERS, scope="council", resolve=session_scope, target=SESSION,
    service=notices.history_rows, summary="What changed in a session, and when",
)  # fmt: skip
SESSION_PUBLIC_VIEW = operation(
    "session.public_view",
    public=True,
    service=public.public_session,
    summary="Published sessions, their agendas, results and public documents",
)
HALL_VIEW = operation(
    "hall.view", *WATCHERS, scope="council", resolve=session_scope, target=SESSION,
    service=services.session_state, summary="The hall screen of a sitting",
)  # fmt: skip
HALL_HOME = operation(
    "hall.home", *WATCHERS, service=displays.hall_session_for,
    summary="The hall screen's start: the sitting now in progress",
)  # fmt: skip
NOTICE_LIST = operation(
    "notice.list", "secretariat", "chair", "delegate", service=notices.notices_for,
    summary="The user's notices of changed sessions",
)  # fmt: skip
NOTICE_READ = operation(
    "notice.read", *MEMBERS, scope="council", resolve=session_scope, target=SESSION,
    service=notices.notices_read, summary="Mark a session's notices read",
)  # fmt: skip

# --- agenda ----------------------------------------------------------------------------------
ITEM_CREATE = operation(
    "item.create", *STAFF, scope="council", resolve=session_scope, target=SESSION,
    body=schemas.ItemIn, service=services.item_create, label=N_("Add an agenda item"), summary="Add an agenda item",
)  # fmt: skip
ITEM_MOVE = operation(
    "item.move", *STAFF, scope="council", resolve=item_scope, target=ITEM,
    body=schemas.MoveIn, service=services.item_move, label=N_("Move an agenda item"), summary="Move an agenda item",
)  # fmt: skip
ITEM_REORDER = operation(
    "item.reorder", *STAFF, scope="council", resolve=session_scope, target=SESSION,
    body=schemas.OrderIn, service=services.item_reorder, label=N_("Reorder the agenda"), summary="Reorder the whole agenda",
)  # fmt: skip
ITEM_UPDATE = operation(
    "item.update", *STAFF, scope="council", resolve=item_scope, target=ITEM,
    body=schemas.ItemPatch, service=preparing.item_update, label=N_("Edit an agenda item"), summary="Change an agenda item",
)  # fmt: skip
ITEM_DELETE = operation(
    "item.delete", *STAFF, scope="council", resolve=item_scope, target=ITEM,
    service=preparing.item_delete, label=N_("Delete an agenda item"), summary="Remove an agenda item",
)  # fmt: skip

# --- documents -------------------------------------------------------------------------------
DOCUMENT_UPLOAD = operation(
    "document.upload", *STAFF, scope="council", resolve=session_scope, target=SESSION,
    service=services.document_upload, label=N_("Upload a document"), summary="Upload a session document (PDF or DOCX)",
)  # fmt: skip
DOCUMENT_REPLACE = operation(
    "document.replace", *STAFF, scope="council", resolve=document_scope, target=DOCUMENT,
    service=services.document_replace, label=N_("Replace a document's file"), summary="A new version of a document",
)  # fmt: skip
DOCUMENT_UPDATE = operation(
    "document.update", *STAFF, scope="council", resolve=document_scope, target=DOCUMENT,
    body=schemas.DocumentPatch, service=services.document_update,
    label=N_("Edit a document"), summary="Change a document's title, item or confidentiality",
)  # fmt: skip
DOCUMENT_DELETE = operation(
    "document.delete", *STAFF, scope="council", resolve=document_scope, target=DOCUMENT,
    service=services.document_delete, label=N_("Delete a document"), summary="Delete a document and its versions",
)  # fmt: skip
# Readers are checked per document by the service (public documents are open to everyone).
DOCUMENT_READ = operation(
    "document.read", logged_in=True, target=DOCUMENT, service=services.document_for_reader,
    summary="Read a document, its pages and versions (the service checks the reader)",
)  # fmt: skip
DOCUMENT_LIST = operation(
    "document.list", *MEMBERS, scope="council", resolve=session_scope, target=SESSION,
    service=services.documents_of, summary="A session's documents",
)  # fmt: skip
NOTE_SAVE = operation(
    "note.save", "secretariat", "chair", "delegate", scope="council", resolve=document_scope,
    target=DOCUMENT, body=schemas.NoteIn, service=services.note_save,
    summary="Save (or list) the user's private notes on a document",
)  # fmt: skip
MINUTES_RENDER = operation(
    "minutes.render", *MEMBERS, scope="council", resolve=session_scope, target=SESSION,
    service=services.minutes_render, summary="The minutes as DOCX or PDF",
)  # fmt: skip
MINUTES_NUMBER = operation(
    "minutes.number", "admin", "secretariat", scope="council", resolve=session_scope,
    target=SESSION, body=schemas.MinutesNumberIn, service=services.minutes_number,
    label=N_("Number the minutes"), summary="Give the minutes their number",
)  # fmt: skip

# --- attendance and speakers -----------------------------------------------------------------
ATTENDANCE_CHECK_IN = operation(
    "attendance.check_in", *MEMBERS, scope="council", resolve=session_scope, target=SESSION,
    body=schemas.AttendanceIn, service=services.attendance_check_in,
    label=N_("Check in"), summary="Check in (a delegate), or check a delegate in (secretariat)",
)  # fmt: skip
ATTENDANCE_VIEW = operation(
    "attendance.view", *MEMBERS, scope="council", resolve=session_scope, target=SESSION,
    service=services.attendance_list, summary="Who is present",
)  # fmt: skip
ATTENDANCE_OPEN = operation(
    "attendance.open", *SECRETARIAT, scope="council", resolve=session_scope, target=SESSION,
    service=attendance.attendance_open, label=N_("Open the roll call"), summary="Open check-in before the sitting starts",
)  # fmt: skip
ATTENDANCE_UNDO = operation(
    "attendance.undo", *SECRETARIAT, scope="council", resolve=session_scope, target=SESSION,
    service=attendance.attendance_undo, label=N_("Undo a check-in"), summary="Undo a check-in made by mistake",
)  # fmt: skip
ATTENDANCE_ABSENT = operation(
    "attendance.absent", *SECRETARIAT, scope="council", resolve=session_scope, target=SESSION,
    body=schemas.AbsenceIn, service=attendance.absence_record,
    label=N_("Record an absence"), summary="Record a delegate's excused absence",
)  # fmt: skip
ATTENDANCE_ABSENCE_CLEAR = operation(
    "attendance.absence_clear", *SECRETARIAT, scope="council", resolve=session_scope,
    target=SESSION, service=attendance.absence_clear, label=N_("Clear an absence"), summary="Clear a recorded absence",
)  # fmt: skip
SPEAKER_REQUEST = operation(
    "speaker.request", *SEATS, scope="council", resolve=session_scope, target=SESSION,
    service=services.speaker_request, label=N_("Ask to speak"), summary="Ask for the floor",
)  # fmt: skip
SPEAKER_WITHDRAW = operation(
    "speaker.withdraw", *SEATS, scope="council", resolve=session_scope, target=SESSION,
    service=services.speaker_withdraw, label=N_("Withdraw a request to speak"), summary="Withdraw a request for the floor",
)  # fmt: skip
SPEAKER_GIVE_FLOOR = operation(
    "speaker.give_floor", *STAFF, scope="council", resolve=speaker_scope,
    target=("request_id",), service=services.speaker_give_floor, label=N_("Give the floor"), summary="Give the floor",
)  # fmt: skip
SPEAKER_FINISH = operation(
    "speaker.finish", *STAFF, scope="council", resolve=session_scope, target=SESSION,
    service=services.speaker_finish, label=N_("End a speech"), summary="End the current speech",
)  # fmt: skip

# --- voting ----------------------------------------------------------------------------------
POLL_CREATE = operation(
    "poll.create", *STAFF, scope="council", resolve=session_scope, target=SESSION,
    body=schemas.PollIn, service=services.poll_create, label=N_("Create a poll"), summary="Prepare a poll (draft)",
)  # fmt: skip
POLL_OPEN = operation(
    "poll.open", *STAFF, scope="council", resolve=poll_scope, target=POLL,
    service=services.poll_open, label=N_("Open a vote"), summary="Open a poll (needs quorum)",
)  # fmt: skip
POLL_CLOSE = operation(
    "poll.close", *STAFF, scope="council", resolve=poll_scope, target=POLL,
    service=services.poll_close, label=N_("Close a vote"), summary="Close a poll and count it",
)  # fmt: skip
POLL_REVOTE = operation(
    "poll.revote", *STAFF, scope="council", resolve=poll_scope, target=POLL,
    body=schemas.RevoteIn, service=revote.poll_revote, label=N_("Call a revote"), summary="Vote a closed poll again",
)  # fmt: skip
POLL_VIEW = operation(
    "poll.view", *MEMBERS, scope="council", resolve=poll_scope, target=POLL,
    service=services.poll_for_reader, summary="A poll's progress, and its result once closed",
)  # fmt: skip
# One permission for HTTP and Socket.IO, resolved from the cached poll facts: a burst of
# hundreds of casts must not read the poll once per cast.
BALLOT_CAST = operation(
    "ballot.cast", *SEATS, scope="council", resolve=cached_poll_scope, target=POLL,
    body=schemas.BallotIn, service=services.ballot_cast, label=N_("Cast a ballot"), summary="Cast one's ballot",
)  # fmt: skip
BALLOT_HAND_RECORD = operation(
    "ballot.hand_record", *SECRETARIAT, scope="council", resolve=poll_scope, target=POLL,
    body=schemas.HandVoteIn, service=hand_votes.hand_record,
    label=N_("Record a hand vote count"), summary="Record a delegate's show of hands (to be confirmed)",
)  # fmt: skip
BALLOT_HAND_CONFIRM = operation(
    "ballot.hand_confirm", "admin", "chair", scope="council", resolve=hand_vote_scope,
    target=("hand_vote_id",), service=hand_votes.hand_confirm,
    label=N_("Confirm a hand vote count"), summary="Confirm a recorded show of hands: it becomes the delegate's ballot",
)  # fmt: skip
BALLOT_HAND_REJECT = operation(
    "ballot.hand_reject", *STAFF, scope="council", resolve=hand_vote_scope,
    target=("hand_vote_id",), service=hand_votes.hand_reject,
    label=N_("Reject a hand vote count"), summary="Reject a recorded show of hands",
)  # fmt: skip
BALLOT_HAND_LIST = operation(
    "ballot.hand_list", *STAFF, scope="council", resolve=poll_scope, target=POLL,
    service=hand_votes.hand_votes_of, summary="Shows of hands waiting for confirmation",
)  # fmt: skip

# --- resolutions -----------------------------------------------------------------------------
RESOLUTION = ("resolution_id",)
RESOLUTION_ISSUE = operation(
    "resolution.issue", *SECRETARIAT, scope="council", resolve=item_scope, target=ITEM,
    body=resolution_schemas.ResolutionIssueIn, service=resolutions.resolution_issue,
    label=N_("Issue a resolution"), summary="Issue the resolution of a passed draft-resolution item (numbered in the year's series)",
)  # fmt: skip
RESOLUTION_LIST = operation(
    "resolution.list", *STAFF, scope="council", resolve=session_scope, target=SESSION,
    service=resolutions.resolutions_of_session,
    summary="A session's draft resolutions and the resolutions issued from them",
)  # fmt: skip
RESOLUTION_VIEW = operation(
    "resolution.view", *STAFF, scope="council", resolve=resolution_scope, target=RESOLUTION,
    service=resolutions.resolution_for_staff,
    summary="A resolution at any stage, and its PDF (signed, or the draft)",
)  # fmt: skip
RESOLUTION_UPDATE = operation(
    "resolution.update", *SECRETARIAT, scope="council", resolve=resolution_scope,
    target=RESOLUTION, body=resolution_schemas.ResolutionPatch,
    service=resolutions.resolution_update, label=N_("Edit a resolution"), summary="Edit a resolution's title or text before signing",
)  # fmt: skip
RESOLUTION_SIGN = operation(
    "resolution.sign", "chair", scope="council", resolve=resolution_scope, target=RESOLUTION,
    body=resolution_schemas.ResolutionSignIn, service=resolution_signing.resolution_sign,
    label=N_("Sign a resolution"), summary="The chair signs a resolution with the server's key (PKCS#12, or a token and PIN)",
)  # fmt: skip
RESOLUTION_SIGN_PREPARE = operation(
    "resolution.sign_prepare", "chair", scope="council", resolve=resolution_scope,
    target=RESOLUTION, body=signing_schemas.SignPrepareIn,
    service=resolution_signing.resolution_sign_prepare,
    summary="Remote signing, step 1: the PDF prepared for the chair's signature and its digest",
)  # fmt: skip
RESOLUTION_SIGN_COMPLETE = operation(
    "resolution.sign_complete", "chair", scope="council", resolve=resolution_scope,
    target=RESOLUTION, body=signing_schemas.SignCompleteIn,
    service=resolution_signing.resolution_sign_complete,
    summary="Remote signing, step 2: embed and check the CMS signature the chair's client made",
)  # fmt: skip
RESOLUTION_PUBLISH = operation(
    "resolution.publish", *SECRETARIAT, scope="council", resolve=resolution_scope,
    target=RESOLUTION, service=resolutions.resolution_publish,
    label=N_("Publish a resolution"), summary="Publish a signed resolution on the public portal",
)  # fmt: skip
RESOLUTION_PUBLIC = operation(
    "resolution.public", public=True, service=resolutions.public_resolutions,
    summary="Published resolutions, searchable, and each one's signed PDF",
)  # fmt: skip

# --- hall displays ---------------------------------------------------------------------------
DISPLAY_CREATE = operation(
    "display.create", *SECRETARIAT, scope="council", resolve=council_code_scope,
    body=schemas.DisplayIn, service=displays.display_create,
    label=N_("Create a hall display"), summary="A hall screen's account and kiosk link",
)  # fmt: skip
DISPLAY_LIST = operation(
    "display.list", *SECRETARIAT, scope="council", resolve=council_code_scope,
    service=displays.displays_of, summary="The council's hall screens",
)  # fmt: skip
DISPLAY_REVOKE = operation(
    "display.revoke", *SECRETARIAT, scope="council", resolve=display_scope,
    target=("display_id",), service=displays.display_revoke, label=N_("Revoke a hall display"), summary="Revoke a hall screen",
)  # fmt: skip
DISPLAY_OPEN = operation(
    "display.open", public=True, service=displays.display_open,
    label=N_("Open a hall display"), summary="A hall screen signs in with its kiosk link",
)  # fmt: skip
SERVICE_WORKER = operation(
    "meetings.service_worker", public=True, summary="The offline service worker script"
)

# --- minutes' approval workflow --------------------------------------------------------------
# The service checks the step: who reviews and signs first (secretariat), who approves and signs
# second (chair); an admin may draft and publish, never approve or sign.
MINUTES_VERSIONS = operation(
    "minutes.versions", *MEMBERS, scope="council", resolve=session_scope, target=SESSION,
    service=minutes_flow.minutes_versions, summary="The minutes' versions and the next step",
)  # fmt: skip
MINUTES_VERSION = operation(
    "minutes.version", *MEMBERS, scope="council", resolve=session_scope,
    target=("session_id", "number"), service=minutes_flow.minutes_version,
    summary="One version of the minutes (PDF)",
)  # fmt: skip
MINUTES_DRAFT = operation(
    "minutes.draft", *SECRETARIAT, scope="council", resolve=session_scope, target=SESSION,
    body=minutes_schemas.MinutesDraftIn, service=minutes_flow.minutes_draft,
    label=N_("Draft the minutes"), summary="A new version generated from the record (a correction once approved or signed)",
)  # fmt: skip
MINUTES_REVIEW = operation(
    "minutes.review", "secretariat", scope="council", resolve=session_scope,
    target=("session_id", "number"), service=minutes_flow.minutes_review,
    label=N_("Review the minutes"), summary="The secretary reviews the draft (an edited PDF becomes a new version)",
)  # fmt: skip
MINUTES_APPROVE = operation(
    "minutes.approve", "chair", scope="council", resolve=session_scope,
    target=("session_id", "number"), service=minutes_flow.minutes_approve,
    label=N_("Approve the minutes"), summary="The chair approves the reviewed minutes",
)  # fmt: skip
MINUTES_SIGN = operation(
    "minutes.sign", "secretariat", "chair", scope="council", resolve=session_scope,
    target=("session_id", "number"), body=minutes_schemas.MinutesSignIn,
    service=minutes_signing.minutes_sign,
    label=N_("Sign the minutes"), summary="Sign the approved minutes: the secretary, then the chair (PAdES)",
)  # fmt: skip
MINUTES_SIGN_PREPARE = operation(
    "minutes.sign_prepare", "secretariat", "chair", scope="council", resolve=session_scope,
    target=("session_id", "number"), body=signing_schemas.SignPrepareIn,
    service=minutes_signing.minutes_sign_prepare,
    summary="Remote signing, step 1: the version prepared for this signer's signature and its digest",
)  # fmt: skip
MINUTES_SIGN_COMPLETE = operation(
    "minutes.sign_complete", "secretariat", "chair", scope="council", resolve=session_scope,
    target=("session_id", "number"), body=signing_schemas.SignCompleteIn,
    service=minutes_signing.minutes_sign_complete,
    summary="Remote signing, step 2: embed and check the CMS signature the signer's client made",
)  # fmt: skip
MINUTES_PUBLISH = operation(
    "minutes.publish", *SECRETARIAT, scope="council", resolve=session_scope,
    target=("session_id", "number"), service=minutes_flow.minutes_publish,
    label=N_("Publish the minutes"), summary="Publish the signed minutes (public portal unless a closed sitting)",
)  # fmt: skip
MINUTES_PUBLIC = operation(
    "minutes.public", public=True, service=minutes_flow.public_minutes,
    summary="The published signed minutes of an open sitting",
)  # fmt: skip
SESSION_CLOSED_SITTING = operation(
    "session.closed_sitting", *STAFF, scope="council", resolve=session_scope, target=SESSION,
    body=minutes_schemas.ClosedSittingIn, service=minutes_flow.session_closed_sitting,
    label=N_("Hold a closed sitting"), summary="Mark a sitting closed (họp kín) or open",
)  # fmt: skip
