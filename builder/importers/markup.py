"""Imported Markdown read with the build's own parser, to keep each card's text inside its card.

The deck writer (builder.importers.writer) calls these on every question, front and answer.
"""
from __future__ import annotations

from markdown_it.token import Token

from builder.deck import top_level_blocks
from builder.importers.mdtext import code_span
from builder.latex import escape_text
from builder.markdown import SEPARATOR_TOKEN, parser
from builder.mathcheck import check_math

_CLOSERS = {"$": "$", "$$": "$$", "\\(": "\\)", "\\[": "\\]"}
_MATH = ("math_inline", "math_inline_double", "math_block")


def _tokens(text: str) -> list[Token]:
    return parser().parse(text)


def _all(tokens: list[Token]):
    for tok in tokens:
        yield tok
        yield from tok.children or ()


def first_line_and_rest(text: str) -> tuple[str, str]:
    """The first paragraph as one line of inline Markdown, and the Markdown after it; ("", text)
    when the text does not start with a paragraph (a list, a formula, a table …)."""
    blocks = top_level_blocks(_tokens(text))
    if not blocks or blocks[0][0].type != "paragraph_open" or not blocks[0][0].map:
        return "", text
    lines = text.split("\n")
    start, end = blocks[0][0].map
    parts = []
    for line in lines[start:end]:
        line = line.strip()
        if line.endswith("\\"):
            line = line[:-1].rstrip()  # a hard break: the heading is one line anyway
        parts.append(line)
    return " ".join(p for p in parts if p), "\n".join(lines[end:]).strip("\n")


def has_text(inline: str) -> bool:
    """Whether a line of inline Markdown shows any text, math or code (an image alone does not)."""
    if not inline.strip():
        return False
    children = parser().parseInline(inline)[0].children or []
    return any(tok.type in ("text", "code_inline", *_MATH) and tok.content.strip() for tok in children)


def close_fences(text: str) -> tuple[str, bool]:
    """A code block left open would run on to the end of the deck: close it at the card's end."""
    lines = text.split("\n")
    for block in top_level_blocks(_tokens(text)):
        tok = block[0]
        if tok.type == "fence" and tok.map and tok.map[1] >= len(lines):
            last = lines[tok.map[1] - 1].strip()
            closed = tok.map[1] - tok.map[0] > 1 and last and set(last) == {tok.markup[0]} \
                and len(last) >= len(tok.markup)
            if not closed:
                return text + "\n" + tok.markup, True
    return text, False


def demote_structure(text: str) -> tuple[str, list[str]]:
    """`#`/`##` headings would start a section or card: made `###`; a lone `?` line (the deck's
    front/back separator) is escaped. Returns the text and the headings that were changed."""
    lines = text.split("\n")
    demoted = []
    for tok in _tokens(text):
        if not tok.map:
            continue
        row = tok.map[0]
        if tok.type == "heading_open" and tok.level == 0 and tok.tag in ("h1", "h2") and tok.markup.startswith("#"):
            stripped = lines[row].lstrip()
            demoted.append(stripped)
            lines[row] = lines[row][: len(lines[row]) - len(stripped)] + "###" + stripped.lstrip("#")
        elif tok.type == SEPARATOR_TOKEN:
            at = lines[row].rfind("?")
            lines[row] = lines[row][:at] + "\\?" + lines[row][at + 1:]
    return "\n".join(lines), demoted


def refuse_bad_math(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Formulas the build would refuse, kept as code so the deck still builds: (text, [(formula,
    why)])."""
    refused = []
    for tok in _all(_tokens(text)):
        if tok.type not in _MATH:
            continue
        problems = check_math(tok.content, display=tok.type != "math_inline")
        if not problems:
            continue
        markup = tok.markup or "$"
        source = markup + tok.content + _CLOSERS.get(markup, markup)
        if source in text:
            text = text.replace(source, code_span(source), 1)
            refused.append((" ".join(source.split())[:80], problems[0].message))
    return text, refused


def unprintable_characters(text: str) -> list[str]:
    """Characters of the text that the card font cannot show (the build prints a box instead)."""
    found: set[str] = set()
    for tok in _all(_tokens(text)):
        if tok.type in ("text", "code_inline", "fence", "code_block") and tok.content:
            escape_text(tok.content, found.add)
    return sorted(found)
