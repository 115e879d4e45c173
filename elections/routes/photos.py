"""Delegates' photos: the secretariat uploads or removes one (API and a form on the delegate's
page); anyone sees it, small, on the public pages."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from council import storage
from council.errors import DomainError, Invalid
from council.i18n import N_
from council.web import Ctx, api, page
from elections import operations as ops
from elections import photos
from elections.models import DelegatePhoto
from elections.schemas import PhotoOut, PhotoRemovedOut


def photo_url(photo: DelegatePhoto) -> str:
    """The photo's address; its version in the query, so that a new photo is fetched anew."""
    return f"/delegates/{photo.user_id}/photo?v={photo.path[-12:]}"


def photo_out(photo: DelegatePhoto) -> PhotoOut:
    return PhotoOut(
        user_id=photo.user_id,
        url=photo_url(photo),
        width=photo.width,
        height=photo.height,
        size=photo.size,
    )


async def _upload(ctx: Ctx) -> bytes:
    form = await ctx.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise Invalid(fields={"file": str(N_("Choose a photo (JPEG, PNG or WebP)."))})
    return await upload.read(photos.MAX_BYTES + 1)


@api(
    "POST",
    "/api/v1/delegates/{user_id:int}/photo",
    perm=ops.DELEGATE_PHOTO,
    response=PhotoOut,
    tags=["elections"],
    summary="Set a delegate's photo (JPEG, PNG or WebP up to 5 MB; stored resized)",
    multipart={"file": "the picture"},
)
async def photo_set(ctx: Ctx) -> PhotoOut:
    data = await _upload(ctx)
    return photo_out(await photos.photo_set(ctx.require_user(), ctx.params["user_id"], data))


@api(
    "DELETE",
    "/api/v1/delegates/{user_id:int}/photo",
    perm=ops.DELEGATE_PHOTO,
    response=PhotoRemovedOut,
    tags=["elections"],
    summary="Remove a delegate's photo",
)
async def photo_remove(ctx: Ctx) -> PhotoRemovedOut:
    await photos.photo_remove(ctx.require_user(), ctx.params["user_id"])
    return PhotoRemovedOut(user_id=ctx.params["user_id"], removed=True)


@page("/delegates/{user_id:int}/photo", perm=ops.DELEGATE_PHOTO_VIEW)
async def photo_file(ctx: Ctx) -> Response:
    """The photo itself, cached by browsers for a day."""
    photo = await photos.photo_of(ctx.params["user_id"])
    return await storage.file_response(
        ctx.request,
        photo.path,
        mime="image/webp",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@page("/delegates/{user_id:int}/photo/edit", perm=ops.DELEGATE_PHOTO, methods=("POST",))
async def photo_form(ctx: Ctx) -> Response:
    """The form on the delegate's page: upload a photo, or remove it."""
    user_id = ctx.params["user_id"]
    form = await ctx.form()
    try:
        if form.get("remove") == "1":
            await photos.photo_remove(ctx.require_user(), user_id)
        else:
            await photos.photo_set(ctx.require_user(), user_id, await _upload(ctx))
    except DomainError as exc:
        return RedirectResponse(
            f"/delegates/{user_id}?photo_error={exc.code}#photo", status_code=303
        )
    return RedirectResponse(f"/delegates/{user_id}?photo=saved#photo", status_code=303)


routes = [photo_set, photo_remove, photo_file, photo_form]
