"""Flashcard sheets: decide pages, card sides and marks (pure Python), then hand them to the template."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from pathlib import Path

from builder import __version__
from builder.deck import Card, Deck, _blocks
from builder.errors import short
from builder.geometry import MM, Rect, SheetLayout, plan_sheet
from builder.latex import latex, render_template
from builder.options import Options
from builder.render import RenderContext, render_blocks, render_question

FRONT_START = 13.0  # pt: questions start large
BACK_START = 10.0  # pt: answers start at a comfortable reading size
PAD = 3 * MM  # safe area inside each card edge: text never enters it
LABEL_H = 7.0  # pt: the "#N · section" line and its gap
MARK_LEN = 4 * MM
MARK_GAP = 1 * MM  # crop marks start this far from the card grid, never touching a card
MARK_THICK = 0.3
DASH, DASH_GAP = 2 * MM, 1.5 * MM

FLIP_WORDS = {"long": "flip on long edge", "short": "flip on short edge"}


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
        part = f"p{self.card.part[0]}" if self.card.part and self.card.part[0] > 1 else ""
        return f"{self.card.number}{part}-{self.side}"


def card_label(card: Card) -> str:
    part = f" ({card.part[0]}/{card.part[1]})" if card.part else ""
    section = f" · {short(card.section, 40)}" if card.section else ""
    return f"#{card.number}{part}{section}"


def render_sides(cards: list[Card], ctx: RenderContext) -> dict[str, tuple[str, str]]:
    """LaTeX for each card's front and back, keyed by card key prefix."""
    bodies = {}
    for card in cards:
        question = render_question(ctx, card)
        front = f"{{\\bfseries {question}\\par}}"
        if card.front_tokens:
            front += "\\medskip " + render_blocks(ctx, card.front_tokens)
        ctx.card = card
        back = render_blocks(ctx, card.back_tokens)
        bodies[id(card)] = (front, back)
    return bodies


def split_card(card: Card, parts: int) -> list[Card]:
    """Spread an answer's top-level blocks over `parts` cards marked (1/n) … (n/n)."""
    blocks = _blocks(card.back_tokens)
    parts = max(1, min(parts, len(blocks)))
    per = math.ceil(len(blocks) / parts)
    chunks = [blocks[i : i + per] for i in range(0, len(blocks), per)]
    return [
        replace(card, back_tokens=[t for b in chunk for t in b], part=(i + 1, len(chunks)))
        for i, chunk in enumerate(chunks)
    ]


def _marks(layout: SheetLayout, back: bool) -> list[dict]:
    """Crop marks in the margin at every cut line, outside the card grid."""
    xs, ys = layout.back_cut_positions() if back else layout.cut_positions()
    left, right, bottom, top = xs[0], xs[-1], ys[0], ys[-1]
    marks = []

    def add(x, y, w, h):
        marks.append(dict(x=x, y=y, w=w, h=h, name=latex(f"cutmark-{len(marks) + 1}")))

    # Room between the grid and each page edge, less the gap; a mark shorter than 1 pt is left out.
    below, above = bottom - MARK_GAP, layout.paper_h - top - MARK_GAP
    before, after = left - MARK_GAP, layout.paper_w - right - MARK_GAP
    for x in xs:
        if min(MARK_LEN, below - 1) > 1:
            length = min(MARK_LEN, below - 1)
            add(x - MARK_THICK / 2, bottom - MARK_GAP - length, MARK_THICK, length)
        if min(MARK_LEN, above - 1) > 1:
            add(x - MARK_THICK / 2, top + MARK_GAP, MARK_THICK, min(MARK_LEN, above - 1))
    for y in ys:
        if min(MARK_LEN, before - 1) > 1:
            length = min(MARK_LEN, before - 1)
            add(left - MARK_GAP - length, y - MARK_THICK / 2, length, MARK_THICK)
        if min(MARK_LEN, after - 1) > 1:
            add(right + MARK_GAP, y - MARK_THICK / 2, min(MARK_LEN, after - 1), MARK_THICK)
    return marks


def _dashes(layout: SheetLayout, back: bool) -> list[dict]:
    """Dashed cut lines across the whole page along every cut position."""
    xs, ys = layout.back_cut_positions() if back else layout.cut_positions()
    out = []
    for x in xs:
        y = 0.0
        while y < layout.paper_h:
            out.append(dict(x=x - MARK_THICK / 2, y=y, w=MARK_THICK, h=min(DASH, layout.paper_h - y)))
            y += DASH + DASH_GAP
    for y in ys:
        x = 0.0
        while x < layout.paper_w:
            out.append(dict(x=x, y=y - MARK_THICK / 2, w=min(DASH, layout.paper_w - x), h=MARK_THICK))
            x += DASH + DASH_GAP
    return out


def _footer(layout: SheetLayout, back: bool, text: str) -> tuple[float, float]:
    """Between the first two cut lines under the grid: clear of crop marks and cards."""
    xs, ys = layout.back_cut_positions() if back else layout.cut_positions()
    x = (xs[0] + xs[1]) / 2
    y = max(1.5 * MM, ys[0] / 2 - 2.5)
    return x, y


def plan_layout(opts: Options) -> SheetLayout:
    return plan_sheet(opts.paper_size, opts.card_size, opts.margin_pt, opts.gutter_pt,
                      grid=opts.grid_rc, flip=opts.flip, back_offset=opts.offset_pt)


def build_pages(deck: Deck, cards: list[Card], layout: SheetLayout, opts: Options,
                bodies: dict, starts: dict[str, float]) -> list[dict]:
    per = layout.per_sheet
    sheets = math.ceil(len(cards) / per)
    inner_w = layout.card_w - 2 * PAD
    inner_h = layout.card_h - 2 * PAD - LABEL_H
    pages = []
    for sheet in range(sheets):
        chunk = cards[sheet * per : (sheet + 1) * per]
        for side in ("front", "back"):
            back = side == "back"
            sides = []
            for slot, card in enumerate(chunk):
                rect = layout.back_rect(slot) if back else layout.front_rect(slot)
                front_body, back_body = bodies[id(card)]
                spec = SideSpec(card, side, rect, back_body if back else front_body,
                                BACK_START if back else FRONT_START, opts.min_size)
                start = min(starts.get(spec.key, spec.start), spec.start)
                sides.append(dict(
                    source=f"card {card.number} {side} line {card.line}",
                    log_name=latex(spec.key), name=latex(f"card-{spec.key}"), x=rect.x, y=rect.y, w=rect.w, h=rect.h,
                    body=latex(spec.body), centre=not back, start=max(start, opts.min_size), min=opts.min_size,
                    inner_w=inner_w, inner_h=inner_h, pad=PAD,
                    note=f'#{card.number} "{card.question}"', label=card_label(card),
                ))
            label = f"{sheet + 1}-{side}"
            footer = f"{deck.title} · sheet {sheet + 1}/{sheets} · {side} · {FLIP_WORDS[layout.flip]}"
            fx, fy = _footer(layout, back, footer)
            pages.append(dict(
                label=label, sides=sides, footer=footer, footer_x=fx, footer_y=fy,
                marks=_marks(layout, back) if opts.cut_marks == "crop" else [],
                dashes=_dashes(layout, back) if opts.cut_marks == "dashed" else [],
            ))
    return pages


def flashcards_tex(deck: Deck, cards: list[Card], layout: SheetLayout, opts: Options, bodies: dict,
                   starts: dict[str, float]) -> str:
    pages = build_pages(deck, cards, layout, opts, bodies, starts)
    return render_template(
        "flashcards.tex.j2",
        language=deck.language, title=deck.title, version=__version__,
        paper_w=layout.paper_w, paper_h=layout.paper_h, margin=layout.margin,
        back_offset=layout.back_offset, flip=layout.flip, mode=opts.mode,
        card_count=len(cards), side_count=2 * len(cards), pages=pages,
    )


# --- reading the fit results back from the log -------------------------------------------------

_FIT_RE = re.compile(r"^FISZKI (TRY|FIT|OVERFLOW) (\S+) ([\d.]+)pt(?: ([\d.]+)pt)?")
_OVERFULL_RE = re.compile(r"^Overfull \\hbox \(([\d.]+)pt too wide\)")


@dataclass
class FitReport:
    sizes: dict[str, float]  # side key → final size (pt)
    overflow: dict[str, tuple[float, float]]  # side key → (needed, available) height in pt
    too_wide: dict[str, float]  # side key → how far the widest line sticks out at the final size


def read_fit(log: str) -> FitReport:
    sizes, overflow, too_wide = {}, {}, {}
    current = None
    for line in log.splitlines():
        m = _FIT_RE.match(line)
        if m:
            kind, key = m.group(1), m.group(2)
            if kind == "TRY":
                current = key
                too_wide.pop(key, None)  # only the last attempt counts
            elif kind == "FIT":
                sizes[key] = float(m.group(3))
                current = None
            else:
                overflow[key] = (float(m.group(3)), float(m.group(4)))
            continue
        w = _OVERFULL_RE.match(line)
        if w and current and float(w.group(1)) > 0.5:
            too_wide[current] = max(too_wide.get(current, 0.0), float(w.group(1)))
    return FitReport(sizes, overflow, too_wide)
