"""PAdES signatures with a visible stamp, each added as an incremental update.

Levels: B-B with the chain's revocation data embedded (no timestamp server configured); B-LT
when ``TSA_URL`` is set (a signature timestamp plus revocation data in the document security
store); B-LTA when asked for an archive copy (a document timestamp on top).
"""

from __future__ import annotations

import functools
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.general import SigningError
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext

from council.errors import Conflict, DomainError
from council.i18n import N_
from council.signing.config import SigningConfig
from council.signing.source import KeySource

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FONT = (
    Path(__file__).resolve().parent.parent / "officialdoc" / "fonts" / "LiberationSerif-Regular.ttf"
)
Level = Literal["B-B", "B-LT", "B-LTA"]

# Nghị định 30/2020, Phụ lục I: the signature block sits under the text, the signer of the body
# (chair) on the right; a second signer (the minutes' secretary) on the left, at the same height.
STAMP_W, STAMP_H = 210, 62
STAMP_FONT = 9
BOXES = {
    "left": (56, 60, 56 + STAMP_W, 60 + STAMP_H),
    "right": (595 - 56 - STAMP_W, 60, 595 - 56, 60 + STAMP_H),
}


class CertificateRefused(Conflict):
    """The signer's certificate does not validate now (revoked, expired, unknown issuer)."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            "certificate_refused",
            N_(
                "The signing certificate cannot be used: it is revoked, expired, or not issued "
                "by a trusted authority. Ask the certificate authority for a valid one."
            ),
            reason=reason,
        )


class UnsignablePdf(DomainError):
    """pyHanko cannot add a signature to the file (encrypted, or damaged beyond what it reads):
    an uploaded edit of the minutes that the pages' renderer opened."""

    status = 422
    MESSAGE = N_(
        "This PDF cannot be signed: it is protected by a password or damaged. Save it "
        "again without a password and upload it as a new version."
    )

    def __init__(self, reason: str) -> None:
        super().__init__("pdf_unsignable", self.MESSAGE, reason=reason[:200])


@dataclass(frozen=True)
class Signatory:
    """Who signs, as the stamp shows it: ``field`` names the signature in the PDF."""

    field: str
    name: str
    title: str
    position: Literal["left", "right"] = "right"
    reason: str | None = None
    location: str | None = None
    # Where the stamp goes on the last page (PDF points, from the bottom left), when the caller
    # found the document's own signature block; else the box of ``position``.
    box: tuple[int, int, int, int] | None = None


def level_for(config: SigningConfig, archive: bool = False) -> Level:
    if not config.tsa_url:
        return "B-B"
    return "B-LTA" if archive else "B-LT"


@functools.cache
def stamp_font() -> str:
    """Liberation Serif rescaled to 1000 units per em: pyHanko writes glyph widths in font units
    and PDF reads them per 1000, so a 2048-unit font would come out twice as wide."""
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    target = Path(tempfile.gettempdir()) / f"council-stamp-{FONT.stat().st_size}-{os.getuid()}.ttf"
    if not target.exists():
        font = TTFont(str(FONT))
        scale_upem(font, 1000)
        partial = target.with_suffix(f".{os.getpid()}.part")
        font.save(str(partial))
        partial.replace(target)
    return str(target)


def stamp(signatory: Signatory, when: datetime) -> tuple[TextStampStyle, dict[str, str]]:
    """The visible stamp: its style and the text parameters it is filled with."""
    style = TextStampStyle(
        stamp_text="Ký bởi: %(who)s\n%(title)s\nThời gian ký: %(local_time)s",
        text_box_style=TextBoxStyle(
            font=GlyphAccumulatorFactory(stamp_font(), font_size=STAMP_FONT), font_size=STAMP_FONT
        ),
        border_width=1,
        background=None,
    )
    params = {
        "who": signatory.name,
        "title": signatory.title,
        "local_time": when.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y (GMT+7)"),
    }
    return style, params


def with_field(data: bytes, signatory: Signatory) -> IncrementalPdfFileWriter:
    """A writer of ``data`` with the signatory's empty field, visible on the last page."""
    try:
        writer = IncrementalPdfFileWriter(BytesIO(data), strict=False)
        if writer.prev.encrypted:
            raise UnsignablePdf("encrypted")
        last_page = int(PdfFileReader(BytesIO(data), strict=False).root["/Pages"]["/Count"]) - 1
        fields.append_signature_field(
            writer,
            fields.SigFieldSpec(
                sig_field_name=signatory.field,
                on_page=last_page,
                box=signatory.box or BOXES[signatory.position],
            ),
        )
    except (PdfError, KeyError, TypeError, ValueError) as exc:
        raise UnsignablePdf(str(exc)) from exc
    return writer


def sign_pdf(
    data: bytes,
    signatory: Signatory,
    config: SigningConfig,
    *,
    pin: str | None = None,
    archive: bool = False,
    now: datetime | None = None,
) -> bytes:
    """``data`` with one more signature (an incremental update: earlier ones stay valid).

    Blocking (token, timestamp and revocation requests): call it from a thread."""
    level = level_for(config, archive)
    roots = config.roots()
    context = ValidationContext(
        trust_roots=roots or None, allow_fetching=True, revocation_mode="soft-fail"
    )
    timestamper = timestamps.HTTPTimeStamper(config.tsa_url) if config.tsa_url else None
    when = now or datetime.now(LOCAL_TZ)
    writer = with_field(data, signatory)
    style, params = stamp(signatory, when)
    meta = signers.PdfSignatureMetadata(
        field_name=signatory.field,
        name=signatory.name,
        reason=signatory.reason,
        location=signatory.location,
        subfilter=fields.SigSeedSubFilter.PADES,
        # revocation data can be gathered only along a chain that reaches a configured root
        embed_validation_info=bool(roots),
        validation_context=context,
        use_pades_lta=level == "B-LTA",
    )
    out = BytesIO()
    with KeySource(config).signer(pin) as signer:
        pdf_signer = signers.PdfSigner(
            meta, signer=signer, timestamper=timestamper, stamp_style=style
        )
        try:
            pdf_signer.sign_pdf(writer, output=out, appearance_text_params=params)
        except SigningError as exc:
            raise CertificateRefused(str(exc)) from exc
        except PdfError as exc:
            raise UnsignablePdf(str(exc)) from exc
    return out.getvalue()
