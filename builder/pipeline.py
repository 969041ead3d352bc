"""`fiszki build`: a deck → the requested outputs, each built, checked and written together.

The steps, the same for every output: read the deck and resolve its options; make each output
(which refuses options it cannot work with); give each TeX output's pdflatex, started earlier, its
document's head; render the selected cards once, as the first output asks for them; build each
output in a thread of its own (the next one's Python starts once the previous one's TeX has its
whole document) and check it as soon as it is built; then write every file of every output at once.
"""
from __future__ import annotations

import importlib
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from builder import cache
from builder.deck import Card, Deck, display_name, read_deck
from builder.errors import ContentError, FiszkiError, Problem
from builder.files import write_together
from builder.options import resolve
from builder.plots import prepare_plots
from builder.printers import profile_of
from builder.outputs import REGISTRY
from builder.outputs.base import Output, Result, Work
from builder.rendered import RenderedCards
from builder.selection import Selection, select
from builder.tex.run import TexJob, cancel_all, cancel_jobs, start_jobs
from builder.wanted import requested

Progress = Callable[[str], None]


@dataclass
class Written:
    name: str  # the output's name
    path: Path  # its main file
    summary: str  # one line for the user, e.g. "47 cards on 5 sheets"
    cached: bool = False


@dataclass
class BuildResult:
    deck: Deck | None  # None when the cache answered without reading the deck
    outputs: list[Written]
    warnings: list[Problem] = field(default_factory=list)
    summary: str = ""  # what was built from: "deck.md: 12 of 47 cards: tag quiz; in English (…)"


def build_deck(deck_path: Path, out_dir: Path, cli_options: dict, *, several: bool = False,
               use_cache: bool = True, keep_going: bool = False, progress: Progress = lambda s: None,
               names: list[str] | None = None, tex_jobs: dict[str, TexJob | None] | None = None) -> BuildResult:
    """Build the outputs `names` (default: those the cache does not hold) of one deck into out_dir.
    `tex_jobs`: `tex.run.start_jobs(names)` called by the caller, earlier (else here)."""
    prefix = f"{deck_path.stem}-" if several else ""
    wanted = requested(deck_path, cli_options)
    if names is None:
        names = cache.stale_outputs(deck_path, out_dir, cli_options, wanted, prefix) \
            if use_cache and not keep_going else wanted
    if not names:
        cancel_jobs((tex_jobs or {}).values())
        progress(f"{display_name(deck_path)}: unchanged, PDFs are up to date")
        return BuildResult(None, [Written(n, out_dir / f"{prefix}{n}.pdf", "unchanged", cached=True) for n in wanted])
    jobs = start_jobs(names) if tex_jobs is None else tex_jobs
    try:
        return _build(deck_path, out_dir, cli_options, prefix, names, jobs, keep_going, progress)
    finally:
        cancel_jobs(jobs.values())  # finished, or never used: either way no pdflatex is left waiting


def _build(deck_path: Path, out_dir: Path, cli_options: dict, prefix: str, names: list[str],
           jobs: dict[str, TexJob | None], keep_going: bool, progress: Progress) -> BuildResult:
    # From the bytes as they are before the build reads them: an edit meanwhile rebuilds next time.
    fingerprint = cache.deck_fingerprint(deck_path, cli_options)  # None: read_deck says what is wrong
    progress(f"{display_name(deck_path)}: reading the deck")
    deck = read_deck(deck_path)
    opts = resolve(deck, cli_options, profile_of(cli_options))
    names = [name for name in names if name in opts.make]  # as the front matter was read cheaply
    selection = select(deck, opts)
    cards = selection.cards
    prepare_plots(cards, progress)  # ```plot blocks checked, and compiled unless cached
    rendered = RenderedCards(deck, cards, keep_going)
    try:
        outputs = [load(name, deck, opts, cards) for name in names]
    except FiszkiError:  # options that cannot make an output: the deck's own problems are told first
        rendered.check(deck.warnings)
        raise
    tex_outputs = [o for o in outputs if REGISTRY[o.name].tex]
    if any(jobs.get(o.name) is None for o in tex_outputs):
        rendered.check(deck.warnings)  # no pdflatex: the deck's own problems are told first, then that
    for output in tex_outputs:
        if jobs.get(output.name):
            jobs[output.name].write(output.head())

    count = f"{len(cards)} card{'s' if len(cards) != 1 else ''}"
    titles = [o.title for o in outputs]
    listed = " and ".join([", ".join(titles[:-1]), titles[-1]] if len(titles) > 2 else titles)
    progress(f"{deck.display_path}: rendering and compiling {listed} ({count})")
    results, failures = _run(outputs, selection, rendered, jobs, keep_going,
                             lambda output, name: out_dir / _file_name(output, prefix, name), progress)
    rendered.check(deck.warnings)  # every output stopped on these: told once, as found
    if failures:
        problems = _unique([p for e in failures for p in getattr(e, "problems", [])])
        if problems:
            raise ContentError(problems, warnings=deck.warnings)
        raise failures[0]
    summary = deck_summary(deck.display_path, selection, deck.language, given=not deck.lang_detected)
    return _write(deck, out_dir, prefix, fingerprint, outputs, results, rendered, summary)


def load(name: str, deck: Deck, opts, cards: list[Card]) -> Output:
    """Output `name` made for this deck, its options and the selected cards (it may refuse them)."""
    return importlib.import_module(REGISTRY[name].module).OUTPUT(deck, opts, cards)


def deck_summary(display: str, selection: Selection, language: str, given: bool) -> str:
    """One line on what a build printed: which cards, and in which language (its hyphenation and
    the words on the sheets), saying so when the deck did not choose it with `lang:`."""
    chosen = "" if given else " (told from its text: the deck sets no lang:)"
    return f"{display}: {selection.describe()}; in {language.capitalize()}{chosen}"


def _run(outputs: list[Output], selection: Selection, rendered: RenderedCards, jobs: dict, keep_going: bool,
         place: Callable[[Output, str], Path], progress: Progress) -> tuple[dict[str, Result], list[FiszkiError]]:
    """Each output built and checked in a thread of its own; the next one's Python work starts once
    the one before has given TeX its whole document (the threads would only share one interpreter)."""
    sent = [threading.Event() for _ in outputs]

    def build_and_check(i: int) -> Result:
        output, job = outputs[i], jobs.get(outputs[i].name)
        try:
            if i:
                sent[i - 1].wait()
            cards = selection.cards_for(output.deck_order)
            result = output.build(Work(cards, rendered, keep_going, job, sent[i].set))
        finally:
            sent[i].set()
            if job:
                job.cancel()  # unused (the build failed first) or finished: either way, gone
        path = place(output, result.main[0])
        progress(f"checking {path.name}")
        output.check(result, path)
        return result

    failures: list[FiszkiError] = []
    results: dict[str, Result] = {}
    with ThreadPoolExecutor(max_workers=len(outputs)) as pool:
        futures = [pool.submit(build_and_check, i) for i in range(len(outputs))]
        try:
            for output, future in zip(outputs, futures):
                try:
                    results[output.name] = future.result()
                except FiszkiError as exc:
                    failures.append(exc)
        except KeyboardInterrupt:  # Ctrl-C: stop TeX, so the threads waiting on it end at once
            cancel_all()
            raise
    return results, failures


def _write(deck: Deck, out_dir: Path, prefix: str, fingerprint: str | None, outputs: list[Output],
           results: dict[str, Result], rendered: RenderedCards, summary: str) -> BuildResult:
    warnings = _unique(deck.warnings + [w for o in outputs for w in results[o.name].warnings])
    # Only with keep_going: the files show error boxes. In deck order, like every other report.
    errors = sorted(_unique(rendered.errors + [e for o in outputs for e in results[o.name].errors]),
                    key=lambda p: p.line or 0)
    files = {out_dir / _file_name(o, prefix, name): data for o in outputs for name, data in results[o.name].files.items()}
    reads = dict(rendered.ctx.reads)
    for o in outputs:
        reads.update(results[o.name].reads)
    try:
        write_together(files)  # every file of every output, or none of them
        if not errors and fingerprint:
            cache.remember(out_dir, {prefix + o.name: {_file_name(o, prefix, n): d for n, d in results[o.name].files.items()}
                                     for o in outputs}, fingerprint, reads)
    except OSError as exc:
        raise FiszkiError(f"cannot write to {out_dir}: {exc.strerror or exc}") from None
    written = [Written(o.name, out_dir / _file_name(o, prefix, results[o.name].main[0]), results[o.name].summary)
               for o in outputs]
    if errors:
        raise ContentError(errors, warnings=warnings, written=[str(w.path) for w in written])
    return BuildResult(deck, written, warnings, summary)


def _file_name(output: Output, prefix: str, name: str) -> str:
    """A file's name in the output folder: after the deck's name when a run builds several decks,
    unless the output names its files after the deck already."""
    return name if output.names_deck else prefix + name


def _unique(problems: list[Problem]) -> list[Problem]:
    """The same problem found by several outputs is told once."""
    seen: set[str] = set()
    return [p for p in problems if not (str(p) in seen or seen.add(str(p)))]
