"""A real PKCS#11 token for the tests: SoftHSM2, initialised with a signer's key and chain."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.signing import tools
from tests.signing.pki import TestPki

USER_PIN = "246810"
SO_PIN = "13579135"


def make_token(pki: TestPki, folder: Path, who: str, label: str) -> str:
    """A SoftHSM2 token ``label`` holding ``who``'s key and certificates; returns the module path.

    SoftHSM reads ``SOFTHSM2_CONF`` once, when the module is first loaded in this process, so all
    tokens of a run share the first folder."""
    module = tools.softhsm_module()
    util = tools.need("softhsm2-util")
    if "SOFTHSM2_CONF" not in os.environ:
        (folder / "tokens").mkdir(parents=True, exist_ok=True)
        conf = folder / "softhsm2.conf"
        conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n")
        os.environ["SOFTHSM2_CONF"] = str(conf)
    run = lambda *args: subprocess.run([util, *args], check=True, capture_output=True, text=True)  # noqa: E731
    run("--init-token", "--free", "--label", label, "--pin", USER_PIN, "--so-pin", SO_PIN)
    run(
        "--import",
        str(pki.key_path(who)),
        "--token",
        label,
        "--label",
        who,
        "--id",
        "01",
        "--pin",
        USER_PIN,
    )
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    from council.signing.source import _lib

    token = _lib(module).get_token(token_label=label)
    with token.open(rw=True, user_pin=USER_PIN) as session:
        for name, key_id in ((who, b"\x01"), ("interm", b"\x02")):
            cert = pki.arch.get_cert(_cert_label(name))
            session.create_object(
                {
                    Attribute.CLASS: ObjectClass.CERTIFICATE,
                    Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                    Attribute.TOKEN: True,
                    Attribute.LABEL: name,
                    Attribute.ID: key_id,
                    Attribute.SUBJECT: cert.subject.dump(),
                    Attribute.VALUE: cert.dump(),
                }
            )
    del pkcs11
    return module


def _cert_label(name: str):  # type: ignore[no-untyped-def]
    from certomancer.registry import CertLabel

    return CertLabel(name)
