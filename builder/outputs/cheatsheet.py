"""The cheat sheet output: every selected card on as few pages as asked, at the largest size that
fits (cheatsheet.pdf); how it is fitted is told in builder/cheatsheet/layout.py."""
from __future__ import annotations

import io
import math
import re
from dataclasses import replace

from builder.cheatsheet.body import groups
from builder.cheatsheet.wide import wide_lines
from builder.cheatsheet.layout import (BODY_FILE, KEEP_BODY, KEEP_COLUMNS, MAX_SIZE, RESERVE_PER_BYTE,
                                       card_text_length, cheatsheet_head, decipoints, first_guess, sheet_geometry)
from builder.deck import Card
from builder.errors import ContentError, FiszkiError, Problem, UsageError, short
from builder.latex import render_template
from builder.outputs.base import Output, Result, Work
from builder.render import RenderContext
from builder.tex.blame import swap_or_stop, tex_problem
from builder.geometry import MM, parse_length
from builder.tex.contract import COLUMN_GAP_EM, COLUMN_GAP_MIN, CheatFit, marker_before, read_cheat_fit
from builder.tex.limits import safe_start
from builder.tex.run import TexError, TexJob, TexResult, line_using_file, start_pdflatex


class CheatSheet(Output):
    name, title = "cheatsheet", "cheat sheet"
    deck_order = True  # by section, as the deck has them, however the flashcards are shuffled

    def __init__(self, deck, opts, cards):
        super().__init__(deck, opts, cards)
        try:
            self.geometry = sheet_geometry(opts)
        except UsageError as exc:  # options that cannot work fail before any compile, naming their source
            if opts.origins.get("columns") == "front matter":
                reason = str(exc).split(": ", 1)[-1]
                raise ContentError(Problem(f"front matter 'columns': {reason}", file=deck.display_path,
                                           line=deck.option_lines.get("columns"))) from None
            raise

    def head(self) -> str:
        return cheatsheet_head(self.deck, self.opts)

    def build(self, work: Work) -> Result:
        """`work.rendered` is complete once the flashcards have their pages; its content errors end
        this build too. With --keep-going, each card TeX fails on is shown as its error; then again."""
        work.rendered.check()  # rendered already, unless the flashcards stopped before every card
        cards, job, swapped = work.cards, work.job, []
        while True:
            try:
                first, job = job, None
                pdf, log, summary, notes = self._fit(cards, work, first)
                break
            except TexError as err:
                problem = swap_or_stop(tex_problem(err, self.deck, cards), swapped, work.keep_going)
            except ContentError as exc:
                if len(exc.problems) != 1:
                    raise
                problem = swap_or_stop(exc.problems[0], swapped, work.keep_going)
            cards = [_error_card(c, problem) if c.number == problem.card_number else c for c in cards]
        return Result({f"{self.name}.pdf": pdf, f"{self.name}.log": log.encode("utf-8", "replace")}, summary,
                      notes, swapped)

    def _fit(self, cards: list[Card], work: Work, job: TexJob | None) -> tuple[bytes, str, str, list[Problem]]:
        """(pdf, log, summary line, notes); a ContentError when the cards cannot fit."""
        opts = self.opts
        ctx = RenderContext(deck_dir=self.deck.path.parent, display=self.deck.display_path)

        def lookup(card: Card) -> tuple[str, str] | None:  # stand-ins for broken cards are not in it
            return work.rendered[card].run_in() if card in work.rendered else None

        body = render_template("cheatsheet.tex.j2", part="body", groups=groups(ctx, cards, lookup))
        images = {**work.rendered.images, **ctx.images}
        target = opts.pages or 1
        text_length = sum(card_text_length(c) for c in cards)
        max_size = self._measurable_size(cards, max(MAX_SIZE, opts.cheat_min_size))
        start = min(max(first_guess(self.geometry, text_length, target), opts.cheat_min_size), max_size)

        result = self._compile(cards, body, images, start, max_size, job)
        fit = read_cheat_fit(result.log)
        if fit.failed:
            raise ContentError(self._too_long(cards, fit))
        if not fit.pages or fit.leftover or _page_count(result.pdf) != fit.pages:
            # The size search and the pages shipped disagree (never seen): try once a step smaller.
            smaller = max(opts.cheat_min_size, fit.size - 0.2)
            result = self._compile(cards, body, images, smaller, smaller)
            fit = read_cheat_fit(result.log)
            if fit.failed or not fit.pages or _page_count(result.pdf) != fit.pages:
                raise FiszkiError("cheat sheet: TeX's page count does not match its fitting report "
                                  "(a bug in fiszki; the .log shows the FISZKI CHEAT lines)")
        return result.pdf, result.log, self._summary(cards, fit), self._wide(cards, result.log, body, fit) \
            + self._notes(fit, max_size)

    def _measurable_size(self, cards: list[Card], size: float) -> float:
        """`size`, or less: in narrow fixed columns the longest card must stay shorter than TeX can
        measure (see tex/limits.py); a card too long for that even at the smallest size is refused."""
        opts = self.opts
        if not opts.columns or not cards:
            return size
        gap = max(parse_length(COLUMN_GAP_MIN), COLUMN_GAP_EM * opts.cheat_min_size)
        column = (self.geometry.text_w - gap * (opts.columns - 1)) / opts.columns
        longest = max(cards, key=card_text_length)
        fits = safe_start("x" * card_text_length(longest), column, size)
        if fits < opts.cheat_min_size:
            raise ContentError(Problem(f"too long for {opts.columns} cheat-sheet columns {column / MM:.0f} mm wide: "
                                       "TeX could not measure it", file=self.deck.display_path, line=longest.line,
                                       card_number=longest.number, question=longest.question,
                                       hint="use fewer --columns, or split the card"))
        return max(opts.cheat_min_size, fits)

    def _compile(self, cards: list[Card], body: str, images: dict[str, bytes], start: float, max_size: float,
                 job: TexJob | None = None) -> TexResult:
        """One pdflatex run; `job`, if given, has been started and given the head already."""
        body_bytes = body.encode("utf-8")
        keep = len(body_bytes) <= KEEP_BODY
        run = render_template(
            "cheatsheet.tex.j2", part="run", start=decipoints(start), max_size=decipoints(max_size),
            card_count=len(cards), keep_columns=KEEP_COLUMNS if keep else 0,
            reserve=math.ceil(len(body_bytes) * RESERVE_PER_BYTE / 1000) if keep else 0)
        job = job or start_pdflatex(jobname=self.name, head=self.head())
        job.add_files({**images, BODY_FILE: body_bytes})  # before the text that reads them
        job.write(run)
        try:
            return job.finish()
        except TexError as err:
            # Content errors happen while the body file is read: find the card by its line there.
            where = re.search(re.escape(BODY_FILE) + r":(\d+):", err.log)
            line = int(where.group(1)) if where else line_using_file(body, err.message)
            err.source_marker = marker_before(body, line) or err.source_marker
            raise ContentError(tex_problem(err, self.deck, cards)) from None

    def _too_long(self, cards: list[Card], fit: CheatFit) -> Problem:
        opts = self.opts
        longest = sorted(cards, key=card_text_length, reverse=True)[:3]
        names = ", ".join(f'#{c.number} "{short(c.question, 40)}" ({card_text_length(c)} characters)'
                          for c in longest)
        pages = f"{fit.target} page{'s' if fit.target != 1 else ''}"
        return Problem(f"the cheat sheet does not fit {pages} even at the smallest size {opts.cheat_min_size:g} pt: "
                       f"it needs {fit.needed} pages at that size; longest cards: {names}",
                       file=self.deck.display_path,
                       hint=f"use --pages {fit.needed}, select fewer cards (--section/--tag/--cards) "
                            "or allow smaller text (--cheat-min-size)")

    def _wide(self, cards: list[Card], log: str, body: str, fit: CheatFit) -> list[Problem]:
        """A line TeX still reports too wide for its column at the size shipped, by card."""
        by_number = {c.number: c for c in cards}
        return [Problem(f"cheat sheet: a line runs {excess:.1f} pt into the gap beside its column",
                        file=self.deck.display_path, line=card.line, card_number=card.number, question=card.question,
                        hint="long code, a link or a formula that cannot break there: shorten it, or use fewer --columns")
                for number, excess in sorted(wide_lines(log, body, decipoints(fit.size)).items())
                if (card := by_number.get(number))]

    def _notes(self, fit: CheatFit, max_size: float) -> list[Problem]:
        opts, plural = self.opts, "s" if fit.pages != 1 else ""
        if opts.pages is None and fit.pages > 1:
            return [Problem(f"the cheat sheet does not fit one page at the smallest size "
                            f"{opts.cheat_min_size:g} pt; it has {fit.pages} pages at {fit.size:g} pt",
                            file=self.deck.display_path, hint="choose the page count with --pages")]
        if opts.pages and fit.pages < opts.pages:
            return [Problem(f"--pages {opts.pages}: the cards fill only {fit.pages} page{plural} even at "
                            f"the largest size {max_size:g} pt", file=self.deck.display_path)]
        return []

    @staticmethod
    def _summary(cards: list[Card], fit: CheatFit) -> str:
        return (f"{len(cards)} card{'s' if len(cards) != 1 else ''} on {fit.pages} page{'s' if fit.pages != 1 else ''}"
                f" at {fit.size:g} pt, {fit.columns} column{'s' if fit.columns != 1 else ''}")


def _page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _error_card(card: Card, problem: Problem) -> Card:
    """A stand-in for a card TeX cannot typeset: its question, and the error as the answer."""
    from markdown_it.token import Token

    text = Token("text", "", 0, content=f"card #{card.number} cannot be built: {problem.message}")
    inline = Token("inline", "", 0, children=[Token("strong_open", "strong", 1), text,
                                              Token("strong_close", "strong", -1)])
    back = [Token("paragraph_open", "p", 1), inline, Token("paragraph_close", "p", -1)]
    return replace(card, question_tokens=[Token("text", "", 0, content=card.question)], front_tokens=[],
                   back_tokens=back)


OUTPUT = CheatSheet
