#!/usr/bin/env python3
"""Install the browser libraries from the npm registry, pinned and checksummed, into static/vendor/.

`npm pack` fetches each tarball through the machine's npm configuration; the tarball's SHA-512 must
match the pin below (the registry's `dist.integrity`) before anything is extracted. Nothing is ever
loaded from a CDN at run time.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PINS = (
    # (package, version, sha512 integrity, file in the tarball, installed name)
    (
        "htmx.org",
        "2.0.11",
        "sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA==",
        "package/dist/htmx.min.js",
        "htmx.min.js",
    ),
    (
        "socket.io-client",
        "4.8.4",
        "sha512-7wjKAvVXYOJsbmUgkWbnhPD4bFpkqrUR0++XOjpGFmqDqsqV1CI93VTraeExLxpjxEqrWgFoSRZu1ihjLWfkAA==",
        "package/dist/socket.io.min.js",
        "socket.io.min.js",
    ),
)

DEST = Path(__file__).resolve().parent.parent / "static" / "vendor"


def integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def main() -> int:
    DEST.mkdir(parents=True, exist_ok=True)
    stamp = DEST / ".pins"
    wanted = "\n".join(f"{p}@{v} {i}" for p, v, i, _, _ in PINS)
    if (
        stamp.exists()
        and stamp.read_text() == wanted
        and all((DEST / n).exists() for *_, n in PINS)
    ):
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        for package, version, pin, member, name in PINS:
            subprocess.run(
                ["npm", "pack", f"{package}@{version}", "--pack-destination", tmp, "--silent"],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            tarball = next(Path(tmp).glob(f"{package.replace('/', '-').lstrip('@')}-{version}.tgz"))
            got = integrity(tarball)
            if got != pin:
                print(f"checksum mismatch for {package}@{version}: {got}", file=sys.stderr)
                return 1
            with tarfile.open(tarball) as tar:
                source = tar.extractfile(member)
                if source is None:
                    print(f"{member} missing from {package}@{version}", file=sys.stderr)
                    return 1
                with (DEST / name).open("wb") as out:
                    shutil.copyfileobj(source, out)
            print(f"vendored {package}@{version} -> static/vendor/{name}")
    stamp.write_text(wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
