"""A plot's words (axis labels, legend entries, notes, the caption) → LaTeX.

They are card text: Markdown's inline rules find `$math$`, `**bold**` and `*italic*` exactly as in a
card, text goes through `escape_text` and math through the allowlist (`check_math`), as render.py
does for cards. What a label cannot hold (display math, links, pictures) and LaTeX typed outside
`$…$` (which would print as typed, surely not what was meant) are errors.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from builder.latex import escape_text
from builder.markdown import parser
from builder.mathcheck import check_math, normalize_math

MAX_LABEL = 200  # characters: a label, not a paragraph

_COMMAND_RE = re.compile(r"\\[A-Za-z]+")
_OPEN = {"strong_open": "\\textbf{", "em_open": "\\emph{"}


@dataclass
class LabelIssue:
    message: str
    offset: int  # in the label's text
    warn: bool = False
    hint: str | None = None


def label_latex(text: str, breaks: bool = False) -> tuple[str, list[LabelIssue]]:
    """The label as LaTeX, and what is wrong with it (errors leave the LaTeX unusable). With
    `breaks`, a line break in the text breaks the line (notes); else it is a space."""
    if len(text) > MAX_LABEL:
        return "", [LabelIssue(f"is {len(text)} characters long; at most {MAX_LABEL}", MAX_LABEL)]
    issues: list[LabelIssue] = []
    out: list[str] = []
    tokens = parser().parseInline(text)
    children = tokens[0].children if tokens and tokens[0].children else []
    searched = 0  # where to look for the next piece's source, for error offsets

    def where(piece: str) -> int:
        nonlocal searched
        at = text.find(piece, searched) if piece else -1
        if at >= 0:
            searched = at + len(piece)
        return max(at, 0)

    for tok in children:
        kind = tok.type
        if kind == "text":
            at = where(tok.content)
            command = _COMMAND_RE.search(tok.content)
            if command:
                issues.append(LabelIssue(f"'{command.group(0)}' is LaTeX outside $…$ and would print as typed",
                                         at + command.start(), hint="math goes between $ signs: $\\sigma(z)$"))
            out.append(escape_text(tok.content, lambda ch: issues.append(LabelIssue(
                f"character {ch!r} (U+{ord(ch):04X}) cannot be printed with the card font; shown as a placeholder",
                at, warn=True))))
        elif kind in ("softbreak", "hardbreak"):
            out.append("\\\\" if breaks else " ")
        elif kind == "math_inline":
            at = where(tok.content)
            problems = check_math(tok.content, display=False)
            for p in problems:
                issues.append(LabelIssue(f"math: {p.message}", at + p.offset))
            body = normalize_math(tok.content).strip()
            out.append(f"${body}$" if body and not problems else "")
        elif kind in _OPEN:
            out.append(_OPEN[kind])
        elif kind in ("strong_close", "em_close"):
            out.append("}")
        elif kind == "link_close":
            pass  # its opening was reported
        elif kind == "code_inline":
            out.append(f"\\texttt{{{escape_text(tok.content)}}}")
        elif kind == "math_inline_double":
            issues.append(LabelIssue("displayed math ($$…$$) cannot be in a label", where(tok.content),
                                     hint="write inline math: $…$"))
        else:
            shown = {"link_open": "a link", "image": "a picture", "html_inline": "HTML"}.get(kind, kind)
            issues.append(LabelIssue(f"{shown} cannot be in a label: labels are text with $math$", 0))
    return "".join(out), issues
