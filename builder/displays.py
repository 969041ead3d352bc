"""Math made to stay inside its column or card: compact_math marks every display and long inline
formula for the templates, and gives each display a second form broken into lines at its relations,
for when it is too wide on one line.

Pure text work on math that passed the math check: the template tries the formula on one line
and takes this form only when that is wider than its column or card (then, at the smallest size,
shrinks whatever is still too wide). Breaks are made only at the top level: never inside braces,
brackets, parentheses or \\left…\\right.
"""
from __future__ import annotations

import re

RELATIONS = frozenset("""= < > le leq ge geq ne neq approx sim simeq equiv cong propto to rightarrow
    leftarrow Rightarrow Leftarrow longrightarrow iff implies coloneqq gets mapsto""".split())
_SEPARATORS = frozenset(("quad", "qquad"))  # a,\qquad b = c: two equations on one line
_TOKEN_RE = re.compile(r"\\([A-Za-z]+|.)|(.)", re.S)


def _top_level(body: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every top-level relation ("rel"), equation separator ("sep") and
    binary + or - ("bin") in `body`."""
    found: list[tuple[int, int, str]] = []
    depth = 0
    for m in _TOKEN_RE.finditer(body):
        word, ch = m.group(1), m.group(2)
        if word is not None:
            depth += (word in ("left", "{")) - (word in ("right", "}"))
            if depth == 0 and word in RELATIONS:
                found.append((m.start(), m.end(), "rel"))
            elif depth == 0 and word in _SEPARATORS:
                found.append((m.start(), m.end(), "sep"))
            continue
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        elif depth == 0 and ch in "=<>":
            found.append((m.start(), m.end(), "rel"))
        elif depth == 0 and ch in "+-" and body[: m.start()].rstrip()[-1:] not in ("", *"=<>,&"):
            found.append((m.start(), m.end(), "bin"))  # binary: not a sign after a relation
    return found if depth == 0 else []


def _lines(body: str, cut_sums: bool) -> list[str]:
    """One equation's lines: `lhs &= a \\\\ &= b`, or with one relation (and `cut_sums`), its right
    side cut at the top-level + or - nearest its middle."""
    marks = _top_level(body)
    relations = [(s, e) for s, e, kind in marks if kind == "rel"]
    if not relations:
        return [body.strip()]
    cuts = [s for s, _ in relations]
    if len(relations) == 1:
        start = relations[0][1]
        binaries = [s for s, _, kind in marks if kind == "bin" and body[start:s].strip()]
        if not binaries or not cut_sums:
            return [body[: cuts[0]].strip() + " &" + body[cuts[0]:].strip()]
        middle = (start + len(body)) / 2
        cut = min(binaries, key=lambda s: abs(s - middle))
        return [body[: cuts[0]].strip() + " &" + body[cuts[0] : cut].strip(), "&\\quad " + body[cut:].strip()]
    lines = [body[: cuts[0]].strip() + " &" + body[cuts[0] : cuts[1]].strip()]
    for here, after in zip(cuts[1:], cuts[2:] + [len(body)]):
        lines.append("&" + body[here:after].strip())
    return lines


def broken_display(body: str) -> str | None:
    """`body` as an aligned block of lines, or None when there is nowhere to break it."""
    if "\\\\" in body or "&" in body or "\\begin" in body or "\\tag" in body:
        return None  # already in lines, or an environment of its own
    equations, last = [], 0
    for start, end, kind in _top_level(body):
        if kind == "sep":
            equations.append(body[last:start])
            last = end
    equations.append(body[last:])
    equations = [e.strip() for e in equations if e.strip()]
    lines = [line for equation in equations for line in _lines(equation, len(equations) == 1)]
    if len(lines) < 2:
        return None
    return "\\begin{aligned}" + " \\\\ ".join(lines) + "\\end{aligned}"


LONG_INLINE = 40  # characters: inline formulas longer than this are measured against the column


_BREAK_WORDS = frozenset("""le leq ge geq ne neq to rightarrow leftarrow Rightarrow Leftarrow iff implies
    approx sim simeq equiv cong propto in notin subset subseteq supset supseteq cdot times pm mp div cup
    cap wedge vee oplus otimes mid coloneqq gets mapsto""".split())


def breakable(formula: str) -> bool:
    """Whether TeX can break this inline formula across lines: a relation or binary operator
    outside braces and \\left…\\right (TeX boxes those)."""
    depth, i = 0, 0
    while i < len(formula):
        ch = formula[i]
        if ch == "\\":
            word = re.match(r"[A-Za-z]+", formula[i + 1 :])
            name = word.group(0) if word else formula[i + 1 : i + 2]
            depth += (name == "left") - (name == "right")
            if depth == 0 and name in _BREAK_WORDS:
                return True
            i += 1 + len(name)
            continue
        depth += (ch == "{") - (ch == "}")
        if depth == 0 and ch in "=<>+-":
            return True
        i += 1
    return False


def compact_math(code: str) -> str:
    r"""Math that cannot leave its column: `\[…\]` → `\fzdisplay{…}{…broken into lines…}` (tight
    skips, on the line before when there is room, in lines when wider, and shrunk to the column when
    still wider; the flashcards shrink only at their smallest size), and long inline `$…$` →
    `\fzinline{…}` (shrunk when wider than the column; TeX cannot break it inside a word-free run).

    Formulas with \tag or split need a real display and stay as they are. The scan steps over
    escaped pairs, so `\$` in text and `\\[2pt]` inside a formula are left alone.
    """
    if "$" not in code and "\\[" not in code:
        return code  # no math: most paragraphs of most cards
    pieces: list[str] = []
    last, opened, inline = 0, None, None
    for mark in _MATH_MARK_RE.finditer(code):  # every escaped pair and every $, in order
        i, pair = mark.start(), mark.group()
        if inline is None and pair == "\\[" and opened is None:
            opened = i
        elif inline is None and pair == "\\]" and opened is not None:
            body = code[opened + 2 : i]
            if "\\tag" not in body and "{split}" not in body:
                pieces += [code[last:opened], f"\\fzdisplay{{{body}}}{{{broken_display(body) or ''}}}"]
                last = i + 2
            opened = None
        elif pair == "$" and opened is None:
            if inline is None:
                inline = i
            else:
                body = code[inline + 1 : i]
                if len(body) > LONG_INLINE and not breakable(body):
                    pieces += [code[last:inline], f"\\fzinline{{{body}}}"]
                    last = i + 1
                inline = None
    return "".join(pieces) + code[last:]


_MATH_MARK_RE = re.compile(r"\\.|\$", re.S)
