"""The core's operations, declared once (``council.registry``): signing in, councils, agencies
and users, over the JSON API and the admin pages."""

from __future__ import annotations

from council import audit_log, auth, services
from council.i18n import N_
from council.registry import operation
from council.schemas import AgencyIn, CouncilIn, DeviceUnlockIn, SeatsIn, TokenIn, UserIn
from council.scopes import council_by_id_or_code, council_scope, user_scope

MANAGERS = ("admin", "secretariat")

# --- signing in ------------------------------------------------------------------------------
AUTH_TOKEN = operation(
    "auth.token", public=True, body=TokenIn, service=auth.issue_token,
    label=N_("API sign-in (token)"), summary="An API token for a username and password",
)  # fmt: skip
AUTH_REVOKE = operation(
    "auth.revoke", logged_in=True, service=auth.revoke_token, summary="End this token"
)
AUTH_LOGIN = operation(
    "auth.login",
    public=True,
    service=auth.authenticate,
    label=N_("Log in"),
    summary="The login page (a session)",
)
AUTH_LOGOUT = operation(
    "auth.logout",
    public=True,
    service=auth.revoke_token,
    label=N_("Log out"),
    summary="End the browser's session",
)
DEVICE_UNLOCK = operation(
    "device.unlock", *MANAGERS, scope="council", resolve=user_scope, body=DeviceUnlockIn,
    service=auth.unlock_device,
    label=N_("Unlock a device"), summary="Unlock an account for the one device showing the code (logins paused)",
)  # fmt: skip
USER_ME = operation("user.me", logged_in=True, summary="The user's own account")
DASHBOARD_VIEW = operation("dashboard.view", public=True, summary="The start page")

# --- councils --------------------------------------------------------------------------------
COUNCIL_CREATE = operation(
    "council.create", "admin", body=CouncilIn, service=services.council_create,
    label=N_("Create a council"), summary="Create a council",
)  # fmt: skip
COUNCIL_LIST = operation(
    "council.list", public=True, service=services.councils_visible, summary="The councils"
)
COUNCIL_MANAGE = operation(
    "council.manage", "admin", service=services.councils_listing,
    summary="The councils' admin page (search, pages)",
)  # fmt: skip
COUNCIL_UPDATE = operation(
    "council.update",
    "admin",
    service=services.council_update,
    label=N_("Edit a council"),
    summary="Change a council",
)
COUNCIL_DEACTIVATE = operation(
    "council.deactivate", "admin", service=services.council_update,
    summary="Deactivate a council",
)  # fmt: skip
COUNCIL_REACTIVATE = operation(
    "council.reactivate", "admin", service=services.council_update,
    summary="Reactivate a council",
)  # fmt: skip

COUNCIL_SEATS = operation(
    "council.seats", *MANAGERS, scope="council", resolve=council_by_id_or_code, body=SeatsIn,
    service=services.council_update, summary="Set the council's seats and quorum rule",
)  # fmt: skip
COUNCIL_IMPORT_DIVISIONS = operation(
    "council.import_divisions", "admin",
    label=N_("Import administrative units"), summary="Councils from Vietnam's official administrative divisions (admin page)",
)  # fmt: skip

# --- the audit log ---------------------------------------------------------------------------
AUDIT_VIEW = operation(
    "audit.view", "admin", service=audit_log.audit_log, label=N_("Read the audit log"),
    summary="The audit log: filters, verification, export",
)  # fmt: skip

# --- agencies --------------------------------------------------------------------------------
AGENCY_CREATE = operation(
    "agency.create", "admin", body=AgencyIn, service=services.agency_create,
    label=N_("Create an agency"), summary="Create an agency that answers petitions",
)  # fmt: skip
AGENCY_LIST = operation("agency.list", public=True, summary="The agencies")
AGENCY_MANAGE = operation(
    "agency.manage", *MANAGERS, service=services.agencies_listing,
    summary="The agencies' admin page (an admin's: all; a secretariat's: its council's)",
)  # fmt: skip
AGENCY_MANAGE_COUNCIL = operation(
    "agency.manage_council", *MANAGERS, scope="council", resolve=council_scope,
    service=services.agencies_listing, summary="One council's agencies (admin page)",
)  # fmt: skip
AGENCY_UPDATE = operation(
    "agency.update",
    "admin",
    service=services.agency_update,
    label=N_("Edit an agency"),
    summary="Change an agency",
)
AGENCY_DEACTIVATE = operation(
    "agency.deactivate", "admin", service=services.agency_update,
    summary="Deactivate an agency",
)  # fmt: skip
AGENCY_REACTIVATE = operation(
    "agency.reactivate", "admin", service=services.agency_update,
    summary="Reactivate an agency",
)  # fmt: skip

# --- users -----------------------------------------------------------------------------------
USER_CREATE = operation(
    "user.create", *MANAGERS, body=UserIn, service=services.user_create,
    label=N_("Create a user"),
    summary="Create an account (a secretariat: its own council's delegates and displays; a chair "
    "or secretariat, who sign: an admin only)",
)  # fmt: skip
USER_NEW = operation(
    "user.new", "admin", service=services.user_create,
    summary="The new-account form of any council (admin page)",
)  # fmt: skip
USER_NEW_IN_COUNCIL = operation(
    "user.new_in_council", *MANAGERS, scope="council", resolve=council_scope,
    service=services.user_create, summary="The new-account form of one council (admin page)",
)  # fmt: skip
USER_LIST = operation(
    "user.list", "admin", "secretariat", "chair", summary="Accounts the user may see"
)
USER_MANAGE = operation(
    "user.manage", *MANAGERS, service=services.users_listing,
    summary="The accounts' admin page (an admin's: all; a secretariat's: its council's)",
)  # fmt: skip
USER_MANAGE_COUNCIL = operation(
    "user.manage_council", *MANAGERS, scope="council", resolve=council_scope,
    service=services.users_listing, summary="One council's accounts (admin page)",
)  # fmt: skip
USER_UPDATE = operation(
    "user.update", *MANAGERS, scope="council", resolve=user_scope,
    service=services.user_update, label=N_("Edit a user"),
    summary="Change an account (a role that signs, chair or secretariat, is given or changed by "
    "an admin only)",
)  # fmt: skip
USER_DEACTIVATE = operation(
    "user.deactivate", *MANAGERS, scope="council", resolve=user_scope,
    service=services.user_set_active, summary="Deactivate an account (its sessions end)",
)  # fmt: skip
USER_REACTIVATE = operation(
    "user.reactivate", *MANAGERS, scope="council", resolve=user_scope,
    service=services.user_set_active, summary="Reactivate an account",
)  # fmt: skip
USER_RESET_PASSWORD = operation(
    "user.reset_password", *MANAGERS, scope="council", resolve=user_scope,
    service=services.user_reset_password, label=N_("Reset a password"),
    summary="Give an account a new password (a chair's or secretariat's: an admin only)",
)  # fmt: skip
USER_IMPORT = operation(
    "user.import", *MANAGERS, scope="council", resolve=council_scope,
    service=services.roll_import, label=N_("Import users"), summary="Import a council's delegates from a CSV roll",
)  # fmt: skip
