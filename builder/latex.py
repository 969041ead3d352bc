"""Text → LaTeX escaping and the Jinja environment every template is rendered with."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Callable, Iterator

import jinja2
from markupsafe import Markup

from builder import templates_dir
from builder.tex.limits import MAX_LINE, fold_long_lines
from pylatex.utils import escape_latex

# Characters pdflatex can typeset with T1 + textcomp + lmodern (measured by compiling every code
# point through LaTeX's utf8 tables: tests/test_latex.py keeps it honest), as inclusive ranges.
# Everything else is mapped to math below or becomes a visible placeholder with a warning.
_TEXT_RANGES = (
    (0x20, 0x7E), (0xA0, 0x125), (0x128, 0x137), (0x139, 0x13E), (0x141, 0x148),
    (0x14A, 0x165), (0x168, 0x17E), (0x192, 0x192), (0x1C4, 0x1D4), (0x1E2, 0x1E3),
    (0x1E6, 0x1EB), (0x1F0, 0x1F0), (0x1F4, 0x1F5), (0x218, 0x21B), (0x232, 0x233),
    (0x237, 0x237), (0x2010, 0x2016), (0x2018, 0x201A), (0x201C, 0x201E), (0x2020, 0x2022),
    (0x2026, 0x2026), (0x2030, 0x2031), (0x2039, 0x203B), (0x203D, 0x203D), (0x2044, 0x2044),
    (0x20AC, 0x20AC), (0x2103, 0x2103), (0x2116, 0x2117), (0x2122, 0x2122), (0x2190, 0x2193),
)

# Fixes on top of pylatex, per character: forms that survive babel's shorthands (polish makes `"`
# active), that T1 cannot turn into ligatures (<< >> ,, !` ?`) and that read back from the PDF as
# the character the user typed.
_OVERRIDES = {
    "^": "\\textasciicircum{}",
    '"': "\\textquotedbl{}",
    "`": "\\textasciigrave{}",
    "'": "\\textquotesingle{}",
    "<": "\\textless{}",
    ">": "\\textgreater{}",
    "|": "\\textbar{}",
}
_NO_BREAK_SPACES = "\u2007\u202f"  # no-break spaces outside the fonts (U+00A0 is pylatex's ~)

UnsupportedHandler = Callable[[str], None]

# Speed: a 1000-card deck escapes ~250k characters. Runs that need no escaping are returned as
# they are, and each character's escape is worked out once and remembered.
_PLAIN = re.compile(r"[A-Za-z0-9 .:;!?()=+*/@ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]*")
_ESCAPED: dict[str, str] = {}


@lru_cache(maxsize=4096)
def _text_safe(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _TEXT_RANGES)


def _math_symbol(ch: str) -> str | None:
    from builder.mathcheck import MATH_UNICODE  # the same table math uses: μ → \mu, ≤ → \le …

    macro = MATH_UNICODE.get(ch)
    return f"\\ensuremath{{{macro}}}" if macro else None


def placeholder(ch: str) -> str:
    """A visible box naming the code point, for characters the fonts cannot show."""
    return f"\\fzmissing{{U+{ord(ch):04X}}}"


def _escape_char(ch: str) -> str:
    return _OVERRIDES.get(ch) or escape_latex(ch)


def escape_text(text: str, on_unsupported: UnsupportedHandler | None = None) -> str:
    """Escape plain text for LaTeX. The only escaping function of fiszki.

    LaTeX specials go through pylatex's `escape_latex`; characters outside the fonts are mapped
    to math symbols where one exists, else to a placeholder (and reported to `on_unsupported`):
    one per character as the reader sees it (a grapheme cluster: 👍🏽 or 👨‍👩‍👧 is one).
    Emoji presentation selectors (U+FE0E, U+FE0F) after a printable character are dropped.
    """
    text = unicodedata.normalize("NFC", text)
    if _PLAIN.fullmatch(text):
        return text  # the common case: words and spaces need no escaping at all
    out: list[str] = []
    i = -1
    while i + 1 < len(text):
        i += 1
        ch = text[i]
        known = _ESCAPED.get(ch)
        if known is not None:
            out.append(known)
        elif ch in "\r\n\t":
            out.append(" ")
        elif ch == "," and text[i + 1 : i + 2] == ",":
            out.append(",{}")  # T1 would join ",," into a low quote
        elif _text_safe(ch):
            out.append(_escape_char(ch))
            if ch != ",":
                _ESCAPED[ch] = out[-1]
        elif (mapped := _math_symbol(ch)) is not None:
            out.append(mapped)
            _ESCAPED[ch] = mapped
        elif unicodedata.category(ch) == "Zs":  # em space, ideographic space, …
            out.append("~" if ch in _NO_BREAK_SPACES else " ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") or ch in _SELECTORS:
            out.append(" " if ch in "\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x1f\x85" else "")  # invisible controls vanish
        else:
            cluster = grapheme_at(text, i)
            if on_unsupported:
                on_unsupported(cluster)
            out.append(placeholder(ch))
            i += len(cluster) - 1
    return "".join(out)


_SELECTORS = "\ufe0e\ufe0f"


def grapheme_at(text: str, i: int) -> str:
    """The character as the reader sees it (extended grapheme cluster) starting at text[i]."""
    import regex  # only for text the fonts cannot show: most decks never need it

    return regex.match(r"\X", text, pos=i).group()


def error_box(message: str) -> str:
    """A visible box saying what went wrong, where a card (or a part of one) cannot be shown."""
    return f"\\fzerror{{{escape_text(message)}}}"


def pdf_text_string(text: str) -> str:
    """A PDF text string in hex UTF-16BE: any Unicode, and nothing TeX or PDF could misread. A long
    one is cut into lines (PDF ignores white space in a hex string), as TeX reads lines of limited
    length."""
    hexed = text.encode("utf-16-be").hex().upper()
    if len(hexed) > MAX_LINE // 2:
        hexed = "\n".join(hexed[i:i + MAX_LINE // 2] for i in range(0, len(hexed), MAX_LINE // 2))
    return "<FEFF" + hexed + ">"


def _finalize(value: object) -> object:
    """Escape every value printed by a template unless it is marked as LaTeX (Markup)."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, (int, float)):
        return value
    return escape_text(str(value))


def latex(code: str) -> Markup:
    """Mark a string as finished LaTeX: the template prints it unescaped."""
    return Markup(code)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        block_start_string="((*",
        block_end_string="*))",
        variable_start_string="((=",
        variable_end_string="=))",
        comment_start_string="((#",
        comment_end_string="#))",
        line_statement_prefix=None,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        finalize=_finalize,
    )
    env.filters["bp"] = lambda v: Markup(bp(v))
    env.filters["pdfstr"] = lambda v: Markup(pdf_text_string(str(v)))
    return env


def bp(value: float) -> str:
    """A length in big points as TeX reads it: three decimals at most, no trailing zeros."""
    return f"{float(value):.3f}".rstrip("0").rstrip(".")


def render_template(name: str, **context: object) -> str:
    return fold_long_lines(environment().get_template(name).render(**context))


def stream_template(name: str, **context: object) -> Iterator[str]:
    """The template's output in pieces of about 64 KB as it is made, for a TeX run that starts
    typesetting the first pages while the last are still being written."""
    pieces: list[str] = []
    size = 0
    for piece in environment().get_template(name).generate(**context):
        pieces.append(piece)
        size += len(piece)
        if size >= 65536:
            text = "".join(pieces)
            end = text.rfind("\n") + 1  # whole lines only: a long line is cut in one piece
            if end:
                yield fold_long_lines(text[:end])
                pieces, size = [text[end:]], len(text) - end
    yield fold_long_lines("".join(pieces))
