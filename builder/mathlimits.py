"""Limits on valid-looking math that would still stop TeX, run it for minutes or draw off the card.

``mathcheck`` asks these while it walks a formula: how deep groups may nest (TeX has 255
grouping levels, shared with the card around the formula), how many copies nested commands make
(``\\text``, ``\\phantom``, ``\\smash`` … typeset their argument once per math style, so nesting
multiplies the work), how far a spacing may reach, and how many columns an array may declare.
Each limit lies far beyond what a formula on a flashcard needs.
"""
from __future__ import annotations

import re

MAX_DEPTH = 50  # braces, \left…\right and environments inside each other (300 braces stopped TeX)
# Characters in one line of a formula (between \\): a line TeX cannot break; 9000 letters were
# wider than TeX's largest dimension (16383 pt). The longest in the default deck has 180.
MAX_ROW = 1000
MAX_ROWS = 200  # lines (\\\\) in one formula: a display TeX cannot split across a card

# How many times TeX typesets the argument of a command (\mathchoice: once per math style; \pmb
# and \boldsymbol overprint copies of that). Measured with pdflatex: each nested level of these
# multiplied the run time by about the factor given.
_PER_STYLE = """phantom hphantom vphantom smash mathclap mathllap mathrlap cramped overrightarrow
    overleftarrow overleftrightarrow underrightarrow underleftarrow underleftrightarrow""".split()
_TEXT = "text textrm textbf textit textsf texttt textnormal textup textmd textsc emph".split()
COPIES = {**dict.fromkeys(_PER_STYLE + _TEXT, 4), "boldsymbol": 8, "pmb": 16}
MAX_COPIES = 4096  # six nested \phantom or \text; 13 of them (67 million copies) took minutes


def copies_of(name: str, mode: str, optional: bool) -> int:
    """How many copies of its argument `name` makes in `mode` ("math" or "text")."""
    if name == "sqrt":
        return 4 if optional else 1  # \sqrt[n]{x} is set through \mathpalette
    if mode == "text" and name in _TEXT:
        return 1  # in text mode these are plain font switches
    return COPIES.get(name, 1)


def copies_problem(name: str, copies: int) -> str:
    return (f"\\{name} is nested too deeply in commands TeX sets several times over (\\text, \\phantom, "
            f"\\smash, \\boldsymbol …): {copies} copies, at most {MAX_COPIES}")


# Spacings (\hspace{…}, \mspace{…}, \\[…]) in em, absolute units at 10 pt to the em. Far enough
# for any formula; TeX stops at 16384 pt, and a larger negative one would move ink off the card.
MIN_SPACE_EM, MAX_SPACE_EM = -2, 30
_PT = {"pt": 1, "bp": 72.27 / 72, "mm": 72.27 / 25.4, "cm": 72.27 / 2.54, "in": 72.27, "pc": 12,
       "dd": 1238 / 1157, "cc": 12 * 1238 / 1157, "sp": 1 / 65536}
_EM = {"em": 1, "ex": 0.5, "mu": 1 / 18}
_AMOUNT = re.compile(r"\s*([-+]?)\s*(\d+\.?\d*|\.\d+)\s*([a-z]{2})\s*")


MAX_TOTAL_SPACE_EM = 100  # all spacings of one formula together, either way


def spacing_em(text: str) -> float:
    """The spacing `text` (a length TeX reads, e.g. '-2pt') in em; 0 if it is not a length."""
    m = _AMOUNT.fullmatch(text)
    if not m or m.group(3) not in _PT | _EM:
        return 0.0  # not a length: mathcheck says so itself
    value = float(m.group(2)) * (-1 if m.group(1) == "-" else 1)
    return value * _EM[m.group(3)] if m.group(3) in _EM else value * _PT[m.group(3)] / 10


def spacing_problem(text: str, command: str) -> str | None:
    """Why the spacing `text` is refused, or None."""
    if MIN_SPACE_EM <= spacing_em(text) <= MAX_SPACE_EM:
        return None
    return (f"{command} {text.strip()} reaches too far: a spacing in a formula is between "
            f"{MIN_SPACE_EM}em and {MAX_SPACE_EM}em ({MIN_SPACE_EM * 10}pt and {MAX_SPACE_EM * 10}pt)")


MAX_ARRAY_COLUMNS = 100
_REPEAT = re.compile(r"\*\{(\d+)\}\{([^{}]*)\}")
_COLUMN = re.compile(r"[lcrpmb]")


def array_columns(spec: str) -> int:
    """The columns an array's spec declares, `*{n}{cc}` repeats counted (without expanding them)."""
    repeated = sum(int(n[:12]) * len(_COLUMN.findall(re.sub(r"\{[^{}]*\}", "", inner)))
                   for n, inner in _REPEAT.findall(spec))
    rest = re.sub(r"\{[^{}]*\}", "", _REPEAT.sub("", spec))
    return repeated + len(_COLUMN.findall(rest))
