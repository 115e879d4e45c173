"""The petitions panel on the home dashboard."""

from __future__ import annotations

from typing import Any

from council.dashboard import Widget
from council.models import Agency, Council
from petitions import labels
from petitions.services.dashboards import agency_dashboard, council_dashboard
from petitions.services.scope import STAFF_ROLES


async def petitions_widget(ctx: Any) -> list[Widget]:
    """Counts, on-time rate and overdue count for the user's council or agency."""
    user = ctx.user
    if user is None or user.role not in STAFF_ROLES:
        return []
    if user.role == "agency" and user.agency_id:
        d = await agency_dashboard(user, await Agency.get(id=user.agency_id))
    elif user.council_id:
        d = await council_dashboard(user, await Council.get(id=user.council_id))
    else:
        return []
    return [Widget("petitions/_widget.html", {"d": d, "light_text": labels.light_text}, order=30)]
