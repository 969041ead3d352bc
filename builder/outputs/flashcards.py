"""The flashcards output: the sheets compiled, fitted and checked (flashcards.pdf).

TeX fits every side in one run; what it reports may call for another: --overflow split continues
too-long answers on more cards, a side whose line still sticks out starts smaller, and with
--keep-going a card TeX cannot typeset becomes an error box.
"""
from __future__ import annotations

from typing import Iterable

from builder.deck import Card
from builder.errors import ContentError, TexError
from builder.flashcards.fit import fit_problems
from builder.flashcards.layout import file_stem, plan_layout, plan_oriented, sheet_count, side_size
from builder.flashcards.orientation import ignored_options, orientation_note
from builder.flashcards.pages import flashcards_head, flashcards_pages, questions_record
from builder.flashcards.split import split_overflowing
from builder.outputs.base import Output, Result, Work
from builder.rendered import RenderedCards, error_sides
from builder.tex.blame import swap_or_stop, tex_problem
from builder.tex.contract import PAD, QUESTIONS_FILE, FitReport, read_fit
from builder.tex.run import TexResult, start_pdflatex

ATTEMPTS = 4  # compiles at most: the first, then splits or smaller starts as the fit reports ask


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


class _Compiles:
    """The compiles of one flashcards build: the first uses the pdflatex started early (given the
    head already), any further one (split cards, error boxes, a retry) starts afresh."""

    def __init__(self, output: Flashcards, work: Work):
        self.output, self.work, self.job = output, work, work.job
        self.bodies: dict = Sides(work.rendered)
        self.starts: dict[str, float] = {}  # side key → size to start fitting at, where not the usual

    def compile(self, cards: list[Card]) -> TexResult:
        """The sheets of `cards`; with --keep-going, each card TeX fails on becomes an error box and
        the sheets are compiled again."""
        out, work = self.output, self.work
        while True:
            try:
                return self._pages(cards, flashcards_pages(out.deck, cards, out.layout, out.opts, self.bodies,
                                                           self.starts))
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
            for piece in pages:  # TeX typesets the first sheets while later cards are rendered
                job.add_files({name: data for name, data in rendered.images.items() if name not in given})
                given.update(rendered.images)
                job.write(piece)
            rendered.check()  # content errors: TeX's work so far is thrown away
        except BaseException:
            job.cancel()
            raise
        self.work.sent()
        return job.finish()


class Flashcards(Output):
    name, title = "flashcards", "flashcards"

    def __init__(self, deck, opts, cards):
        super().__init__(deck, opts, cards)
        self.layout = plan_layout(opts, len(cards))

    def head(self) -> str:
        return flashcards_head(self.deck, self.layout)

    def build(self, work: Work) -> Result:
        deck, opts = self.deck, self.opts
        run = _Compiles(self, work)
        cards = work.cards
        originals = {c.number: c for c in cards}
        parts: dict[int, int] = {}  # --overflow split: how many cards each split answer is on
        for attempt in range(ATTEMPTS):
            result = run.compile(cards)
            report = read_fit(result.log)
            if attempt == ATTEMPTS - 1:
                break
            if report.overflow and opts.overflow == "split":
                split = split_overflowing(cards, originals, report.overflow, parts)
                if split is not None:
                    run.bodies = self._keep_sides(run.bodies, cards, split, work.keep_going)
                    cards = split
                    continue
            retry = self._smaller_starts(report)
            if not retry:
                break
            run.starts.update(retry)
        problems, fit_warnings = fit_problems(deck, cards, report, opts)
        if problems and not work.keep_going:
            raise ContentError(problems)
        if problems:  # keep_going: a card cut off at its edge would pass unnoticed; show the error instead
            for card in cards:
                problem = next((p for p in problems if p.card_number == card.number), None)
                if problem:
                    run.bodies[id(card)] = error_sides(card, problem)
            result = run.compile(cards)
            report = read_fit(result.log)
        stem = file_stem(opts.mode)
        return Result({f"{stem}.pdf": result.pdf, f"{stem}.log": result.log.encode("utf-8", "replace")},
                      self._summary(cards, report),
                      ignored_options(opts, deck.display_path, deck.option_lines) + work.rendered.warnings + fit_warnings,
                      work.rendered.errors + problems)

    def _keep_sides(self, bodies: dict, cards: list[Card], split: list[Card], keep_going: bool) -> dict:
        """Sides keyed by id(card) after a split: those of cards still in use, and the new parts'."""
        kept = {id(c) for c in cards} & {id(c) for c in split}
        fresh = RenderedCards(self.deck, [c for c in split if id(c) not in kept], keep_going).finish()
        new = Sides(fresh)
        for card in fresh.cards:
            new[id(card)] = new[id(card)]
        new.update({k: bodies[k] for k in kept})
        return new

    def _smaller_starts(self, report: FitReport) -> dict[str, float]:
        """Sides still too wide at their fitted size (the template's own width check missed a line):
        the size to start them at next time, where that line would fit."""
        inner = side_size(self.layout)[0] - 2 * PAD  # a card side: in fold mode a grid cell holds two
        retry = {}
        for key, excess in report.too_wide.items():
            size = report.sizes.get(key, self.opts.min_size)
            if size > self.opts.min_size + 0.05:
                retry[key] = max(self.opts.min_size, size * inner / (inner + excess) - 0.1)
        return retry

    def _summary(self, cards: list[Card], report: FitReport) -> str:
        sheets = sheet_count(self.layout, len(cards))
        smallest = min(report.sizes.values(), default=0)
        note = orientation_note(self.opts, plan_oriented, self.layout, len(cards))
        return (f"{len(cards)} card{'s' if len(cards) != 1 else ''} on {sheets} sheet{'s' if sheets != 1 else ''} "
                f"({self.layout.rows}×{self.layout.cols}{note}), smallest text {smallest:.1f} pt")


OUTPUT = Flashcards
