"""Build options: one table (OPTIONS) that the command line, the deck's front matter, printer
profiles and the build cache all read; and how values from those places become `Options`.

Where a value comes from, lowest first: the table's default < the deck's front matter < a printer
profile < the command line. Every source is checked by the same code, so a bad value gets the same
message wherever it was written (only the place named in front of it differs).
"""
from __future__ import annotations

from typing import NamedTuple

# The command line reads this table before anything else of fiszki: it imports nothing heavy here
# (geometry is imported where sizes are parsed; the output registry imports nothing).
from builder.outputs import DEFAULT as DEFAULT_OUTPUTS, REGISTRY

DEFAULT_CARD = "business"


class Option(NamedTuple):
    """One build option. `kind` says how values are read: text, choice (one of `choices`), int or
    float (within `bounds`), flag (true/false), or list (repeatable, or comma-separated text)."""

    name: str  # as in Python; on the command line with dashes (--back-offset)
    default: object
    help: str
    kind: str = "text"
    choices: tuple[str, ...] = ()  # a list option with choices takes names among them
    bounds: tuple[float, float] | None = None
    unit: str = ""  # of the bounds, for messages
    group: str = "cards"  # outputs | cards | cheat sheet | selection | study: what it is about
    profile: bool = False  # a printer profile may set it
    not_in_front_matter: str | None = None  # why a deck cannot set it (None: it can)
    front_matter_key: str = ""  # its key in a deck's front matter, when that is not its name
    chooses_outputs: bool = False  # says which outputs are built, not what any of them holds (not a cache key)


OPTIONS: tuple[Option, ...] = (
    # Its choices are the registry's names as they are when a value is checked (a live view).
    Option("make", DEFAULT_OUTPUTS, "What to build, comma-separated or repeated: "
           + "; ".join(f"{name} ({entry.makes})" for name, entry in REGISTRY.items())
           + f". Default {','.join(DEFAULT_OUTPUTS)}.", kind="list", choices=REGISTRY.keys(), group="outputs",
           chooses_outputs=True),
    Option("paper", "a4", "a4 (default), letter, or WxH like 210x297mm.", profile=True),
    Option("orientation", None, "Paper orientation for the flashcards (default: the one needing fewer sheets; "
           "portrait with a --back-offset, as calibrated).",
           kind="choice", choices=("portrait", "landscape"), profile=True),
    Option("card", DEFAULT_CARD, "Card size: a7, a8, business (default, 85x55mm), poker, index3x5, "
           "index4x6, or WxH like 90x50mm / 3x5in."),
    Option("grid", None, "ROWSxCOLS instead of the most that fit, e.g. 4x2."),
    Option("margin", "5mm", "Printer-safe margin (default 5mm)."),
    Option("gutter", "0mm", "Space between cards (default 0)."),
    Option("flip", "long", "Duplex flip edge your printer uses (default long).", kind="choice",
           choices=("long", "short"), profile=True),
    Option("back_offset", "0,0", "X,Y in mm, the two numbers read off the calibration sheet (fiszki calibrate): "
           "moves everything on back pages X right and Y up, as the back page itself is seen (after a "
           "long-edge flip +X looks like a move to the left from the front).", profile=True),
    Option("printer", None, "A saved printer profile (fiszki printer save); its values override the deck's "
           "front matter, the command line overrides them.",
           not_in_front_matter="a printer profile belongs to the computer that prints, not to the deck"),
    Option("overflow", "fail", "A card too long even at the minimum size: fail (default) or continue on an "
           "extra card.", kind="choice", choices=("fail", "split")),
    Option("cut_marks", "crop", "Crop marks in the margin (default), dashed cut lines, or none.", kind="choice",
           choices=("crop", "dashed", "none")),
    Option("mode", "duplex", "duplex (default): front and back pages alternate; fronts / backs: one side only, "
           "to print by hand (print the fronts, turn the stack over, print the backs); fold: each question "
           "beside its answer on one side, to fold and glue.", kind="choice",
           choices=("duplex", "fronts", "backs", "fold")),
    Option("reverse", False, "Sheets in reverse order (last first), e.g. --mode backs for a stack that comes "
           "out the other way round.", kind="flag"),
    Option("bleed", "0mm", "Backs get a light background reaching this far past the cut line (up to half the "
           "--gutter between cards; default 0), so a slightly misregistered back shows no white edge."),
    Option("min_size", 6.0, "Smallest font size on cards in pt (default 6).", kind="float", bounds=(3, 30),
           unit="pt"),
    Option("pages", None, "Cheat sheet: exactly this many pages (2 = both sides of a sheet).", kind="int",
           bounds=(1, 999), group="cheat sheet"),  # TeX counts stop at 2^31; no cheat sheet needs more
    Option("columns", None, "Cheat sheet: number of columns (default: chosen for the font size).", kind="int",
           bounds=(1, 20), group="cheat sheet"),
    Option("cheat_min_size", 5.0, "Cheat sheet: smallest legible font size in pt (default 5).", kind="float",
           bounds=(3, 30), unit="pt", group="cheat sheet"),
    Option("section", (), "Only the cards of this section: its whole name, any case, or the start of it when "
           "that names one section only (repeatable: any of them).", kind="list", group="selection",
           front_matter_key="select_section"),
    Option("tag", (), "Only cards with this tag; repeat for any of several (--tag quiz --tag exam), join with + "
           "for all of them (--tag quiz+exam). Tags match exactly, case too.", kind="list", group="selection",
           front_matter_key="select_tag"),
    Option("not_tag", (), "Leave out cards with this tag (repeatable; + joins tags a card must all have to be "
           "left out).", kind="list", group="selection", front_matter_key="select_not_tag"),
    Option("cards", None, "Only these card numbers, e.g. 3-10,15.", group="selection",
           front_matter_key="select_cards"),
    Option("shuffle", False, "Shuffle the flashcards (numbers stay; the cheat sheet keeps the deck's order).",
           kind="flag", group="selection"),
    Option("seed", 0, "Seed for --shuffle (default 0: the same order every time).", kind="int", group="selection"),
    Option("screen", "4:3", "Study PDF's page: a tablet or phone held sideways, 4:3 (default), 16:9, any W:H, "
           "a5, or WxH like 160x90mm.", group="study"),
)
BY_NAME = {o.name: o for o in OPTIONS}
# A deck's front matter key → the option it sets. Selecting keys say so (select_tag, not tag: a
# note app's `tag:`/`tags:` lists what the note is about and must not quietly empty a build).
FRONT_MATTER = {o.front_matter_key or o.name: o.name for o in OPTIONS if o.not_in_front_matter is None}
FRONT_MATTER_KEYS = tuple(FRONT_MATTER)
KEY_OF = {name: key for key, name in FRONT_MATTER.items()}  # an option's front-matter key
PROFILE_KEYS = tuple(o.name for o in OPTIONS if o.profile)

# Sizes parsed once, in points, so every later step works in them.
_DERIVED = {"paper_size": (0.0, 0.0), "card_size": (0.0, 0.0), "margin_pt": 0.0, "gutter_pt": 0.0,
            "offset_pt": (0.0, 0.0), "bleed_pt": 0.0, "grid_rc": None, "screen_size": (0.0, 0.0)}


class Options:
    """Resolved build options: one attribute per entry of OPTIONS (its default unless set), the
    sizes in points, and `origins`: where each value that is not a default came from ("front
    matter", "printer", "command line"). A plain class: a dataclass of this many fields costs
    the command line's start-up more than everything else it imports."""

    __slots__ = (*BY_NAME, *_DERIVED, "origins")

    def __init__(self, **values: object):
        for name, option in BY_NAME.items():
            setattr(self, name, values.pop(name, option.default))
        for name, default in _DERIVED.items():
            setattr(self, name, values.pop(name, default))
        self.origins: dict[str, str] = values.pop("origins", None) or {}
        if values:
            raise TypeError(f"unknown options: {', '.join(values)}")

    def replace(self, **changes: object) -> Options:
        return Options(**{**{name: getattr(self, name) for name in self.__slots__}, **changes})

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in BY_NAME)
        return f"Options({shown})"


def _as_tuple(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return tuple(s.strip() for s in str(value).split(",") if s.strip())


def _names(name: str, value: object, choices) -> tuple[str, ...]:
    """Names among `choices`, each once, from repeated values each of which may be comma-separated."""
    names: dict[str, None] = {}
    for item in _as_tuple(value):
        for word in _as_tuple(item.lower()):
            if word not in choices:
                raise ValueError(f"{name} must be among {', '.join(choices)}, not {word!r}")
            names[word] = None
    if not names:
        raise ValueError(f"{name} must name at least one of {', '.join(choices)}")
    return tuple(names)


def coerce(name: str, value: object) -> object:
    """`value` as option `name` takes it; ValueError (or TypeError) saying what is wrong."""
    option = BY_NAME[name]
    kind = option.kind
    if kind == "list" and option.choices:
        return _names(name, value, option.choices)
    if kind == "list":
        return _as_tuple(value)
    if kind == "flag":
        if isinstance(value, bool):
            return value
        raise ValueError(f"{name} must be true or false")
    if kind in ("int", "float"):
        number = int(value) if kind == "int" else float(value)
        if option.bounds and not option.bounds[0] <= number <= option.bounds[1]:
            low, high = (f"{b:g}" for b in option.bounds)
            raise ValueError(f"{name} must be between {low} and {high}{' ' + option.unit if option.unit else ''}")
        return number
    text = str(value).strip()
    if kind == "choice":
        text = text.lower()
        if text not in option.choices:
            raise ValueError(f"{name} must be one of {', '.join(option.choices)}, not {value!r}")
    return text


def derive(values: dict[str, object]) -> Options:
    """Options from checked values (defaults for the rest), sizes parsed; GeometryError if a size is wrong."""
    from builder import geometry
    from builder.study.screen import parse_screen

    opts = Options(**values)
    return opts.replace(
        paper_size=geometry.parse_paper(opts.paper, opts.orientation or "portrait"),  # None: chosen later
        card_size=geometry.parse_card(opts.card),
        margin_pt=geometry.parse_length(opts.margin),
        gutter_pt=geometry.parse_length(opts.gutter),
        offset_pt=geometry.parse_offset(opts.back_offset),
        bleed_pt=geometry.parse_length(opts.bleed),
        grid_rc=geometry.parse_grid(opts.grid) if opts.grid else None,
        screen_size=parse_screen(opts.screen),
    )


def check_values(values: dict[str, object], where: str, allowed: tuple[str, ...]) -> dict[str, object]:
    """Values from a printer profile (or any source that is not the deck), checked as the command
    line's are; `where` names them in errors."""
    from builder.errors import UsageError

    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise UsageError(f"{where}: unknown setting {unknown[0]!r}; it holds {', '.join(allowed)}")
    out: dict[str, object] = {}
    for name, value in values.items():
        try:
            out[name] = coerce(name, value)
            derive(out)
        except (ValueError, TypeError, OverflowError) as exc:
            raise UsageError(f"{where}: {name.replace('_', '-')}: {exc}") from None
    return out


def resolve(deck, cli: dict[str, object], profile: dict[str, object] | None = None) -> Options:
    """Defaults < deck front matter < printer profile (its checked values: printers.load_profile,
    for cli["printer"]) < command line. Bad values name where they came from."""
    from builder.errors import ContentError, Problem, UsageError

    values: dict[str, object] = {}
    origins: dict[str, str] = {}
    cli = dict(cli)
    cli.pop("printer", None)
    problems = []
    if deck is not None:
        for name, value in deck.options.items():
            try:
                values[name] = coerce(name, value)
                derive(values)
                origins[name] = "front matter"
            except (ValueError, TypeError, OverflowError) as exc:  # OverflowError: .inf
                values.pop(name, None)
                problems.append(Problem(f"front matter '{KEY_OF[name]}': {exc}", file=deck.display_path,
                                        line=deck.option_lines.get(name)))
    if problems:
        raise ContentError(problems)
    values.update(profile or {})
    origins.update(dict.fromkeys(profile or {}, "printer"))
    for name, value in cli.items():
        if value is None or value == ():
            continue
        try:
            values[name] = coerce(name, value)
            derive(values)
            origins[name] = "command line"
        except (ValueError, TypeError, OverflowError) as exc:
            raise UsageError(f"--{name.replace('_', '-')}: {exc}") from None
    return derive(values).replace(origins=origins)


def fingerprint_values(cli: dict[str, object]) -> list[tuple[str, object]]:
    """The command-line values a build's output depends on, in a stable order (the cache's key;
    front matter is in the deck's bytes, a printer profile in its file). Which outputs are asked
    for is not among them: each output is cached on its own."""
    return sorted((name, value) for name, value in cli.items()
                  if name in BY_NAME and not BY_NAME[name].chooses_outputs)
