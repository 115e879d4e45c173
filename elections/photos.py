"""Delegates' photos: the secretariat uploads one, the public pages show it small.

The upload is checked for its real type (JPEG, PNG or WebP, sniffed from its bytes) and size,
then decoded in a worker process (``council.workers``: a decompression bomb or a crash in the
decoder ends the worker, not the server) with a cap on pixels, turned upright, cut to a portrait
of at most 240×320 and stored as WebP (a few kilobytes) through ``council.storage``. The upload
itself is not kept.
"""

from __future__ import annotations

import io

from tortoise.transactions import in_transaction

from council import audit, storage, uploads, workers
from council.errors import DomainError, NotFound, TooLarge
from council.i18n import N_
from council.models import User
from elections import services
from elections.models import DelegatePhoto

MAX_BYTES = 5 << 20
MAX_PIXELS = 40_000_000  # a 40-megapixel camera's picture; beyond it, refused before decoding
ALLOWED = frozenset({"image/jpeg", "image/png", "image/webp"})
BOX = (240, 320)  # the largest stored picture, portrait
SEAT_ROLES = ("delegate", "chair")

workers.preload("PIL.Image")


def thumbnail(data: bytes, max_pixels: int = MAX_PIXELS) -> tuple[bytes, int, int]:
    """(WebP bytes, width, height) of the picture fitted in ``BOX``. Runs in a worker process."""
    from PIL import Image, ImageOps  # in the worker only: preloaded there, never in the server

    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:  # over twice the cap: refused on the header alone
        raise ValueError("too_many_pixels") from None
    with image:
        width, height = image.size
        if width * height > max_pixels or min(width, height) < 1:
            raise ValueError("too_many_pixels")
        if image.format not in ("JPEG", "PNG", "WEBP"):
            raise ValueError("unsupported")
        image.draft("RGB", (BOX[0] * 2, BOX[1] * 2))  # JPEG: decode at a smaller scale
        upright = ImageOps.exif_transpose(image).convert("RGB")
    upright.thumbnail(BOX, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    upright.save(out, format="WEBP", quality=80, method=4)
    return out.getvalue(), upright.width, upright.height


async def _delegate(user_id: int) -> User:
    user = await User.get_or_none(id=user_id)
    if user is None or user.role not in SEAT_ROLES or user.council_id is None:  # type: ignore[attr-defined]
        raise NotFound(N_("No delegate has this id."))
    return user


async def photo_set(actor: User, user_id: int, data: bytes) -> DelegatePhoto:
    """delegate.photo: the secretariat sets a delegate's photo (replacing the one before)."""
    delegate = await _delegate(user_id)
    services.require_manager(actor, delegate.council_id or 0)
    if not data:
        raise DomainError("empty_file", N_("The file is empty."), status=422)
    if len(data) > MAX_BYTES:
        raise TooLarge(max_mb=MAX_BYTES >> 20)
    mime = uploads.sniff_mime(data[:8192])
    if mime not in ALLOWED:
        raise DomainError(
            "unsupported_type",
            N_("A photo is a JPEG, PNG or WebP picture."),
            status=422,
            detected=mime or "unknown",
        )
    try:
        small, width, height = await workers.run(thumbnail, data)
    except ValueError as exc:
        if str(exc) == "too_many_pixels":
            raise DomainError(
                "too_many_pixels",
                N_("This picture is too large: at most 40 megapixels."),
                status=422,
            ) from None
        raise DomainError(
            "unreadable_image",
            N_("This picture cannot be read: the file may be damaged."),
            status=422,
        ) from None
    except OSError:  # Pillow's "cannot identify image file", a truncated file
        raise DomainError(
            "unreadable_image",
            N_("This picture cannot be read: the file may be damaged."),
            status=422,
        ) from None
    stored = await uploads.store_bytes(
        small, original_name=f"delegate-{user_id}.webp", mime="image/webp"
    )
    try:
        async with in_transaction():
            photo = await DelegatePhoto.get_or_none(user_id=delegate.id)
            before = photo.path if photo else None
            if photo is None:
                photo = DelegatePhoto(user_id=delegate.id)
            photo.path, photo.width, photo.height = stored.path, width, height
            photo.size, photo.updated_by_id = stored.size, actor.id  # type: ignore[attr-defined]
            await photo.save()
            await audit.record(
                "delegate.photo",
                actor=actor,
                target_type="user",
                target_id=delegate.id,
                council_id=delegate.council_id,  # type: ignore[attr-defined]
                details={"sha256": stored.sha256, "width": width, "height": height},
            )
    except BaseException:
        await storage.discard([stored])
        raise
    if before and before != stored.path:
        await storage.release(before)
    return photo


async def photo_remove(actor: User, user_id: int) -> None:
    """delegate.photo (removal): the public pages show no photo again."""
    delegate = await _delegate(user_id)
    services.require_manager(actor, delegate.council_id or 0)
    photo = await DelegatePhoto.get_or_none(user_id=delegate.id)
    if photo is None:
        return
    async with in_transaction():
        await photo.delete()
        await audit.record(
            "delegate.photo",
            actor=actor,
            target_type="user",
            target_id=delegate.id,
            council_id=delegate.council_id,  # type: ignore[attr-defined]
            details={"removed": True},
        )
    await storage.release(photo.path)


async def photos_of(user_ids: list[int]) -> dict[int, DelegatePhoto]:
    """The photos of these delegates, by user id."""
    return {p.user_id: p for p in await DelegatePhoto.filter(user_id__in=user_ids or [0])}


async def photo_of(user_id: int) -> DelegatePhoto:
    photo = await DelegatePhoto.get_or_none(user_id=user_id)
    if photo is None:
        raise NotFound(N_("This delegate has no photo."))
    return photo
