"""One pass over a formula's tokens with a stack of open groups: characters, scripts and the
lines of the formula here; control sequences and environments in their own modules."""

from __future__ import annotations

import re

from builder import mathlimits
from builder.mathcheck.allowed import ARITY, SCRIPT_SAFE
from builder.mathcheck.characters import CHAR_PROBLEMS, MATH_UNICODE, TEXT_SAFE
from builder.mathcheck.commands import Commands
from builder.mathcheck.cursor import MAX_LENGTH, Frame, MathProblem, show
from builder.mathcheck.environments import Environments
from builder.mathcheck.tokens import Tok


class Scanner(Commands, Environments):
    """Checks one formula: run() returns its problems, and leaves in subs what normalize_math
    replaces."""

    def run(self) -> list[MathProblem]:
        if len(self.src) > MAX_LENGTH:
            self.bad(f"formula is too long (over {MAX_LENGTH} characters)", 0)
        for m in re.finditer(r"\^\^", self.src):
            self.bad("^^ character codes are not allowed", m.start())
        if self.problems:  # ^^ rewrites the input before TeX tokenizes it
            return self.problems
        self.rows()
        i = 0
        while i < len(self.toks):
            i = self.step(i)
        for frame in self.stack:
            self.unclosed(frame)
        return sorted(self.problems, key=lambda p: p.offset)

    def rows(self) -> None:
        """Each line of the formula (up to a \\\\ or the end) at most MAX_ROW characters."""
        start, rows = 0, 0
        for t in self.toks + [Tok("cs", "\\", len(self.src))]:
            if t.kind == "cs" and t.val == "\\":
                rows += 1
                if rows == mathlimits.MAX_ROWS + 1:
                    self.bad(f"the formula has more than {mathlimits.MAX_ROWS} lines", t.off)
                if t.off - start > mathlimits.MAX_ROW:
                    self.bad(f"this line of the formula is {t.off - start} characters long, at most "
                             f"{mathlimits.MAX_ROW}: break it with \\begin{{aligned}} … \\\\ … "
                             "\\end{aligned}", start)
                start = t.off

    def step(self, i: int) -> int:
        t = self.toks[i]
        mode = self.stack[-1].mode if self.stack else "math"
        while self.copies and self.copies[-1][0] <= i:
            self.copies.pop()
        if t.kind == "sp":
            if len(re.findall(r"\r\n|\r|\n", t.val)) > 1:
                self.bad("blank line inside math (it would end the paragraph)",
                         t.off)
            return i + 1
        if t.uni:
            ch = self.src[t.off]
            if mode == "text":  # keep or \ensuremath-wrap the whole character
                if ch not in TEXT_SAFE:
                    self.subs[t.off] = r"\ensuremath{%s}" % MATH_UNICODE[ch]
                while i < len(self.toks) and self.toks[i].off == t.off:
                    i += 1
                return i
            self.subs.setdefault(t.off, MATH_UNICODE[ch])
        if t.kind == "ch":
            self.char(i, t, mode)
            return i + 1
        return self.command(i, t, mode)

    def char(self, i: int, t: Tok, mode: str) -> None:
        c, off = t.val, t.off
        if c == "{":
            self.push(Frame("{", off, self.group_mode.get(i, mode),
                             op=i in self.op_groups, rows=i in self.row_groups))
        elif c == "}":
            top = self.stack[-1] if self.stack else None
            self.close(lambda f: f.kind == "{", "unmatched }", off)
            if top and top.op:  # \mathop{...}\limits is fine
                self.op_at = self.sig(i + 1)
        elif c == "&" and self.stack and self.stack[-1].kind == "env":
            env = self.stack[-1]
            env.column += 1
            if env.columns and env.column == env.columns + 1:
                self.bad(f"too many & in one row of {{{env.name}}} (it has at "
                         f"most {env.columns} column{'s' * (env.columns > 1)})",
                         off)
        elif c in CHAR_PROBLEMS:
            self.bad(CHAR_PROBLEMS[c], off)
        elif c in "^_" and mode == "text":
            self.bad(f"{c} only works in math, not inside \\text{{...}}"
                     + ("; write \\_ for an underscore" if c == "_" else ""),
                     off)
        elif c in "^_'" and mode == "math":
            self.script(i, t)
        elif ord(c) < 32 or ord(c) == 127:
            self.bad(f"control character {show(c)} is not allowed", off)
        elif ord(c) > 127 and mode == "math":
            self.bad(f"character {show(c)} cannot appear in math; put words "
                     "in \\text{...}", off)
        elif ord(c) > 127 and c not in TEXT_SAFE:
            self.bad(f"character {show(c)} is not supported here", off)

    def script(self, i: int, t: Tok) -> None:
        """^ _ ' : catch a missing argument and double super/subscripts."""
        at, seen, prime_end = self.chain
        seen = seen if at == i else frozenset()
        if t.val == "'" and "^" in seen or t.val in seen - {"'"} or \
                t.val in "^'" and "'" in seen and i != prime_end:
            word = "subscript" if t.val == "_" else "superscript"
            self.bad(f"double {word}: use braces, e.g. x^{{a b}} or {{x^a}}^b",
                     t.off)
        end, k = (i + 1, i) if t.val == "'" else (self.arg_end(i + 1),
                                                  self.sig(i + 1))
        if end is None:
            self.bad(f"{t.val} needs something after it", t.off)
        elif k > i and self.toks[k].kind == "cs":
            name = self.toks[k].val
            if name not in SCRIPT_SAFE:
                self.bad(f"{t.val} needs braces here: write {t.val}{{\\{name}"
                         + "{...}" * ARITY.get(name, 0) + "}", t.off)
            for _ in range(ARITY.get(name, 0)):  # x^\frac12: the script is \frac12
                end = self.arg_end(end) or end
        if i == self.op_at and end:  # \sum_{i}\limits is fine
            self.op_at = self.sig(end)
        # after a missing argument start afresh: no "double superscript" echo
        self.chain = (self.sig(end), seen | {t.val},
                      i + 1 if t.val == "'" else prime_end) if end else (-1, seen, -1)
