"""Control sequences: refused, unknown or allowed; the arguments, delimiters, spacings, tags
and row breaks of the allowed ones."""

from __future__ import annotations

import re
from typing import Callable

from builder import mathlimits
from builder.mathcheck.allowed import (ALLOWED_COMMANDS, ARITY, BIG_OPERATORS, DELIMITER_TAKERS,
                                       HINTS, MATH_COMMANDS, OPTIONAL_ARG, REFUSED, SCRIPT_SAFE,
                                       STARRED, TEXT_ARGUMENT, TEXT_COMMANDS, UNSUPPORTED, UNWRAPPED)
from builder.mathcheck.cursor import Cursor, Frame, show, suggest
from builder.mathcheck.tokens import DELIMITERS, LENGTH, Tok


class Commands(Cursor):
    """The scanner's part that reads control sequences."""

    environment: Callable[[int, int, bool], int]  # \begin and \end: see Environments

    def refusal(self, name: str, off: int) -> str | None:
        if name.startswith("pdf"):
            return "it is a pdfTeX primitive (file and system access)"
        if "@" in name:
            return "internal @-commands are off limits"
        if name == "write" and re.match(r"\s*18", self.src[off + 6:]):
            return "it runs shell commands"
        if name in ("fi", "else", "or", "unless") or \
                name.startswith("if") and name not in ALLOWED_COMMANDS:
            return "TeX conditionals are not allowed"
        return REFUSED.get(name)

    def command(self, i: int, t: Tok, mode: str) -> int:
        name, off, j = t.val, t.off, i + 1
        allowed = MATH_COMMANDS if mode == "math" else TEXT_COMMANDS
        reason = self.refusal(name, off)
        if name == "":
            self.bad("lone \\ at the end of the math", off)
        elif reason:
            self.bad(f"\\{name} is not allowed in math: {reason}", off)
        elif name in UNSUPPORTED:
            self.bad(f"\\{name} is not supported on flashcards", off)
        elif name not in allowed and name in ALLOWED_COMMANDS:
            self.bad(f"\\{name} only works inside \\text{{...}}" if mode ==
                     "math" else f"\\{name} only works in math, not inside "
                     "\\text{...}; wrap it in \\ensuremath{...}", off)
        elif name not in allowed:
            self.bad(f"unknown command \\{show(name)} in math"
                     + (f" ({HINTS[name]})" if name in HINTS else suggest(name, allowed)), off)
        else:
            if name in STARRED and self.is_ch(j, "*"):
                j += 1
            self.multiply(j, name, mode, off)
            return self.known_command(i, j, name, off)
        return j

    def multiply(self, j: int, name: str, mode: str, off: int) -> None:
        """Count the copies TeX makes of this command's arguments, inside those around it."""
        factor = mathlimits.copies_of(name, mode, self.is_ch(self.sig(j), "["))
        if factor == 1:
            return
        end = self.skip_optional(j, report=False)
        for _ in range(ARITY.get(name, 0)):
            end = self.arg_end(end) or end
        copies = factor * (self.copies[-1][1] if self.copies else 1)
        if copies > mathlimits.MAX_COPIES >= copies // factor:  # told once, where it begins
            self.bad(mathlimits.copies_problem(name, copies), off)
        self.copies.append((end, copies))

    def known_command(self, i: int, j: int, name: str, off: int) -> int:
        if name in ("begin", "end"):
            return self.environment(off, j, name == "begin")
        if name == "\\" and self.stack and self.stack[-1].kind == "env":
            self.stack[-1].column = 1  # a new row
            self.row_start = self.skip_optional(j) if self.is_ch(j, "[") else j
        if name == "hline":
            top = self.stack[-1] if self.stack else None
            if not (top and top.kind == "env" and self.in_rows() and self.sig(self.row_start) == i):
                self.bad("\\hline only works at the start of a row of an array or matrix", off)
            self.row_start = j
        if name in ("limits", "nolimits", "displaylimits") and i != self.op_at:
            self.bad(f"\\{name} must follow an operator such as \\sum or \\int",
                     off)
        if name in BIG_OPERATORS or name.endswith("limits"):
            self.op_at = self.sig(j)
        if name in ("nonumber", "notag") and self.chain[0] == i:
            self.chain = (self.sig(j), *self.chain[1:])  # invisible to ^ and _
        top = self.stack[-1] if self.stack else None
        if name == "\\" and not (top and (top.kind == "env" and top.name not in UNWRAPPED or top.rows)):
            if any(f.kind == "env" and f.name not in UNWRAPPED or f.rows for f in self.stack):
                # TeX: "Missing } inserted"
                self.bad("\\\\ must stand in the row itself, not inside braces, \\left…\\right "
                         "or \\text{…}", off)
            else:  # outside aligned/cases/matrix… TeX stops with "There's no line here to end"
                self.bad("\\\\ only breaks lines inside environments such as aligned or cases; "
                         "write \\begin{aligned} … \\end{aligned} around the lines", off)
        if name in DELIMITER_TAKERS:
            self.delimited(i, name)
        elif name == "\\" and self.is_ch(self.sig(j), "[") or name in (
                "hspace", "mspace"):
            # amsmath's \\ only reads an adjacent [; LaTeX's skips spaces
            ams = self.stack and self.stack[-1].kind == "env" and \
                self.stack[-1].name != "array"
            if name == "\\" and ams and not self.is_ch(j, "["):
                return j
            got = self.raw_group(self.sig(j), "[" if name == "\\" else "{")
            if not got or not LENGTH.fullmatch(got[0]):
                self.bad("\\\\[ reads a spacing like [2pt]; put {} between "
                         "\\\\ and [" if name == "\\" else
                         f"\\{name} needs a length such as {{1em}}", off)
            elif why := mathlimits.spacing_problem(got[0], "\\\\[…]" if name == "\\" else f"\\{name}"):
                self.bad(why, off)
            else:
                self.spacing += abs(mathlimits.spacing_em(got[0]))
                if self.spacing > mathlimits.MAX_TOTAL_SPACE_EM >= self.spacing - abs(mathlimits.spacing_em(got[0])):
                    self.bad(f"the spacings of this formula add up to more than "
                             f"{mathlimits.MAX_TOTAL_SPACE_EM}em", off)
            return got[1] if got else j
        elif name == "tag":
            if not self.is_ch(self.sig(j), "{"):
                self.bad("\\tag needs its label in braces, e.g. \\tag{1}", off)
            elif not self.display or self.in_rows():
                self.bad("\\tag only works at the top level of display math "
                         "($$...$$)", off)
            elif self.tagged:
                self.bad("only one \\tag per formula", off)
            self.tagged = True
        self.arguments(j, name, off)
        return j

    def arguments(self, j: int, name: str, off: int) -> None:
        """Check that the arguments exist; mark the modes of text arguments."""
        text = name in TEXT_ARGUMENT
        j = self.skip_optional(j) if name in OPTIONAL_ARG else j
        for _ in range(ARITY.get(name, 0)):
            start, end = self.sig(j), self.arg_end(j)
            if end is None:
                n = ARITY[name]
                self.bad(f"\\{name} needs {n} argument{'s' * (n > 1)}", off)
                return
            arg = self.toks[start]
            if arg.kind == "cs" and (arg.val in ARITY or arg.val not in (
                    TEXT_COMMANDS if text else SCRIPT_SAFE)) or \
                    arg.kind == "ch" and ord(arg.val) > 127:
                self.bad(f"\\{name} needs braces around its argument here: "
                         f"\\{name}{{...}}", off)
            if text or name == "ensuremath":
                self.group_mode[start] = "text" if text else "math"
            if name in ("mathop", "operatorname"):
                self.op_groups.add(start)
            if name == "substack":
                self.row_groups.add(start)
            if name in ("mathbb", "mathcal", "mathscr") and not all(
                    t.kind == "sp" or "A" <= t.val <= "Z"
                    for t in self.toks[start:end] if t.val not in "{}"):
                self.bad(f"\\{name} only has capital letters A-Z"
                         + ("; for a bold 1 (indicator) write \\mathbf{1}" if name == "mathbb" else ""), off)
            j = end

    def delimited(self, i: int, name: str) -> None:
        off, k = self.toks[i].off, self.sig(i + 1)
        if k >= len(self.toks) or self.toks[k][:2] not in DELIMITERS:
            self.bad(f"\\{name} must be followed by a delimiter such as "
                     "( [ \\{ | or .", off)
        if name == "left":
            self.push(Frame("left", off, "math"))
        elif name == "right":
            self.close(lambda f: f.kind == "left",
                       "\\right has no matching \\left", off)
        elif name == "middle" and not (self.stack and
                                       self.stack[-1].kind == "left"):
            self.bad("\\middle must be between \\left and \\right", off)
