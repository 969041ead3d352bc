"""The flashcards' check: every card once on each side, every back behind its front for the
recorded flip edge and offset, nothing in the printer margin, no overlaps."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from builder.checking.pdf import TOLERANCE, Page, PdfFile, check_pages_uniform, resolved, number, numbers
from builder.checking.report import MM, CheckReport, mm, pages_text
from builder.tex.contract import CLIP, parse_card_name


MAX_SIDES_PER_PAGE = 1000  # card sides one page can hold: twice fiszki's 500 cards a sheet (fold pairs)
# Which side each page holds, by mode: duplex alternates front and back pages; fronts and backs
# are single-sided runs (print one, turn the stack, print the other).
_PAGE_SIDE = {
    "duplex": lambda n: "front" if n % 2 else "back",
    "fronts": lambda n: "front",
    "backs": lambda n: "back",
}


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
            stream = resolved(self._info.get("/Questions"))
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

    def question(self, number: str) -> str | None:
        """Card `number`'s question as the PDF records it, None if it does not say."""
        if self._questions is None:
            self._questions = self._read()
        return self._questions.get(number)

    def note(self, number: str) -> str:
        """'#12 "question"', shortened for one report line; '#12' if the PDF does not say."""
        question = self.question(number)
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
        card = parse_card_name(name)
        if card:
            sides.append(_Side(card[0], card[1], page.number, rect, names))
    return sides


def _check_clipped(doc: PdfFile, page: Page, sides: list[_Side], report: CheckReport) -> None:
    """Every side's drawing is clipped to its card (CLIP inside its edge), so nothing a formula
    moves off its box (\\smash, negative spacing) can print on a neighbouring card."""
    clips = doc.clips(page) if sides else []
    if clips is None:
        return
    for s in sides:
        x, y, w, h = s.rect
        inside = (x + CLIP, y + CLIP, w - 2 * CLIP, h - 2 * CLIP)
        if not any(max(abs(a - b) for a, b in zip(inside, c)) < TOLERANCE for c in clips):
            report.add(f"{s.note} page {page.number}: its {s.side} is not clipped to its card; what a formula "
                       "moves off it could print on its neighbour", kind="clip", page=page.number, card=s.key)


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


def _overlapping(sides: list[_Side]) -> list[tuple[_Side, _Side]]:
    """The pairs of sides that overlap, in page order: sorted left to right, each side is compared
    only with those not yet ended on its left (a grid column), not with every other."""
    order = sorted(range(len(sides)), key=lambda k: sides[k].rect[0])
    pairs, open_ = [], []
    for k in order:
        r = sides[k].rect
        open_ = [j for j in open_ if sides[j].rect[0] + sides[j].rect[2] > r[0] + TOLERANCE]
        pairs.extend((min(j, k), max(j, k)) for j in open_ if _overlap(sides[j].rect, r))
        open_.append(k)
    return [(sides[a], sides[b]) for a, b in sorted(pairs)]


def _protrusion(r, area) -> float:
    """How far rectangle r sticks out of area (0 if inside)."""
    return max(area[0] - r[0], area[1] - r[1], r[0] + r[2] - area[0] - area[2], r[1] + r[3] - area[1] - area[3], 0)


@dataclass
class _Made:
    """The layout the PDF records it was made for (/FiszkiInfo)."""

    paper: tuple[float, float]
    flip: str
    mode: str
    margin: float
    offset: tuple[float, float]
    cards: int

    @classmethod
    def read(cls, info: dict) -> _Made:
        return cls(numbers(info.get("/Paper"), 2), str(info.get("/Flip", "/long")).lstrip("/"),
                   str(info.get("/Mode", "/duplex")).lstrip("/"), number(info.get("/Margin", 0)),
                   numbers(info.get("/BackOffset", [0, 0]), 2), int(number(info.get("/Cards", 0))))


def check(doc: PdfFile, info: dict, report: CheckReport) -> None:
    made = _Made.read(info)
    pages = doc.pages
    check_pages_uniform(doc, made.paper, report)
    if made.mode == "duplex" and len(pages) % 2:
        report.add(f"{len(pages)} pages: a duplex set needs an even number (each front page followed by its back)",
                   kind="page order")
    found = _read_pages(doc, made, _CardNames(info), report)
    worst = _pair_sides(found, made, report)
    if not found and pages:
        report.add("no card records: the hidden card annotations are gone (a tool rewrote the PDF?); "
                   "check the PDF fiszki wrote", kind="missing side")
    elif made.cards and len(found) != made.cards:
        report.add(f"{len(found)} cards found, the PDF was made with {made.cards}", kind="missing side")
    mode, flip = made.mode, made.flip
    report.facts = {"cards": len(found), "pages": len(pages), "mode": mode, "flip": f"{flip} edge",
                    "max_back_error_pt": round(worst, 3)}
    # A fold sheet is printed on one side: no flip edge applies to it.
    how = "each answer beside its question on its fold line" if mode == "fold" else f"{flip}-edge flip"
    report.description = (f"{len(found)} cards on {len(pages)} pages, {mode}, {how}"
                          + (f", every back within {worst:.2f} pt of its front" if mode in ("duplex", "fold") else ""))


def _read_pages(doc: PdfFile, made: _Made, names: _CardNames, report: CheckReport) -> dict[str, dict[str, list[_Side]]]:
    """Every card side on every page (card key -> side -> where it appears), with what is wrong
    with a page as such: the wrong sides on it, a side in the margin, sides overlapping."""
    margin, (dx, dy), page_side = made.margin, made.offset, _PAGE_SIDE.get(made.mode)
    safe = {"front": (margin, margin, made.paper[0] - 2 * margin, made.paper[1] - 2 * margin)}
    safe["back"] = (safe["front"][0] + dx, safe["front"][1] + dy, *safe["front"][2:])
    found: dict[str, dict[str, list[_Side]]] = {}
    for page in doc.pages:
        sides = _read_page(doc, page, names)
        _check_clipped(doc, page, sides, report)
        n = page.number
        kinds = {s.side for s in sides}
        want = page_side(n) if page_side else None
        if not sides:
            report.add(f"page {n}: no cards on it; fiszki makes no empty pages (a page added?)", kind="page order", page=n)
        elif len(kinds) > 1 and made.mode != "fold":  # fold pages hold each question beside its answer
            report.add(f"page {n}: holds fronts and backs together", kind="page order", page=n)
        elif want and kinds != {want}:
            got = kinds.pop()
            why = (f"in a duplex set page {n} must hold {want}s (a page missing, added or moved before it?)"
                   if made.mode == "duplex" else f"this PDF was made to hold {want}s only")
            report.add(f"page {n}: holds {got}s, but {why}", kind="page order", page=n)
        for s in sides:
            found.setdefault(s.key, {}).setdefault(s.side, []).append(s)
            out = _protrusion(s.rect, safe[s.side])
            if out > TOLERANCE:
                report.add(f"{s.note} page {n}: {s.side} reaches {mm(out)} mm into the printer margin "
                           "or off the page", kind="margin", page=n, card=s.key)
        if len(sides) > MAX_SIDES_PER_PAGE:
            report.add(f"page {n}: {len(sides)} card sides, more than fiszki ever puts on a page "
                       f"({MAX_SIDES_PER_PAGE}); their overlaps are not checked", kind="overlap", page=n)
            continue
        for s, other in _overlapping(sides):
            report.add(f"page {n}: {s.note} and {other.note} overlap", kind="overlap", page=n, card=s.key)
    return found


def _pair_sides(found: dict[str, dict[str, list[_Side]]], made: _Made, report: CheckReport) -> float:
    """Each card once on each side, its back where its front lands (duplex: behind it on the next
    page; fold: beside it). Returns the largest distance found, in points."""
    worst = 0.0
    mode, flip, (dx, dy) = made.mode, made.flip, made.offset
    for key in sorted(found, key=lambda k: [int(p) for p in k.split("p")]):
        where = found[key]
        note = next(iter(where.values()))[0].note
        for side, places in where.items():
            if len(places) > 1:
                report.add(f"{note}: its {side} appears {len(places)} times ({pages_text([s.page for s in places])})",
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
        mx, my, mw, mh = _mirror(front.rect, made.paper, flip)
        error = _distance((mx + dx, my + dy, mw, mh), back.rect)
        worst = max(worst, error)
        if error > TOLERANCE:
            report.add(f"{note} page {back.page}: back is {error:.1f} pt ({error / MM:.2f} mm) away from where "
                       f"its front lands after a {flip}-edge flip", kind="back position", page=back.page, card=key)
    return worst


def _fold_error(front: _Side, back: _Side) -> float:
    """--mode fold: how far the answer is from the question's mirror image across one of its edges
    (folding along that edge puts it behind the question); infinite on another page."""
    if front.page != back.page:
        return math.inf
    x, y, w, h = front.rect
    return min(_distance(c, back.rect) for c in ((x + w, y, w, h), (x - w, y, w, h), (x, y - h, w, h), (x, y + h, w, h)))
