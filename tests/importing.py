"""Helpers for the importer tests: small real images, a build of the imported deck read back."""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

from builder.deck import read_deck
from tests.conftest import run_fiszki


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid RGB PNG of one colour."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


@dataclass
class Built:
    text: str  # every page's text, whitespace collapsed
    images: list[tuple[int, int]]  # (width, height) of each image drawn, in page order
    cards: int


def build_and_read(deck: Path) -> Built:
    """`fiszki build` on an imported deck, as a user would run it; the flashcards PDF read back."""
    out = deck.parent / "out"
    result = run_fiszki("build", str(deck), "--out", str(out), "--no-cache")
    assert result.code == 0, result.stderr
    reader = PdfReader(out / "flashcards.pdf")
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    images = []
    for page in reader.pages:
        images += _images(page.get("/Resources"))
    return Built(text, images, len(read_deck(deck).cards))


def _images(resources) -> list[tuple[int, int]]:
    found = []
    if resources is None:
        return found
    xobjects = resources.get_object().get("/XObject")
    for ref in (xobjects.get_object().values() if xobjects else []):
        obj = ref.get_object()
        if obj.get("/Subtype") == "/Image":
            found.append((int(obj["/Width"]), int(obj["/Height"])))
        elif obj.get("/Subtype") == "/Form":
            found += _images(obj.get("/Resources"))
    return found


def words(text: str) -> str:
    """Whitespace collapsed, for finding a card's text in the PDF's."""
    return " ".join(text.split())
