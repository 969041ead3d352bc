"""The one deck writer every importer shares: cards in, a deck that reads back and builds out.

    ---
    title: …
    lang: pl
    ---

    # Section

    ## Question {#card-id .tag}
    optional extra front
    ?
    Answer…

What an importer hands over is Markdown already; the writer makes sure it stays inside its card:
a `#`/`##` heading in an answer becomes a subheading, a lone `?` line is escaped, an unclosed
code fence is closed, a formula fiszki refuses is kept as code, and the question becomes one
heading line (the rest goes to the card's front). Every change is an `ImportNote`. Finally the
deck is read back with the build's own parser: the same number of cards, or no deck at all.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from builder.deck import _ID_RE, parse_deck_text
from builder.errors import ContentError, Problem
from builder.importers import markup
from builder.importers.mdtext import printable
from builder.importers.model import CONVERTED, DROPPED, UNSURE, Card, ImportNote, ImportOptions, Source, listed
from builder.language import LanguageGuess, guess_language

TEXTS = {
    "pl": {"section": "Ogólne", "title": "Fiszki", "no_answer": "(brak odpowiedzi)", "no_question": "Pytanie"},
    "en": {"section": "General", "title": "Flashcards", "no_answer": "(no answer)", "no_question": "Question"},
}
_ATTRS_LIKE = re.compile(r"\{\s*[#.][^{}]*\}\s*$")  # what the deck parser would take as {#id .tags}


@dataclass
class Deck:
    """The deck to write, with everything the summary reports."""

    markdown: str
    cards: int
    sections: list[tuple[str, int]]  # (section, cards) in deck order
    notes: list[ImportNote]
    lang: str
    lang_guess: LanguageGuess | None  # None when the language was given or declared
    title: str
    sources: list[Source] = field(default_factory=list)


def assemble(sources: list[Source], options: ImportOptions) -> Deck:
    """One deck from every source's cards; ContentError when there is no card at all."""
    cards = [card for source in sources for card in source.cards]
    notes = [note for source in sources for note in source.notes]
    if not cards:  # what was read and left out tells why
        raise ContentError([Problem(f"no cards found (read as {source.kind})", file=source.display)
                            for source in sources] or [Problem("no source given")],
                           warnings=[Problem(printable(line)) for line in listed(notes, how_to_see_all="")])
    declared = options.lang or next((s.lang for s in sources if s.lang), None)
    guess = None if declared else guess_language("\n".join(c.question + "\n" + c.front + "\n" + c.answer
                                                           for c in cards))
    lang = declared or guess.lang
    title = options.title or next((s.title for s in sources if s.title), None) or sources[0].path.stem
    meta: dict[str, object] = {}
    for source in sources:
        for key, value in source.meta.items():
            meta.setdefault(key, value)
    writer = _Writer(lang, notes)
    prepared = [writer.prepare(card) for card in cards]
    _check_ids(prepared, notes)
    body = writer.body(prepared)
    head = _front_matter(title, lang, meta)
    deck = parse_deck_text(head + body, Path("imported.md"), "imported deck")  # the build's parser
    if len(deck.cards) != len(prepared):  # a bug here, never the user's: refuse rather than lose cards
        raise ContentError(Problem(f"the imported deck reads back as {len(deck.cards)} cards, not "
                                   f"{len(prepared)}; nothing was written (please report this)"))
    for card, read in zip(prepared, deck.cards):
        card.id = read.id  # explicit from now on: a later edit of the question keeps the id
    body = writer.body(prepared)
    counts: dict[str, int] = {}
    for read in deck.cards:
        counts[read.section] = counts.get(read.section, 0) + 1
    return Deck(head + body, len(prepared), list(counts.items()), notes, lang, guess, title, sources)


def _check_ids(cards: list[Card], notes: list[ImportNote]) -> None:
    """Keep valid, unique ids; the rest are left to the deck's own rule (from the question)."""
    taken: set[str] = set()
    for card in cards:
        if card.id is None:
            continue
        if not _ID_RE.match(card.id):
            notes.append(ImportNote(CONVERTED, "card id replaced (not a valid id)", card.origin, card.id))
            card.id = None
        elif card.id in taken:
            notes.append(ImportNote(CONVERTED, "card id replaced (used twice)", card.origin, card.id))
            card.id = None
        else:
            taken.add(card.id)


def _front_matter(title: str, lang: str, meta: dict[str, object]) -> str:
    lines = ["---", f"title: {yaml_scalar(title)}", f"lang: {lang}"]
    for key, value in meta.items():
        if key in ("title", "lang"):
            continue
        if isinstance(value, str):
            lines.append(f"{key}: {yaml_scalar(value)}")
        else:
            dumped = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**6)
            lines.append(f"{key}: {dumped.strip().removesuffix('...').strip()}")
    return "\n".join(lines + ["---", "", ""])


def yaml_scalar(value: str) -> str:
    """A YAML scalar that reads back as exactly `value` (plain when that is safe)."""
    value = " ".join(value.split())
    if re.fullmatch(r"[^\W\d_][\w .,()/+\-–—&]*", value) and not value.endswith(" ") and value.lower() not in (
        "yes", "no", "true", "false", "on", "off", "null", "y", "n", "~"
    ):
        return value
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


class _Writer:
    def __init__(self, lang: str, notes: list[ImportNote]):
        self.texts = TEXTS[lang]
        self.notes = notes

    def note(self, kind: str, what: str, card: Card, detail: str = "") -> None:
        self.notes.append(ImportNote(kind, what, card.origin, detail))

    def prepare(self, card: Card) -> Card:
        """The card with texts that stay inside it when written."""
        heading, extra = self._heading(card)
        front = "\n\n".join(part for part in (extra, card.front.strip("\n")) if part.strip())
        answer = card.answer.strip("\n")
        if not answer.strip():
            answer = self.texts["no_answer"]
            self.note(UNSURE, "card without an answer", card, f"wrote '{answer}'")
        return Card(
            question=heading, answer=self._contained(answer, card), origin=card.origin,
            section=self._heading_text(card.section, card) if card.section else "",
            tags=self._tags(card), id=card.id, front=self._contained(front, card) if front else "",
        )

    def _heading(self, card: Card) -> tuple[str, str]:
        """The `##` line's text and what of the question goes to the front."""
        question = card.question.strip("\n")
        first, rest = markup.first_line_and_rest(question)
        if card.heading is not None:
            first, rest = card.heading, question
        elif not markup.has_text(first):
            first, rest = self.texts["no_question"], question
            if question.strip():
                self.note(CONVERTED, "question without text shown on the front", card,
                          f"headed '{first}'")
            else:
                self.note(UNSURE, "card without a question", card, f"headed '{first}'")
        return self._heading_text(first, card), rest

    def _heading_text(self, text: str, card: Card) -> str:
        """One heading line that reads back as itself: no attribute block, no closing #s."""
        text = " ".join(text.split())
        if _ATTRS_LIKE.search(text):
            at = text.rfind("{")
            text = text[:at] + "\\" + text[at:]
        if text.endswith("#"):
            text = text[:-1] + "\\#"
        return text

    def _tags(self, card: Card) -> tuple[str, ...]:
        tags = []
        for tag in card.tags:
            clean = re.sub(r"[\s{}]+", "-", tag.strip()).strip("-")
            if clean != tag.strip():
                self.note(CONVERTED, "tag renamed (spaces and braces are not allowed)", card, f"{tag} -> {clean}")
            if clean and clean not in tags:
                tags.append(clean)
        return tuple(tags)

    def _contained(self, text: str, card: Card) -> str:
        """Markdown that cannot end its card early or break the build."""
        text, closed = markup.close_fences(text)
        if closed:
            self.note(CONVERTED, "unclosed code block closed at the end of the card", card)
        text, demoted = markup.demote_structure(text)
        for line in demoted:
            self.note(CONVERTED, "heading inside an answer made a subheading", card, line)
        text, refused = markup.refuse_bad_math(text)
        for formula, problem in refused:
            self.note(UNSURE, "formula kept as code: fiszki does not accept it", card, f"{formula}: {problem}")
        unprintable = markup.unprintable_characters(text)
        if unprintable:
            self.note(UNSURE, "characters the card font cannot print (shown as a box)", card,
                      " ".join(f"{ch} (U+{ord(ch):04X})" for ch in unprintable))
        return text

    def body(self, cards: list[Card]) -> str:
        out: list[str] = []
        section: str | None = None
        for card in cards:
            if card.section != section and (card.section or section is not None):
                name = card.section
                if not name:
                    name = self.texts["section"]
                    self.note(CONVERTED, "card without a section put into a section", card, name)
                out += ["", f"# {name}"]
                section = card.section
            elif section is None:
                section = ""
            attrs = " ".join(([f"#{card.id}"] if card.id else []) + [f".{t}" for t in card.tags])
            out += ["", f"## {card.question}" + (f" {{{attrs}}}" if attrs else "")]
            if card.front:
                out += [card.front, "?"]
            out.append(card.answer)
        return "\n".join(out).lstrip("\n") + "\n"


def write(deck: Deck, dest: Path, media, force: bool) -> list[Path]:
    """Write the images, then the deck (atomically each); an existing deck is replaced only with
    `force` (FileExistsError otherwise, and then nothing at all is written)."""
    from builder.importers.media import write_media
    from builder.files import atomic_write

    if dest.exists() and not force:
        raise FileExistsError(f"{dest} already exists; not overwriting it (use --force to replace it)")
    written = write_media(media, dest.parent, force)
    atomic_write(dest, deck.markdown.encode("utf-8"))
    return written + [dest]


__all__ = ["Deck", "assemble", "write", "yaml_scalar", "TEXTS", "DROPPED"]
