"""The demo data: about 300 petitions across the demo communes, every state, some overdue."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from council.demo import load_core
from petitions import demo
from petitions.models import Hop, Petition
from petitions.workflow import Status


@pytest.mark.slow
async def test_demo_petitions_in_every_state_and_safe_twice(settings) -> None:
    await load_core()
    await demo.load(settings)
    total = await Petition.all().count()
    assert 280 <= total <= 320
    states = Counter(await Petition.all().values_list("status", flat=True))
    assert set(states) == {s.value for s in Status}
    now = datetime.now(UTC)
    assert await Petition.filter(status__in=demo.OPEN, due_at__lt=now).count() > 5
    assert await Hop.filter(ended_at__isnull=False).count() > 300
    open_without_hop = [
        p.code
        for p in await Petition.filter(status__in=demo.OPEN)
        if not await Hop.filter(petition_id=p.id, ended_at__isnull=True).exists()
    ]
    assert open_without_hop == []
    await demo.load(settings)
    assert await Petition.all().count() == total
