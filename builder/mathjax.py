"""Checked TeX math (see mathcheck) → the same formula as Anki's MathJax reads it.

Anki shows math with MathJax 3.2 (`tex-chtml-full`, without the `textmacros` extension). Typesetting
every command of the allowlist with that setup (scripts/mathjax_probe.py) shows two gaps:

- a few math commands MathJax does not define; each has a replacement that looks the same;
- inside `\\text{…}` (and `\\textbf{…}`, `\\mbox{…}` …) MathJax reads no commands at all and shows
  them as typed. So accents become the letters they make, and every other command is moved out of
  the text argument into math mode, where MathJax reads it: `\\text{a \\% b}` → `{\\text{a }\\%\\text{ b}}`.

What still cannot look the same is reported, by its offset in the formula, as mathcheck does.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from builder.mathcheck import ARITY, STARRED, TEXT_ARGUMENT, MathProblem

# Math commands MathJax lacks → what it shows the same way.
MATH_EQUIVALENTS = {
    "medspace": r"\:", "thickspace": r"\;", "mathellipsis": r"\ldots", "mathdollar": r"\$",
    "mathsection": r"\S", "mathparagraph": r"\unicode{xB6}", "mathsterling": r"\unicode{xA3}",
    "vcentcolon": r"\mathrel{\vcenter{:}}",
}
# Text commands MathJax lacks → the text command it has.
TEXT_EQUIVALENTS = {"emph": "textit", "textmd": "textrm", "textsc": "textrm"}
LOSSY = {"textsc": "small capitals are shown as ordinary letters (MathJax has no small capitals)"}
# Text accents (\'e, \k{a}) → the combining character they put on their letter.
ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304", ".": "\u0307",
    "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328", "r": "\u030a",
}

_TOKEN = re.compile(r"\\([A-Za-z]+|.)|([{}])|(.)", re.S)


@dataclass
class MathjaxFormula:
    source: str  # what goes between \( \) or \[ \]
    problems: list[MathProblem] = field(default_factory=list)  # cannot be shown as meant
    warnings: list[MathProblem] = field(default_factory=list)  # shown, with a visible difference


def to_mathjax(src: str, display: bool = False) -> MathjaxFormula:
    """The formula `src` (which passed check_math) as Anki's MathJax shows it like pdflatex does."""
    converter = _Converter(src, display)
    source = converter.math(0, len(converter.toks))
    return MathjaxFormula(source, converter.problems, converter.warnings)


@dataclass(frozen=True)
class _Tok:
    start: int
    end: int
    command: str | None  # name after the backslash
    brace: str | None  # "{" or "}"


class _Converter:
    def __init__(self, src: str, display: bool):
        self.src, self.display = src, display
        self.toks = [_Tok(m.start(), m.end(), m.group(1), m.group(2)) for m in _TOKEN.finditer(src)]
        self.problems: list[MathProblem] = []
        self.warnings: list[MathProblem] = []

    def text_of(self, i: int, j: int) -> str:
        return self.src[self.toks[i].start : self.toks[j - 1].end] if i < j else ""

    def argument(self, i: int) -> tuple[int, int, int]:
        """(first, end) of the argument's content starting at token i, and the token after it."""
        while i < len(self.toks) and self.src[self.toks[i].start].isspace() and not self.toks[i].command:
            i += 1
        if i >= len(self.toks):
            return i, i, i
        if self.toks[i].brace != "{":
            return i, i + 1, i + 1
        depth = 0
        for j in range(i, len(self.toks)):
            depth += {"{": 1, "}": -1}.get(self.toks[j].brace or "", 0)
            if depth == 0:
                return i + 1, j, j + 1
        return i + 1, len(self.toks), len(self.toks)  # unbalanced: check_math refuses it first

    def star(self, i: int) -> str:
        """"*" when the command at token i is starred (\\tag*, \\hspace*)."""
        starred = self.toks[i].command in STARRED and i + 1 < len(self.toks)
        return "*" if starred and self.src[self.toks[i + 1].start : self.toks[i + 1].end] == "*" else ""

    def arguments_verbatim(self, i: int, count: int) -> int:
        for _ in range(count):
            i = self.argument(i)[2]
        return i

    def math(self, i: int, end: int) -> str:
        out: list[str] = []
        while i < end:
            tok = self.toks[i]
            name = tok.command
            if name in TEXT_ARGUMENT or name in TEXT_EQUIVALENTS:
                star = self.star(i)
                first, last, i = self.argument(i + 1 + len(star))
                out.append(self.tag(star, first, last, tok.start) if name == "tag" else self.text(tok, first, last))
                continue
            if name == "ensuremath":
                pass  # in math already: its argument is an ordinary group
            elif name in MATH_EQUIVALENTS:
                out.append(MATH_EQUIVALENTS[name])
            elif name == "displaylimits":
                out.append(r"\limits" if self.display else r"\nolimits")
            else:
                out.append(self.src[tok.start : tok.end])
            i += 1
        return "".join(out)

    def text(self, tok: _Tok, first: int, last: int, name: str = "") -> str:
        """A text command's argument as pieces: text MathJax shows as typed, commands in math between."""
        name = name or TEXT_EQUIVALENTS.get(tok.command or "", tok.command or "text")
        if tok.command in LOSSY:
            self.warnings.append(MathProblem(LOSSY[tok.command], tok.start))
        pieces: list[str] = []
        letters: list[str] = []

        def flush() -> None:
            if letters:
                pieces.append(f"\\{name}{{{unicodedata.normalize('NFC', ''.join(letters))}}}")
                letters.clear()

        i = first
        while i < last:
            inner = self.toks[i]
            if inner.brace:  # a group inside text only groups: nothing to show
                i += 1
            elif inner.command is None:
                letters.append(self.src[inner.start : inner.end])
                i += 1
            elif inner.command in ACCENTS:
                a, b, i = self.argument(i + 1)
                base = self.text_of(a, b) or " "
                letters.append(base[0] + ACCENTS[inner.command] + base[1:])
            else:
                flush()
                i = self.moved_out(inner, i, pieces)
        flush()
        if not pieces:
            return f"\\{name}{{}}"
        return pieces[0] if len(pieces) == 1 else "{" + "".join(pieces) + "}"

    def moved_out(self, tok: _Tok, i: int, pieces: list[str]) -> int:
        """A command inside text, in math mode after the text before it; returns the next token."""
        if tok.command in TEXT_ARGUMENT or tok.command in TEXT_EQUIVALENTS:
            first, last, after = self.argument(i + 1)
            pieces.append(self.text(tok, first, last))
            return after
        if tok.command == "ensuremath":
            first, last, after = self.argument(i + 1)
            pieces.append("{" + self.math(first, last) + "}")
            return after
        after = self.arguments_verbatim(i + 1 + len(self.star(i)), ARITY.get(tok.command or "", 0))
        pieces.append(self.math(i, after))
        return after

    def tag(self, star: str, first: int, last: int, offset: int) -> str:
        """\\tag{…} takes one piece of text: a command inside it cannot move out."""
        label = self.text(self.toks[first - 1], first, last, name="tag" + star)
        if label.startswith("{"):
            self.problems.append(MathProblem("Anki's MathJax shows commands inside \\tag{...} as typed; "
                                             "write the label as plain text", offset))
        return label
