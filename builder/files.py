"""Writing files so that a reader sees the old version or the new one, never half of one."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _umask()  # read once at import: os.umask can only be read by setting it


def atomic_write(path: Path, data: bytes) -> None:
    """Write next to the target and rename over it: readers see the old file or the new, never half."""
    write_together({path: data})


def write_together(files: dict[Path, bytes]) -> None:
    """Write several files so that they land together or not at all: each is written in full next
    to its target first (where a full disk or a missing permission shows), and only then are they
    renamed over the old ones, which cannot fail for lack of space."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((tmp, path))
            os.fchmod(fd, 0o666 & ~_UMASK)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, path in staged:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
