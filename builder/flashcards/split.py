"""--overflow split: an answer too long for one card continues on more cards, cut between blocks,
sentences or list items, balanced by length."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from markdown_it.token import Token

from builder.deck import Card, top_level_blocks
from builder.tex.contract import parse_key


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
    sentences or items. One sentence, formula, table, plot or code block is never cut.
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
