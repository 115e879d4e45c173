"""Where files live: a local folder (the default) or an S3-compatible bucket, by ``STORAGE_URL``.

Every uploaded or generated file goes through here. New files are stored once per content, under
``sha256/ab/cd/<sha256>``; rows keep the key with their own name and type. See
docs/architecture.md ("Uploads") and docs/operations.md ("Files").
"""

from council.storage.base import (
    CACHE_PREFIX,
    Backend,
    BlobMissing,
    StorageUnavailable,
    check_key,
    content_key,
)
from council.storage.responses import file_response
from council.storage.store import (
    StoredFile,
    backend,
    check,
    configure,
    discard,
    exists,
    from_settings,
    in_use,
    local_copy,
    read_bytes,
    references,
    register_reference,
    release,
    save_bytes,
    save_file,
    save_upload,
    size,
    stream,
    use,
)

__all__ = [
    "CACHE_PREFIX",
    "Backend",
    "BlobMissing",
    "StorageUnavailable",
    "StoredFile",
    "backend",
    "check",
    "check_key",
    "configure",
    "content_key",
    "discard",
    "exists",
    "file_response",
    "from_settings",
    "in_use",
    "local_copy",
    "read_bytes",
    "references",
    "register_reference",
    "release",
    "save_bytes",
    "save_file",
    "save_upload",
    "size",
    "stream",
    "use",
]
