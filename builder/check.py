"""`fiszki check`: read a finished PDF and prove it prints right.

Everything is measured in the file itself: the catalog's /FiszkiInfo records the layout the PDF was
made for (paper, flip edge, margin, back offset, mode, card count), and every card side carries a
hidden annotation named card-12-front / card-12-back whose /Rect is the card as TeX placed it.
A tool that moves, rotates, resizes, drops or reorders pages takes those annotations along, so the
check sees what a printer would get. The page labels (1-front, 1-back) are for people: they belong
to page positions, not to pages, so a tool that reorders pages leaves them behind; the check trusts
the annotations instead. The PDF is read with pypdf, dictionaries only, never content streams; the
questions that name cards in reports (/FiszkiInfo /Questions) are read only when there is a problem
to report. So a 1000-card PDF checks in under half a second, Python start-up included.
"""
from __future__ import annotations

import io
import logging
import math
import re
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import IndirectObject

TOLERANCE = 0.5  # pt: how far a back may sit from the mirror of its front
SHOWN_PER_KIND = 12  # human report: problems of one kind listed before "… and N more"
MM = 72 / 25.4

_NAME_RE = re.compile(r"^card-(\d+)(?:p(\d+))?-(front|back)$")
# Which side each page holds, by mode: duplex alternates front and back pages; fronts and backs
# are single-sided runs (print one, turn the stack, print the other).
_PAGE_SIDE = {
    "duplex": lambda n: "front" if n % 2 else "back",
    "fronts": lambda n: "front",
    "backs": lambda n: "back",
}


class CheckProblem(str):
    """One problem as a line of text, with the page and card it concerns for machines (--json)."""

    kind: str
    page: int | None
    card: str | None

    def __new__(cls, message: str, kind: str = "other", page: int | None = None, card: str | None = None):
        self = super().__new__(cls, message)
        self.kind, self.page, self.card = kind, page, card
        return self


@dataclass
class CheckReport:
    source: str
    kind: str = "unknown"
    problems: list[str] = field(default_factory=list)  # CheckProblem, or plain str
    facts: dict = field(default_factory=dict)
    description: str = ""  # what was found, for the OK line, e.g. "47 cards on 10 pages"

    def add(self, message: str, kind: str = "other", page: int | None = None, card: str | None = None) -> None:
        self.problems.append(CheckProblem(message, kind, page, card))

    @property
    def ok(self) -> bool:
        return not self.problems and self.kind != "unknown"

    def summary(self) -> str:
        if self.kind == "unknown":
            return f"{self.source}: cannot check: {self.problems[0] if self.problems else 'not a fiszki PDF'}"
        if self.ok:
            detail = self.description or ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in self.facts.items())
            return f"{self.source}: OK ({self.kind}: {detail})"
        n = len(self.problems)
        return f"{self.source}: {n} problem{'s' if n != 1 else ''} ({self.kind}); it would not print right"

    def lines(self, limit: int | None = SHOWN_PER_KIND) -> list[str]:
        """One line per problem (at most `limit` of each kind, then a count), then the summary."""
        if self.kind == "unknown":
            return [self.summary()]
        shown: dict[str, int] = {}
        out = []
        for p in self.problems:
            kind = getattr(p, "kind", "other")
            shown[kind] = shown.get(kind, 0) + 1
            if limit is None or shown[kind] <= limit:
                out.append(f"{self.source}: {p}")
        for kind, count in shown.items():
            if limit is not None and count > limit:
                out.append(f"{self.source}: … and {count - limit} more {kind} problems like these "
                           "(`fiszki -v check` lists them all)")
        return out + [self.summary()]

    def as_dict(self) -> dict:
        problems = [{"message": str(p), "kind": getattr(p, "kind", "other"), "page": getattr(p, "page", None),
                     "card": getattr(p, "card", None)} for p in self.problems]
        return {"file": self.source, "kind": self.kind, "ok": self.ok, "problems": problems,
                "facts": self.facts, "summary": self.summary()}


def _mm(points: float) -> str:
    return f"{points / MM:.1f}"


def _pages_text(numbers: list[int]) -> str:
    """[1, 2, 3, 5] -> 'pages 1–3, 5'."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    text = ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in runs)
    return f"page{'s' if len(numbers) > 1 else ''} {text}"


# --- reading the PDF (pypdf) --------------------------------------------------------------------

class PdfDamaged(Exception):
    """Something fiszki's checks need is missing or odd in the file; the message says what."""


class _PypdfNotes(logging.Handler):
    """pypdf tells through logging what it repaired while reading (a broken cross-reference table
    rebuilt by scanning, …). Collected for the check under way in this thread, and kept off stderr."""

    local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        notes = getattr(self.local, "notes", None)
        if notes is not None:
            notes.append(record.getMessage())


_pypdf_log = logging.getLogger("pypdf")
_pypdf_log.addHandler(_PypdfNotes(logging.WARNING))
_pypdf_log.propagate = False


def _value(v):
    """v, or the object an indirect reference points to."""
    return v.get_object() if isinstance(v, IndirectObject) else v


def number(v) -> float:
    v = _value(v)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise PdfDamaged(f"expected a number, found {v!r}")
    return float(v)


def numbers(v, count: int) -> tuple[float, ...]:
    v = _value(v)
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
    value = _value(value)
    if not isinstance(value, list) or len(value) != 4:
        return None
    x0, y0, x1, y1 = numbers(value, 4)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


class PdfFile:
    """A PDF as far as the checks need it: fiszki's record, page boxes, annotations and fonts."""

    def __init__(self, data: bytes):
        self.reader = PdfReader(io.BytesIO(data))
        if self.reader.is_encrypted:
            raise PdfDamaged("the PDF is encrypted")
        self.catalog = _value(self.reader.trailer.get("/Root"))
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

    def annotations(self, page: Page) -> list[tuple[str, tuple[float, float, float, float]]]:
        """(name, (x, y, w, h) from the printed page's corner) of every named annotation on a page.
        The hot loop of a big check: each annotation dictionary is read once, raw."""
        annots = _value(page.obj.get("/Annots"))
        if not isinstance(annots, list):
            return []
        out = []
        bx, by = page.box[0], page.box[1]
        for ref in annots:
            annot = _value(ref)
            if not isinstance(annot, dict):
                continue
            name = _value(dict.get(annot, "/NM"))
            if not isinstance(name, str):
                continue
            rect = _value(dict.get(annot, "/Rect"))
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


def check_pdf(data: bytes, source: str = "PDF") -> CheckReport:
    report = CheckReport(source)
    if data.lstrip(b"\x00\t\n\x0c\r ")[:5] != b"%PDF-":
        report.problems.append("not a PDF file")
        return report
    _PypdfNotes.local.notes = notes = []
    try:
        _check(data, report, notes)
    finally:
        _PypdfNotes.local.notes = None
    return report


def _check(data: bytes, report: CheckReport, notes: list[str]) -> None:
    # pypdf raises many kinds of exception on a damaged file (its own, ValueError, KeyError,
    # AssertionError, RecursionError, zlib.error, …): any of them means the file is damaged,
    # and the user gets one line saying so, never a traceback.
    try:
        doc = PdfFile(data)
        info = _value(doc.catalog.get("/FiszkiInfo"))
    except Exception as exc:  # noqa: BLE001 — see above
        report.problems.append(f"the PDF is damaged or unusual ({_reason(exc)})")
        return
    if not isinstance(info, dict):
        report.problems.append("this PDF was not made by fiszki, or a tool rewrote it and dropped fiszki's "
                               "layout record, so there is nothing to check its card positions against")
        return
    kind = str(info.get("/Kind", "")).lstrip("/")
    try:
        if kind == "Flashcards":
            report.kind = "flashcards"
            _check_flashcards(doc, info, report)
        elif kind == "CheatSheet":
            report.kind = "cheat sheet"
            _check_cheatsheet(doc, info, report)
        elif kind == "Calibration":
            from builder.calibrate import check_calibration

            report.kind = "calibration sheet"
            check_calibration(doc, info, report)
        else:
            report.problems.append(f"made by a fiszki that writes {kind!r} PDFs, which this version cannot check")
            return
        _check_fonts(doc, report)
    except Exception as exc:  # noqa: BLE001 — damaged structure or a layout record with odd values
        report.add(f"the PDF is damaged ({_reason(exc)})", kind="damaged")
    if any("xref" in n.lower() or "object streams" in n.lower() for n in notes):
        report.add("the file is damaged: its cross-reference table is broken (cut short or edited?); "
                   "the cards were found by scanning, but a printer may not manage that", kind="damaged")


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, PdfDamaged):
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _check_pages_uniform(reader: PdfFile, paper: tuple[float, float], report: CheckReport) -> None:
    for page in reader.pages:
        w, h = page.size
        if abs(w - paper[0]) > TOLERANCE or abs(h - paper[1]) > TOLERANCE:
            report.add(f"page {page.number}: size {_mm(w)}×{_mm(h)} mm, the other sheets are "
                       f"{_mm(paper[0])}×{_mm(paper[1])} mm", kind="page size", page=page.number)
        if page.rotate % 360:
            report.add(f"page {page.number}: rotated by {page.rotate}°; the printer would turn its cards "
                       "away from their backs", kind="rotation", page=page.number)


def _check_cheatsheet(reader: PdfFile, info, report: CheckReport) -> None:
    """Exactly the pages it was fitted to, all of the paper and orientation it was made for."""
    paper = numbers(info.get("/Paper"), 2)
    _check_pages_uniform(reader, paper, report)
    count = len(reader.pages)
    wanted = int(number(info.get("/Pages", 0)))
    if wanted and count != wanted:
        report.add(f"has {count} page{'s' if count != 1 else ''}, it was fitted to {wanted}", kind="page count")
    if str(info.get("/Orientation", "")).lstrip("/") == "landscape":
        for page in reader.pages:
            w, h = page.size
            if w <= h:
                report.add(f"page {page.number}: portrait ({_mm(w)}×{_mm(h)} mm), the sheet was made landscape",
                           kind="orientation", page=page.number)
    size, smallest = info.get("/FontSize"), info.get("/MinSize")
    if size is not None and smallest is not None and number(size) < number(smallest) - 0.01:
        report.add(f"text at {number(size):g} pt, below the smallest legible size {number(smallest):g} pt", kind="size")
    columns, cards = info.get("/Columns"), info.get("/Cards")
    report.facts.update(pages=count, size=f"{number(size):g} pt" if size is not None else "?")
    if columns is not None:
        report.facts["columns"] = int(number(columns))
    if cards is not None:
        report.facts["cards"] = int(number(cards))
        report.description = (f"{int(number(cards))} cards on {count} page{'s' if count != 1 else ''}"
                              + (f" at {number(size):g} pt" if size is not None else "")
                              + (f", {int(number(columns))} columns" if columns is not None else ""))


class _CardNames:
    """'#12 "Czym jest softmax?"' for report lines. The questions are stored once in the PDF
    (/FiszkiInfo /Questions: a stream holding [number <hex text> …]) and read only when a problem
    is reported, so a PDF that passes never pays for them."""

    _PAIR = re.compile(rb"(\d+)\s*<([0-9A-Fa-f\s]*)>")

    def __init__(self, info: dict):
        self._info = info
        self._questions: dict[str, str] | None = None

    def _read(self) -> dict[str, str]:
        try:
            stream = _value(self._info.get("/Questions"))
            data = stream.get_data() if hasattr(stream, "get_data") else b""
        except Exception:  # noqa: BLE001 — a damaged record only costs the questions in the report
            return {}
        found = {}
        for num, hexed in self._PAIR.findall(data):
            hexed = b"".join(hexed.split())
            raw = bytes.fromhex((hexed + b"0" * (len(hexed) % 2)).decode())  # an odd last digit means d0
            found[num.decode()] = (raw[2:].decode("utf-16-be", errors="replace") if raw[:2] == b"\xfe\xff"
                                   else raw.decode("latin-1"))
        return found

    def note(self, number: str) -> str:
        """'#12 "question"', shortened for one report line; '#12' if the PDF does not say."""
        if self._questions is None:
            self._questions = self._read()
        question = self._questions.get(number)
        if question is None:
            return f"#{number}"
        note = f'#{number} "{question}"'
        return note[:66].rstrip() + "…\"" if len(note) > 70 else note


@dataclass
class _Side:
    """One card side as the PDF places it; rect is (x, y, w, h) from the printed page's corner."""

    key: str  # "12", or "12p2" for the second part of a split card
    side: str  # "front" | "back"
    page: int
    rect: tuple[float, float, float, float]
    names: _CardNames

    @property
    def note(self) -> str:  # '#12 "Czym jest softmax?"'
        return self.names.note(self.key.split("p")[0])


def _read_page(doc: PdfFile, page: Page, names: _CardNames) -> list[_Side]:
    """The card sides a page carries."""
    sides = []
    for name, rect in doc.annotations(page):
        m = _NAME_RE.match(name)
        if m:
            key = m.group(1) + (f"p{m.group(2)}" if m.group(2) else "")
            sides.append(_Side(key, m.group(3), page.number, rect, names))
    return sides


def _mirror(rect, paper, flip: str):
    """Where a front lands on the back page once the sheet is turned over its `flip` edge.

    Written again on purpose, not taken from geometry.py: the checker must not share a mistake
    with the code whose output it checks.
    """
    x, y, w, h = rect
    pw, ph = paper
    landscape = pw > ph
    mirror_columns = (flip == "long") != landscape
    return (pw - x - w, y, w, h) if mirror_columns else (x, ph - y - h, w, h)


def _distance(a, b) -> float:
    """How far apart two rectangles are: the larger gap between matching corners."""
    return max(math.hypot(a[0] - b[0], a[1] - b[1]),
               math.hypot(a[0] + a[2] - b[0] - b[2], a[1] + a[3] - b[1] - b[3]))


def _overlap(a, b) -> bool:
    return (a[0] + TOLERANCE < b[0] + b[2] and b[0] + TOLERANCE < a[0] + a[2]
            and a[1] + TOLERANCE < b[1] + b[3] and b[1] + TOLERANCE < a[1] + a[3])


def _protrusion(r, area) -> float:
    """How far rectangle r sticks out of area (0 if inside)."""
    return max(area[0] - r[0], area[1] - r[1], r[0] + r[2] - area[0] - area[2], r[1] + r[3] - area[1] - area[3], 0)


def _check_flashcards(doc: PdfFile, info: dict, report: CheckReport) -> None:
    paper = numbers(info.get("/Paper"), 2)
    flip = str(info.get("/Flip", "/long")).lstrip("/")
    mode = str(info.get("/Mode", "/duplex")).lstrip("/")
    margin = number(info.get("/Margin", 0))
    dx, dy = numbers(info.get("/BackOffset", [0, 0]), 2)
    expected_cards = int(number(info.get("/Cards", 0)))
    page_side = _PAGE_SIDE.get(mode)
    pages = doc.pages
    _check_pages_uniform(doc, paper, report)
    if mode == "duplex" and len(pages) % 2:
        report.add(f"{len(pages)} pages: a duplex set needs an even number (each front page followed by its back)",
                   kind="page order")
    safe = {"front": (margin, margin, paper[0] - 2 * margin, paper[1] - 2 * margin)}
    safe["back"] = (safe["front"][0] + dx, safe["front"][1] + dy, *safe["front"][2:])

    names = _CardNames(info)
    found: dict[str, dict[str, list[_Side]]] = {}  # card key -> side -> where it appears
    for page in pages:
        sides = _read_page(doc, page, names)
        n = page.number
        kinds = {s.side for s in sides}
        want = page_side(n) if page_side else None
        if not sides:
            report.add(f"page {n}: no cards on it; fiszki makes no empty pages (a page added?)", kind="page order", page=n)
        elif len(kinds) > 1 and mode != "fold":  # fold pages hold each question beside its answer
            report.add(f"page {n}: holds fronts and backs together", kind="page order", page=n)
        elif want and kinds != {want}:
            got = kinds.pop()
            why = (f"in a duplex set page {n} must hold {want}s (a page missing, added or moved before it?)"
                   if mode == "duplex" else f"this PDF was made to hold {want}s only")
            report.add(f"page {n}: holds {got}s, but {why}", kind="page order", page=n)
        for i, s in enumerate(sides):
            found.setdefault(s.key, {}).setdefault(s.side, []).append(s)
            out = _protrusion(s.rect, safe[s.side])
            if out > TOLERANCE:
                report.add(f"{s.note} page {n}: {s.side} reaches {_mm(out)} mm into the printer margin "
                           "or off the page", kind="margin", page=n, card=s.key)
            for other in sides[i + 1 :]:
                if _overlap(s.rect, other.rect):
                    report.add(f"page {n}: {s.note} and {other.note} overlap", kind="overlap", page=n, card=s.key)

    worst = 0.0
    for key in sorted(found, key=lambda k: [int(p) for p in k.split("p")]):
        where = found[key]
        note = next(iter(where.values()))[0].note
        for side, places in where.items():
            if len(places) > 1:
                report.add(f"{note}: its {side} appears {len(places)} times ({_pages_text([s.page for s in places])})",
                           kind="duplicate", page=places[1].page, card=key)
        fronts, backs = where.get("front"), where.get("back")
        if mode not in ("duplex", "fold") or (fronts and backs and (len(fronts) > 1 or len(backs) > 1)):
            continue
        if not backs or not fronts:
            have, miss = ("front", "back") if fronts else ("back", "front")
            report.add(f"{note}: has a {have} (page {(fronts or backs)[0].page}) but no {miss}",
                       kind="missing side", page=(fronts or backs)[0].page, card=key)
            continue
        front, back = fronts[0], backs[0]
        if mode == "fold":  # the answer beside its question on the same page, sharing the fold line
            error = _fold_error(front, back)
            worst = max(worst, error)
            if error > TOLERANCE:
                report.add(f"{note} page {back.page}: the answer is not beside its question (page {front.page}), "
                           "sharing the fold line", kind="back position", page=back.page, card=key)
            continue
        if back.page != front.page + 1:
            report.add(f"{note}: front on page {front.page} but back on page {back.page}; duplex printing puts "
                       f"page {front.page + 1} behind page {front.page}", kind="page order", page=back.page, card=key)
            continue
        mx, my, mw, mh = _mirror(front.rect, paper, flip)
        error = _distance((mx + dx, my + dy, mw, mh), back.rect)
        worst = max(worst, error)
        if error > TOLERANCE:
            report.add(f"{note} page {back.page}: back is {error:.1f} pt ({error / MM:.2f} mm) away from where "
                       f"its front lands after a {flip}-edge flip", kind="back position", page=back.page, card=key)

    if not found and pages:
        report.add("no card records: the hidden card annotations are gone (a tool rewrote the PDF?); "
                   "check the PDF fiszki wrote", kind="missing side")
    elif expected_cards and len(found) != expected_cards:
        report.add(f"{len(found)} cards found, the PDF was made with {expected_cards}", kind="missing side")
    report.facts = {"cards": len(found), "pages": len(pages), "mode": mode, "flip": f"{flip} edge",
                    "max_back_error_pt": round(worst, 3)}
    report.description = (f"{len(found)} cards on {len(pages)} pages, {mode}, {flip}-edge flip"
                          + (f", every back within {worst:.2f} pt of its front" if mode in ("duplex", "fold") else ""))


def _fold_error(front: _Side, back: _Side) -> float:
    """--mode fold: how far the answer is from the question's mirror image across one of its edges
    (folding along that edge puts it behind the question); infinite on another page."""
    if front.page != back.page:
        return math.inf
    x, y, w, h = front.rect
    return min(_distance(c, back.rect) for c in ((x + w, y, w, h), (x - w, y, w, h), (x, y - h, w, h), (x, y + h, w, h)))


def _font_embedded(font: dict) -> bool:
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return True  # its glyphs are drawn inside the PDF itself
    if subtype == "/Type0":
        descendants = _value(font.get("/DescendantFonts"))
        font = _value(descendants[0]) if isinstance(descendants, list) and descendants else {}
        if not isinstance(font, dict):
            return False
    desc = _value(font.get("/FontDescriptor"))
    return isinstance(desc, dict) and any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def _check_fonts(doc: PdfFile, report: CheckReport) -> None:
    """Every font on every page, in figures (form XObjects) too, must be embedded."""
    used: dict[object, set[int]] = {}  # font object -> pages
    fonts: dict[object, dict] = {}
    seen_resources: dict[object, list[object]] = {}  # resources -> its fonts, each read once

    def key_of(ref, obj) -> object:
        return (ref.idnum, ref.generation) if isinstance(ref, IndirectObject) else id(obj)

    def fonts_of(resources: dict, key: object, trail: frozenset) -> list[object]:
        if key in seen_resources:
            return seen_resources[key]
        seen_resources[key] = found = []
        for ref in (_value(resources.get("/Font")) or {}).values():
            font = _value(ref)
            if isinstance(font, dict):
                fkey = key_of(ref, font)
                fonts[fkey] = font
                found.append(fkey)
        for ref in (_value(resources.get("/XObject")) or {}).values():
            xobject = _value(ref)
            xkey = key_of(ref, xobject)
            if isinstance(xobject, dict) and xobject.get("/Subtype") == "/Form" and xkey not in trail:
                ref = xobject.get("/Resources")
                inner = _value(ref)
                if isinstance(inner, dict):
                    found.extend(fonts_of(inner, key_of(ref, inner), trail | {xkey}))
        return found

    for page in doc.pages:
        ref = page.obj.get("/Resources")
        resources = _value(ref)
        if isinstance(resources, dict):
            for fkey in fonts_of(resources, key_of(ref, resources), frozenset()):
                used.setdefault(fkey, set()).add(page.number)
    missing: dict[str, set[int]] = {}
    for fkey, pages in used.items():
        if not _font_embedded(fonts[fkey]):
            name = str(fonts[fkey].get("/BaseFont", "?")).lstrip("/")
            missing.setdefault(name, set()).update(pages)
    for name, pages in missing.items():
        report.add(f"font {name} is not embedded ({_pages_text(sorted(pages))}); printers would substitute "
                   "another font", kind="font", page=min(pages))


def check_file(path: Path) -> CheckReport:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return CheckReport(str(path), problems=["no such file"])
    except IsADirectoryError:
        return CheckReport(str(path), problems=["is a folder, not a PDF"])
    except OSError as exc:
        return CheckReport(str(path), problems=[f"cannot read it: {exc.strerror or exc}"])
    return check_pdf(data, str(path))
