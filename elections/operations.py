"""Every elections operation, declared once: name, permission (roles, scope and the resolver of
the target's council), input schema, target ids and the service it calls. Routes and pages point
at these (``perm=ops.AREA_SAVE``); see ``council.registry``."""

from __future__ import annotations

from council.i18n import N_
from council.registry import operation
from elections import (
    activity,
    contacts,
    opendata,
    people,
    photos,
    record,
    schemas,
    seats,
    services,
    workbook,
)
from elections.scopes import (
    MANAGERS,
    candidate_scope,
    council_scope,
    delegate_scope,
    election_scope,
    seat_scope,
)

# --- reading: anyone ----------------------------------------------------------------------------
ELECTION_LIST = operation(
    "election.list", public=True, summary="Every election, newest first (open data)"
)
ELECTION_VIEW = operation(
    "election.view", public=True, service=services.outcome,
    summary="An election: constituencies, candidates' published profiles, counts and results",
)  # fmt: skip
ELECTION_RECORD = operation(
    "election.record", public=True, service=record.record,
    summary="The record of the results in the official layout (DOCX, PDF)",
)  # fmt: skip
AREA_EXPORT = operation(
    "area.export", public=True, service=workbook.export,
    summary="The polling areas' counts as the XLSX template",
)  # fmt: skip
CONSTITUENCY_LIST = operation(
    "constituency.list", public=True, service=opendata.constituencies,
    summary="The current term's constituencies (open data)",
)  # fmt: skip
DELEGATE_LIST = operation(
    "delegate.list", public=True, service=opendata.delegates,
    summary="The current term's delegates with their published profiles (open data)",
)  # fmt: skip
DELEGATES_VIEW = operation(
    "delegates.view", public=True, service=services.term_view,
    summary='"Your delegates": a commune\'s or ward\'s delegates and its city\'s',
)  # fmt: skip
DELEGATE_ACTIVITY = operation(
    "delegate.activity", public=True, service=activity.record,
    summary="A delegate's activity record for the term, each figure linked to its source",
)  # fmt: skip
CONTACT_LIST = operation(
    "contact.list", public=True, service=contacts.of_council,
    summary="A council's voter-contact meetings, coming and held",
)  # fmt: skip
TERM_SEATS_TOTAL = operation(
    "term.seats_total", public=True, service=seats.total,
    summary='How the council reads "tổng số đại biểu", and the totals it gives',
)  # fmt: skip

# --- managing: the council's secretariat --------------------------------------------------------
TERM_CREATE = operation(
    "term.create", *MANAGERS, scope="council", resolve=council_scope, body=schemas.TermIn,
    service=services.term_create, label=N_("Create a term"), summary="Create a term (khóa) of the council",
)  # fmt: skip
TERM_SEATS_READING = operation(
    "term.seats_reading", *MANAGERS, scope="council", resolve=council_scope,
    body=schemas.SeatsReadingIn, service=seats.reading_set,
    label=N_("Read the seats of a term"), summary='Read "tổng số đại biểu" as the legal seats or the delegates in office',
)  # fmt: skip
ELECTION_CREATE = operation(
    "election.create", *MANAGERS, scope="council", resolve=council_scope,
    body=schemas.ElectionIn, service=services.election_create,
    label=N_("Create an election"), summary="Create an election (regular, or a by-election in the term)",
)  # fmt: skip
CONSTITUENCY_SAVE = operation(
    "constituency.save", *MANAGERS, scope="council", resolve=election_scope,
    body=schemas.ConstituencyIn, service=services.constituency_save,
    label=N_("Save a constituency"), summary="Create or change a constituency: area, seats, registered voters",
)  # fmt: skip
CANDIDATE_CREATE = operation(
    "candidate.create", *MANAGERS, scope="council", resolve=election_scope,
    body=schemas.CandidateIn, service=services.candidate_create,
    label=N_("Add a candidate"), summary="Add a candidate's published profile, with its source",
)  # fmt: skip
CANDIDATE_UPDATE = operation(
    "candidate.update", *MANAGERS, scope="council", resolve=candidate_scope,
    body=schemas.CandidatePatch, service=services.candidate_update,
    label=N_("Edit a candidate"), summary="Change a candidate's profile; every change records its source",
)  # fmt: skip
AREA_SAVE = operation(
    "area.save", *MANAGERS, scope="council", resolve=election_scope, body=schemas.AreaIn,
    service=services.area_save, label=N_("Save a polling area's count"), summary="Enter a polling area's counts",
)  # fmt: skip
AREA_IMPORT = operation(
    "area.import", *MANAGERS, scope="council", resolve=election_scope,
    service=workbook.import_counts,
    label=N_("Import polling areas"), summary="Import every polling area's counts from the XLSX template: every row or none",
)  # fmt: skip
ELECTION_CONFIRM = operation(
    "election.confirm", *MANAGERS, scope="council", resolve=election_scope,
    service=services.election_confirm, label=N_("Confirm an election's result"), summary="Confirm the results once every area is in",
)  # fmt: skip
TERM_ROSTER = operation(
    "term.roster", *MANAGERS, scope="council", resolve=election_scope,
    service=services.roster_create, label=N_("Change a term's roster"), summary="Make the term's roster from the confirmed results",
)  # fmt: skip
CONTACT_SCHEDULE = operation(
    "contact.schedule", *MANAGERS, scope="council", resolve=council_scope,
    body=schemas.ContactScheduleIn, service=contacts.contact_schedule,
    summary="Schedule a voter-contact meeting: day, place, constituency, delegates",
)  # fmt: skip
CONTACT_LINK = operation(
    "contact.link", *MANAGERS, scope="council", resolve=council_scope,
    body=schemas.ContactLinkIn, service=contacts.contact_link,
    summary="Link a meeting petitions recorded to the delegates and the constituency",
)  # fmt: skip

# --- delegates' photos ---------------------------------------------------------------------------
DELEGATE_PHOTO_VIEW = operation(
    "delegate.photo_view", public=True, service=photos.photo_of,
    summary="A delegate's photo (WebP, at most 240×320)",
)  # fmt: skip
DELEGATE_PHOTO = operation(
    "delegate.photo", *MANAGERS, scope="council", resolve=delegate_scope,
    service=photos.photo_set,
    label=N_("Change a delegate's photo"), summary="Set or remove a delegate's photo (JPEG, PNG or WebP; resized, the upload not kept)",
)  # fmt: skip

# --- one person, several councils ----------------------------------------------------------------
PERSON_VIEW = operation(
    "person.view", public=True, service=people.person_view,
    summary="A person with seats in several councils, and each council's record",
)  # fmt: skip
PERSON_LINK = operation(
    "person.link", "admin", body=schemas.PersonLinkIn, service=people.person_link,
    label=N_("Link a person"), summary="Link delegates' accounts of different councils as one person",
)  # fmt: skip

# --- vacancies ---------------------------------------------------------------------------------
SEAT_VACATE = operation(
    "seat.vacate", *MANAGERS, scope="council", resolve=seat_scope, body=schemas.VacancyIn,
    service=services.vacancy_record,
    label=N_("Vacate a seat"), summary="Record a vacancy: the seat ends (death, dismissal, resignation), the account closes",
)  # fmt: skip
