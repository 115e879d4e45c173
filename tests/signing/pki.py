"""A test PKI made with certomancer: root and intermediate CAs, a chair, a secretary and a revoked
signer, with CRLs, OCSP and a timestamp authority served on loopback by certomancer's animator."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.serving import BaseWSGIServer, make_server

ARCH = "council"
KEYS = ("root", "interm", "chair", "secretary", "revoked", "tsa")
VALIDITY = {"valid-from": "2020-01-01T00:00:00+0000", "valid-to": "2045-01-01T00:00:00+0000"}
P12_PASSWORD = "p12-secret"


def _key_usage(*uses: str) -> dict[str, Any]:
    return {
        "id": "key_usage",
        "critical": True,
        "smart-value": {"schema": "key-usage", "params": list(uses)},
    }


def _revinfo(issuer: str) -> list[dict[str, Any]]:
    return [
        {
            "id": "crl_distribution_points",
            "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": [issuer]}},
        },
        {
            "id": "authority_information_access",
            "smart-value": {"schema": "aia-urls", "params": {"ocsp-responder-names": [issuer]}},
        },
    ]


def _signer(issuer: str, **more: Any) -> dict[str, Any]:
    return {
        "issuer": issuer,
        "validity": VALIDITY,
        "extensions": [_key_usage("digital_signature", "non_repudiation"), *_revinfo(issuer)],
        **more,
    }


def config(base_url: str, key_dir: Path) -> dict[str, Any]:
    ca_ext = {"id": "basic_constraints", "critical": True, "value": {"ca": True}}
    return {
        "external-url-prefix": base_url,
        "keysets": {
            "council": {
                "path-prefix": str(key_dir),
                "keys": {name: {"path": f"{name}.key.pem"} for name in KEYS},
            }
        },
        "pki-architectures": {
            ARCH: {
                "keyset": "council",
                "entity-defaults": {"country-name": "VN", "organization-name": "HĐND thử nghiệm"},
                "entities": {
                    "root": {"common-name": "Test Root CA"},
                    "interm": {"common-name": "Test Intermediate CA"},
                    "chair": {"common-name": "Nguyễn Văn Chủ"},
                    "secretary": {"common-name": "Trần Thị Thư Ký"},
                    "revoked": {"common-name": "Lê Văn Bị Thu Hồi"},
                    "tsa": {"common-name": "Test Time Stamping Authority"},
                },
                "certs": {
                    "root": {
                        "subject": "root",
                        "issuer": "root",
                        "validity": VALIDITY,
                        "extensions": [
                            ca_ext,
                            _key_usage("digital_signature", "key_cert_sign", "crl_sign"),
                        ],
                    },
                    "interm": {
                        "issuer": "root",
                        "validity": VALIDITY,
                        "extensions": [
                            ca_ext,
                            _key_usage("digital_signature", "key_cert_sign", "crl_sign"),
                            *_revinfo("root"),
                        ],
                    },
                    "chair": _signer("interm"),
                    "secretary": _signer("interm"),
                    "revoked": _signer(
                        "interm",
                        revocation={
                            "revoked-since": "2021-01-01T00:00:00+0000",
                            "reason": "key_compromise",
                        },
                    ),
                    "tsa": {
                        "issuer": "root",
                        "validity": VALIDITY,
                        "extensions": [
                            _key_usage("digital_signature"),
                            {
                                "id": "extended_key_usage",
                                "critical": True,
                                "value": ["time_stamping"],
                            },
                        ],
                    },
                },
                "services": {
                    "ocsp": {
                        name: {"for-issuer": name, "responder-cert": name, "signing-key": name}
                        for name in ("root", "interm")
                    },
                    "crl-repo": {
                        name: {
                            "for-issuer": name,
                            "signing-key": name,
                            "simulated-update-schedule": "P90D",
                        }
                        for name in ("root", "interm")
                    },
                    "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
                },
            }
        },
    }


@dataclass
class TestPki:
    __test__ = False  # a helper, not a test class

    base_url: str
    folder: Path
    arch: Any
    server: BaseWSGIServer

    @property
    def tsa_url(self) -> str:
        return f"{self.base_url}/{ARCH}/tsa/tsa"

    @property
    def roots_dir(self) -> Path:
        return self.folder / "roots"

    def cert_pem(self, label: str) -> bytes:
        from asn1crypto import pem
        from certomancer.registry import CertLabel

        return pem.armor("CERTIFICATE", self.arch.get_cert(CertLabel(label)).dump())

    def cert_der(self, label: str) -> bytes:
        from certomancer.registry import CertLabel

        return bytes(self.arch.get_cert(CertLabel(label)).dump())

    def key_path(self, label: str) -> Path:
        return self.folder / "keys" / f"{label}.key.pem"

    def p12(self, label: str) -> Path:
        from certomancer.registry import CertLabel

        path = self.folder / f"{label}.p12"
        if not path.exists():
            path.write_bytes(
                self.arch.package_pkcs12(CertLabel(label), password=P12_PASSWORD.encode())
            )
        return path


def start(folder: Path) -> Iterator[TestPki]:
    """Make the keys and certificates under ``folder`` and serve the PKI until the generator ends."""
    from certomancer.integrations.animator import Animator, AnimatorArchStore
    from certomancer.registry import ArchLabel, CertomancerConfig

    key_dir = folder / "keys"
    key_dir.mkdir(parents=True, exist_ok=True)
    for name in KEYS:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        (key_dir / f"{name}.key.pem").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    server = make_server("127.0.0.1", 0, lambda e, s: [])  # the port first: the URLs name it
    base_url = f"http://127.0.0.1:{server.server_port}"
    (folder / "certomancer.yml").write_text(
        yaml.safe_dump(config(base_url, key_dir), allow_unicode=True)
    )
    cfg = CertomancerConfig.from_file(str(folder / "certomancer.yml"), key_search_dir=str(key_dir))
    arch = cfg.get_pki_arch(ArchLabel(ARCH))
    server.app = Animator(AnimatorArchStore({ARCH: arch}), with_web_ui=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    pki = TestPki(base_url, folder, arch, server)
    pki.roots_dir.mkdir(exist_ok=True)
    (pki.roots_dir / "root.pem").write_bytes(pki.cert_pem("root"))
    try:
        yield pki
    finally:
        server.shutdown()
        thread.join(timeout=5)
