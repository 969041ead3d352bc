"""The cache covers every file a build reads, by what the build itself read: and it reads nothing
the build would not (no file outside the deck's folder, no pipe, no device)."""
from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pytest

from tests.conftest import run_fiszki



def grey_png(level: int) -> bytes:
    """A 1x1 grey PNG of this level (0 black, 255 white)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes([0, level]))) + chunk(b"IEND", b""))


BLACK, WHITE = grey_png(0), grey_png(255)

DECK = """---
title: Images
lang: en
---
# S
## Reference style?
![a figure][fig]

[fig]: fig.png

## Angle brackets and a space?
![another](<my fig.png>)
"""


@pytest.mark.tex
def test_an_edited_image_rebuilds_whatever_way_the_deck_names_it(tmp_path: Path):
    deck = tmp_path / "deck.md"
    deck.write_text(DECK, encoding="utf-8")
    for name in ("fig.png", "my fig.png"):
        (tmp_path / name).write_bytes(BLACK)
    out = tmp_path / "out"
    assert run_fiszki("build", str(deck), "--out", str(out)).code == 0
    again = run_fiszki("build", str(deck), "--out", str(out))
    assert again.code == 0 and "unchanged" in again.stderr
    for name in ("fig.png", "my fig.png"):
        (tmp_path / name).write_bytes(WHITE)
        rebuilt = run_fiszki("build", str(deck), "--out", str(out))
        assert rebuilt.code == 0 and "unchanged" not in rebuilt.stderr, (name, rebuilt.stderr)
    (tmp_path / "fig.png").unlink()
    gone = run_fiszki("build", str(deck), "--out", str(out))
    assert gone.code == 1 and "image 'fig.png' not found" in gone.stderr


def test_files_named_outside_the_deck_or_not_files_are_never_read(tmp_path: Path):
    """/dev/zero grew to gigabytes and a named pipe hung the build while the cache hashed every
    ![](…) of the raw text; now nothing is read before the renderer's confined reading, and text
    that only looks like an image (in code) is read by nobody."""
    deck = tmp_path / "deck.md"
    os.mkfifo(tmp_path / "pipe.png")
    deck.write_text("---\ntitle: T\n---\n# S\n## Zero?\n![x](/dev/zero)\n\n## Code?\n`![x](/dev/zero)`\n\n"
                    "## Pipe?\n![x](pipe.png)\n", encoding="utf-8")
    result = run_fiszki("build", str(deck), "--out", str(tmp_path / "out"), timeout=60)
    assert result.code == 1, result.stderr
    assert "image '/dev/zero' lies outside the deck's folder and is not read" in result.stderr
    assert "image 'pipe.png' is a named pipe, not a file, and is not read" in result.stderr
    assert "MemoryError" not in result.stderr and result.stderr.count("/dev/zero") == 1


def test_a_deck_that_is_a_named_pipe_is_refused_not_waited_for(tmp_path: Path):
    os.mkfifo(tmp_path / "deck.md")
    result = run_fiszki("build", str(tmp_path / "deck.md"), "--out", str(tmp_path / "out"), timeout=60)
    assert result.code == 1 and "deck.md: is a named pipe, not a file, and is not read" in result.stderr
