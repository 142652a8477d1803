"""Run the demonstrations with a single BLAS thread.

The scenarios multiply small matrices (batches of 32 by layers of 16-64 units). OpenBLAS splits
even those across every core, and on a two-core machine the thread hand-off costs more than the
arithmetic: measured, one thread runs the same training about 2x faster. A single thread also
keeps the summation order, and so every number, the same on machines with different core counts.

The thread count is process-wide, so it is changed only for the duration of a run and restored
afterwards. Where the BLAS cannot be reached (another BLAS, an unusual build) nothing changes;
``NNADVISOR_DEMO_THREADS=keep`` leaves the thread count alone (for timing comparisons).
"""

from __future__ import annotations

import ctypes
import glob
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

_Handle = tuple[Callable[[int], None], Callable[[], int]]
_handle: _Handle | None = None
_searched = False

_SYMBOLS = (
    ("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
    ("scipy_openblas_set_num_threads", "scipy_openblas_get_num_threads"),
    ("openblas_set_num_threads64_", "openblas_get_num_threads64_"),
    ("openblas_set_num_threads", "openblas_get_num_threads"),
)


def _find() -> _Handle | None:
    """The OpenBLAS bundled with NumPy's wheel (numpy.libs / .dylibs), if it is there."""
    import numpy as np

    root = Path(np.__file__).resolve().parent
    candidates: list[str] = []
    for pattern in ("../numpy.libs/*openblas*", ".dylibs/*openblas*", "../numpy/.libs/*openblas*"):
        candidates.extend(glob.glob(str(root / pattern)))
    for path in candidates:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for set_name, get_name in _SYMBOLS:
            setter = getattr(lib, set_name, None)
            getter = getattr(lib, get_name, None)
            if setter is not None and getter is not None:
                setter.argtypes = [ctypes.c_int]
                getter.restype = ctypes.c_int
                return (lambda n, f=setter: f(n)), (lambda f=getter: int(f()))
    return None


@contextmanager
def single_thread() -> Iterator[None]:
    """Limit NumPy's BLAS to one thread inside the block (no-op if it cannot be controlled)."""
    global _handle, _searched
    if os.environ.get("NNADVISOR_DEMO_THREADS") == "keep":
        yield
        return
    if not _searched:
        _searched = True
        try:
            _handle = _find()
        except Exception:  # pragma: no cover - exotic builds; speed only, never correctness
            _handle = None
    if _handle is None:
        yield
        return
    set_threads, get_threads = _handle
    before = get_threads()
    set_threads(1)
    try:
        yield
    finally:
        set_threads(before)
