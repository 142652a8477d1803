"""``.keras`` archives, read in memory with size caps: nothing is extracted, weights are never read.

A ``.keras`` file is a zip holding ``config.json`` (the model and its ``compile_config``),
``metadata.json`` (Keras version, date) and ``model.weights.h5`` (the weights, often hundreds of
MB). Only the two JSON members are read, through ``zipfile.ZipFile`` on the open file (seek-based,
so the weights are never loaded), after checking from the zip directory, before reading a byte of
them, that:

- the archive's central directory is small (at most :data:`MAX_MEMBERS` entries and
  :data:`MAX_DIRECTORY` bytes, read from the end-of-central-directory record before ``zipfile``
  parses the directory);
- each member is at most :data:`MAX_MEMBER` bytes uncompressed and its compression ratio at most
  :data:`MAX_RATIO` (a zip bomb is refused from its declared sizes), and is not encrypted;
- and reads stay bounded even when the declared sizes lie (at most ``MAX_MEMBER + 1`` bytes).

The members are handed to the reader packed into one byte string (so that the results cache keys
on exactly what was linted); what went wrong is packed the same way and becomes NNA000.
"""

from __future__ import annotations

import json
import os
import struct
from typing import IO

from nnadvisor.readers import PACK_MAGIC
from nnadvisor.source import MAX_BYTES

MAX_MEMBER = MAX_BYTES
"""``config.json`` of even very large models is a few hundred KB."""
MAX_METADATA = 64 * 1024
MAX_MEMBERS = 10_000
MAX_DIRECTORY = 4 * 1024 * 1024
MAX_RATIO = 200
"""JSON deflates about 10:1; Keras stores members uncompressed (1:1)."""
MEMBERS = ("config.json", "metadata.json")

_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"


class ArchiveError(Exception):
    pass


def pack(members: dict[str, bytes], error: str | None = None) -> bytes:
    header = json.dumps({"members": [[name, len(data)] for name, data in members.items()], "error": error})
    return PACK_MAGIC + header.encode() + b"\n" + b"".join(members.values())


def unpack(raw: bytes) -> tuple[dict[str, bytes], str | None]:
    """The members and error packed by :func:`pack` (malformed packing is itself an error)."""
    try:
        end = raw.index(b"\n", len(PACK_MAGIC))
        header = json.loads(raw[len(PACK_MAGIC) : end])
        offset = end + 1
        members: dict[str, bytes] = {}
        for name, size in header["members"]:
            members[str(name)] = raw[offset : offset + int(size)]
            offset += int(size)
        error = header.get("error")
        return members, None if error is None else str(error)
    except (ValueError, KeyError, TypeError):
        return {}, "malformed archive member packing"


def _directory_size(f: IO[bytes]) -> tuple[int, int]:
    """(entries, central directory bytes) from the end-of-central-directory record (zip64 aware)."""
    f.seek(0, 2)
    size = f.tell()
    tail_len = min(size, 65536 + 22)
    f.seek(size - tail_len)
    tail = f.read(tail_len)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        raise ArchiveError("not a zip archive (no end-of-central-directory record)")
    entries, directory = struct.unpack("<HI", tail[at + 10 : at + 16])
    if entries == 0xFFFF or directory == 0xFFFFFFFF:
        locator = tail[at - 20 : at] if at >= 20 else b""
        if not locator.startswith(_ZIP64_LOCATOR):
            raise ArchiveError("zip64 archive without a zip64 locator")
        (offset,) = struct.unpack("<Q", locator[8:16])
        if offset > size - 56:
            raise ArchiveError("zip64 end-of-central-directory record out of range")
        f.seek(offset)
        record = f.read(56)
        if not record.startswith(_ZIP64_EOCD):
            raise ArchiveError("zip64 end-of-central-directory record not found")
        entries, directory = struct.unpack("<QQ", record[32:48])
    return int(entries), int(directory)


def read_members(f: IO[bytes]) -> dict[str, bytes]:
    """``config.json`` (required) and ``metadata.json`` (optional) of the archive open as ``f``."""
    import zipfile
    import zlib

    entries, directory = _directory_size(f)
    if entries > MAX_MEMBERS:
        raise ArchiveError(f"archive lists {entries:,} members (more than {MAX_MEMBERS:,}); refused")
    if directory > MAX_DIRECTORY:
        raise ArchiveError(f"archive directory is {directory:,} bytes (more than {MAX_DIRECTORY:,}); refused")
    f.seek(0)
    try:
        with zipfile.ZipFile(f) as zf:
            names = set(zf.namelist())
            if "config.json" not in names:
                raise ArchiveError("no config.json in the archive: not a Keras 3 .keras file")
            members: dict[str, bytes] = {}
            for name in MEMBERS:
                if name not in names:
                    continue
                info = zf.getinfo(name)
                cap = MAX_MEMBER if name == "config.json" else MAX_METADATA
                if info.flag_bits & 0x1:
                    raise ArchiveError(f"{name} is encrypted")
                if info.file_size > cap:
                    raise ArchiveError(f"{name} is {info.file_size:,} bytes uncompressed (more than {cap:,}); refused")
                if info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise ArchiveError(
                        f"{name} expands {info.file_size:,} / {info.compress_size:,} bytes "
                        f"(ratio above {MAX_RATIO}): zip bomb refused"
                    )
                with zf.open(info) as member:
                    data = member.read(cap + 1)
                if len(data) > cap:
                    raise ArchiveError(f"{name} is larger than {cap:,} bytes; refused")
                members[name] = data
            return members
    except ArchiveError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError, KeyError) as exc:
        raise ArchiveError(f"cannot read the zip archive: {exc}") from None


def read_path(path: str | os.PathLike[str]) -> bytes:
    """The packed members of the archive at ``path``; OSError (cannot open) propagates."""
    with open(path, "rb") as f:
        try:
            return pack(read_members(f))
        except ArchiveError as exc:
            return pack({}, str(exc))


def read_bytes(raw: bytes) -> tuple[dict[str, bytes], str | None]:
    """Members of an archive given as bytes (stdin); the same caps apply."""
    import io

    if len(raw) > MAX_BYTES:
        return {}, (
            f"a .keras archive read from stdin is limited to {MAX_BYTES:,} bytes; pass the file path instead "
            "(only its config.json is then read)"
        )
    try:
        return read_members(io.BytesIO(raw)), None
    except ArchiveError as exc:
        return {}, str(exc)
