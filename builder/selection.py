"""Which cards a build prints, and in what order.

    --section NAME       the cards of section NAME: its whole name in any case, or the start of
                         it when that starts one section name only (repeat: of any of them)
    --tag A --tag B      cards with tag A or tag B (also --tag A,B)
    --tag A+B            cards with both tags
    --not-tag C          no card with tag C (--not-tag C+D: none with both)
    --cards 3-10,15      these card numbers, in this order
    --shuffle --seed N   the flashcards in shuffled order

Everything given must hold (section AND tags AND not-tags AND numbers). A deck's front matter
selects only under keys that say so (select_section, select_tag, select_not_tag, select_cards);
a tag or section the deck does not have is an error listing those it has, and every message says
where the value came from. Outputs that print in the deck's order (the cheat sheet, by section)
get the selected cards in that order, whatever order the flashcards have.
"""
from __future__ import annotations

import difflib
import random
import re
from dataclasses import dataclass
from typing import Callable

from builder.deck import Card, Deck
from builder.errors import ContentError, Problem, UsageError
from builder.options import KEY_OF

_RANGE_RE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+))?\s*$")
_NEGATIONS = "!-~^"  # how other tools write "not": a tag starting with one is probably meant so
_LISTED = 30  # known tags or sections named in one message


class SelectionError(UsageError):
    """What is wrong with the command line's selection, every problem at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def summary(self) -> str:
        n = len(self.problems)
        return f"{n} problem{'s' if n != 1 else ''} with the selection; nothing in the output folder was changed"


@dataclass
class Criterion:
    """One thing the selection asks, as the summary says it, and where it was asked."""

    words: str  # "tag quiz+exam or review"
    origin: str  # "command line", "deck.md:4 front matter"
    keeps: Callable[[Card], bool]
    line: int | None = None  # of the front matter that asked it

    def __str__(self) -> str:
        return self.words if self.origin == "command line" else f"{self.words} ({self.origin})"


@dataclass
class Selection:
    cards: list[Card]  # in the order the flashcards print them
    total: int  # cards in the deck
    criteria: list[Criterion]
    seed: int | None = None  # shuffled with this seed

    def cards_for(self, deck_order: bool) -> list[Card]:
        """The cards as an output prints them: in the deck's order, or in the selection's."""
        return sorted(self.cards, key=lambda c: c.number) if deck_order else self.cards

    def describe(self) -> str:
        """'12 of 47 cards: tag quiz; shuffled (seed 0)'."""
        n = len(self.cards)
        text = f"{n} card{'s' if n != 1 else ''}"
        if self.criteria:
            text = f"{n} of {self.total} cards: " + ", ".join(str(c) for c in self.criteria)
        return text + (f"; shuffled (seed {self.seed})" if self.seed is not None else "")


def parse_card_ranges(spec: str, count: int) -> list[int]:
    """Card numbers from '3-10,15', in the order given, each once; ValueError saying what is wrong."""
    numbers: dict[int, None] = {}
    for part in spec.split(","):
        m = _RANGE_RE.match(part)
        if not m:
            raise ValueError(f"cannot read {part.strip()!r}; write e.g. 3-10,15")
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        if lo > hi or lo < 1 or hi > count:
            raise ValueError(f"{part.strip()} is outside 1-{count} (the deck has {count} cards)")
        numbers.update(dict.fromkeys(range(lo, hi + 1)))
    return list(numbers)


class _Asked:
    """The selection options of one build, each with its origin; problems collected, not raised."""

    def __init__(self, deck: Deck, opts):
        self.deck, self.opts = deck, opts
        self.problems: list[tuple[str, Problem]] = []  # (origin, problem)

    def criterion(self, name: str, words: str, keeps: Callable[[Card], bool]) -> Criterion:
        where = self.opts.origins.get(name, "command line")
        if where == "front matter":
            line = self.deck.option_lines.get(name)
            return Criterion(words, f"{self.deck.display_path}:{line} front matter", keeps, line)
        return Criterion(words, where, keeps)

    def problem(self, name: str, message: str, hint: str | None = None) -> None:
        where = self.opts.origins.get(name, "command line")
        if where == "front matter":
            self.problems.append((where, Problem(f"front matter '{KEY_OF[name]}': {message}", hint=hint,
                                                 file=self.deck.display_path, line=self.deck.option_lines.get(name))))
        else:
            flag = "--" + name.replace("_", "-")
            self.problems.append((where, Problem(f"{flag}: {message}", file=self.deck.display_path, hint=hint)))

    def raise_problems(self) -> None:
        if not self.problems:
            return
        problems = [p for _, p in self.problems]
        if any(where == "front matter" for where, _ in self.problems):
            raise ContentError(problems)
        raise SelectionError(problems)


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:_LISTED])
    return shown + (f" … ({len(names)} in all)" if len(names) > _LISTED else "")


def _normal(name: str) -> str:
    return " ".join(name.casefold().split())


def _sections(asked: _Asked) -> Criterion | None:
    values = asked.opts.section
    if not values:
        return None
    named = list(dict.fromkeys(s for s in asked.deck.sections if s))
    chosen: list[str] = []
    for value in values:
        wanted = _normal(value)
        exact = [s for s in named if _normal(s) == wanted]
        starting = [s for s in named if _normal(s).startswith(wanted)] if wanted else []
        if exact or len(starting) == 1:
            chosen += [s for s in exact or starting if s not in chosen]
        elif starting:
            asked.problem("section", f"'{value}' starts more than one section: {'; '.join(starting)}",
                          hint="write more of the name")
        else:
            close = difflib.get_close_matches(wanted, [_normal(s) for s in named], n=1)
            guess = next((f"did you mean '{s}'? " for s in named if close and _normal(s) == close[0]), "")
            asked.problem("section", f"the deck has no section '{value}'",
                          hint=f"{guess}its sections: {_listed(named) or 'none'}")
    keep = {_normal(s) for s in chosen}
    return asked.criterion("section", "section " + " or ".join(chosen), lambda c: _normal(c.section) in keep)


def _terms(asked: _Asked, name: str, known: dict[str, int]) -> list[tuple[str, ...]]:
    """`--tag quiz+exam --tag review` → [(quiz, exam), (review,)]; unknown tags become problems."""
    terms = []
    for value in getattr(asked.opts, name):
        for term in [value] if value in known else value.split(","):
            tags = (term.strip(),) if term.strip() in known else tuple(t.strip() for t in term.split("+"))
            if not all(tags):
                asked.problem(name, f"'{term.strip()}' has an empty tag", hint="join tags with +, as in quiz+exam")
                continue
            for tag in tags:
                if tag not in known:
                    _unknown_tag(asked, name, tag, known)
            terms.append(tags)
    return terms


def _unknown_tag(asked: _Asked, name: str, tag: str, known: dict[str, int]) -> None:
    if not known:
        asked.problem(name, f"the deck has no tags, so none is '{tag}'",
                      hint=f"tag a card by ending its question with {{.{tag}}}")
        return
    same = [k for k in known if k.casefold() == tag.casefold()]
    if same:
        asked.problem(name, f"the deck has no tag '{tag}', but has '{same[0]}' (tags match case too)")
        return
    listed = "its tags: " + _listed([f"{k} ({n})" for k, n in sorted(known.items())])
    if name == "tag" and tag[0] in _NEGATIONS and tag[1:] in known:
        where = "--not-tag" if asked.opts.origins.get(name) != "front matter" else "select_not_tag:"
        asked.problem(name, f"the deck has no tag '{tag}'", hint=f"to leave out the cards tagged '{tag[1:]}', "
                                                                 f"use {where} {tag[1:]}")
        return
    close = difflib.get_close_matches(tag, list(known), n=1)
    asked.problem(name, f"the deck has no tag '{tag}'", hint=(f"did you mean '{close[0]}'? " if close else "") + listed)


def _tags(asked: _Asked) -> list[Criterion]:
    known: dict[str, int] = {}
    for card in asked.deck.cards:
        for tag in dict.fromkeys(card.tags):
            known[tag] = known.get(tag, 0) + 1
    criteria = []
    for name, words, wanted in (("tag", "tag", True), ("not_tag", "without tag", False)):
        terms = _terms(asked, name, known)
        if terms:
            def keeps(card: Card, terms=terms, wanted=wanted) -> bool:
                return any(set(term) <= set(card.tags) for term in terms) == wanted

            criteria.append(asked.criterion(name, f"{words} " + " or ".join("+".join(t) for t in terms), keeps))
    return criteria


def _numbers(asked: _Asked) -> tuple[Criterion | None, list[int] | None]:
    spec = asked.opts.cards
    if not spec:
        return None, None
    try:
        numbers = parse_card_ranges(spec, len(asked.deck.cards))
    except ValueError as exc:
        asked.problem("cards", str(exc))
        return None, None
    wanted = set(numbers)
    return asked.criterion("cards", f"cards {spec.replace(' ', '')}", lambda c: c.number in wanted), numbers


def select(deck: Deck, opts) -> Selection:
    """The cards to print, each keeping its deck number (#N) so a dropped card finds its place."""
    asked = _Asked(deck, opts)
    numbers_asked, numbers = _numbers(asked)
    criteria = [c for c in (_sections(asked), *_tags(asked), numbers_asked) if c is not None]
    asked.raise_problems()
    cards = [deck.cards[n - 1] for n in numbers] if numbers else list(deck.cards)
    cards = [c for c in cards if all(criterion.keeps(c) for criterion in criteria)]
    if not cards:
        _empty(asked, criteria)
    if opts.shuffle:
        random.Random(opts.seed).shuffle(cards)
    return Selection(cards, len(deck.cards), criteria, opts.seed if opts.shuffle else None)


def select_cards(deck: Deck, opts) -> list[Card]:
    """The selected cards in print order (select's `cards`)."""
    return select(deck, opts).cards


def _empty(asked: _Asked, criteria: list[Criterion]) -> None:
    """No card left: say what each part of the selection keeps alone, and where it came from."""
    parts = []
    for criterion in criteria:
        n = sum(1 for c in asked.deck.cards if criterion.keeps(c))
        parts.append(f"{criterion.words} ({criterion.origin}: {n} card{'s' if n != 1 else ''})")
    message = "the selection is empty: no card matches " + " and ".join(parts) + (" together" if len(parts) > 1 else "")
    front = [c.line for c in criteria if c.line]
    if front:  # the deck asked for part of it: a problem of the deck, at the first line that asked
        raise ContentError(Problem(message, file=asked.deck.display_path, line=min(front)))
    raise UsageError(f"{asked.deck.display_path}: {message}")
