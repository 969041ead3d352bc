"""Read a deck file: front matter, sections (`# …`) and cards (`## question`, answer below)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from markdown_it.token import Token

from builder.errors import ContentError, Problem
from builder.markdown import parser

META_KEYS = ("title", "subtitle", "lang", "author", "course", "date")
# Build options a deck may set as its defaults (the command line wins). Values are checked
# by the build options code; here only the names.
OPTION_KEYS = (
    "paper", "orientation", "card", "grid", "margin", "gutter", "flip", "overflow",
    "cut_marks", "back_offset", "mode", "bleed", "min_size", "pages", "columns",
    "cheat_min_size", "section", "tag", "cards", "shuffle", "seed",
)
LANGUAGES = {"pl": "polish", "en": "english"}  # babel names of the languages TeX has installed

_ATTRS_RE = re.compile(r"\s*\{([^{}]*)\}\s*$")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
SEPARATOR = "?"  # a line holding only "?" ends an extended front


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

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def title(self) -> str:
        return self.meta.get("title") or self.path.stem

    @property
    def language(self) -> str:
        return LANGUAGES[self.meta.get("lang", "en")]


def slugify(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    ascii_text = folded.encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug[:48].rstrip("-") or "card"


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


def _split_front_matter(text: str, display: str) -> tuple[dict, dict[str, int], str]:
    """Parse YAML front matter; blank its lines so Markdown line numbers stay the file's."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, {}, text
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        raise ContentError(Problem("front matter starts with --- but never ends", file=display, line=1,
                                   hint="close it with a line holding only ---"))
    yaml_text = "\n".join(lines[1:end])
    try:
        node = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(yaml_text) if node is not None else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        raise ContentError(Problem(f"front matter is not valid YAML: {getattr(exc, 'problem', exc)}",
                                   file=display, line=line)) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ContentError(Problem("front matter must be key: value lines", file=display, line=2))
    key_lines = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            key_lines[str(key_node.value)] = key_node.start_mark.line + 2
    body = "\n" * end + "\n" + "\n".join(lines[end + 1 :])
    return data, key_lines, body


def _check_front_matter(data: dict, key_lines: dict[str, int], display: str) -> tuple[dict, dict]:
    problems, meta, options = [], {}, {}
    for key, value in data.items():
        name = str(key).replace("-", "_")
        line = key_lines.get(str(key))
        if name in META_KEYS:
            meta[name] = "" if value is None else str(value)
        elif name in OPTION_KEYS:
            options[name] = value
        else:
            known = ", ".join(META_KEYS + OPTION_KEYS)
            problems.append(Problem(f"unknown front-matter key '{key}'", file=display, line=line,
                                    hint=f"known keys: {known}"))
    lang = meta.get("lang", "en")
    if lang not in LANGUAGES:
        problems.append(Problem(f"unknown language '{lang}'", file=display, line=key_lines.get("lang"),
                                hint=f"use one of: {', '.join(LANGUAGES)}"))
    if problems:
        raise ContentError(problems)
    return meta, options


def _heading_text(inline: Token) -> tuple[str, list[Token], str | None, tuple[str, ...], str | None]:
    """Question text and tokens with a trailing `{#id .tag}` block taken off."""
    children = list(inline.children or [])
    card_id, tags, error = None, (), None
    if children and children[-1].type == "text":
        m = _ATTRS_RE.search(children[-1].content)
        if m:
            last = children[-1]
            stripped = Token("text", "", 0, content=last.content[: m.start()].rstrip())
            children = children[:-1] + ([stripped] if stripped.content else [])
            words = m.group(1).split()
            ids = [w[1:] for w in words if w.startswith("#")]
            tags = tuple(w[1:] for w in words if w.startswith(".") and len(w) > 1)
            bad = [w for w in words if not (w.startswith("#") or w.startswith("."))]
            if bad or len(ids) > 1 or any(not _ID_RE.match(i) for i in ids):
                error = f"cannot read the attribute block {{{m.group(1)}}}: write {{#card-id .tag1 .tag2}}"
            card_id = ids[0] if ids else None
    text = "".join(c.content if c.type != "softbreak" else " " for c in children).strip()
    return text, children, card_id, tags, error


def _is_separator(tokens: list[Token], i: int) -> bool:
    return (
        tokens[i].type == "paragraph_open"
        and i + 1 < len(tokens)
        and tokens[i + 1].type == "inline"
        and tokens[i + 1].content.strip() == SEPARATOR
    )


def _blocks(tokens: list[Token]) -> list[list[Token]]:
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


def parse_deck_text(text: str, path: Path, display: str | None = None) -> Deck:
    display = display or str(path)
    data, key_lines, body = _split_front_matter(text, display)
    meta, options = _check_front_matter(data, key_lines, display)
    tokens = parser().parse(body)
    problems: list[Problem] = []
    warnings: list[Problem] = []
    cards: list[Card] = []
    sections: list[str] = []
    section = None
    card = None
    in_back = True
    seen_ids: dict[str, int] = {}
    seen_questions: dict[str, int] = {}

    for block in _blocks(tokens):
        first = block[0]
        line = first.map[0] + 1 if first.map else None
        if first.type == "heading_open" and first.tag in ("h1", "h2"):
            text_, children, card_id, tags, error = _heading_text(block[1])
            if first.tag == "h1":
                section, card = text_, None
                sections.append(text_)
                continue
            if error:
                problems.append(Problem(error, file=display, line=line, question=text_))
            if not text_:
                problems.append(Problem("card has an empty question", file=display, line=line))
            number = len(cards) + 1
            explicit = card_id is not None
            card_id = card_id or slugify(text_)
            if card_id in seen_ids:
                if explicit:
                    problems.append(Problem(f"duplicate card id '{card_id}' (first used on line {seen_ids[card_id]})",
                                            file=display, line=line, card_number=number, question=text_))
                else:
                    suffix = 2
                    while f"{card_id}-{suffix}" in seen_ids:
                        suffix += 1
                    card_id = f"{card_id}-{suffix}"
            seen_ids[card_id] = line
            if text_ in seen_questions:
                warnings.append(Problem(f"same question as the card on line {seen_questions[text_]}",
                                        file=display, line=line, card_number=number, question=text_))
            seen_questions.setdefault(text_, line)
            card = Card(number, card_id, text_, children, [], [], section or "", tags, display, line)
            if section is None:
                section = ""
                sections.append("")
            cards.append(card)
            in_back = True
            continue
        if card is None:
            if first.type == "heading_open":
                what = "a heading of level 3 or deeper"
            else:
                what = "text"
            problems.append(Problem(f"{what} before the first question (## …)", file=display, line=line,
                                    hint="start every card with a '## question' line"))
            continue
        if _is_separator(block, 0):
            if card.front_tokens or not in_back:
                problems.append(Problem("more than one '?' separator line in a card", file=display, line=line,
                                        card_number=card.number, question=card.question))
            else:
                card.front_tokens, card.back_tokens = card.back_tokens, []
                in_back = False
                if not card.front_tokens:
                    warnings.append(Problem("'?' right under the question does nothing (the heading is the front)",
                                            file=display, line=line, card_number=card.number,
                                            question=card.question))
            continue
        card.back_tokens.extend(block)

    for c in cards:
        if not c.back_tokens:
            problems.append(Problem("card has no answer", file=display, line=c.line, card_number=c.number,
                                    question=c.question, hint="write the answer under the question"))
    if not cards and not problems:
        problems.append(Problem("the deck has no cards", file=display, line=None,
                                hint="a card is a '## question' line followed by its answer"))
    if problems:
        raise ContentError(problems)
    return Deck(path, display, meta, options, {k: key_lines.get(k) for k in options}, cards,
                [s for s in sections], text, warnings)


def display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_deck(path: Path) -> Deck:
    display = display_name(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ContentError(Problem("deck file not found", file=display)) from None
    except IsADirectoryError:
        raise ContentError(Problem("is a folder, not a deck file", file=display)) from None
    return parse_deck_text(decode_source(data, display), path, display)
