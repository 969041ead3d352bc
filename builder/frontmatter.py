"""A deck's front matter: split off the top of the file, read as YAML entries with their lines,
checked into the deck's metadata and build options.

Keys fiszki does not read are passed over or caught as misspellings. A deck often starts life as a
note in another app, whose front matter says what the note is about (`tags`, `aliases`, `created`,
…). Those keys are passed over with one warning naming them. A key that is spelt like one of
fiszki's and holds a value that key would take (`papr: letter`, `language: pl`) is a misspelling,
and an error with the key it means: read as metadata it would silently print the deck differently.
An option fiszki renamed for decks (`section:` for `select_section:`) and one a deck cannot set
(`printer:`) are errors that say so.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from builder.decklimits import MAX_META_CHARS, refuse_aliases
from builder.errors import ContentError, Problem
from builder.options import BY_NAME, FRONT_MATTER, KEY_OF, coerce, derive

if TYPE_CHECKING:
    import yaml

META_KEYS = ("title", "subtitle", "lang", "author", "course", "date")
LANGUAGES = {"pl": "polish", "en": "english"}  # babel names of the languages TeX has installed

# Keys note apps and site generators write (Obsidian, its plugins, Jekyll, Hugo, Zettlr, Dendron,
# Foam, Pandoc): what a note is about, when it was written, how a site publishes it.
NOTE_APP_KEYS = frozenset("""
    tags tag aliases alias cssclasses cssclass created updated modified lastmod date_created
    date_modified publish published permalink slug draft layout weight categories category keywords
    description desc summary abstract subject source sources url link cover image banner status type
    id uid series related rating share
""".split())

META_CUTOFF = 0.8  # free-text metadata (title, author…): any value fits, so only a close spelling counts
OPTION_CUTOFF = 0.7  # keys whose values are checked: a close spelling with a value the key takes
PREFIX_MIN = 4  # `language` for `lang`, `papersize` for `paper`: a known key the name starts with


@dataclass
class Entry:  # one `key: value` of the front matter, with its line in the file
    key: str
    line: int
    value: object


@dataclass
class FrontMatter:  # what a deck's front matter sets, checked
    meta: dict[str, str]  # the META_KEYS given, as text; lang as a key of LANGUAGES
    options: dict[str, object]  # build options by option name, values as YAML gave them
    option_lines: dict[str, int]  # the line each option is on
    warnings: list[Problem]


# --- keys fiszki does not read --------------------------------------------------------------


def _takes(name: str) -> Callable[[object], bool]:
    """Whether a value would do for option `name` (its key in front matter is `KEY_OF[name]`)."""
    def check(value: object) -> bool:
        try:
            derive({name: coerce(name, value)})
            return True
        except (ValueError, TypeError, OverflowError):
            return False
    return check


def _is_text(value: object) -> bool:
    return not isinstance(value, (dict, list, set, tuple))


def _checked_keys() -> dict[str, Callable[[object], bool]]:
    """Every key fiszki reads, with what values it takes; `lang` and the options change the print."""
    keys: dict[str, Callable[[object], bool]] = {key: _is_text for key in META_KEYS}
    keys["lang"] = lambda value: str(value).strip().lower() in LANGUAGES
    keys.update({key: _takes(name) for key, name in FRONT_MATTER.items()})
    return keys


def _meant(name: str, value: object, keys: dict[str, Callable[[object], bool]], free_text: set[str]) -> str | None:
    """The fiszki key `name` (lower case, `_` for `-`) is a misspelling of, if any."""
    words = set(name.replace("-", "_").split("_"))
    ranked = []
    for key in keys:
        ratio = difflib.SequenceMatcher(None, name, key).ratio()
        if key in free_text:
            near = ratio >= META_CUTOFF
        else:
            near = ratio >= OPTION_CUTOFF or key in words or (len(key) >= PREFIX_MIN and name.startswith(key))
        if near:
            ranked.append((ratio, key))
    return next((key for _, key in sorted(ranked, reverse=True) if keys[key](value)), None)


def foreign_keys(entries: list[Entry], display: str) -> tuple[list[Problem], list[Problem]]:
    """(problems, warnings) for the entries whose keys fiszki does not read."""
    problems: list[Problem] = []
    ignored: list[Entry] = []
    keys = _checked_keys()
    free_text = set(META_KEYS) - {"lang"}
    for entry in entries:
        name = entry.key.replace("-", "_")
        lowered = name.lower()
        option = BY_NAME.get(lowered)
        if lowered in NOTE_APP_KEYS:
            ignored.append(entry)
        elif option is not None and option.not_in_front_matter:
            problems.append(Problem(f"front-matter key '{entry.key}' is not for a deck: {option.not_in_front_matter}",
                                    file=display, line=entry.line))
        elif option is not None and KEY_OF[option.name] != option.name:  # a deck sets it under another key
            problems.append(Problem(f"front-matter key '{entry.key}' is not read; a deck sets --{option.name.replace('_', '-')} "
                                    f"as '{KEY_OF[option.name]}'", file=display, line=entry.line,
                                    hint=f"write '{KEY_OF[option.name]}: …'"))
        elif (meant := _meant(lowered, entry.value, keys, free_text)) is not None:
            problems.append(Problem(f"unknown front-matter key '{entry.key}'", file=display, line=entry.line,
                                    hint=f"did you mean '{meant}'?"))
        else:
            ignored.append(entry)
    return problems, [_ignored_warning(ignored, display)] if ignored else []


def _ignored_warning(ignored: list[Entry], display: str) -> Problem:
    names = ", ".join(f"'{e.key}'" for e in ignored)
    hints = []
    if any(e.key.lower() in ("tag", "tags") for e in ignored):
        hints.append("a card's tags are the {.tag} after its question; to print only some cards, use --tag "
                     "or 'select_tag:' in the front matter")
    if any(e.key.lower() not in NOTE_APP_KEYS for e in ignored):
        hints.append(f"fiszki reads {', '.join(META_KEYS)} and the build options (fiszki build --help; "
                     "selecting ones start with select_)")
    return Problem(f"front matter: ignored {names}, which fiszki does not use", file=display,
                   line=ignored[0].line, hint="; ".join(hints) or None)


# --- reading and checking -------------------------------------------------------------------


def _block(text: str, display: str) -> tuple[str, int] | None:
    """The front matter's YAML and the index of its closing line; None when there is none."""
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return None
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            return "\n".join(lines[1:end]), end
    raise ContentError(Problem("front matter starts with --- but never ends", file=display, line=1,
                               hint="close it with a line holding only ---"))


def _split(text: str, display: str) -> tuple[list[Entry], str]:
    """The front matter's entries (with their file lines) and the body, front matter blanked
    out so Markdown line numbers stay the file's."""
    block = _block(text, display)
    if block is None:
        return [], text
    yaml_text, end = block
    lines = text.split("\n")
    return _parse(yaml_text, display), "\n" * (end + 1) + "\n".join(lines[end + 1 :])


def _parse(yaml_text: str, display: str) -> list[Entry]:
    import yaml  # here: the command line reads this module before anything heavy

    try:
        refuse_aliases(yaml_text, display)
        node = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
        entries = _entries(node, display)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ContentError(Problem(f"front matter is not valid YAML: {what}", file=display,
                                   line=mark.line + 2 if mark else 1,
                                   hint="write one 'key: value' per line")) from None
    except RecursionError:
        raise ContentError(Problem("front matter is nested too deeply", file=display, line=2)) from None
    return entries


def front_matter_value(data: bytes, key: str) -> object | None:
    """The value of one front-matter key (written with - or _), or None when the deck does not set
    it or its front matter cannot be read (reading the whole deck then says what is wrong, by line).
    YAML is parsed only when the key's name occurs in the front matter at all."""
    text = data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    if not re.search(key.replace("_", "[-_]"), text):
        return None  # the common case: nothing to parse
    try:
        block = _block(text, "")
        if block is None or not re.search(key.replace("_", "[-_]"), block[0]):
            return None
        entries = _parse(block[0], "")
    except ContentError:
        return None
    return next((e.value for e in entries if e.key.replace("-", "_") == key), None)


def _entries(node: yaml.Node | None, display: str) -> list[Entry]:
    import yaml

    if node is None:  # empty front matter
        return []
    if not isinstance(node, yaml.MappingNode):
        raise ContentError(Problem("front matter must be 'key: value' lines", file=display,
                                   line=node.start_mark.line + 2))
    loader = yaml.SafeLoader("")
    return [Entry(str(k.value), k.start_mark.line + 2, loader.construct_object(v, deep=True))
            for k, v in node.value]


def _meta_text(entry: Entry) -> str:
    if entry.value is None:
        return ""
    if isinstance(entry.value, (dict, list, set, tuple)):
        raise ValueError(f"'{entry.key}' must be text, not a {type(entry.value).__name__}")
    return str(entry.value)


def _checked(entries: list[Entry], display: str) -> FrontMatter:
    """Split entries into meta and build options (by option name, with their lines); every bad
    value is a problem, keys fiszki does not read are sorted out by foreign_keys."""
    problems, meta, options, option_lines, lines, foreign = [], {}, {}, {}, {}, []
    for entry in entries:
        name = entry.key.replace("-", "_")

        def problem(message: str, hint: str | None = None) -> None:
            problems.append(Problem(message, file=display, line=entry.line, hint=hint))

        if name in lines:
            problem(f"front-matter key '{entry.key}' is given twice (first on line {lines[name]})")
            continue
        lines[name] = entry.line
        if name in META_KEYS:
            try:
                meta[name] = _meta_text(entry)
            except ValueError as exc:
                problem(str(exc))
            if len(meta.get(name, "")) > MAX_META_CHARS:
                problem(f"'{entry.key}' is {len(meta[name]):,} characters long; at most {MAX_META_CHARS:,}")
        elif name in FRONT_MATTER:
            options[FRONT_MATTER[name]] = entry.value
            option_lines[FRONT_MATTER[name]] = entry.line
        else:
            foreign.append(entry)
    foreign_problems, warnings = foreign_keys(foreign, display)
    problems += foreign_problems
    if "lang" in meta:
        lang = meta["lang"].strip().lower()
        if lang in LANGUAGES:
            meta["lang"] = lang
        else:
            problems.append(Problem(f"unknown language '{meta['lang']}'", file=display, line=lines["lang"],
                                    hint=f"use one of: {', '.join(LANGUAGES)}"))
    if problems:
        raise ContentError(sorted(problems, key=lambda p: p.line or 0), warnings=warnings)
    return FrontMatter(meta, options, option_lines, warnings)


def read_front_matter(text: str, display: str) -> tuple[FrontMatter, str]:
    """The deck's front matter, checked (every bad key or value is a problem of one ContentError),
    and the deck's body with the front matter blanked out so Markdown line numbers stay the file's."""
    entries, body = _split(text, display)
    return _checked(entries, display), body
