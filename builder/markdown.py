"""The Markdown parser fiszki uses: CommonMark + tables + $…$/$$…$$ and \\(…\\)/\\[…\\] math
(and `$ … $` with spaces inside, when it is clearly math)."""
from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.table import escapedSplit
from markdown_it.rules_block.table import table as gfm_table
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.dollarmath import dollarmath_plugin

from builder.mathcheck import check_math

_BRACKETS = {"\\(": ("\\)", "math_inline"), "\\[": ("\\]", "math_inline_double")}
# Display math on lines of its own: opener → closer. Both become the same `math_block` token.
_BLOCK_DELIMITERS = {"$$": "$$", "\\[": "\\]"}


def find_closer(text: str, closer: str, start: int = 0) -> int:
    """Index of `closer` in `text` from `start`, stepping over backslash pairs (`\\\\]` is no `\\]`)."""
    i = start
    while i < len(text):
        if text.startswith(closer, i):
            return i
        i += 2 if text[i] == "\\" else 1
    return -1


def _bracket_math(state: StateInline, silent: bool) -> bool:
    """\\(…\\) and \\[…\\] as math; must run before CommonMark's backslash escapes eat them.

    Without its closer in the same paragraph, `\\(` stays what CommonMark makes of it: an
    escaped `(`.
    """
    opener = state.src[state.pos : state.pos + 2]
    if opener not in _BRACKETS:
        return False
    closer, kind = _BRACKETS[opener]
    end = find_closer(state.src, closer, state.pos + 2)
    if end < 0:
        return False
    if not silent:
        token = state.push(kind, "math", 0)
        token.content = state.src[state.pos + 2 : end]
        token.markup = opener
    state.pos = end + 2
    return True


# What makes `$ … $` with spaces inside math, not prices: a TeX special or operator, or one letter.
_MATHY_RE = re.compile(r"[\\^_=<>+*{}]|^[A-Za-z]$")


def _spaced_math(state: StateInline, silent: bool) -> bool:
    """`$ x^2 $`: inline math with spaces inside its dollars, as note apps allow (the dollarmath
    rule does not, so that "$5 and $10" stays text). Taken as math only when it is clearly math:
    the body holds a TeX special or an operator, or is one letter, and passes the math check
    whole (no code span or stray text specials in it); the closing `$` is not followed by a
    digit and the opening one not preceded by one."""
    src, pos = state.src, state.pos
    if src[pos] != "$" or src.startswith("$$", pos) or (pos and (src[pos - 1] in "\\$" or src[pos - 1].isdigit())):
        return False
    end = find_closer(src, "$", pos + 1)
    if end < 0 or src.startswith("$$", end) or src[end + 1 : end + 2].isdigit():
        return False
    body = src[pos + 1 : end]
    if body == body.strip() or not _MATHY_RE.search(body.strip()) or "`" in body or check_math(body):
        return False  # no space inside (the dollarmath rule's case), or not clearly math
    if not silent:
        token = state.push("math_inline", "math", 0)
        token.content = body.strip(" \t")
        token.markup = "$"
    state.pos = end + 1
    return True


def _math_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """`$$…$$` or `\\[…\\]` starting a line and closed at the end of a line, no blank line between.

    The content keeps the text after the opener, so its line 0 is the opener's line (math errors
    are reported on the deck's own line). A blank line ends the search: an unclosed `$$` never
    swallows the cards below it.
    """
    if state.is_code_block(start):
        return False
    pos = state.bMarks[start] + state.tShift[start]
    opener = state.src[pos : pos + 2]
    if opener not in _BLOCK_DELIMITERS:
        return False
    closer = _BLOCK_DELIMITERS[opener]
    parts: list[str] = []
    line, begin = start, pos + 2
    while line < end:
        if line > start:
            if state.isEmpty(line) or state.sCount[line] < state.blkIndent:
                return False  # blank line, or the end of the list item / quote holding us
            begin = state.bMarks[line]  # indentation kept: error columns match the file
        text = state.src[begin : state.eMarks[line]]
        at = find_closer(text, closer)
        if at >= 0:
            if text[at + 2 :].strip():
                return False  # text after the closer: math inside a paragraph, not a block
            parts.append(text[:at])
            break
        parts.append(text + "\n")
        line += 1
    else:
        return False
    if not silent:
        token = state.push("math_block", "math", 0)
        token.block = True
        token.content = "".join(parts)
        token.markup = opener
        token.map = [start, line + 1]
        state.line = line + 1
    return True


def _table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """GitHub tables. GFM drops the cells of a row beyond the header's count; we keep their
    source in the row's `tr_open.meta["extra_cells"]` so nothing the deck says is lost."""
    first = len(state.tokens)
    if not gfm_table(state, start, end, silent):
        return False
    tokens = state.tokens[first:]
    columns = sum(1 for tok in tokens if tok.type == "th_open")
    for tok in tokens:
        if tok.type == "tr_open" and tok.map:
            line = tok.map[0]
            cells = escapedSplit(state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]].strip())
            cells = cells[1:] if cells and not cells[0].strip() else cells
            cells = cells[:-1] if cells and not cells[-1].strip() else cells
            if len(cells) > columns:
                tok.meta["extra_cells"] = [cell.strip() for cell in cells[columns:]]
    return True


SEPARATOR_TOKEN = "fiszki_separator"


def _separator(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A line holding only `?` (the deck's front/back separator) is a block of its own.

    It also ends a paragraph, list or quote above it, so `front text` directly followed by `?`
    works without blank lines. Inside a code block it stays code (that rule runs first).
    """
    if state.is_code_block(start):
        return False
    line = state.src[state.bMarks[start] + state.tShift[start] : state.eMarks[start]]
    if line.strip() != "?":
        return False
    if not silent:
        token = state.push(SEPARATOR_TOKEN, "", 0)
        token.map = [start, start + 1]
        token.markup = "?"
    state.line = start + 1
    return True


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    md = (
        MarkdownIt("commonmark", {"html": False})
        .enable("table")
        # allow_space/allow_digits off: "$5 and $10" stays text; $$…$$ inside a paragraph is display.
        .use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    )
    md.inline.ruler.before("escape", "bracket_math", _bracket_math)
    md.inline.ruler.before("math_inline", "spaced_math", _spaced_math)
    md.block.ruler.at("table", _table, {"alt": ["paragraph", "reference"]})
    # Our block rule replaces the plugin's: it also reads \[…\], stops at a blank line and may
    # interrupt a paragraph, so the formula's lines are never read as lists or headings.
    md.block.ruler.disable("math_block")
    md.block.ruler.before("fence", "fiszki_math_block", _math_block,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.block.ruler.before("paragraph", SEPARATOR_TOKEN, _separator,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})
    return md
