"""Gzip on the fly for the text the app generates: pages, fragments, JSON, CSV.

Only types listed in ``COMPRESSIBLE`` (an allow-list: PDFs, pictures and office files are
compressed already, and a download answered in ranges must stay byte for byte). A response that
chose its own encoding (static assets, precompressed) or says ``no-transform`` passes untouched.
"""

from __future__ import annotations

import zlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COMPRESSIBLE = frozenset(
    {
        "text/html",
        "text/plain",
        "text/css",
        "text/csv",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/problem+json",
        "application/xml",
        "image/svg+xml",
    }
)
MINIMUM_SIZE = 500  # below it the gzip frame costs more than it saves
LEVEL = 6  # nearly level 9's ratio on HTML, at a third of the time


def accepts_gzip(scope: Scope) -> bool:
    for part in Headers(scope=scope).get("accept-encoding", "").lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _wanted(message: Message) -> bool:
    headers = Headers(raw=message["headers"])
    media = headers.get("content-type", "").partition(";")[0].strip().lower()
    return (
        message["status"] not in (204, 206, 304)
        and media in COMPRESSIBLE
        and "content-encoding" not in headers
        and "no-transform" not in headers.get("cache-control", "")
    )


class CompressionMiddleware:
    def __init__(self, app: ASGIApp, *, minimum_size: int = MINIMUM_SIZE) -> None:
        self.app = app
        self.minimum_size = minimum_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        gzip_ok = accepts_gzip(scope)
        start: Message = {}
        compressor: zlib._Compress | None = None
        passing = False

        async def send_compressed(message: Message) -> None:
            nonlocal start, compressor, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                start = message
                return
            if compressor is not None:
                more = message.get("more_body", False)
                data = compressor.compress(message.get("body", b""))
                data += compressor.flush(zlib.Z_SYNC_FLUSH if more else zlib.Z_FINISH)
                await send({"type": "http.response.body", "body": data, "more_body": more})
                return
            body = message.get("body", b"")
            more = message.get("more_body", False)
            wanted = message["type"] == "http.response.body" and _wanted(start)
            headers = MutableHeaders(scope=start)
            if wanted:
                headers.add_vary_header("Accept-Encoding")
            if not wanted or not gzip_ok or (not more and len(body) < self.minimum_size):
                passing = True
                await send(start)
                await send(message)
                return
            compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            headers["Content-Encoding"] = "gzip"
            del headers["Content-Length"]
            etag = headers.get("etag")
            if etag and not etag.startswith("W/"):
                headers["ETag"] = "W/" + etag  # the same content, not the same bytes
            # Each chunk of a streamed response is flushed, so that it reaches the client now.
            data = compressor.compress(body) + compressor.flush(
                zlib.Z_SYNC_FLUSH if more else zlib.Z_FINISH
            )
            if not more:
                headers["Content-Length"] = str(len(data))
            await send(start)
            await send({"type": "http.response.body", "body": data, "more_body": more})

        await self.app(scope, receive, send_compressed)
