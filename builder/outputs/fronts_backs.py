"""The fronts-backs output: the duplex flashcards compiled once and taken apart into
flashcards-fronts.pdf and flashcards-backs.pdf, for a printer that prints one side at a time.

One compile makes both files, and their pages are the duplex PDF's own: every back is the page that
would have printed behind its front (back offset included). --reverse applies to the backs only:
the fronts are printed first, in order, and the stack that comes out is fed back for the backs.
"""
from __future__ import annotations

from builder.errors import ContentError, Problem, UsageError
from builder.flashcards.layout import file_stem
from builder.flashcards.onesided import split_sides
from builder.outputs.base import Result, Work
from builder.outputs.flashcards import Flashcards


class FrontsBacks(Flashcards):
    name, title = "fronts-backs", "fronts and backs"

    def __init__(self, deck, opts, cards):
        if opts.mode != "duplex":
            reason = (f"fronts-backs takes the fronts and the backs from the duplex layout; it does not go "
                      f"with mode {opts.mode}")
            if opts.origins.get("mode") == "front matter":
                raise ContentError(Problem(f"front matter 'mode': {reason}", file=deck.display_path,
                                           line=deck.option_lines.get("mode"),
                                           hint="build with --mode duplex, or without --make fronts-backs"))
            raise UsageError(f"--make {reason} (leave out --mode {opts.mode})")
        super().__init__(deck, opts.replace(reverse=False), cards)  # compiled in order; the backs are turned after
        self.reverse = opts.reverse

    def build(self, work: Work) -> Result:
        duplex = super().build(work)
        stem = file_stem("duplex")
        fronts, backs = split_sides(duplex.files[f"{stem}.pdf"], self.reverse)
        backs_name = f"{file_stem('backs')}.pdf"
        summary = (f"the fronts of {duplex.summary}; their backs in {backs_name}"
                   + (", last sheet first" if self.reverse else ""))
        return Result({f"{file_stem('fronts')}.pdf": fronts, backs_name: backs,
                       f"{stem}-fronts-backs.log": duplex.files[f"{stem}.log"]}, summary, duplex.warnings,
                      duplex.errors)


OUTPUT = FrontsBacks
