"""The single-writer lock: an OS file lock (``fcntl.flock``) on a file in the index directory.

Every web process runs an outbox worker, but a batch is written only by the process that
holds the index's lock; the others skip and try again on their next poll. The kernel drops
the lock when its holder dies, so another process takes over by itself. ``flock`` works
between processes of one machine (and between open files within one process); on several
machines sharing the index over a network file system use one writer host instead (see
docs/search.md).
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

__all__ = ["WriteLock"]


class WriteLock:
    """An exclusive lock on ``path`` between processes (``flock``) and within one (a mutex).

    Not reentrant: a second ``acquire`` from the same process waits (or fails) like any other.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._mutex = threading.Lock()
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """Whether this process currently holds the lock."""
        return self._fd is not None

    def acquire(self, blocking: bool = False) -> bool:
        """Take the lock; without ``blocking``, return False at once if anyone else has it."""
        if not self._mutex.acquire(blocking):
            return False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BaseException:
                os.close(fd)
                raise
        except BlockingIOError:
            self._mutex.release()
            return False
        except BaseException:
            self._mutex.release()
            raise
        self._fd = fd
        return True

    def release(self) -> None:
        """Release the lock (closing the descriptor drops the ``flock``)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        finally:
            self._mutex.release()

    def __enter__(self) -> WriteLock:
        self.acquire(blocking=True)
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
