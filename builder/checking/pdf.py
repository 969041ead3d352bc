"""Reading a PDF as far as the checks need it, with pypdf: fiszki's record, page boxes, annotations.
Dictionaries, and of a page's drawing only the commands that clip, so a 1000-card PDF checks in a
fraction of a second."""
from __future__ import annotations

import io
import logging
import re
import threading
from dataclasses import dataclass
from functools import cached_property

from pypdf import PdfReader
from pypdf.generic import IndirectObject

from builder.checking.report import CheckReport, mm


TOLERANCE = 0.5  # pt: how far a back may sit from the mirror of its front


class PdfDamaged(Exception):
    """Something fiszki's checks need is missing or odd in the file; the message says what."""


class PypdfNotes(logging.Handler):
    """pypdf tells through logging what it repaired while reading (a broken cross-reference table
    rebuilt by scanning, …). Collected for the check under way in this thread, and kept off stderr."""

    local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        notes = getattr(self.local, "notes", None)
        if notes is not None:
            notes.append(record.getMessage())


_pypdf_log = logging.getLogger("pypdf")
_pypdf_log.addHandler(PypdfNotes(logging.WARNING))
_pypdf_log.propagate = False


def resolved(v):
    """v, or the object an indirect reference points to."""
    return v.get_object() if isinstance(v, IndirectObject) else v


def number(v) -> float:
    v = resolved(v)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise PdfDamaged(f"expected a number, found {v!r}")
    return float(v)


def numbers(v, count: int) -> tuple[float, ...]:
    v = resolved(v)
    if not isinstance(v, list) or len(v) != count:
        raise PdfDamaged(f"expected {count} numbers, found {v!r}")
    return tuple(number(x) for x in v)


@dataclass
class Page:
    number: int  # 1-based, in print order
    obj: dict  # the page dictionary (pypdf's, inherited entries filled in)
    box: tuple[float, float, float, float]  # what is printed: the crop box inside the media box
    rotate: int

    @property
    def size(self) -> tuple[float, float]:
        return self.box[2] - self.box[0], self.box[3] - self.box[1]


def _box(value) -> tuple[float, float, float, float] | None:
    value = resolved(value)
    if not isinstance(value, list) or len(value) != 4:
        return None
    x0, y0, x1, y1 = numbers(value, 4)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


# The operators of a content stream that move the origin or clip: q and Q save and restore the
# state, translations (pdfTeX moves the origin to where a literal is placed), and rectangles clipped
# to. Tokens stand between white space (pdfTeX writes no spaces inside its strings).

_STATE_RE = re.compile(rb"(?<!\S)(?:(?P<save>q)|(?P<restore>Q)|(?P<m>(?:-?[\d.]+\s+){4})(?P<dx>-?[\d.]+)\s+(?P<dy>-?[\d.]+)\s+cm"
                       rb"|(?P<x>-?[\d.]+)\s+(?P<y>-?[\d.]+)\s+(?P<w>[\d.]+)\s+(?P<h>[\d.]+)\s+re\s+W\s+n)(?!\S)")


class PdfFile:
    """A PDF as far as the checks need it: fiszki's record, page boxes, annotations and fonts."""

    def __init__(self, data: bytes):
        self.reader = PdfReader(io.BytesIO(data))
        if self.reader.is_encrypted:
            raise PdfDamaged("the PDF is encrypted")
        self.catalog = resolved(self.reader.trailer.get("/Root"))
        if not isinstance(self.catalog, dict):
            raise PdfDamaged("no catalog")

    @cached_property
    def pages(self) -> list[Page]:
        """Every page in print order, with its printed box and rotation."""
        pages = []
        for i, page in enumerate(self.reader.pages):
            media = _box(page.get("/MediaBox")) or (0.0, 0.0, 612.0, 792.0)  # the standard's default
            crop = _box(page.get("/CropBox")) or media
            box = (max(media[0], crop[0]), max(media[1], crop[1]), min(media[2], crop[2]), min(media[3], crop[3]))
            pages.append(Page(i + 1, page, box, int(number(page.get("/Rotate", 0)))))
        return pages

    def clips(self, page: Page) -> list[tuple[float, float, float, float]] | None:
        """(x, y, w, h) from the printed page's corner of every rectangle the page clips its drawing
        to; None when the page turns or scales its drawing. Reads the page's content stream for its
        graphics-state operators only (q, Q, cm, `re W n`), never its text or drawing."""
        try:
            data = self.reader.pages[page.number - 1].get_contents().get_data()
        except Exception:  # noqa: BLE001 — no contents, or damaged: no clips
            return []
        bx, by = page.box[0], page.box[1]
        found, stack, (tx, ty) = [], [], (0.0, 0.0)
        for m in _STATE_RE.finditer(data):
            if m.group("save"):
                stack.append((tx, ty))
            elif m.group("restore"):
                tx, ty = stack.pop() if stack else (tx, ty)
            elif m.group("dx") is not None:
                if [float(v) for v in m.group("m").split()] != [1.0, 0.0, 0.0, 1.0]:
                    return None  # turned or scaled by some tool: where its clips lie is not followed here
                tx, ty = tx + float(m.group("dx")), ty + float(m.group("dy"))
            else:
                x, y, w, h = (float(v) for v in m.group("x", "y", "w", "h"))
                found.append((tx + x - bx, ty + y - by, w, h))
        return found

    def annotations(self, page: Page) -> list[tuple[str, tuple[float, float, float, float]]]:
        """(name, (x, y, w, h) from the printed page's corner) of every named annotation on a page.
        The hot loop of a big check: each annotation dictionary is read once, raw."""
        annots = resolved(page.obj.get("/Annots"))
        if not isinstance(annots, list):
            return []
        out = []
        bx, by = page.box[0], page.box[1]
        seen: set[int] = set()  # one annotation listed many times is one card side
        for ref in annots:
            if isinstance(ref, IndirectObject):
                if ref.idnum in seen:
                    continue
                seen.add(ref.idnum)
            annot = resolved(ref)
            if not isinstance(annot, dict):
                continue
            name = resolved(dict.get(annot, "/NM"))
            if not isinstance(name, str):
                continue
            rect = resolved(dict.get(annot, "/Rect"))
            if not isinstance(rect, list) or len(rect) != 4:
                raise PdfDamaged(f"the annotation {name} on page {page.number} has no rectangle")
            try:
                x1, y1, x2, y2 = rect
                # What prints is the page box; a box moved by a tool moves every card on the paper.
                out.append((name, (min(x1, x2) - bx, min(y1, y2) - by, abs(x2 - x1), abs(y2 - y1))))
            except TypeError:  # rare: numbers given by reference, or not numbers at all
                x1, y1, x2, y2 = numbers(rect, 4)
                out.append((name, (min(x1, x2) - bx, min(y1, y2) - by, abs(x2 - x1), abs(y2 - y1))))
        return out


def reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, PdfDamaged):
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def check_pages_uniform(reader: PdfFile, paper: tuple[float, float], report: CheckReport) -> None:
    for page in reader.pages:
        w, h = page.size
        if abs(w - paper[0]) > TOLERANCE or abs(h - paper[1]) > TOLERANCE:
            report.add(f"page {page.number}: size {mm(w)}×{mm(h)} mm, the other sheets are "
                       f"{mm(paper[0])}×{mm(paper[1])} mm", kind="page size", page=page.number)
        if page.rotate % 360:
            report.add(f"page {page.number}: rotated by {page.rotate}°; the printer would turn its cards "
                       "away from their backs", kind="rotation", page=page.number)
