"""What a deck may hold: limits far beyond any real deck, so that a hostile one ends with a
message naming its line instead of exhausting memory or TeX.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from builder.errors import ContentError, Problem

if TYPE_CHECKING:
    from builder.deck import Card

# The default deck's longest card is 830 characters; these keep TeX's dimensions and memory safe
# whatever a card says (a 200 kB line stopped TeX).
MAX_DECK_BYTES = 64 * 2**20  # a deck file: 60,000 cards of a few sentences are 21 MB
MAX_CARD_CHARS = 20_000  # a card, its heading to the next heading: some eight printed pages
MAX_CARD_LINES = 1_000  # lines of a card (TeX measures a side in points up to 16383: 5.8 m)
MAX_META_CHARS = 1_000  # a title, subtitle, author, course or date


def refuse_aliases(yaml_text: str, display: str) -> None:
    """A YAML alias (*name) repeats what its anchor (&name) holds: nested, a few hundred bytes
    of them expand to gigabytes ("billion laughs"). A front matter never needs one."""
    import yaml  # here: the cache reads this module's limits without the parser's imports

    for event in yaml.parse(yaml_text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise ContentError(Problem(f"front matter uses the YAML alias *{event.anchor}; fiszki does not "
                                       "read aliases", file=display, line=event.start_mark.line + 2,
                                       hint="write the value out in full"))


def too_long_cards(cards: list[Card], body: str, display: str) -> list[Problem]:
    """Cards longer than MAX_CARD_CHARS or MAX_CARD_LINES, from their heading to the next card's."""
    if len(body) <= MAX_CARD_CHARS and body.count("\n") <= MAX_CARD_LINES:
        return []
    starts = [0]
    for line in body.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    ends = [c.line for c in cards[1:]] + [len(starts)]
    problems = []
    for card, end in zip(cards, ends):
        size, lines = starts[end - 1] - starts[card.line - 1], end - card.line
        if size > MAX_CARD_CHARS or lines > MAX_CARD_LINES:
            what = f"{size:,} characters" if size > MAX_CARD_CHARS else f"{lines:,} lines"
            problems.append(Problem(f"the card is {what} long; fiszki takes cards of at most "
                                    f"{MAX_CARD_CHARS:,} characters and {MAX_CARD_LINES:,} lines", file=display,
                                    line=card.line, card_number=card.number, question=card.question,
                                    hint="split it into several cards"))
    return problems
