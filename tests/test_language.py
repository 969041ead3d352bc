"""Language detection (builder/language.py) and its use by the build when a deck has no `lang:`."""
from __future__ import annotations

from pathlib import Path

import pytest

from builder.deck import parse_deck_text
from builder.language import detect_language, guess_language, words_only

DEFAULT_DECK = Path(__file__).resolve().parent.parent / "content" / "deck.md"


@pytest.mark.parametrize("text, lang", [
    ("## Czym jest softmax?\nZamienia wektor na rozkład.", "pl"),
    ("## What is softmax?\nIt turns a vector into a distribution.", "en"),
    # math and few words: one Polish word (or letter) is evidence, formulas are none
    ("## Wzór\n$$\\sigma(x) = \\frac{1}{1 + e^{-x}}$$", "pl"),
    ("## Formula\n$$\\sigma(x) = \\frac{1}{1 + e^{-x}}$$", "en"),
    ("## Sigmoid dla $x$\n$$\\frac{1}{1+e^{-x}}$$", "pl"),
    ("## Sigmoid of $x$\n$$\\frac{1}{1+e^{-x}}$$", "en"),
    # no words at all: English
    ("## $x^2$\n$$\\int_0^1 x\\,dx$$", "en"),
    # Polish single-letter words in math are not evidence: w_i, z, i
    ("## Update rule of the weights\n$w_i \\leftarrow w_i - \\eta z_i$ and $i$ runs over all of them", "en"),
    # English text naming a Polish mathematician stays English
    ("## What is the Łukasiewicz notation?\nA prefix notation for logic.", "en"),
    # English words in a Polish deck's code or math do not count
    ("## Jak działa pętla?\n```python\nfor x in the_list: print(x) if x is not None else None\n```", "pl"),
])
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_the_default_deck_is_polish_and_its_math_is_not_read() -> None:
    text = DEFAULT_DECK.read_text(encoding="utf-8")
    guess = guess_language(text)
    assert guess.lang == "pl" and guess.polish > 10 * max(guess.english, 1)
    assert "\\frac" not in words_only(text) and "mathrm" not in words_only(text)


def test_words_only_is_linear_on_unclosed_delimiters() -> None:
    # 20,000 openers without closers: each find() runs once; a backtracking pattern would not end
    text = "$$ a " * 20_000 + "\\( b " * 20_000 + "```\n" + "x " * 10
    assert "a" in words_only(text)


def test_describe_says_why() -> None:
    assert guess_language("Czym jest sieć?").describe() == "Polish (3 Polish words or letters, 0 English words)"
    assert guess_language("$x$").describe() == "English (no words to tell by)"


DECK_WITHOUT_LANG = "---\ntitle: T\n---\n# {section}\n## {question}\n{answer}\n"


def test_a_deck_without_lang_gets_the_detected_language() -> None:
    pl = parse_deck_text(DECK_WITHOUT_LANG.format(section="Podstawy", question="Czym jest softmax?",
                                                  answer="Funkcja, która zamienia wektor na rozkład."),
                         Path("pl.md"))
    assert pl.meta["lang"] == "pl" and pl.language == "polish" and pl.lang_detected
    en = parse_deck_text(DECK_WITHOUT_LANG.format(section="Basics", question="What is softmax?",
                                                  answer="It turns a vector into a distribution."),
                         Path("en.md"))
    assert en.meta["lang"] == "en" and en.language == "english" and en.lang_detected


def test_a_declared_lang_wins_over_the_text() -> None:
    deck = parse_deck_text("---\nlang: en\n---\n# Podstawy\n## Czym jest softmax?\nZamienia wektor.\n", Path("d.md"))
    assert deck.meta["lang"] == "en" and not deck.lang_detected


@pytest.mark.tex
@pytest.mark.parametrize("section, question, answer, labels, babel", [
    ("Podstawy", "Czym jest przeuczenie modelu?",
     "Model dopasowuje się do szumu w danych treningowych zamiast do ogólnych zależności.",
     "arkusz 1/1 · przód · obracaj wzdłuż dłuższej krawędzi", "polish.ldf"),
    ("Basics", "What is overfitting?", "The model fits the noise of its training data instead of the pattern.",
     "sheet 1/1 · front · flip on long edge", "english.ldf"),
])
def test_build_without_lang_labels_and_hyphenates_in_the_detected_language(
        tmp_path: Path, section: str, question: str, answer: str, labels: str, babel: str) -> None:
    from pypdf import PdfReader
    from tests.conftest import run_fiszki

    deck = tmp_path / "deck.md"
    deck.write_text(DECK_WITHOUT_LANG.format(section=section, question=question, answer=answer), encoding="utf-8")
    result = run_fiszki("build", str(deck), "--out", str(tmp_path / "out"), "--no-cache")
    assert result.code == 0, result.stderr
    first_page = " ".join(PdfReader(tmp_path / "out" / "flashcards.pdf").pages[0].extract_text().split())
    assert f"T · {labels}" in first_page
    log = (tmp_path / "out" / "flashcards.log").read_text(encoding="utf-8", errors="replace")
    assert babel in log  # babel loaded the detected language: its hyphenation patterns and words
