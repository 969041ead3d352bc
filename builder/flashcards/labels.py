"""What a card side and a sheet say besides the card itself: the '#N · section' label over each
side, and the margin note of each page, in the deck's language."""
from __future__ import annotations

from markdown_it.token import Token

from builder.deck import Card, Deck
from builder.errors import short
from builder.latex import escape_text
from builder.render import RenderContext, render_inline
from builder.tex.contract import LABEL_SEPARATOR, LABEL_SIZE


# The margin note of every page, in the deck's language ("arkusz 3/5 · przód · obracaj …").
WORDS = {
    "en": {"sheet": "sheet", "front": "front", "back": "back",
           "long": "flip on long edge", "short": "flip on short edge",
           "fold": "cut on the marks, fold on the dotted line"},
    "pl": {"sheet": "arkusz", "front": "przód", "back": "tył",
           "long": "obracaj wzdłuż dłuższej krawędzi", "short": "obracaj wzdłuż krótszej krawędzi",
           "fold": "wytnij wzdłuż znaczników, złóż na kropkowanej linii"},
}


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


def footer_text(deck: Deck, sheet: int, sheets: int, side: str, flip: str) -> str:
    words = WORDS["pl" if deck.meta.get("lang") == "pl" else "en"]
    how = words["fold"] if side == "fold" else f"{words[side]} · {words[flip]}"
    return f"{deck.title} · {words['sheet']} {sheet}/{sheets} · {how}"
