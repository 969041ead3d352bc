"""Which cards a build prints, and in what order: --cards, --section, --tag, --shuffle."""
from __future__ import annotations

import random
import re

from builder.deck import Card, Deck
from builder.errors import UsageError

_RANGE_RE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+))?\s*$")


def parse_card_ranges(spec: str, count: int) -> list[int]:
    numbers: dict[int, None] = {}  # in the order given, each once
    for part in spec.split(","):
        m = _RANGE_RE.match(part)
        if not m:
            raise UsageError(f"--cards: cannot read {part.strip()!r}; write e.g. 3-10,15")
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        if lo > hi or lo < 1 or hi > count:
            raise UsageError(f"--cards: {part.strip()} is outside 1-{count} (the deck has {count} cards)")
        numbers.update(dict.fromkeys(range(lo, hi + 1)))
    return list(numbers)


def select_cards(deck: Deck, opts) -> list[Card]:
    """The cards to print, keeping each card's deck number (#N) so a dropped card finds its place."""
    cards = deck.cards
    if opts.cards:
        wanted = parse_card_ranges(opts.cards, len(deck.cards))
        cards = [deck.cards[n - 1] for n in wanted]
    if opts.section:
        lowered = [s.lower() for s in opts.section]
        unknown = [s for s in opts.section if not any(s.lower() in sec.lower() for sec in deck.sections)]
        if unknown:
            raise UsageError(f"--section: no section matches {unknown[0]!r}; sections: "
                             + "; ".join(s for s in deck.sections if s))
        cards = [c for c in cards if any(s in c.section.lower() for s in lowered)]
    if opts.tag:
        cards = [c for c in cards if set(opts.tag) & set(c.tags)]
    if opts.shuffle:
        cards = list(cards)
        random.Random(opts.seed).shuffle(cards)
    if not cards:
        raise UsageError("the selection is empty: no card matches the --section/--tag/--cards given")
    return cards
