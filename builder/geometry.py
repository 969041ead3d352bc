"""Page geometry for double-sided card sheets: pure stdlib, testable without TeX.

All lengths are PostScript points (bp, 1/72 in), PDF origin at the page's bottom-left.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from builder.errors import GeometryError

MM = 72 / 25.4
INCH = 72.0
_UNITS = {"mm": MM, "cm": 10 * MM, "in": INCH, "pt": INCH / 72.27, "bp": 1.0}
_TOL = 1e-6  # points; absorbs float noise when comparing edges

PAPERS = {"a4": (210 * MM, 297 * MM), "letter": (8.5 * INCH, 11 * INCH)}
CARD_PRESETS = {
    "a7": (105 * MM, 74 * MM),
    "a8": (74 * MM, 52 * MM),
    "business": (85 * MM, 55 * MM),
    "poker": (63 * MM, 88 * MM),
    "index3x5": (5 * INCH, 3 * INCH),
    "index4x6": (6 * INCH, 4 * INCH),
}
DEFAULT_MARGIN_MM = 5.0
DEFAULT_GUTTER_MM = 0.0
# Limits no real deck meets, so that absurd sizes end with a message instead of a runaway build.
MAX_LENGTH_MM = 100_000  # any length: 100 m
MAX_PAPER_MM = 1500  # a side of the paper: A0 is 841 x 1189; pdfTeX's own page limit is 5758 mm
MIN_CARD_MM = 20  # a side of a card: 3 mm safe area each side, the label line and a few lines of text
MAX_PER_SHEET = 500  # cards on one sheet (20 mm cards on A3 are 280)

_NUMBER = re.compile(r"^\s*([+-]?(?:\d+\.?\d*|\.\d+))\s*([a-z]*)\s*$", re.I)
_TIMES = re.compile(r"[x×]", re.I)


def _mm(points: float) -> str:
    """Format points as a short mm number for messages, e.g. '85' or '215.9'."""
    return f"{round(points / MM, 2):g}"


def parse_length(text: str, default_unit: str = "mm") -> float:
    """'5', '5mm', '0.25in', '12pt' (TeX points), '2.5 cm' -> points."""
    m = _NUMBER.match(str(text))
    unit = (m.group(2).lower() or default_unit) if m else ""
    if not m or unit not in _UNITS:
        raise GeometryError(
            f"invalid length {text!r}: use a number with an optional unit "
            f"({', '.join(_UNITS)}), e.g. '5mm' or '0.25in'")
    points = float(m.group(1)) * _UNITS[unit]
    if not abs(points) <= MAX_LENGTH_MM * MM:  # also infinity: float() of 400 digits
        raise GeometryError(f"invalid length {text!r}: at most {MAX_LENGTH_MM // 1000} m")
    return points


def parse_size(text: str) -> tuple[float, float]:
    """'90x50', '3x5in', '3inx5in' -> (w, h) points; a trailing unit applies to both."""
    bad = GeometryError(f"invalid size {text!r}: use WIDTHxHEIGHT, e.g. '85x55' (mm) or '3x5in'")
    parts = _TIMES.split(str(text))
    if len(parts) != 2:
        raise bad
    tail = _NUMBER.match(parts[1])
    unit = tail.group(2).lower() if tail and tail.group(2) else "mm"
    try:
        w, h = parse_length(parts[0], unit), parse_length(parts[1], unit)
    except GeometryError:
        raise bad from None
    if w <= 0 or h <= 0:
        raise GeometryError(f"invalid size {text!r}: width and height must be positive")
    return w, h


def parse_paper(spec: str, orientation: str = "portrait") -> tuple[float, float]:
    """Paper name or WxH, turned to the requested orientation."""
    key = str(spec).strip().lower()
    if key in PAPERS:
        w, h = PAPERS[key]
    elif _TIMES.search(key):
        w, h = parse_size(key)
    else:
        raise GeometryError(
            f"unknown paper {spec!r}: use one of {', '.join(PAPERS)} or a size like '210x297'")
    if max(w, h) > MAX_PAPER_MM * MM + _TOL:
        raise GeometryError(f"paper {spec!r} is {_mm(w)} x {_mm(h)} mm: fiszki makes pages of at most "
                            f"{MAX_PAPER_MM} mm a side")
    short, long_ = sorted((w, h))
    orient = str(orientation).strip().lower()
    if orient == "portrait":
        return short, long_
    if orient == "landscape":
        return long_, short
    raise GeometryError(f"unknown orientation {orientation!r}: use 'portrait' or 'landscape'")


def parse_card(spec: str) -> tuple[float, float]:
    """Preset name ('business', 'index-3x5', ...) or WxH; bare numbers are mm."""
    key = re.sub(r"[\s_-]", "", str(spec).lower())
    if key in CARD_PRESETS:
        return CARD_PRESETS[key]
    if key.startswith("index") or not _TIMES.search(key):
        raise GeometryError(
            f"unknown card {spec!r}: use one of {', '.join(CARD_PRESETS)} "
            f"or a size like '85x55' (mm) or '3x5in'")
    w, h = parse_size(spec)
    if min(w, h) < MIN_CARD_MM * MM - _TOL:
        inches = f"; {spec}in is inches" if not re.search(r"[a-z]", _TIMES.sub("", str(spec)), re.I) else ""
        raise GeometryError(f"card {spec!r} is {_mm(w)} x {_mm(h)} mm: cards need at least {MIN_CARD_MM} mm a "
                            f"side (a 3 mm safe area on each edge, the label line and some text){inches}")
    return w, h


def parse_grid(spec: str) -> tuple[int, int]:
    """'ROWSxCOLS', e.g. '4x2' -> (4, 2)."""
    m = re.fullmatch(r"\s*(\d+)\s*[x×]\s*(\d+)\s*", str(spec), re.I)
    if not m or int(m.group(1)) < 1 or int(m.group(2)) < 1:
        raise GeometryError(f"invalid grid {spec!r}: use ROWSxCOLS with whole numbers >= 1, e.g. '4x2'")
    return int(m.group(1)), int(m.group(2))


def parse_offset(spec: str) -> tuple[float, float]:
    """'X,Y' (mm unless a unit is given) -> (dx, dy) points."""
    parts = str(spec).split(",")
    if len(parts) != 2:
        raise GeometryError(f"invalid offset {spec!r}: use X,Y in mm, e.g. '1.5,-0.5'")
    return parse_length(parts[0]), parse_length(parts[1])


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def top(self) -> float:
        return self.y + self.h

    def contains(self, other: Rect, tol: float = _TOL) -> bool:
        return (other.x >= self.x - tol and other.y >= self.y - tol
                and other.right <= self.right + tol and other.top <= self.top + tol)

    def overlaps(self, other: Rect, tol: float = _TOL) -> bool:
        """True if the interiors intersect; cards sharing an edge do not overlap."""
        return (min(self.right, other.right) - max(self.x, other.x) > tol
                and min(self.top, other.top) - max(self.y, other.y) > tol)

    def shifted(self, dx: float, dy: float) -> Rect:
        return Rect(self.x + dx, self.y + dy, self.w, self.h)

    def as_tuple(self) -> tuple[float, float, float, float]:
        return self.x, self.y, self.w, self.h


def _fit(space: float, size: float, gutter: float) -> int:
    """How many `size` items with `gutter` between them fit in `space`."""
    return max(0, math.floor((space + gutter) / (size + gutter) + 1e-9))


def _distinct(values) -> list[float]:
    """Sorted values with near-duplicates (shared card edges) merged."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _TOL:
            out.append(v)
    return out


@dataclass(frozen=True)
class SheetLayout:
    paper_w: float
    paper_h: float
    card_w: float
    card_h: float
    rows: int
    cols: int
    margin: float
    gutter: float
    flip: str  # "long" | "short": the paper edge the duplex printer turns the sheet over
    back_offset: tuple[float, float] = (0.0, 0.0)  # back page coords, added after mirroring

    def __post_init__(self):
        if self.flip not in ("long", "short"):
            raise GeometryError(f"unknown flip {self.flip!r}: use 'long' or 'short' (the duplex edge)")
        grid = Rect(*self.grid_origin, *self._grid_size())
        if self.rows < 1 or self.cols < 1 or not self.safe_area().contains(grid):
            raise GeometryError(f"a {self.rows}x{self.cols} grid does not fit inside the margins")
        page = Rect(0, 0, self.paper_w, self.paper_h)
        if not page.contains(self.mirror(grid).shifted(*self.back_offset)):
            x0, y0 = self.grid_origin
            dx, dy = self.back_offset
            raise GeometryError(
                f"back offset {_mm(dx)},{_mm(dy)} mm pushes back cards off the page; "
                f"with this layout use at most ±{_mm(x0)} mm across and ±{_mm(y0)} mm up/down")

    def _grid_size(self) -> tuple[float, float]:
        return (self.cols * (self.card_w + self.gutter) - self.gutter,
                self.rows * (self.card_h + self.gutter) - self.gutter)

    @property
    def orientation(self) -> str:
        return "landscape" if self.paper_w > self.paper_h else "portrait"

    @property
    def per_sheet(self) -> int:
        return self.rows * self.cols

    @property
    def grid_origin(self) -> tuple[float, float]:
        # Centring keeps margins symmetric, so the mirrored back grid lands
        # exactly on the front grid and needs no extra correction.
        gw, gh = self._grid_size()
        return (self.paper_w - gw) / 2, (self.paper_h - gh) / 2

    def front_rect(self, slot: int) -> Rect:
        if not 0 <= slot < self.per_sheet:
            raise IndexError(f"slot {slot} out of range 0..{self.per_sheet - 1}")
        row, col = divmod(slot, self.cols)
        x0, y0 = self.grid_origin
        x = x0 + col * (self.card_w + self.gutter)
        y = y0 + (self.rows - 1 - row) * (self.card_h + self.gutter)  # row 0 is the top
        return Rect(x, y, self.card_w, self.card_h)

    def mirror(self, r: Rect) -> Rect:
        # Turning the sheet over the long edge of portrait paper (or the short
        # edge of landscape paper) swaps left/right; otherwise it swaps top/bottom.
        if (self.flip == "long") == (self.orientation == "portrait"):
            return Rect(self.paper_w - r.x - r.w, r.y, r.w, r.h)
        return Rect(r.x, self.paper_h - r.y - r.h, r.w, r.h)

    def back_rect(self, slot: int) -> Rect:
        return self.mirror(self.front_rect(slot)).shifted(*self.back_offset)

    def safe_area(self) -> Rect:
        m = self.margin
        return Rect(m, m, self.paper_w - 2 * m, self.paper_h - 2 * m)

    def _cuts(self, rect_of) -> tuple[list[float], list[float]]:
        rects = [rect_of(s) for s in range(self.per_sheet)]
        return (_distinct([v for r in rects for v in (r.x, r.right)]),
                _distinct([v for r in rects for v in (r.y, r.top)]))

    def cut_positions(self) -> tuple[list[float], list[float]]:
        return self._cuts(self.front_rect)

    def back_cut_positions(self) -> tuple[list[float], list[float]]:
        return self._cuts(self.back_rect)


def plan_sheet(paper: tuple[float, float], card: tuple[float, float], margin: float,
               gutter: float = 0.0, grid: tuple[int, int] | None = None,
               flip: str = "long", back_offset=(0.0, 0.0)) -> SheetLayout:
    """Fit as many cards as possible (or exactly `grid`) centred on the page."""
    pw, ph = paper
    cw, ch = card
    if margin < 0 or gutter < 0:
        raise GeometryError(f"margin ({_mm(margin)} mm) and gutter ({_mm(gutter)} mm) must not be negative")
    uw, uh = pw - 2 * margin, ph - 2 * margin
    if uw <= 0 or uh <= 0:
        raise GeometryError(
            f"margin {_mm(margin)} mm leaves no room on {_mm(pw)} x {_mm(ph)} mm paper; use a smaller --margin")
    max_rows, max_cols = _fit(uh, ch, gutter), _fit(uw, cw, gutter)
    if max_rows == 0 or max_cols == 0:
        msg = (f"card {_mm(cw)} x {_mm(ch)} mm does not fit on {_mm(pw)} x {_mm(ph)} mm paper "
               f"(usable area inside the {_mm(margin)} mm margins: {_mm(uw)} x {_mm(uh)} mm)")
        if ch <= uw + _TOL and cw <= uh + _TOL:
            msg += f"; rotated it would fit: try --card {_mm(ch)}x{_mm(cw)}"
        raise GeometryError(msg)
    rows, cols = grid if grid is not None else (max_rows, max_cols)
    if rows < 1 or cols < 1 or rows > max_rows or cols > max_cols:
        raise GeometryError(
            f"grid {rows}x{cols} does not fit: at most {max_rows}x{max_cols} (ROWSxCOLS) "
            f"{_mm(cw)} x {_mm(ch)} mm cards fit on this paper; use a smaller --grid or omit it")
    if rows * cols > MAX_PER_SHEET:
        raise GeometryError(f"{rows}x{cols} = {rows * cols} cards on a sheet: fiszki puts at most {MAX_PER_SHEET} "
                            "on one; use bigger cards, smaller paper or a --grid")
    return SheetLayout(pw, ph, cw, ch, rows, cols, margin, gutter,
                       str(flip).strip().lower(), tuple(back_offset))
