"""The paper's orientation, when --orientation is not given: the one that needs the fewest sheets
(in fold mode, with the pair arrangement that goes with it); and what the summary says about it.
Also the options a print mode ignores, told rather than dropped silently.
"""
from __future__ import annotations

import math
from typing import Callable

from builder.errors import Problem
from builder.geometry import GeometryError, SheetLayout, parse_paper
from builder.options import Options

ORIENTATIONS = ("portrait", "landscape")  # portrait first: it wins a tie

Plan = Callable[[Options], SheetLayout]


def oriented(opts: Options, orientation: str) -> Options:
    return opts.replace(orientation=orientation, paper_size=parse_paper(opts.paper, orientation))


def _fixed(opts: Options) -> str | None:
    """The orientation the options fix: given, or portrait for a back offset (the calibration sheet
    measures it on portrait paper unless told otherwise, and it turns with the paper)."""
    if opts.orientation:
        return opts.orientation
    if opts.mode != "fold" and tuple(opts.offset_pt) != (0.0, 0.0):
        return "portrait"
    return None


def _candidates(opts: Options, plan: Plan) -> dict[str, SheetLayout | GeometryError]:
    found: dict[str, SheetLayout | GeometryError] = {}
    for orientation in ORIENTATIONS:
        try:
            found[orientation] = plan(oriented(opts, orientation))
        except GeometryError as exc:
            found[orientation] = exc
    return found


def choose_layout(opts: Options, plan: Plan, cards: int | None = None) -> SheetLayout:
    """`plan` in the fixed orientation, or in the one needing the fewest sheets for `cards` cards
    (without a count: holding the most a sheet); portrait on a tie."""
    fixed = _fixed(opts)
    if fixed:
        return plan(oriented(opts, fixed))
    found = _candidates(opts, plan)
    layouts = [lay for lay in found.values() if isinstance(lay, SheetLayout)]
    if not layouts:
        raise found["portrait"]
    # min keeps the first of equals: portrait
    return min(layouts, key=lambda lay: (_sheets(lay, cards), 0 if cards else -lay.per_sheet))


def _sheets(layout: SheetLayout, cards: int | None) -> int:
    return math.ceil(cards / layout.per_sheet) if cards else 0


def orientation_note(opts: Options, plan: Plan, layout: SheetLayout, cards: int) -> str:
    """For the build summary, when fiszki chose the orientation and the other one would take a
    different number of sheets: " on landscape paper; portrait would take 16 sheets"; when a back
    offset kept portrait although landscape takes fewer, that too."""
    if opts.orientation:
        return ""
    other = "landscape" if layout.orientation == "portrait" else "portrait"
    try:
        alternative = _sheets(plan(oriented(opts, other)), cards)
    except GeometryError:
        alternative = None
    mine = _sheets(layout, cards)
    if _fixed(opts):
        if alternative is None or alternative >= mine:
            return ""
        return (f" on portrait paper, as the --back-offset was measured; {other} would take {alternative} "
                f"sheets (--orientation {other}, calibrated so)")
    if alternative == mine:
        return ""
    return f" on {layout.orientation} paper; {other} " + (
        "does not fit the cards" if alternative is None else f"would take {alternative} sheet{'s' * (alternative != 1)}")


def ignored_options(opts: Options, display: str, lines: dict[str, int]) -> list[Problem]:
    """Warnings for options given on the command line or in the front matter that the print mode
    ignores: --mode fold prints every card on one side, so no flip edge or back offset applies.
    (A printer profile's values are about the printer, not this build: they pass quietly.)"""
    if opts.mode != "fold":
        return []
    notes = []
    for name, ignored, what in (("flip", opts.flip != "long", f"--flip {opts.flip}"),
                                ("back_offset", tuple(opts.offset_pt) != (0.0, 0.0), f"--back-offset {opts.back_offset}")):
        where = opts.origins.get(name)
        if ignored and where in ("command line", "front matter"):
            notes.append(Problem(f"{what} (from the {where}) does not apply to --mode fold and is ignored: fold "
                                 "pages are printed on one side", file=display,
                                 line=lines.get(name) if where == "front matter" else None,
                                 hint="leave it out, or print double-sided with --mode duplex"))
    return notes
