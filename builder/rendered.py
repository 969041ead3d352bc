"""Each selected card's LaTeX, rendered once for all TeX outputs, in deck order, as they ask for it.

Rendering is the costly Python step of a build. The flashcard pages ask for their cards as they are
written, so TeX typesets the first sheets while later cards are still being rendered; any other
output then finds every card rendered already.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

from builder.deck import Card, Deck
from builder.displays import compact_math
from builder.errors import ContentError, Problem
from builder.latex import error_box
from builder.render import RenderContext, render_blocks, render_question


@dataclass
class CardTex:
    """One card as LaTeX: its question (inline), the extra front under it, and the answer."""

    question: str
    extra: str  # blocks on the front, before a '?' line ("" for most cards)
    back: str
    problems: list[Problem] = field(default_factory=list)  # errors found while rendering it

    def sides(self) -> tuple[str, str]:
        """(front, back) of a flashcard: the question in bold, then any extra front."""
        front = f"{{\\bfseries {self.question}\\par}}" + (f"\\medskip {self.extra}" if self.extra else "")
        return compact_math(front), compact_math(self.back)  # formulas too wide: in lines, or shrunk

    def run_in(self) -> tuple[str, str]:
        """(question, answer) as the cheat sheet sets them: everything after the question is answer."""
        return self.question, self.extra + self.back


def error_sides(card: Card, problem: Problem) -> tuple[str, str]:
    """Front and back of a card that cannot be built (--keep-going): the error, visibly."""
    box = error_box(f"card #{card.number} cannot be built: {problem.message}")
    return box, box


def render_card(ctx: RenderContext, card: Card) -> CardTex:
    before = len(ctx.problems)
    question = render_question(ctx, card)
    extra = render_blocks(ctx, card.front_tokens) if card.front_tokens else ""
    ctx.card = card
    back = render_blocks(ctx, card.back_tokens)
    return CardTex(question, extra, back, ctx.problems[before:])


class RenderedCards:
    """`rendered[card]` is that card's CardTex; asking for a card renders every card up to it.
    `errors` and `warnings` collect what rendering found, `images` the files the cards use."""

    def __init__(self, deck: Deck, cards: list[Card], keep_going: bool):
        self.ctx = RenderContext(deck_dir=deck.path.parent, display=deck.display_path)
        self.cards, self.keep_going = cards, keep_going
        self.errors: list[Problem] = []
        self.images: dict[str, bytes] = self.ctx.images  # filled as cards with pictures are rendered
        self.warnings: list[Problem] = self.ctx.warnings
        self._index = {id(card): i for i, card in enumerate(cards)}
        self._tex: dict[int, CardTex] = {}
        self._lock = threading.RLock()  # outputs run in threads of their own

    def __contains__(self, card: Card) -> bool:
        return id(card) in self._index

    def __getitem__(self, card: Card) -> CardTex:
        found = self._tex.get(id(card))
        if found is None:
            self.upto(self._index[id(card)])
            found = self._tex[id(card)]
        return found

    def upto(self, index: int) -> None:
        with self._lock:
            while len(self._tex) <= index:
                card = self.cards[len(self._tex)]
                tex = render_card(self.ctx, card)
                self._tex[id(card)] = tex
                self.errors.extend(tex.problems)

    def finish(self) -> RenderedCards:
        self.upto(len(self.cards) - 1)
        return self

    def check(self, warnings: list[Problem] | None = None) -> None:
        """Render whatever is left; the content errors end the build (not with --keep-going, where
        their cards show error boxes)."""
        self.finish()
        if self.errors and not self.keep_going:
            raise ContentError(list(self.errors), warnings=warnings)
