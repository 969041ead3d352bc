"""Functions → the polylines that draw them, in pure Python (pgfplots only connects the dots).

A function is evaluated at evenly spaced samples. Where it is undefined (ln of a negative, a
pole) the line stops, the edge found by bisection so sqrt(x) starts at 0; where it jumps (a step
(x > 0), a pole of 1/x) the line breaks instead of drawing a wall, the jump found by bisecting the
interval until it is either gone (a steep but continuous stretch) or still there at 1e-12 of the
range. Lines are then clipped to a band around the visible window (pgfplots clips what it draws
to the axis, but TeX's arithmetic overflows for coordinates far outside it) and the samples a
straight stretch does not need are dropped (pgfplots takes a fifth of a millisecond per point).
"""
from __future__ import annotations

import math
from typing import Callable

Point = tuple[float, float]
Polyline = list[Point]

BISECTIONS = 40  # halvings of a sample interval: 2^-40 of it
JUMP = 0.02  # a change larger than this share of the y range between two samples is looked at


def sample_function(fn: Callable[[float], float], lo: float, hi: float, samples: int,
                    y_span: float | None = None) -> list[Polyline]:
    """The pieces of the function's graph on [lo, hi]; `y_span` (the visible height, if known)
    sets which changes between samples count as jumps."""
    xs = [lo + (hi - lo) * i / (samples - 1) for i in range(samples)]
    ys = [fn(x) for x in xs]
    finite = [y for y in ys if math.isfinite(y)]
    if not finite:
        return []
    span = y_span or (max(finite) - min(finite)) or 1.0
    pieces: list[Polyline] = []
    current: Polyline = []
    for i, (x, y) in enumerate(zip(xs, ys)):
        defined = math.isfinite(y)
        if i:
            was = math.isfinite(ys[i - 1])
            if was and not defined:  # the graph ends inside (x[i-1], x)
                current.append(_edge(fn, xs[i - 1], x))
            elif defined and not was:  # it starts inside
                if current:
                    pieces.append(current)
                current = [_edge(fn, x, xs[i - 1])]
            elif was and defined and abs(y - ys[i - 1]) > JUMP * span:
                jump = _jump(fn, xs[i - 1], x, ys[i - 1], y, span)
                if jump:
                    current.append(jump[0])
                    pieces.append(current)
                    current = [jump[1]]
        if defined:
            current.append((x, y))
    if current:
        pieces.append(current)
    return [line for line in map(_dedup, pieces) if len(line) > 1]


def _edge(fn: Callable[[float], float], inside: float, outside: float) -> Point:
    """The last point where the function is still defined, between a defined and an undefined x."""
    a, b = inside, outside
    for _ in range(BISECTIONS):
        mid = (a + b) / 2
        if math.isfinite(fn(mid)):
            a = mid
        else:
            b = mid
    return a, fn(a)


def _jump(fn, a: float, b: float, ya: float, yb: float, span: float) -> tuple[Point, Point] | None:
    """Where a jump between x = a and b is, as (the last point before, the first after), or None
    when the change is continuous (it shrinks as the interval does)."""
    for _ in range(BISECTIONS):
        mid = (a + b) / 2
        ym = fn(mid)
        if not math.isfinite(ym):  # undefined in between: a pole; both sides end there
            return _edge(fn, a, mid), _edge(fn, b, mid)
        if abs(ym - ya) >= abs(yb - ym):
            b, yb = mid, ym
        else:
            a, ya = mid, ym
    if abs(yb - ya) > 1e-6 * span:
        return (a, ya), (b, yb)
    return None


def _dedup(points: Polyline) -> Polyline:
    out: Polyline = []
    for p in points:
        if not out or p != out[-1]:
            out.append(p)
    return out


def clip(line: Polyline, box: tuple[float, float, float, float]) -> list[Polyline]:
    """The parts of a polyline inside box = (xmin, xmax, ymin, ymax) (Liang–Barsky per segment)."""
    xmin, xmax, ymin, ymax = box
    pieces: list[Polyline] = []
    current: Polyline = []
    if len(line) == 1:
        x, y = line[0]
        return [line] if xmin <= x <= xmax and ymin <= y <= ymax else []
    for (x0, y0), (x1, y1) in zip(line, line[1:]):
        t0, t1 = 0.0, 1.0
        dx, dy = x1 - x0, y1 - y0
        inside = True
        for p, q in ((-dx, x0 - xmin), (dx, xmax - x0), (-dy, y0 - ymin), (dy, ymax - y0)):
            if p == 0:
                if q < 0:
                    inside = False
                    break
            else:
                t = q / p
                if p < 0:
                    t0 = max(t0, t)
                else:
                    t1 = min(t1, t)
        if not inside or t0 > t1:
            if current:
                pieces.append(current)
                current = []
            continue
        start = (x0 + t0 * dx, y0 + t0 * dy)
        end = (x0 + t1 * dx, y0 + t1 * dy)
        if not current or current[-1] != start:
            if current:
                pieces.append(current)
            current = [start]
        current.append(end)
        if t1 < 1.0:
            pieces.append(current)
            current = []
    if current:
        pieces.append(current)
    return [p for p in map(_dedup, pieces) if len(p) > 1]


def simplify(line: Polyline, scale: tuple[float, float], tolerance: float) -> Polyline:
    """The line without the points that lie within `tolerance` of the line through their
    neighbours (Ramer–Douglas–Peucker), distances measured after dividing x and y by `scale`
    (the window's width and height, so the tolerance is a share of the drawing)."""
    if len(line) < 3:
        return line
    sx, sy = scale
    pts = [(x / sx, y / sy) for x, y in line]
    keep = [False] * len(line)
    keep[0] = keep[-1] = True
    stack = [(0, len(line) - 1)]
    while stack:
        first, last = stack.pop()
        (x0, y0), (x1, y1) = pts[first], pts[last]
        dx, dy = x1 - x0, y1 - y0
        norm = math.hypot(dx, dy) or 1e-300
        worst, at = -1.0, first
        for i in range(first + 1, last):
            x, y = pts[i]
            d = abs(dy * (x - x0) - dx * (y - y0)) / norm
            if d > worst:
                worst, at = d, i
        if worst > tolerance:
            keep[at] = True
            stack += [(first, at), (at, last)]
    return [p for p, k in zip(line, keep) if k]
