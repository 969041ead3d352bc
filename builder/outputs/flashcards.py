"""The flashcards output: the sheets compiled, fitted and checked (flashcards.pdf).

TeX fits every side in one run; what it reports may call for another: --overflow split continues
too-long answers on more cards, a side whose line still sticks out starts smaller, and with
--keep-going a card TeX cannot typeset becomes an error box.
"""
from __future__ import annotations

from typing import Iterable

from builder.deck import Card
from builder.errors import ContentError
from builder.flashcards.fit import fit_problems
from builder.flashcards.layout import file_stem, plan_layout, plan_oriented, sheet_count, side_size
from builder.flashcards.orientation import ignored_options, orientation_note
from builder.flashcards.pages import flashcards_head, flashcards_pages
from builder.flashcards.split import split_overflowing
from builder.outputs.base import Output, Result, Work
from builder.outputs.fitted import Compiles, Sides, smaller_starts
from builder.rendered import RenderedCards, error_sides
from builder.tex.contract import PAD, FitReport, read_fit

ATTEMPTS = 4  # compiles at most: the first, then splits or smaller starts as the fit reports ask


class Flashcards(Output):
    name, title = "flashcards", "flashcards"

    def __init__(self, deck, opts, cards):
        super().__init__(deck, opts, cards)
        self.layout = plan_layout(opts, len(cards))

    def head(self) -> str:
        return flashcards_head(self.deck, self.layout)

    def document(self, cards: list[Card], bodies: dict, starts: dict[str, float]) -> Iterable[str]:
        return flashcards_pages(self.deck, cards, self.layout, self.opts, bodies, starts)

    def build(self, work: Work) -> Result:
        deck, opts = self.deck, self.opts
        run = Compiles(self, work)
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
        return smaller_starts(report, side_size(self.layout)[0] - 2 * PAD, self.opts.min_size)  # fold: half a cell

    def _summary(self, cards: list[Card], report: FitReport) -> str:
        sheets = sheet_count(self.layout, len(cards))
        smallest = min(report.sizes.values(), default=0)
        note = orientation_note(self.opts, plan_oriented, self.layout, len(cards))
        return (f"{len(cards)} card{'s' if len(cards) != 1 else ''} on {sheets} sheet{'s' if sheets != 1 else ''} "
                f"({self.layout.rows}×{self.layout.cols}{note}), smallest text {smallest:.1f} pt")


OUTPUT = Flashcards
