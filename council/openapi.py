"""The OpenAPI 3.1 document, built from the routes' declared permissions and pydantic schemas."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from council.web import API_REGISTRY, openapi_path

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "object"},
            },
        }
    },
}

_PARAM_TYPES = {"int": {"type": "integer"}, "str": {"type": "string"}, "path": {"type": "string"}}


def build(title: str = "Council platform API", version: str = "1") -> dict[str, Any]:
    models: set[type[BaseModel]] = set()
    for meta in API_REGISTRY:
        if meta.body:
            models.add(meta.body)
        if meta.json_alt:
            models.add(meta.json_alt)
        if meta.response:
            models.add(meta.response)
    ordered = sorted(models, key=lambda m: m.__name__)
    _, defs = models_json_schema(
        [
            (
                m,
                "validation"
                if any(m in (meta.body, meta.json_alt) for meta in API_REGISTRY)
                else "serialization",
            )
            for m in ordered
        ],
        ref_template="#/components/schemas/{model}",
    )
    schemas: dict[str, Any] = dict(defs.get("$defs", {}))
    schemas["Error"] = ERROR_SCHEMA
    paths: dict[str, Any] = {}
    shared = Counter((meta.name, meta.method) for meta in API_REGISTRY)
    for meta in API_REGISTRY:
        path, params = openapi_path(meta.path)
        operation_id = meta.name.replace(".", "_") + "_" + meta.method.lower()
        if shared[(meta.name, meta.method)] > 1:
            # One operation name on several routes (a document, its file, its list): the path
            # tells them apart, since operationIds must be unique.
            operation_id += "__" + re.sub(r"\W+", "_", path.removeprefix("/api/v1/")).strip("_")
        op: dict[str, Any] = {
            "operationId": operation_id,
            "summary": meta.summary,
            "tags": list(meta.tags),
            "x-permission": meta.perm.describe(),
            "parameters": [
                {
                    "name": n,
                    "in": "path",
                    "required": True,
                    "schema": _PARAM_TYPES.get(t, {"type": "string"}),
                }
                for n, t in params
            ]
            + [
                {
                    "name": n,
                    "in": "query",
                    "required": False,
                    "description": d,
                    "schema": {"type": "string"},
                }
                for n, d in (meta.query or {}).items()
            ],
            "responses": {},
        }
        if not meta.perm.public:
            op["security"] = [{"bearer": []}, {"cookie": []}]
        if meta.body is not None:
            op["requestBody"] = {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": f"#/components/schemas/{meta.body.__name__}"}
                    }
                },
            }
        elif meta.multipart:
            op["requestBody"] = {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                name: (
                                    {"type": "string", "format": "binary"}
                                    if kind == "file"
                                    else {"type": "string"}
                                )
                                for name, kind in meta.multipart.items()
                            },
                        }
                    }
                },
            }
            if meta.json_alt is not None:
                ref = {"$ref": f"#/components/schemas/{meta.json_alt.__name__}"}
                op["requestBody"]["content"]["application/json"] = {"schema": ref}
        ok: dict[str, Any] = {"description": "Success"}
        if meta.raw_response:
            ok["content"] = {meta.raw_response: {"schema": {"type": "string", "format": "binary"}}}
        elif meta.response is not None:
            ok["content"] = {
                "application/json": {
                    "schema": {"$ref": f"#/components/schemas/{meta.response.__name__}"}
                }
            }
        op["responses"][str(meta.status)] = ok
        error = {
            "description": "Error",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for code in ("400", "401", "403", "404", "409", "413", "422", "429"):
            op["responses"][code] = error
        paths.setdefault(path, {})[meta.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "council_session"},
            },
        },
    }
