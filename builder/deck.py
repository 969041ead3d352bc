"""Read a deck file: front matter, sections (`# …`) and cards (`## question`, answer below).

The format, in full:

    ---                      optional YAML front matter: title, subtitle, lang (pl/en),
    title: Sieci neuronowe   author, course, date, and any build option (options.FRONT_MATTER) as
    lang: pl                 the deck's default; keys of note apps (tags, aliases…) are passed over
    ---
    # Section
    ## Question {#card-id .tag1 .tag2}
    optional extra front (shown under the question)
    ?
    the answer: everything up to the next `#` or `##` heading

Every problem is collected (not just the first) and names the file, line and card.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it.token import Token

from builder.decklimits import MAX_CARD_CHARS, MAX_CARD_LINES, MAX_DECK_BYTES
from builder.errors import ContentError, Problem
from builder.files import UnreadableFile, read_regular
from builder.frontmatter import LANGUAGES, read_front_matter
from builder.language import detect_language
from builder.markdown import SEPARATOR_TOKEN, parser

_ATTRS_RE = re.compile(r"\{([^{}]*)\}\s*$")  # no leading \s*: on a long run of spaces it backtracks
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
_NO_SPACE_HEADING_RE = re.compile(r"^(#{1,2})[^\s#\d]")  # "##Question": Markdown needs the space
SEPARATOR = "?"  # a line holding only "?" ends an extended front
ATTRS_HINT = "write {#card-id .tag1 .tag2}: an id after #, tags after ., separated by spaces"


@dataclass
class Card:
    number: int  # 1-based position in the deck, printed as #N
    id: str
    question: str  # plain text, for messages and PDF annotations
    question_tokens: list[Token]
    front_tokens: list[Token]  # extra blocks on the front (before a "?" line)
    back_tokens: list[Token]
    section: str
    tags: tuple[str, ...]
    file: str
    line: int  # the heading's line
    part: tuple[int, int] | None = None  # (i, n) when an overflowing answer was split


@dataclass
class Deck:
    path: Path
    display_path: str
    meta: dict[str, str]
    options: dict[str, object]
    option_lines: dict[str, int]
    cards: list[Card]
    sections: list[str]
    source: str
    warnings: list[Problem] = field(default_factory=list)
    lang_detected: bool = False  # no `lang:` in the front matter: meta["lang"] was told from the text

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def title(self) -> str:
        return self.meta.get("title") or self.path.stem

    @property
    def language(self) -> str:
        return LANGUAGES[self.meta.get("lang", "en")]


# Letters NFKD does not take apart into an ASCII letter and an accent.
_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O"})


def slugify(text: str, limit: int = 48) -> str:
    """ASCII kebab-case of a question (card ids), cut at a word boundary to at most `limit`."""
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    if len(slug) > limit:
        head = slug[: limit + 1]
        slug = head[: head.rfind("-")] if "-" in head[1:] else slug[:limit]
    return slug.strip("-") or "card"


def decode_source(data: bytes, display: str) -> str:
    """UTF-8 (with or without BOM), any line ends; a bad byte is reported by line and column."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ContentError(
            Problem(
                f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02X})",
                file=display, line=line, column=col,
                hint="save the deck as UTF-8",
            )
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- cards ----------------------------------------------------------------------------------


@dataclass
class _Heading:
    text: str
    tokens: list[Token]
    card_id: str | None
    tags: tuple[str, ...]
    error: str | None


def _heading(inline: Token) -> _Heading:
    """Question text and tokens with a trailing `{#id .tag}` block taken off.

    A trailing `{…}` counts as attributes only when it starts with # or . — so a question
    ending in a set like `{1, 2}` stays text.
    """
    children = list(inline.children or [])
    card_id, tags, error = None, (), None
    if children and children[-1].type == "text":
        m = _ATTRS_RE.search(children[-1].content)
        words = m.group(1).split() if m else []
        if words and words[0][0] in "#.":
            last = children[-1]
            stripped = Token("text", "", 0, content=last.content[: m.start()].rstrip())
            children = children[:-1] + ([stripped] if stripped.content else [])
            ids = [w[1:] for w in words if w.startswith("#")]
            tags = tuple(w[1:] for w in words if w.startswith(".") and len(w) > 1)
            bad = [w for w in words if not (w.startswith("#") or w.startswith(".")) or len(w) == 1]
            if bad or len(ids) > 1 or any(not _ID_RE.match(i) for i in ids):
                error = f"cannot read the attribute block {{{m.group(1)}}}"
            card_id = ids[0] if len(ids) == 1 and _ID_RE.match(ids[0]) else None
    text = "".join(c.content if c.type != "softbreak" else " " for c in children).strip()
    return _Heading(text, children, card_id, tags, error)


def top_level_blocks(tokens: list[Token]) -> list[list[Token]]:
    """Group a flat token stream into top-level blocks (open … close at nesting 0)."""
    blocks, current, depth = [], [], 0
    for tok in tokens:
        current.append(tok)
        depth += tok.nesting
        if depth == 0:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _line(block: list[Token]) -> int | None:
    return block[0].map[0] + 1 if block[0].map else None


def _is_structure(block: list[Token]) -> bool:
    """`# …` and `## …` written with hashes structure the deck; `Text` over `===`/`---` does not."""
    first = block[0]
    return first.type == "heading_open" and first.tag in ("h1", "h2") and first.markup.startswith("#")


_LEVEL = {"#": "section", "##": "card"}


def _unspaced_heading(block: list[Token]) -> tuple[str, int]:
    """The `#`/`##` of a paragraph line written like a heading but without the space, and the
    line's offset in the paragraph ("", 0 when there is none)."""
    if block[0].type == "paragraph_open":
        for offset, text in enumerate(block[1].content.split("\n")):
            m = _NO_SPACE_HEADING_RE.match(text)
            if m:
                return m.group(1), offset
    return "", 0


@dataclass
class _Draft:
    """A card while its blocks are being collected."""

    number: int
    heading: _Heading
    line: int
    section: str
    front: list[Token] = field(default_factory=list)
    back: list[Token] = field(default_factory=list)
    separator_line: int | None = None


class _DeckReader:
    """Walks the top-level blocks once, collecting cards, problems and warnings."""

    def __init__(self, display: str):
        self.display = display
        self.drafts: list[_Draft] = []
        self.sections: list[str] = []
        self.section_lines: dict[int, int] = {}  # section index → line, to spot empty sections
        self.section: str | None = None
        self.card: _Draft | None = None
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def _at(self, message: str, line: int | None, draft: _Draft | None = None, *, hint: str | None = None,
            warn: bool = False) -> None:
        p = Problem(message, file=self.display, line=line, card_number=draft.number if draft else None,
                    question=draft.heading.text if draft else None, hint=hint)
        (self.warnings if warn else self.problems).append(p)

    def add(self, block: list[Token]) -> None:
        first, line = block[0], _line(block)
        if _is_structure(block):
            heading = _heading(block[1])
            if first.tag == "h1":
                self._section(heading.text, line)
            else:
                self._card(heading, line)
            return
        if self.card is None:
            self._orphan(block, line)
            return
        card = self.card
        if first.type == SEPARATOR_TOKEN:
            self._separator(card, line)
            return
        nested = next((t for t in block if t.type == SEPARATOR_TOKEN), None)
        if nested is not None:
            self._at("the '?' line is inside a list or quote, so it cannot separate front from back",
                     nested.map[0] + 1 if nested.map else line, card,
                     hint="write '?' at the very start of its own line")
        if first.type == "heading_open" and first.tag in ("h1", "h2"):
            self._at(f"text followed by a line of {first.markup * 3} is a Markdown heading, not a "
                     "new card; it is printed as a subheading", line, card,
                     hint="leave an empty line before --- for a rule; start cards with '## '", warn=True)
        hashes, offset = _unspaced_heading(block)
        if hashes:
            self._at(f"'{hashes}' without a space after it is not a heading; this line stays in the answer",
                     line + offset if line else None, card,
                     hint=f"write '{hashes} ' with a space for a new {_LEVEL[hashes]}", warn=True)
        card.back.extend(block)

    def _section(self, title: str, line: int | None) -> None:
        self.section, self.card = title, None
        self.sections.append(title)
        self.section_lines[len(self.sections) - 1] = line or 0

    def _card(self, heading: _Heading, line: int | None) -> None:
        if self.section is None:  # cards before any `# section` belong to an unnamed one
            self.section = ""
            self.sections.append("")
        draft = _Draft(len(self.drafts) + 1, heading, line or 0, self.section)
        self.drafts.append(draft)
        self.card = draft
        self.section_lines.pop(len(self.sections) - 1, None)
        if heading.error:
            self._at(heading.error, line, draft, hint=ATTRS_HINT)
        if not heading.text:
            self._at("card has an empty question", line, draft, hint="write the question after '## '")

    def _orphan(self, block: list[Token], line: int | None) -> None:
        first = block[0]
        if first.type == SEPARATOR_TOKEN:
            what = "a '?' separator line"
        elif first.type == "heading_open" and first.markup.startswith("#"):
            what = "a heading of level 3 or deeper"
        else:
            what = "text"
        where = f"under section '{self.section}' " if self.section else ""
        hashes, _ = _unspaced_heading(block)
        hint = f"write '{hashes} ' with a space" if hashes else "start every card with a '## question' line"
        self._at(f"{what} {where}before the first question (## …) — it belongs to no card", line, hint=hint)

    def _separator(self, card: _Draft, line: int | None) -> None:
        if card.separator_line is not None:
            self._at(f"more than one '?' separator line in a card (the first is on line {card.separator_line})",
                     line, card, hint="a card has one front and one back")
            return
        card.separator_line = line
        card.front, card.back = card.back, []
        if not card.front:
            self._at("'?' right under the question does nothing (the heading is the front)", line, card,
                     warn=True)

    def finish(self) -> list[Card]:
        for index, line in self.section_lines.items():
            self.warnings.append(Problem(f"section '{self.sections[index]}' has no cards", file=self.display,
                                         line=line or None))
        for draft in self.drafts:
            if not draft.back:
                where = "after the '?' line" if draft.separator_line else "under the question"
                self._at("card has no answer", draft.line, draft, hint=f"write the answer {where}")
        self._duplicate_questions()
        ids = self._assign_ids()
        if not self.drafts:
            self.problems.append(Problem("the deck has no cards", file=self.display, line=1,
                                         hint="a card is a '## question' line followed by its answer"))
        return [
            Card(d.number, ids[i], d.heading.text, d.heading.tokens, d.front, d.back, d.section, d.heading.tags,
                 self.display, d.line)
            for i, d in enumerate(self.drafts)
        ]

    def _duplicate_questions(self) -> None:
        seen: dict[str, int] = {}
        for draft in self.drafts:
            key = " ".join(draft.heading.text.lower().split())
            if key and key in seen:
                self._at(f"same question as the card on line {seen[key]}", draft.line, draft, warn=True,
                         hint="merge the cards or make the questions differ")
            seen.setdefault(key, draft.line)

    def _assign_ids(self) -> list[str]:
        """Explicit ids first (a duplicate is an error), then slugs that avoid every taken id."""
        taken: dict[str, int] = {}
        for draft in self.drafts:
            cid = draft.heading.card_id
            if cid is None:
                continue
            if cid in taken:
                self._at(f"duplicate card id '{cid}' (first used on line {taken[cid]})", draft.line, draft,
                         hint="every {#id} must be unique in the deck")
            taken.setdefault(cid, draft.line)
        ids = []
        suffixes: dict[str, int] = {}  # slug -> the next suffix to try: many equal questions stay linear
        for draft in self.drafts:
            cid = draft.heading.card_id
            if cid is None:
                base = cid = slugify(draft.heading.text)
                suffix = suffixes.get(base, 2)
                while cid in taken:
                    cid, suffix = f"{base}-{suffix}", suffix + 1
                suffixes[base] = suffix
                taken[cid] = draft.line
            ids.append(cid)
        return ids


def too_long_cards(cards: list[Card], body: str, display: str) -> list[Problem]:
    """Cards longer than MAX_CARD_CHARS or MAX_CARD_LINES, from their heading to the next card's."""
    if len(body) <= MAX_CARD_CHARS and body.count("\n") <= MAX_CARD_LINES:
        return []
    starts = [0]
    for line in body.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    ends = [c.line for c in cards[1:]] + [len(starts)]
    problems = []
    for card, end in zip(cards, ends):
        size, lines = starts[end - 1] - starts[card.line - 1], end - card.line
        if size > MAX_CARD_CHARS or lines > MAX_CARD_LINES:
            what = f"{size:,} characters" if size > MAX_CARD_CHARS else f"{lines:,} lines"
            problems.append(Problem(f"the card is {what} long; fiszki takes cards of at most "
                                    f"{MAX_CARD_CHARS:,} characters and {MAX_CARD_LINES:,} lines", file=display,
                                    line=card.line, card_number=card.number, question=card.question,
                                    hint="split it into several cards"))
    return problems


def parse_deck_text(text: str, path: Path, display: str | None = None) -> Deck:
    display = display or str(path)
    front, body = read_front_matter(text, display)
    reader = _DeckReader(display)
    reader.warnings += front.warnings
    for block in top_level_blocks(parser().parse(body)):
        reader.add(block)
    cards = reader.finish()
    reader.problems.extend(too_long_cards(cards, body, display))
    if reader.problems:
        raise ContentError(sorted(reader.problems, key=lambda p: p.line or 0))
    detected = "lang" not in front.meta
    if detected:  # labels and hyphenation follow the language the deck is written in
        front.meta["lang"] = detect_language(body)
    return Deck(path, display, front.meta, front.options, front.option_lines, cards, reader.sections, text,
                reader.warnings, lang_detected=detected)


def display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_deck(path: Path) -> Deck:
    display = display_name(path)
    try:
        data = read_regular(path, MAX_DECK_BYTES, "split the deck into several files")
    except UnreadableFile as exc:
        message = {"not found": "deck file not found"}.get(exc.reason, exc.reason)
        if exc.reason.startswith("is a folder"):
            message = "is a folder, not a deck file"
        raise ContentError(Problem(message, file=display, hint=exc.hint if exc.hint and "MB" in exc.reason
                                   else None)) from None
    return parse_deck_text(decode_source(data, display), path, display)
