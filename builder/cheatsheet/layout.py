"""The cheat sheet's page, decided in Python: where the header and columns go, the first size to
try, the date in the header, and the main document's head.

How the sheet is fitted: Python lays out the page (pure geometry), guesses a first size from the
amount of text and renders the cards once. TeX does the fitting in the same single run
(templates/cheatsheet.tex.j2): each trial typesets all cards at one size, cutting them into columns
as the pages will be cut, and the next size comes from the columns used (secant, or area ∝ size²)
until the largest size whose columns fill the target pages is bracketed to 0.1 pt; then the pages
are made from the columns the trial at that size kept (or, when it could not keep them, by
typesetting the cards again). The log's `FISZKI CHEAT` lines report the outcome, and the PDF's page
count is checked against it.
"""
from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass

from builder import __version__
from builder.deck import Card, Deck
from builder.errors import UsageError, short
from builder.geometry import MM, parse_length, parse_paper
from builder.latex import latex, render_template
from builder.options import Options
from builder.tex.contract import COLUMN_GAP_EM, COLUMN_GAP_MIN, KIND_CHEATSHEET


MAX_SIZE = 12.0  # pt: past this a sheet is no longer condensed; a small deck stops growing here


COLUMN_EM = 26  # automatic columns aim at about this many ems of the base size


MIN_COLUMN_EM = 8  # --columns may ask for narrower, down to this at the smallest size


HEAD_H = 8.0  # bp: the one-line header (title, date, page x/y)


HEAD_SEP = 3.0  # bp: header to columns


MAX_TRIALS = 7  # whole-content typesettings per compile; the search needs 2-4


AIM = 995  # per mille of the column capacity the size estimate aims at (a little under full)


AREA_PER_CHAR = 0.71  # s² per source character, measured on the course deck: the first guess


BODY_FILE = "cheatsheet-body.tex"


CHUNK = 20  # cards typeset per box while streaming: the box stays small for any deck
TABLE_HEADS = 64  # box registers for the headers of tables a column cut may split, used in turn


# A trial keeps its columns, so the output ships the fitting trial's instead of typesetting the cards
# again. TeX's memory (5 M words, LaTeX takes 2 M) bounds that: a trial keeps some 1.6 words per byte
# of the body and takes 2.5 per byte up front (its churn is cut from there too: see the template); a
# longer body is typeset again for the output.
KEEP_BODY = 500_000  # bytes


KEEP_COLUMNS = 1000  # columns a trial may keep (box registers)


RESERVE_PER_BYTE = 2.5  # words


@dataclass(frozen=True)
class SheetGeometry:
    """The landscape page in PostScript points: where the header and the columns go."""

    paper_w: float
    paper_h: float
    margin: float

    @property
    def text_w(self) -> float:
        return self.paper_w - 2 * self.margin

    @property
    def col_h(self) -> float:
        return self.paper_h - 2 * self.margin - HEAD_H - HEAD_SEP


def sheet_geometry(opts: Options) -> SheetGeometry:
    paper_w, paper_h = parse_paper(opts.paper, "landscape")
    geometry = SheetGeometry(paper_w, paper_h, opts.margin_pt)
    if geometry.text_w < 40 * MM or geometry.col_h < 30 * MM:
        raise UsageError(f"--margin {opts.margin}: leaves no room for a cheat sheet on {opts.paper} paper")
    if opts.columns:
        # The template's gap is max(2 mm, 1 em); at the smallest size a column needs some 8 em.
        gap = max(parse_length(COLUMN_GAP_MIN), COLUMN_GAP_EM * opts.cheat_min_size)
        fit = int((geometry.text_w + gap) // (MIN_COLUMN_EM * opts.cheat_min_size + gap))
        if opts.columns > fit:
            raise UsageError(f"--columns {opts.columns}: at most {fit} columns fit the cheat sheet's "
                             f"{geometry.text_w / MM:.0f} mm wide page")
    return geometry


def card_text_length(card: Card) -> int:
    """Characters of source text a card puts on the sheet: question, prose, math, code."""
    length = len(card.question)
    for tok in list(card.front_tokens) + list(card.back_tokens):
        if tok.type in ("inline", "math_block", "fence", "code_block", "html_block"):
            length += len(tok.content)
    return length


def first_guess(geometry: SheetGeometry, text_length: int, pages: int) -> float:
    """The size at which `text_length` characters would just fill `pages` pages (area ∝ size²)."""
    area = pages * geometry.text_w * geometry.col_h
    return math.sqrt(area / (AREA_PER_CHAR * max(text_length, 1)))


def sheet_date(deck: Deck, environ: dict[str, str] | None = None, today: dt.date | None = None) -> str:
    """The deck's own date, else the reproducible build date (SOURCE_DATE_EPOCH), else today."""
    if deck.meta.get("date"):
        return str(deck.meta["date"])
    epoch = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date().isoformat()
        except (OverflowError, OSError, ValueError):  # past the year 9999
            raise UsageError(f"SOURCE_DATE_EPOCH={short(epoch, 24)} is not a time fiszki can print "
                             "(seconds since 1970, before the year 10000)") from None
    return (today or dt.date.today()).isoformat()


def decipoints(size: float) -> int:
    return int(round(size * 10))


def cheatsheet_head(deck: Deck, opts: Options) -> str:
    """The main document up to what depends on the cards: TeX can start on it early."""
    geometry = sheet_geometry(opts)
    return render_template(
        "cheatsheet.tex.j2", part="head", kind=KIND_CHEATSHEET, language=deck.language, title=deck.title, version=__version__,
        date=sheet_date(deck), paper_w=geometry.paper_w, paper_h=geometry.paper_h, margin=geometry.margin,
        text_w=geometry.text_w, col_h=geometry.col_h, head_h=HEAD_H, head_sep=HEAD_SEP,
        min_size=decipoints(opts.cheat_min_size), target=opts.pages or 1, auto=opts.pages is None,
        columns=opts.columns or 0, column_em=COLUMN_EM, gap_em=COLUMN_GAP_EM, gap_min=COLUMN_GAP_MIN,
        aim=AIM, max_trials=MAX_TRIALS, table_heads=TABLE_HEADS,
        body_file=latex(BODY_FILE))
