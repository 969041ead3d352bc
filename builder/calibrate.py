"""`fiszki calibrate`: one sheet, printed double-sided once, from which the student reads the
printer's back offset without a ruler, by holding the sheet against a window.

Two ladders, one per axis, one rung per value v = -5.0, -4.5, …, +5.0 mm. Ladder X is a long
vertical line on the front and, on the back, a short vertical line per rung, each placed exactly
where `fiszki build --back-offset v,0` would place it: the mirror image of its stretch of the front
line (where that stretch lands once the sheet is turned over the flip edge), then moved by v in the
back page's own coordinates. A printer that shifts its back side by s (back page coordinates)
prints it at mirror + v + s, so it lies on the front line exactly when v = -s: the number printed
beside it is the value to pass to --back-offset, which then cancels the shift. Ladder Y does the
same for up and down, with a horizontal line. The numbers are on the back, beside their lines and
moving with them (a shift across the ladder cannot pair a line with a neighbour's number) and
always on the far side of the front line (never across it), printed
in mirror writing so that they read the right way round through the paper.

A confirming sheet (`back_offset` given): every back line and number is moved by that offset too,
as the build with it moves every back, and each number is the offset plus its rung's value. Printed
on the printer the offset was read for, the middle rungs (numbered with the offset itself) lie on
the front lines; if another rung does, its number is the better offset.

Every line and number is also a hidden annotation (calib-x-front-+1.5, calib-x-back-+1.5,
calib-x-label-+1.5, …) whose /Rect is where it is printed, so tests and `fiszki check` prove the
above from the PDF itself. Pure Python decides every position (points, origin bottom-left);
templates/calibration.tex.j2 only draws.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from builder import __version__
from builder.geometry import MM, GeometryError, Rect, parse_paper
from builder.latex import escape_text, latex, render_template
from builder.tex.contract import KIND_CALIBRATION

STEP = 0.5 * MM  # the resolution the student reads
STEPS = 10  # rungs each way: ±5 mm, more than duplex printers are usually off
LINE = 0.4  # pt: thin enough to tell 0.5 mm apart, thick enough to see through paper
ROW = 4.5 * MM  # ladder X: rung pitch (down the page)
COL = 6.5 * MM  # ladder Y: rung pitch (across the page)
TICK_GAP = 1.0 * MM  # between the back lines of neighbouring rungs
REACH = STEPS * STEP  # how far the back lines step to either side of the front line
LABEL_GAP = 2.5 * MM  # between the front line and the nearest number
LABEL_W, LABEL_H = 7 * MM, 3 * MM
LABEL_SIZE = 7.5  # pt, bold: it is read through the paper
SQUARE = 3 * MM  # flip check: a black square on the front …
FRAME = 16 * MM  # … inside a frame on the back, when the sheet was turned over the right edge
EDGE = 5 * MM  # nothing closer to the paper edge than this
LADDER_Y_W = (2 * STEPS + 1) * COL  # ladder Y's rungs, left to right
MARGIN = 15 * MM  # the words' distance from the paper edge


def values() -> list[float]:
    """The rung values in mm, from -5.0 to +5.0."""
    return [k * STEP / MM for k in range(-STEPS, STEPS + 1)]


def value_key(v: float) -> str:
    """'+1.5', '-2.0', '+0.0': the annotation suffix of the rung for v mm."""
    return f"{v + 0.0:+.1f}"


def value_label(v: float) -> str:
    """What is printed at a rung: '0', '+1.5', '−2' (a real minus sign); '+1.25' from an offset."""
    if abs(v) < 1e-9:
        return "0"
    text = f"{abs(v):.2f}".rstrip("0").rstrip(".")
    return ("+" if v > 0 else "\\textminus{}") + text


def turn_over(r: Rect, paper: tuple[float, float], flip: str) -> Rect:
    """Where a spot of the front is on the back page once the sheet is turned over its flip edge.

    The same rule as geometry.SheetLayout.mirror: over the long edge of portrait paper (or the
    short edge of landscape paper) left and right swap; otherwise top and bottom swap. It is its
    own inverse."""
    pw, ph = paper
    if (flip == "long") == (ph >= pw):
        return Rect(pw - r.x - r.w, r.y, r.w, r.h)
    return Rect(r.x, ph - r.y - r.h, r.w, r.h)


@dataclass
class Mark:
    name: str | None  # hidden annotation (calib-x-front-+1.5), or None for a plain line
    rect: Rect  # on its own page


@dataclass
class Label:
    text: str  # LaTeX
    rect: Rect  # the text is centred in it
    name: str | None = None  # hidden annotation
    mirror: str = ""  # "h" or "v": printed in mirror writing, to be read through the paper


@dataclass
class TextBlock:
    text: str  # LaTeX
    x: float
    top: float
    width: float
    size: float


@dataclass
class Side:
    marks: list[Mark] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    texts: list[TextBlock] = field(default_factory=list)


@dataclass
class CalibrationSheet:
    paper: tuple[float, float]
    flip: str
    front: Side
    back: Side
    back_offset: tuple[float, float] = (0.0, 0.0)  # pt: a confirming sheet's offset


def _tex(text: str) -> str:
    """Instructions with `code` in typewriter; everything else escaped."""
    parts = text.split("`")
    return "".join(f"\\texttt{{{escape_text(p)}}}" if i % 2 else escape_text(p) for i, p in enumerate(parts))


FLIP_WORDS = {"long": ("long", "dłuższej"), "short": ("short", "krótszej")}


def instructions(flip: str) -> tuple[str, str]:
    """(English, Polish) steps printed on the front, as LaTeX."""
    en_edge, pl_edge = FLIP_WORDS[flip]
    other = "short" if flip == "long" else "long"
    en = [
        f"Print this sheet **double-sided, flipping on the {en_edge} edge**, at 100 % (\"actual size\", "
        f"never \"fit to page\"), on the printer, paper and tray you will print the flashcards with.",
        "Hold it against a window or a lamp, this side towards you. The black square must sit inside the "
        f"frame printed on the back. If it does not, your printer flips on the other edge: calibrate "
        f"again with `--flip {other}` and build with `--flip {other}`.",
        "Ladder X: through the paper, short lines from the back step across the long line of this "
        "side. Find the one that lies exactly on the long line: the number beside it is X (the numbers "
        "are printed on the back in mirror writing, so they read right through the paper). Ladder Y: "
        "the same: Y. When two short lines are equally close, take either.",
        "Build with `fiszki build --back-offset X,Y`, or save it once: "
        "`fiszki printer save NAME --back-offset X,Y` and build with `fiszki build --printer NAME`.",
    ]
    pl = [
        f"Wydrukuj ten arkusz **dwustronnie, obracając wzdłuż {pl_edge} krawędzi**, w skali 100 % "
        "(\u201erozmiar rzeczywisty\u201d, nigdy \u201edopasuj do strony\u201d), na tej drukarce, papierze "
        "i podajniku, na których wydrukujesz fiszki.",
        "Przyłóż arkusz do okna lub lampy, tą stroną do siebie. Czarny kwadrat musi być wewnątrz ramki "
        "z drugiej strony. Jeśli nie jest, drukarka obraca kartkę wzdłuż drugiej krawędzi: skalibruj "
        f"ponownie z `--flip {other}` i buduj z `--flip {other}`.",
        "Drabinka X: przez papier widać krótkie kreski z tyłu, schodzące w poprzek długiej linii z tej "
        "strony. Znajdź tę, która leży dokładnie na długiej linii: liczba obok niej to X (liczby są "
        "wydrukowane z tyłu w lustrzanym odbiciu, więc przez papier czytają się normalnie). Drabinka "
        "Y: tak samo: Y. Gdy dwie krótkie kreski są równie blisko, weź którąkolwiek.",
        "Buduj z `fiszki build --back-offset X,Y` albo zapisz raz: "
        "`fiszki printer save NAZWA --back-offset X,Y` i buduj z `fiszki build --printer NAZWA`.",
    ]

    def steps(items: list[str]) -> str:
        body = "".join(f"\\item {_bold(_tex(s))}\n" for s in items)
        return f"\\begin{{enumerate}}\n{body}\\end{{enumerate}}"

    return steps(en), steps(pl)


def _bold(tex: str) -> str:
    """**…** (already escaped: the asterisks survive escaping) → \\textbf{…}."""
    parts = tex.split("**")
    return "".join(f"\\textbf{{{p}}}" if i % 2 else p for i, p in enumerate(parts))


def plan_calibration(paper: str = "a4", orientation: str = "portrait", flip: str = "long",
                     back_offset: tuple[float, float] = (0.0, 0.0)) -> CalibrationSheet:
    """Every line, number and paragraph of the two pages, in points from each page's corner.
    `back_offset` (pt): a confirming sheet, its backs placed as a build with that offset places them."""
    flip = str(flip).strip().lower()
    if flip not in ("long", "short"):
        raise GeometryError(f"unknown flip {flip!r}: use 'long' or 'short' (the duplex edge)")
    sides = _Sides(parse_paper(paper, orientation), flip, back_offset)
    pw, ph = sides.paper
    landscape = pw > ph
    # Where the ladders go: under the instructions on portrait paper, beside them on landscape.
    centre = pw - 12 * MM - REACH - LADDER_Y_W / 2 if landscape else pw / 2
    top = ph - (34 * MM if landscape else 114 * MM)
    ladder_left = centre - LADDER_Y_W / 2
    y_bottom = _ladder_y(sides, ladder_left, top - REACH)
    x_top = y_bottom - 12 * MM
    x_bottom = _ladder_x(sides, centre, x_top)
    _flip_check(sides, centre + 45 * MM, (x_top + x_bottom) / 2)
    _front_words(sides, paper, orientation, back_offset, ladder_left)
    _back_note(sides)
    sheet = CalibrationSheet(sides.paper, flip, sides.front, sides.back, sides.offset)
    _check_fits(sheet, x_bottom - REACH)
    return sheet


class _Sides:
    """The two sides being planned, and where to print on the back to land on a spot of the front."""

    def __init__(self, paper: tuple[float, float], flip: str, back_offset: tuple[float, float]):
        self.paper, self.flip = paper, flip
        ox, oy = back_offset
        self.offset = (ox, oy)
        self.front, self.back = Side(), Side()
        # Seen through the paper the back is mirrored left-right, or top-bottom: its numbers are
        # printed mirrored the same way so that they read right from the front.
        self.mirror = "h" if turn_over(Rect(0, 0, 1, 1), paper, flip).x else "v"

    def on_back(self, landing: Rect, dx: float = 0.0, dy: float = 0.0) -> Rect:
        """Where to print on the back so that it lands on `landing` (front page coordinates),
        then moved (dx, dy) on the back page, as --back-offset dx,dy moves a card's back (and
        by the confirmed offset, as everything on the back)."""
        ox, oy = self.offset
        return turn_over(landing, self.paper, self.flip).shifted(dx + ox, dy + oy)


def _ladder_y(sides: _Sides, left: float, y_line: float) -> float:
    """Ladder Y: one horizontal line on the front; rungs left to right, each a short back line at
    the height of that line, moved up or down by its value; its number under it. Returns the
    ladder's lowest point."""
    front, back, oy = sides.front, sides.back, sides.offset[1]
    for j, v in enumerate(values()):
        key, dy = value_key(v), v * MM
        stretch = Rect(left + j * COL, y_line - LINE / 2, COL, LINE)
        front.marks.append(Mark(f"calib-y-front-{key}", stretch))
        tick = Rect(stretch.x + TICK_GAP / 2, stretch.y, COL - TICK_GAP, LINE)
        back.marks.append(Mark(f"calib-y-back-{key}", sides.on_back(tick, dy=dy)))
        number = Rect(stretch.x, y_line - LINE / 2 - REACH - LABEL_GAP - LABEL_H, COL, LABEL_H)
        back.labels.append(Label(value_label(v + oy / MM), sides.on_back(number, dy=dy), f"calib-y-label-{key}",
                                 sides.mirror))
    for end in (Rect(left - REACH, y_line - LINE / 2, REACH, LINE), Rect(left + LADDER_Y_W, y_line - LINE / 2, REACH, LINE)):
        front.marks.append(Mark(None, end))  # room for a sideways shift of the back
    front.labels.append(Label("\\textbf{Y}", Rect(left - REACH - 7 * MM, y_line - LABEL_H / 2, 5 * MM, LABEL_H)))
    return y_line - 2 * REACH - LABEL_GAP - LABEL_H


def _ladder_x(sides: _Sides, x_line: float, x_top: float) -> float:
    """Ladder X: one vertical line on the front; rungs top (+5) to bottom (-5), each a short back
    line beside that stretch of the line, moved left or right by its value; its number beside it.
    Returns the bottom of the front line's rungs."""
    front, back, ox = sides.front, sides.back, sides.offset[0]
    for i, v in enumerate(reversed(values())):
        key, dx = value_key(v), v * MM
        stretch = Rect(x_line - LINE / 2, x_top - (i + 1) * ROW, LINE, ROW)
        front.marks.append(Mark(f"calib-x-front-{key}", stretch))
        tick = Rect(stretch.x, stretch.y + TICK_GAP / 2, LINE, ROW - TICK_GAP)
        back.marks.append(Mark(f"calib-x-back-{key}", sides.on_back(tick, dx=dx)))
        number = Rect(x_line + LINE / 2 + REACH + LABEL_GAP, stretch.y + (ROW - LABEL_H) / 2, LABEL_W, LABEL_H)
        back.labels.append(Label(value_label(v + ox / MM), sides.on_back(number, dx=dx), f"calib-x-label-{key}",
                                 sides.mirror))
    x_bottom = x_top - (2 * STEPS + 1) * ROW
    for end in (Rect(x_line - LINE / 2, x_top, LINE, REACH), Rect(x_line - LINE / 2, x_bottom - REACH, LINE, REACH)):
        front.marks.append(Mark(None, end))
    front.labels.append(Label("\\textbf{X}", Rect(x_line - 2.5 * MM, x_top + REACH + 1 * MM, 5 * MM, LABEL_H)))
    return x_bottom


def _flip_check(sides: _Sides, sx: float, sy: float) -> None:
    """A square on the front at (sx, sy), a frame around where it lands on the back: placed far from
    the page's centre lines, so a sheet turned over the wrong edge puts the frame somewhere else
    entirely."""
    sides.front.marks.append(Mark("calib-flip-front", Rect(sx - SQUARE / 2, sy - SQUARE / 2, SQUARE, SQUARE)))
    frame = Rect(sx - FRAME / 2, sy - FRAME / 2, FRAME, FRAME)
    for name, r in (("bottom", Rect(frame.x, frame.y, frame.w, LINE)), ("top", Rect(frame.x, frame.top - LINE, frame.w, LINE)),
                    ("left", Rect(frame.x, frame.y, LINE, frame.h)), ("right", Rect(frame.right - LINE, frame.y, LINE, frame.h))):
        sides.back.marks.append(Mark(f"calib-flip-back-{name}", sides.on_back(r)))


def _title(paper: str, orientation: str, flip: str, back_offset: tuple[float, float]) -> str:
    """The front's title: what the sheet is for, on which paper and duplex edge; what a confirming
    sheet checks."""
    paper_name = str(paper).strip()
    paper_name = paper_name.upper() if paper_name.lower() in ("a4", "a5", "a3") else paper_name
    en_edge, pl_edge = FLIP_WORDS[flip]
    title = (f"\\textbf{{fiszki: printer calibration · kalibracja drukarki}}\\par\\smallskip "
             f"{escape_text(paper_name)} {escape_text(orientation)} · duplex, flip on the {en_edge} edge · "
             f"druk dwustronny, obracanie wzdłuż {pl_edge} krawędzi")
    if back_offset != (0.0, 0.0):
        shown = ",".join(f"{round(v / MM, 2):g}" for v in back_offset)
        title += ("\\par\\smallskip " + _bold(_tex(f"**Checking `--back-offset {shown}`**: the middle rungs lie on the "
                                               "long lines when it is right · środkowe kreski leżą na liniach, gdy jest dobre")))
    return title


def _front_words(sides: _Sides, paper: str, orientation: str, back_offset: tuple[float, float],
                 ladder_left: float) -> None:
    """The title and the steps in both languages: side by side under the title on portrait paper,
    one above the other left of the ladders on landscape."""
    pw, ph = sides.paper
    front = sides.front
    en, pl = instructions(sides.flip)
    front.texts.append(TextBlock(_title(paper, orientation, sides.flip, back_offset), MARGIN, ph - MARGIN,
                                 pw - 2 * MARGIN, 10))
    steps_top = ph - (38 if back_offset != (0.0, 0.0) else 32) * MM  # under the title's lines
    if pw > ph:
        width = ladder_left - REACH - 10 * MM - MARGIN
        front.texts.append(TextBlock(en, MARGIN, steps_top, width, 8))
        front.texts.append(TextBlock(pl, MARGIN, ph / 2 - 10 * MM, width, 8))
    else:
        width = (pw - 2 * MARGIN - 8 * MM) / 2
        front.texts.append(TextBlock(en, MARGIN, steps_top, width, 8))
        front.texts.append(TextBlock(pl, MARGIN + width + 8 * MM, steps_top, width, 8))


def _back_note(sides: _Sides) -> None:
    """What the back is. It sits where nothing is printed on the front (seen through, it must not
    cover the instructions): at the bottom of the page."""
    pw, _ = sides.paper
    note = sides.on_back(Rect(MARGIN, MARGIN, pw - 2 * MARGIN, 16 * MM))
    sides.back.texts.append(TextBlock(
        "\\textbf{fiszki: back · tył.} Read this sheet from the front, against the light: the numbers "
        "on this side are printed in mirror writing so that they read right through the paper. · "
        "Czytaj ten arkusz od przodu, pod światło: liczby po tej stronie są wydrukowane w lustrzanym "
        "odbiciu, żeby przez papier czytały się normalnie.",
        note.x, note.top, note.w, 8))


def _check_fits(sheet: CalibrationSheet, lowest: float) -> None:
    pw, ph = sheet.paper
    page = Rect(EDGE, EDGE, pw - 2 * EDGE, ph - 2 * EDGE)
    rects = [m.rect for s in (sheet.front, sheet.back) for m in s.marks]
    rects += [lab.rect for s in (sheet.front, sheet.back) for lab in s.labels]
    if lowest < EDGE or not all(page.contains(r) for r in rects):
        raise GeometryError(f"the calibration sheet needs more room than {round(pw / MM):g} x {round(ph / MM):g} mm "
                            "paper gives; calibrate on A4 or letter paper")


def calibration_tex(sheet: CalibrationSheet) -> str:
    pages = []
    for name, side in (("front", sheet.front), ("back", sheet.back)):
        pages.append(dict(
            label=f"1-{name}",
            marks=[dict(name=latex(m.name) if m.name else None, x=m.rect.x, y=m.rect.y, w=m.rect.w, h=m.rect.h)
                   for m in side.marks],
            labels=[dict(text=latex(lab.text), x=lab.rect.x, y=lab.rect.y, w=lab.rect.w, h=lab.rect.h,
                         name=latex(lab.name) if lab.name else None, mirror=lab.mirror) for lab in side.labels],
            texts=[dict(text=latex(t.text), x=t.x, top=t.top, width=t.width, size=t.size) for t in side.texts],
        ))
    return render_template(
        "calibration.tex.j2", kind=KIND_CALIBRATION, version=__version__, paper_w=sheet.paper[0],
        paper_h=sheet.paper[1], flip=sheet.flip, step=STEP, steps=STEPS, pages=pages, label_size=LABEL_SIZE,
        back_offset=sheet.back_offset,
    )


def build_calibration(paper: str = "a4", orientation: str = "portrait", flip: str = "long",
                      back_offset: tuple[float, float] = (0.0, 0.0)) -> bytes:
    """The calibration PDF (a confirming one with `back_offset`, pt), compiled (`fiszki check`
    reads it back: builder/checking/calibration.py)."""
    from builder.tex.run import run_pdflatex

    return run_pdflatex(calibration_tex(plan_calibration(paper, orientation, flip, back_offset)),
                        jobname="calibration").pdf
