"""The shared deck writer: whatever an importer hands it stays inside its card, and the deck builds."""
from __future__ import annotations

from pathlib import Path

import pytest

from builder.deck import parse_deck_text
from builder.importers.model import Card, ImportOptions, Origin, Source
from builder.importers.writer import assemble
from tests.conftest import run_fiszki

HAZARDS = [
    # (question, answer): each would end its card early, start another, or stop the build
    ("Heading inside", "Text\n\n# Not a section\n\n## Not a card\n\nmore"),
    ("Separator inside", "Front-looking\n?\nstill the answer\n\n> ?\n\n- ?"),
    ("Open fence", "```\ncode that never ends\n\n## would be swallowed"),
    ("Refused math", "Reads a file: $\\input{/etc/passwd}$ and $\\color{red}{x}$, fine: $x^2$"),
    ("Question ending in attributes {#x .y}", "The braces are text."),
    ("Question ending in a hash #", "The hash is text."),
    ("", "An answer without a question"),
    ("A question without an answer", ""),
    ("Line one\n\nparagraph two of the question", "Answer."),
    ("![](picture.png)", "Only a picture as the question."),
]


def hazard_deck() -> str:
    source = Source(Path("hazards.csv"), "csv")
    source.cards = [Card(q, a, Origin("hazards.csv", i + 2), section="Hazards", tags=("with space", "{b}"))
                    for i, (q, a) in enumerate(HAZARDS)]
    return assemble([source], ImportOptions(lang="en"))


def test_every_card_stays_a_card() -> None:
    deck = hazard_deck()
    read = parse_deck_text(deck.markdown, Path("d.md"))
    assert len(read.cards) == len(HAZARDS) and deck.sections == [("Hazards", len(HAZARDS))]
    by_question = {c.question: c for c in read.cards}
    assert "Question ending in attributes {#x .y}" in by_question  # not taken as an id
    assert "Question ending in a hash #" in by_question
    assert by_question["Question ending in a hash #"].tags == ("with-space", "b")
    md = deck.markdown
    assert "### Not a section" in md and "### Not a card" in md
    assert "\\?\nstill the answer" in md and "> \\?" in md and "- \\?" in md
    assert "`$\\input{/etc/passwd}$`" in md and "`$\\color{red}{x}$`" in md and "fine: $x^2$" in md
    assert "## Question {#question" in md and "## Line one {#line-one" in md and "paragraph two of the question\n?" in md
    notes = {(n.what, n.origin.line) for n in deck.notes}
    assert ("formula kept as code: fiszki does not accept it", 5) in notes
    assert ("unclosed code block closed at the end of the card", 4) in notes
    assert ("card without a question", 8) in notes and ("card without an answer", 9) in notes
    assert ("heading inside an answer made a subheading", 2) in notes


@pytest.mark.tex
def test_the_hazard_deck_builds(tmp_path: Path) -> None:
    deck = tmp_path / "hazards.md"
    deck.write_text(hazard_deck().markdown.replace("![](picture.png)", ""), encoding="utf-8")
    result = run_fiszki("build", str(deck), "--out", str(tmp_path / "out"), "--no-cache")
    assert result.code == 0, result.stderr
