"""The outputs a build can make: REGISTRY lists them in the order a build starts them.

Each output is a class in a module of its own, with the interface of base.Output. The pipeline
loops over the requested ones and knows none of them by name: adding an output is a module and a
line here. This module stays light: the command line reads it before it imports the parser or Jinja.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from pathlib import Path

    from builder.deck import Card, Deck
    from builder.outputs.base import Output
    from builder.tex.run import TexJob


class Entry(NamedTuple):
    module: str  # holds OUTPUT, the Output class
    tex: bool  # runs pdflatex: the pipeline starts it before the deck is parsed (False: no TeX at all)
    nice: int = 0  # > 0: its TeX gives the cores to the outputs before it (a run with time to spare)
    makes: str = ""  # what it writes, for --help


REGISTRY: dict[str, Entry] = {
    "flashcards": Entry("builder.outputs.flashcards", tex=True, makes="flashcards.pdf, double-sided sheets"),
    "cheatsheet": Entry("builder.outputs.cheatsheet", tex=True, nice=10, makes="cheatsheet.pdf"),
    "fronts-backs": Entry("builder.outputs.fronts_backs", tex=True,
                          makes="flashcards-fronts.pdf and flashcards-backs.pdf, for a one-sided printer"),
    "study": Entry("builder.outputs.study", tex=True, nice=10, makes="study.pdf, to revise on a screen"),
    "anki": Entry("builder.outputs.anki", tex=False, makes="DECKNAME.apkg, an Anki package"),
}
DEFAULT = ("flashcards", "cheatsheet")


def requested(deck_path: Path, cli_options: dict) -> list[str]:
    """The outputs a build of this deck makes, in the registry's order: --make, else the deck's
    `make:` (its front matter alone, read without the Markdown parser), else DEFAULT. A bad --make
    is a UsageError here; a bad `make:` is told with its line when the deck is read."""
    from builder.options import coerce

    if cli_options.get("make"):
        try:
            names = coerce("make", cli_options["make"])
        except ValueError as exc:
            from builder.errors import UsageError

            raise UsageError(f"--make: {exc}") from None
    else:
        from builder.decklimits import MAX_DECK_BYTES
        from builder.files import UnreadableFile, read_regular
        from builder.frontmatter import front_matter_value

        try:
            written = front_matter_value(read_regular(deck_path, MAX_DECK_BYTES), "make")
            names = DEFAULT if written is None else coerce("make", written)
        except (UnreadableFile, ValueError, TypeError):
            names = DEFAULT  # reading the deck says what is wrong, with its line
    return [name for name in REGISTRY if name in names]


def load(name: str, deck: Deck, opts, cards: list[Card]) -> Output:
    return importlib.import_module(REGISTRY[name].module).OUTPUT(deck, opts, cards)


def start_tex(names: list[str]) -> dict[str, TexJob | None]:
    """pdflatex for each output that needs it, started at once: each loads its format while Python
    imports its parser and templates. Without pdflatex, none: the build says so when a compile is
    due, after the deck's own problems."""
    from builder.errors import ToolchainError
    from builder.tex.run import cancel_jobs, start_pdflatex

    jobs: dict[str, TexJob | None] = {}
    try:
        for name in names:
            if REGISTRY[name].tex:
                jobs[name] = start_pdflatex(jobname=name, nice=REGISTRY[name].nice)
    except ToolchainError:
        cancel_jobs(jobs.values())
        return {}
    except BaseException:  # Ctrl-C just now: the caller never gets these to cancel
        cancel_jobs(jobs.values())
        raise
    return jobs
