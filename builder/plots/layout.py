"""A checked `PlotSpec` → what to draw: the window, every line as clipped coordinates, where the
legend and the labels of points go. Pure Python; the template only draws the result.

Sizes are those of the plot at its nominal text size (NOMINAL pt): the axis is AXIS_WIDTH wide
and AXIS_WIDTH/aspect high; the card scales the whole picture with its text.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from builder.plots import expr
from builder.plots.sample import Polyline, clip, sample_function, simplify
from builder.plots.spec import Label, Mark, PlotProblem, PlotSpec

NOMINAL = 10.0  # pt: the text size the plot is compiled at
AXIS_WIDTH = 16 * NOMINAL  # pt: the axis box at that size (labels and ticks come on top)
LEGEND_FONT = 0.85  # of the text size
Y_PAD = 0.05  # an automatic y range leaves this share of it free above and below
TOLERANCE = 0.0005  # of the window: a function's sample this close to the line through its neighbours is dropped
CORNERS = ("top right", "top left", "bottom right", "bottom left")  # tried in this order


@dataclass
class DrawnCurve:
    color: str
    style: str
    lines: list[Polyline]
    fills: list[Polyline] = field(default_factory=list)  # closed shapes down to y = 0
    label: Label | None = None
    marks: bool = False


@dataclass
class Drawing:
    window: tuple[float, float, float, float]  # xmin xmax ymin ymax
    width: float  # axis box, pt
    height: float
    curves: list[DrawnCurve]
    points: list[tuple[Mark, str]]  # with the anchor of its label
    notes: list[Mark]
    vlines: list[float]
    hlines: list[float]
    legend: str  # none, a corner, or below
    legend_columns: int
    spec: PlotSpec


def lay_out(spec: PlotSpec) -> tuple[Drawing | None, list[PlotProblem]]:
    problems: list[PlotProblem] = []
    x_range = spec.x or _data_range(spec)
    if x_range is None:
        return None, [PlotProblem("the x range is missing: x: [from, to]", spec.line)]
    sampled: list[list[Polyline]] = []
    for curve in spec.curves:
        if curve.tree is None:
            sampled.append([list(curve.points)])
            continue
        lo, hi = curve.domain or x_range
        lo, hi = max(lo, x_range[0]), min(hi, x_range[1])
        if lo >= hi:
            problems.append(PlotProblem(f"the domain of '{curve.source}' lies outside the plot's x range "
                                        f"[{x_range[0]:g}, {x_range[1]:g}]", curve.line))
            sampled.append([])
            continue
        fn = expr.compile_tree(curve.tree)
        span = spec.y[1] - spec.y[0] if spec.y else None
        lines = sample_function(fn, lo, hi, spec.samples, span)
        if not lines:
            problems.append(PlotProblem(f"'{curve.source}' is undefined everywhere on x from {lo:g} to {hi:g}",
                                        curve.line, hint="check the x range (ln and sqrt need positive "
                                                         "arguments, 1/x is undefined at 0)"))
        sampled.append(lines)
    if any(not p.warn for p in problems):
        return None, problems
    window = (*x_range, *(spec.y or _auto_y(spec, sampled)))
    width = AXIS_WIDTH
    height = width / spec.aspect
    curves = []
    for curve, lines in zip(spec.curves, sampled):
        drawn = _draw(curve.color, curve.style, lines, window, curve.fill, simplified=curve.tree is not None)
        drawn.label, drawn.marks = curve.label, curve.marks
        if not drawn.lines:
            problems.append(PlotProblem(f"'{curve.source}' lies outside the plot's window (y from {window[2]:g} "
                                        f"to {window[3]:g}): nothing of it shows", curve.line, warn=True))
        curves.append(drawn)
    for mark in spec.points + spec.notes:
        if not (window[0] <= mark.x <= window[1] and window[2] <= mark.y <= window[3]):
            problems.append(PlotProblem(f"({mark.x:g}, {mark.y:g}) lies outside the plot's window", mark.line,
                                        warn=True))
    legend, columns = _legend(spec, curves, window, width, height)
    points = [(mark, _label_anchor(mark, window)) for mark in spec.points]
    return Drawing(window, width, height, curves, points, spec.notes, spec.vlines, spec.hlines, legend, columns,
                   spec), problems


def _data_range(spec: PlotSpec) -> tuple[float, float] | None:
    xs = [x for c in spec.curves for x, _ in c.points] + [m.x for m in spec.points] + \
         [v for c in spec.curves if c.domain for v in c.domain]
    if not xs:
        return None
    lo, hi = min(xs), max(xs)
    return (lo, hi) if lo < hi else (lo - 1, hi + 1)


def _auto_y(spec: PlotSpec, sampled: list[list[Polyline]]) -> tuple[float, float]:
    ys = [y for lines in sampled for line in lines for _, y in line] + [m.y for m in spec.points + spec.notes] \
        + spec.hlines
    ys = [y for y in ys if math.isfinite(y)]
    if not ys:
        return -1.0, 1.0
    lo, hi = min(ys), max(ys)
    if hi - lo < 1e-9 * max(1.0, abs(hi)):
        return lo - 1, hi + 1
    pad = (hi - lo) * Y_PAD
    return lo - pad, hi + pad


def _draw(color: str, style: str, lines: list[Polyline], window, fill: bool, simplified: bool) -> DrawnCurve:
    """Lines clipped to a band one window wide around the window (TeX overflows far outside it);
    a function's without the samples its straight stretches do not need (data stays as given)."""
    xmin, xmax, ymin, ymax = window
    w, h = xmax - xmin, ymax - ymin
    band = (xmin - w, xmax + w, ymin - h, ymax + h)
    clipped = [piece for line in lines for piece in clip(line, band)]
    if simplified:
        clipped = [simplify(piece, (w, h), TOLERANCE) for piece in clipped]
    fills = []
    if fill:
        base = min(max(0.0, band[2]), band[3])
        fills = [piece + [(piece[-1][0], base), (piece[0][0], base)] for piece in clipped]
    visible = [piece for line in lines for piece in clip(line, window)]
    return DrawnCurve(color, style, clipped if visible else [], fills if visible else [])


def _visible_length(label: Label) -> int:
    """About how many characters wide a label prints (commands count as one)."""
    text = re.sub(r"\\[A-Za-z]+", "x", label.latex)
    return len(re.sub(r"[{}$^_]", "", text))


def _legend(spec: PlotSpec, curves: list[DrawnCurve], window, width: float, height: float) -> tuple[str, int]:
    """Where the legend goes: the asked corner, or the corner the drawing leaves emptiest; below
    the plot (`auto`) when every corner has something in it."""
    labelled = [c for c in curves if c.label]
    if spec.legend == "none" or not labelled:
        return "none", 1
    font = NOMINAL * LEGEND_FONT
    entry_w = 0.45 * font * max(_visible_length(c.label) for c in labelled) + 3.2 * font
    if spec.legend == "below":
        return "below", _columns(len(labelled), entry_w, width)
    if spec.legend in CORNERS:
        return spec.legend, 1
    box_w = min(1.0, (entry_w + 0.6 * font) / width)
    box_h = min(1.0, (1.3 * font * len(labelled) + 0.6 * font) / height)
    obstacles = _obstacles(spec, curves, window)
    crowding = {corner: _count_in(obstacles, corner, box_w, box_h) for corner in CORNERS}
    best = min(CORNERS, key=lambda corner: crowding[corner])
    if spec.legend == "auto" and crowding[best]:
        return "below", _columns(len(labelled), entry_w, width)
    return best, 1


def _columns(entries: int, entry_w: float, width: float) -> int:
    """Legend entries in a row under the plot: in as few rows as fit half as wide again as the
    axis (a row is cheaper than the height of another), the rows balanced (2 + 2, not 3 + 1)."""
    most = max(1, min(entries, int(1.5 * width // entry_w)))
    rows = math.ceil(entries / most)
    return math.ceil(entries / rows)


def _obstacles(spec: PlotSpec, curves: list[DrawnCurve], window) -> list[tuple[float, float]]:
    """What is drawn, as points in the window's unit square (lines densely enough to hit a box)."""
    xmin, xmax, ymin, ymax = window

    def unit(x: float, y: float) -> tuple[float, float]:
        return (x - xmin) / (xmax - xmin), (y - ymin) / (ymax - ymin)

    out = []
    for curve in curves:
        for line in curve.lines:
            for (x0, y0), (x1, y1) in zip(line, line[1:]):
                (u0, v0), (u1, v1) = unit(x0, y0), unit(x1, y1)
                steps = max(1, int(math.hypot(u1 - u0, v1 - v0) / 0.01))
                out += [(u0 + (u1 - u0) * k / steps, v0 + (v1 - v0) * k / steps) for k in range(steps + 1)]
    for mark in spec.points + spec.notes:
        out.append(unit(mark.x, mark.y))
    for x in spec.vlines:
        out += [(unit(x, ymin)[0], k / 50) for k in range(51)]
    for y in spec.hlines:
        out += [(k / 50, unit(xmin, y)[1]) for k in range(51)]
    return out


def _count_in(points: list[tuple[float, float]], corner: str, w: float, h: float) -> int:
    margin = 0.02
    top, right = corner.startswith("top"), corner.endswith("right")
    u0, u1 = (1 - w - margin, 1.0) if right else (0.0, w + margin)
    v0, v1 = (1 - h - margin, 1.0) if top else (0.0, h + margin)
    return sum(1 for u, v in points if u0 <= u <= u1 and v0 <= v <= v1)


def _label_anchor(mark: Mark, window) -> str:
    """A point's label goes above right of it, unless that runs out of the window."""
    xmin, xmax, ymin, ymax = window
    right = (mark.x - xmin) / (xmax - xmin) < 0.7
    above = (mark.y - ymin) / (ymax - ymin) < 0.85
    return ("south" if above else "north") + (" west" if right else " east")
