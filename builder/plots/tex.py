"""A laid-out plot → its page of the plot document (templates/plot.tex.j2).

Only numbers written here and labels made by `label_latex` (escaped text, allowlisted math) reach
TeX: nothing of the block's text is copied.
"""
from __future__ import annotations

from functools import lru_cache

from builder import __version__
from builder.latex import latex, render_template
from builder.plots.layout import LEGEND_FONT, NOMINAL, Drawing
from builder.plots.sample import Polyline

TICK_FONT = 0.8  # of the text size
# Distinct in colour and still apart in grey print (dark to mid), spec.COLORS order.
RGB = {"blue": "0.0,0.36,0.69", "red": "0.80,0.14,0.12", "green": "0.12,0.52,0.22",
       "orange": "0.93,0.52,0.0", "purple": "0.47,0.23,0.60", "brown": "0.55,0.33,0.13",
       "gray": "0.50,0.50,0.50", "black": "0,0,0"}
BREAK = "(0,nan)"
LEGEND_POS = {"top right": "north east", "top left": "north west", "bottom right": "south east",
              "bottom left": "south west"}  # pgfplots' unbounded coords=jump: the line stops here and starts again


def number(value: float) -> str:
    """A number as pgfplots reads it: at most 7 significant digits, no exponent's plus sign."""
    text = f"{value:.7g}".replace("e+", "e")
    return latex("0" if text == "-0" else text)


def coordinates(lines: list[Polyline]) -> str:
    chunks = []
    for line in lines:
        chunks.append(" ".join(f"({number(x)},{number(y)})" for x, y in line))
    return latex(f" {BREAK} ".join(chunks))


@lru_cache(maxsize=1)
def plot_head() -> str:
    """Everything before the first plot: the same for every plot of every deck."""
    return render_template("plot.tex.j2", part="head", language="english", title="fiszki plot",
                           version=__version__, colors=list(RGB.items()), nominal=NOMINAL,
                           tick_font=TICK_FONT, legend_font=LEGEND_FONT)


def plot_page(drawing: Drawing) -> str:
    """One plot's page, without the marker naming it (so its text is its cache key)."""
    spec = drawing.spec
    xmin, xmax, ymin, ymax = drawing.window
    page = dict(
        axes=spec.axes, width=number(drawing.width), height=number(drawing.height),
        xmin=number(xmin), xmax=number(xmax), ymin=number(ymin), ymax=number(ymax),
        xlabel=latex(spec.xlabel.latex) if spec.xlabel else None,
        ylabel=latex(spec.ylabel.latex) if spec.ylabel else None,
        xticks=_ticks(spec.xticks), yticks=_ticks(spec.yticks), grid=spec.grid,
        legend=LEGEND_POS.get(drawing.legend, drawing.legend), legend_columns=drawing.legend_columns,
        legend_drop=number(_below_axis(drawing)),
        fills=[dict(color=c.color, coordinates=coordinates([piece])) for c in drawing.curves for piece in c.fills],
        curves=[dict(color=c.color, style=c.style, marks=c.marks, coordinates=coordinates(c.lines),
                     label=latex(c.label.latex) if c.label else None) for c in drawing.curves if c.lines],
        vlines=[number(x) for x in drawing.vlines], hlines=[number(y) for y in drawing.hlines],
        points=[dict(x=number(m.x), y=number(m.y), anchor=anchor, label=latex(m.label.latex) if m.label else None)
                for m, anchor in drawing.points],
        notes=[dict(x=number(m.x), y=number(m.y), label=latex(m.label.latex)) for m in drawing.notes],
    )
    return render_template("plot.tex.j2", part="page", p=page, legend_font=LEGEND_FONT)


def _below_axis(drawing: Drawing) -> float:
    """How far under the axis box its tick labels and x label reach (pt): where a legend below
    the plot starts. (pgfplots' own "legend to name", which would place it exactly, costs 0.8 s.)"""
    spec = drawing.spec
    ticks = 1.5 * TICK_FONT * NOMINAL if spec.xticks != [] else 0.0
    if spec.axes == "middle":  # the x axis, its ticks and label lie at y = 0
        xmin, xmax, ymin, ymax = drawing.window
        zero = drawing.height * min(1.0, max(0.0, -ymin / (ymax - ymin)))
        return max(0.0, ticks - zero) + 0.4 * NOMINAL
    label = 1.5 * NOMINAL if spec.xlabel else 0.0
    return ticks + label + 0.4 * NOMINAL


def _ticks(ticks: list[float] | None) -> str | None:
    """pgfplots' xtick/ytick value: None leaves the choice to pgfplots, [] draws none."""
    if ticks is None:
        return None
    return latex("{" + ",".join(number(t) for t in ticks) + "}" if ticks else "\\empty")


def plot_document(pages: list[str]) -> str:
    """The plot document for `pages`, each after a marker naming its place (TeX errors find it)."""
    body = "".join(f"%% fiszki-source: plot {i}\n{page}" for i, page in enumerate(pages))
    return plot_head() + body + "\\end{document}\n"
