"""A ```plot block's YAML → a checked `PlotSpec`, or the problems, each on its line in the block.

The YAML is read with the safe loader, node by node (so every value knows its line), refusing
anchors and aliases (no "billion laughs"), explicit tags, unknown keys and anything past the
limits below. Every number may be written as an expression without x (`-2*pi`).
"""
from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field

import yaml

from builder.plots import expr
from builder.plots.labels import label_latex

MAX_BLOCK = 64_000  # characters of YAML
MAX_SAMPLES = 1000  # per function
DEFAULT_SAMPLES = 201  # odd: a symmetric range samples 0 (the kink of max(0, x))
MAX_FUNCTIONS = 8
MAX_SERIES = 8
MAX_SERIES_POINTS = 1000
MAX_MARKS = 50  # points, vlines + hlines, notes: each
MAX_ABS = 1e9  # no coordinate or range end beyond this
ASPECT = (0.5, 3.0)
DEFAULT_ASPECT = 1.6

STYLES = ("solid", "dashed", "dotted", "dashdotted")
COLORS = ("blue", "red", "green", "orange", "purple", "brown", "gray", "black")  # also the default order
LEGENDS = ("auto", "none", "corner", "below", "top left", "top right", "bottom left", "bottom right")
AXES = ("box", "middle")

TOP_KEYS = ("x", "y", "xlabel", "ylabel", "functions", "data", "points", "vlines", "hlines", "notes",
            "legend", "grid", "samples", "aspect", "axes", "xticks", "yticks", "caption")
MAX_TICKS = 20
FUNCTION_KEYS = ("f", "label", "style", "color", "fill", "domain")
SERIES_KEYS = ("points", "label", "style", "color", "fill", "marks")


@dataclass
class PlotProblem:
    message: str
    line: int  # 0-based line in the block
    column: int | None = None  # 1-based, when known
    hint: str | None = None
    warn: bool = False


@dataclass
class Label:
    text: str
    latex: str


@dataclass
class Curve:
    """A function (tree set) or a data series (points set), as it will be drawn."""

    source: str  # for messages: the expression, or "data series 2"
    line: int
    label: Label | None
    style: str
    color: str
    fill: bool
    marks: bool = False
    tree: expr.Node | None = None
    domain: tuple[float, float] | None = None
    points: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class Mark:
    """A dot (points), a line across the plot (vlines, hlines) or a note: text at a place."""

    x: float
    y: float
    label: Label | None
    line: int


@dataclass
class PlotSpec:
    x: tuple[float, float] | None
    y: tuple[float, float] | None
    xlabel: Label | None
    ylabel: Label | None
    caption: Label | None
    curves: list[Curve]
    points: list[Mark]
    vlines: list[float]
    hlines: list[float]
    notes: list[Mark]
    legend: str
    xticks: list[float] | None  # None: pgfplots chooses; [] none
    yticks: list[float] | None
    grid: bool
    samples: int
    aspect: float
    axes: str
    line: int = 0


class _Refused(Exception):
    def __init__(self, message: str, mark):
        super().__init__(message)
        self.message, self.mark = message, mark


class _Loader(yaml.SafeLoader):
    """The safe loader's composer, refusing anchors and aliases before they are followed."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused("YAML anchors and aliases (&name, *name) are not allowed in a plot", event.start_mark)
        return super().compose_node(parent, index)


_SCALARS = {"tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null")}


class _Bad(Exception):
    """One value is wrong (already reported): the reader skips what depended on it."""


class _Reader:
    def __init__(self):
        self.problems: list[PlotProblem] = []
        self._constructor = yaml.SafeLoader("")

    def problem(self, node, message: str, hint: str | None = None, *, column: int | None = None,
                warn: bool = False) -> None:
        line = node.start_mark.line if node is not None else 0
        self.problems.append(PlotProblem(message, line, column, hint, warn))

    def fail(self, node, message: str, hint: str | None = None, *, column: int | None = None):
        self.problem(node, message, hint, column=column)
        return _Bad()

    # --- YAML values ------------------------------------------------------------------------

    def scalar(self, node):
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, f"expected a single value, found a {_kind(node)}")
        if node.tag not in _SCALARS:
            raise self.fail(node, f"YAML tag {node.tag!r} is not allowed in a plot")
        return self._constructor.construct_object(node)

    def plain(self, node, kind: str) -> None:
        if node.tag != "tag:yaml.org,2002:" + kind:
            raise self.fail(node, f"YAML tag {node.tag!r} is not allowed in a plot")

    def mapping(self, node, what: str, known: tuple[str, ...]) -> dict[str, tuple]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be 'key: value' lines, found a {_kind(node)}")
        self.plain(node, "map")
        out: dict[str, tuple] = {}
        for knode, vnode in node.value:
            key = self.scalar(knode)
            if not isinstance(key, str) or key not in known:
                close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
                self.problem(knode, f"unknown key '{key}' in {what}",
                             f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(known)}")
                continue
            if key in out:
                self.problem(knode, f"key '{key}' is given twice in {what}")
                continue
            out[key] = (knode, vnode)
        return out

    def sequence(self, node, what: str, limit: int) -> list:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{what} must be a list ([…] or '- ' lines), found a {_kind(node)}")
        self.plain(node, "seq")
        if len(node.value) > limit:
            raise self.fail(node, f"{what} has {len(node.value)} entries; at most {limit}")
        return node.value

    def number(self, node, what: str) -> float:
        value = self.scalar(node)
        if isinstance(value, bool) or value is None:
            raise self.fail(node, f"{what} must be a number, not {value!r}")
        if isinstance(value, (int, float)):
            value = float(value)
        else:
            try:
                value = expr.constant(str(value))
            except expr.ExprError as exc:
                raise self.fail(node, f"{what}: {exc.message}", exc.hint, column=self.column(node, exc.offset)) from None
        if not math.isfinite(value) or abs(value) > MAX_ABS:
            raise self.fail(node, f"{what} must be a finite number from -{MAX_ABS:.0f} to {MAX_ABS:.0f}")
        return value

    def numbers(self, node, what: str, count: int) -> list[float]:
        items = self.sequence(node, what, count)
        if len(items) != count:
            raise self.fail(node, f"{what} must be {count} numbers, [{', '.join('…' * count)}]")
        return [self.number(item, what) for item in items]

    def range(self, node, what: str) -> tuple[float, float]:
        lo, hi = self.numbers(node, what, 2)
        if not lo < hi:
            raise self.fail(node, f"{what}: [{lo:g}, {hi:g}] is an empty range (the first number must be the smaller)")
        return lo, hi

    def integer(self, node, what: str, lo: int, hi: int) -> int:
        value = self.scalar(node)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(node, f"{what} must be a whole number, not {value!r}")
        if not lo <= value <= hi:
            raise self.fail(node, f"{what} is {value}; it must be from {lo} to {hi}")
        return value

    def boolean(self, node, what: str) -> bool:
        value = self.scalar(node)
        if not isinstance(value, bool):
            raise self.fail(node, f"{what} must be true or false, not {value!r}")
        return value

    def choice(self, node, what: str, options: tuple[str, ...]) -> str:
        value = self.scalar(node)
        if value is False and "none" in options:
            return "none"  # YAML reads a bare `no` / `off` as false
        text = str(value).strip().lower() if value is not None else ""
        if text not in options:
            raise self.fail(node, f"{what} '{value}' is not one of: {', '.join(options)}")
        return text

    def label(self, node, what: str, breaks: bool = False) -> Label | None:
        value = self.scalar(node)
        if value is None:
            return None
        text = str(value) if not isinstance(value, float) else repr(value)
        latex, issues = label_latex(text, breaks)
        for issue in issues:
            self.problem(node, f"{what} {issue.message}" if issue.message.startswith("is ") else f"{what}: {issue.message}",
                         issue.hint, column=self.column(node, issue.offset), warn=issue.warn)
        if any(not issue.warn for issue in issues):
            raise _Bad()
        return Label(text, latex) if latex.strip() else None

    def expression(self, node, what: str) -> expr.Node:
        value = self.scalar(node)
        if value is None or isinstance(value, bool):
            raise self.fail(node, f"{what} must be an expression in x, such as 1/(1+exp(-x))")
        text = str(value)
        try:
            return expr.parse(text)
        except expr.ExprError as exc:
            raise self.fail(node, exc.message, exc.hint, column=self.column(node, exc.offset)) from None

    @staticmethod
    def column(node, offset: int) -> int | None:
        """The 1-based column of `offset` in a one-line plain or quoted scalar (else unknown)."""
        if node.start_mark.line != node.end_mark.line or node.style not in (None, "'", '"'):
            return None
        return node.start_mark.column + (1 if node.style else 0) + offset + 1


def _kind(node) -> str:
    return {"MappingNode": "mapping", "SequenceNode": "list", "ScalarNode": "value"}.get(type(node).__name__, "value")


def parse_plot(text: str) -> tuple[PlotSpec | None, list[PlotProblem]]:
    """The block's description, checked; None when there is any error (warnings come along)."""
    if len(text) > MAX_BLOCK:
        return None, [PlotProblem(f"the plot's description is {len(text)} characters long; at most {MAX_BLOCK}", 0)]
    try:
        root = yaml.compose(text, Loader=_Loader)
    except _Refused as exc:
        return None, [PlotProblem(exc.message, exc.mark.line, exc.mark.column + 1)]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [PlotProblem(f"not valid YAML: {what}", mark.line if mark else 0,
                                  hint="write one 'key: value' per line, lists as [a, b]")]
    except RecursionError:
        return None, [PlotProblem("the description is nested too deeply", 0)]
    if root is None:
        return None, [PlotProblem("the plot block is empty", 0,
                                  hint="describe it: x: [-5, 5] and functions: [sin(x)] (see docs/deck-format.md)")]
    reader = _Reader()
    try:
        spec = _read(reader, root)
    except _Bad:
        spec = None
    errors = [p for p in reader.problems if not p.warn]
    return (None if errors else spec), sorted(reader.problems, key=lambda p: p.line)


def _read(r: _Reader, root) -> PlotSpec:
    keys = r.mapping(root, "the plot", TOP_KEYS)

    def get(key: str, read, *args, default=None):
        if key not in keys:
            return default
        try:
            return read(keys[key][1], *args)
        except _Bad:
            return default

    spec = PlotSpec(
        x=get("x", r.range, "x"), y=get("y", r.range, "y"),
        xlabel=get("xlabel", r.label, "xlabel"), ylabel=get("ylabel", r.label, "ylabel"),
        caption=get("caption", r.label, "caption"),
        curves=[], points=[], vlines=[], hlines=[], notes=[],
        legend=get("legend", r.choice, "legend", LEGENDS, default="auto"),
        xticks=get("xticks", _lines, r, "xticks", MAX_TICKS), yticks=get("yticks", _lines, r, "yticks", MAX_TICKS),
        grid=get("grid", r.boolean, "grid", default=False),
        samples=get("samples", r.integer, "samples", 2, MAX_SAMPLES, default=DEFAULT_SAMPLES),
        aspect=get("aspect", _aspect, r, default=DEFAULT_ASPECT),
        axes=get("axes", r.choice, "axes", AXES, default="box"),
    )
    spec.curves += get("functions", _functions, r, default=[])
    spec.curves += get("data", _series, r, default=[])
    spec.points = get("points", _marks, r, "points", 2, default=[])
    spec.notes = get("notes", _marks, r, "notes", 3, default=[])
    spec.vlines = get("vlines", _lines, r, "vlines", MAX_MARKS, default=[])
    spec.hlines = get("hlines", _lines, r, "hlines", MAX_MARKS, default=[])
    if not spec.curves and not spec.points and "functions" not in keys and "data" not in keys:
        r.problem(root, "nothing to draw: give functions, data or points",
                  "for example: functions: [tanh(x)]")
    elif spec.x is None and any(c.tree is not None and c.domain is None for c in spec.curves) and "x" not in keys:
        r.problem(root, "functions need the x range: x: [from, to]", "for example: x: [-5, 5]")
    _colors(spec)
    return spec


def _aspect(node, r: _Reader) -> float:
    value = r.scalar(node)
    if isinstance(value, str) and ":" in value:  # 16:9
        w, _, h = value.partition(":")
        try:
            value = float(w) / float(h)
        except (ValueError, ZeroDivisionError):
            raise r.fail(node, f"aspect '{value}' is not width:height, such as 16:9") from None
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        value = float(value)
    else:
        raise r.fail(node, f"aspect must be width/height as a number (1.6) or as 16:9, not {value!r}")
    if not ASPECT[0] <= value <= ASPECT[1]:
        raise r.fail(node, f"aspect {value:g} is out of range: from {ASPECT[0]:g} (tall) to {ASPECT[1]:g} (wide)")
    return value


def _style(r: _Reader, keys: dict, curve: Curve) -> None:
    """The keys functions and data series share: label, style, color, fill."""
    for key, read in (("label", lambda n: r.label(n, "label")),
                      ("style", lambda n: r.choice(n, "style", STYLES)),
                      ("color", lambda n: r.choice(n, "color", COLORS)),
                      ("fill", lambda n: r.boolean(n, "fill")),
                      ("marks", lambda n: r.boolean(n, "marks"))):
        if key in keys:
            try:
                setattr(curve, key, read(keys[key][1]))
            except _Bad:
                pass


def _functions(node, r: _Reader) -> list[Curve]:
    out = []
    for item in r.sequence(node, "functions", MAX_FUNCTIONS):
        try:
            if isinstance(item, yaml.ScalarNode):  # - tanh(x)
                keys = {"f": (item, item)}
            else:
                keys = r.mapping(item, "a function", FUNCTION_KEYS)
            if "f" not in keys:
                raise r.fail(item, "a function needs its expression: f: …")
            fnode = keys["f"][1]
            curve = Curve(str(r.scalar(fnode)), fnode.start_mark.line, None, "solid", "", False,
                          tree=r.expression(fnode, "f"))
            if "domain" in keys:
                curve.domain = r.range(keys["domain"][1], "domain")
            _style(r, keys, curve)
            out.append(curve)
        except _Bad:
            pass
    return out


def _series(node, r: _Reader) -> list[Curve]:
    out = []
    for number, item in enumerate(r.sequence(node, "data", MAX_SERIES), 1):
        try:
            keys = {"points": (item, item)} if isinstance(item, yaml.SequenceNode) else \
                r.mapping(item, "a data series", SERIES_KEYS)
            if "points" not in keys:
                raise r.fail(item, "a data series needs its points: points: [[x, y], …]")
            pnode = keys["points"][1]
            points = [tuple(r.numbers(p, "a data point", 2)) for p in
                      r.sequence(pnode, "a data series' points", MAX_SERIES_POINTS)]
            if len(points) < 2:
                raise r.fail(pnode, "a data series needs two points or more (a single one is a point: points: …)")
            curve = Curve(f"data series {number}", item.start_mark.line, None, "solid", "", False, points=points)
            _style(r, keys, curve)
            out.append(curve)
        except _Bad:
            pass
    return out


def _marks(node, r: _Reader, what: str, size: int) -> list[Mark]:
    """points: [x, y] or [x, y, label]; notes: [x, y, text]."""
    out = []
    for item in r.sequence(node, what, MAX_MARKS):
        try:
            values = r.sequence(item, f"an entry of {what}", size if what == "notes" else 3)
            if len(values) < size:
                shape = "[x, y, text]" if what == "notes" else "[x, y] or [x, y, label]"
                raise r.fail(item, f"each entry of {what} is {shape}")
            x, y = r.number(values[0], f"{what}: x"), r.number(values[1], f"{what}: y")
            label = r.label(values[2], what, breaks=what == "notes") if len(values) > 2 else None
            if what == "notes" and label is None:
                raise r.fail(item, "a note needs its text: [x, y, text]")
            out.append(Mark(x, y, label, item.start_mark.line))
        except _Bad:
            pass
    return out


def _lines(node, r: _Reader, what: str, limit: int) -> list[float]:
    """A list of numbers (vlines, hlines, ticks)."""
    out = []
    for item in r.sequence(node, what, limit):
        try:
            out.append(r.number(item, what))
        except _Bad:
            pass
    return out


def _colors(spec: PlotSpec) -> None:
    """A curve without a colour takes the first of COLORS no curve before it has (so curves
    listed after the first ones can repeat their colours by naming them)."""
    for i, curve in enumerate(spec.curves):
        if not curve.color:
            used = {c.color for c in spec.curves[:i]}
            curve.color = next((c for c in COLORS if c not in used), COLORS[i % len(COLORS)])
