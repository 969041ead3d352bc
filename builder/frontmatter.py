"""Front-matter keys a deck holds that are not fiszki's: passed over, or caught as a misspelling.

A deck often starts life as a note in another app, whose front matter says what the note is about
(`tags`, `aliases`, `created`, …). Those keys are passed over with one warning naming them. A key
that is spelt like one of fiszki's and holds a value that key would take (`papr: letter`,
`language: pl`) is a misspelling, and an error with the key it means: read as metadata it would
silently print the deck differently. An option fiszki renamed for decks (`section:` for
`select_section:`) and one a deck cannot set (`printer:`) are errors that say so.
"""
from __future__ import annotations

import difflib
from typing import Callable, Protocol

from builder.errors import Problem
from builder.options import BY_NAME, FRONT_MATTER, KEY_OF, coerce, derive

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


class Entry(Protocol):
    key: str
    line: int
    value: object


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


def _checked_keys(meta_keys: tuple[str, ...], languages: dict[str, str]) -> dict[str, Callable[[object], bool]]:
    """Every key fiszki reads, with what values it takes; `lang` and the options change the print."""
    keys: dict[str, Callable[[object], bool]] = {key: _is_text for key in meta_keys}
    keys["lang"] = lambda value: str(value).strip().lower() in languages
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


def foreign_keys(entries: list[Entry], display: str, meta_keys: tuple[str, ...],
                 languages: dict[str, str]) -> tuple[list[Problem], list[Problem]]:
    """(problems, warnings) for the entries whose keys fiszki does not read."""
    problems: list[Problem] = []
    ignored: list[Entry] = []
    keys = _checked_keys(meta_keys, languages)
    free_text = set(meta_keys) - {"lang"}
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
    return problems, [_ignored_warning(ignored, display, meta_keys)] if ignored else []


def _ignored_warning(ignored: list[Entry], display: str, meta_keys: tuple[str, ...]) -> Problem:
    names = ", ".join(f"'{e.key}'" for e in ignored)
    hints = []
    if any(e.key.lower() in ("tag", "tags") for e in ignored):
        hints.append("a card's tags are the {.tag} after its question; to print only some cards, use --tag "
                     "or 'select_tag:' in the front matter")
    if any(e.key.lower() not in NOTE_APP_KEYS for e in ignored):
        hints.append(f"fiszki reads {', '.join(meta_keys)} and the build options (fiszki build --help; "
                     "selecting ones start with select_)")
    return Problem(f"front matter: ignored {names}, which fiszki does not use", file=display,
                   line=ignored[0].line, hint="; ".join(hints) or None)
