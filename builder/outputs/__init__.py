"""The outputs a build can make, and the one small interface they share.

Each output is a class in a module of its own (`Output`): made for a deck and its options (refusing
options it cannot work with), it may give the head of a TeX document (started before the cards are
rendered), builds its files from the selected cards, and checks what it built. REGISTRY lists them
in the order a build starts them; the pipeline loops over the requested ones and knows none of
them by name. Adding an output is a module and a line here.

This module stays light: the command line reads REGISTRY before it imports the parser or Jinja.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from builder.errors import FiszkiError, Problem

if TYPE_CHECKING:
    from builder.deck import Card, Deck
    from builder.rendered import RenderedCards
    from builder.tex.run import TexJob


@dataclass(frozen=True)
class Entry:
    module: str  # holds OUTPUT, the Output class
    tex: bool  # runs pdflatex: the pipeline starts it before the deck is parsed
    nice: int = 0  # > 0: its TeX gives the cores to the outputs before it (a run with time to spare)


REGISTRY: dict[str, Entry] = {
    "flashcards": Entry("builder.outputs.flashcards", tex=True),
    "cheatsheet": Entry("builder.outputs.cheatsheet", tex=True, nice=10),
}
DEFAULT = ("flashcards", "cheatsheet")


@dataclass
class Result:
    """What an output made: its files by name in the output folder (the main one first), the
    summary line for the user, warnings, and (--keep-going) the errors shown as error boxes."""

    files: dict[str, bytes]
    summary: str
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)

    @property
    def main(self) -> tuple[str, bytes]:
        return next(iter(self.files.items()))


@dataclass
class Work:
    """What an output builds from: the selected cards, their LaTeX (rendered once for all
    outputs), its pdflatex if it has one (started, given the head), and `sent`, to call once TeX
    has its whole document: the next output's Python work starts then (they share one interpreter)."""

    cards: list[Card]
    rendered: RenderedCards
    keep_going: bool = False
    job: TexJob | None = None
    sent: Callable[[], None] = lambda: None


class Output:
    name = ""  # as --make and the cache call it
    title = ""  # as the progress lines call it

    def __init__(self, deck: Deck, opts):
        """Raise (a UsageError, or a ContentError naming the front-matter line) when the options
        cannot make this output, before anything is compiled."""
        self.deck, self.opts = deck, opts

    def head(self) -> str:
        """The TeX document up to its first card (outputs without TeX have none)."""
        return ""

    def build(self, work: Work) -> Result:
        raise NotImplementedError

    def check(self, result: Result, path: Path) -> None:
        """Read back what was built (its main file, to be written at `path`) and refuse it if it
        would not print right."""
        from builder.checking import check_pdf

        report = check_pdf(result.main[1], source=str(path))
        if not report.ok:
            raise FiszkiError(f"{path}: the finished PDF failed its check, previous output kept:\n"
                              + "\n".join(report.lines()))


def load(name: str, deck: Deck, opts) -> Output:
    return importlib.import_module(REGISTRY[name].module).OUTPUT(deck, opts)


def start_tex(names: list[str]) -> dict[str, TexJob | None]:
    """pdflatex for each output that needs it, started at once: each loads its format while Python
    imports its parser and templates. Without pdflatex, none: the build says so when a compile is
    due, after the deck's own problems."""
    from builder.errors import ToolchainError
    from builder.tex.run import cancel_jobs, start_pdflatex

    jobs: dict[str, TexJob | None] = {}
    try:
        for name in names:
            if REGISTRY[name].tex:
                jobs[name] = start_pdflatex(jobname=name, nice=REGISTRY[name].nice)
    except ToolchainError:
        cancel_jobs(jobs.values())
        return {}
    except BaseException:  # Ctrl-C just now: the caller never gets these to cancel
        cancel_jobs(jobs.values())
        raise
    return jobs
