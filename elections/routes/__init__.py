"""Routes of the elections domain, one module per group of operations: the JSON API (open data
included) and the HTML pages. Each points at its operation in ``elections.operations``."""

from __future__ import annotations

from council.i18n import N_
from council.templating import NavItem, register_nav
from elections.routes import (
    activity,
    contacts,
    counting,
    delegates,
    opendata,
    people,
    photos,
    preparing,
    seats,
    vacancies,
    workbook,
)

register_nav(NavItem(N_("Elections"), "/elections", order=70, public=True))
register_nav(NavItem(N_("Your delegates"), "/delegates", order=65, public=True))

routes = [
    *preparing.routes,
    *counting.routes,
    *workbook.routes,
    *contacts.routes,
    *activity.routes,
    *opendata.routes,
    *seats.routes,
    *delegates.routes,
    *photos.routes,
    *people.routes,
    *vacancies.routes,
]
