"""Stage 5: put finished documents on disk, atomically and reproducibly.

Every file is written to a temporary file beside its target, flushed, and renamed over it, so a
crash or a kill leaves either the old complete file or the new one, never a partial file. The
.docx packages are rewritten with fixed zip entry times, so the same input gives the same bytes.
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path

# What Word itself writes; the earliest time a zip entry can hold.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def reproducible_zip(package: bytes) -> bytes:
    """The same package with fixed entry times and attributes, entries in their order."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            target.writestr(info, source.read(entry.filename), compresslevel=1)
    return out.getvalue()


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


class OutputLockedError(Exception):
    """Raised when another build holds the lock on the output folder."""


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
            raise OutputLockedError(f"pid {holder}") from None
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
