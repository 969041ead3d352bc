"""Hostile input, second round (issue 18): terminal escapes, memory and CPU bombs, TeX's limits.

Each test builds or checks through the real command line (or the real function the pipeline
calls) and proves the attack ends fast with a clear message naming where it came from, or works.
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from tests.conftest import run_fiszki

# ESC ] 52 ; c ; … BEL: an OSC 52 sequence, which many terminals obey by writing the clipboard.
OSC52 = "\x1b]52;c;aGk=\x07"


def _no_raw_controls(text: str) -> None:
    raw = [c for c in text if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) < 0xA0 or c == "\u202e"]
    assert not raw, repr(text)


@pytest.mark.tex
def test_control_characters_from_the_deck_reach_the_terminal_escaped(tmp_path: Path):
    deck = tmp_path / "deck.md"
    question = f"Q {OSC52} \x9b31m \u202eevil"
    deck.write_text(f"# S\n\n## {question}\nA\n\n## {question}\nB $\\frac{{a$\n", encoding="utf-8")
    failed = run_fiszki("build", str(deck), "--out", str(tmp_path / "x"))
    assert failed.code == 1
    _no_raw_controls(failed.stderr)
    assert '"Q \\x1b]52;c;aGk=\\x07 \\x9b31m \\u202eevil": same question' in failed.stderr  # the warning
    assert '"Q \\x1b]52;c;aGk=\\x07 \\x9b31m \\u202eevil": math:' in failed.stderr  # the errors

    deck.write_text(f"# S\n\n## {question}\nA\n\n## Second\nB\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_fiszki("build", str(deck), "--out", str(out)).code == 0
    writer = PdfWriter(clone_from=PdfReader(out / "flashcards.pdf"))
    del writer.pages[1][NameObject("/Annots")]  # the backs' records gone: the check names the cards
    damaged = tmp_path / "damaged.pdf"
    buffer = io.BytesIO()
    writer.write(buffer)
    damaged.write_bytes(buffer.getvalue())
    for args in ((), ("--json",)):
        report = run_fiszki("check", *args, str(damaged))
        assert report.code == 1 and "aGk=" in report.stdout, report.stdout
        _no_raw_controls(report.stdout)
    assert "#1 \"Q \\x1b]52;c;aGk=\\x07" in run_fiszki("check", str(damaged)).stdout
