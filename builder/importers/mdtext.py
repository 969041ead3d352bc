"""Small pieces of Markdown every importer writes: escaped plain text, code spans, math, headings.

Every function here is linear in its input: imported files can be large and hostile, and a
pattern that backtracks (a 70 kB line of `#` and spaces once took 85 s) is not used.
"""
from __future__ import annotations

import re

# Characters that would start Markdown (or TeX math) inside a line of plain text. Brackets are
# not escaped as \[ \]: the deck reads \[…\] as display math. A link or image needs "](" or
# "![", so "]" before "(", "[" or ":" and "!" before "[" are escaped instead.
_INLINE_SPECIALS = re.compile(r"([\\`*_$~])")
_LINK_SYNTAX = re.compile(r"\](?=[(\[:])|!(?=\[)")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")  # an autolink or tag; "a < b" stays as it is
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")  # "&amp;" would be read as "&"
_ORDERED_MARK = re.compile(r"\d{1,9}(?=[.)])")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BACKTICKS = re.compile(r"`+")


def printable(text: str) -> str:
    """Text from a source, safe on a terminal: control characters (ESC, BEL …) shown escaped."""
    return "".join(ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode() for ch in text)


def escape_inline(text: str) -> str:
    """Plain text (no line breaks) as Markdown that shows exactly this text."""
    text = _INLINE_SPECIALS.sub(r"\\\1", text)
    text = _LINK_SYNTAX.sub(lambda m: "\\" + m.group(0), text)
    text = _TAG_START.sub(r"\\<", text)
    return _ENTITY.sub(r"\\&", text)


def escape_line_start(line: str) -> str:
    """A line of escaped text that must not start a block: list, quote, heading, rule, `?`."""
    line = line.lstrip(" \t")  # four spaces would make it code
    if line == "?":
        return "\\?"  # a line holding only "?" separates a card's front from its back
    m = _ORDERED_MARK.match(line)
    if m:
        return line[: m.end()] + "\\" + line[m.end():]
    if line[:1] in ("#", ">", "+", "-", "="):
        return "\\" + line
    return line


def plain_to_markdown(text: str) -> str:
    """Plain text as Markdown: escaped, line breaks kept (hard breaks), blank lines as paragraphs."""
    paragraphs = []
    for block in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [escape_line_start(escape_inline(_SPACES.sub(" ", ln).strip())) for ln in block.split("\n")]
        lines = [ln for ln in lines if ln]
        if lines:
            paragraphs.append("\\\n".join(lines))
    return "\n\n".join(paragraphs)


def code_span(text: str) -> str:
    """`text` as inline code, whatever backticks it holds."""
    text = text.replace("\n", " ")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def math_span(content: str, display: bool, before: str = "", after: str = "") -> str:
    """A formula in the deck's syntax: `$…$` / `$$…$$`, or `\\(…\\)` / `\\[…\\]` where a dollar
    would not work (a `$` inside, or a digit right before or after, as in "2$x$")."""
    content = content.strip()
    if display:
        if "$$" in content:
            return f"\\[{content}\\]"
        return f"$${content}$$"
    if "$" in content or before[-1:].isdigit() or after[:1].isdigit():
        return f"\\({content}\\)"
    return f"${content}$"


def atx_heading(line: str) -> tuple[int, str] | None:
    """(level, text) of a `#` heading line as CommonMark reads it, or None. Linear: no regex."""
    body = line.lstrip(" ")
    if len(line) - len(body) > 3:
        return None
    level = len(body) - len(body.lstrip("#"))
    if not 1 <= level <= 6:
        return None
    rest = body[level:]
    if rest and rest[0] not in " \t":
        return None
    rest = rest.strip(" \t")
    closed = rest.rstrip("#")  # an optional closing sequence: "## Title ##"
    if not closed:
        return level, ""
    if closed != rest and closed[-1] in " \t":
        rest = closed.rstrip(" \t")
    return level, rest


def fence_of(line: str) -> str | None:
    """The fence (``` or ~~~ …) a line opens a code block with, or None."""
    body = line.lstrip(" ")
    if len(line) - len(body) > 3 or body[:3] not in ("```", "~~~"):
        return None
    char = body[0]
    fence = body[: len(body) - len(body.lstrip(char))]
    if char == "`" and "`" in body[len(fence):]:
        return None  # a backtick fence's info string holds no backtick
    return fence


def closes_fence(line: str, fence: str) -> bool:
    body = line.strip(" \t")
    return len(line) - len(line.lstrip(" ")) <= 3 and len(body) >= len(fence) and body == fence[0] * len(body)


def split_protected(text: str, code_spans: bool = True) -> list[tuple[bool, str]]:
    """One line as (protected, piece): math (`$…$`, `$$…$$`, `\\(…\\)`, `\\[…\\]`, delimiters
    kept) and, with `code_spans`, inline code are protected; the rest is text to convert.

    Like the deck parser, a `$` with a digit right before it (opening) or right after it
    (closing) is not math, and an unclosed one (a price, say) stays text. Linear: once no closer
    of a kind is found, later openers of that kind are not searched again.
    """
    out: list[tuple[bool, str]] = []
    i = start = 0
    n = len(text)
    missing: set[str] = set()
    while i < n:
        end = _protected_end(text, i, code_spans, missing)
        if end is None:
            i += 2 if text[i] == "\\" else 1
            continue
        if i > start:
            out.append((False, text[start:i]))
        out.append((True, text[i:end]))
        i = start = end
    if start < n:
        out.append((False, text[start:]))
    return out


def _protected_end(text: str, i: int, code_spans: bool, missing: set[str]) -> int | None:
    """Where the math or code starting at i ends, or None when nothing protected starts there."""
    if code_spans and text[i] == "`":
        run = _BACKTICKS.match(text, i).end() - i
        closer = "`" * run
    elif text.startswith(("\\(", "\\["), i):
        run, closer = 2, "\\)" if text[i + 1] == "(" else "\\]"
    elif text[i] == "$" and not (i > 0 and text[i - 1].isdigit()):
        closer = "$$" if text.startswith("$$", i) else "$"
        run = len(closer)
    else:
        return None
    if closer in missing:
        return None
    j = _find_unescaped(text, closer, i + run) if closer[0] == "$" else text.find(closer, i + run)
    if j < 0:
        missing.add(closer)
        return None
    end = j + len(closer)
    if closer[0] == "$" and text[end:end + 1].isdigit():
        return None
    return end


def _find_unescaped(text: str, closer: str, pos: int) -> int:
    while True:
        j = text.find(closer, pos)
        if j < 0:
            return -1
        k = j
        while k > 0 and text[k - 1] == "\\":
            k -= 1
        if (j - k) % 2 == 0:
            return j
        pos = j + 1
