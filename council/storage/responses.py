"""Serving a stored file to a reader who has passed the route's permission checks.

Files are streamed through the app, never redirected to the store: every byte is served under the
check just made, the bucket stays on the private network, and the page's origin (CSP, the service
worker's offline copies) is the only one the browser talks to.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from typing import Literal
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, Response, StreamingResponse

from council.storage import store
from council.storage.base import BlobMissing

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CONTENT = re.compile(r"^sha256/[0-9a-f]{2}/[0-9a-f]{2}/([0-9a-f]{64})$")


def _disposition(kind: str, filename: str | None) -> str:
    if not filename:
        return kind
    quoted = quote(filename)
    if quoted != filename:
        return f"{kind}; filename*=utf-8''{quoted}"
    return f'{kind}; filename="{filename}"'


def byte_range(header: str | None, size: int) -> tuple[int, int] | Literal[False] | None:
    """The one range asked for as (start, end) inclusive; None to send everything (no header, a
    malformed or multi-range one); False when it cannot be satisfied (416)."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        count = int(last)
        if count == 0:
            return False
        return max(size - count, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        return False
    return start, end


async def file_response(
    request: Request,
    key: str,
    *,
    mime: str,
    filename: str | None = None,
    disposition: str = "inline",
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The file ``key`` as an HTTP response, with Range support. Call it only after the checks."""
    extra = {k.lower(): v for k, v in (headers or {}).items()}
    extra["content-disposition"] = _disposition(disposition, filename)
    backend = store.backend()
    path = backend.local_path(key)
    if path is not None:
        if not await asyncio.to_thread(path.is_file):
            raise BlobMissing(key)
        return FileResponse(path, media_type=mime, headers=extra)
    size = await backend.size(key)
    extra["accept-ranges"] = "bytes"
    content = _CONTENT.match(key)
    if content is not None:
        # A content address never changes its bytes: its hash is the strongest validator.
        etag = f'"{content.group(1)}"'
        extra["etag"] = etag
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=extra)
    wanted = byte_range(request.headers.get("range"), size)
    if_range = request.headers.get("if-range")
    if wanted is not None and if_range is not None and if_range != extra.get("etag"):
        wanted = None  # the reader's copy is another version: send it all
    if wanted is False:
        extra["content-range"] = f"bytes */{size}"
        return Response(status_code=416, headers=extra)
    if wanted is None:
        extra["content-length"] = str(size)
        return StreamingResponse(backend.open(key), media_type=mime, headers=extra)
    start, end = wanted
    extra["content-range"] = f"bytes {start}-{end}/{size}"
    extra["content-length"] = str(end - start + 1)
    return StreamingResponse(
        backend.open(key, start, end), status_code=206, media_type=mime, headers=extra
    )
