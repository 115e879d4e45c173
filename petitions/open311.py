"""Open311 GeoReport v2, read-only: services are petition fields, requests are published petitions.

Spec: https://wiki.open311.org/GeoReport_v2. Only public data is ever serialised here; the
``address`` of a request is the commune's name, never the petitioner's address.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

from petitions.categories import CATEGORIES


@dataclass(frozen=True)
class PublicRequest:
    """A published petition, as Open311 sees it."""

    code: str
    category: str
    category_name: str
    title: str
    description: str
    status: str  # our status; Open311 knows only open / closed
    answer: str | None
    agency: str | None
    commune: str
    requested: datetime
    updated: datetime
    expected: datetime | None


def services(lang: str | None = None) -> list[dict[str, Any]]:
    """``GET /services``: one realtime-free, metadata-free service per field."""
    return [
        {
            "service_code": c.code,
            "service_name": c.label.render(lang),
            "description": c.description.render(lang),
            "metadata": False,
            "type": "realtime",
            "keywords": c.vi,
            "group": "kien-nghi-cu-tri",
        }
        for c in CATEGORIES
    ]


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="seconds")


def request(item: PublicRequest) -> dict[str, Any]:
    """One service request (Open311 field names)."""
    return {
        "service_request_id": item.code,
        "status": "closed" if item.status == "closed" else "open",
        "status_notes": item.answer or "",
        "service_name": item.category_name,
        "service_code": item.category,
        "description": f"{item.title}\n\n{item.description}",
        "agency_responsible": item.agency or "",
        "service_notice": "",
        "requested_datetime": _iso(item.requested),
        "updated_datetime": _iso(item.updated),
        "expected_datetime": _iso(item.expected),
        "address": item.commune,
        "address_id": "",
        "zipcode": "",
        "media_url": "",
    }


def to_xml(root_name: str, item_name: str, rows: Iterable[Mapping[str, Any]]) -> bytes:
    """The XML flavour of a GeoReport list (``services`` / ``service_requests``)."""
    root = ET.Element(root_name)
    for row in rows:
        el = ET.SubElement(root, item_name)
        for key, value in row.items():
            child = ET.SubElement(el, key)
            if isinstance(value, bool):
                child.text = "true" if value else "false"
            elif value is not None:
                child.text = str(value)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8")


def error(code: int, description: str) -> list[dict[str, Any]]:
    """GeoReport's error body: a list of ``{code, description}``."""
    return [{"code": code, "description": description}]
