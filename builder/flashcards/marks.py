"""What is drawn around the cards: crop marks or dashed cut lines, fold lines, the backs' bleed,
and where the margin note goes. Pure geometry, in points from the page's bottom-left corner."""
from __future__ import annotations

from dataclasses import replace

from builder.geometry import MM, Rect, SheetLayout
from builder.latex import latex

MARK_LEN = 4 * MM
MARK_GAP = 1 * MM  # crop marks start this far from the card grid, never touching a card
MARK_THICK = 0.3
DASH, DASH_GAP = 2 * MM, 1.5 * MM
DOT, DOT_GAP = 0.6 * MM, 0.9 * MM  # fold lines: finer than cut lines, so the two are not confused


def crop_marks(layout: SheetLayout, back: bool) -> list[dict]:
    """Crop marks in the margin at every cut line, outside the card grid."""
    xs, ys = layout.back_cut_positions() if back else layout.cut_positions()
    left, right, bottom, top = xs[0], xs[-1], ys[0], ys[-1]
    marks = []

    def add(x, y, w, h):
        marks.append(dict(x=x, y=y, w=w, h=h))

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


def cut_lines(layout: SheetLayout, back: bool) -> list[dict]:
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


def footer_place(layout: SheetLayout, back: bool) -> tuple[float, float, float]:
    """Where the margin note goes: centred under the widest span between two cut lines, so it
    clears the crop marks, half-way between the grid and the paper edge. (x, baseline y, max width)

    On a back it is placed as with no offset and then moved by the offset like everything else
    on the page (kept on the paper), so the printer's shift puts it back where it belongs."""
    base = replace(layout, back_offset=(0.0, 0.0))
    xs, ys = base.back_cut_positions() if back else base.cut_positions()
    width, x = max(((b - a, (a + b) / 2) for a, b in zip(xs, xs[1:])), key=lambda s: (round(s[0], 1), -s[1]))
    y = max(1.5 * MM, ys[0] / 2 - 2)
    if back:
        x, y = x + layout.back_offset[0], max(1.5 * MM, y + layout.back_offset[1])
    return x, y, width - 2 * (MARK_GAP + MARK_THICK)


def bleed_rect(rect: Rect, others: list[Rect], area: Rect, bleed: float) -> Rect:
    """A back's background: the card grown by `bleed` past each edge so a slightly misregistered
    cut shows no white edge, but only half-way to a neighbouring card (not at all where cards
    touch) and never into the printer margin `area`."""
    room = [rect.x - area.x, area.right - rect.right, rect.y - area.y, area.top - rect.top]  # l r d u
    for o in others:
        if o == rect:
            continue
        if min(o.top, rect.top) - max(o.y, rect.y) > 1e-6:  # side by side
            if o.right <= rect.x + 1e-6:
                room[0] = min(room[0], (rect.x - o.right) / 2)
            elif o.x >= rect.right - 1e-6:
                room[1] = min(room[1], (o.x - rect.right) / 2)
        if min(o.right, rect.right) - max(o.x, rect.x) > 1e-6:  # one above the other
            if o.top <= rect.y + 1e-6:
                room[2] = min(room[2], (rect.y - o.top) / 2)
            elif o.y >= rect.top - 1e-6:
                room[3] = min(room[3], (o.y - rect.top) / 2)
    left, right, down, up = (max(0.0, min(bleed, r)) for r in room)
    return Rect(rect.x - left, rect.y - down, rect.w + left + right, rect.h + down + up)


def fold_lines(layout: SheetLayout, slots: int) -> tuple[list[dict], list[dict]]:
    """Dotted fold lines (finer than dashed cut lines) and one hidden annotation per line, for a
    fold layout (layout.FoldLayout, which gives each pair's fold_line)."""
    dots, lines = [], []
    for slot in range(slots):
        line = layout.fold_line(slot)
        lines.append(dict(x=line.x, y=line.y, w=line.w, h=line.h, name=latex(f"fold-{slot + 1}")))
        along = line.h if layout.beside else line.w
        pos = 0.0
        while pos < along:
            length = min(DOT, along - pos)
            if layout.beside:
                dots.append(dict(x=line.x, y=line.top - pos - length, w=line.w, h=length))
            else:
                dots.append(dict(x=line.x + pos, y=line.y, w=length, h=line.h))
            pos += DOT + DOT_GAP
    return dots, lines
