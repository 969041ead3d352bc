"""What `fiszki import` tells the user: cards per section, what was converted (counted), and each
thing left out or guessed with its file:line or Anki note id."""
from __future__ import annotations

from pathlib import Path

from builder.importers.mdtext import printable
from builder.importers.media import MediaFolder
from builder.importers.model import CONVERTED, SHOWN, TO_CHECK, listed
from builder.importers.writer import Deck
from builder.language import LANGUAGE_NAMES



def summary_lines(deck: Deck, output: Path, media: MediaFolder, limit: int | None = SHOWN) -> list[tuple[str, str]]:
    """("info" | "warn", line) in the order to print them, each safe on a terminal; at most `limit`
    notes of one kind are listed (None: all)."""
    return [(level, printable(line)) for level, line in _lines(deck, output, media, limit)]


def _lines(deck: Deck, output: Path, media: MediaFolder, limit: int | None) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    for source in deck.sources:
        how = f" ({source.description})" if source.description else ""
        lines.append(("info", f"read {source.display} as {source.kind}{how}: {len(source.cards)} cards"))
    lines += [("warn", line) for line in listed(deck.notes, limit)]
    counts: dict[str, int] = {}
    for note in deck.notes:
        if note.kind == CONVERTED:
            counts[note.what] = counts.get(note.what, 0) + 1
    for what, n in counts.items():
        lines.append(("info", f"converted: {what}" + (f" ({n}x)" if n > 1 else "")))
    sections = ", ".join(f"{name or '(no section)'} {n}" for name, n in deck.sections)
    images = f"; {_count(len(media.files), 'image')} in {output.parent / media.folder}" if media.files else ""
    language = LANGUAGE_NAMES[deck.lang]
    if deck.lang_guess is not None:
        language = f"{deck.lang_guess.describe()}, told from the text (--lang to choose)"
    checks = sum(1 for note in deck.notes if note.kind in TO_CHECK)
    lines.append(("info", f"wrote {output}: {_count(deck.cards, 'card')} in {_count(len(deck.sections), 'section')} "
                          f"({sections})"
                          f"{images}; language {language}"
                          + (f"; {checks} things to check above" if checks else "")))
    return lines


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")
