"""The outputs a build can make: REGISTRY lists them in the order a build starts them.

Each output is a class in a module of its own, with the interface of base.Output. The pipeline
loops over the requested ones and knows none of them by name: adding an output is a module and a
line here. This module is data only: the command line reads it before it imports the parser or
Jinja, and the option table reads the names of the outputs from it.
"""
from __future__ import annotations

from typing import NamedTuple


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
