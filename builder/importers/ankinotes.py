"""Anki notes (from a package or a text export) as cards.

Basic, Basic (and reversed card), Basic (optional reversed card) and Basic (type in the answer):
the first field is the question, the second the answer (a paper card has two sides, so a
reversed note is one card). Cloze: one card per cloze number. Any other note type: the first
field is the question, the rest the answer, each further field headed by its name.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Callable

from builder.importers.cloze import cloze_numbers, reveal
from builder.importers.htmlconv import html_to_markdown
from builder.importers.mdtext import escape_inline
from builder.importers.model import CONVERTED, DROPPED, UNSURE, Card, Origin, Source


@dataclass
class AnkiNote:
    fields: list[tuple[str, str]]  # (name, content) of the fields a card shows, in order
    origin: Origin
    cloze: bool = False
    cloze_field: int = 0  # which field holds the cloze text
    tags: tuple[str, ...] = ()
    section: str = ""  # Markdown
    html: bool = True  # False: the fields are plain text (a text export without HTML)


def section_name(deck: str) -> str:
    """Anki's deck `A::B` as the section `A / B`."""
    return escape_inline(" / ".join(part.strip() for part in deck.split("::") if part.strip()))


def note_cards(note: AnkiNote, source: Source, image: Callable[[str], str | None]) -> list[Card]:
    if not note.html:  # as Anki reads plain text: escaped, line breaks kept; its MathJax is still math
        note.fields = [(name, html.escape(content, quote=False).replace("\n", "<br>")) for name, content in note.fields]
        note.html = True

    def convert(content: str) -> str:
        done = html_to_markdown(content, image)
        for kind, what, detail in done.notes:
            source.note(kind, what, note.origin, detail)
        return done.markdown

    def card(question: str, answer: str) -> Card:
        return Card(question, answer, note.origin, section=note.section, tags=note.tags)

    if note.cloze and note.fields:
        return _cloze_cards(note, source, convert, card)
    filled = [(name, content) for name, content in note.fields if content.strip()]
    if not filled:
        source.note(DROPPED, "empty note left out", note.origin)
        return []
    question = convert(note.fields[0][1]) if note.fields[0][1].strip() else ""
    rest = note.fields[1:] if question else filled[1:]
    answer = _answer([(name, convert(content)) for name, content in rest if content.strip()], labelled_from=1)
    return [card(question, answer)]


def _answer(parts: list[tuple[str, str]], labelled_from: int) -> str:
    """The fields after the question: the first as it is, later ones headed by their names."""
    out = []
    for i, (name, markdown) in enumerate(parts):
        if not markdown:
            continue
        out.append(markdown if i < labelled_from else f"**{escape_inline(name)}:** {markdown}")
    return "\n\n".join(out)


def _cloze_cards(note: AnkiNote, source: Source, convert, card) -> list[Card]:
    text = note.fields[note.cloze_field][1]
    extra = _answer([(name, convert(content)) for i, (name, content) in enumerate(note.fields)
                     if i != note.cloze_field and content.strip()], labelled_from=1)
    if "image-occlusion:" in text:
        source.note(DROPPED, "image occlusion note left out (its masks cannot be printed)", note.origin)
        return []
    numbers = cloze_numbers(text)
    if not numbers:
        source.note(UNSURE, "cloze note without a cloze: its text is the question", note.origin)
        return [card(convert(text), extra)]
    if len(numbers) > 1:
        source.note(CONVERTED, "cloze note made one card per cloze number", note.origin,
                    f"c{', c'.join(map(str, numbers))}")
    cards = []
    for number in numbers:
        answer = convert(reveal(text, number, question=False))
        cards.append(card(convert(reveal(text, number, question=True)),
                          answer + ("\n\n" + extra if extra else "")))
    return cards
