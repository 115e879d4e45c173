"""Static files under content-hashed names, compressed once, cached by browsers for a year.

``url("css/app.css")`` is ``/static/css/app.<hash>.css``: the name changes whenever the content
does, so browsers, proxies and CDNs may keep it forever (``immutable``) and a new release is
fetched at once. The plain name (``/static/css/app.css``) still works, with a short cache. Each
file is read, hashed and compressed (brotli and gzip) once per change, in memory: no build step,
and every node of a deployment derives the same names from the same files.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import brotli
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
# A plain or outdated name: long enough to spare a page's repeat requests, short enough that a
# release shows within minutes.
SHORT = "public, max-age=300"
# The service worker is fetched by the browser itself to look for a new version: a cached copy
# would keep an old worker alive. It never gets a hashed, immutable name.
NEVER_HASHED = frozenset({"js/sw.js"})
COMPRESSIBLE = frozenset({".css", ".js", ".json", ".svg", ".txt", ".map", ".html", ".xml"})
DIGEST_LENGTH = 10
_HASHED = re.compile(
    rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{DIGEST_LENGTH}}})(?P<ext>\.[A-Za-z0-9]+)$"
)
_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


@dataclass
class Asset:
    """One file of static/: its bytes, hash and compressed forms (kept only when smaller)."""

    path: str
    body: bytes
    digest: str
    media_type: str
    stamp: tuple[int, int]
    _encoded: dict[str, bytes] | None = field(default=None, repr=False)

    @property
    def encoded(self) -> dict[str, bytes]:
        """Its brotli and gzip forms, made on first use (brotli's best level takes a while)."""
        if self._encoded is None:
            self._encoded = _compress(self.path, self.body)
        return self._encoded

    @property
    def hashed_path(self) -> str:
        if self.path in NEVER_HASHED:
            return self.path
        name = PurePosixPath(self.path)
        return str(name.with_name(f"{name.stem}.{self.digest}{name.suffix}"))


def _media_type(path: str) -> str:
    suffix = PurePosixPath(path).suffix
    media = _TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    if media.startswith("text/") or media in {"application/json", "image/svg+xml"}:
        media += "; charset=utf-8"
    return media


def _compress(path: str, body: bytes) -> dict[str, bytes]:
    if PurePosixPath(path).suffix not in COMPRESSIBLE:
        return {}
    forms = {
        "br": brotli.compress(body, quality=11, mode=brotli.MODE_TEXT),
        "gzip": gzip.compress(body, compresslevel=9, mtime=0),
    }
    return {name: data for name, data in forms.items() if len(data) < len(body)}


class Assets:
    """The files of one directory, by their plain path (``css/app.css``)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory.resolve()
        self._files: dict[str, Asset] = {}

    def _file(self, path: str) -> Path | None:
        parts = PurePosixPath(path).parts
        if not parts or any(p.startswith(".") or p in {"..", "/"} for p in parts):
            return None
        file = self.directory.joinpath(*parts)
        return file if file.is_file() else None

    def get(self, path: str) -> Asset | None:
        """The asset at ``path``, read again when the file has changed since it was last read."""
        file = self._file(path)
        if file is None:
            return None
        stat = file.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        asset = self._files.get(path)
        if asset is None or asset.stamp != stamp:
            body = file.read_bytes()
            digest = hashlib.sha256(body).hexdigest()[:DIGEST_LENGTH]
            asset = Asset(path, body, digest, _media_type(path), stamp)
            self._files[path] = asset
        return asset

    def url(self, path: str) -> str:
        """The address to put in a page: the hashed name, or the plain one for a missing file."""
        asset = self.get(path)
        return f"/static/{asset.hashed_path if asset else path}"

    def resolve(self, requested: str) -> tuple[Asset, bool] | None:
        """The asset a request names, and whether that name is its current hashed one."""
        asset = self.get(requested)
        if asset is not None:
            return asset, False
        match = _HASHED.match(requested)
        if match is None:
            return None
        asset = self.get(match["stem"] + match["ext"])
        if asset is None:
            return None
        # A name hashed by another release (a page served by another node during a rolling
        # update) gets today's file, but never as immutable: its content is not that hash's.
        fresh = asset.digest == match["digest"] and asset.path not in NEVER_HASHED
        return asset, fresh


def negotiate(accept_encoding: str, offered: dict[str, bytes]) -> str | None:
    """The best of ``offered`` that the client accepts (brotli first), or None for identity."""
    accepted = {}
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        accepted[name.strip()] = q
    for name in ("br", "gzip"):
        if name in offered and accepted.get(name, accepted.get("*", 0.0)) > 0:
            return name
    return None


def _resolve_compressed(assets: Assets, requested: str) -> tuple[Asset, bool] | None:
    found = assets.resolve(requested)
    if found is not None:
        found[0].encoded  # noqa: B018 - compressed here, in a thread, not on the event loop
    return found


class StaticAssets:
    """The ASGI app mounted at /static: hashed names immutable, plain names briefly cached."""

    def __init__(self, assets: Assets) -> None:
        self.assets = assets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        requested = path.lstrip("/")
        if scope["method"] not in ("GET", "HEAD"):
            response = Response(status_code=405, headers={"Allow": "GET, HEAD"})
            await response(scope, receive, send)
            return
        found = await asyncio.to_thread(_resolve_compressed, self.assets, requested)
        if found is None:
            await Response("Not found", status_code=404, media_type="text/plain")(
                scope, receive, send
            )
            return
        asset, immutable = found
        headers = Headers(scope=scope)
        encoding = negotiate(headers.get("accept-encoding", ""), asset.encoded)
        body = asset.encoded[encoding] if encoding else asset.body
        etag = f'"{asset.digest}{"." + encoding if encoding else ""}"'
        out = {"ETag": etag, "Cache-Control": IMMUTABLE if immutable else SHORT}
        if asset.path in NEVER_HASHED:
            out["Cache-Control"] = "no-cache"
        if asset.encoded:
            out["Vary"] = "Accept-Encoding"
        if encoding:
            out["Content-Encoding"] = encoding
        if etag in [t.strip() for t in headers.get("if-none-match", "").split(",")]:
            await Response(status_code=304, headers=out)(scope, receive, send)
            return
        response = Response(body, media_type=asset.media_type, headers=out)
        if scope["method"] == "HEAD":
            response.body = b""
        await response(scope, receive, send)


STATIC = Assets(STATIC_DIR)


def url(path: str) -> str:
    """The address of ``static/<path>`` to put in a page (hashed: cached for a year)."""
    return STATIC.url(path)
