"""The scanner's state and how it moves: the tokens, the matching brackets, the stack of open
groups, the problems found; looking ahead over spaces and arguments; opening and closing groups."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from builder import mathlimits
from builder.mathcheck.allowed import UNWRAPPED
from builder.mathcheck.tokens import STOPS, tokenize

MAX_LENGTH = 10_000  # far beyond any flashcard; keeps the checker cheap


@dataclass(frozen=True)
class MathProblem:
    message: str  # user-facing, one line
    offset: int   # 0-based character offset into the math source


@dataclass(eq=False)
class Frame:
    kind: str   # "{", "left" or "env"
    off: int
    mode: str   # "math" or "text" inside this group
    name: str = ""
    columns: int = 0  # allowed columns per row (0: no limit) of an env
    op: bool = False  # argument of \mathop or \operatorname
    rows: bool = False  # argument of \substack: \\ breaks its lines
    column: int = 1   # current column of the current row


def suggest(word: str, pool: frozenset[str], cs: str = "\\") -> str:
    """' (did you mean \\alpha?)' for a name close to one in pool, else ''."""
    words = sorted(w for w in pool if len(w) > 1 and w[0].isalpha())
    close = difflib.get_close_matches(word, words, n=1, cutoff=0.75)
    return f" (did you mean {cs}{close[0]}?)" if close else ""


def show(text: str) -> str:
    """text as a message can print it: unprintable characters as U+XXXX."""
    return "".join(c if c.isprintable() else f"U+{ord(c):04X}" for c in text)


class Cursor:
    """The state of one pass over a formula's tokens, and the moves every check makes."""

    def __init__(self, src: str, display: bool) -> None:
        self.src, self.display = src, display
        self.toks = list(tokenize(src)) if len(src) <= MAX_LENGTH else []
        self.problems: list[MathProblem] = []
        self.stack: list[Frame] = []
        self.group_mode: dict[int, str] = {}  # index of "{" -> mode inside
        self.subs: dict[int, str] = {}         # offset -> replacement text
        # scripts seen on the current nucleus: (next index, kinds, end of ')
        self.chain: tuple[int, frozenset[str], int] = (-1, frozenset(), -1)
        self.tagged = False
        self.row_start = -1  # token index where the current row of an environment starts
        self.op_at = -1  # index where \limits may appear (after an operator)
        self.op_groups: set[int] = set()  # "{" of \mathop / \operatorname
        self.row_groups: set[int] = set()  # "{" of \substack
        # (end index, copies) of the arguments TeX typesets several times over, innermost last
        self.copies: list[tuple[int, int]] = []
        self.spacing = 0.0  # em, all \\hspace, \\mspace and \\\\[…] so far, either way
        self.pair: dict[int, int] = {}  # "{" / "[" index -> index after match
        opened: dict[str, list[int]] = {"{": [], "[": []}
        for k, t in enumerate(self.toks):
            if t.kind == "ch" and t.val in "{[":
                opened[t.val].append(k)
            elif t.kind == "ch" and t.val in "}]" and opened["{["[t.val == "]"]]:
                self.pair[opened["{["[t.val == "]"]].pop()] = k + 1

    def bad(self, message: str, off: int) -> None:
        self.problems.append(MathProblem(message, off))

    def in_rows(self) -> bool:
        """Inside an environment whose lines \\\\ separates (an unwrapped equation is none)."""
        return any(f.kind == "env" and f.name not in UNWRAPPED for f in self.stack)

    def sig(self, j: int) -> int:
        """Index of the first non-space token at or after j."""
        while j < len(self.toks) and self.toks[j].kind == "sp":
            j += 1
        return j

    def is_ch(self, j: int, c: str) -> bool:
        return j < len(self.toks) and self.toks[j][:2] == ("ch", c)

    def arg_end(self, j: int) -> int | None:
        """Index after the argument starting at/after j; None if missing."""
        j = self.sig(j)
        if j >= len(self.toks) or self.toks[j][:2] in STOPS:
            return None
        return self.pair.get(j, len(self.toks)) if self.is_ch(j, "{") else j + 1

    def skip_optional(self, j: int, report: bool = True) -> int:
        """Index after an optional [...] at j. TeX ends it at the first ] outside braces, so a [
        inside would cut it short (\\sqrt[\\sqrt[3]{2}]{x}): told, unless in braces."""
        k = self.sig(j)
        if not self.is_ch(k, "["):
            return j
        depth = 0
        for m in range(k + 1, len(self.toks)):
            c = self.toks[m].val if self.toks[m].kind == "ch" else ""
            depth += (c == "{") - (c == "}")
            if depth < 0:
                break
            if depth == 0 and c == "]":
                return m + 1
            if depth == 0 and c == "[" and report:
                self.bad("a [ inside an optional argument [...] ends it early: put braces "
                         "around the argument, e.g. \\sqrt[{\\sqrt[3]{2}}]{x}", self.toks[m].off)
                report = False
        return self.pair.get(k, len(self.toks))

    def raw_group(self, j: int, open_: str = "{") -> tuple[str, int] | None:
        """(text, index after) for a {...} or [...] of plain characters."""
        end = self.pair.get(j) if self.is_ch(j, open_) else None
        if end is None or any(t.kind == "cs" or t.uni or t.val in "{}[]"
                              for t in self.toks[j + 1:end - 1]):
            return None
        return "".join(t.val for t in self.toks[j + 1:end - 1]), end

    def push(self, frame: Frame) -> None:
        if len(self.stack) == mathlimits.MAX_DEPTH:
            self.bad(f"braces, \\left…\\right and environments nested more than "
                     f"{mathlimits.MAX_DEPTH} deep", frame.off)
        self.stack.append(frame)

    def close(self, is_target, unmatched: str, off: int, quiet=None) -> None:
        """Pop up to the innermost frame satisfying is_target."""
        for k in range(len(self.stack) - 1, -1, -1):
            if is_target(self.stack[k]):
                for frame in self.stack[k + 1:]:
                    if frame is not quiet:
                        self.unclosed(frame)
                del self.stack[k:]
                return
        self.bad(unmatched, off)

    def unclosed(self, frame: Frame) -> None:
        self.bad({"{": "unclosed { (missing })",
                  "left": "\\left has no matching \\right",
                  "env": f"\\begin{{{frame.name}}} has no matching "
                         f"\\end{{{frame.name}}}"}[frame.kind], frame.off)
