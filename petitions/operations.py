"""Every petitions operation, declared once: name, permission (roles, scope and the resolver of
the target's council), input schema, target ids and the service it calls. Routes and pages point
at these (``perm=ops.PETITION_LIST``); see ``council.registry``. An operation's name is also its
audit entries' (``petition.file``, ``petition.accept``, ``cycle.open``, …).

The staff actions share one route (``POST /api/v1/petitions/{code}/actions`` and the staff
page's form): its gate is ``petition.act``; the action named in the body is then checked against
its own operation (``ACTIONS``: ``petition.accept``, ``petition.escalate``, …), whose name its
audit entry carries. An extension's decision likewise: ``petition.extension_decide``, then
``petition.extension_approve`` or ``petition.extension_refuse``."""

from __future__ import annotations

from council.i18n import N_
from council.registry import Operation, operation
from petitions import indexing, open311, schemas
from petitions.services import (
    actions,
    cycles,
    dashboards,
    extensions,
    filing,
    letters,
    queries,
    tracking,
)
from petitions.services import reports as report_data
from petitions.services.scope import STAFF_ROLES, get_by_code, petition_for_staff, petition_scope
from petitions.workflow import ACTION_ROLES, Action

PETITION = ("code",)
STAFF = tuple(sorted(STAFF_ROLES))
MANAGERS = ("admin", "secretariat")
LEADERS = ("admin", "secretariat", "chair")
MEMBERS = ("admin", "secretariat", "chair", "delegate")  # file for citizens, record meetings
HANDLERS = ("admin", "secretariat", "agency")

# --- citizens: filing, support, tracking (no login) ------------------------------------------
PETITION_FILE = operation(
    "petition.file", public=True, service=filing.file_petition,
    label=N_("File a petition"), summary="File a petition (JSON or multipart: `PetitionIn` with up to 5 files)",
)  # fmt: skip
PETITION_SIMILAR = operation(
    "petition.similar", public=True, service=indexing.similar,
    summary="Accepted petitions like the one about to be filed",
)  # fmt: skip
PETITION_RECEIPT = operation(
    "petition.receipt", public=True,
    summary="The receipt of what this browser has just filed",
)  # fmt: skip
PETITION_SUPPORT = operation(
    "petition.support", public=True, body=schemas.SupportIn, target=PETITION,
    service=filing.add_support, label=N_("Support a petition"), summary="Add one's support to an existing petition",
)  # fmt: skip
PETITION_SUPPORT_CONTACT = operation(
    "petition.support_contact", public=True, target=PETITION,
    service=filing.add_support_contact,
    label=N_("Supporter leaves an e-mail"), summary="The supporter just added leaves an e-mail for updates",
)  # fmt: skip
PETITION_TRACK = operation(
    "petition.track", public=True, target=PETITION, service=tracking.track_view,
    summary="The petitioner's view (code and secret token): status, history, answer",
)  # fmt: skip
PETITION_TRACK_LETTER = operation(
    "petition.track_letter", public=True, target=PETITION, service=tracking.reply_letter,
    summary="The petitioner downloads the reply letter of the published answer (code and token)",
)  # fmt: skip
PETITION_FEEDBACK = operation(
    "petition.feedback", public=True, body=schemas.FeedbackIn, target=PETITION,
    service=tracking.give_feedback,
    label=N_("Petitioner's verdict on the answer"), summary="The petitioner says whether the published answer satisfies them",
)  # fmt: skip

# --- the public record ------------------------------------------------------------------------
PETITION_PORTAL = operation(
    "petition.portal", public=True, service=indexing.search_public,
    summary="The citizens' portal: published petitions, searched",
)  # fmt: skip
PETITION_GUIDE = operation("petition.guide", public=True, summary="How to file and follow")
PETITION_PUBLIC_LIST = operation(
    "petition.public_list", public=True, service=indexing.search_public,
    summary="Published petitions and answers, without personal data",
)  # fmt: skip
PETITION_PUBLIC_VIEW = operation(
    "petition.public_view", public=True, target=PETITION, service=get_by_code,
    summary="A published petition and its answer",
)  # fmt: skip
PETITION_PUBLIC_EXPORT = operation(
    "petition.public_export", public=True,
    summary="CSV of published petitions and answers, without personal data",
)  # fmt: skip
PETITION_ON_TIME = operation(
    "petition.on_time", public=True, service=dashboards.agency_ranking,
    summary="Agencies ranked by answers on time",
)  # fmt: skip
OPEN311_DISCOVERY = operation(
    "open311.discovery", public=True, summary="Open311 GeoReport v2 discovery"
)
OPEN311_SERVICES = operation(
    "open311.services", public=True, service=open311.services,
    summary="Open311 services: the petition fields",
)  # fmt: skip
OPEN311_REQUESTS = operation(
    "open311.requests", public=True, service=open311.request,
    summary="Open311 requests: published petitions",
)  # fmt: skip
OPEN311_REQUEST = operation(
    "open311.request", public=True, target=PETITION, service=open311.request,
    summary="One Open311 request: a published petition",
)  # fmt: skip
OPEN311_POST = operation(
    "open311.post", public=True, summary="Refused: Open311 is read-only here (403)"
)

# --- staff: the list, a petition, its files ----------------------------------------------------
PETITION_FILE_ON_BEHALF = operation(
    "petition.file_on_behalf", *MEMBERS, service=filing.file_petition,
    summary="File on a citizen's behalf (the filing is audited as `petition.file`)",
)  # fmt: skip
PETITION_LIST = operation(
    "petition.list", *STAFF, service=queries.staff_list,
    summary="Petitions the caller may see, filtered and searched",
)  # fmt: skip
PETITION_VIEW = operation(
    "petition.view", *STAFF, scope="council", resolve=petition_scope, target=PETITION,
    service=queries.staff_view,
    summary="A petition as staff see it (personal data only for its handlers)",
)  # fmt: skip
PETITION_ATTACHMENT = operation(
    "petition.attachment", *STAFF, scope="council", resolve=petition_scope, target=PETITION,
    service=petition_for_staff,
    summary="A petition's file (the signed consent only for its handlers)",
)  # fmt: skip
PETITION_MERGE_CANDIDATES = operation(
    "petition.merge_candidates", *MANAGERS, scope="council", resolve=petition_scope,
    target=PETITION, service=queries.merge_candidates,
    summary="Open petitions of the same handling council this one could be merged into",
)  # fmt: skip
PETITION_EXPORT = operation(
    "petition.export", *STAFF, service=queries.select_all,
    label=N_("Export petitions"), summary="CSV or XLSX of the staff list as filtered (personal data when asked and allowed)",
)  # fmt: skip
PETITION_NOTIFICATIONS = operation(
    "petition.notifications", *STAFF, summary="The user's notifications of petitions"
)

# --- staff: actions ----------------------------------------------------------------------------
PETITION_ACT = operation(
    "petition.act", *HANDLERS, scope="council", resolve=petition_scope, target=PETITION,
    body=schemas.ActionIn, service=actions.act,
    summary="Take one of the actions below (the body's `action` names its operation)",
)  # fmt: skip

_ACTION_SUMMARY = {
    Action.ACCEPT: "Accept a received petition",
    Action.ESCALATE: "Send a petition up to the city (or a central body)",
    Action.ASSIGN: "Assign a petition to an agency",
    Action.ANSWER: "Record the answer (with the reply letter)",
    Action.PUBLISH: "Publish the answer",
    Action.REOPEN: "Reopen a published or closed petition",
    Action.REJECT: "Reject a petition, with the reason",
    Action.MERGE: "Merge a petition into another",
    Action.CLOSE: "Close a petition",
    Action.DIVERT: "Divert a petition to another procedure",
    Action.RESOLUTION: "Report what became of the issue",
    Action.RETURN: "The assigned agency sends a misrouted petition back",
}
# What the audit log calls each action (docs/operation-list.md keeps the summaries).
_ACTION_LABEL = {
    Action.ACCEPT: N_("Accept a petition"),
    Action.ANSWER: N_("Answer a petition"),
    Action.ASSIGN: N_("Assign a petition to an agency"),
    Action.CLOSE: N_("Close a petition"),
    Action.DIVERT: N_("Divert a petition to another channel"),
    Action.ESCALATE: N_("Escalate a petition"),
    Action.MERGE: N_("Merge petitions"),
    Action.PUBLISH: N_("Publish an answer"),
    Action.REJECT: N_("Reject a petition"),
    Action.REOPEN: N_("Reopen a petition"),
    Action.RESOLUTION: N_("Record a petition's resolution"),
    Action.RETURN: N_("Return a misrouted petition"),
}
ACTIONS: dict[Action, Operation] = {
    action: operation(
        f"petition.{action.value}",
        *sorted(ACTION_ROLES[action]),
        scope="council",
        resolve=petition_scope,
        target=PETITION,
        body=schemas.ActionIn,
        service=actions.act,
        label=_ACTION_LABEL.get(action),
        summary=f"{_ACTION_SUMMARY[action]} (through `petition.act`)",
    )  # fmt: skip
    for action in Action
}

PETITION_EXTENSION_REQUEST = operation(
    "petition.extension_request", "admin", "agency", scope="council", resolve=petition_scope,
    target=PETITION, body=schemas.ExtensionIn, service=extensions.request_extension,
    label=N_("Ask for a deadline extension"), summary="The assigned agency asks, before the due date, for more time",
)  # fmt: skip
EXTENSION = (*PETITION, "extension_id")
PETITION_EXTENSION_DECIDE = operation(
    "petition.extension_decide", *MANAGERS, scope="council", resolve=petition_scope,
    target=EXTENSION, body=schemas.ExtensionDecisionIn, service=extensions.decide_extension,
    summary="Approve or refuse an extension (then `petition.extension_approve` or `_refuse`)",
)  # fmt: skip
EXTENSION_DECISIONS: dict[bool, Operation] = {
    approve: operation(
        f"petition.extension_{'approve' if approve else 'refuse'}",
        *MANAGERS,
        scope="council",
        resolve=petition_scope,
        target=EXTENSION,
        body=schemas.ExtensionDecisionIn,
        service=extensions.decide_extension,
        label=(
            N_("Approve a deadline extension") if approve else N_("Refuse a deadline extension")
        ),
        summary=(
            "Approve an extension: the due date moves"
            if approve
            else "Refuse an extension, with the reason"
        )
        + " (through `petition.extension_decide`)",
    )  # fmt: skip
    for approve in (True, False)
}
PETITION_LETTER = operation(
    "petition.letter", *HANDLERS, scope="council", resolve=petition_scope, target=PETITION,
    service=letters.attach_letter,
    label=N_("Attach a reply letter"), summary="Attach the official reply letter (PDF, multipart `file`) to the answer",
)  # fmt: skip
PETITION_LETTER_REMOVE = operation(
    "petition.letter_remove", *HANDLERS, scope="council", resolve=petition_scope,
    target=(*PETITION, "letter_id"), body=schemas.LetterRemoveIn, service=letters.remove_letter,
    label=N_("Remove a reply letter"),
    summary="Remove a reply letter (the wrong file or petition), saying why: the handling secretariat, or the agency that attached it before it is published",
)  # fmt: skip

# --- voter-contact meetings, cycles, settings ------------------------------------------------
MEETING_RECORD = operation(
    "meeting.record", *MEMBERS, body=schemas.MeetingIn, service=filing.meeting_record,
    label=N_("Record a voter-contact meeting"), summary="Record a voter-contact meeting (the page also enters its petitions)",
)  # fmt: skip
MEETING_PETITIONS = operation(
    "meeting.petitions", *MEMBERS, body=schemas.BatchIn, target=("meeting_id",),
    service=filing.meeting_petitions, summary="Enter the petitions raised at a meeting",
)  # fmt: skip
CYCLE_LIST = operation("cycle.list", *MEMBERS, summary="A council's session cycles")
CYCLE_OPEN = operation(
    "cycle.open", *MANAGERS, body=schemas.CycleIn, service=cycles.open_next_cycle,
    label=N_("Open a new petition cycle"), summary="Close the open cycle and open the next; unresolved petitions carry over",
)  # fmt: skip
PETITION_SETTINGS_VIEW = operation(
    "petition.settings_view", *LEADERS, target=("council_code",),
    summary="A council's working-day calendar, deadlines and holidays",
)  # fmt: skip
PETITION_SETTINGS = operation(
    "petition.settings", *MANAGERS, body=schemas.SettingsIn, target=("council_code",),
    label=N_("Change petition settings"), summary="Set a council's working-day calendar and per-stage deadlines",
)  # fmt: skip

# --- oversight ---------------------------------------------------------------------------------
PETITION_DASHBOARD = operation(
    "petition.dashboard", *STAFF, service=dashboards.council_dashboard,
    summary="A council's or an agency's petitions at a glance",
)  # fmt: skip
PETITION_CITY = operation(
    "petition.city", *LEADERS, service=dashboards.city_overview,
    summary="The city's screen: its communes' lights and shared issues",
)  # fmt: skip
PETITION_REPORT = operation(
    "petition.report", *LEADERS, service=report_data.report_input,
    summary="A cycle's summary report and report on results (DOCX, PDF, XLSX)",
)  # fmt: skip
