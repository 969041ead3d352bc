"""TeX's own limits, kept by what fiszki writes for it.

Lines: TeX reads its input a line at a time into a buffer of 200,000 bytes and stops, with no
message in its log, at a longer line (a 200 kB paragraph, a 19 kB word given a break point per
character).

A long line is cut where TeX reads the same either way: a single space between two non-spaces
becomes a line end (TeX turns a line end into a space, or skips it after a control word exactly as
it skips that space), and after a brace that no space follows a comment sign ends the line (the
line end is then not read at all). Text is otherwise untouched, so the PDF is the same.

Heights: TeX measures a box in points up to 16383 (5.8 m) and wraps around silently past 32767; a
card side set at its starting size must stay far below. `safe_start` lowers the starting size of
a side whose text might be that long, even below the smallest size (a side too long at a smaller
size is too long at the smallest, and is told so); ordinary sides keep theirs.
"""
from __future__ import annotations

import math
import re

MAX_LINE = 4000  # characters; far below TeX's buffer even in 4-byte UTF-8
_LONG_LINE = re.compile(r"[^\n]{%d,}" % (MAX_LINE + 1))
# A space that becomes a line end: not after a backslash (a control space) nor beside other white
# space (two line ends would make an empty line: a new paragraph). Or the point after a brace.
_CUT = re.compile(r"(?<=[^\\\s]) (?=\S)|(?<=[{}])(?=[^\s%])")


def fold_long_lines(tex: str) -> str:
    """`tex` with every line longer than MAX_LINE cut at safe points (see the module's docstring)."""
    if len(tex) <= MAX_LINE or not _LONG_LINE.search(tex):
        return tex
    return _LONG_LINE.sub(lambda m: _fold(m.group()), tex)


def _fold(line: str) -> str:
    out, start = [], 0
    while len(line) - start > MAX_LINE:
        cut = _last_cut(line, start + MAX_LINE // 2, start + MAX_LINE) or _CUT.search(line, start + MAX_LINE)
        if cut is None:
            break  # no safe point in the rest: left as it is
        at = cut.start()
        if line[at] == " ":
            out.append(line[start:at] + "\n")
            start = at + 1
        else:
            out.append(line[start:at] + "%\n")
            start = at
    out.append(line[start:])
    return "".join(out)


def _last_cut(line: str, lo: int, hi: int) -> re.Match | None:
    last = None
    for last in _CUT.finditer(line, lo, hi):
        pass
    return last


SAFE_HEIGHT = 6000.0  # pt: at the starting size, lines filled (twice that, half filled)
_BREAKS = re.compile(r"\\par\b|\\item\b|\\newline\b|\\\\")


def safe_start(body: str, width: float, size: float) -> float:
    """`size`, or the smaller size at which `body` (LaTeX for a text area `width` pt wide) could
    need SAFE_HEIGHT: every character as wide as a W (an em), each line 1.2 em high, every
    paragraph, item or line break a line of its own. Real text needs half of that or less; lines
    broken before words half their width long need twice that, still inside TeX's limit."""
    chars, breaks = len(body), len(_BREAKS.findall(body))
    a, b = 1.2 * chars / max(width, 1.0), 1.2 * breaks  # height(s) = a s^2 + b s
    if a * size * size + b * size <= SAFE_HEIGHT:
        return size
    return (-b + math.sqrt(b * b + 4 * a * SAFE_HEIGHT)) / (2 * a) if a else SAFE_HEIGHT / b
