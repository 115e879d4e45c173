"""Signed records: PAdES signatures made with pyHanko and their verification.

Minutes, resolutions and election records all sign through :func:`council.signing.pades.sign_pdf`
and are checked by :func:`council.signing.verify.verify_pdf`. Keys come from an organisation's
PKCS#12 file or from a PKCS#11 token whose PIN the signer types at signing time (``source``).
"""

from council.signing.config import SigningConfig, load_trust_roots
from council.signing.pades import Signatory, sign_pdf
from council.signing.source import KeySource, PinLocked, WrongPin
from council.signing.verify import Report, SignatureReport, verify_pdf

__all__ = [
    "KeySource",
    "PinLocked",
    "Report",
    "SignatureReport",
    "Signatory",
    "SigningConfig",
    "WrongPin",
    "load_trust_roots",
    "sign_pdf",
    "verify_pdf",
]
