"""Writing files so that a reader sees the old version or the new one, never half of one."""
from __future__ import annotations

import os
import stat
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
                fh.write(data)  # a full disk fails here (file systems reserve space as they are written)
        for tmp, path in staged:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise


class UnreadableFile(Exception):
    """Why a file cannot be used; `reason` completes "deck.md …" or "image 'x.png' …"."""

    def __init__(self, reason: str, hint: str | None = None):
        super().__init__(reason)
        self.reason, self.hint = reason, hint


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def read_regular(path: Path, limit: int, smaller: str = "") -> bytes:
    """The bytes of `path` if it is a regular file of at most `limit` bytes; else UnreadableFile.
    Never blocks: the file is opened without waiting (O_NONBLOCK: a named pipe would wait for a
    writer) and checked on the open descriptor, so it cannot be swapped in between. `smaller`:
    the hint for a file over the limit."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_NOCTTY | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise UnreadableFile("not found", hint=f"looked for {path}") from None
    except OSError as exc:
        raise UnreadableFile(f"cannot be read: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
            raise UnreadableFile(f"is {kind}, not a file, and is not read")
        chunks, left = [], limit + 1
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise UnreadableFile(f"cannot be read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise UnreadableFile(f"is larger than {limit // 2**20} MB, the most fiszki reads", hint=smaller or None)
    return data


class ImageError(UnreadableFile):
    """The file is not an image pdfTeX can safely read."""

    def __init__(self, reason: str, hint: str | None = None):
        damaged = "open it in an image program and save it again" if "damaged" in reason else None
        super().__init__(reason, hint or damaged)
