"""Build options: defaults, the deck's front matter, then the command line; and card selection."""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field, fields, replace

from builder import geometry
from builder.deck import Card, Deck
from builder.errors import ContentError, Problem, UsageError

CHOICES = {
    "orientation": ("portrait", "landscape"),
    "flip": ("long", "short"),
    "overflow": ("fail", "split"),
    "cut_marks": ("crop", "dashed", "none"),
    "mode": ("duplex", "fold", "fronts", "backs"),
}


@dataclass
class Options:
    paper: str = "a4"
    orientation: str = "portrait"
    card: str = geometry.DEFAULT_CARD
    grid: str | None = None
    margin: str = "5mm"
    gutter: str = "0mm"
    flip: str = "long"
    overflow: str = "fail"
    cut_marks: str = "crop"
    back_offset: str = "0,0"
    mode: str = "duplex"
    reverse: bool = False
    bleed: str = "0mm"
    min_size: float = 6.0  # pt, smallest auto-fit size on cards
    pages: int | None = None  # cheat sheet
    columns: int | None = None
    cheat_min_size: float = 5.0
    section: tuple[str, ...] = ()
    tag: tuple[str, ...] = ()
    cards: str | None = None
    shuffle: bool = False
    seed: int = 0
    # derived, in points
    paper_size: tuple[float, float] = field(default=(0.0, 0.0), repr=False)
    card_size: tuple[float, float] = field(default=(0.0, 0.0), repr=False)
    margin_pt: float = 0.0
    gutter_pt: float = 0.0
    offset_pt: tuple[float, float] = (0.0, 0.0)
    bleed_pt: float = 0.0
    grid_rc: tuple[int, int] | None = None


def _as_tuple(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return tuple(s.strip() for s in str(value).split(",") if s.strip())


def _coerce(name: str, value: object) -> object:
    kind = {f.name: f.type for f in fields(Options)}[name]
    if name in ("section", "tag"):
        return _as_tuple(value)
    if kind in ("bool",):
        if isinstance(value, bool):
            return value
        raise ValueError(f"{name} must be true or false")
    if kind.startswith("int"):
        number = int(value)
        # TeX counts stop at 2^31; no cheat sheet needs more than these.
        upper = {"pages": 999, "columns": 20}.get(name)
        if upper and not 1 <= number <= upper:
            raise ValueError(f"{name} must be between 1 and {upper}")
        return number
    if kind == "float":
        number = float(value)
        if not 3 <= number <= 30:
            raise ValueError(f"{name} must be between 3 and 30 pt")
        return number
    text = str(value).strip()
    if name in CHOICES:
        text = text.lower()
        if text not in CHOICES[name]:
            raise ValueError(f"{name} must be one of {', '.join(CHOICES[name])}, not {value!r}")
    return text


def _derive(opts: Options) -> Options:
    """Parse sizes once, so every later step works in points."""
    return replace(
        opts,
        paper_size=geometry.parse_paper(opts.paper, opts.orientation),
        card_size=geometry.parse_card(opts.card),
        margin_pt=geometry.parse_length(opts.margin),
        gutter_pt=geometry.parse_length(opts.gutter),
        offset_pt=geometry.parse_offset(opts.back_offset),
        bleed_pt=geometry.parse_length(opts.bleed),
        grid_rc=geometry.parse_grid(opts.grid) if opts.grid else None,
    )


def resolve(deck: Deck | None, cli: dict[str, object]) -> Options:
    """Defaults < deck front matter < printer profile (cli["printer"]) < command line.
    Bad values name where they came from."""
    values: dict[str, object] = {}
    cli = dict(cli)
    printer = cli.pop("printer", None)
    problems = []
    if deck is not None:
        for name, value in deck.options.items():
            try:
                values[name] = _coerce(name, value)
                _derive(replace(Options(), **values))
            except (ValueError, TypeError, OverflowError) as exc:  # OverflowError: .inf
                values.pop(name, None)
                problems.append(Problem(f"front matter '{name}': {exc}", file=deck.display_path,
                                        line=deck.option_lines.get(name)))
    if problems:
        raise ContentError(problems)
    if printer:
        from builder.printers import load_profile

        values.update(load_profile(str(printer)))
    for name, value in cli.items():
        if value is None or value == ():
            continue
        try:
            values[name] = _coerce(name, value)
        except (ValueError, TypeError, OverflowError) as exc:
            raise UsageError(f"--{name.replace('_', '-')}: {exc}") from None
    try:
        return _derive(replace(Options(), **values))
    except geometry.GeometryError as exc:
        raise UsageError(str(exc)) from None


_RANGE_RE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+))?\s*$")


def parse_card_ranges(spec: str, count: int) -> list[int]:
    numbers: list[int] = []
    for part in spec.split(","):
        m = _RANGE_RE.match(part)
        if not m:
            raise UsageError(f"--cards: cannot read {part.strip()!r}; write e.g. 3-10,15")
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        if lo > hi or lo < 1 or hi > count:
            raise UsageError(f"--cards: {part.strip()} is outside 1-{count} (the deck has {count} cards)")
        numbers.extend(n for n in range(lo, hi + 1) if n not in numbers)
    return numbers


def select_cards(deck: Deck, opts: Options) -> list[Card]:
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
