"""Signed records: PAdES signatures made with pyHanko and their verification.

Minutes, resolutions and election records all sign through :func:`council.signing.pades.sign_pdf`
and are checked by :func:`council.signing.verify.verify_pdf`. Keys come from an organisation's
PKCS#12 file or from a PKCS#11 token whose PIN the signer types at signing time (``source``).
"""

import warnings

# pyHanko imports cryptography's DSA key class for its type hints; cryptography 46 warns on that
# import. We never sign nor accept DSA (PAdES with RSA/ECDSA); the warning only cluttered every
# `council` command's output (and stderr, which scripts read). Not E402: the filter must come first.
warnings.filterwarnings("ignore", message="DSA is deprecated", module="pyhanko")

from council.signing.config import SigningConfig, load_trust_roots  # noqa: E402
from council.signing.pades import Signatory, sign_pdf  # noqa: E402
from council.signing.source import KeySource, PinLocked, WrongPin  # noqa: E402
from council.signing.verify import Report, SignatureReport, verify_pdf  # noqa: E402

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
