"""A TeX error is pinned to the card whose material caused it, not to the last card of its sheet
(TeX reports errors inside a page at the page's closing line)."""
from __future__ import annotations

from pathlib import Path

import pytest

from builder.deck import parse_deck_text
from builder.errors import ContentError
from builder.options import resolve
from builder.pipeline import load
from builder.outputs.base import Work
from builder.rendered import CardTex, RenderedCards
from builder.selection import select_cards
from tests.conftest import run_fiszki

DECK = "---\ntitle: Blame\nlang: en\n---\n# S\n" + "".join(f"## Card {n}?\nAnswer {n}.\n\n" for n in range(1, 6))


def build_with_broken_card(tmp_path: Path, number: int, keep_going: bool):
    """The flashcards of five cards, card `number`'s answer replaced by LaTeX that TeX refuses
    (the validator would refuse it in a deck: this is what slips past it looks like to TeX)."""
    deck = parse_deck_text(DECK, tmp_path / "deck.md", "deck.md")
    opts = resolve(deck, {})
    cards = select_cards(deck, opts)
    rendered = RenderedCards(deck, cards, keep_going).finish()
    broken = cards[number - 1]
    rendered._tex[id(broken)] = CardTex(rendered[broken].question, "", r"Answer \undefinedfiszkimacro.")
    return load("flashcards", deck, opts, cards).build(Work(cards, rendered, keep_going))


@pytest.mark.tex
@pytest.mark.parametrize("number", [2, 5])
def test_a_tex_error_names_the_card_that_caused_it(tmp_path: Path, number: int):
    with pytest.raises(ContentError) as info:
        build_with_broken_card(tmp_path, number, keep_going=False)
    problem = info.value.problems[0]
    assert problem.card_number == number and "Undefined control sequence" in problem.message


@pytest.mark.tex
def test_keep_going_swaps_exactly_the_broken_card(tmp_path: Path):
    result = build_with_broken_card(tmp_path, 2, keep_going=True)
    assert [p.card_number for p in result.errors] == [2]
    assert result.files["flashcards.pdf"].startswith(b"%PDF")


@pytest.mark.tex
def test_display_math_in_a_question_builds(tmp_path: Path):
    """The back's label repeats the question on one line: display math there is set inline."""
    deck = tmp_path / "deck.md"
    deck.write_text(DECK.replace("## Card 2?", "## Is $$x^2$$ a square?"), encoding="utf-8")
    result = run_fiszki("build", str(deck), "--out", str(tmp_path / "out"), "--no-cache")
    assert result.code == 0, result.stderr
