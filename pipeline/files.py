"""Stage 5: put finished documents on disk, atomically and reproducibly.

Every file is written to a temporary file beside its target, flushed, and renamed over it, so a
crash or a kill leaves either the old complete file or the new one, never a partial file. The
.docx packages are rewritten with fixed zip entry times, so the same input gives the same bytes.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import itertools
import os
import stat
import struct
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import OutputLockedError, UnsafeOutputError

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


_CREATE = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)
_serial = itertools.count()


def _temporary(path: Path) -> tuple[int, str]:
    """A new file beside `path` for its next content, open (as `tempfile.mkstemp` makes one,
    for less: created here, never a file or link that was there, readable by its owner only),
    named as `is_temporary` knows it."""
    folder = os.fspath(path.parent)
    for _ in range(10_000):  # tempfile's TMP_MAX
        name = os.path.join(folder, f".{path.name}.{os.getpid()}-{next(_serial)}.tmp")
        try:
            return os.open(name, _CREATE, 0o600), name
        except FileExistsError:
            continue  # left by a killed process that had the same id
    raise FileExistsError(errno.EEXIST, "no temporary file name left", folder)


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that `path` is never seen half-written. Inside `together()`
    (in its thread), the file is only written to its temporary, which is flushed and renamed
    over `path` when the block ends."""
    batch: Together | None = getattr(_together, "batch", None)
    if batch is not None:
        batch.stage(path, data)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = _temporary(path)
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


_together = threading.local()
_ADVISE = hasattr(os, "posix_fadvise") and hasattr(os, "POSIX_FADV_DONTNEED")


class Together:
    """Files written together (`together()`): each to a temporary file beside its target, then
    all of them flushed to the disk, then each renamed over its target. A kill at any point
    leaves every target with its old complete content or its new one, never part of one (and no
    target is replaced before all the new contents are on the disk); flushed one after another,
    the files cost the disk, and this process, less than written and flushed one by one."""

    def __init__(self) -> None:
        self.staged: list[tuple[Path, str, int]] = []  # target, temporary, open descriptor
        self.failed: dict[Path, BaseException] = {}
        """The files that could not be flushed or renamed, and why."""
        self.stats: dict[Path, os.stat_result] = {}
        """Each file written: its status as written (its size and modification time)."""
        self.folders: set[Path] = set()  # made (or found) already

    def stage(self, path: Path, data: bytes) -> None:
        """Write `data` to a new temporary file beside `path` (raising when it cannot be)."""
        if path.parent not in self.folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(path.parent)
        handle, temp_name = _temporary(path)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view) :]
            if _ADVISE:  # start its writing to the disk now: the flushes in `commit` then
                # find all the batch's files on their way, and commit them in fewer journal
                # transactions (as PostgreSQL does where sync_file_range is missing)
                os.posix_fadvise(handle, 0, 0, os.POSIX_FADV_DONTNEED)
        except BaseException:
            os.close(handle)
            Path(temp_name).unlink(missing_ok=True)
            raise
        self.staged.append((path, temp_name, handle))

    def commit(self) -> None:
        """Flush every staged file to the disk, then rename each over its target; a file that
        cannot be is left out (`failed`), its temporary removed."""
        staged, self.staged = self.staged, []
        synced: dict[str, os.stat_result] = {}
        renamed: set[str] = set()
        try:
            for path, temp_name, handle in staged:
                try:
                    os.fsync(handle)
                    os.fchmod(handle, 0o644)
                    synced[temp_name] = os.fstat(handle)
                except OSError as error:
                    self.failed.setdefault(path, error)
            for path, temp_name, _ in staged:
                if temp_name in synced:
                    try:
                        os.replace(temp_name, path)
                    except OSError as error:
                        self.failed.setdefault(path, error)
                    else:
                        renamed.add(temp_name)
                        self.stats[path] = synced[temp_name]
        finally:
            for _, temp_name, handle in staged:
                os.close(handle)
                if temp_name not in renamed:
                    Path(temp_name).unlink(missing_ok=True)

    def discard(self) -> None:
        """Remove every staged temporary: no target is replaced."""
        staged, self.staged = self.staged, []
        for _, temp_name, handle in staged:
            os.close(handle)
            Path(temp_name).unlink(missing_ok=True)


@contextlib.contextmanager
def together() -> Iterator[Together]:
    """`write_atomic` in this block (in this thread) writes its files together (`Together`);
    they are in place when the block ends, but for those in the batch's `failed`. When the block
    raises, nothing it wrote replaces anything."""
    batch = Together()
    outer = getattr(_together, "batch", None)
    _together.batch = batch
    try:
        yield batch
    except BaseException:
        _together.batch = outer
        batch.discard()
        raise
    _together.batch = outer
    batch.commit()


def is_plain_name(name: str) -> bool:
    """Whether `name` names one entry of a folder and nothing else: not empty, not `.` or
    `..`, no separator, no NUL, not hidden (the pipeline's own dot files live there)."""
    return (
        0 < len(name) <= 255
        and name not in (".", "..")
        and not name.startswith(".")
        and not any(char in name for char in "/\\\0")
    )


def is_temporary(name: str) -> bool:
    """Whether `name` is one of `write_atomic`'s temporary files."""
    return name.startswith(".") and name.endswith(".tmp") and len(name) > len("..tmp")


def unsafe_folder(parent: Path, name: str) -> str | None:
    """Why `parent/name` cannot be a folder the pipeline writes in, or None when it can (it
    exists as a real folder, or does not exist yet and will be created)."""
    if not is_plain_name(name):
        return f"{name!r} is not a plain folder name"
    try:
        info = (parent / name).lstat()
    except FileNotFoundError:
        return None
    except OSError as error:
        return f"{parent / name} cannot be read: {error.strerror or error}"
    if stat.S_ISLNK(info.st_mode):
        return f"{parent / name} is a symbolic link; the pipeline writes only inside {parent}/"
    if not stat.S_ISDIR(info.st_mode):
        return f"{parent / name} is not a folder"
    return None


def _open_folder(folder: Path) -> int | None:
    """A descriptor of `folder` itself, never of what a symbolic link there points to."""
    try:
        return os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None


def _names_in(handle: int) -> Iterator[tuple[str, bool]]:
    """(name, is a real folder) for each entry of the folder open as `handle`."""
    with os.scandir(handle) as entries:
        for entry in entries:
            yield entry.name, entry.is_dir(follow_symlinks=False)


def remove_temporaries(folder: Path) -> None:
    """Remove `write_atomic`'s leftover temporaries in `folder` and its real subfolders,
    following no symbolic link (a linked folder is not ours to clean)."""
    top = _open_folder(folder)
    if top is None:
        return
    try:
        for name, is_folder in list(_names_in(top)):
            if is_folder and is_plain_name(name):
                inner = _open_folder(folder / name)
                if inner is None:
                    continue
                try:
                    for child, child_is_folder in list(_names_in(inner)):
                        if is_temporary(child) and not child_is_folder:
                            _unlink_at(child, inner)
                finally:
                    os.close(inner)
            elif is_temporary(name) and not is_folder:
                _unlink_at(name, top)
    finally:
        os.close(top)


def _unlink_at(name: str, handle: int) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(name, dir_fd=handle)


def remove_owned(folder: Path, owned: Callable[[str], bool]) -> bool:
    """Remove the files of `folder` that `owned` says the pipeline wrote (and its leftover
    temporaries), then the folder itself if that leaves it empty. Follows no symbolic link: a
    folder that is one is left alone, and a link named like an output is removed, not what it
    points to. Returns whether the folder is gone; a folder holding anything else is kept."""
    try:
        info = folder.lstat()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        return False
    handle = _open_folder(folder)
    if handle is None:
        return False
    try:
        for name, is_folder in list(_names_in(handle)):
            if not is_folder and (owned(name) or is_temporary(name)):
                _unlink_at(name, handle)
    finally:
        os.close(handle)
    try:
        folder.rmdir()
    except OSError:
        return False
    return True


class OutputLock:
    """An exclusive lock on an output folder, so two builds into it cannot interleave.

    It is an advisory `flock` on `OUT/.pipeline.lock`: the kernel releases it when the holder
    exits, even when it is killed, so a crashed build never leaves the folder locked. A lock
    file that is a symbolic link (or not a regular file) is refused, never written through.
    """

    def __init__(self, folder: Path) -> None:
        self.path = folder / ".pipeline.lock"
        self._handle: int | None = None

    def __enter__(self) -> OutputLock:
        import fcntl

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UnsafeOutputError(
                f"{self.path.parent}/ cannot be made a folder: {error.strerror or error}"
            ) from None
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        try:
            handle = os.open(self.path, flags, 0o644)
        except OSError as error:
            raise UnsafeOutputError(
                f"{self.path} cannot be used as the output folder's lock "
                f"({_lock_trouble(self.path, error)}); remove it and build again"
            ) from None
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            os.close(handle)
            raise UnsafeOutputError(f"{self.path} is not a regular file; remove it and build again")
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


def _lock_trouble(path: Path, error: OSError) -> str:
    if path.is_symlink():
        return "it is a symbolic link"
    return error.strerror or str(error)
