"""What signing and verification read from the settings: keys, trust roots, the timestamp server."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import pem, x509

CERT_SUFFIXES = (".pem", ".crt", ".cer", ".der")


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
            trust_roots=getattr(settings, "signing_trust_roots", None),
            tsa_url=getattr(settings, "tsa_url", None),
        )

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
