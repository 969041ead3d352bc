"""`fiszki check`: read a finished PDF and prove it prints right.

Reads only what is cheap: the catalog's /FiszkiInfo, page boxes, page labels, annotation rectangles
and font dictionaries, never content streams, so a 1000-card PDF checks in a fraction of a second.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

TOLERANCE = 0.5  # pt: how far a back may sit from the mirror of its front

_NAME_RE = re.compile(r"^card-(\d+)(?:p(\d+))?-(front|back)$")


@dataclass
class CheckReport:
    source: str
    kind: str = "unknown"
    problems: list[str] = field(default_factory=list)
    facts: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems and self.kind != "unknown"

    def summary(self) -> str:
        if self.kind == "unknown":
            return f"{self.source}: cannot check: {self.problems[0] if self.problems else 'not a fiszki PDF'}"
        if self.ok:
            detail = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in self.facts.items())
            return f"{self.source}: OK ({self.kind}: {detail})"
        n = len(self.problems)
        return f"{self.source}: {n} problem{'s' if n != 1 else ''} ({self.kind}); it would not print right"

    def lines(self) -> list[str]:
        own = [f"{self.source}: {p}" for p in self.problems] if self.kind != "unknown" else []
        return own + [self.summary()]

    def as_dict(self) -> dict:
        return {"file": self.source, "kind": self.kind, "ok": self.ok, "problems": self.problems,
                "facts": self.facts, "summary": self.summary()}


def _num(value) -> float:
    return float(value)


def _rect(annot) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = (_num(v) for v in annot["/Rect"])
    return min(x1, x2), min(y1, y2), abs(x2 - x1), abs(y2 - y1)


def _pdf_string(value) -> str:
    return str(value) if value is not None else ""


def _fonts_not_embedded(reader) -> list[str]:
    missing, seen = [], set()
    for page in reader.pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources else None
        if not fonts:
            continue
        for ref in fonts.get_object().values():
            key = getattr(ref, "idnum", id(ref))
            if key in seen:
                continue
            seen.add(key)
            font = ref.get_object()
            if font.get("/Subtype") == "/Type3":
                continue  # glyphs are drawn inside the PDF itself
            desc = font.get("/FontDescriptor")
            if font.get("/Subtype") == "/Type0":
                desc = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            desc = desc.get_object() if desc else None
            if not desc or not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                missing.append(str(font.get("/BaseFont", "?")).lstrip("/"))
    return missing


def _page_labels(reader) -> list[str]:
    try:
        return list(reader.page_labels)
    except Exception:  # a damaged label tree reads as "no labels"
        return []


def check_pdf(data: bytes, source: str = "PDF") -> CheckReport:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    report = CheckReport(source)
    try:
        reader = PdfReader(io.BytesIO(data))
        info = reader.trailer["/Root"].get("/FiszkiInfo")
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        report.problems.append(f"not a readable PDF ({exc})")
        return report
    if info is None:
        report.problems.append("this PDF was not made by fiszki (it carries no fiszki layout record), "
                               "so its card positions cannot be checked")
        return report
    info = info.get_object()
    kind = str(info.get("/Kind", "")).lstrip("/")
    if kind == "Flashcards":
        report.kind = "flashcards"
        _check_flashcards(reader, info, report)
    elif kind == "CheatSheet":
        report.kind = "cheat sheet"
        _check_cheatsheet(reader, info, report)
    else:
        report.problems.append(f"unknown fiszki PDF kind {kind!r}")
        return report
    missing = _fonts_not_embedded(reader)
    if missing:
        report.problems.append(f"fonts not embedded (print shops and some printers need them): {', '.join(missing)}")
    return report


def _check_pages_uniform(reader, paper: tuple[float, float], report: CheckReport) -> None:
    for number, page in enumerate(reader.pages, 1):
        box = page.mediabox
        w, h = float(box.width), float(box.height)
        if abs(w - paper[0]) > TOLERANCE or abs(h - paper[1]) > TOLERANCE:
            report.problems.append(f"page {number}: size {w:.1f}×{h:.1f} pt, the sheets are "
                                   f"{paper[0]:.1f}×{paper[1]:.1f} pt")
        rotate = int(page.get("/Rotate", 0) or 0)
        if rotate % 360:
            report.problems.append(f"page {number}: rotated by {rotate}°; a duplex printer would turn its cards")


def _check_cheatsheet(reader, info, report: CheckReport) -> None:
    paper = tuple(_num(v) for v in info["/Paper"])
    wanted = int(info.get("/Pages", 0))
    _check_pages_uniform(reader, paper, report)
    count = len(reader.pages)
    if wanted and count != wanted:
        report.problems.append(f"has {count} pages, {wanted} were asked for")
    report.facts.update(pages=count, size=f"{info.get('/FontSize', '?')} pt")


def _mirror(rect, paper, flip: str):
    x, y, w, h = rect
    pw, ph = paper
    landscape = pw > ph
    mirror_columns = (flip == "long") != landscape
    return (pw - x - w, y, w, h) if mirror_columns else (x, ph - y - h, w, h)


def _overlap(a, b) -> bool:
    return (a[0] + TOLERANCE < b[0] + b[2] and b[0] + TOLERANCE < a[0] + a[2]
            and a[1] + TOLERANCE < b[1] + b[3] and b[1] + TOLERANCE < a[1] + a[3])


def _inside(r, area) -> bool:
    return (r[0] >= area[0] - TOLERANCE and r[1] >= area[1] - TOLERANCE
            and r[0] + r[2] <= area[0] + area[2] + TOLERANCE and r[1] + r[3] <= area[1] + area[3] + TOLERANCE)


def _check_flashcards(reader, info, report: CheckReport) -> None:
    paper = tuple(_num(v) for v in info["/Paper"])
    flip = str(info.get("/Flip", "/long")).lstrip("/")
    mode = str(info.get("/Mode", "/duplex")).lstrip("/")
    margin = _num(info.get("/Margin", 0))
    dx, dy = (_num(v) for v in info.get("/BackOffset", [0, 0]))
    expected_cards = int(info.get("/Cards", 0))
    _check_pages_uniform(reader, paper, report)
    pages = reader.pages
    if mode == "duplex" and len(pages) % 2:
        report.problems.append(f"{len(pages)} pages: a duplex sheet set needs an even number "
                               "(every front page followed by its back page)")
    labels = _page_labels(reader)
    safe = (margin, margin, paper[0] - 2 * margin, paper[1] - 2 * margin)

    fronts: dict[str, tuple[int, tuple]] = {}
    backs: dict[str, tuple[int, tuple]] = {}
    notes: dict[str, str] = {}
    for number, page in enumerate(pages, 1):
        side_of_page = ("front" if number % 2 else "back") if mode == "duplex" else mode.rstrip("s")
        label = labels[number - 1] if number - 1 < len(labels) else ""
        if mode == "duplex" and not label.endswith(side_of_page):
            report.problems.append(f"page {number}: labelled {label!r}, but page {number} of a duplex set "
                                   f"must be a {side_of_page} page (pages out of order?)")
        cards_here, marks_here = [], []
        for annot_ref in page.get("/Annots", []) or []:
            annot = annot_ref.get_object()
            name = _pdf_string(annot.get("/NM"))
            if name.startswith("cutmark-"):
                marks_here.append((name, _rect(annot)))
                continue
            m = _NAME_RE.match(name)
            if not m:
                continue
            key = f"{m.group(1)}" + (f"p{m.group(2)}" if m.group(2) else "")
            side = m.group(3)
            rect = _rect(annot)
            notes.setdefault(key, _pdf_string(annot.get("/Contents")) or f"#{m.group(1)}")
            table = fronts if side == "front" else backs
            if key in table:
                report.problems.append(f"{notes[key]}: {side} appears twice (pages {table[key][0]} and {number})")
            table[key] = (number, rect)
            if side != side_of_page and mode == "duplex":
                report.problems.append(f"{notes[key]}: its {side} is on page {number}, a {side_of_page} page")
            area = safe if side == "front" else (safe[0] + dx, safe[1] + dy, safe[2], safe[3])
            if not _inside(rect, area):
                report.problems.append(f"{notes[key]} page {number}: {side} reaches into the printer margin "
                                       f"or off the page")
            cards_here.append((key, rect))
        for i, (ka, ra) in enumerate(cards_here):
            for kb, rb in cards_here[i + 1 :]:
                if _overlap(ra, rb):
                    report.problems.append(f"page {number}: {notes[ka]} and {notes[kb]} overlap")
            for mark_name, mr in marks_here:
                if _overlap(ra, mr):
                    report.problems.append(f"page {number}: crop mark {mark_name} is drawn over {notes[ka]}")

    for key in sorted(set(fronts) | set(backs), key=lambda k: [int(p) for p in k.split("p")]):
        note = notes[key]
        if key not in backs and mode in ("duplex", "backs"):
            report.problems.append(f"{note}: has a front (page {fronts[key][0]}) but no back")
            continue
        if key not in fronts and mode in ("duplex", "fronts"):
            report.problems.append(f"{note}: has a back (page {backs[key][0]}) but no front")
            continue
        if mode != "duplex":
            continue
        (fpage, frect), (bpage, brect) = fronts[key], backs[key]
        if bpage != fpage + 1:
            report.problems.append(f"{note}: front on page {fpage} but back on page {bpage}; "
                                   f"it must be on page {fpage + 1}, behind its front")
            continue
        mx, my, mw, mh = _mirror(frect, paper, flip)
        want = (mx + dx, my + dy, mw, mh)
        error = max(abs(a - b) for a, b in zip(want, brect))
        report.facts["max_back_error_pt"] = round(max(report.facts.get("max_back_error_pt", 0.0), error), 3)
        if error > TOLERANCE:
            report.problems.append(f"{note} page {bpage}: back is {error:.1f} pt ({error / 72 * 25.4:.2f} mm) "
                                   f"away from where its front lands after a {flip}-edge flip")
    cards = len(set(fronts) | set(backs))
    if expected_cards and cards != expected_cards:
        report.problems.append(f"{cards} cards found, the PDF was made with {expected_cards}")
    report.facts = {"cards": cards, "pages": len(pages), "flip": f"{flip} edge", **report.facts}


def check_file(path: Path) -> CheckReport:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return CheckReport(str(path), problems=[f"cannot read: {exc.strerror}"])
    return check_pdf(data, str(path))
