"""The outside programs the signing tests use: SoftHSM2 (a real PKCS#11 token) and poppler's
``pdfsig`` with an NSS database made by ``certutil``. Missing: skipped, or failed under CI=true."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SOFTHSM_MODULES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
)
PACKAGES = {"softhsm2-util": "softhsm2", "pdfsig": "poppler-utils", "certutil": "libnss3-tools"}


def need(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        reason = f"needs {program} (Debian package {PACKAGES.get(program, program)})"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + ": .ci/run installs it")
        pytest.skip(reason)
    return path


def softhsm_module() -> str:
    need("softhsm2-util")
    for path in SOFTHSM_MODULES:
        if Path(path).exists():
            return path
    reason = "needs libsofthsm2.so (Debian package softhsm2)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def nss_db(folder: Path, roots: list[bytes]) -> Path:
    """An NSS database trusting the PEM certificates ``roots`` (for ``pdfsig -nssdir``)."""
    certutil = need("certutil")
    folder.mkdir(parents=True, exist_ok=True)
    db = f"sql:{folder}"
    subprocess.run([certutil, "-N", "-d", db, "--empty-password"], check=True, capture_output=True)
    for n, pem in enumerate(roots):
        path = folder / f"root{n}.pem"
        path.write_bytes(pem)
        subprocess.run(
            [certutil, "-A", "-d", db, "-n", f"root{n}", "-t", "CT,C,C", "-i", str(path)],
            check=True,
            capture_output=True,
        )
    return folder


def pdfsig(pdf: Path, nssdir: Path) -> str:
    """``pdfsig``'s report on ``pdf`` with the trust of ``nssdir``."""
    program = need("pdfsig")
    done = subprocess.run(
        [program, "-nssdir", f"sql:{nssdir}", str(pdf)], capture_output=True, text=True, timeout=60
    )
    return done.stdout
