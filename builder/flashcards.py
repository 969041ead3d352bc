"""Flashcard sheets: decide pages, card sides and marks (pure Python), then hand them to the template."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields, replace
from typing import Iterator

from markdown_it.token import Token

from builder import __version__
from builder.deck import Card, Deck, top_level_blocks
from builder.errors import Problem, short
from builder.geometry import MM, GeometryError, Rect, SheetLayout, plan_sheet
from builder.latex import bp, escape_text, latex, render_template, stream_template
from builder.options import Options
from builder.render import RenderContext, render_blocks, render_inline, render_question

FRONT_START = 13.0  # pt: questions start large
BACK_START = 10.0  # pt: answers start at a comfortable reading size
PAD = 3 * MM  # safe area inside each card edge: text never enters it
CLIP = 1 * MM  # a line too wide even at the minimum size is cut off this far inside the card edge
LABEL_SIZE = 6.0  # pt: the "#N · section" line, small but legible in print
# " · " between a label's parts: the template sets the dot once (a TS1 glyph, costly to select each time)
LABEL_SEPARATOR = r" \fzsep "
LABEL_H = 12.0  # pt: that line, its hairline and the gap under them
MARK_LEN = 4 * MM
MARK_GAP = 1 * MM  # crop marks start this far from the card grid, never touching a card
MARK_THICK = 0.3
DASH, DASH_GAP = 2 * MM, 1.5 * MM
DOT, DOT_GAP = 0.6 * MM, 0.9 * MM  # fold lines: finer than cut lines, so the two are not confused

# The margin note of every page, in the deck's language ("arkusz 3/5 · przód · obracaj …").
WORDS = {
    "en": {"sheet": "sheet", "front": "front", "back": "back",
           "long": "flip on long edge", "short": "flip on short edge",
           "fold": "cut on the marks, fold on the dotted line"},
    "pl": {"sheet": "arkusz", "front": "przód", "back": "tył",
           "long": "obracaj wzdłuż dłuższej krawędzi", "short": "obracaj wzdłuż krótszej krawędzi",
           "fold": "wytnij wzdłuż znaczników, złóż na kropkowanej linii"},
}


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
        return side_key(self.card, self.side)


def side_key(card: Card, side: str) -> str:
    """'12-back', or '12p2-back' for the second part of a split answer: log and annotation name."""
    part = f"p{card.part[0]}" if card.part and card.part[0] > 1 else ""
    return f"{card.number}{part}-{side}"


_KEY_RE = re.compile(r"^(\d+)(?:p(\d+))?-(front|back)$")


def parse_key(key: str) -> tuple[int, int, str]:
    """'12p2-back' → (12, 2, 'back')."""
    m = _KEY_RE.match(key)
    if not m:
        raise ValueError(f"not a card side key: {key!r}")
    return int(m.group(1)), int(m.group(2) or 1), m.group(3)


def card_label(card: Card, side: str, width: float, ctx: RenderContext) -> str:
    """LaTeX for '#7 · Section' on fronts; backs add the question, shortened, so a loose back
    still says what it answers.

    `width` (pt) bounds the length by an estimate of the label font's average glyph width; the
    template still shrinks a label that comes out wider.
    """
    chars = int(width / (0.5 * LABEL_SIZE))
    head = f"#{card.number}" + (f" ({card.part[0]}/{card.part[1]})" if card.part else "")
    section = short(card.section, max(12, min(40, chars - len(head) - 3))) if card.section else ""
    room = chars - len(head) - (len(section) + 3 if section else 0) - 3
    parts = [escape_text(head)] + ([escape_text(section)] if section else [])
    if side == "back" and room >= 12:
        ctx.card, ctx.line = card, card.line
        parts.append(render_inline(ctx, shorten_inline(card.question_tokens, room)))
    return LABEL_SEPARATOR.join(parts)


def shorten_inline(tokens: list[Token], chars: int) -> list[Token]:
    """Inline tokens cut to about `chars` characters of source, at a word, never inside math or
    code, with emphasis and links closed again, and "…" where something was left out."""
    out: list[Token] = []
    opened: list[Token] = []
    used = 0
    for tok in tokens:
        if tok.type in ("image", "link_open", "link_close"):
            continue  # a label has no room for pictures or addresses; a link's text stays
        if tok.nesting == 1:
            opened.append(tok)
        elif tok.nesting == -1 and opened:
            opened.pop()
        size = len(tok.content) if tok.nesting == 0 else 0
        if used + size > chars:
            if tok.type == "text":
                cut = tok.content[: chars - used].rsplit(" ", 1)[0].rstrip(" ,;:-–")
                out.append(tok.copy(content=cut + "…"))
            else:
                out.append(Token("text", "", 0, content="…"))
            out.extend(Token(t.type.replace("_open", "_close"), t.tag, -1) for t in reversed(opened))
            return out
        out.append(tok)
        used += size
    return out


def render_sides(cards: list[Card], ctx: RenderContext,
                 sheet: dict[int, tuple[str, str]] | None = None) -> dict[int, tuple[str, str]]:
    """LaTeX for each card's front and back, keyed by id(card).

    Rendering is the costly Python step of a build, so it happens once: when `sheet` is given, it
    also receives each card's (question, whole answer) for the cheat sheet.
    """
    bodies = {}
    for card in cards:
        question = render_question(ctx, card)
        extra = render_blocks(ctx, card.front_tokens) if card.front_tokens else ""
        front = f"{{\\bfseries {question}\\par}}" + (f"\\medskip {extra}" if extra else "")
        ctx.card = card
        back = render_blocks(ctx, card.back_tokens)
        bodies[id(card)] = (front, back)
        if sheet is not None:
            sheet[id(card)] = (question, extra + back)
    return bodies


# --- --overflow split: an answer continued on more cards -------------------------------------

# Words that end with a full stop without ending the sentence (Polish and English).
_ABBREVIATIONS = {"np", "tzw", "tj", "itd", "itp", "m.in", "e.g", "i.e", "etc", "cf", "vs", "ang", "por",
                  "zob", "wg", "ok", "dr", "prof", "nr", "ww", "jw", "r", "s", "str", "al", "fig", "eq"}
_END_RE = re.compile(r"[.!?…]+[\"')\]”»]*$")


def _ends_sentence(text: str) -> bool:
    text = text.rstrip()
    m = _END_RE.search(text)
    if not m:
        return False
    words = text[: m.start()].split()
    return not words or words[-1].lower().lstrip("(") not in _ABBREVIATIONS


def _starts_sentence(text: str) -> bool:
    text = text.lstrip()
    return bool(text) and (text[0].isupper() or text[0].isdigit() or text[0] in "„\"'(«")


def _first_text(children: list[Token]) -> str:
    """The visible text a run of inline tokens starts with ('' if it starts with math or code)."""
    for tok in children:
        if tok.type == "text":
            if tok.content.strip():
                return tok.content
        elif tok.nesting == 0 and tok.type not in ("softbreak", "hardbreak"):
            return ""
    return ""


def split_sentences(children: list[Token]) -> list[list[Token]]:
    """A paragraph's inline tokens cut at sentence ends outside emphasis, links and math."""
    pieces: list[list[Token]] = [[]]
    depth = 0
    for i, tok in enumerate(children):
        rest = children[i + 1 :]
        if depth == 0 and tok.type == "text":
            start = 0
            for m in re.finditer(r"\s+", tok.content):
                after = tok.content[m.end() :]
                if _ends_sentence(tok.content[: m.start()]) and _starts_sentence(after or _first_text(rest)):
                    pieces[-1].append(tok.copy(content=tok.content[start : m.start()]))
                    pieces.append([])
                    start = m.end()
            if tok.content[start:]:
                pieces[-1].append(tok.copy(content=tok.content[start:]))
        elif (depth == 0 and tok.type in ("softbreak", "hardbreak") and pieces[-1]
              and pieces[-1][-1].type == "text" and _ends_sentence(pieces[-1][-1].content)
              and _starts_sentence(_first_text(rest))):
            pieces.append([])
        else:
            pieces[-1].append(tok)
        depth += tok.nesting
    return [p for p in pieces if any(t.type != "text" or t.content.strip() for t in p)]


def _weight(tokens: list[Token]) -> float:
    """Rough printed size of some blocks, in characters of running text (for balancing parts)."""
    weight = 0.0
    for tok in tokens:
        if tok.type in ("inline", "html_block"):
            weight += len(tok.content) + 20  # + the line a paragraph or item starts
        elif tok.type in ("fence", "code_block"):
            weight += 50 * (tok.content.count("\n") + 1)
        elif tok.type == "math_block":
            weight += len(tok.content) + 100  # a display takes its own lines and gaps
        elif tok.type == "tr_open":
            weight += 50
    return weight


@dataclass
class _Piece:
    block: int  # index of the top-level answer block it comes from
    kind: str  # "block" (whole), "sentence" (inline tokens of part of a paragraph), "item" (list item)
    index: int  # the sentence's or item's position inside its block
    tokens: list[Token]
    weight: float


def _pieces(blocks: list[list[Token]], budget: float) -> list[_Piece]:
    """The answer in pieces no bigger than needed: paragraphs and lists over `budget` are cut
    into sentences and items; anything else stays whole."""
    pieces = []
    for b, block in enumerate(blocks):
        first = block[0]
        parts: list[tuple[str, list[Token]]] = []
        if _weight(block) > budget:
            if first.type == "paragraph_open" and len(block) == 3:
                parts = [("sentence", s) for s in split_sentences(block[1].children or [])]
            elif first.type in ("bullet_list_open", "ordered_list_open"):
                parts = [("item", item) for item in top_level_blocks(block[1:-1])]
        if len(parts) > 1:
            for i, (kind, tokens) in enumerate(parts):
                weight = _weight(tokens) if kind == "item" else sum(len(t.content) for t in tokens) + 4
                pieces.append(_Piece(b, kind, i, tokens, weight))
        else:
            pieces.append(_Piece(b, "block", 0, block, _weight(block)))
    return pieces


def _assemble(blocks: list[list[Token]], pieces: list[_Piece]) -> list[Token]:
    """Tokens for a run of pieces: neighbouring sentences or items of one block join up again."""
    out: list[Token] = []
    i = 0
    while i < len(pieces):
        j = i
        while j + 1 < len(pieces) and pieces[j + 1].block == pieces[i].block and pieces[i].kind != "block":
            j += 1
        run, block = pieces[i : j + 1], blocks[pieces[i].block]
        if run[0].kind == "block":
            out.extend(block)
        elif run[0].kind == "sentence":
            children: list[Token] = []
            for piece in run:
                if children:
                    children.append(Token("text", "", 0, content=" "))
                children.extend(piece.tokens)
            content = "".join(t.content if t.type != "softbreak" else " " for t in children)
            out.extend([block[0], block[1].copy(children=children, content=content), block[-1]])
        else:
            opening = block[0]
            if opening.type == "ordered_list_open":
                start = int(opening.attrs.get("start", 1) or 1) + run[0].index
                opening = opening.copy(attrs={**opening.attrs, "start": start})
            out.extend([opening, *(t for piece in run for t in piece.tokens), block[-1]])
        i = j + 1
    return out


def split_card(card: Card, parts: int) -> list[Card]:
    """Spread an answer over up to `parts` cards marked (1/n) … (n/n), balanced by length.

    Cuts between top-level blocks; a paragraph or list too big for one part is cut between its
    sentences or items. One sentence, formula, table or code block is never cut.
    """
    blocks = top_level_blocks(card.back_tokens)
    pieces = _pieces(blocks, sum(_weight(b) for b in blocks) / max(1, parts))
    target = sum(p.weight for p in pieces) / max(1, parts)
    chunks: list[list[_Piece]] = [[]]
    filled = 0.0
    for piece in pieces:
        # A piece goes to the next card when more than half of it would spill over this one's share.
        if chunks[-1] and filled + piece.weight / 2 > target and len(chunks) < parts:
            chunks.append([])
            filled = 0.0
        chunks[-1].append(piece)
        filled += piece.weight
    if len(chunks) == 1:
        return [replace(card, part=None)]
    return [replace(card, back_tokens=_assemble(blocks, chunk), part=(i + 1, len(chunks)))
            for i, chunk in enumerate(chunks)]


def split_overflowing(cards: list[Card], originals: dict[int, Card], overflow: dict[str, tuple[float, float]],
                      parts: dict[int, int]) -> list[Card] | None:
    """One round of --overflow split: each answer that overflows goes onto more cards.

    `parts` remembers how many cards each answer is on (updated here). Returns the new card list,
    or None when no overflowing answer can be cut any further.
    """
    wanted: dict[int, int] = {}
    for key, (need, avail) in overflow.items():
        number, _, side = parse_key(key)
        if side != "back":
            continue  # a question cannot be continued
        now = parts.get(number, 1)
        # This part needs need/avail of a card at the minimum size; leave a little slack.
        wanted[number] = max(wanted.get(number, 0), now + 1, math.ceil(now * need / avail * 1.1))
    new_parts: dict[int, list[Card]] = {}
    for number, count in wanted.items():
        split = split_card(originals[number], count)
        if len(split) > parts.get(number, 1):
            new_parts[number] = split
            parts[number] = len(split)
    if not new_parts:
        return None
    out: list[Card] = []
    for card in cards:
        if card.number in new_parts:
            if card.part is None or card.part[0] == 1:
                out.extend(new_parts[card.number])
        else:
            out.append(card)
    return out


def fit_problems(deck: Deck, cards: list[Card], report: FitReport, opts: Options) -> tuple[list[Problem], list[Problem]]:
    """What the fit report means for the user: (errors, warnings), one line each."""
    by_key = {side_key(c, s): c for c in cards for s in ("front", "back")}
    errors, warnings = [], []

    def problem(key: str, message: str, hint: str) -> Problem:
        card = by_key.get(key)
        number, _, side = parse_key(key)
        part = f" (part {card.part[0]}/{card.part[1]})" if card and card.part else ""
        return Problem(f"{side}{part} {message}", file=deck.display_path, line=card.line if card else None,
                       card_number=number, question=card.question if card else None, hint=hint)

    for key, (need, avail) in report.overflow.items():
        message = f"does not fit the card even at {opts.min_size:g} pt (needs {need / avail:.0%} of the space)"
        if key.endswith("front"):
            hint = "shorten the question or use a bigger --card (--overflow split continues answers only)"
        elif opts.overflow == "split":
            message += "; it cannot be split further: one sentence, list item, formula, table or code block is bigger than a card"
            hint = "shorten it or use a bigger --card"
        else:
            hint = "shorten the answer, use a bigger --card, or --overflow split"
        errors.append(problem(key, message, hint))
    for key, excess in report.too_wide.items():
        # Splitting cannot help a line; it is cut off at the card's edge so it never prints over
        # the neighbouring card, and the user is told.
        fate = "it runs into the card's margin" if excess < PAD - CLIP else "it is cut off at the card's edge"
        warnings.append(problem(key, f"has a line {excess:.1f} pt wider than the card's text area; {fate}",
                                "break the formula (aligned) or use a bigger --card"))
    return errors, warnings


# --- pages, marks and the margin note ---------------------------------------------------------

def _marks(layout: SheetLayout, back: bool) -> list[dict]:
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


def _footer(layout: SheetLayout, back: bool) -> tuple[float, float, float]:
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


def footer_text(deck: Deck, sheet: int, sheets: int, side: str, flip: str) -> str:
    words = WORDS["pl" if deck.meta.get("lang") == "pl" else "en"]
    how = words["fold"] if side == "fold" else f"{words[side]} · {words[flip]}"
    return f"{deck.title} · {words['sheet']} {sheet}/{sheets} · {how}"


# --- print modes: fold-over pairs and the backs' bleed ----------------------------------------

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
    return dict(w=w, h=h, pad=PAD, inner_w=w - 2 * PAD, inner_h=h - 2 * PAD - LABEL_H, min=opts.min_size,
                clip=f"{CLIP:.3f} {CLIP:.3f} {w - 2 * CLIP:.3f} {h - 2 * CLIP:.3f}")


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


def _folds(layout: FoldLayout, slots: int) -> tuple[list[dict], list[dict]]:
    """Dotted fold lines (finer than dashed cut lines) and one hidden annotation per line."""
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


# --- pages --------------------------------------------------------------------------------------

def plan_layout(opts: Options) -> SheetLayout:
    if opts.bleed_pt < 0:
        raise GeometryError("--bleed must not be negative: it is how far backs' background reaches past the cut")
    if opts.mode == "fold":
        return plan_fold(opts)
    return plan_sheet(opts.paper_size, opts.card_size, opts.margin_pt, opts.gutter_pt,
                      grid=opts.grid_rc, flip=opts.flip, back_offset=opts.offset_pt)


def print_order(sheets: int, opts: Options) -> list[tuple[int, str]]:
    """(sheet, side) of every page, in print order, for the mode: duplex (front, back, front, …),
    fronts or backs only (manual duplex), or fold (question beside answer, one side)."""
    wanted = {"duplex": ("front", "back"), "fronts": ("front",), "backs": ("back",), "fold": ("fold",)}[opts.mode]
    order = range(sheets - 1, -1, -1) if opts.reverse else range(sheets)  # --reverse: last sheet first
    return [(sheet, side) for sheet in order for side in wanted]


def build_pages(deck: Deck, cards: list[Card], layout: SheetLayout, opts: Options,
                bodies: dict, starts: dict[str, float]) -> Iterator[dict]:
    """Every page of the PDF in print order (`print_order`), each made when it is asked for, so
    TeX can typeset the first while the last are being made."""
    per = layout.per_sheet
    sheets = math.ceil(len(cards) / per)
    fold = isinstance(layout, FoldLayout)
    inner_w = side_box(layout, opts)["inner_w"]
    labels = RenderContext(deck_dir=deck.path.parent, display=deck.display_path)  # its warnings were told already

    def side_entry(card: Card, side: str, rect: Rect) -> dict:
        back = side == "back"
        front_body, back_body = bodies[id(card)]
        spec = SideSpec(card, side, rect, back_body if back else front_body,
                        BACK_START if back else FRONT_START, opts.min_size)
        start = min(starts.get(spec.key, spec.start), spec.start)
        # Every side has the document's one side size (the template sets it once): only what
        # differs is here, positions already in TeX's form (this runs for every side of the deck).
        return dict(
            source=f"card {card.number} {side} line {card.line}",
            log_name=latex(spec.key), name=latex(f"card-{spec.key}"), rect=rect,
            x=latex(bp(rect.x)), y=latex(bp(rect.y)), body=latex(spec.body), centre=not back,
            start=max(start, opts.min_size), label=latex(card_label(card, side, inner_w, labels)),
            back_key=spec.key if back else None,
        )

    def page(sheet: int, side: str, sides: list[dict], grid: list[Rect], area: Rect) -> dict:
        back = side == "back"
        fx, fy, fw = _footer(layout, back)
        bleeds = []
        if opts.bleed_pt > 0:
            for s in sides:
                if s["back_key"]:
                    r = bleed_rect(s["rect"], grid, area, opts.bleed_pt)
                    bleeds.append(dict(x=r.x, y=r.y, w=r.w, h=r.h, name=latex(f"bleed-{s['back_key']}")))
        return dict(
            label=f"{sheet + 1}-{side}", sides=sides, bleeds=bleeds, folds=[], fold_lines=[],
            footer=footer_text(deck, sheet + 1, sheets, side, layout.flip), footer_x=fx, footer_y=fy, footer_w=fw,
            marks=_marks(layout, back) if opts.cut_marks == "crop" else [],
            dashes=_dashes(layout, back) if opts.cut_marks == "dashed" else [],
        )

    front_area = layout.safe_area()
    back_area = front_area.shifted(*layout.back_offset)  # the printer's margin moves with its shift
    for sheet, side in print_order(sheets, opts):
        chunk = cards[sheet * per : (sheet + 1) * per]
        if fold:
            halves = [layout.halves(slot) for slot in range(per)]
            sides = [side_entry(card, half, rect) for slot, card in enumerate(chunk)
                     for half, rect in zip(("front", "back"), halves[slot])]
            p = page(sheet, "fold", sides, [r for pair in halves for r in pair], front_area)
            p["folds"], p["fold_lines"] = _folds(layout, len(chunk))
            yield p
        elif side == "front":
            yield page(sheet, "front", [side_entry(card, "front", layout.front_rect(slot))
                                        for slot, card in enumerate(chunk)], [], front_area)
        else:
            yield page(sheet, "back", [side_entry(card, "back", layout.back_rect(slot))
                                       for slot, card in enumerate(chunk)],
                       [layout.back_rect(s) for s in range(per)], back_area)


def flashcards_head(deck: Deck, layout: SheetLayout) -> str:
    """The document up to its first page: it needs no card, so TeX can start on it early."""
    return render_template("flashcards.tex.j2", part="head", language=deck.language, title=deck.title,
                           version=__version__, paper_w=layout.paper_w, paper_h=layout.paper_h,
                           label_size=LABEL_SIZE)


def flashcards_pages(deck: Deck, cards: list[Card], layout: SheetLayout, opts: Options, bodies: dict,
                     starts: dict[str, float]) -> Iterator[str]:
    """The sheets, and the records `fiszki check` reads, to the end of the document: in pieces,
    as they are written."""
    pages = build_pages(deck, cards, layout, opts, bodies, starts)
    labels = [f"{sheet + 1}-{side}" for sheet, side in print_order(math.ceil(len(cards) / layout.per_sheet), opts)]
    sides = {"duplex": 2, "fold": 2, "fronts": 1, "backs": 1}[opts.mode]
    return stream_template(
        "flashcards.tex.j2", part="pages", version=__version__, box=side_box(layout, opts),
        paper_w=layout.paper_w, paper_h=layout.paper_h, margin=layout.margin,
        back_offset=layout.back_offset, flip=layout.flip, mode=opts.mode, reverse=opts.reverse,
        bleed=opts.bleed_pt, fold=("beside" if layout.beside else "under") if isinstance(layout, FoldLayout) else None,
        card_count=len(cards), side_count=sides * len(cards), pages=pages, page_labels=labels,
        questions=[dict(number=card.number, text=card.question) for card in cards],
    )


# --- reading the fit results back from the log -------------------------------------------------

_FIT_RE = re.compile(r"^FISZKI (TRY|FIT|OVERFLOW|WIDE) (\S+)((?: [\d.]+pt)+)")
_OVERFULL_RE = re.compile(r"^Overfull \\hbox \(([\d.]+)pt too wide\)")


@dataclass
class FitReport:
    sizes: dict[str, float]  # side key → final size (pt)
    fill: dict[str, float]  # side key → share of the card's text area its text takes at that size
    overflow: dict[str, tuple[float, float]]  # side key → (needed, available) height in pt
    too_wide: dict[str, float]  # side key → how far the widest line sticks out at the final size


def read_fit(log: str) -> FitReport:
    """The in-TeX fit reports its result per side; TeX's own "Overfull \\hbox" lines after a side's
    last TRY catch a too-wide line the template's scan could not see."""
    sizes, fill, overflow, too_wide = {}, {}, {}, {}
    current = None
    for line in log.splitlines():
        m = _FIT_RE.match(line)
        if m:
            kind, key = m.group(1), m.group(2)
            numbers = [float(n) for n in m.group(3).replace("pt", "").split()]
            if kind == "TRY":
                current = key
                too_wide.pop(key, None)  # only the last attempt counts
            elif kind == "FIT":
                sizes[key] = numbers[0]
                if len(numbers) == 3:  # size, needed height, available height
                    fill[key] = numbers[1] / numbers[2]
                current = None
            elif kind == "WIDE":
                too_wide[key] = max(too_wide.get(key, 0.0), numbers[0])
            else:
                overflow[key] = (numbers[0], numbers[1])
            continue
        w = _OVERFULL_RE.match(line)
        if w and current and float(w.group(1)) > 0.5:
            too_wide[current] = max(too_wide.get(current, 0.0), float(w.group(1)))
    return FitReport(sizes, fill, overflow, too_wide)
