"""Stage 5: put finished documents on disk, atomically and reproducibly.

Every file is written to a temporary file beside its target, flushed, and renamed over it, so a
crash or a kill leaves either the old complete file or the new one, never a partial file. The
.docx packages are rewritten with fixed zip entry times, so the same input gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import OutputLockedError

# 1980-01-01 00:00, what Word itself writes: the earliest time a zip entry can hold.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_DOS_TIME, _DOS_DATE = 0, (0 << 9) | (1 << 5) | 1


def sha256(data: bytes) -> str:
    """The hex SHA-256 of `data`: how the manifest fingerprints inputs, templates, outputs."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class ZipEntry:
    """One member of a zip package, already compressed (deflate, level 1, raw stream)."""

    name: str
    crc: int
    size: int
    data: bytes

    @classmethod
    def of(cls, name: str, blob: bytes) -> ZipEntry:
        compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
        data = compressor.compress(blob) + compressor.flush()
        return cls(name, zlib.crc32(blob), len(blob), data)


def zip_package(entries: list[ZipEntry]) -> bytes:
    """A zip of `entries` in order, with fixed times and attributes: the same entries always
    give the same bytes. (zipfile cannot write a member it did not compress itself; taking
    entries compressed once lets a template's unchanging parts be compressed once.)"""
    out = bytearray()
    directory = bytearray()
    for entry in entries:
        name = entry.name.encode("utf-8")
        flags = 0 if entry.name.isascii() else 0x800
        common = struct.pack(
            "<HHHHHIII",
            20,
            flags,
            zipfile.ZIP_DEFLATED,
            _DOS_TIME,
            _DOS_DATE,
            entry.crc,
            len(entry.data),
            entry.size,
        )
        offset = len(out)
        out += b"PK\x03\x04" + common + struct.pack("<HH", len(name), 0) + name + entry.data
        directory += (
            b"PK\x01\x02"
            + struct.pack("<H", 20)
            + common
            + struct.pack("<HHHHHI", len(name), 0, 0, 0, 0, 0o644 << 16)
            + struct.pack("<I", offset)
            + name
        )
    end = struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), len(out), 0
    )
    return bytes(out + directory + end)


def reproducible_zip(package: bytes) -> bytes:
    """The same package with fixed entry times and attributes, entries in their order."""
    with zipfile.ZipFile(io.BytesIO(package)) as source:
        entries = [
            ZipEntry.of(info.filename, source.read(info.filename)) for info in source.infolist()
        ]
    return zip_package(entries)


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that `path` is never seen half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


class OutputLock:
    """An exclusive lock on an output folder, so two builds into it cannot interleave.

    It is an advisory `flock` on `OUT/.pipeline.lock`: the kernel releases it when the holder
    exits, even when it is killed, so a crashed build never leaves the folder locked.
    """

    def __init__(self, folder: Path) -> None:
        self.path = folder / ".pipeline.lock"
        self._handle: int | None = None

    def __enter__(self) -> OutputLock:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 64, 0).decode(errors="replace").strip() or "another process"
            os.close(handle)
            raise OutputLockedError(self.path.parent, f"pid {holder}") from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, str(os.getpid()).encode(), 0)
        self._handle = handle
        return self

    def forget(self) -> None:
        """In a forked child: drop the inherited descriptor, leaving the lock to the parent."""
        if self._handle is not None:
            os.close(self._handle)
            self._handle = None

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            os.close(self._handle)  # closing releases the lock
            self._handle = None
