"""Plots drawn from a ```plot block's description: checked, compiled once, included.

The build calls `prepare_plots(cards)` once before rendering: every plot block of those cards is
parsed and checked (spec), laid out in Python (layout, sample), written as a page of the plot
document (tex) and looked up in the cache (cache); the plots it lacks are compiled, each in a pdflatex
run (compile). The renderer's hook, `render_plot`, then reports a block's problems on its deck lines
and includes the compiled plot like a picture (`\\fzplot` in the preamble scales it with the text).
The main documents never load pgfplots.
"""
from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Callable, Iterable

if TYPE_CHECKING:
    from builder.deck import Card
    from builder.plots.spec import PlotProblem

PLOT_INFO = "plot"  # the fence's info string: ```plot


@dataclass
class Plot:
    """One block's outcome: its problems (lines in the block), and once compiled its PDF."""

    problems: list[PlotProblem] = field(default_factory=list)
    page: str | None = None  # its page of the plot document; None when it has errors
    key: str = ""
    caption: str = ""  # LaTeX
    pdf: bytes | None = None
    width: float = 0.0  # bp at the nominal text size

    @property
    def name(self) -> str:
        return f"plot-{self.key[:16]}.pdf"


@dataclass
class PlotSet:
    plots: dict[str, Plot]  # by the block's text
    compiled: int = 0
    cached: int = 0


_PREPARED: dict[str, Plot] = {}  # every block this process has prepared, by its text
_LOCK = threading.Lock()


def plot_blocks(cards: Iterable[Card]) -> list[str]:
    """The text of every ```plot block in the cards (fronts and backs, nested ones too)."""
    return [tok.content for card in cards for tok in (*card.front_tokens, *card.back_tokens)
            if tok.type == "fence" and tok.info.strip() == PLOT_INFO]


def prepare_plots(cards: Iterable[Card], progress: Callable[[str], None] = lambda s: None) -> PlotSet:
    """Check every plot of `cards` and compile those the cache lacks (a pdflatex run each).
    Problems are not raised here: `render_plot` reports them on the card, like math errors."""
    cards = list(cards)
    texts = list(dict.fromkeys(plot_blocks(cards)))
    with _LOCK:
        new = [t for t in texts if t not in _PREPARED]
        result = PlotSet({t: _PREPARED[t] for t in texts if t in _PREPARED})
        if new:
            _prepare(new, result, lambda text: progress(f"{cards[0].file}: {text}"))
    return result


def _prepare(texts: list[str], result: PlotSet, progress: Callable[[str], None]) -> None:
    from builder.errors import ToolchainError
    from builder.plots import cache
    from builder.tex.run import find_pdflatex

    plots, missing = {}, []
    for text in texts:
        key = cache.plot_key(text)
        found = cache.load(key)
        if found:  # nothing to parse or lay out: the picture of exactly this text is known
            plots[text] = Plot(_problems(found.warnings), key=key, caption=found.caption, pdf=found.pdf,
                               width=found.width)
            result.cached += 1
            continue
        plots[text] = plot = describe(text)
        plot.key = key
        if plot.page is not None:
            missing.append(plot)
    if missing:
        try:
            find_pdflatex()
        except ToolchainError:
            missing = []  # the build says so when its own compile is due, after the deck's problems
    if missing:
        from builder.plots.compile import compile_pages
        from builder.plots.spec import PlotProblem

        progress(f"compiling {len(missing)} plot{'s' if len(missing) != 1 else ''}")
        compiled, failed = compile_pages([p.page for p in missing])
        for i, plot in enumerate(missing):
            if i in failed:
                plot.problems.append(PlotProblem(f"TeX cannot typeset this plot: {failed[i]}", 0))
            elif i in compiled:
                plot.pdf, plot.width = compiled[i].pdf, compiled[i].width
        cache.store({missing[i].key: replace(c, caption=missing[i].caption,
                                             warnings=[asdict(p) for p in missing[i].problems])
                     for i, c in compiled.items()})
        result.compiled += len(compiled)
    _PREPARED.update(plots)
    result.plots.update(plots)


def _problems(fields: list[dict]) -> list[PlotProblem]:
    if not fields:
        return []
    from builder.plots.spec import PlotProblem

    return [PlotProblem(**f) for f in fields]


def describe(text: str) -> Plot:
    """Parse, check and lay out one block: its problems, and its page when it has no errors."""
    from builder.plots.layout import lay_out
    from builder.plots.spec import parse_plot
    from builder.plots.tex import plot_page

    spec, problems = parse_plot(text)
    plot = Plot(problems)
    if spec is None:
        return plot
    drawing, more = lay_out(spec)
    plot.problems = sorted(plot.problems + more, key=lambda p: p.line)
    if drawing is None:
        return plot
    plot.page = plot_page(drawing)
    plot.caption = spec.caption.latex if spec.caption else ""
    return plot


def render_plot(ctx, text: str, first_line: int | None) -> str:
    """The LaTeX that shows a ```plot block (its first YAML line is deck line `first_line`), for the
    renderer's context `ctx` (render.RenderContext: where problems and images go):
    the compiled plot, scaled with the text; or an error box, its problems reported on `ctx`."""
    from builder.latex import error_box

    plot = compiled_plot(text)
    errors = [p for p in plot.problems if not p.warn]
    for p in plot.problems:
        ctx.problem(f"plot: {p.message}", first_line + p.line if first_line else None, warn=p.warn,
                    hint=p.hint, column=p.column)
    if errors:
        return error_box(f"plot error: {errors[0].message}")
    if plot.pdf is None:
        return ""  # no pdflatex: the build stops with that before any TeX is needed
    ctx.images[plot.name] = plot.pdf
    width_sp = round(plot.width * 65536 * 72.27 / 72)
    return f"\\fzplot{{{plot.name}}}{{{width_sp}}}{{{plot.caption}}}\n"


def compiled_plot(text: str) -> Plot:
    """A block's plot as `prepare_plots` made it; compiled now, alone, if nobody asked before."""
    return _PREPARED.get(text) or _prepare_one(text)


def plot_svg(plot: Plot) -> bytes:
    """A compiled plot as SVG (poppler's pdftocairo: text as outlines), for outputs without TeX
    that show pictures (the Anki package). OSError when pdftocairo is missing or fails."""
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    if plot.pdf is None:
        raise OSError("it is drawn by TeX once (then cached), and pdflatex is not installed")
    tool = shutil.which("pdftocairo")
    if not tool:
        raise OSError("pdftocairo (poppler-utils) is not installed")
    with tempfile.TemporaryDirectory(prefix="fiszki-svg-") as tmp:
        source, target = Path(tmp) / "plot.pdf", Path(tmp) / "plot.svg"
        source.write_bytes(plot.pdf)
        subprocess.run([tool, "-svg", str(source), str(target)], check=True, capture_output=True, timeout=60)
        return target.read_bytes()


def _prepare_one(text: str) -> Plot:
    """A block rendered without `prepare_plots` (a caller that skipped it): compiled now, alone
    (unless another thread did it meanwhile)."""
    with _LOCK:
        if text not in _PREPARED:
            _prepare([text], PlotSet({}), lambda s: None)
        return _PREPARED[text]
