"""The cheat sheet: every selected card on as few pages as asked, at the largest size that fits.

Python lays out the page (pure geometry), guesses a first size from the amount of text and renders
the cards once. TeX does the fitting in the same single run (templates/cheatsheet.tex.j2): each
trial typesets all cards at one size, cutting them into columns as the pages will be cut, and the
next size comes from the columns used (secant, or area ∝ size²) until the largest size whose
columns fill the target pages is bracketed to 0.1 pt; then the pages are made from the columns the
trial at that size kept (or, when it could not keep them, by typesetting the cards again). The log's
`FISZKI CHEAT` lines report the outcome, and the PDF's page count is checked against it.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
from dataclasses import dataclass

from builder import __version__
from builder.deck import Card, Deck
from builder.errors import ContentError, FiszkiError, Problem, UsageError, short
from builder.geometry import MM, parse_paper
from builder.latex import escape_text, latex, render_template
from builder.options import Options
from builder.render import RenderContext, error_box, render_blocks, render_question
from builder.texrun import TexError, TexJob, line_using_file, marker_before, start_pdflatex

MAX_SIZE = 12.0  # pt: past this a sheet is no longer condensed; a small deck stops growing here
COLUMN_EM = 26  # automatic columns aim at about this many ems of the base size
MIN_COLUMN_EM = 8  # --columns may ask for narrower, down to this at the smallest size
HEAD_H = 8.0  # bp: the one-line header (title, date, page x/y)
HEAD_SEP = 3.0  # bp: header to columns
MAX_TRIALS = 7  # whole-content typesettings per compile; the search needs 2-4
AIM = 995  # per mille of the column capacity the size estimate aims at (a little under full)
AREA_PER_CHAR = 0.71  # s² per source character, measured on the course deck: the first guess
BODY_FILE = "cheatsheet-body.tex"
LONG_INLINE = 40  # characters: inline formulas longer than this are measured against the column
CHUNK = 20  # cards typeset per box while streaming: the box stays small for any deck
# A trial keeps its columns, so the output ships the fitting trial's instead of typesetting the cards
# again. TeX's memory (5 M words, LaTeX takes 2 M) bounds that: a trial keeps some 1.6 words per byte
# of the body and takes 2.5 per byte up front (its churn is cut from there too: see the template); a
# longer body is typeset again for the output.
KEEP_BODY = 500_000  # bytes
KEEP_COLUMNS = 1000  # columns a trial may keep (box registers)
RESERVE_PER_BYTE = 2.5  # words

_RESULT_RE = re.compile(r"^FISZKI CHEAT (trial|fail|leftover|size=)(.*)$")
_FIELD_RE = re.compile(r"([a-z-]+)=(\d+)")


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
        gap = max(2 * MM, opts.cheat_min_size)
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
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date().isoformat()
    return (today or dt.date.today()).isoformat()


_BREAK_WORDS = frozenset("""le leq ge geq ne neq to rightarrow leftarrow Rightarrow Leftarrow iff implies
    approx sim simeq equiv cong propto in notin subset subseteq supset supseteq cdot times pm mp div cup
    cap wedge vee oplus otimes mid coloneqq gets mapsto""".split())


def breakable(formula: str) -> bool:
    """Whether TeX can break this inline formula across lines: a relation or binary operator
    outside braces and \\left…\\right (TeX boxes those)."""
    depth, i = 0, 0
    while i < len(formula):
        ch = formula[i]
        if ch == "\\":
            word = re.match(r"[A-Za-z]+", formula[i + 1 :])
            name = word.group(0) if word else formula[i + 1 : i + 2]
            depth += (name == "left") - (name == "right")
            if depth == 0 and name in _BREAK_WORDS:
                return True
            i += 1 + len(name)
            continue
        depth += (ch == "{") - (ch == "}")
        if depth == 0 and ch in "=<>+-":
            return True
        i += 1
    return False


def compact_math(code: str) -> str:
    r"""Math that cannot leave its column: `\[…\]` → `\fzdisplay{…}` (tight skips, on the line
    before when there is room, shrunk to the column when wider), and long inline `$…$` →
    `\fzinline{…}` (shrunk when wider than the column; TeX cannot break it inside a word-free run).

    Formulas with \tag or split need a real display and stay as they are. The scan steps over
    escaped pairs, so `\$` in text and `\\[2pt]` inside a formula are left alone.
    """
    pieces: list[str] = []
    last, opened, inline = 0, None, None
    for mark in _MATH_MARK_RE.finditer(code):  # every escaped pair and every $, in order
        i, pair = mark.start(), mark.group()
        if inline is None and pair == "\\[" and opened is None:
            opened = i
        elif inline is None and pair == "\\]" and opened is not None:
            body = code[opened + 2 : i]
            if "\\tag" not in body and "{split}" not in body:
                pieces += [code[last:opened], f"\\fzdisplay{{{body}}}"]
                last = i + 2
            opened = None
        elif pair == "$" and opened is None:
            if inline is None:
                inline = i
            else:
                body = code[inline + 1 : i]
                if len(body) > LONG_INLINE and not breakable(body):
                    pieces += [code[last:inline], f"\\fzinline{{{body}}}"]
                    last = i + 1
                inline = None
    return "".join(pieces) + code[last:]


_MATH_MARK_RE = re.compile(r"\\.|\$", re.S)


@dataclass
class CheatFit:
    """What TeX reported: the chosen size (pt), columns, pages, and how it got there."""

    size: float = 0.0
    columns: int = 0
    pages: int = 0
    target: int = 0
    trials: int = 0
    failed: bool = False
    needed: int = 0  # pages needed at the smallest size, when it failed
    leftover: bool = False
    reused: bool = False  # the pages are the kept columns of the trial at that size


def read_fit(log: str) -> CheatFit:
    fit = CheatFit()
    for line in log.splitlines():
        m = _RESULT_RE.match(line)
        if not m:
            continue
        kind = m.group(1)
        fields = {k: int(v) for k, v in _FIELD_RE.findall(line)}
        if kind == "leftover":
            fit.leftover = True
        elif kind == "fail":
            fit.failed, fit.size = True, fields["size"] / 10
            fit.needed, fit.target = fields["pages-needed"], fields["target"]
        elif kind == "size=":
            fit.size, fit.columns = fields["size"] / 10, fields["columns"]
            fit.pages, fit.target, fit.trials = fields["pages"], fields["target"], fields["trials"]
            fit.reused = fields.get("reused") == 1
    return fit


def _decipoints(size: float) -> int:
    return int(round(size * 10))


def _groups(ctx: RenderContext, cards: list[Card], rendered: dict[int, tuple[str, str]]) -> list[dict]:
    """Cards by section, a chunk break (see the template) before every CHUNK-th card."""
    groups: list[dict] = []
    for index, card in enumerate(cards):
        before = len(ctx.problems)
        if id(card) in rendered:
            question, answer = rendered[id(card)]
        else:
            question = render_question(ctx, card)
            ctx.card = card
            answer = render_blocks(ctx, list(card.front_tokens) + list(card.back_tokens))
        if len(ctx.problems) > before:  # the same box the flashcards show with --keep-going
            question = escape_text(card.question)
            answer = error_box(f"card #{card.number} cannot be built: {ctx.problems[before].message}")
        chunk = index > 0 and index % CHUNK == 0
        if not groups or groups[-1]["section"] != card.section:
            groups.append({"section": card.section, "items": [], "chunk": chunk})
            chunk = False
        groups[-1]["items"].append(dict(question=latex(question), answer=latex(compact_math(answer)),
                                        source=f"card {card.number} back line {card.line}", chunk=chunk))
    return groups


def cheatsheet_head(deck: Deck, opts: Options) -> str:
    """The main document up to what depends on the cards: TeX can start on it early."""
    geometry = sheet_geometry(opts)
    return render_template(
        "cheatsheet.tex.j2", part="head", language=deck.language, title=deck.title, version=__version__,
        date=sheet_date(deck), paper_w=geometry.paper_w, paper_h=geometry.paper_h, margin=geometry.margin,
        text_w=geometry.text_w, col_h=geometry.col_h, head_h=HEAD_H, head_sep=HEAD_SEP,
        min_size=_decipoints(opts.cheat_min_size), target=opts.pages or 1, auto=opts.pages is None,
        columns=opts.columns or 0, column_em=COLUMN_EM, aim=AIM, max_trials=MAX_TRIALS,
        body_file=latex(BODY_FILE))


def _compile(deck: Deck, cards: list[Card], opts: Options, body: str, images: dict[str, bytes],
             start: float, max_size: float, job: TexJob | None = None):
    """One pdflatex run; `job`, if given, has been started and given the head already."""
    body_bytes = body.encode("utf-8")
    keep = len(body_bytes) <= KEEP_BODY
    run = render_template(
        "cheatsheet.tex.j2", part="run", start=_decipoints(start), max_size=_decipoints(max_size),
        card_count=len(cards), keep_columns=KEEP_COLUMNS if keep else 0,
        reserve=math.ceil(len(body_bytes) * RESERVE_PER_BYTE / 1000) if keep else 0)
    job = job or start_pdflatex(jobname="cheatsheet", head=cheatsheet_head(deck, opts))
    job.add_files({**images, BODY_FILE: body_bytes})  # before the text that reads them
    job.write(run)
    try:
        return job.finish()
    except TexError as err:
        from builder.build import tex_problem

        # Content errors happen while the body file is read: find the card by its line there.
        where = re.search(re.escape(BODY_FILE) + r":(\d+):", err.log)
        err.source_marker = marker_before(body, int(where.group(1)) if where else line_using_file(body, err.message)) \
            or err.source_marker
        raise ContentError(tex_problem(err, deck, cards)) from None


def _page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _too_long(deck: Deck, cards: list[Card], opts: Options, fit: CheatFit) -> Problem:
    longest = sorted(cards, key=card_text_length, reverse=True)[:3]
    names = ", ".join(f'#{c.number} "{short(c.question, 40)}" ({card_text_length(c)} characters)' for c in longest)
    pages = f"{fit.target} page{'s' if fit.target != 1 else ''}"
    return Problem(f"the cheat sheet does not fit {pages} even at the smallest size {opts.cheat_min_size:g} pt: "
                   f"it needs {fit.needed} pages at that size; longest cards: {names}",
                   file=deck.display_path,
                   hint=f"use --pages {fit.needed}, select fewer cards (--section/--tag/--cards) "
                        "or allow smaller text (--cheat-min-size)")


def build_cheatsheet(deck: Deck, cards: list[Card], opts: Options,
                     rendered: dict[int, tuple[str, str]] | None = None,
                     images: dict[str, bytes] | None = None,
                     job: TexJob | None = None) -> tuple[bytes, str, str, list[Problem]]:
    """Returns (pdf, log, summary line, notes); raises ContentError when the cards cannot fit.

    `rendered` holds (question, answer) LaTeX by id(card) from the build's one rendering pass;
    cards missing from it (or every card, without it) are rendered here. `job`, if given, is
    pdflatex started early and given `cheatsheet_head` already: the first compile uses it.
    """
    try:
        return _build_cheatsheet(deck, cards, opts, rendered, images, job)
    finally:
        if job:
            job.cancel()  # finished, or unused because the build failed first


def _build_cheatsheet(deck, cards, opts, rendered, images, job):
    geometry = sheet_geometry(opts)
    ctx = RenderContext(deck_dir=deck.path.parent, display=deck.display_path)
    body = render_template("cheatsheet.tex.j2", part="body", groups=_groups(ctx, cards, rendered or {}))
    ctx.images.update(images or {})
    # Render problems (bad math, missing images) are reported by the flashcards build of the same
    # cards (which fails unless --keep-going); here they show as error boxes, reported once.
    target = opts.pages or 1
    text_length = sum(card_text_length(c) for c in cards)
    start = min(max(first_guess(geometry, text_length, target), opts.cheat_min_size), MAX_SIZE)
    max_size = max(MAX_SIZE, opts.cheat_min_size)

    result = _compile(deck, cards, opts, body, ctx.images, start, max_size, job)
    fit = read_fit(result.log)
    if fit.failed:
        raise ContentError(_too_long(deck, cards, opts, fit))
    if not fit.pages or fit.leftover or _page_count(result.pdf) != fit.pages:
        # The size search and the pages shipped disagree (never seen): try once a step smaller.
        smaller = max(opts.cheat_min_size, fit.size - 0.2)
        result = _compile(deck, cards, opts, body, ctx.images, smaller, smaller)
        fit = read_fit(result.log)
        if fit.failed or not fit.pages or _page_count(result.pdf) != fit.pages:
            raise FiszkiError("cheat sheet: TeX's page count does not match its fitting report "
                              "(a bug in fiszki; the .log shows the FISZKI CHEAT lines)")

    notes: list[Problem] = []
    plural = "s" if fit.pages != 1 else ""
    if opts.pages is None and fit.pages > 1:
        notes.append(Problem(f"the cheat sheet does not fit one page at the smallest size "
                             f"{opts.cheat_min_size:g} pt; it has {fit.pages} pages at {fit.size:g} pt",
                             file=deck.display_path, hint="choose the page count with --pages"))
    elif opts.pages and fit.pages < opts.pages:
        notes.append(Problem(f"--pages {opts.pages}: the cards fill only {fit.pages} page{plural} even at "
                             f"the largest size {max_size:g} pt", file=deck.display_path))
    summary = (f"{len(cards)} card{'s' if len(cards) != 1 else ''} on {fit.pages} page{plural} at "
               f"{fit.size:g} pt, {fit.columns} column{'s' if fit.columns != 1 else ''}")
    return result.pdf, result.log, summary, notes
