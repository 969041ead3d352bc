"""What every importer hands the shared deck writer: cards, where each came from, and notes.

An importer reads one source (an Anki package, a text export, Markdown notes …) into a
`Source`: cards whose texts are already Markdown, front-matter values it found, and
`ImportNote`s saying what was converted, what was left out and what is a guess; the images its
cards show go to the run's shared `MediaFolder` (builder.importers.media). The writer
(builder.importers.writer) turns any number of sources into one deck.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("auto", "notes", "csv", "anki", "quizlet", "markdown")  # fiszki import --from
# What a note reports, for the summary: converted (counted), dropped and unsure (each listed).
CONVERTED, DROPPED, UNSURE = "converted", "dropped", "unsure"


@dataclass(frozen=True)
class Origin:
    """Where something came from: a file and line, or an Anki note."""

    file: str
    line: int | None = None
    note_id: int | None = None  # Anki note id

    def __str__(self) -> str:
        if self.note_id is not None:
            return f"{self.file}: note {self.note_id}"
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class ImportNote:
    kind: str  # CONVERTED, DROPPED or UNSURE
    what: str  # short, the same for every note of its kind (the summary counts by it)
    origin: Origin
    detail: str = ""  # what exactly, here

    def __str__(self) -> str:
        return f"{self.origin}: {self.what}" + (f": {self.detail}" if self.detail else "")


@dataclass
class Card:
    """One card, its texts in Markdown (the deck's own syntax)."""

    question: str  # inline Markdown; more than one line or block makes an extended front
    answer: str
    origin: Origin
    section: str = ""  # inline Markdown of the `# section` heading ("" = before any section)
    tags: tuple[str, ...] = ()
    id: str | None = None  # kept when valid and unique; otherwise the deck's own rule makes one
    front: str = ""  # extra front blocks (between the question and a `?` line)
    heading: str | None = None  # the `##` line when the question is not one line of text


@dataclass
class Source:
    """What one importer read from one source file."""

    path: Path
    kind: str  # the importer that read it: anki, csv, quizlet, markdown, notes
    cards: list[Card] = field(default_factory=list)
    notes: list[ImportNote] = field(default_factory=list)
    title: str | None = None  # a title found in the source (front matter, Anki's top deck …)
    meta: dict[str, object] = field(default_factory=dict)  # other front-matter values to keep
    lang: str | None = None  # a language the source declares
    description: str = ""  # for the summary, e.g. "Anki package, collection.anki21b, 12 notes"

    @property
    def display(self) -> str:
        return str(self.path)

    def note(self, kind: str, what: str, origin: Origin | int | None = None, detail: str = "") -> None:
        """Record a note; an int origin is a line of this source."""
        if not isinstance(origin, Origin):
            origin = Origin(self.display, origin)
        self.notes.append(ImportNote(kind, what, origin, detail))


@dataclass
class ImportOptions:
    """The command line's choices, shared by every importer."""

    kind: str = "auto"  # auto, notes, csv, anki, quizlet, markdown
    separator: str | None = None  # between question and answer (text exports)
    row_separator: str | None = None  # between cards (Quizlet)
    columns: tuple[str, ...] | None = None  # question, answer, tags, section, … by position
    question_level: int | None = None  # Markdown notes: heading level of questions
    lang: str | None = None
    title: str | None = None


TO_CHECK = {DROPPED: "left out", UNSURE: "check"}  # the kinds of note a user should look at
SHOWN = 10  # notes of one kind listed before "… and N more"


def listed(notes: list[ImportNote], limit: int | None = SHOWN,
           how_to_see_all: str = " (fiszki -v import lists them all)") -> list[str]:
    """The notes to check, at most `limit` of each kind, then how many more there are."""
    lines, seen = [], Counter()
    for note in notes:
        if note.kind not in TO_CHECK:
            continue
        seen[note.what] += 1
        if limit is None or seen[note.what] <= limit:
            detail = f": {note.detail}" if note.detail else ""
            lines.append(f"{note.origin}: {TO_CHECK[note.kind]}: {note.what}{detail}")
    for what, n in seen.items():
        if limit is not None and n > limit:
            lines.append(f"… and {n - limit} more of \"{what}\"{how_to_see_all}")
    return lines
