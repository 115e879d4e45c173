"""The operations on signed files, declared once (``council.registry``)."""

from __future__ import annotations

from council.i18n import N_
from council.registry import operation
from council.signing import services

PDF_VERIFY = operation(
    "pdf.verify", public=True, service=services.pdf_verify,
    label=N_("Verify a signed PDF"), summary="Check a signed PDF's signatures (the public verification page and API)",
)  # fmt: skip
