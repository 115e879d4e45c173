"""Files in a bucket of any S3-compatible server (MinIO, Ceph, SeaweedFS, AWS), through boto3.

boto3 is blocking; every call runs on a small thread pool of its own, so that a slow store ties up
at most those threads, never the event loop nor the default pool that text extraction and backups
share. (aioboto3 would spare the threads, but it pins aiobotocore to exact botocore releases and
brings aiohttp sessions of its own; for a few calls per request, threads are the plainer choice.)
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from council.storage.base import CHUNK, BlobMissing, StorageUnavailable, check_key

T = TypeVar("T")
THREADS = 16
_MISSING = {"404", "NoSuchKey", "NotFound"}


def _config(*, connect: float, read: float, attempts: int) -> Config:
    return Config(
        connect_timeout=connect,
        read_timeout=read,
        retries={"max_attempts": attempts, "mode": "standard"},
        max_pool_connections=THREADS,
        # Plain Content-MD5/unsigned-payload uploads, which every S3-compatible server accepts
        # (the CRC checksums botocore sends by default since 1.36 are refused by some).
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        s3={"addressing_style": "path"},
    )


class S3Backend:
    name = "s3"

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        region: str | None = None,
        staging: Path | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.endpoint_url = endpoint_url
        session = boto3.session.Session(
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            region_name=region or "us-east-1",
        )
        self._client = session.client(
            "s3", endpoint_url=endpoint_url, config=_config(connect=5, read=60, attempts=3)
        )
        # Readiness must answer fast: one attempt, short timeouts.
        self._probe = session.client(
            "s3", endpoint_url=endpoint_url, config=_config(connect=2, read=3, attempts=1)
        )
        self._pool = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="storage-s3")
        self._transfer = TransferConfig(max_concurrency=4)
        self._staging = staging or Path(tempfile.gettempdir())
        self._staging.mkdir(parents=True, exist_ok=True)

    def describe(self) -> str:
        where = f" at {self.endpoint_url}" if self.endpoint_url else ""
        return f"s3://{self.bucket}/{self.prefix}{where}"

    def local_path(self, key: str) -> Path | None:
        return None

    def staging_dir(self) -> Path:
        return self._staging

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    async def _call(self, fn: Callable[..., T], *args: Any, key: str = "", **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, lambda: fn(*args, **kwargs))
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            if key and code in _MISSING:
                raise BlobMissing(key) from None
            raise StorageUnavailable(f"{code}: {error.get('Message', '')}".strip()) from None
        except BotoCoreError as exc:
            raise StorageUnavailable(f"{type(exc).__name__}: {exc}") from None

    async def put_file(self, key: str, path: Path, *, mime: str) -> None:
        try:
            await self._call(
                self._client.upload_file,
                str(path),
                self.bucket,
                self._key(key),
                ExtraArgs={"ContentType": mime},
                Config=self._transfer,
            )
        finally:
            await asyncio.to_thread(path.unlink, missing_ok=True)

    async def put_bytes(self, key: str, data: bytes, *, mime: str) -> None:
        await self._call(
            self._client.put_object,
            Bucket=self.bucket,
            Key=self._key(key),
            Body=data,
            ContentType=mime,
        )

    async def exists(self, key: str) -> bool:
        try:
            await self.size(key)
        except BlobMissing:
            return False
        return True

    async def size(self, key: str) -> int:
        head = await self._call(
            self._client.head_object, Bucket=self.bucket, Key=self._key(key), key=key
        )
        return int(head["ContentLength"])

    async def open(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        args: dict[str, Any] = {"Bucket": self.bucket, "Key": self._key(key)}
        if start or end is not None:
            args["Range"] = f"bytes={start}-{'' if end is None else end}"
        got = await self._call(self._client.get_object, key=key, **args)
        body = got["Body"]
        try:
            while chunk := await self._call(body.read, CHUNK, key=key):
                yield chunk
        finally:
            # Returns the connection to the pool (or drops it when the reader left early).
            await asyncio.get_running_loop().run_in_executor(self._pool, body.close)

    async def delete(self, key: str) -> None:
        await self._call(self._client.delete_object, Bucket=self.bucket, Key=self._key(key))

    async def iterate(self, prefix: str = "") -> AsyncIterator[tuple[str, int]]:
        token: str | None = None
        while True:
            args: dict[str, Any] = {"Bucket": self.bucket, "Prefix": self.prefix + prefix}
            if token:
                args["ContinuationToken"] = token
            page = await self._call(self._client.list_objects_v2, **args)
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix) :], int(item["Size"])
            if not page.get("IsTruncated"):
                return
            token = page["NextContinuationToken"]

    async def check(self) -> None:
        try:
            await self._call(self._probe.head_bucket, Bucket=self.bucket)
        except StorageUnavailable as exc:
            # HEAD answers carry no error body: say what the bare status means.
            meaning = {
                "404": f"the bucket {self.bucket} does not exist",
                "403": "access denied: check S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY",
                "400": "bad request: check S3_REGION and S3_ENDPOINT_URL",
            }.get(exc.reason.split(":", 1)[0])
            if meaning is None:
                raise
            raise StorageUnavailable(meaning) from None

    async def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
