"""Findings of unchanged files, remembered between runs (as ruff and eslint --cache do).

The key is a hash (BLAKE2b, :mod:`nnadvisor.fingerprint`) of the file's bytes and its reader, kept
under the rule base's fingerprint (which covers the nnadvisor version) and a stamp of nnadvisor's
own code (:func:`code_stamp`: the path, size and modification time of every ``.py`` file of the
package), so an edited file, an edited rule, an upgrade, or an edited reader in an editable or git
install all miss. Findings are stored without the file name (the same content
under another name hits). A hit skips parsing, validation and rule evaluation, and with them the
imports of yaml and pydantic; this is what keeps repeated ``check`` runs in CI and pre-commit
within the start-up budget. A cache that cannot be read or written costs time only.
``--no-cache`` or ``NNADVISOR_NO_CACHE=1`` turn it off.

Layout: ``results-v2/<fingerprint>/<first two hex digits of the key>.json``, 256 shards each
holding ``{rest of key: [day last used, findings]}``. One file per input made a first run over
10,000 configs write 10,000 files (40% of its time); one file for everything would make checking
one file read everything. Shards are read when first needed and written once, at the end of the
run, merged with what another process may have written meanwhile, and pruned of entries unused
for :data:`KEEP_DAYS` days. Rule-base fingerprints unused for as long are removed whole.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nnadvisor.findings import Finding
from nnadvisor.fingerprint import digest, short, tree_stamp

FORMAT = 2
KEEP_DAYS = 30

Entry = list[Any]  # [day last used, findings without "file"]


_code_stamp: str | None = None


def code_stamp() -> str:
    """A short hash of the path, size and mtime (ns) of every ``.py`` file of the nnadvisor
    package, computed once per process: stat calls only, no file is read (under 1 ms for ~110
    files). A changed or added module changes it, so findings computed by other code are never
    served; a ``touch`` changes it too, which costs one cold run."""
    global _code_stamp
    if _code_stamp is None:
        _code_stamp = short(tree_stamp(os.path.dirname(os.path.abspath(__file__)), ".py"))[:12]
    return _code_stamp


def _today() -> int:
    return int(time.time() // 86400)


class ResultCache:
    def __init__(self, directory: Path, rulebase_fingerprint: str) -> None:
        self.root = directory / f"results-v{FORMAT}"
        self.directory = self.root / f"{rulebase_fingerprint}-{code_stamp()}"
        self.today = _today()
        self._shards: dict[str, dict[str, Entry]] = {}
        self._dirty: dict[str, dict[str, Entry]] = {}
        """Per shard, the entries this run added or touched: what is merged in on writing."""

    @staticmethod
    def key(raw: bytes, reader: str, name: str) -> str:
        """What a file's findings are stored under."""
        strict_json = name.lower().endswith(".json")  # .json files are read as strict JSON
        return digest((f"{reader}:{strict_json}:".encode(), raw))

    def _read_shard(self, shard: str) -> dict[str, Entry]:
        try:
            with open(self.directory / f"{shard}.json", "rb") as f:
                data = json.load(f)
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def _shard(self, shard: str) -> dict[str, Entry]:
        entries = self._shards.get(shard)
        if entries is None:
            entries = self._shards[shard] = self._read_shard(shard)
        return entries

    def get(self, key: str, name: str) -> list[Finding] | None:
        """The findings stored under ``key``, reported under the file name ``name``."""
        shard, rest = key[:2], key[2:]
        entry = self._shard(shard).get(rest)
        if not isinstance(entry, list) or len(entry) != 2 or not isinstance(entry[1], list):
            return None
        try:
            findings = [Finding.from_dict({**d, "file": name}) for d in entry[1]]
        except (TypeError, KeyError, ValueError):
            return None  # not an entry this version wrote
        if entry[0] != self.today:  # remember the use, so that pruning keeps it
            entry[0] = self.today
            self._dirty.setdefault(shard, {})[rest] = entry
        return findings

    def put(self, key: str, findings: list[Finding]) -> None:
        stored = [f.to_dict() for f in findings]
        for d in stored:
            del d["file"]
        entry: Entry = [self.today, stored]
        self._shard(key[:2])[key[2:]] = entry
        self._dirty.setdefault(key[:2], {})[key[2:]] = entry

    def flush(self) -> None:
        """Write the shards this run changed (merged with their current contents on disk)."""
        if not self._dirty:
            return
        from nnadvisor.rulebase import write_cache_file

        oldest = self.today - KEEP_DAYS
        with _locked(self.directory):  # read, merge and replace: no concurrent run in between
            for shard, changed in self._dirty.items():
                merged = self._read_shard(shard)
                merged.update(changed)
                kept = {k: e for k, e in merged.items() if isinstance(e, list) and e and isinstance(e[0], int) and e[0] >= oldest}
                write_cache_file(self.directory / f"{shard}.json", kept)
        self._dirty.clear()
        self._prune_fingerprints()

    def _prune_fingerprints(self) -> None:
        """Remove the caches of rule bases (older versions, edited packs) unused for KEEP_DAYS."""
        import shutil

        try:
            os.utime(self.directory)  # this fingerprint is in use
            cutoff = time.time() - KEEP_DAYS * 86400
            for other in os.scandir(self.root):
                if other.is_dir(follow_symlinks=False) and other.path != str(self.directory) and other.stat().st_mtime < cutoff:
                    shutil.rmtree(other.path, ignore_errors=True)
        except OSError:
            pass


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """An exclusive lock on the cache directory (``flock`` on its ``.lock`` file) while shards are
    merged and replaced, so that concurrent runs lose none of each other's entries. Where there
    is no ``flock`` (Windows) or the lock file cannot be made, the merge goes on unlocked: a run
    that loses the race loses its new entries, which only costs the next run the time to check
    those files again."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(directory / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock

