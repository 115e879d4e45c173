"""The operations on signed files, declared once (``council.registry``)."""

from __future__ import annotations

from council.i18n import N_
from council.registry import operation
from council.scopes import user_scope
from council.signing import certificates, services
from council.signing.schemas import CertificateIn

PDF_VERIFY = operation(
    "pdf.verify", public=True, service=services.pdf_verify,
    label=N_("Verify a signed PDF"), summary="Check a signed PDF's signatures (the public verification page and API)",
)  # fmt: skip

# Whose certificate a remote signature may use: an administrator registers it to the signer
# (docs/signing.md, "Separation of duties").
SIGNING_CERTIFICATE_LIST = operation(
    "signing.certificate_list", "admin", scope="council", resolve=user_scope,
    service=certificates.certificates_of, label=N_("List signing certificates"),
    summary="The signing certificates registered to an account",
)  # fmt: skip
SIGNING_CERTIFICATE_REGISTER = operation(
    "signing.certificate_register", "admin", scope="council", resolve=user_scope,
    body=CertificateIn, service=certificates.certificate_register,
    label=N_("Register a signing certificate"),
    summary="Register a signer's certificate to their account (remote signatures need it)",
)  # fmt: skip
SIGNING_CERTIFICATE_REMOVE = operation(
    "signing.certificate_remove", "admin", scope="council", resolve=user_scope,
    service=certificates.certificate_remove, label=N_("Remove a signing certificate"),
    summary="Remove a registered signing certificate (lost, replaced)",
)  # fmt: skip
