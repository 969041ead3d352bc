"""Validate TeX math from untrusted decks before pdflatex ever sees it.

``check_math`` tokenizes the source of one formula (the text between ``$...$``
or ``$$...$$``) and walks it once with a stack.  Every control sequence must be
on an allowlist, so file access, shell escape, macro (re)definition and
catcode tricks are refused by construction; the explicit refusal table
only exists to give a clearer message.  Structural mistakes that would make
TeX stop (unbalanced braces, ``\\left`` without ``\\right``, mismatched
environments, missing arguments, double superscripts, ...) are reported with
the character offset where they happen.

Non-ASCII characters that have a math equivalent (``μ``, ``≤``, ``²`` ...) are
accepted; emit ``normalize_math(src)`` instead of ``src`` so TeX gets macros.

The package, by job: ``allowed`` (the tables of commands and environments),
``characters`` (Unicode and special characters), ``tokens`` (the tokenizer),
``cursor`` (the scanner's state and moves), ``scanner``, ``commands`` and
``environments`` (the checks), ``normalize`` (``normalize_math``); the limits
on valid-looking math are ``builder.mathlimits``.
"""

from __future__ import annotations

from builder.mathcheck.allowed import (ALLOWED_COMMANDS, ALLOWED_ENVIRONMENTS, ARITY,
                                       BIG_OPERATORS, COLUMN_LIMITS, DELIMITER_CHARS,
                                       DELIMITER_COMMANDS, DELIMITER_TAKERS, DISPLAY_ENVIRONMENTS,
                                       ENV_ARGUMENTS, GREEK, HINTS, INNER_FORMS, MATH_COMMANDS,
                                       MATH_ONLY, OPTIONAL_ARG, REFUSED, SCRIPT_SAFE, SHARED,
                                       STARRED, SYMBOLS, TEXT_ARGUMENT, TEXT_COMMANDS, TEXT_ONLY,
                                       UNSUPPORTED, UNWRAPPED)
from builder.mathcheck.characters import MATH_UNICODE, TEXT_SAFE
from builder.mathcheck.cursor import MAX_LENGTH, MathProblem
from builder.mathcheck.normalize import normalize_math
from builder.mathcheck.scanner import Scanner

# What callers import from builder.mathcheck: the checks, and the tables other modules share.
__all__ = [
    "check_math", "normalize_math", "line_col", "MathProblem", "MAX_LENGTH",
    "MATH_UNICODE", "TEXT_SAFE",
    "ALLOWED_COMMANDS", "ALLOWED_ENVIRONMENTS", "ARITY", "BIG_OPERATORS", "COLUMN_LIMITS",
    "DELIMITER_CHARS", "DELIMITER_COMMANDS", "DELIMITER_TAKERS", "DISPLAY_ENVIRONMENTS",
    "ENV_ARGUMENTS", "GREEK", "HINTS", "INNER_FORMS", "MATH_COMMANDS", "MATH_ONLY",
    "OPTIONAL_ARG", "REFUSED", "SCRIPT_SAFE", "SHARED", "STARRED", "SYMBOLS", "TEXT_ARGUMENT",
    "TEXT_COMMANDS", "TEXT_ONLY", "UNSUPPORTED", "UNWRAPPED",
]


def check_math(src: str, display: bool = False) -> list[MathProblem]:
    """Return the problems in one formula; an empty list means it is safe."""
    return Scanner(src, display).run()


def line_col(src: str, offset: int) -> tuple[int, int]:
    """0-based line and 1-based column of ``offset`` in ``src``."""
    offset = max(0, min(offset, len(src)))
    return src.count("\n", 0, offset), offset - src.rfind("\n", 0, offset)
