"""Work on uploaded files in worker processes, within limits of memory and time.

Parsing a file someone uploaded (a PDF's text, a DOCX, a page drawn by PDFium) runs whatever the
file asks for: a content stream of millions of operators, an archive that inflates a thousandfold.
Run in the server, that blocks the event loop (a thread holds the GIL as well) and can take the
whole process down. Here each job runs in a separate process whose address space is capped
(``RLIMIT_AS``) and which is killed when it runs past its time; the caller gets a
:class:`WorkerLimit` or :class:`WorkerCrashed`, both domain errors (422) with a message that says
what to do, and the server carries on.

Workers are kept between jobs (a ``python`` running :func:`_serve`; the libraries a job needs are
imported once, :func:`preload`) and replaced after a limit, a crash or :data:`JOBS_PER_WORKER`
jobs. A job is a module-level function and its arguments, sent pickled through the worker's
stdin; pass files by path rather than by value where you can.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import pickle
import resource
import signal
import struct
import sys
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO, TypeVar

from prometheus_client import Counter

from council.errors import DomainError
from council.i18n import N_

__all__ = [
    "Limits",
    "WorkerCrashed",
    "WorkerLimit",
    "WorkersUnavailable",
    "busy",
    "configure",
    "limits",
    "preload",
    "run",
    "shutdown",
]

log = logging.getLogger(__name__)

T = TypeVar("T")
JOBS = Counter(
    "council_worker_jobs",
    "Jobs run in worker processes, by outcome: ok, error (the job's own), time, memory, crashed",
    ["outcome"],
)
_HEADER = struct.Struct("!Q")
JOBS_PER_WORKER = 50  # then a fresh process: no job inherits another's heap
IDLE_SECONDS = 300.0  # an idle worker is stopped after this
START_SECONDS = 60.0  # starting a worker (an interpreter and its imports) may take this long
MAX_RESULT_BYTES = 256 << 20
NICE = 10
_IN_WORKER = "COUNCIL_IN_WORKER"
# Not ``-m council.workers``: run as __main__, this module would be a second copy beside the
# ``council.workers`` a job imports (and register its metrics twice).
_ENTRY = "import sys; from council.workers import _serve; _serve(sys.argv[1:])"


@dataclass(frozen=True)
class Limits:
    """What one job may use: its address space in MB, its wall-clock seconds; ``jobs`` at once.

    ``lane``: jobs of a lane wait for their own ``jobs`` slots, never for the shared ones (nor
    hold them): a job that waits on the network (a signature's revocation check) must not keep
    the pages' renders and the uploads waiting. ``None``: the shared slots, whose number is the
    configured ``jobs`` (``configure``)."""

    memory_mb: int = 1024
    seconds: float = 60.0
    jobs: int = 2
    lane: str | None = None


class WorkerLimit(DomainError):
    """A job went past its memory or time limit and was stopped."""

    status = 422

    def __init__(self, limit: str, pid: int) -> None:
        super().__init__(
            "too_complex",
            N_(
                "Reading this file needed more time or memory than one file may use, so it was "
                "stopped. Save it again (as PDF, for instance) or split it, then upload it again."
            ),
            limit=limit,
        )
        self.pid = pid


class WorkerCrashed(DomainError):
    """The worker process died during the job (a crash in a parsing library)."""

    status = 422

    def __init__(self, pid: int, returncode: int | None) -> None:
        super().__init__(
            "unreadable_document",
            N_("The program reading this file stopped on it: the file may be damaged."),
        )
        self.pid = pid
        self.returncode = returncode


class WorkersUnavailable(DomainError):
    """No worker process could be started (the machine is out of processes or memory)."""

    status = 503

    def __init__(self) -> None:
        super().__init__(
            "unavailable",
            N_("The server cannot read files right now. Please try again in a moment."),
        )


_limits = Limits()
_preload: list[str] = []


def configure(settings: Any) -> Limits:
    """Take the limits from ``settings`` (``worker_memory_mb``, ``worker_seconds``, ``worker_jobs``)."""
    global _limits
    _limits = Limits(
        memory_mb=int(settings.worker_memory_mb),
        seconds=float(settings.worker_seconds),
        jobs=max(1, int(settings.worker_jobs)),
    )
    return _limits


def limits() -> Limits:
    return _limits


def set_limits(new: Limits) -> Limits:
    """Replace the limits (tests, benchmarks); returns the previous ones."""
    global _limits
    old, _limits = _limits, new
    return old


def preload(*modules: str) -> None:
    """Modules every new worker imports before its first job (the parsing libraries)."""
    for name in modules:
        if name not in _preload:
            _preload.append(name)


# --- the server's side --------------------------------------------------------------------------


class _Worker:
    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.jobs = 0
        self.idle_timer: asyncio.TimerHandle | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    async def send(self, payload: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(_HEADER.pack(len(payload)) + payload)
        await self.proc.stdin.drain()

    async def receive(self) -> bytes:
        assert self.proc.stdout is not None
        (size,) = _HEADER.unpack(await self.proc.stdout.readexactly(_HEADER.size))
        if size > MAX_RESULT_BYTES:
            raise ValueError(f"a result of {size} bytes")
        return await self.proc.stdout.readexactly(size)

    async def stop(self, kill: bool = False) -> None:
        if self.idle_timer is not None:
            self.idle_timer.cancel()
        if self.proc.returncode is None:
            if kill:
                self.proc.kill()
            elif self.proc.stdin is not None:
                self.proc.stdin.close()  # the worker ends at the end of its input
        try:
            await asyncio.wait_for(self.proc.wait(), timeout=10)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()


class _Pool:
    """The workers of one event loop: at most ``jobs`` busy at once, idle ones kept a while."""

    def __init__(self) -> None:
        self.idle: list[_Worker] = []
        self.gate: asyncio.Semaphore | None = None
        self.gate_size = 0
        self.lanes: dict[str, tuple[asyncio.Semaphore, int]] = {}
        self.busy = 0

    def semaphore(self, limit: Limits | None = None) -> asyncio.Semaphore:
        """The slots ``limit``'s job waits for: its lane's own, or the shared ones."""
        if limit is not None and limit.lane is not None:
            gate = self.lanes.get(limit.lane)
            if gate is None or gate[1] != limit.jobs:
                gate = self.lanes[limit.lane] = (asyncio.Semaphore(limit.jobs), limit.jobs)
            return gate[0]
        if self.gate is None or self.gate_size != _limits.jobs:
            self.gate, self.gate_size = asyncio.Semaphore(_limits.jobs), _limits.jobs
        return self.gate

    async def take(self) -> _Worker:
        while self.idle:
            worker = self.idle.pop()
            if worker.idle_timer is not None:
                worker.idle_timer.cancel()
            if worker.proc.returncode is None:
                return worker
        return await _start()

    def give_back(self, worker: _Worker) -> None:
        if worker.jobs >= JOBS_PER_WORKER or worker.proc.returncode is not None:
            asyncio.get_running_loop().create_task(worker.stop())
            return
        loop = asyncio.get_running_loop()
        worker.idle_timer = loop.call_later(IDLE_SECONDS, self._expire, worker)
        self.idle.append(worker)

    def _expire(self, worker: _Worker) -> None:
        if worker in self.idle:
            self.idle.remove(worker)
            asyncio.get_running_loop().create_task(worker.stop())

    async def close(self) -> None:
        idle, self.idle = self.idle, []
        await asyncio.gather(*(worker.stop() for worker in idle))


_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Pool] = weakref.WeakKeyDictionary()


def _pool() -> _Pool:
    loop = asyncio.get_running_loop()
    pool = _pools.get(loop)
    if pool is None:
        pool = _pools[loop] = _Pool()
    return pool


async def _start() -> _Worker:
    if os.environ.get(_IN_WORKER):
        # a job that imports a module starting jobs at import time would fork without end
        raise RuntimeError("a worker process does not start workers")
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _ENTRY,
            *_preload,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, _IN_WORKER: "1"},
        )
    except OSError:
        log.exception("could not start a worker process")
        raise WorkersUnavailable() from None
    worker = _Worker(proc)
    try:
        assert proc.stdout is not None
        await asyncio.wait_for(proc.stdout.readexactly(1), timeout=START_SECONDS)
    except (TimeoutError, asyncio.IncompleteReadError):
        await worker.stop(kill=True)
        log.error("a worker process did not start (exit status %s)", proc.returncode)
        raise WorkersUnavailable() from None
    except BaseException:
        await worker.stop(kill=True)
        raise
    return worker


async def run(
    fn: Callable[..., T],
    *args: Any,
    limit: Limits | None = None,
    **kwargs: Any,
) -> T:
    """``fn(*args, **kwargs)`` in a worker process; its result, or the exception it raised.

    ``fn`` must be a module-level function; arguments and result travel pickled. Past the limits
    (``limit``'s memory and seconds; the configured ones by default) the job is stopped with
    :class:`WorkerLimit`; a worker that dies raises :class:`WorkerCrashed`."""
    if getattr(fn, "__module__", None) == "__main__":
        raise TypeError(f"{fn!r}: a worker imports its job by name; __main__ is not importable")
    chosen = limit or _limits
    seconds, memory = chosen.seconds, chosen.memory_mb << 20
    payload = pickle.dumps((fn, args, kwargs, memory), protocol=pickle.HIGHEST_PROTOCOL)
    pool = _pool()
    async with pool.semaphore(chosen):
        pool.busy += 1
        try:
            return await _run_on(pool, fn, payload, seconds, memory)
        finally:
            pool.busy -= 1


async def _run_on(
    pool: _Pool, fn: Callable[..., T], payload: bytes, seconds: float, memory: int
) -> T:
    worker = await pool.take()
    worker.jobs += 1
    started = time.monotonic()
    reply = await _exchange(worker, fn, payload, seconds)
    try:
        kind, value = pickle.loads(reply)
    except Exception:
        await worker.stop(kill=True)
        JOBS.labels("crashed").inc()
        raise WorkerCrashed(worker.pid, worker.proc.returncode) from None
    elapsed = time.monotonic() - started
    if kind == "memory":
        await worker.stop()
        log.warning(
            "worker %d stopped: %s ran past its %d MB after %.1f s",
            worker.pid,
            _name(fn),
            memory >> 20,
            elapsed,
        )
        JOBS.labels("memory").inc()
        raise WorkerLimit("memory", worker.pid)
    pool.give_back(worker)
    log.debug("worker %d ran %s in %.3f s", worker.pid, _name(fn), elapsed)
    JOBS.labels(kind).inc()
    if kind == "error":
        raise value
    return value  # type: ignore[no-any-return]


async def _exchange(
    worker: _Worker, fn: Callable[..., Any], payload: bytes, seconds: float
) -> bytes:
    """Send the job and wait for its reply; a worker that runs late, dies or is cancelled with
    its caller is killed."""
    done = False
    try:
        async with asyncio.timeout(seconds):
            await worker.send(payload)
            reply = await worker.receive()
        done = True
        return reply
    except TimeoutError:
        log.warning("worker %d stopped: %s ran past its %.1f s", worker.pid, _name(fn), seconds)
        JOBS.labels("time").inc()
        raise WorkerLimit("time", worker.pid) from None
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        # A worker that closed its output is usually exiting: let it finish, so that its own exit
        # status is the one reported, before killing what is left.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(worker.proc.wait(), timeout=2)
        await worker.stop(kill=True)
        log.warning(
            "worker %d died during %s (exit status %s)",
            worker.pid,
            _name(fn),
            worker.proc.returncode,
        )
        JOBS.labels("crashed").inc()
        raise WorkerCrashed(worker.pid, worker.proc.returncode) from None
    finally:
        if not done:
            await worker.stop(kill=True)


def busy() -> int:
    """Jobs running now in this event loop's workers."""
    pool = _pools.get(asyncio.get_running_loop())
    return pool.busy if pool is not None else 0


async def shutdown() -> None:
    """Stop this event loop's idle workers (at the app's shutdown)."""
    pool = _pools.get(asyncio.get_running_loop())
    if pool is not None:
        await pool.close()


def _name(fn: Callable[..., Any]) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


# --- the worker's side --------------------------------------------------------------------------


def _read_exact(stream: BinaryIO, size: int) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def _ran_dry(exc: BaseException | None) -> bool:
    """Whether ``exc`` is, or was raised while handling, a MemoryError (a library that wraps
    every error into its own still ran out of memory)."""
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, MemoryError):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _reply(kind: str, value: Any) -> bytes:
    try:
        data = pickle.dumps((kind, value), protocol=pickle.HIGHEST_PROTOCOL)
        pickle.loads(data)  # an exception whose class cannot be rebuilt from its args
        return data
    except Exception:  # still says what happened
        return pickle.dumps(("error", RuntimeError(f"{type(value).__name__}: {value}")))


def _serve(preloads: list[str]) -> None:
    """Answer jobs from stdin until it closes (or until a job ran out of memory)."""
    # Ctrl-C on the server reaches its whole process group: the worker ends with its input.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Reading a file is background work: where cores are short, the server's event loop (votes,
    # health checks) goes first.
    os.nice(NICE)
    out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # what a library prints goes to the log, never into the replies
    sys.stdout = sys.stderr
    source = os.fdopen(0, "rb", buffering=0)
    for name in preloads:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    out.write(b"R")
    while True:
        header = _read_exact(source, _HEADER.size)
        if header is None:
            return
        body = _read_exact(source, _HEADER.unpack(header)[0])
        if body is None:
            return
        out_of_memory = False
        try:
            fn, args, kwargs, memory = pickle.loads(body)
            cap = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
            reply: tuple[str, Any] = ("ok", fn(*args, **kwargs))
        except BaseException as exc:
            out_of_memory = _ran_dry(exc)
            reply = ("memory", None) if out_of_memory else ("error", exc)
        finally:
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        data = _reply(*reply)
        del reply
        out.write(_HEADER.pack(len(data)) + data)
        if out_of_memory:
            return  # a heap that ran dry is not trusted with another job
