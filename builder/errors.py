"""User-facing problems: each names the deck file, line and card, in one line."""
from __future__ import annotations

from dataclasses import dataclass


def short(text: str, limit: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class Problem:
    """One thing wrong (or suspicious) in a deck, located as precisely as we know."""

    message: str
    file: str | None = None
    line: int | None = None
    card_number: int | None = None
    question: str | None = None
    hint: str | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = []
        if self.file:
            where = self.file
            if self.line:
                where += f":{self.line}"
                if self.column:
                    where += f":{self.column}"
            parts.append(where)
        if self.card_number is not None:
            card = f"card #{self.card_number}"
            if self.question:
                card += f' "{short(self.question)}"'
            parts.append(card)
        text = ": ".join(parts + [self.message])
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


class FiszkiError(Exception):
    """Base of every error the CLI turns into messages and an exit code (never a traceback).

    The tree, with exit codes: ContentError 1 (the deck), TexError 1 (TeX stopped), UsageError 2
    (options; GeometryError is one), ToolchainError 3 (TeX is missing)."""

    exit_code = 1


class ContentError(FiszkiError):
    """The deck (or options) is wrong; carries every problem found, not just the first.

    `warnings` ride along so the user still sees them; `written` lists the PDFs that were
    written anyway (--keep-going, with error boxes in place of the broken cards).
    """

    def __init__(self, problems: list[Problem] | Problem, *, warnings: list[Problem] | None = None,
                 written: list[str] | None = None):
        self.problems = problems if isinstance(problems, list) else [problems]
        self.warnings = list(warnings or [])
        self.written = list(written or [])
        super().__init__("\n".join(str(p) for p in self.problems))

    def summary(self) -> str:
        """The closing line: how many problems, and what happened to the output folder."""
        n = len(self.problems)
        counted = f"{n} problem{'s' if n != 1 else ''}"
        if self.written:
            return f"{counted}; wrote {', '.join(self.written)} with error boxes in place of the broken cards"
        return f"{counted}; nothing in the output folder was changed"


class UsageError(FiszkiError):
    """An option (or its combination with others) that cannot work."""

    exit_code = 2


class GeometryError(UsageError, ValueError):
    """A user-facing problem with sizes or layout; the message says how to fix it."""


class ToolchainError(FiszkiError):
    """pdflatex or a TeX package is missing: the user must install something."""

    exit_code = 3


@dataclass
class TexError(FiszkiError):
    """pdflatex failed; carries the parsed message, not the raw log."""

    message: str
    tex_line: int | None = None
    context: str = ""
    log: str = ""
    source_marker: str | None = None  # the last fiszki source marker before the error, if any
    side: str | None = None  # the card side TeX was working on when it stopped ("12-back"), if it said

    def __str__(self) -> str:
        where = f" (line {self.tex_line} of the generated .tex)" if self.tex_line else ""
        return f"TeX error{where}: {self.message}"
