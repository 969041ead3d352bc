"""The flashcard document: every page in print order, each side with its body, label and place,
streamed to the template as TeX asks for it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from builder import __version__
from builder.deck import Card, Deck
from builder.flashcards.labels import card_label, footer_text
from builder.flashcards.layout import FoldLayout, print_order, sheet_count, side_box
from builder.flashcards.marks import cut_lines, fold_lines, footer_place, crop_marks, bleed_rect
from builder.geometry import Rect, SheetLayout
from builder.latex import bp, latex, pdf_text_string, render_template, stream_template
from builder.render import RenderContext
from builder.tex.limits import safe_start
from builder.options import Options
from builder.tex.contract import (BACK_START, FRONT_START, KIND_FLASHCARDS, LABEL_SIZE, MARKER_PREFIX,
                                  QUESTIONS_FILE, card_name, side_key, source)


@dataclass
class SideSpec:
    """One printed card side: where it goes, what it says, how to fit it."""

    card: Card
    side: str  # "front" | "back"
    rect: Rect
    body: str
    start: float
    min: float

    @property
    def key(self) -> str:
        return side_key_of(self.card, self.side)


def side_key_of(card: Card, side: str) -> str:
    """The name of a card's side in the log and (as card-KEY) in the PDF: '12-back', '12p2-back'."""
    return side_key(card.number, card.part[0] if card.part else None, side)


def build_pages(deck: Deck, cards: list[Card], layout: SheetLayout, opts: Options,
                bodies: dict, starts: dict[str, float]) -> Iterator[dict]:
    """Every page of the PDF in print order (`print_order`), each made when it is asked for, so
    TeX can typeset the first while the last are being made."""
    pages = _PageMaker(deck, cards, layout, opts, bodies, starts)
    for sheet, side in print_order(pages.sheets, opts):
        yield pages.sheet_side(sheet, side)


class _PageMaker:
    """The pages of one document as the template takes them: each side's body, label and place;
    each page's marks, bleeds and footer."""

    def __init__(self, deck: Deck, cards: list[Card], layout: SheetLayout, opts: Options,
                 bodies: dict, starts: dict[str, float]):
        self.deck, self.cards, self.layout, self.opts = deck, cards, layout, opts
        self.bodies, self.starts = bodies, starts
        self.sheets = sheet_count(layout, len(cards))
        self.inner_w = side_box(layout, opts)["inner_w"]
        # The labels are rendered in a context of their own: its warnings were told already.
        self.labels = RenderContext(deck_dir=deck.path.parent, display=deck.display_path)
        self.labels.in_cell = True  # a label is one line, as a table cell is: display math set inline
        self.front_area = layout.safe_area()
        self.back_area = self.front_area.shifted(*layout.back_offset)  # the printer's margin moves with its shift

    def sheet_side(self, sheet: int, side: str) -> dict:
        """The page of one side of a sheet; a fold-over sheet has one, with both sides of its cards."""
        layout, per = self.layout, self.layout.per_sheet
        chunk = self.cards[sheet * per : (sheet + 1) * per]
        if isinstance(layout, FoldLayout):
            halves = [layout.halves(slot) for slot in range(per)]
            sides = [self.side(card, half, rect) for slot, card in enumerate(chunk)
                     for half, rect in zip(("front", "back"), halves[slot])]
            page = self.page(sheet, "fold", sides, [r for pair in halves for r in pair], self.front_area)
            page["folds"], page["fold_lines"] = fold_lines(layout, len(chunk))
            return page
        if side == "front":
            return self.page(sheet, "front", [self.side(card, "front", layout.front_rect(slot))
                                              for slot, card in enumerate(chunk)], [], self.front_area)
        return self.page(sheet, "back", [self.side(card, "back", layout.back_rect(slot))
                                         for slot, card in enumerate(chunk)],
                         [layout.back_rect(s) for s in range(per)], self.back_area)

    def side(self, card: Card, side: str, rect: Rect) -> dict:
        """One side of a card: its body, label and place, and the size TeX starts fitting it at."""
        opts, back = self.opts, side == "back"
        front_body, back_body = self.bodies[id(card)]
        spec = SideSpec(card, side, rect, back_body if back else front_body,
                        BACK_START if back else FRONT_START, opts.min_size)
        start = max(min(self.starts.get(spec.key, spec.start), spec.start), opts.min_size)
        # Every side has the document's one side size (the template sets it once): only what
        # differs is here, positions already in TeX's form (this runs for every side of the deck).
        return dict(
            marker=latex(MARKER_PREFIX + source(card.number, side, card.line)),
            log_name=latex(spec.key), name=latex(card_name(spec.key)), rect=rect,
            x=latex(bp(rect.x)), y=latex(bp(rect.y)), body=latex(spec.body), centre=not back,
            start=safe_start(spec.body, self.inner_w, start),
            label=latex(card_label(card, side, self.inner_w, self.labels)),
            back_key=spec.key if back else None,
        )

    def page(self, sheet: int, side: str, sides: list[dict], grid: list[Rect], area: Rect) -> dict:
        """A page of those sides, with the backs' bleeds (half-way to `grid`'s other cards at most, inside
        `area`), the cut marks and the footer."""
        layout, opts, back = self.layout, self.opts, side == "back"
        fx, fy, fw = footer_place(layout, back)
        bleeds = []
        if opts.bleed_pt > 0:
            for s in sides:
                if s["back_key"]:
                    r = bleed_rect(s["rect"], grid, area, opts.bleed_pt)
                    bleeds.append(dict(x=r.x, y=r.y, w=r.w, h=r.h, name=latex(f"bleed-{s['back_key']}")))
        return dict(
            label=f"{sheet + 1}-{side}", sides=sides, bleeds=bleeds, folds=[], fold_lines=[],
            footer=footer_text(self.deck, sheet + 1, self.sheets, side, layout.flip),
            footer_x=fx, footer_y=fy, footer_w=fw,
            marks=crop_marks(layout, back) if opts.cut_marks == "crop" else [],
            dashes=cut_lines(layout, back) if opts.cut_marks == "dashed" else [],
        )


def flashcards_head(deck: Deck, layout: SheetLayout) -> str:
    """The document up to its first page: it needs no card, so TeX can start on it early."""
    return render_template("flashcards.tex.j2", part="head", language=deck.language, title=deck.title,
                           version=__version__, paper_w=layout.paper_w, paper_h=layout.paper_h,
                           label_size=LABEL_SIZE)


def questions_record(cards: list[Card]) -> bytes:
    """What the PDF's /Questions stream holds: [number text …], each text a PDF string, one a line."""
    entries = "\n".join(f"{card.number} {pdf_text_string(card.question)}" for card in cards)
    return f"[{entries}]\n".encode("ascii")


def flashcards_pages(deck: Deck, cards: list[Card], layout: SheetLayout, opts: Options, bodies: dict,
                     starts: dict[str, float]) -> Iterator[str]:
    """The sheets, and the records `fiszki check` reads, to the end of the document: in pieces,
    as they are written."""
    pages = build_pages(deck, cards, layout, opts, bodies, starts)
    labels = [f"{sheet + 1}-{side}" for sheet, side in print_order(sheet_count(layout, len(cards)), opts)]
    sides = {"duplex": 2, "fold": 2, "fronts": 1, "backs": 1}[opts.mode]
    return stream_template(
        "flashcards.tex.j2", part="pages", kind=KIND_FLASHCARDS, version=__version__, box=side_box(layout, opts),
        paper_w=layout.paper_w, paper_h=layout.paper_h, margin=layout.margin,
        back_offset=layout.back_offset, flip=layout.flip, mode=opts.mode, reverse=opts.reverse,
        bleed=opts.bleed_pt, fold=("beside" if layout.beside else "under") if isinstance(layout, FoldLayout) else None,
        card_count=len(cards), side_count=sides * len(cards), pages=pages, page_labels=labels,
        questions_file=latex(QUESTIONS_FILE),
    )
