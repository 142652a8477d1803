"""``fork_map``: a function over many items, on several CPUs, results in order.

``check`` over a directory spends its time in Python code that holds the GIL, so more CPUs means
more processes. Worker processes are forked from the running process: they start with the rule
base and every module already loaded (nothing is pickled on the way in, and their memory pages
are shared with the parent until written), and only the results come back, pickled, through a
pipe. The parent works too, so ``jobs=2`` is one extra process.

Work is handed out in chunks through a pipe holding the chunk numbers as 4-byte integers, written
before forking: every process reads 4 bytes at a time, the kernel gives each read distinct bytes,
so a process that runs faster simply takes more chunks. A worker that fails or dies loses nothing:
the parent computes whatever chunks did not come back. Where ``os.fork`` does not exist
(Windows), or the input is small, the map runs in this process. ``jobs`` beyond the usable CPUs
is capped at them: the work is CPU-bound, so more processes than CPUs only add forks, memory and
switching (``-j 64`` on 2 CPUs ran 3x slower than ``-j 2``).
"""

from __future__ import annotations

import os
import struct
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 256
"""Below this, forking costs more than it saves (a fork takes a few milliseconds)."""
CHUNK = 64
MAX_CHUNKS = 4096


DEFAULT_MAX_JOBS = 4
"""``--jobs`` by default: the usable CPUs, at most this many (each process adds 10-30 MiB)."""


def default_jobs() -> int:
    return max(1, min(usable_cpus(), DEFAULT_MAX_JOBS))


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def fork_map(fn: Callable[[T], R], items: Sequence[T], jobs: int) -> list[R]:
    """``[fn(x) for x in items]``, computed by ``jobs`` processes (at most the usable CPUs) when
    that pays off."""
    jobs = min(jobs, usable_cpus())
    if jobs <= 1 or len(items) < MIN_ITEMS or not hasattr(os, "fork"):
        return [fn(x) for x in items]
    # At most MAX_CHUNKS chunk numbers of 4 bytes: they fit a pipe's buffer (64 KiB on Linux, 16 KiB
    # at least elsewhere), so writing them all before any reader exists never blocks.
    size = max(CHUNK, -(-len(items) // MAX_CHUNKS))
    chunks = [range(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    jobs = min(jobs, len(chunks))
    queue_r, queue_w = os.pipe()
    os.write(queue_w, b"".join(struct.pack("=I", i) for i in range(len(chunks))))
    os.close(queue_w)
    sys.stdout.flush()  # nothing buffered is written twice
    sys.stderr.flush()
    workers: list[tuple[int, int]] = []
    try:
        for _ in range(jobs - 1):
            result_r, result_w = os.pipe()
            try:
                pid = os.fork()
            except OSError:  # no more processes allowed: go on with fewer
                os.close(result_r)
                os.close(result_w)
                break
            if pid == 0:  # the worker: never returns
                os.close(result_r)
                _work(fn, items, chunks, queue_r, result_w)
            os.close(result_w)
            workers.append((pid, result_r))
        done = _take_chunks(fn, items, chunks, queue_r)
        for _, result_r in workers:
            done.update(_collect(result_r))
    finally:
        os.close(queue_r)
        for pid, result_r in workers:
            _reap(pid, result_r)
    missing = [i for i in range(len(chunks)) if i not in done]
    for i in missing:  # a worker failed: its chunks are computed here
        done[i] = [fn(items[j]) for j in chunks[i]]
    return [result for i in range(len(chunks)) for result in done[i]]


def _take_chunks(fn: Callable[[T], R], items: Sequence[T], chunks: list[range], queue_r: int) -> dict[int, list[R]]:
    done: dict[int, list[R]] = {}
    while True:
        token = os.read(queue_r, 4)
        if len(token) < 4:
            return done
        (index,) = struct.unpack("=I", token)
        done[index] = [fn(items[j]) for j in chunks[index]]


def _work(fn: Callable[[T], R], items: Sequence[T], chunks: list[range], queue_r: int, result_w: int) -> None:
    """A worker's whole life; leaves with ``os._exit``, so no parent cleanup or buffer runs twice."""
    import pickle

    code = 0
    try:
        data = pickle.dumps(_take_chunks(fn, items, chunks, queue_r), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(result_w, "wb") as out:
            out.write(data)
    except BaseException:  # noqa: BLE001 - any failure: the parent recomputes this worker's chunks
        code = 1
    os._exit(code)


def _collect(result_r: int) -> dict[int, list[Any]]:
    """What a worker sent, or nothing if it failed (its chunks are then recomputed)."""
    import pickle

    parts = []
    while chunk := os.read(result_r, 1 << 20):
        parts.append(chunk)
    try:
        done = pickle.loads(b"".join(parts))
    except Exception:  # noqa: BLE001 - a worker that died mid-write sent a truncated pickle
        return {}
    return done if isinstance(done, dict) else {}


def _reap(pid: int, result_r: int) -> None:
    try:
        os.close(result_r)
    except OSError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
