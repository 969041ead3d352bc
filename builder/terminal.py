"""What fiszki says on the terminal: progress, warnings and errors on stderr, each error class with
its exit code, and nothing from a deck or a PDF that the terminal could take as a command."""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import NoReturn

import click

# What a terminal could take as a command (ESC starts escape sequences that can set the title or
# write the clipboard, BEL ends them, C1 controls, DEL) or that reorders what is shown (bidi
# overrides): shown escaped, as \x1b or \u202e. Newlines and tabs stay.
_UNSAFE = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)] if chr(c) not in "\n\t"}
_UNSAFE.update({c: f"\\u{c:04x}" for c in [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]})


def terminal_safe(text: str) -> str:
    """`text` (deck-derived, or read from a PDF) with nothing a terminal would act on."""
    return text.translate(_UNSAFE)


def json_safe(text: str) -> str:
    """JSON for a terminal: it escapes C0 controls itself, DEL, C1 and bidi controls it leaves raw."""
    return text.translate({c: f"\\u{c:04x}" for c in _UNSAFE})


class Reporter:
    """Progress and problems on stderr; -q keeps only errors, -v adds detail."""

    def __init__(self, verbosity: int):
        self.verbosity = verbosity
        self.start = time.monotonic()

    @staticmethod
    def echo(text: str) -> None:
        click.echo(terminal_safe(text), err=True)

    def progress(self, text: str) -> None:
        if self.verbosity >= 2:  # -v: when each step happened, to see where the time goes
            self.echo(f"fiszki: [{time.monotonic() - self.start:5.2f} s] {text}")
        elif self.verbosity >= 1:
            self.echo(f"fiszki: {text}")

    def detail(self, text: str) -> None:
        if self.verbosity >= 2:
            self.echo(f"fiszki: {text}")

    def warn(self, text: str) -> None:
        if self.verbosity >= 1:
            self.echo(f"warning: {text}")

    def error(self, text: str) -> None:
        self.echo(f"error: {text}")


def report(reporter: Reporter, exc, deck: Path | None = None) -> None:
    """An error as messages: one line per problem, never a traceback. `deck`: the one deck of
    several the error is about, named where the messages would not say it."""
    about = f"{deck}: " if deck else ""
    for w in getattr(exc, "warnings", ()):
        reporter.warn(str(w))
    problems = getattr(exc, "problems", None)
    if problems:
        for p in problems:
            reporter.error(str(p))
        reporter.error(about + exc.summary())
    else:
        reporter.error(about + str(exc))


def fail(reporter: Reporter, exc) -> NoReturn:
    """The one place errors become messages and exit codes; the exit code is the error class's
    own (errors.py)."""
    report(reporter, exc)
    sys.exit(exc.exit_code)
