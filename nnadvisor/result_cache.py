"""Findings of unchanged files, remembered between runs (as ruff and eslint --cache do).

The key is a hash of the file's bytes, its reader, the nnadvisor version and the rule base's
fingerprint, so an edited file, an edited rule or an upgrade all miss. Findings are stored
without the file name (the same content under another name hits). A hit skips parsing,
validation and rule evaluation, and with them the import of pydantic; this is what keeps repeated
``check`` runs in CI and pre-commit within the start-up budget. A cache that cannot be read or
written costs time only. ``--no-cache`` or ``NNADVISOR_NO_CACHE=1`` turn it off.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

from nnadvisor.findings import Finding

FORMAT = 1


class ResultCache:
    def __init__(self, directory: Path, rulebase_fingerprint: str) -> None:
        self.directory = directory / f"results-v{FORMAT}" / rulebase_fingerprint
        self.fingerprint = rulebase_fingerprint

    def _path(self, raw: bytes, reader: str, name: str) -> Path:
        strict_json = name.lower().endswith(".json")  # .json files are read as strict JSON
        h = hashlib.sha256(f"{reader}:{strict_json}:".encode())
        h.update(raw)
        key = h.hexdigest()
        return self.directory / key[:2] / f"{key[2:]}.json"

    def get(self, raw: bytes, reader: str, name: str) -> list[Finding] | None:
        try:
            with self._path(raw, reader, name).open("rb") as f:
                stored = json.load(f)
            return [Finding.from_dict({**d, "file": name}) for d in stored]
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def put(self, raw: bytes, reader: str, name: str, findings: list[Finding]) -> None:
        from nnadvisor.rulebase import write_cache_file

        data = [{k: v for k, v in asdict(f).items() if k != "file"} for f in findings]
        write_cache_file(self._path(raw, reader, name), data)
