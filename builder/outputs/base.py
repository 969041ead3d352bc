"""The one small interface every output has.

An output is made for a deck and its options (refusing options it cannot work with), may give the
head of a TeX document (its pdflatex is started before the cards are rendered and reads the head
meanwhile), builds its files from the selected cards, and checks what it built.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from builder.errors import FiszkiError, Problem

if TYPE_CHECKING:
    from builder.deck import Card, Deck
    from builder.rendered import RenderedCards
    from builder.tex.run import TexJob


@dataclass
class Result:
    """What an output made: its files by name in the output folder (the main one first), the
    summary line for the user, warnings, and (--keep-going) the errors shown as error boxes."""

    files: dict[str, bytes]
    summary: str
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    reads: dict[str, str] = field(default_factory=dict)  # files read beyond the rendered cards' (→ sha256)

    @property
    def main(self) -> tuple[str, bytes]:
        return next(iter(self.files.items()))


@dataclass
class Work:
    """What an output builds from: the selected cards (in the selection's order, or the deck's for
    an output with `deck_order`), their LaTeX (rendered once for all outputs), its pdflatex if it
    has one (started, given the head), and `sent`, to call once TeX has its whole document: the
    next output's Python work starts then (they share one interpreter)."""

    cards: list[Card]
    rendered: RenderedCards
    keep_going: bool = False
    job: TexJob | None = None
    sent: Callable[[], None] = lambda: None


class Output:
    name = ""  # as --make and the cache call it
    title = ""  # as the progress lines call it
    deck_order = False  # True: gets the selected cards in the deck's order, whatever the selection's
    names_deck = False  # True: its files are named after the deck already (no deck prefix when several)

    def __init__(self, deck: Deck, opts, cards: list[Card]):
        """Raise (a UsageError, or a ContentError naming the front-matter line) when the options
        cannot make this output for these cards, before anything is compiled."""
        self.deck, self.opts = deck, opts

    def head(self) -> str:
        """The TeX document up to its first card (outputs without TeX have none)."""
        return ""

    def build(self, work: Work) -> Result:
        raise NotImplementedError

    def check(self, result: Result, path: Path) -> None:
        """Read back what was built (its main file to be written at `path`, its other files beside
        it) and refuse it if it would not print right: here, every PDF it made."""
        from builder.checking import check_pdf

        prefix = path.name[: len(path.name) - len(result.main[0])]  # the deck's name, when a run builds several
        for name, data in result.files.items():
            if name.endswith(".pdf"):
                where = path.with_name(prefix + name)
                report = check_pdf(data, source=str(where))
                if not report.ok:
                    raise FiszkiError(f"{where}: the finished PDF failed its check, previous output kept:\n"
                                      + "\n".join(report.lines()))
