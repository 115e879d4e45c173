"""What signing and verification read from the settings: keys, trust roots, the timestamp server."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import pem, x509

CERT_SUFFIXES = (".pem", ".crt", ".cer", ".der")
# Under the data directory: ``signing/roots/`` (CA certificates trusted when SIGNING_TRUST_ROOTS is
# unset) and ``signing/people/<username>.p12`` with its password in ``<username>.pass`` (a
# signer's own PKCS#12 file; `council demo` writes them for its development CA).
SIGNING_DIR = "signing"
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class SigningConfig:
    p12_path: str | None = None
    p12_password: str | None = field(default=None, repr=False)
    pkcs11_module: str | None = None
    pkcs11_slot: int | None = None
    pkcs11_label: str | None = None
    trust_roots: str | None = None
    tsa_url: str | None = None

    @classmethod
    def from_settings(cls, settings: Any) -> SigningConfig:
        slot = getattr(settings, "signing_pkcs11_slot", None)
        return cls(
            p12_path=getattr(settings, "signing_p12_path", None),
            p12_password=getattr(settings, "signing_p12_password", None),
            pkcs11_module=getattr(settings, "signing_pkcs11_module", None),
            pkcs11_slot=int(slot) if slot not in (None, "") else None,
            pkcs11_label=getattr(settings, "signing_pkcs11_label", None),
            trust_roots=trust_roots_dir(settings),
            tsa_url=getattr(settings, "tsa_url", None),
        )

    @classmethod
    def for_signer(cls, settings: Any, username: str) -> SigningConfig:
        """The key ``username`` signs with: their own PKCS#12 file under the data directory
        (``signing/people/``) when there is one, else the configured token or organisation file."""
        base = cls.from_settings(settings)
        own = person_p12(settings, username)
        if own is None:
            return base
        p12, password = own
        return SigningConfig(
            p12_path=str(p12), p12_password=password, trust_roots=base.trust_roots,
            tsa_url=base.tsa_url,
        )  # fmt: skip

    @property
    def uses_token(self) -> bool:
        return bool(self.pkcs11_module)

    @property
    def can_sign(self) -> bool:
        return bool(self.pkcs11_module or self.p12_path)

    def roots(self) -> list[x509.Certificate]:
        return load_trust_roots(self.trust_roots)


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM file (one or many) or a single DER certificate."""
    if pem.detect(data):
        return [x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]
    return [x509.Certificate.load(data)]


def load_trust_roots(directory: str | Path | None) -> list[x509.Certificate]:
    """The CA certificates in ``directory`` (``SIGNING_TRUST_ROOTS``); none when unset."""
    if not directory:
        return []
    folder = Path(directory)
    if not folder.is_dir():
        raise ValueError(f"SIGNING_TRUST_ROOTS is not a directory: {folder}")
    certs: list[x509.Certificate] = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in CERT_SUFFIXES and path.is_file():
            certs.extend(load_certificates(path.read_bytes()))
    return certs


def signing_dir(settings: Any) -> Path | None:
    data_dir = getattr(settings, "data_dir", None)
    return Path(data_dir) / SIGNING_DIR if data_dir else None


def trust_roots_dir(settings: Any) -> str | None:
    """``SIGNING_TRUST_ROOTS``, else the data directory's ``signing/roots`` when it holds any."""
    configured = getattr(settings, "signing_trust_roots", None)
    if configured:
        return str(configured)
    folder = signing_dir(settings)
    if folder is not None and (folder / "roots").is_dir() and any((folder / "roots").iterdir()):
        return str(folder / "roots")
    return None


def person_p12(settings: Any, username: str) -> tuple[Path, str] | None:
    """``username``'s own PKCS#12 file and its password, when the data directory holds them."""
    folder = signing_dir(settings)
    if folder is None or not USERNAME.match(username):
        return None
    p12 = folder / "people" / f"{username}.p12"
    secret = p12.with_suffix(".pass")
    if not (p12.is_file() and secret.is_file()):
        return None
    return p12, secret.read_text().strip()
