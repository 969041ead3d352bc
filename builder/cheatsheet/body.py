"""The cheat sheet's body: every card as a run-in question and its answer, by section, with math
made to stay inside its column."""
from __future__ import annotations

from typing import Callable

from builder.cheatsheet.layout import CHUNK
from builder.deck import Card
from builder.displays import compact_math
from builder.latex import error_box, escape_text, latex
from builder.render import RenderContext, render_blocks, render_question
from builder.tex.contract import MARKER_PREFIX, source


# Answers that start with these run on from the question (a display sits beside it when there is
# room); others start under the question, kept with it (\fzcardblock).
RUN_IN = ("paragraph_open", "math_block")


def groups(ctx: RenderContext, cards: list[Card], rendered: Callable[[Card], tuple[str, str] | None]) -> list[dict]:
    """Cards by section, a chunk break (see the template) before every CHUNK-th card. `rendered`
    gives a card's (question, answer) LaTeX from the build's one rendering, or None: then it is
    rendered here (stand-ins for cards TeX could not typeset)."""
    groups: list[dict] = []
    for index, card in enumerate(cards):
        before = len(ctx.problems)
        found = rendered(card)
        if found:
            question, answer = found
        else:
            question = render_question(ctx, card)
            ctx.card = card
            answer = render_blocks(ctx, list(card.front_tokens) + list(card.back_tokens))
        if len(ctx.problems) > before:  # the same box the flashcards show with --keep-going
            question = escape_text(card.question)
            answer = error_box(f"card #{card.number} cannot be built: {ctx.problems[before].message}")
        chunk = index > 0 and index % CHUNK == 0
        if not groups or groups[-1]["section"] != card.section:
            groups.append({"section": card.section, "items": [], "chunk": chunk})
            chunk = False
        first = (list(card.front_tokens) + list(card.back_tokens) or [None])[0]
        groups[-1]["items"].append(dict(question=latex(question), answer=latex(compact_math(answer)),
                                        marker=latex(MARKER_PREFIX + source(card.number, "back", card.line)),
                                        chunk=chunk, block=getattr(first, "type", "") not in RUN_IN))
    return groups
