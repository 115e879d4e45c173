"""Delegates' photos (delegate.photo): the secretariat uploads one through council.storage, the
type sniffed, the size and pixels bounded, decoded in a worker process and stored small; the
public pages show it."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from council import storage
from elections.models import DelegatePhoto
from tests.elections.test_contacts import _seated_ward
from tests.factories import bearer, error_code, make_council, make_user


def _jpeg_lying_on_its_side() -> bytes:
    """A 1600×1200 camera picture whose EXIF says: turn it 90° (a portrait, upright)."""
    image = Image.new("RGB", (1600, 1200), (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, 800, 1200))  # left half blue: the top once upright
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, exif=exif)
    return out.getvalue()


def _png_bomb() -> bytes:
    """A PNG that declares 50,000 × 50,000 pixels in a few bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )


async def test_the_secretariat_sets_a_photo_shown_small(client, anon) -> None:
    ward, h, staff, (delegate,) = await _seated_ward(client, "HN-PH")
    url = f"/api/v1/delegates/{delegate.id}/photo"

    def upload(data: bytes, name: str = "anh.jpg") -> dict:
        return {"files": {"file": (name, data, "application/octet-stream")}}

    # Who may: the council's secretariat only.
    assert (await anon.post(url, **upload(_jpeg_lying_on_its_side()))).status_code == 401
    for who in (delegate, await make_user("secretariat", council=await make_council())):
        r = await client.post(url, headers=await bearer(who), **upload(_jpeg_lying_on_its_side()))
        assert r.status_code == 403, r.text

    # Hostile or wrong files: a clear error each, nothing stored.
    for data, status, code in [
        (b"not a picture at all, only words" * 10, 422, "unsupported_type"),
        (b"%PDF-1.7\n" + b"0" * 2000, 422, "unsupported_type"),
        (_png_bomb(), 422, "too_many_pixels"),
        (_jpeg_lying_on_its_side()[:3000], 422, "unreadable_image"),
        (b"\xff\xd8\xff" + b"\0" * (5 << 20), 413, "too_large"),
    ]:
        r = await client.post(url, headers=h, **upload(data))
        assert (r.status_code, error_code(r)) == (status, code), r.text[:300]
    assert not await DelegatePhoto.exists(user_id=delegate.id)

    r = await client.post(url, headers=h, **upload(_jpeg_lying_on_its_side()))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["width"], body["height"]) == (240, 320)  # upright, fitted in 240×320
    assert body["size"] < 20_000
    got = await anon.get(body["url"])
    assert got.status_code == 200 and got.headers["content-type"] == "image/webp"
    picture = Image.open(io.BytesIO(got.content))
    assert picture.size == (240, 320)
    top, bottom = picture.getpixel((120, 10)), picture.getpixel((120, 310))
    assert top[2] > 150 and bottom[0] > 150  # blue on top: turned the way EXIF said

    page = HTMLParser((await anon.get(f"/delegates?council={ward.code}")).text)
    img = page.css_first(f"#delegate-{delegate.id} img.delegate-photo")
    assert img is not None and img.attributes["src"] == body["url"]
    page = HTMLParser((await anon.get(f"/delegates/{delegate.id}")).text)
    assert page.css_first("#photo img.portrait").attributes["src"] == body["url"]
    assert page.css_first("form.photo-form") is None  # the public gets no form

    # A new photo replaces the old one, whose blob goes; removing it leaves none.
    old = (await DelegatePhoto.get(user_id=delegate.id)).path
    png = io.BytesIO()
    Image.new("RGB", (300, 300), (0, 120, 0)).save(png, format="PNG")
    r = await client.post(url, headers=h, **upload(png.getvalue(), "anh.png"))
    assert r.status_code == 200 and (r.json()["width"], r.json()["height"]) == (240, 240)
    assert not await storage.exists(old)
    r = await client.delete(url, headers=h)
    assert r.status_code == 200 and r.json() == {"user_id": delegate.id, "removed": True}
    assert (await anon.get(f"/delegates/{delegate.id}/photo")).status_code == 404
