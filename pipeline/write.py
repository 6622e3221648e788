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
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def reproducible_zip(package: bytes) -> bytes:
    """The same package with fixed entry times and attributes, entries in their order."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            target.writestr(info, source.read(entry.filename), compresslevel=6)
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
