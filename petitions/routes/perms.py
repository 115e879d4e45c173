"""Permissions of the staff operations that both a page and the JSON API offer, declared once."""

from __future__ import annotations

from council.permissions import allow
from petitions.services.scope import STAFF_ROLES, petition_scope

ACT = allow(
    "petition.act", "admin", "secretariat", "agency", scope="council", resolve=petition_scope
)
EXPORT = allow("petition.export", *STAFF_ROLES)
EXTENSION_REQUEST = allow(
    "petition.extension_request", "admin", "agency", scope="council", resolve=petition_scope
)
EXTENSION_DECIDE = allow(
    "petition.extension_decide", "admin", "secretariat", scope="council", resolve=petition_scope
)
LETTER = allow(
    "petition.letter", "admin", "secretariat", "agency", scope="council", resolve=petition_scope
)
MERGE_CANDIDATES = allow(
    "petition.merge_candidates", "admin", "secretariat", scope="council", resolve=petition_scope
)
