"""Cleaning the text of loose notes: LaTeX the export damaged, math, lists, tab tables.

The notes' export ate `\\f` and `\\r` as form-feed / carriage-return escapes (`rac{` is
`\\frac{`, `ightarrow` is `\\rightarrow`), set some sentences as `\\mathsf{…}` math and wrote
tables as tab-separated lines. `Cleaner` repairs what it can and notes every repair with its
line, so the user can check it. Used by builder.importers.notes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from builder.importers.mdtext import split_protected

_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])(?:\s|$)")
_ORDERED_ITEM = re.compile(r"^\s*(\d{1,9})[.)](?:\s|$)")
_DASHED_NUMBER = re.compile(r"^(\s*)[-*+]\s+(\d{1,9})[.)]\s+")  # "- 1. text"
_SETEXT_UNDERLINE = re.compile(r"^\s*(?:=+|-+)\s*$")
_STRAY_STAR = re.compile(r"\[\\?\*\]")

# Damage from the lost `\f` / `\r` escapes.
_FRAC = re.compile(r"(?<![fF\\])rac\{")  # \frac, \dfrac, \tfrac, \cfrac keep their "f"
_RIGHTARROW = re.compile(r"(?<![rR\\])ightarrow")  # \rightarrow, \Longrightarrow … keep their "r"
_RIGHT = re.compile(r"(?<![A-Za-z\\])ight(?![A-Za-z])")  # a lone "ight" in math is \right
_MATH_ACCENT = re.compile(r"(?<!\\)\\(['`\"~^.])(?:\{([A-Za-z])\}|([A-Za-z]))")
_OLD_FONT = re.compile(r"\{\\(rm|bf|it|sf|tt|cal)(?![A-Za-z])\s*([^{}]*)\}")  # {\rm in} -> {\mathrm{in}}
_ACCENTS = {"'": "acute", "`": "grave", '"': "ddot", "~": "tilde", "^": "hat", ".": "dot"}
# What is left of a `\r…` command when the CR became a line break inside math.
# "m in}" is what is left of "{\\rm in}"; "m_t" on the line after "$$" is just an m.
CR_REST = re.compile(r"(?:ight(?:arrow)?|angle|ceil|floor|ho|vert|Vert|brace|brack)(?![A-Za-z])|m(?= +[A-Za-z]+\})")
FF_REST = re.compile(r"(?:rac(?=\{)|orall(?![A-Za-z]))")

_MATHSF_WORD = re.compile(r"\\mathsf\{([^{}]*)\}([.,;:]?)")
# The export wrote Polish letters as TeX accents; \'z is more often ż (każdy) than ź in these notes.
_TEXT_ACCENTS = {"\\'o": "ó", "\\'z": "ż", "\\'s": "ś", "\\'c": "ć", "\\'n": "ń"}


@dataclass
class Line:
    no: int  # 1-based line in the notes
    text: str
    block: tuple[str, int] | None = None  # ("code"|"math", id) for fenced code / $$ blocks


def is_blank(text: str) -> bool:
    return not text.strip()


def math_state(text: str, state: str | None) -> str | None:
    """Which math is open after `text` ("$", "$$" or None), starting with `state` open."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "$":
            double = text.startswith("$$", i)
            if state is None:
                state = "$$" if double else "$"
                i += 2 if double else 1
                continue
            if state == "$$" and double:
                state, i = None, i + 2
                continue
            if state == "$":
                state = None
        i += 1
    return state


def _balanced_groups(text: str, pos: int, count: int) -> int | None:
    """End index after `count` consecutive {…} groups starting at `pos`, or None."""
    for _ in range(count):
        if pos >= len(text) or text[pos] != "{":
            return None
        depth = 0
        while pos < len(text):
            if text[pos] == "{":
                depth += 1
            elif text[pos] == "}":
                depth -= 1
                if depth == 0:
                    break
            pos += 1
        else:
            return None
        pos += 1
    return pos


class Cleaner:
    """The repairs, each noted through `note(line, message)`."""

    def __init__(self, note: Callable[[int, str], None]):
        self.note = note

    def _fix_math(self, math: str, no: int) -> str:
        """Repairs inside math (delimiters included or not)."""
        fixed, n = _FRAC.subn(r"\\frac{", math)
        if n:
            self.note(no, "repaired damaged LaTeX 'rac{' -> '\\frac{'" + (f" ({n}x)" if n > 1 else ""))
        fixed, n = _RIGHTARROW.subn(r"\\rightarrow", fixed)
        if n:
            self.note(no, "repaired damaged LaTeX 'ightarrow' -> '\\rightarrow'" + (f" ({n}x)" if n > 1 else ""))
        fixed, n = _RIGHT.subn(r"\\right", fixed)
        if n:
            self.note(no, "repaired damaged LaTeX 'ight' -> '\\right'" + (f" ({n}x)" if n > 1 else ""))

        fixed, n = _OLD_FONT.subn(lambda m: f"{{\\math{m.group(1)}{{{m.group(2).strip()}}}}}", fixed)
        if n:
            self.note(no, "old font switch {\\rm …} in math replaced by {\\mathrm{…}}" + (f" ({n}x)" if n > 1 else ""))

        def accent(m: re.Match) -> str:
            return f"\\{_ACCENTS[m.group(1)]}{{{m.group(2) or m.group(3)}}}"

        fixed, n = _MATH_ACCENT.subn(accent, fixed)
        if n:
            self.note(no, "text accents like \\'o are invalid in math: replaced by \\acute{o} etc."
                      + (f" ({n}x)" if n > 1 else ""))
        return fixed

    def _fix_text(self, text: str, no: int) -> str:
        """Repairs outside math: damaged commands are put back into math."""

        def space_around(s: str, start: int, end: int, piece: str) -> str:
            before = " " if start > 0 and s[start - 1].isalnum() else ""
            after = " " if end < len(s) and s[end].isalnum() else ""
            return s[:start] + before + piece + after + s[end:]

        count = 0
        while True:
            m = _RIGHTARROW.search(text)
            if not m:
                break
            text = space_around(text, m.start(), m.end(), "$\\rightarrow$")
            count += 1
        if count:
            self.note(no, "repaired damaged LaTeX 'ightarrow' -> '$\\rightarrow$'")
        count, pos = 0, 0
        while True:
            m = _FRAC.search(text, pos)
            if not m:
                break
            end = _balanced_groups(text, m.end() - 1, 2)
            if end is None:
                text = text[: m.start()] + "\\frac{" + text[m.end():]
            else:
                text = space_around(text, m.start(), end, "$\\frac" + text[m.start() + 3 : end] + "$")
            pos = m.start() + 1
            count += 1
        if count:
            self.note(no, "repaired damaged LaTeX 'rac{' -> '\\frac{' (outside math; check it)")
        return re.sub(r" {2,}", " ", text)

    def _sentence_from_math(self, inner: str, no: int) -> str:
        """A sentence the export set as \\mathsf{word} \\ \\mathsf{word} math: back to text.

        Words become plain text (their \\' accents become Polish letters as best we can guess);
        what is left between them (x_{0.n}, A^i) stays math.
        """
        pieces = []
        for chunk in re.split(r"\\ ", inner):
            chunk = chunk.strip()
            if not chunk:
                continue
            m = _MATHSF_WORD.fullmatch(chunk)
            if m:
                word = m.group(1) + m.group(2)
                for accented, letter in _TEXT_ACCENTS.items():
                    word = word.replace(accented, letter)
                pieces.append(word)
            elif re.fullmatch(r"\d+[.)]?", chunk):
                pieces.append(chunk)  # a list number
            else:
                body, punct = re.fullmatch(r"(.*?)([.,;:]?)", chunk).groups()
                pieces.append(f"${self._fix_math(body, no)}${punct}")
        self.note(no, "a sentence typeset as \\mathsf{…} math was turned back into text; "
                      "check its Polish letters")
        return " ".join(pieces)

    def inline(self, text: str, no: int) -> str:
        """Clean one line of running text: repairs, double spaces, `$ x $` padding, digits by `$`."""
        body = text.lstrip(" ")
        out = [text[: len(text) - len(body)]]  # indentation (of a nested list item) stays
        for is_math, piece in split_protected(body, code_spans=False):
            if not is_math:
                out.append(self._fix_text(piece, no))
                continue
            delim = next(d for d in ("$$", "$", "\\(", "\\[") if piece.startswith(d))
            size = len(delim)
            if delim == "$" and len(_MATHSF_WORD.findall(piece)) >= 3:
                out.append(self._sentence_from_math(piece[1:-1], no))
                continue
            inner = self._fix_math(piece[size:-size], no)
            if delim == "$":
                inner = inner.strip()  # "$ x $" is not math for the deck parser
            out.append(piece[:size] + inner + piece[-size:] if inner.strip() else piece)
        return "".join(out)

    def render_body(self, body: list[Line]) -> str:
        """The answer Markdown: (group, text) rows, then blank lines where Markdown needs them."""
        rows: list[tuple[object, str]] = []  # group: None for running text, else a block/table id
        i = 0
        while i < len(body):
            ln = body[i]
            if ln.block is not None:
                if ln.block[0] == "math" and is_blank(ln.text):
                    self.note(ln.no, "blank line inside $$ math left out (TeX does not allow it)")
                    i += 1
                    continue
                text = ln.text.rstrip() if ln.block[0] == "code" else self._fix_math(ln.text.strip(), ln.no)
                rows.append((ln.block, text))
                i += 1
                continue
            table = self._table_at(body, i)
            if table:
                width = len(self._cells(body[i].text))
                cells = [[self.inline(c, body[k].no).replace("|", "\\|") for c in self._cells(body[k].text)]
                         for k in range(i, i + table)]
                group = ("table", body[i].no)
                rows.append((group, "| " + " | ".join(cells[0]) + " |"))
                rows.append((group, "|" + " --- |" * width))
                rows += [(group, "| " + " | ".join(r) + " |") for r in cells[1:]]
                self.note(body[i].no, "tab-separated rows turned into a table; check the header")
                i += table
                continue
            text = ln.text.replace("\t", " ").rstrip()
            if _STRAY_STAR.search(text):
                text = _STRAY_STAR.sub("", text).rstrip()
                self.note(ln.no, "removed a stray [\\*] marker (maybe a lost picture)")
            text = _DASHED_NUMBER.sub(r"\1\2. ", text)  # "- 1. text" -> "1. text"
            if not _LIST_ITEM.match(text):
                text = text.lstrip()
            text = self.inline(text, ln.no) if text.strip() else ""
            if text.strip().startswith("$$") and text.strip().endswith("$$") and len(text.strip()) > 4:
                rows.append((("math", f"inline-{ln.no}"), text.strip()))
            else:
                rows.append((None, text))
            i += 1

        out: list[str] = []
        prev_group: object = None
        for group, text in rows:
            if not text:
                if out and out[-1]:
                    out.append("")
                continue
            if out and out[-1]:
                prev = out[-1]
                ordered = _ORDERED_ITEM.match(text)
                if (group != prev_group and (group is not None or prev_group is not None)) \
                        or (ordered and ordered.group(1) != "1" and not _ORDERED_ITEM.match(prev)) \
                        or (group is None and _SETEXT_UNDERLINE.match(text)):
                    out.append("")
            out.append(text)
            prev_group = group
        while out and not out[-1]:
            out.pop()
        return "\n".join(out)

    @staticmethod
    def _cells(text: str) -> list[str]:
        return [c.strip() for c in text.rstrip(" \r\n").split("\t")]

    def _table_at(self, body: list[Line], i: int) -> int:
        """Number of table rows starting at body[i]: 2+ lines with the same 2+ tab-separated cells."""
        if "\t" not in body[i].text or body[i].block is not None:
            return 0
        width = len(self._cells(body[i].text))
        if width < 2:
            return 0
        j = i + 1
        while j < len(body) and body[j].block is None and "\t" in body[j].text \
                and len(self._cells(body[j].text)) == width:
            j += 1
        return j - i if j - i >= 2 else 0

