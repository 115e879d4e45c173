"""Health, readiness and Prometheus metrics."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from tortoise.context import TortoiseContext

from council import db
from council.app import create_app
from council.settings import Settings
from tests.conftest import _pg_admin, _pg_url


async def test_healthz(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


async def test_readyz_when_the_database_answers(client: httpx.AsyncClient) -> None:
    r = await client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {
        "status": "ok",
        "database": "ok",
        "redis": "off",
        "search": "ok",
        "storage": "ok",
    }


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL_TEST"), reason="needs PostgreSQL (DATABASE_URL_TEST)"
)
async def test_readyz_is_503_when_the_database_goes_away(tmp_path: Path) -> None:
    """The database server drops the app's connections and the database is gone: not ready."""
    name = f"council_gone_{uuid.uuid4().hex[:8]}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    settings = Settings.from_env({}, data_dir=str(tmp_path), database_url=_pg_url(name))
    try:
        async with TortoiseContext():
            await db.init(settings)
            app = create_app(settings, manage_db=False)
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://testserver"
            ) as client:
                assert (await client.get("/readyz")).status_code == 200
                await _pg_admin(f'DROP DATABASE "{name}" WITH (FORCE)')
                r = await client.get("/readyz")
                assert r.status_code == 503 and r.json()["status"] == "unavailable"
                assert r.json()["database"] == "down" and r.json()["storage"] == "ok"
                assert (await client.get("/healthz")).status_code == 200  # the process is alive
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_metrics_in_prometheus_text_format(client: httpx.AsyncClient) -> None:
    await client.get("/healthz")
    await client.get("/api/v1/no-such-route")
    r = await client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(r.text)}
    requests = families["council_http_requests"]
    assert requests.type == "counter"
    seen = {
        (s.labels["method"], s.labels["route"], s.labels["status"])
        for s in requests.samples
        if s.name.endswith("_total")
    }
    assert ("GET", "/healthz", "200") in seen
    assert ("GET", "unmatched", "404") in seen  # unknown paths do not each get a label
    assert families["council_http_request_seconds"].type == "histogram"


async def test_metrics_route_label_is_the_template_not_the_path(client: httpx.AsyncClient) -> None:
    """Labels stay few: /api/v1/polls/7 and /api/v1/polls/8 count under one route."""
    for poll_id in (7, 8):
        await client.get(f"/api/v1/polls/{poll_id}")
    text = (await client.get("/metrics")).text
    routes = {
        s.labels["route"]
        for f in text_string_to_metric_families(text)
        if f.name == "council_http_requests"
        for s in f.samples
    }
    assert not any(r.endswith(("/7", "/8")) for r in routes)


def test_the_app_builds_without_a_database(tmp_path: Path) -> None:
    """The health routes exist even before the database is connected (liveness needs no DB)."""
    app = create_app(Settings.from_env({}, data_dir=str(tmp_path)), manage_db=False)
    paths = {getattr(r, "path", None) for r in app.other_asgi_app.routes}
    assert {"/healthz", "/readyz", "/metrics"} <= paths


async def test_the_served_app_freezes_its_start_up_heap(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``asgi`` (what ``council serve`` and the Procfile run) freezes what start-up left alive, so
    that a full garbage collection no longer walks it; the default app (tests) does not."""
    import gc

    from council import app as app_module

    made: list[dict[str, object]] = []
    real = app_module.create_app

    def recorded(**kwargs: bool) -> object:
        made.append(kwargs)
        return real(settings, manage_db=False, **kwargs)

    monkeypatch.setattr(app_module, "create_app", recorded)
    served = app_module.asgi()
    assert made == [{"freeze_heap": True}]

    gc.unfreeze()
    thresholds = gc.get_threshold()
    try:
        plain = create_app(settings, manage_db=False).other_asgi_app
        async with plain.router.lifespan_context(plain):
            assert gc.get_freeze_count() == 0
            assert gc.get_threshold() == thresholds
        inner = served.other_asgi_app
        async with inner.router.lifespan_context(inner):
            frozen = gc.get_freeze_count()
            # Everything the process had imported is frozen (the app, its libraries); what a
            # full collection still walks is a small fraction of it.
            assert frozen > 50_000
            assert len(gc.get_objects()) < frozen / 4
            # And the young generation is collected less often (a burst runs no collection).
            assert gc.get_threshold() == app_module.GC_THRESHOLDS
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


async def test_start_up_loads_the_formatting_locales(settings: Settings) -> None:
    """The first vote result after a start does not wait for babel to read its locale data."""
    from babel import localedata

    from council.i18n import FORMAT_LOCALES

    # Babel's caches of loaded locale data (2.19 added a second one, and clear_caches for both).
    clear = getattr(localedata, "clear_caches", None)
    if clear is not None:
        clear()
    else:
        localedata._cache.clear()
    inner = create_app(settings, manage_db=False).other_asgi_app
    async with inner.router.lifespan_context(inner):
        assert set(FORMAT_LOCALES) <= set(localedata._cache)


def _gauges(text: str) -> dict[str, float]:
    return {
        s.labels["dependency"]: s.value
        for f in text_string_to_metric_families(text)
        if f.name == "council_dependency_up"
        for s in f.samples
    }


async def test_redis_down_is_degraded_not_unavailable(settings: Settings) -> None:
    """REDIS_URL where nothing listens: /readyz still 200 (a load balancer must not drain every
    node at once), says "redis": "down", and the gauge reads 0."""
    from tests.conftest import free_port

    settings.redis_url = f"redis://127.0.0.1:{free_port()}/0"
    app = create_app(settings, manage_db=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        r = await client.get("/readyz")
        assert r.status_code == 200
        assert r.json()["status"] == "degraded" and r.json()["redis"] == "down"
        assert r.json()["database"] == "ok" and r.json()["storage"] == "ok"
        gauges = _gauges((await client.get("/metrics")).text)
        assert gauges["redis"] == 0 and gauges["database"] == 1 and gauges["storage"] == 1


async def test_storage_down_is_unavailable(settings: Settings) -> None:
    """The file store cannot be written: 503, and the body says which dependency."""
    import shutil

    app = create_app(settings, manage_db=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        uploads = settings.uploads_dir
        shutil.rmtree(uploads, ignore_errors=True)
        uploads.write_text("not a folder")  # neither root nor anyone else can write into it
        try:
            r = await client.get("/readyz")
            assert r.status_code == 503
            assert r.json()["status"] == "unavailable" and r.json()["storage"] == "down"
            assert _gauges((await client.get("/metrics")).text)["storage"] == 0
        finally:
            uploads.unlink()
