"""A development certificate authority for the demo: made at `council demo` time, never committed.

It writes, under the data directory's ``signing/`` folder (``council.signing.config``):
``dev-ca/ca.key.pem`` (the CA's key, readable by the owner only), ``roots/dev-root.pem`` (trusted
by signing and verification when ``SIGNING_TRUST_ROOTS`` is unset) and, for each demo signer,
``people/<username>.p12`` with a random password in ``people/<username>.pass``. Nothing here is
fit for a real council: its CA is not accredited and its keys sit beside the database.
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from council.signing.config import USERNAME, person_p12, signing_dir

CA_NAME = "CA thử nghiệm HĐND (chỉ dùng cho bản demo)"
ORGANISATION = "Hội đồng nhân dân (bản demo)"
VALID_DAYS = 3650


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _folder(settings: Any) -> Path:
    folder = signing_dir(settings)
    if folder is None:
        raise ValueError("the settings name no data directory")
    return folder


def ensure_ca(settings: Any) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """The development CA of this data directory, made on first use."""
    folder = _folder(settings)
    key_path, cert_path = folder / "dev-ca" / "ca.key.pem", folder / "roots" / "dev-root.pem"
    if key_path.is_file() and cert_path.is_file():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key, x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC) - timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(CA_NAME))
        .issuer_name(_name(CA_NAME))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )  # fmt: skip
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(
        key_path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def issue_signer(settings: Any, username: str, full_name: str) -> Path:
    """``username``'s own signing file (PKCS#12) issued by the development CA; kept when it exists."""
    if not USERNAME.match(username):
        raise ValueError(f"not a username for a file name: {username!r}")
    found = person_p12(settings, username)
    if found is not None:
        return found[0]
    ca_key, ca_cert = ensure_ca(settings)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC) - timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(full_name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=VALID_DAYS - 2))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )  # fmt: skip
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    password = secrets.token_urlsafe(18)
    data = pkcs12.serialize_key_and_certificates(
        username.encode(),
        key,
        cert,
        [ca_cert],
        serialization.BestAvailableEncryption(password.encode()),
    )
    people = _folder(settings) / "people"
    _write_private(people / f"{username}.pass", password.encode())
    _write_private(people / f"{username}.p12", data)
    return people / f"{username}.p12"
