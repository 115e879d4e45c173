"""A schema-driven fuzz of the whole JSON API: no request, however odd, gets a 5xx.

schemathesis reads `/api/v1/openapi.json` and generates, for every operation, requests that follow
the schema (to get past validation into the services) and requests that break it (to exercise the
validation itself). They go, as an administrator with a bearer token, to a real uvicorn serving
the app. The generation is derandomized, so a run is repeatable; the number of examples is bounded
to keep the test near a minute (FUZZ_EXAMPLES raises it for a longer hunt).
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from council.settings import Settings
from tests.factories import bearer, make_agency, make_commune, make_council, make_user

POSITIVE = int(os.environ.get("FUZZ_EXAMPLES", "12"))
NEGATIVE = max(POSITIVE // 2, 1)


@dataclass
class Findings:
    requests: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)  # operation -> reproducer


def _runner(check: Any, label: str, strategy: Any, examples: int) -> Any:
    from hypothesis import HealthCheck, Phase, given
    from hypothesis import settings as hsettings

    @hsettings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        check(label, case)

    return run


def fuzz(schema: Any, base_url: str, headers: dict[str, str], known: dict[str, Any]) -> Findings:
    """Run every operation's examples (blocking: call it from a worker thread)."""
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.result import Ok

    findings = Findings()

    def check(label: str, case: Any) -> None:
        # Our token, not one schemathesis made up for the bearer scheme.
        case.headers = {**(case.headers or {}), **headers}
        response = case.call(base_url=base_url, timeout=60)
        findings.requests += 1
        findings.statuses[response.status_code] = findings.statuses.get(response.status_code, 0) + 1
        if response.status_code >= 500 and label not in findings.failures:
            findings.failures[label] = (
                f"{response.status_code}: {response.text[:300]}\n    {case.as_curl_command()}"
            )
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except AssertionError:
            pass  # recorded above with its reproducer; go on with the other operations

    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operations.append(result.ok())
    # Revoking the token ends the administrator's access: fuzz that route last.
    operations.sort(key=lambda op: op.label == "POST /api/v1/auth/revoke")
    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        strategies = [
            (GenerationMode.POSITIVE, {}, POSITIVE),
            (GenerationMode.NEGATIVE, {}, NEGATIVE),
        ]
        if names and names <= set(known):
            # Also at objects that exist, so the requests get past the lookups into the services.
            strategies.append((GenerationMode.POSITIVE, {n: known[n] for n in names}, POSITIVE))
        for mode, fixed, examples in strategies:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed or None)
            run = _runner(check, operation.label, strategy, examples)
            try:
                run()
            except Unsatisfiable:
                if mode != GenerationMode.NEGATIVE:  # nothing to break in a route without input
                    findings.failures.setdefault(operation.label, "no request could be generated")
            except Exception as exc:  # noqa: BLE001 - a generation problem is a finding too
                findings.failures.setdefault(
                    operation.label, f"could not generate requests: {exc!r}"
                )
    return findings


async def _seed(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    """A session with an item and a poll, and a petition, made through the API: the ids the fuzz
    aims at besides random ones. A domain whose API refuses this is simply fuzzed at random ids."""
    known: dict[str, Any] = {}
    r = await client.post(
        "/api/v1/sessions",
        headers=headers,
        json={
            "council_code": "HN-BD",
            "title": "Kỳ họp thứ nhất",
            "starts_at": "2026-12-01T08:00:00+07:00",
        },
    )
    if r.status_code == 201:
        known["session_id"] = r.json()["id"]
        r = await client.post(
            f"/api/v1/sessions/{known['session_id']}/items",
            headers=headers,
            json={"title": "Dự thảo Nghị quyết về dự toán ngân sách"},
        )
        if r.status_code == 201:
            known["item_id"] = r.json()["id"]
        r = await client.post(
            f"/api/v1/sessions/{known['session_id']}/polls",
            headers=headers,
            json={"title": "Biểu quyết thông qua", "kind": "motion"},
        )
        if r.status_code == 201:
            known["poll_id"] = r.json()["id"]
    r = await client.post(
        "/api/v1/petitions",
        json={
            "council_code": "HN-BD",
            "category": "transport",
            "title": "Sửa chữa đường liên xã",
            "body": "Đường liên xã xuống cấp, nhiều ổ gà, đề nghị sửa chữa sớm.",
        },
    )
    if r.status_code == 201:
        known["code"] = r.json()["code"]
    return known


@pytest.mark.slow
async def test_no_request_gets_a_server_error(
    live_server: str, client: httpx.AsyncClient, settings: Settings
) -> None:
    import schemathesis

    city = await make_council("HN", seats=95)
    commune = await make_commune(city, "HN-BD")
    await make_agency(city, "SO-XD")
    await make_user("secretariat", commune)
    admin = await make_user("admin", username="quantri")
    headers = await bearer(admin)
    known = await _seed(client, headers)

    document = (await client.get("/api/v1/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(document)
    findings = await asyncio.to_thread(fuzz, schema, live_server, headers, known)

    print(
        f"\nfuzz: {findings.requests} requests, statuses {dict(sorted(findings.statuses.items()))}"
    )
    assert findings.requests >= len(document["paths"]) * 2
    assert not findings.failures, "server errors:\n" + "\n".join(
        f"  {op}: {text}" for op, text in sorted(findings.failures.items())
    )
    # The app is still healthy after the fuzz.
    assert (await client.get("/readyz")).status_code == 200
