"""Every questioning operation, declared once: name, permission (roles, scope and the resolver of
the target's council), input schema, target ids and the service it calls. The JSON API, the pages
and the Socket.IO events point at these (``perm=ops.QUESTION_FILE``); see ``council.registry``."""

from __future__ import annotations

from council.i18n import N_
from council.permissions import COUNCIL_MEMBERS
from council.registry import Operation, operation
from questioning import reports, schemas
from questioning.scopes import (
    commitment_scope,
    council_code_scope,
    form_scope,
    group_scope,
    session_scope,
)
from questioning.services import answers, commitments, forms, groups, live, selection

STAFF = ("secretariat", "chair")
ASKERS = ("delegate", "chair")
MEMBERS = tuple(sorted(COUNCIL_MEMBERS))
SESSION = ("session_id",)
FORM = ("form_id",)
GROUP = ("group_id",)
COMMITMENT = ("commitment_id",)

# --- question forms ------------------------------------------------------------------------------
QUESTION_FILE = operation(
    "question.file", *ASKERS, scope="council", resolve=session_scope, target=SESSION,
    service=forms.question_file, label=N_("File a question"), summary="File a question form for a coming sitting",
)  # fmt: skip
QUESTION_EDIT = operation(
    "question.edit", *ASKERS, scope="council", resolve=form_scope, target=FORM,
    service=forms.question_edit, label=N_("Edit a question"), summary="Change one's question form until the groups are fixed",
)  # fmt: skip
QUESTION_WITHDRAW = operation(
    "question.withdraw", *ASKERS, scope="council", resolve=form_scope, target=FORM,
    service=forms.question_withdraw, label=N_("Withdraw a question"), summary="Withdraw one's question form until the groups are fixed",
)  # fmt: skip
# The service narrows these to what the caller may see (public: chosen forms, after the sitting).
QUESTION_LIST = operation(
    "question.list", public=True, service=forms.question_list,
    summary="A sitting's question forms, as far as the caller may see them",
)  # fmt: skip
QUESTION_VIEW = operation(
    "question.view", public=True, service=forms.form_for,
    summary="A question form, its written answer and assessment",
)  # fmt: skip
QUESTION_REPORT = operation(
    "question.report", *STAFF, scope="council", resolve=session_scope, target=SESSION,
    service=reports.forms_document,
    summary="The sitting's forms, groups and live record as DOCX, PDF or XLSX",
)  # fmt: skip

# --- question groups -----------------------------------------------------------------------------
QUESTION_GROUP_LIST = operation(
    "question_group.list", *MEMBERS, scope="council", resolve=session_scope, target=SESSION,
    summary="The sitting's question groups",
)  # fmt: skip
QUESTION_GROUP_CREATE = operation(
    "question_group.create", *STAFF, scope="council", resolve=session_scope, target=SESSION,
    service=groups.question_group_create,
    label=N_("Create a question group"), summary="Create a question group with its selection criterion",
)  # fmt: skip
QUESTION_GROUP_EDIT = operation(
    "question_group.edit", *STAFF, scope="council", resolve=group_scope, target=GROUP,
    service=groups.question_group_edit, label=N_("Edit a question group"), summary="Rename a group or change its criterion",
)  # fmt: skip
QUESTION_GROUP_CHOOSE = operation(
    "question_group.choose", *STAFF, scope="council", resolve=group_scope, target=GROUP,
    service=groups.question_group_choose, summary="Choose a group for the sitting (or not)",
)  # fmt: skip
QUESTION_GROUP_MOVE = operation(
    "question_group.move", *STAFF, scope="council", resolve=session_scope, target=SESSION,
    service=groups.question_group_move, label=N_("Move a question group"), summary="Move forms into a group, or out of every group",
)  # fmt: skip
QUESTION_GROUP_PROPOSE = operation(
    "question_group.propose", *STAFF, scope="council", resolve=session_scope, target=SESSION,
    service=groups.question_group_propose,
    label=N_("Propose a question group"), summary="A machine-made grouping of the forms not yet grouped (topic clustering)",
)  # fmt: skip
QUESTION_GROUP_REQUESTION = operation(
    "question_group.requestion", *STAFF, scope="council", resolve=session_scope, target=SESSION,
    service=groups.question_group_requestion,
    summary="Offer a re-questioning group: overdue commitments and unsatisfactory answers",
)  # fmt: skip
QUESTION_GROUP_FIX = operation(
    "question_group.fix", *STAFF, scope="council", resolve=session_scope, target=SESSION,
    service=groups.question_group_fix, label=N_("Fix the question groups"), summary="Fix the groups: forms can no longer change",
)  # fmt: skip
QUESTIONING_HOLD = operation(
    "questioning.hold", *STAFF, scope="council", resolve=session_scope, target=SESSION,
    service=groups.questioning_hold,
    label=N_("Hold a question group"), summary="Record that the questioning took place: the chosen forms become public",
)  # fmt: skip

# --- the selection ballot ------------------------------------------------------------------------
SELECTION_OPEN = operation(
    "selection.open", *STAFF, scope="council", resolve=session_scope, target=SESSION,
    service=selection.selection_open,
    label=N_("Open the group selection"), summary="Open the delegates' ballot choosing up to N of the groups",
)  # fmt: skip
SELECTION_CLOSE = operation(
    "selection.close", *STAFF, scope="council", resolve=session_scope, target=SESSION,
    service=selection.selection_close,
    label=N_("Close the group selection"), summary="Close the ballot: the top N by count are chosen (a tie is ordered by the chair)",
)  # fmt: skip
SELECTION_VOTE = operation(
    "selection.vote", *ASKERS, scope="council", resolve=session_scope, target=SESSION,
    service=selection.selection_vote, label=N_("Vote on question groups"), summary="Vote once for 1 to N groups",
)  # fmt: skip
SELECTION_VIEW = operation(
    "selection.view", *MEMBERS, scope="council", resolve=session_scope, target=SESSION,
    service=selection.tally,
    summary="The ballot: who may vote, how many did, the counts once closed",
)  # fmt: skip

# --- the live questioning at the sitting ----------------------------------------------------------
QUESTIONING_CALL = operation(
    "questioning.call", *STAFF, scope="council", resolve=session_scope,
    body=schemas.QLiveTurnIn, service=live.questioning_call,
    label=N_("Call a delegate to ask"), summary="Call a question: the asking delegate has the floor (3 min by default)",
)  # fmt: skip
QUESTIONING_ANSWER = operation(
    "questioning.answer", *STAFF, scope="council", resolve=session_scope,
    body=schemas.QLiveTurnIn, service=live.questioning_answer,
    label=N_("Call the official to answer"), summary="The official answers (10 min by default), shown by name and title",
)  # fmt: skip
QUESTIONING_FOLLOWUP = operation(
    "questioning.followup", *STAFF, scope="council", resolve=session_scope,
    body=schemas.QLiveTurnIn, service=live.questioning_followup,
    label=N_("Open follow-up debate"), summary="The delegate follows up (tranh luận, 2 min by default)",
)  # fmt: skip
QUESTIONING_CONCLUDE = operation(
    "questioning.conclude", *STAFF, scope="council", resolve=session_scope,
    body=schemas.QLiveConcludeIn, service=live.questioning_conclude,
    label=N_("Conclude a question group"), summary="The chair concludes a question group",
)  # fmt: skip
QUESTIONING_LIMITS = operation(
    "questioning.limits", *STAFF, scope="council", resolve=session_scope, target=SESSION,
    body=schemas.QLimitsIn, service=live.questioning_limits,
    label=N_("Set the questioning time limits"),
    summary="The round's time limits for asking, answering and follow-up (whole minutes; null: the default)",
)  # fmt: skip
QUESTIONING_LIVE = operation(
    "questioning.live", *MEMBERS, "display", scope="council", resolve=session_scope,
    target=SESSION, service=live.state,
    summary="The live questioning: the current turn and the record of every turn",
)  # fmt: skip

# --- written answers -----------------------------------------------------------------------------
ANSWER_REQUEST = operation(
    "answer.request", *STAFF, scope="council", resolve=form_scope, target=FORM,
    service=answers.answer_request,
    label=N_("Ask for a written answer"), summary="Send the question for a written answer, due in N working days",
)  # fmt: skip
ANSWER_SUBMIT = operation(
    "answer.submit", "agency", "secretariat", scope="council", resolve=form_scope, target=FORM,
    service=answers.answer_submit, label=N_("Submit a written answer"), summary="The official's written answer, with its PDF letter",
)  # fmt: skip
ANSWER_ASSESS = operation(
    "answer.assess", *ASKERS, scope="council", resolve=form_scope, target=FORM,
    service=answers.answer_assess, label=N_("Assess a written answer"), summary="The asker marks the answer satisfactory or not",
)  # fmt: skip

# --- commitments ---------------------------------------------------------------------------------
COMMITMENT_CREATE = operation(
    "commitment.create", *STAFF, scope="council", resolve=session_scope, target=SESSION,
    service=commitments.commitment_create,
    label=N_("Record a commitment"), summary="Record a commitment: owner, measure, deadline, milestones",
)  # fmt: skip
COMMITMENT_REPORT = operation(
    "commitment.report", "agency", *STAFF, scope="council", resolve=commitment_scope,
    target=COMMITMENT, service=commitments.commitment_report,
    label=N_("Report on a commitment"), summary="Report progress on a commitment (percent, note, evidence, milestones)",
)  # fmt: skip
COMMITMENT_LIST = operation(
    "commitment.list", public=True, service=commitments.commitments_of,
    summary="The public tracker of a council's commitments (also CSV, JSON, on-time table)",
)  # fmt: skip
COMMITMENT_VIEW = operation(
    "commitment.view", public=True, service=commitments.commitment_get,
    summary="A commitment, its milestones, history and evidence",
)  # fmt: skip
QUESTIONING_REPORT = operation(
    "questioning.report", *MEMBERS, scope="council", resolve=council_code_scope,
    service=reports.commitments_document,
    summary="The commitments status report for the next sitting (DOCX, PDF, XLSX)",
)  # fmt: skip
QUESTIONING_INBOX = operation(
    "questioning.inbox", *MEMBERS, "agency",
    summary="One's questioning inbox: notices, questions to answer, commitments to report on",
)  # fmt: skip

# The operations by name, for routes made in a loop (``questioning.call:page``).
OPERATIONS: dict[str, Operation] = {
    op.name: op for op in list(globals().values()) if isinstance(op, Operation)
}
