"""Rules for councils, agencies and users. Every change goes through here and is audited.

The public API of the core's services, one module per operation group: ``councils``, ``agencies``,
``users`` and ``roll`` (the delegate roll import); ``common`` holds what they share.
"""

from council.models import SIGNING_ROLES
from council.services.agencies import agencies_listing, agency_create, agency_dict, agency_update
from council.services.common import (
    EMAIL_RE,
    PHONE_RE,
    SEAT_ROLES,
    Listing,
    SeatGuard,
    agency_by_code,
    council_by_code,
    seat_guard,
    seat_holders,
)
from council.services.councils import (
    council_create,
    council_dict,
    council_update,
    councils_listing,
    councils_visible,
)
from council.services.roll import MAX_ROLL_ROWS, ROLL_COLUMNS, RollResult, roll_import
from council.services.users import (
    generate_password,
    roles_manageable,
    seat_holder_set_active,
    tell_tokens_ended,
    user_create,
    user_dict,
    user_reset_password,
    user_set_active,
    user_update,
    users_listing,
)

__all__ = [
    "EMAIL_RE",
    "MAX_ROLL_ROWS",
    "PHONE_RE",
    "ROLL_COLUMNS",
    "SEAT_ROLES",
    "SIGNING_ROLES",
    "Listing",
    "RollResult",
    "SeatGuard",
    "agencies_listing",
    "agency_by_code",
    "agency_create",
    "agency_dict",
    "agency_update",
    "council_by_code",
    "council_create",
    "council_dict",
    "council_update",
    "councils_listing",
    "councils_visible",
    "generate_password",
    "roles_manageable",
    "roll_import",
    "seat_guard",
    "seat_holders",
    "user_create",
    "user_dict",
    "user_reset_password",
    "seat_holder_set_active",
    "tell_tokens_ended",
    "user_set_active",
    "user_update",
    "users_listing",
]
