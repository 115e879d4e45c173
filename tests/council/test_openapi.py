"""`/api/v1/openapi.json` lists every API route of the app, with request and response schemas."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import httpx
import jsonschema_rs
import pytest

from council.web import API_REGISTRY, openapi_path

METHODS = {"get", "post", "put", "patch", "delete"}
_REF = re.compile(r'"\$ref":\s*"([^"]+)"')


@pytest.fixture
async def doc(client: httpx.AsyncClient) -> dict[str, Any]:
    r = await client.get("/api/v1/openapi.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = r.json()
    return body


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


def _mounted_api_routes(app: Any) -> set[tuple[str, str]]:
    """(METHOD, path) of every route the app really serves under /api/."""
    found = set()
    for route in app.other_asgi_app.routes:
        path = getattr(route, "path", "")
        if not path.startswith("/api/") or path == "/api/v1/openapi.json":
            continue
        for method in getattr(route, "methods", None) or ():
            if method != "HEAD":
                found.add((method, openapi_path(path)[0]))
    return found


async def test_every_registered_route_is_documented(doc: dict[str, Any]) -> None:
    missing = []
    for meta in API_REGISTRY:
        path, _ = openapi_path(meta.path)
        if meta.method.lower() not in doc["paths"].get(path, {}):
            missing.append(f"{meta.method} {path}")
    assert not missing, "missing from the OpenAPI document:\n" + "\n".join(missing)


async def test_every_mounted_api_route_is_documented(doc: dict[str, Any], app: Any) -> None:
    """Nothing under /api/v1 bypasses the `@api` declaration (and so its permission data)."""
    documented = {(m.upper(), p) for p, m, _ in _operations(doc)}
    mounted = _mounted_api_routes(app)
    assert mounted, "no API route mounted"
    assert sorted(mounted - documented) == []
    assert sorted(documented - mounted) == []  # and nothing documented that is not served


async def test_the_contract_routes_are_there(doc: dict[str, Any]) -> None:
    for method, path in (
        ("post", "/api/v1/auth/token"),
        ("post", "/api/v1/councils"),
        ("get", "/api/v1/councils"),
        ("post", "/api/v1/users"),
        ("post", "/api/v1/agencies"),
    ):
        assert method in doc["paths"][path]


async def test_each_operation_has_request_and_response_schemas(doc: dict[str, Any]) -> None:
    by_key = {(m.method.lower(), openapi_path(m.path)[0]): m for m in API_REGISTRY}
    problems = []
    for path, method, op in _operations(doc):
        meta = by_key[(method, path)]
        success = [code for code in op["responses"] if code.startswith("2")]
        if len(success) != 1:
            problems.append(f"{method} {path}: {len(success)} success responses")
            continue
        content = op["responses"][success[0]].get("content")
        if not content:
            problems.append(f"{method} {path}: no response schema")
        if meta.body is not None or meta.multipart:
            body = op.get("requestBody", {}).get("content", {})
            if not any(media.get("schema") for media in body.values()):
                problems.append(f"{method} {path}: no request body schema")
        elif "requestBody" in op:
            problems.append(f"{method} {path}: documents a body it does not read")
        for code in ("401", "403", "422") if not meta.perm.public else ("422",):
            if code not in op["responses"]:
                problems.append(f"{method} {path}: error {code} not documented")
    assert not problems, "\n".join(problems)


async def test_the_document_is_valid_openapi(doc: dict[str, Any]) -> None:
    """Structural checks of OpenAPI 3.1 (no validator package is installed), plus a JSON Schema
    meta-validation of every component schema."""
    assert doc["openapi"].startswith("3.1")
    assert doc["info"]["title"] and doc["info"]["version"]
    schemes = doc["components"]["securitySchemes"]
    operation_ids = Counter()
    for path, method, op in _operations(doc):
        assert path.startswith("/api/v1/"), path
        operation_ids[op["operationId"]] += 1
        assert op.get("summary"), f"{method} {path} has no summary"
        assert op.get("tags"), f"{method} {path} has no tag"
        assert op.get("x-permission"), f"{method} {path} does not say who may call it"
        declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
        assert declared == set(re.findall(r"\{(\w+)\}", path)), f"{method} {path}: path parameters"
        for p in op.get("parameters", []):
            assert p["in"] in ("path", "query", "header", "cookie") and "schema" in p
            if p["in"] == "path":
                assert p["required"] is True
        for code, response in op["responses"].items():
            assert re.fullmatch(r"[1-5]\d\d|[1-5]XX|default", code), code
            assert response.get("description"), f"{method} {path} {code}: no description"
        for requirement in op.get("security", []):
            assert set(requirement) <= set(schemes)
    duplicated = [name for name, n in operation_ids.items() if n > 1]
    assert not duplicated, f"operationId used twice: {duplicated}"

    text = str(doc).replace("'", '"')
    for ref in set(_REF.findall(text)):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in doc["components"]["schemas"], f"dangling $ref {ref}"
    for name, schema in doc["components"]["schemas"].items():
        try:
            jsonschema_rs.meta.validate(schema)
        except jsonschema_rs.ValidationError as exc:
            raise AssertionError(
                f"component schema {name} is not valid JSON Schema: {exc}"
            ) from None


async def test_schemathesis_loads_every_operation(doc: dict[str, Any]) -> None:
    import schemathesis
    from schemathesis.core.result import Err

    schema = schemathesis.openapi.from_dict(doc)
    results = list(schema.get_all_operations())
    errors = [str(r.err()) for r in results if isinstance(r, Err)]
    assert not errors, "\n".join(errors)
    assert len(results) == len(_operations(doc))
