"""Cheap identities of files and contents, for cache keys.

- :func:`digest`: BLAKE2b of some bytes. It comes from the ``_blake2`` module, which is what
  ``hashlib.blake2b`` is: importing ``hashlib`` loads OpenSSL's libcrypto, about 4 ms of a start-up
  that budgets.md allows some 70 ms in all.
- :func:`tree_stamp`: the relative path, size and modification time of every file under a
  directory (``os.scandir``; no file is opened). It changes when a file is added, removed, renamed
  or written, in place or replaced, which is what a cache keyed by it needs; it is not a content
  hash (a ``touch`` changes it too), so the caches store what they derived from it under a content
  hash computed only when the stamp changes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - CPython always builds _blake2; hashlib has it too
    from hashlib import blake2b


def digest(parts: Iterable[bytes], size: int = 32) -> str:
    """Hex BLAKE2b of the concatenated parts (``size`` bytes, so ``2 * size`` hex digits)."""
    h = blake2b(digest_size=size)
    for part in parts:
        h.update(part)
    return h.hexdigest()


def short(text: str) -> str:
    """A 24-hex-digit name for a stamp (the stamp itself is stored and compared, so a collision
    could only cost a cache miss)."""
    return digest([text.encode()], 12)


def tree_files(root: str, suffix: str) -> list[str]:
    """Paths relative to ``root`` of the files ending in ``suffix`` under it, sorted (as
    ``Path.rglob``, hidden ones too); symbolic links to directories are not followed."""
    found: list[str] = []
    pending = [""]
    while pending:
        relative = pending.pop()
        with os.scandir(os.path.join(root, relative) if relative else root) as listing:
            for entry in listing:
                path = f"{relative}/{entry.name}" if relative else entry.name
                if entry.is_dir(follow_symlinks=False):
                    pending.append(path)
                elif entry.name.endswith(suffix):
                    found.append(path)
    found.sort()
    return found


def tree_stamp(root: str, suffix: str) -> str:
    """One line per file ending in ``suffix`` under ``root``: relative path, size, mtime in ns."""
    lines = []
    for path in tree_files(root, suffix):
        st = os.stat(os.path.join(root, path))
        lines.append(f"{path}:{st.st_size}:{st.st_mtime_ns}\n")
    return "".join(lines)
