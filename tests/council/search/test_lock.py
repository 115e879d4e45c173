"""The single-writer lock holds between processes and is released when its holder dies."""

import subprocess
import sys
from pathlib import Path

from council.search.lock import WriteLock

HOLDER = """
import sys
from pathlib import Path
from council.search.lock import WriteLock
lock = WriteLock(Path(sys.argv[1]))
assert lock.acquire(blocking=True)
print("locked", flush=True)
sys.stdin.readline()
"""


def test_another_process_holding_the_lock_excludes_us(tmp_path: Path) -> None:
    path = tmp_path / "writer.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        lock = WriteLock(path)
        assert not lock.acquire()
        assert not lock.held
        holder.kill()  # a writer dying drops its lock
        holder.wait()
        assert lock.acquire(blocking=True)
        lock.release()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        for pipe in (holder.stdin, holder.stdout):
            if pipe is not None:
                pipe.close()


def test_two_lock_objects_in_one_process_exclude_each_other(tmp_path: Path) -> None:
    a, b = WriteLock(tmp_path / "w.lock"), WriteLock(tmp_path / "w.lock")
    assert a.acquire()
    assert not b.acquire()
    assert not a.acquire()  # not reentrant
    a.release()
    assert b.acquire()
    b.release()
    with a:
        assert a.held and not b.acquire()
    assert not a.held
