"""Exports and reports print Vietnam's time, not the UTC the database stores."""

from __future__ import annotations

from datetime import UTC, datetime

from petitions.exports import cell


def test_export_cells_print_local_time() -> None:
    assert cell(datetime(2026, 12, 7, 3, 57, tzinfo=UTC)) == "2026-12-07 10:57"
    assert cell(datetime(2026, 12, 6, 20, 0, tzinfo=UTC)) == "2026-12-07 03:00"
