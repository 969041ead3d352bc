"""`fiszki build`: deck → checked PDFs in out/, replaced atomically, rebuilt only when changed."""
from __future__ import annotations

import math
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable

from builder.deck import Card, Deck, display_name, read_deck
from builder.errors import ContentError, FiszkiError, Problem
from builder.outputs import atomic_write, cached, fingerprint_of, output_paths, remember
from builder.options import Options, resolve
from builder.selection import select_cards
from builder.render import RenderContext, error_box
from builder.texrun import TexError, TexJob, TexResult, cancel_all, cancel_jobs, start_build_runs, start_pdflatex

Progress = Callable[[str], None]


@dataclass
class Output:
    kind: str  # "flashcards" | "cheatsheet"
    path: Path
    pdf: bytes
    log: str
    summary: str  # one line for the user, e.g. "47 cards on 5 sheets"
    cached: bool = False


@dataclass
class BuildResult:
    deck: Deck | None  # None when the cache answered without reading the deck
    outputs: list[Output]
    warnings: list[Problem] = field(default_factory=list)


def tex_problem(err: TexError, deck: Deck, cards: list[Card]) -> Problem:
    """Point a TeX error at its card through the `%% fiszki-source: card N side line L` markers."""
    marker = err.source_marker or ""
    parts = marker.split()
    card = None
    if len(parts) >= 2 and parts[0] == "card" and parts[1].isdigit():
        number = int(parts[1])
        card = next((c for c in cards if c.number == number), None)
    message = f"TeX cannot typeset this: {err.message}"
    if err.context and "\\fz" not in err.context:  # our own macros would mean nothing to the user
        message += f" (near: {err.context[:60]})"
    hint = None
    if _IMAGE_NAME_RE.search(message):  # a file we copied in under its content hash: name the user's
        sources = _image_sources(card) if card else []
        message = _IMAGE_NAME_RE.sub(" or ".join(f"'{s}'" for s in sources) or "an image", message)
        hint = "the image file is damaged: open it in an image program and save it again"
    if card:
        return Problem(message, file=deck.display_path, line=card.line, card_number=card.number,
                       question=card.question, hint=hint)
    return Problem(message, file=deck.display_path, hint=hint)


_IMAGE_NAME_RE = re.compile(r"img-[0-9a-f]{16}\.\w+")


def _image_sources(card: Card) -> list[str]:
    tokens = [t for tok in card.question_tokens + card.front_tokens + card.back_tokens
              for t in [tok, *(tok.children or [])]]
    return list(dict.fromkeys(str(t.attrs.get("src", "")) for t in tokens if t.type == "image"))


class Rendering:
    """Each card's front and back LaTeX (and, into `sheet`, its cheat-sheet form), with problems,
    made on demand in deck order: `bodies[id(card)]` renders every card up to that one. The
    flashcard pages ask for their cards as they are written, so TeX typesets the first sheets while
    later cards are still being rendered; `finish()` renders whatever is left."""

    def __init__(self, deck: Deck, cards: list[Card], keep_going: bool, sheet: dict | None = None):
        self.ctx = RenderContext(deck_dir=deck.path.parent, display=deck.display_path)
        self.cards, self.keep_going, self.sheet = cards, keep_going, sheet
        self.bodies = _RenderedBodies(self)
        self.errors: list[Problem] = []
        self.images: dict[str, bytes] = self.ctx.images  # filled as cards with pictures are rendered
        self.warnings: list[Problem] = self.ctx.warnings
        self._index = {id(card): i for i, card in enumerate(cards)}
        self._done = 0

    def upto(self, index: int) -> None:
        from builder.flashcards import render_sides

        while self._done <= index:
            card = self.cards[self._done]
            self._done += 1
            before = len(self.ctx.problems)
            self.bodies.update(render_sides([card], self.ctx, self.sheet))
            new = self.ctx.problems[before:]
            if new:
                self.errors.extend(new)
                if self.keep_going:
                    self.bodies[id(card)] = _error_sides(card, new[0])

    def finish(self) -> Rendering:
        self.upto(len(self.cards) - 1)
        return self

    def check(self, warnings: list[Problem] | None = None) -> None:
        """Render whatever is left; the content errors end the build (not with --keep-going, where
        their cards show error boxes)."""
        self.finish()
        if self.errors and not self.keep_going:
            raise ContentError(list(self.errors), warnings=warnings)


class _RenderedBodies(dict):
    def __init__(self, rendering: Rendering):
        super().__init__()
        self.rendering = rendering

    def __missing__(self, key: int) -> tuple[str, str]:
        self.rendering.upto(self.rendering._index[key])
        return dict.__getitem__(self, key)


def render_bodies(deck: Deck, cards: list[Card], keep_going: bool,
                  sheet: dict | None = None) -> tuple[dict, dict[str, bytes], list[Problem], list[Problem]]:
    """Every card rendered at once: (bodies, images, errors, warnings)."""
    r = Rendering(deck, cards, keep_going, sheet).finish()
    return dict(r.bodies), r.images, r.errors, r.warnings


def build_flashcards(deck: Deck, cards: list[Card], opts: Options, keep_going: bool, progress: Progress,
                     rendered: Rendering | None = None, job: TexJob | None = None,
                     sent: Callable[[], None] = lambda: None) -> tuple[bytes, str, str, list[Problem]]:
    """`job`, if given, is pdflatex already started and given the document's head: the first
    compile uses it; any further one (split cards, error boxes, a retry) starts afresh. `sent` is
    called once TeX has the first compile's whole document (or the build failed before)."""
    try:
        return _build_flashcards(deck, cards, opts, keep_going, rendered, job, sent)
    finally:
        sent()
        if job:
            job.cancel()  # unused (the build failed first) or finished: either way, gone


def _build_flashcards(deck, cards, opts, keep_going, rendered, job, sent):
    from builder import flashcards as fc

    layout = fc.plan_layout(opts)
    rendering = rendered or Rendering(deck, cards, keep_going)
    bodies, images, errors, warnings = rendering.bodies, rendering.images, rendering.errors, rendering.warnings

    def compile_pages(pages: Iterable[str]) -> TexResult:
        nonlocal job
        started, job = job or start_pdflatex(jobname="flashcards", head=fc.flashcards_head(deck, layout)), None
        try:
            given: set[str] = set()
            for piece in pages:  # TeX typesets the first sheets while later cards are rendered
                started.add_files({name: data for name, data in images.items() if name not in given})
                given.update(images)
                started.write(piece)
            rendering.check()  # content errors: TeX's work so far is thrown away
        except BaseException:
            started.cancel()
            raise
        sent()
        return started.finish()
    starts: dict[str, float] = {}
    originals = {c.number: c for c in cards}
    parts: dict[int, int] = {}  # --overflow split: how many cards each split answer is on
    for attempt in range(4):
        while True:  # with keep_going, each card TeX fails on becomes an error box; then again
            try:
                result = compile_pages(fc.flashcards_pages(deck, cards, layout, opts, bodies, starts))
                break
            except TexError as err:
                problem = _broken_card(tex_problem(err, deck, cards), errors, keep_going)
                for card in cards:
                    if card.number == problem.card_number:
                        bodies[id(card)] = _error_sides(card, problem)
        report = fc.read_fit(result.log)
        if attempt == 3:
            break
        if report.overflow and opts.overflow == "split":
            split = fc.split_overflowing(cards, originals, report.overflow, parts)
            if split is not None:
                # Bodies are keyed by id(card): keep those of cards still in use, render the new parts.
                kept = {id(c) for c in cards} & {id(c) for c in split}
                fresh = render_bodies(deck, [c for c in split if id(c) not in kept], keep_going)[0]
                bodies = {**{k: bodies[k] for k in kept}, **fresh}
                cards = split
                continue
        # Still too wide at the fitted size (the template's own width check missed a line): start
        # that side smaller and compile again.
        retry = {}
        for key, excess in report.too_wide.items():
            size = report.sizes.get(key, opts.min_size)
            if size > opts.min_size + 0.05:
                retry[key] = max(opts.min_size, size * fc_ratio(layout, excess) - 0.1)
        if retry:
            starts.update(retry)
            continue
        break
    problems, fit_warnings = fc.fit_problems(deck, cards, report, opts)
    warnings = warnings + fit_warnings
    if problems and not keep_going:
        raise ContentError(problems)
    if problems:  # keep_going: a card cut off at its edge would pass unnoticed; show the error instead
        for card in cards:
            problem = next((p for p in problems if p.card_number == card.number), None)
            if problem:
                bodies[id(card)] = _error_sides(card, problem)
        result = compile_pages(fc.flashcards_pages(deck, cards, layout, opts, bodies, starts))
        report = fc.read_fit(result.log)
    sheets = math.ceil(len(cards) / layout.per_sheet)
    smallest = min(report.sizes.values(), default=0)
    summary = f"{len(cards)} cards on {sheets} sheet{'s' if sheets != 1 else ''} ({layout.rows}×{layout.cols}), " \
              f"smallest text {smallest:.1f} pt"
    return result.pdf, result.log, summary, warnings, errors + problems


def _error_sides(card: Card, problem: Problem) -> tuple[str, str]:
    """Front and back of a card that cannot be built (--keep-going): the error, visibly."""
    box = error_box(f"card #{card.number} cannot be built: {problem.message}")
    return box, box


def _broken_card(problem: Problem, errors: list[Problem], keep_going: bool) -> Problem:
    """A TeX problem pinned to a card is added to `errors` so the caller can replace that card
    and compile again; anything else (or a card that fails twice) ends the build."""
    repeated = any(p.card_number == problem.card_number for p in errors)
    if not keep_going or problem.card_number is None or repeated:
        raise ContentError(errors + [problem]) from None
    errors.append(problem)
    return problem


def fc_ratio(layout, excess: float) -> float:
    from builder.flashcards import PAD, side_size

    inner = side_size(layout)[0] - 2 * PAD  # a card side: in fold mode a grid cell holds two
    return inner / (inner + excess)


def build_deck(deck_path: Path, out_dir: Path, cli_options: dict, *, several: bool = False,
               use_cache: bool = True, keep_going: bool = False, progress: Progress = lambda s: None,
               tex_runs: tuple[TexJob | None, TexJob | None] | None = None) -> BuildResult:
    """`tex_runs`: `start_build_runs()` called by the caller, earlier (else here)."""
    paths = output_paths(out_dir, deck_path.stem, several)
    try:
        fingerprint = fingerprint_of(deck_path, deck_path.read_bytes(), cli_options)
    except OSError:
        fingerprint = None  # read_deck says what is wrong with the file
    if use_cache and not keep_going and fingerprint and cached(out_dir, paths, fingerprint):
        cancel_jobs(tex_runs or ())
        progress(f"{display_name(deck_path)}: unchanged, PDFs are up to date")
        return BuildResult(None, [Output(k, p, b"", "", "unchanged", cached=True) for k, p in paths.items()], [])

    # Both pdflatex runs load their format, then their document's head, while the deck is parsed;
    # the pages follow as the cards are rendered.
    fc_job, cs_job = tex_runs or start_build_runs()
    try:
        progress(f"{display_name(deck_path)}: reading the deck")
        deck = read_deck(deck_path)
        opts = resolve(deck, dict(cli_options))
        _check_sheet_options(deck, opts, cli_options)
        cards = select_cards(deck, opts)

        # Rendered once for both documents, as the flashcard pages ask for the cards. Content errors
        # found without TeX (math, images, …) stop the build before any PDF is made.
        sheet: dict = {}
        count = f"{len(cards)} card{'s' if len(cards) != 1 else ''}"
        rendering = Rendering(deck, cards, keep_going, sheet)
        if not (fc_job and cs_job):  # no pdflatex: the deck's own problems are told first, then that
            rendering.check(deck.warnings)
        else:
            from builder.cheatsheet import cheatsheet_head
            from builder.flashcards import flashcards_head, plan_layout
            from builder.geometry import GeometryError

            try:
                layout = plan_layout(opts)
            except GeometryError:  # cards that cannot fit: the deck's own problems are told first
                rendering.check(deck.warnings)
                raise
            fc_job.write(flashcards_head(deck, layout))
            cs_job.write(cheatsheet_head(deck, opts))
    except BaseException:
        cancel_jobs((fc_job, cs_job))
        raise

    progress(f"{deck.display_path}: rendering and compiling flashcards and cheat sheet ({count})")
    # The flashcards take TeX longest: their pages are written first, and only then does the cheat
    # sheet's Python work begin (the two threads would only share one interpreter lock).
    fc_sent = threading.Event()
    with ThreadPoolExecutor(max_workers=2) as pool:
        # Each PDF is checked as soon as it is made: the first one's check runs while TeX still
        # works on the other.
        fc_future = pool.submit(_checked, paths["flashcards"], progress, build_flashcards,
                                deck, cards, opts, keep_going, progress, rendering, fc_job, fc_sent.set)
        cs_future = pool.submit(_checked, paths["cheatsheet"], progress, _after(fc_sent, _build_cheatsheet),
                                deck, cards, opts, keep_going, sheet, rendering, cs_job)
        failures: list[BaseException] = []
        results = {}
        try:
            for kind, fut in (("flashcards", fc_future), ("cheatsheet", cs_future)):
                try:
                    results[kind] = fut.result()
                except FiszkiError as exc:
                    failures.append(exc)
        except KeyboardInterrupt:  # Ctrl-C: stop TeX, so the threads waiting on it end at once
            cancel_all()
            raise
    rendering.check(deck.warnings)  # both documents stopped on these: told once, as found
    if failures:
        problems = _unique([p for e in failures for p in getattr(e, "problems", [])])
        if problems:
            raise ContentError(problems, warnings=deck.warnings)
        raise failures[0]
    fc_pdf, fc_log, fc_summary, fc_warnings, fc_errors = results["flashcards"]
    cs_pdf, cs_log, cs_summary, cs_notes, cs_errors = results["cheatsheet"]
    outputs = [Output("flashcards", paths["flashcards"], fc_pdf, fc_log, fc_summary),
               Output("cheatsheet", paths["cheatsheet"], cs_pdf, cs_log, cs_summary)]
    warnings = _unique(deck.warnings + fc_warnings + cs_notes)
    # Only with keep_going: the PDFs show error boxes. In deck order, like every other report.
    errors = sorted(_unique(fc_errors + cs_errors), key=lambda p: p.line or 0)
    try:
        # Logs first: even a failed step leaves the expert something to read.
        for o in outputs:
            atomic_write(o.path.with_suffix(".log"), o.log.encode("utf-8", errors="replace"))
        for o in outputs:
            atomic_write(o.path, o.pdf)
        if not errors and fingerprint:
            remember(out_dir, [(o.path, o.pdf) for o in outputs], fingerprint)
    except OSError as exc:
        raise FiszkiError(f"cannot write to {out_dir}: {exc.strerror or exc}") from None
    if errors:
        raise ContentError(errors, warnings=warnings, written=[str(o.path) for o in outputs])
    return BuildResult(deck, outputs, warnings)


def _after(event: threading.Event, work: Callable) -> Callable:
    def when_set(*args):
        event.wait()
        return work(*args)
    return when_set


def _checked(path: Path, progress: Progress, build: Callable, *args):
    """`build(*args)`, whose result starts with the PDF's bytes, once `fiszki check` passes it."""
    from builder.check import check_pdf

    result = build(*args)
    progress(f"checking {path.name}")
    report = check_pdf(result[0], source=str(path))
    if not report.ok:
        raise FiszkiError(f"{path}: the finished PDF failed its check, previous output kept:\n"
                          + "\n".join(report.lines()))
    return result


def _check_sheet_options(deck: Deck, opts: Options, cli_options: dict) -> None:
    """Cheat-sheet options that cannot work fail before any compile, naming where they came from."""
    from builder.cheatsheet import sheet_geometry
    from builder.errors import UsageError

    try:
        sheet_geometry(opts)
    except UsageError as exc:
        if "columns" in deck.options and not cli_options.get("columns"):
            reason = str(exc).split(": ", 1)[-1]
            raise ContentError(Problem(f"front matter 'columns': {reason}", file=deck.display_path,
                                       line=deck.option_lines.get("columns"))) from None
        raise


def _unique(problems: list[Problem]) -> list[Problem]:
    """The same problem found by both documents (flashcards and cheat sheet) is told once."""
    seen: set[str] = set()
    return [p for p in problems if not (str(p) in seen or seen.add(str(p)))]


def _error_card(card: Card, problem: Problem) -> Card:
    """A stand-in for a card TeX cannot typeset: its question, and the error as the answer."""
    from markdown_it.token import Token

    text = Token("text", "", 0, content=f"card #{card.number} cannot be built: {problem.message}")
    inline = Token("inline", "", 0, children=[Token("strong_open", "strong", 1), text,
                                              Token("strong_close", "strong", -1)])
    back = [Token("paragraph_open", "p", 1), inline, Token("paragraph_close", "p", -1)]
    return replace(card, question_tokens=[Token("text", "", 0, content=card.question)], front_tokens=[],
                   back_tokens=back)


def _build_cheatsheet(deck: Deck, cards: list[Card], opts: Options, keep_going: bool, sheet: dict | None = None,
                      rendering: Rendering | None = None, job: TexJob | None = None):
    """`job`: pdflatex started early with the head (see build_cheatsheet), for the first compile.
    `rendering` (with `sheet` its cheat-sheet forms) is complete once the flashcards have their
    pages; its content errors end this build too."""
    from builder.cheatsheet import build_cheatsheet

    images = None
    if rendering:
        try:
            rendering.check()  # rendered already, unless the flashcards stopped before every card
        except ContentError:
            if job:
                job.cancel()
            raise
        images = rendering.images
    errors: list[Problem] = []
    while True:  # with keep_going, each card TeX fails on is replaced by its error; then again
        try:
            first, job = job, None
            return (*build_cheatsheet(deck, cards, opts, sheet, images, first), errors)
        except TexError as err:
            problem = _broken_card(tex_problem(err, deck, cards), errors, keep_going)
        except ContentError as exc:  # the cheat sheet maps its TeX errors to cards itself
            if len(exc.problems) != 1:
                raise
            problem = _broken_card(exc.problems[0], errors, keep_going)
        cards = [_error_card(c, problem) if c.number == problem.card_number else c for c in cards]
