"""What a deck may hold: limits far beyond any real deck, so that a hostile one ends with a
message naming its line instead of exhausting memory or TeX.
"""
from __future__ import annotations

from builder.errors import ContentError, Problem

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
