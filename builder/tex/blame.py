"""Which card a TeX error belongs to, told in the deck's terms; and what --keep-going does then."""
from __future__ import annotations

import re

from builder.deck import Card, Deck
from builder.errors import ContentError, Problem, TexError
from builder.tex.contract import marker_card, parse_key

_IMAGE_NAME_RE = re.compile(r"img-[0-9a-f]{16}\.\w+")  # how the renderer names the images it copies


def tex_problem(err: TexError, deck: Deck, cards: list[Card]) -> Problem:
    """Point a TeX error at its card: the side TeX said it was working on, else the source marker
    before the failing line."""
    number = parse_key(err.side)[0] if err.side else marker_card(err.source_marker)
    card = next((c for c in cards if c.number == number), None) if number is not None else None
    message = f"TeX cannot typeset this: {err.message}"
    if err.context and "\\fz" not in err.context:  # our own macros would mean nothing to the user
        message += f" (near: {err.context[:60]})"
    hint = None
    if _IMAGE_NAME_RE.search(message):  # a file we copied in under its content hash: name the user's
        sources = _image_sources(card) if card else []
        message = _IMAGE_NAME_RE.sub(" or ".join(f"'{s}'" for s in sources) or "an image", message)
        hint = "the image file is damaged: open it in an image program and save it again"
    if card:
        return Problem(message, file=deck.display_path, line=card.line, card_number=card.number,
                       question=card.question, hint=hint)
    return Problem(message, file=deck.display_path, hint=hint)


def _image_sources(card: Card) -> list[str]:
    tokens = [t for tok in card.question_tokens + card.front_tokens + card.back_tokens
              for t in [tok, *(tok.children or [])]]
    return list(dict.fromkeys(str(t.attrs.get("src", "")) for t in tokens if t.type == "image"))


def swap_or_stop(problem: Problem, swapped: list[Problem], keep_going: bool) -> Problem:
    """With --keep-going, a TeX problem pinned to a card is added to `swapped`, so the caller shows
    that card as an error box and compiles again; anything else (or a card that fails twice) ends
    the build."""
    repeated = any(p.card_number == problem.card_number for p in swapped)
    if not keep_going or problem.card_number is None or repeated:
        raise ContentError(swapped + [problem]) from None
    swapped.append(problem)
    return problem
