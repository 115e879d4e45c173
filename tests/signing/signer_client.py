"""A small remote signer, run as its own process by the tests: what a signer's client does with
a token on their own computer. It asks the server to prepare the document, signs the digest with
its key (a CMS SignedData for PAdES, made by pyHanko), and sends the CMS back.

    python -m tests.signing.signer_client URL TOKEN TARGET KEY CERT [CHAIN …]

TARGET: a resolution's id, or the path of any document's signing routes without their last part
(``/api/v1/sessions/3/minutes/versions/1/sign`` for a version of the minutes).
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys

import httpx
from asn1crypto import pem, x509
from pyhanko.sign import signers


def _der(path: str) -> bytes:
    data = open(path, "rb").read()
    return pem.unarmor(data)[2] if pem.detect(data) else data


async def sign_remotely(
    url: str, token: str, target: str, key: str, cert: str, chain: list[str]
) -> dict[str, object]:
    signer = signers.SimpleSigner.load(key, cert, ca_chain_files=tuple(chain))
    assert signer is not None, "the key or certificate cannot be read"
    headers = {"Authorization": f"Bearer {token}"}
    path = target if target.startswith("/") else f"/api/v1/resolutions/{int(target)}/sign"
    base = f"{url}{path}"
    announced = base64.b64encode(x509.Certificate.load(_der(cert)).dump()).decode()
    async with httpx.AsyncClient(headers=headers, timeout=60) as http:
        r = await http.post(f"{base}/prepare", json={"certificate": announced})
        r.raise_for_status()
        prepared = r.json()
        digest = base64.b64decode(prepared["digest"])
        cms = await signer.async_sign(digest, prepared["digest_algorithm"], use_pades=True)
        r = await http.post(
            f"{base}/complete",
            json={
                "session_id": prepared["session_id"],
                "cms": base64.b64encode(cms.dump()).decode(),
            },
        )
        return {"status": r.status_code, "body": r.json()}


def main(argv: list[str]) -> int:
    url, token, target, key, cert, *chain = argv
    print(json.dumps(asyncio.run(sign_remotely(url, token, target, key, cert, chain))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
