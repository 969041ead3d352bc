"""What notes pasted from other apps hold that plain Markdown does not read: simple inline HTML
(converted), Anki cloze markup and tables the Markdown parser could not read (found, to warn about).

Pure text work, no TeX: render.py turns the pieces into LaTeX and the findings into warnings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# HTML tags with one plain meaning in print: (LaTeX opening, closing); <br> is a line break.
SIMPLE_TAGS = {
    "b": ("\\textbf{", "}"), "strong": ("\\textbf{", "}"),
    "i": ("\\emph{", "}"), "em": ("\\emph{", "}"),
    "u": ("\\underline{", "}"),
    "sub": ("\\textsubscript{", "}"), "sup": ("\\textsuperscript{", "}"),
}
# Only bare tags: one with attributes (<b class="x">) is not simple and is shown as typed.
_TAG_RE = re.compile(r"<(/?)(b|strong|i|em|u|sub|sup|br)\s*(/?)>", re.I)
CLOZE_RE = re.compile(r"\{\{c\d+::")


@dataclass(frozen=True)
class Tag:
    name: str  # lower case: "b", "br", …
    closing: bool


def html_pieces(text: str) -> list[str | Tag]:
    """`text` cut into plain text and the simple tags in it, in order."""
    if "<" not in text:
        return [text]
    pieces: list[str | Tag] = []
    last = 0
    for m in _TAG_RE.finditer(text):
        if m.start() > last:
            pieces.append(text[last : m.start()])
        pieces.append(Tag(m.group(2).lower(), bool(m.group(1))))
        last = m.end()
    if last < len(text):
        pieces.append(text[last:])
    return pieces


# --- tables the parser did not read --------------------------------------------------------

_DELIMITER_CELL_RE = re.compile(r"^\s*:?-+:?\s*$")
_DASHES_RE = re.compile(r"^[\s|:\-–—‒―−]+$")  # a row of dashes, hyphens or not


def _cells(line: str) -> list[str]:
    """A table row's cells, split at unescaped pipes, outer pipes dropped."""
    cells = re.split(r"(?<!\\)\|", line.strip())
    if cells and not cells[0].strip():
        cells = cells[1:]
    if cells and not cells[-1].strip():
        cells = cells[:-1]
    return cells


def _row_like(line: str) -> bool:
    pipes = len(re.findall(r"(?<!\\)\|", line))
    return pipes >= 2 or (pipes == 1 and line.strip().startswith("|"))


def table_problem(source: str) -> tuple[int, str] | None:
    """A paragraph whose lines look like a GitHub table that the parser did not read as one:
    (index of its first such line, what to fix), else None."""
    lines = source.split("\n")
    rows = [i for i, line in enumerate(lines) if _row_like(line)]
    if len(rows) < 2:
        return None
    first = rows[0]
    header = _cells(lines[first])
    dashes = [i for i in rows if _DASHES_RE.match(lines[i]) and re.search("[-–—‒―−]", lines[i])]
    if not dashes:
        return first, "add a line like | --- | --- | (one --- per column) right under the header row"
    line = lines[dashes[0]]
    cells = _cells(line)
    if not all(_DELIMITER_CELL_RE.match(c) for c in cells):
        return first, ("write the line under the header with plain hyphens and optional colons, "
                       "like | --- | :-: | (a note app may have turned them into dashes)")
    if dashes[0] != first + 1:
        return first, "the line of --- must come right under the header row, the table's first line"
    if len(cells) != len(header):
        return first, (f"the header row has {len(header)} cell{'s' * (len(header) != 1)} but the line "
                       f"under it has {len(cells)}: make them equal")
    return first, "every row needs the same cells as the header; see the table in docs/deck-format.md"
