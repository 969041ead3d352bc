"""`fiszki check`: read a finished PDF and prove it prints right.

Everything is measured in the file itself: the catalog's /FiszkiInfo records the layout the PDF was
made for (paper, flip edge, margin, back offset, mode, card count), and every card side carries a
hidden annotation named card-12-front / card-12-back whose /Rect is the card as TeX placed it.
A tool that moves, rotates, resizes, drops or reorders pages takes those annotations along, so the
check sees what a printer would get. The page labels (1-front, 1-back) are for people: they belong
to page positions, not to pages, so a tool that reorders pages leaves them behind; the check trusts
the annotations instead. Only dictionaries are read (builder.pdfread), never content streams: a
1000-card PDF checks in a few tenths of a second, Python start-up included.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from builder.pdfread import Page, PdfDocument, PdfError, Ref, number

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


def _num(value) -> float:
    return number(value)


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


def check_pdf(data: bytes, source: str = "PDF") -> CheckReport:
    report = CheckReport(source)
    try:
        doc = PdfDocument(data)
        info = doc.resolve(doc.catalog.get("/FiszkiInfo"))
    except PdfError as exc:
        reason = str(exc)
        report.problems.append(reason if reason == "not a PDF file" else f"the PDF is damaged or unusual ({reason})")
        return report
    if not isinstance(info, dict):
        report.problems.append("this PDF was not made by fiszki, or a tool rewrote it and dropped fiszki's "
                               "layout record, so there is nothing to check its card positions against")
        return report
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
            return report
        _check_fonts(doc, report)
        if doc.recovered:
            report.add("the file is damaged: its cross-reference table is broken (cut short or edited?); "
                       "the cards were found by scanning, but a printer may not manage that", kind="damaged")
    except PdfError as exc:
        report.add(f"the PDF is damaged ({exc})", kind="damaged")
    except (KeyError, TypeError, ValueError, IndexError) as exc:  # a layout record with odd values
        report.add(f"the PDF is damaged ({type(exc).__name__}: {exc})", kind="damaged")
    return report


def _check_pages_uniform(reader, paper: tuple[float, float], report: CheckReport) -> None:
    for page in reader.pages:
        w, h = page.size
        if abs(w - paper[0]) > TOLERANCE or abs(h - paper[1]) > TOLERANCE:
            report.add(f"page {page.number}: size {_mm(w)}×{_mm(h)} mm, the other sheets are "
                       f"{_mm(paper[0])}×{_mm(paper[1])} mm", kind="page size", page=page.number)
        if page.rotate % 360:
            report.add(f"page {page.number}: rotated by {page.rotate}°; the printer would turn its cards "
                       "away from their backs", kind="rotation", page=page.number)


def _check_cheatsheet(reader, info, report: CheckReport) -> None:
    """Exactly the pages it was fitted to, all of the paper and orientation it was made for."""
    paper = tuple(_num(v) for v in info["/Paper"])
    _check_pages_uniform(reader, paper, report)
    count = len(reader.pages)
    wanted = int(_num(info.get("/Pages", 0)))
    if wanted and count != wanted:
        report.add(f"has {count} page{'s' if count != 1 else ''}, it was fitted to {wanted}", kind="page count")
    if str(info.get("/Orientation", "")).lstrip("/") == "landscape":
        for page in reader.pages:
            w, h = page.size
            if w <= h:
                report.add(f"page {page.number}: portrait ({_mm(w)}×{_mm(h)} mm), the sheet was made landscape",
                           kind="orientation", page=page.number)
    size, smallest = info.get("/FontSize"), info.get("/MinSize")
    if size is not None and smallest is not None and _num(size) < _num(smallest) - 0.01:
        report.add(f"text at {_num(size):g} pt, below the smallest legible size {_num(smallest):g} pt", kind="size")
    columns, cards = info.get("/Columns"), info.get("/Cards")
    report.facts.update(pages=count, size=f"{_num(size):g} pt" if size is not None else "?")
    if columns is not None:
        report.facts["columns"] = int(_num(columns))
    if cards is not None:
        report.facts["cards"] = int(_num(cards))
        report.description = (f"{int(_num(cards))} cards on {count} page{'s' if count != 1 else ''}"
                              + (f" at {_num(size):g} pt" if size is not None else "")
                              + (f", {int(_num(columns))} columns" if columns is not None else ""))


@dataclass
class _Side:
    """One card side as the PDF places it; rect is (x, y, w, h) from the printed page's corner."""

    key: str  # "12", or "12p2" for the second part of a split card
    side: str  # "front" | "back"
    page: int
    rect: tuple[float, float, float, float]
    note: str  # '#12 "Czym jest softmax?"'


def _rect(annot: dict, page: Page, doc: PdfDocument) -> tuple[float, float, float, float]:
    values = doc.resolve(annot.get("/Rect"))
    if not isinstance(values, list) or len(values) != 4:
        raise PdfError(f"an annotation on page {page.number} has no rectangle")
    x1, y1, x2, y2 = values
    try:
        # What prints is the page box; a box moved by a tool moves every card on the paper.
        return min(x1, x2) - page.box[0], min(y1, y2) - page.box[1], abs(x2 - x1), abs(y2 - y1)
    except TypeError:  # rare: numbers given by reference
        x1, y1, x2, y2 = (number(doc.resolve(v)) for v in values)
        return min(x1, x2) - page.box[0], min(y1, y2) - page.box[1], abs(x2 - x1), abs(y2 - y1)


def _note(number: str, contents) -> str:
    """'#12 "question"' as the builder wrote it, shortened for one report line."""
    if not isinstance(contents, str) or not contents.startswith("#"):
        return f"#{number}"
    if len(contents) > 70:
        contents = contents[:66].rstrip() + "…\""
    return contents


def _read_page(doc: PdfDocument, page: Page) -> tuple[list[_Side], list[tuple]]:
    """The card sides and crop marks a page carries."""
    sides, marks = [], []
    for annot in doc.annotations(page):
        name = annot.get("/NM")
        if not isinstance(name, str):
            continue
        if name.startswith("cutmark-"):
            marks.append(_rect(annot, page, doc))
            continue
        m = _NAME_RE.match(name)
        if m:
            key = m.group(1) + (f"p{m.group(2)}" if m.group(2) else "")
            sides.append(_Side(key, m.group(3), page.number, _rect(annot, page, doc),
                               _note(m.group(1), annot.get("/Contents"))))
    return sides, marks


def _mirror(rect, paper, flip: str):
    """Where a front lands on the back page once the sheet is turned over its `flip` edge."""
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


def _bounds(rects) -> tuple[float, float, float, float]:
    x0, y0 = min(r[0] for r in rects), min(r[1] for r in rects)
    return x0, y0, max(r[0] + r[2] for r in rects) - x0, max(r[1] + r[3] for r in rects) - y0


def _protrusion(r, area) -> float:
    """How far rectangle r sticks out of area (0 if inside)."""
    return max(area[0] - r[0], area[1] - r[1], r[0] + r[2] - area[0] - area[2], r[1] + r[3] - area[1] - area[3], 0)


def _check_flashcards(doc: PdfDocument, info: dict, report: CheckReport) -> None:
    paper = tuple(_num(doc.resolve(v)) for v in doc.resolve(info["/Paper"]))
    flip = str(info.get("/Flip", "/long")).lstrip("/")
    mode = str(info.get("/Mode", "/duplex")).lstrip("/")
    margin = _num(info.get("/Margin", 0))
    dx, dy = (_num(doc.resolve(v)) for v in doc.resolve(info.get("/BackOffset", [0, 0])))
    expected_cards = int(_num(info.get("/Cards", 0)))
    page_side = _PAGE_SIDE.get(mode)
    pages = doc.pages
    _check_pages_uniform(doc, paper, report)
    if mode == "duplex" and len(pages) % 2:
        report.add(f"{len(pages)} pages: a duplex set needs an even number (each front page followed by its back)",
                   kind="page order")
    safe = {"front": (margin, margin, paper[0] - 2 * margin, paper[1] - 2 * margin)}
    safe["back"] = (safe["front"][0] + dx, safe["front"][1] + dy, *safe["front"][2:])

    found: dict[str, dict[str, list[_Side]]] = {}  # card key -> side -> where it appears
    for page in pages:
        sides, marks = _read_page(doc, page)
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
        if sides and marks:  # crop marks belong outside the card grid: test only those that reach it
            grid = _bounds([s.rect for s in sides])
            marks = [m for m in marks if _overlap(m, grid)]
        for i, s in enumerate(sides):
            found.setdefault(s.key, {}).setdefault(s.side, []).append(s)
            out = _protrusion(s.rect, safe[s.side])
            if out > TOLERANCE:
                report.add(f"{s.note} page {n}: {s.side} reaches {_mm(out)} mm into the printer margin "
                           "or off the page", kind="margin", page=n, card=s.key)
            for other in sides[i + 1 :]:
                if _overlap(s.rect, other.rect):
                    report.add(f"page {n}: {s.note} and {other.note} overlap", kind="overlap", page=n, card=s.key)
            if any(_overlap(s.rect, m) for m in marks):
                report.add(f"{s.note} page {n}: a crop mark is drawn over the card", kind="overlap", page=n, card=s.key)

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


def _font_embedded(doc: PdfDocument, font: dict) -> bool:
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return True  # its glyphs are drawn inside the PDF itself
    if subtype == "/Type0":
        descendants = doc.resolve(font.get("/DescendantFonts"))
        font = doc.resolve(descendants[0]) if isinstance(descendants, list) and descendants else {}
        if not isinstance(font, dict):
            return False
    desc = doc.resolve(font.get("/FontDescriptor"))
    return isinstance(desc, dict) and any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def _check_fonts(doc: PdfDocument, report: CheckReport) -> None:
    """Every font on every page, in figures (form XObjects) too, must be embedded."""
    used: dict[object, set[int]] = {}  # font object -> pages
    fonts: dict[object, dict] = {}
    seen_resources: dict[object, list[object]] = {}  # resources -> its fonts, each read once

    def fonts_of(resources, trail: frozenset) -> list[object]:
        key = id(resources)
        if key in seen_resources:
            return seen_resources[key]
        seen_resources[key] = found = []
        for ref in (doc.resolve(resources.get("/Font")) or {}).values():
            font = doc.resolve(ref)
            if isinstance(font, dict):
                fkey = ref.num if isinstance(ref, Ref) else id(font)
                fonts[fkey] = font
                found.append(fkey)
        for ref in (doc.resolve(resources.get("/XObject")) or {}).values():
            xobject = doc.resolve(ref)
            if isinstance(xobject, dict) and xobject.get("/Subtype") == "/Form" and id(xobject) not in trail:
                inner = doc.resolve(xobject.get("/Resources"))
                if isinstance(inner, dict):
                    found.extend(fonts_of(inner, trail | {id(xobject)}))
        return found

    for page in doc.pages:
        for fkey in fonts_of(page.resources, frozenset()):
            used.setdefault(fkey, set()).add(page.number)
    missing: dict[str, set[int]] = {}
    for fkey, pages in used.items():
        if not _font_embedded(doc, fonts[fkey]):
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
