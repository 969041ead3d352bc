"""Notes pasted from other apps, through the real command line: what fiszki converts (simple HTML,
`$ x $`) comes out typeset, and what prints wrong (a table the parser cannot read, Anki cloze
markup, emoji) is one warning each, naming the deck's file and line."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import run_fiszki

pytestmark = pytest.mark.tex

DECK = """\
---
title: Pasted notes
lang: en
---
# Notes

## Which model is better?
Before the table.

| Model | Error |
| CNN | 3% |

## Formula with spaces
The square $ x^2 $ costs $5 and $10.

## Pasted HTML
<b>bold</b> and H<sub>2</sub>O<br>next line

## Cloze
The capital is {{c1::Warsaw}}.

## Emoji
Family 👨\u200d👩\u200d👧, thumbs 👍🏽 and heart ❤\ufe0f.
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("pasted")
    (folder / "deck.md").write_text(DECK, encoding="utf-8")
    run = run_fiszki("build", "deck.md", "--out", "out", "--no-cache", cwd=folder)
    assert run.code == 0, run.stderr
    return folder / "out", [line for line in run.stderr.splitlines() if line.startswith("warning: ")]


def test_each_thing_that_prints_wrong_is_one_warning_with_its_line(built):
    _, warnings = built
    table = [w for w in warnings if "look like a table" in w]
    assert len(table) == 1 and table[0].startswith('warning: deck.md:10: card #1 "Which model is better?"')
    assert "hint: add a line like | --- | --- |" in table[0]
    cloze = [w for w in warnings if "cloze" in w]
    assert len(cloze) == 1 and cloze[0].startswith("warning: deck.md:20: card #4") and "hint:" in cloze[0]
    emoji = [w for w in warnings if "cannot be printed" in w]
    assert len(emoji) == 3, emoji  # the family, the thumb, the heart: not their 9 code points
    assert all(w.startswith("warning: deck.md:23: card #5") for w in emoji)
    assert len(warnings) == 5, warnings  # the HTML and the spaced formula convert silently


def test_converted_html_and_spaced_math_are_typeset(built):
    out, _ = built
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(out / "flashcards.pdf").pages).split())
    assert "<b>" not in text and "bold and H2O" in text.replace("H 2O", "H2O")
    assert "x^2" not in text and "$ x" not in text and re.search(r"The square x ?2 costs \$5 and \$10", text), text
