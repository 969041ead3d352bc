"""The cheat sheet's body: every card as a run-in question and its answer, by section, with math
made to stay inside its column."""
from __future__ import annotations

import re
from typing import Callable

from builder.cheatsheet.layout import CHUNK
from builder.deck import Card
from builder.latex import escape_text, latex, render_template
from builder.render import RenderContext, error_box, render_blocks, render_question
from builder.tex.contract import MARKER_PREFIX, source


# Answers that start with these run on from the question (a display sits beside it when there is
# room); others start under the question, kept with it (\fzcardblock).
RUN_IN = ("paragraph_open", "math_block")
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
    r"""Math that cannot leave its column: `\[…\]` → `\fzdisplay{…}` (tight skips, on the line
    before when there is room, shrunk to the column when wider), and long inline `$…$` →
    `\fzinline{…}` (shrunk when wider than the column; TeX cannot break it inside a word-free run).

    Formulas with \tag or split need a real display and stay as they are. The scan steps over
    escaped pairs, so `\$` in text and `\\[2pt]` inside a formula are left alone.
    """
    pieces: list[str] = []
    last, opened, inline = 0, None, None
    for mark in _MATH_MARK_RE.finditer(code):  # every escaped pair and every $, in order
        i, pair = mark.start(), mark.group()
        if inline is None and pair == "\\[" and opened is None:
            opened = i
        elif inline is None and pair == "\\]" and opened is not None:
            body = code[opened + 2 : i]
            if "\\tag" not in body and "{split}" not in body:
                pieces += [code[last:opened], f"\\fzdisplay{{{body}}}"]
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


def groups(ctx: RenderContext, cards: list[Card], rendered: Callable[[Card], tuple[str, str] | None]) -> list[dict]:
    """Cards by section, a chunk break (see the template) before every CHUNK-th card. `rendered`
    gives a card's (question, answer) LaTeX from the build's one rendering, or None: then it is
    rendered here (stand-ins for cards TeX could not typeset)."""
    groups: list[dict] = []
    for index, card in enumerate(cards):
        before = len(ctx.problems)
        found = rendered(card)
        if found:
            question, answer = found
        else:
            question = render_question(ctx, card)
            ctx.card = card
            answer = render_blocks(ctx, list(card.front_tokens) + list(card.back_tokens))
        if len(ctx.problems) > before:  # the same box the flashcards show with --keep-going
            question = escape_text(card.question)
            answer = error_box(f"card #{card.number} cannot be built: {ctx.problems[before].message}")
        chunk = index > 0 and index % CHUNK == 0
        if not groups or groups[-1]["section"] != card.section:
            groups.append({"section": card.section, "items": [], "chunk": chunk})
            chunk = False
        first = (list(card.front_tokens) + list(card.back_tokens) or [None])[0]
        groups[-1]["items"].append(dict(question=latex(question), answer=latex(compact_math(answer)),
                                        marker=latex(MARKER_PREFIX + source(card.number, "back", card.line)),
                                        chunk=chunk, block=getattr(first, "type", "") not in RUN_IN))
    return groups
