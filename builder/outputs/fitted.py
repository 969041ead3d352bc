"""What outputs whose card sides TeX fits (flashcards, study PDF) share: each card's two sides as
LaTeX, their compiles (the first on the pdflatex started early, streamed; with --keep-going, again
with error boxes in place of the cards TeX cannot typeset), and what a side too wide calls for."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from builder.deck import Card
from builder.errors import TexError
from builder.flashcards.pages import questions_record
from builder.outputs.base import Work
from builder.rendered import RenderedCards, error_sides
from builder.tex.blame import swap_or_stop, tex_problem
from builder.tex.contract import QUESTIONS_FILE, FitReport
from builder.tex.run import TexResult, start_pdflatex

if TYPE_CHECKING:
    from builder.outputs.base import Output


class Sides(dict):
    """(front, back) LaTeX of each card by id(card): rendered on demand (the pages ask for them in
    order), or set to error boxes."""

    def __init__(self, rendered: RenderedCards):
        super().__init__()
        self.rendered = rendered

    def __missing__(self, key: int) -> tuple[str, str]:
        card = self.rendered.cards[self.rendered._index[key]]
        tex = self.rendered[card]
        self[key] = sides = error_sides(card, tex.problems[0]) if tex.problems and self.rendered.keep_going \
            else tex.sides()
        return sides


class Compiles:
    """The compiles of one build of `output`, whose document(cards, bodies, starts) streams the
    pages: the first uses the pdflatex started early (given the head already), any further one
    (split cards, error boxes, a retry) starts afresh."""

    def __init__(self, output: Output, work: Work):
        self.output, self.work, self.job = output, work, work.job
        self.bodies: dict = Sides(work.rendered)
        self.starts: dict[str, float] = {}  # side key → size to start fitting at, where not the usual

    def compile(self, cards: list[Card]) -> TexResult:
        """The document of `cards`; with --keep-going, each card TeX fails on becomes an error box
        and the document is compiled again."""
        out, work = self.output, self.work
        while True:
            try:
                return self._pages(cards, out.document(cards, self.bodies, self.starts))
            except TexError as err:
                problem = swap_or_stop(tex_problem(err, out.deck, cards), work.rendered.errors, work.keep_going)
                for card in cards:
                    if card.number == problem.card_number:
                        self.bodies[id(card)] = error_sides(card, problem)

    def _pages(self, cards: list[Card], pages: Iterable[str]) -> TexResult:
        rendered = self.work.rendered
        job, self.job = self.job or start_pdflatex(jobname=self.output.name, head=self.output.head()), None
        try:
            job.add_files({QUESTIONS_FILE: questions_record(cards)})
            given: set[str] = set()
            for piece in pages:  # TeX typesets the first pages while later cards are rendered
                job.add_files({name: data for name, data in rendered.images.items() if name not in given})
                given.update(rendered.images)
                job.write(piece)
            rendered.check()  # content errors: TeX's work so far is thrown away
        except BaseException:
            job.cancel()
            raise
        self.work.sent()
        return job.finish()


def smaller_starts(report: FitReport, inner_w: float, min_size: float) -> dict[str, float]:
    """Sides still too wide at their fitted size (the template's own width check missed a line),
    `inner_w` wide: the size to start them at next time, where that line would fit."""
    retry = {}
    for key, excess in report.too_wide.items():
        size = report.sizes.get(key, min_size)
        if size > min_size + 0.05:
            retry[key] = max(min_size, size * inner_w / (inner_w + excess) - 0.1)
    return retry
