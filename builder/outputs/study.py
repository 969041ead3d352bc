"""The study output: study.pdf, to revise on a tablet or phone held sideways, in any PDF reader.

The title page lists the sections, each section's index lists its questions, and each card is a
question page (tap it: the answer) followed by its answer page (buttons: the next question, the
section's index); bookmarks hold the sections and their questions. Each side is fitted to the page
by the flashcards' auto-fit, in one run; a side whose line TeX's scan missed starts smaller once more.
"""
from __future__ import annotations

from typing import Iterable

from builder.deck import Card
from builder.errors import ContentError, Problem
from builder.geometry import MM
from builder.outputs.base import Output, Result, Work
from builder.outputs.fitted import Compiles, smaller_starts
from builder.rendered import error_sides
from builder.study.layout import StudyLayout
from builder.study.pages import StudyPages, study_document, study_head
from builder.tex.contract import FitReport, parse_key, read_fit

ATTEMPTS = 2  # compiles at most: the first, then once more if a side's line still sticks out


class Study(Output):
    name, title = "study", "study PDF"

    def __init__(self, deck, opts, cards):
        super().__init__(deck, opts, cards)
        self.layout = StudyLayout(*opts.screen_size)
        self.pages: StudyPages | None = None

    def head(self) -> str:
        return study_head(self.deck, self.layout)

    def document(self, cards: list[Card], bodies: dict, starts: dict[str, float]) -> Iterable[str]:
        self.pages = StudyPages(self.deck, cards, self.layout, self.opts.min_size, bodies, starts,
                                shuffled=self.opts.shuffle)
        return study_document(self.pages)

    def build(self, work: Work) -> Result:
        run = Compiles(self, work)
        for attempt in range(ATTEMPTS):
            result = run.compile(work.cards)
            report = read_fit(result.log)
            retry = smaller_starts(report, self.layout.body.w, self.opts.min_size)
            if not retry or attempt == ATTEMPTS - 1:
                break
            run.starts.update(retry)
        problems, warnings = self._fit_problems(work.cards, report)
        if problems and not work.keep_going:
            raise ContentError(problems)
        if problems:  # keep_going: a card cut off at the page's edge would pass unnoticed; show the error
            for problem in problems:
                card = next(c for c in work.cards if c.number == problem.card_number)
                run.bodies[id(card)] = error_sides(card, problem)
            result = run.compile(work.cards)
            report = read_fit(result.log)
        return Result({"study.pdf": result.pdf, "study.log": result.log.encode("utf-8", "replace")},
                      self._summary(work.cards, report), work.rendered.warnings + warnings,
                      work.rendered.errors + problems)

    def _fit_problems(self, cards: list[Card], report: FitReport) -> tuple[list[Problem], list[Problem]]:
        by_number = {c.number: c for c in cards}

        def problem(key: str, message: str, hint: str) -> Problem:
            number, _, side = parse_key(key)
            card = by_number[number]
            return Problem(f"{'question' if side == 'front' else 'answer'} {message}", file=self.deck.display_path,
                           line=card.line, card_number=number, question=card.question, hint=hint)

        errors = [problem(key, f"does not fit the study page even at {self.opts.min_size:g} pt (needs "
                               f"{need / avail:.0%} of the space)", "shorten it, or allow smaller text (--min-size)")
                  for key, (need, avail) in report.overflow.items()]
        warnings = [problem(key, f"has a line {excess:.1f} pt wider than the study page's text area; it runs "
                                 "into the page's margin", "break the formula (aligned)")
                    for key, excess in report.too_wide.items()]
        return errors, warnings

    def _summary(self, cards: list[Card], report: FitReport) -> str:
        pages = self.pages
        total = len(pages.contents) + sum(len(parts) for parts in pages.indexes.values()) + 2 * len(cards)
        w, h = (round(v / MM) for v in (self.layout.w, self.layout.h))
        smallest = min(report.sizes.values(), default=0)
        return (f"{len(cards)} card{'s' if len(cards) != 1 else ''} on {total} pages of {w}×{h} mm, "
                f"smallest text {smallest:.1f} pt")


OUTPUT = Study
