"""The flashcard sheet's layout: the card grid (geometry.plan_sheet), fold-over pairs, the size of
one card side, and the order pages are printed in, by mode."""
from __future__ import annotations

import math
from dataclasses import dataclass, fields

from builder.errors import GeometryError
from builder.flashcards.marks import MARK_THICK
from builder.flashcards.orientation import choose_layout
from builder.geometry import MM, Rect, SheetLayout, plan_sheet
from builder.options import Options
from builder.tex.contract import CLIP, LABEL_H, PAD


@dataclass(frozen=True)
class FoldLayout(SheetLayout):
    """--mode fold: a grid of question+answer pairs on single-sided pages. Each grid cell
    (card_w x card_h here) is one pair: the question, then its answer beside it (to the right)
    or under it, sharing the fold line, so folding the answer behind puts it upright behind
    the question (turn the card like a book page, or like a calendar when stacked)."""

    beside: bool = True

    @property
    def side_size(self) -> tuple[float, float]:
        return (self.card_w / 2, self.card_h) if self.beside else (self.card_w, self.card_h / 2)

    def halves(self, slot: int) -> tuple[Rect, Rect]:
        """(question, answer) of the pair in `slot`."""
        r = self.front_rect(slot)
        w, h = self.side_size
        if self.beside:
            return Rect(r.x, r.y, w, h), Rect(r.x + w, r.y, w, h)
        return Rect(r.x, r.y + h, w, h), Rect(r.x, r.y, w, h)

    def fold_line(self, slot: int) -> Rect:
        """The shared edge of the pair in `slot`, as a hairline-thin rectangle."""
        q, a = self.halves(slot)
        if self.beside:
            return Rect(a.x - MARK_THICK / 2, a.y, MARK_THICK, a.h)
        return Rect(q.x, q.y - MARK_THICK / 2, q.w, MARK_THICK)


def plan_fold(opts: Options) -> FoldLayout:
    """The most pairs per page: answers beside their questions, or under them; beside wins a tie.
    --grid counts pairs; --back-offset and --flip do not apply (nothing is printed on the back)."""
    cw, ch = opts.card_size
    best, error = None, None
    for beside, pair in ((True, (2 * cw, ch)), (False, (cw, 2 * ch))):
        try:
            lay = plan_sheet(opts.paper_size, pair, opts.margin_pt, opts.gutter_pt, grid=opts.grid_rc, flip="long")
        except GeometryError as exc:
            error = error or exc
            continue
        if best is None or lay.per_sheet > best.per_sheet:
            best = FoldLayout(**{f.name: getattr(lay, f.name) for f in fields(SheetLayout)}, beside=beside)
    if best is None:
        raise GeometryError(f"--mode fold prints each question with its answer beside or under it, and "
                            f"two {round(cw / MM, 2):g} x {round(ch / MM, 2):g} mm cards do not fit: {error}")
    return best


def side_size(layout: SheetLayout) -> tuple[float, float]:
    """The size of one card side: a grid cell, or half of one in fold mode."""
    return layout.side_size if isinstance(layout, FoldLayout) else (layout.card_w, layout.card_h)


def side_box(layout: SheetLayout, opts: Options) -> dict:
    """What every side of a document shares (pt): its size, padding, text area, smallest text size,
    and the rectangle a too-wide side is clipped to (x y w h from its corner)."""
    w, h = side_size(layout)
    return dict(w=w, h=h, pad=PAD, label_h=LABEL_H, inner_w=w - 2 * PAD, inner_h=h - 2 * PAD - LABEL_H, min=opts.min_size,
                clip=f"{CLIP:.3f} {CLIP:.3f} {w - 2 * CLIP:.3f} {h - 2 * CLIP:.3f}")


def plan_layout(opts: Options, cards: int | None = None) -> SheetLayout:
    """The sheet for `cards` cards: in the orientation given, or the one needing the fewest sheets."""
    if opts.bleed_pt < 0:
        raise GeometryError("--bleed must not be negative: it is how far backs' background reaches past the cut")
    return choose_layout(opts, plan_oriented, cards)


def plan_oriented(opts: Options) -> SheetLayout:
    """The sheet on `opts.paper_size` as it is turned."""
    if opts.mode == "fold":
        return plan_fold(opts)
    return plan_sheet(opts.paper_size, opts.card_size, opts.margin_pt, opts.gutter_pt,
                      grid=opts.grid_rc, flip=opts.flip, back_offset=opts.offset_pt)


def sheet_count(layout: SheetLayout, cards: int) -> int:
    """Sheets of paper for `cards` cards (or fold-over pairs)."""
    return math.ceil(cards / layout.per_sheet)


def file_stem(mode: str) -> str:
    """The flashcards' file name, by mode: the one-sided runs are named after their side, so the
    fronts and the backs built into one folder never replace each other."""
    return f"flashcards-{mode}" if mode in ("fronts", "backs") else "flashcards"


def print_order(sheets: int, opts: Options) -> list[tuple[int, str]]:
    """(sheet, side) of every page, in print order, for the mode: duplex (front, back, front, …),
    fronts or backs only (manual duplex), or fold (question beside answer, one side)."""
    wanted = {"duplex": ("front", "back"), "fronts": ("front",), "backs": ("back",), "fold": ("fold",)}[opts.mode]
    order = range(sheets - 1, -1, -1) if opts.reverse else range(sheets)  # --reverse: last sheet first
    return [(sheet, side) for sheet in order for side in wanted]
