"""Which cards a build prints: whole section names, tags with and / or / not, errors that list what
the deck has and say where a selection came from; front matter that selects only when it says so;
the cheat sheet in the deck's order however the flashcards are shuffled; several decks with
--keep-going."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from builder.deck import parse_deck_text
from builder.errors import ContentError, UsageError
from builder.options import resolve
from builder.pipeline import deck_summary
from builder.selection import select
from tests.conftest import run_fiszki
from tests.test_flashcards import read_pages

PHYSICS = """\
---
title: Physics
lang: en
---
# Kinematics
## What is velocity? {.quiz}
The rate of change of position.
## What is acceleration? {.quiz .exam}
The rate of change of velocity.
# Dynamics
## State Newton's second law {.quiz .exam .hard}
$F = ma$.
## What is momentum? {.exam}
$p = mv$.
# Dynamics of fluids
## State Bernoulli's principle {.hard}
Faster flow, lower pressure.
## What is viscosity? {.quiz}
A fluid's resistance to flow.
# Thermodynamics
## State the first law {.quiz .exam}
$\\Delta U = Q - W$.
## What is entropy? {.hard .exam}
A measure of disorder.
"""
QUESTIONS = [line[3:].split(" {")[0] for line in PHYSICS.splitlines() if line.startswith("## ")]


def physics(front_matter: str = ""):
    text = PHYSICS.replace("lang: en\n", f"lang: en\n{front_matter}") if front_matter else PHYSICS
    return parse_deck_text(text, Path("deck.md"), "deck.md")


def numbers(deck=None, **cli) -> list[int]:
    deck = deck or physics()
    return [c.number for c in select(deck, resolve(deck, cli)).cards]


def refused(deck=None, error=UsageError, **cli) -> str:
    deck = deck or physics()
    with pytest.raises(error) as info:
        select(deck, resolve(deck, cli))
    return str(info.value)


# --- sections --------------------------------------------------------------------------------------

def test_a_section_is_chosen_by_its_whole_name_in_any_case():
    assert numbers(section=("dynamics",)) == [3, 4]  # not Thermodynamics, not Dynamics of fluids
    assert numbers(section=("DYNAMICS  OF fluids",)) == [5, 6]
    assert numbers(section=("Kinematics", "thermodynamics")) == [1, 2, 7, 8]


def test_a_start_of_a_name_chooses_the_one_section_it_starts():
    assert numbers(section=("thermo",)) == [7, 8]
    assert numbers(section=("kin",)) == [1, 2]


def test_a_start_that_fits_two_sections_is_refused_naming_them():
    message = refused(section=("dyn",))
    assert message == ("deck.md: --section: 'dyn' starts more than one section: Dynamics; Dynamics of fluids "
                       "(hint: write more of the name)")


def test_an_unknown_section_lists_the_sections_with_a_guess():
    message = refused(section=("Dynamcs",))
    assert message == ("deck.md: --section: the deck has no section 'Dynamcs' (hint: did you mean 'Dynamics'? "
                       "its sections: Kinematics, Dynamics, Dynamics of fluids, Thermodynamics)")


# --- tags: or, and, not -------------------------------------------------------------------------------

def test_repeated_tags_mean_any_of_them():
    assert numbers(tag=("exam", "hard")) == [2, 3, 4, 5, 7, 8]
    assert numbers(tag=("exam,hard",)) == [2, 3, 4, 5, 7, 8]  # commas, as front matter lists them


def test_tags_joined_by_plus_mean_all_of_them():
    assert numbers(tag=("quiz+exam",)) == [2, 3, 7]
    assert numbers(tag=("quiz+exam+hard",)) == [3]
    assert numbers(tag=("quiz+exam", "hard")) == [2, 3, 5, 7, 8]


def test_not_tag_leaves_cards_out():
    assert numbers(not_tag=("hard",)) == [1, 2, 4, 6, 7]
    assert numbers(tag=("exam",), not_tag=("hard",)) == [2, 4, 7]
    assert numbers(not_tag=("exam+hard",)) == [1, 2, 4, 5, 6, 7]  # only cards with both are left out


def test_everything_given_must_hold_and_card_numbers_keep_their_order():
    assert numbers(section=("dynamics",), tag=("hard",)) == [3]
    assert numbers(cards="7,1-4", tag=("quiz",)) == [7, 1, 2, 3]


def test_an_unknown_tag_is_an_error_listing_the_deck_s_tags():
    message = refused(tag=("quiz", "hadr"))  # a typo used to select only quiz, silently
    assert message == ("deck.md: --tag: the deck has no tag 'hadr' (hint: did you mean 'hard'? its tags: exam (5), "
                       "hard (3), quiz (5))")
    assert "no tag 'hadr'" in refused(tag=("quiz+hadr",))
    assert "--not-tag: the deck has no tag 'hadr'" in refused(not_tag=("hadr",))


def test_a_tag_in_the_wrong_case_says_so():
    assert refused(tag=("Quiz",)) == "deck.md: --tag: the deck has no tag 'Quiz', but has 'quiz' (tags match case too)"


def test_a_tag_written_as_a_negation_points_to_not_tag():
    assert refused(tag=("!hard",)).endswith("(hint: to leave out the cards tagged 'hard', use --not-tag hard)")


def test_odd_tag_expressions_are_refused():
    assert "'quiz+' has an empty tag" in refused(tag=("quiz+",))
    deck = parse_deck_text("# S\n## Q\nA\n", Path("deck.md"), "deck.md")
    assert "the deck has no tags, so none is 'quiz' (hint: tag a card by ending its question with {.quiz})" in \
        refused(deck, tag=("quiz",))


def test_every_selection_problem_is_told_at_once():
    deck = physics()
    with pytest.raises(UsageError) as info:
        select(deck, resolve(deck, {"tag": ("hadr",), "section": ("Dynamcs",)}))
    assert [p.message.split(":")[0] for p in info.value.problems] == ["--section", "--tag"]
    assert info.value.exit_code == 2


def test_an_empty_selection_says_what_each_part_keeps():
    message = refused(section=("kinematics",), tag=("hard",))
    assert message == ("deck.md: the selection is empty: no card matches section Kinematics (command line: "
                       "2 cards) and tag hard (command line: 3 cards) together")


# --- what the summary says -------------------------------------------------------------------------

def summary(deck=None, **cli) -> str:
    deck = deck or physics()
    return select(deck, resolve(deck, cli)).describe()


def test_the_summary_says_what_was_selected():
    assert summary() == "8 cards"
    assert summary(tag=("quiz",)) == "5 of 8 cards: tag quiz"
    assert summary(section=("thermo",), tag=("quiz+exam", "hard"), not_tag=("quiz",), shuffle=True, seed=3) == \
        "1 of 8 cards: section Thermodynamics, tag quiz+exam or hard, without tag quiz; shuffled (seed 3)"


def test_the_summary_says_which_language_and_whether_the_deck_chose_it():
    deck = physics()
    selection = select(deck, resolve(deck, {"tag": ("quiz",)}))
    assert deck_summary("deck.md", selection, "english", given=True) == "deck.md: 5 of 8 cards: tag quiz; in English"
    assert deck_summary("deck.md", selection, "polish", given=False) == \
        "deck.md: 5 of 8 cards: tag quiz; in Polish (told from its text: the deck sets no lang:)"


# --- front matter ------------------------------------------------------------------------------------

def test_a_note_app_s_tags_in_front_matter_select_nothing():
    deck = physics("tag: [quiz]\ntags: [physics, exam]\n")  # Obsidian's, once as `tag`
    assert numbers(deck) == list(range(1, 9))
    [warning] = deck.warnings
    assert str(warning).startswith("deck.md:4: front matter: ignored 'tag', 'tags', which fiszki does not use "
                                   "(hint: a card's tags are the {.tag} after its question; to print only some "
                                   "cards, use --tag or 'select_tag:' in the front matter)")


def test_front_matter_selects_under_keys_that_say_so_and_the_summary_names_the_line():
    deck = physics("select_tag: quiz+exam\nselect-section: [dynamics, thermo]\n")
    assert numbers(deck) == [3, 7]
    assert summary(deck) == ("2 of 8 cards: section Dynamics or Thermodynamics (deck.md:5 front matter), "
                             "tag quiz+exam (deck.md:4 front matter)")
    assert summary(deck, tag=("hard",)) == ("2 of 8 cards: section Dynamics or Thermodynamics (deck.md:5 front "
                                            "matter), tag hard")  # the command line replaces the deck's tag


def test_a_bare_selecting_key_in_front_matter_is_refused_with_the_key_to_use():
    for key, option in (("section", "select_section"), ("cards", "select_cards"), ("not-tag", "select_not_tag")):
        with pytest.raises(ContentError) as info:
            physics(f"{key}: x\n")
        assert str(info.value).startswith(f"deck.md:4: front-matter key '{key}' is not read; a deck sets "), key
        assert f"(hint: write '{option}: …')" in str(info.value)


def test_selection_errors_from_front_matter_name_its_line():
    message = refused(physics("select_tag: hadr\n"), ContentError)
    assert message.startswith("deck.md:4: front matter 'select_tag': the deck has no tag 'hadr' (hint: did you mean")
    message = refused(physics("select_tag: hard\n"), ContentError, section=("kinematics",))
    assert message == ("deck.md:4: the selection is empty: no card matches section Kinematics (command line: 2 cards) "
                       "and tag hard (deck.md:4 front matter: 3 cards) together")
    assert "use select_not_tag: hard" in refused(physics("select_tag: '!hard'\n"), ContentError)


# --- through the command line ------------------------------------------------------------------------

def cheat_sheet_text(pdf: Path) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages)


@pytest.mark.tex
def test_shuffle_leaves_the_cheat_sheet_in_the_deck_s_order(tmp_path: Path):
    (tmp_path / "physics.md").write_text(PHYSICS.replace("lang: en\n", ""), encoding="utf-8")
    run = run_fiszki("build", "physics.md", "--out", "out", "--tag", "quiz", "--tag", "hard", "--shuffle",
                     "--seed", "2", cwd=tmp_path)
    assert run.code == 0, run.stderr
    assert "fiszki: physics.md: 7 of 8 cards: tag quiz or hard; shuffled (seed 2); in English (told from its " \
           "text: the deck sets no lang:)" in run.stderr
    fronts = [int(re.search(r"card-(\d+)-front", name).group(1))
              for name in read_pages((tmp_path / "out" / "flashcards.pdf").read_bytes())[0].cards]
    assert sorted(fronts) == [1, 2, 3, 5, 6, 7, 8] and fronts != sorted(fronts)  # the flashcards are shuffled
    text = cheat_sheet_text(tmp_path / "out" / "cheatsheet.pdf")
    headings = re.findall(r"\b(Kinematics|Dynamics of fluids|Dynamics(?! of)|Thermodynamics)\b", text)
    assert headings == ["Kinematics", "Dynamics", "Dynamics of fluids", "Thermodynamics"]  # each once, in order
    selected = [q for q in QUESTIONS if q != "What is momentum?"]
    assert [text.find(q) for q in selected] == sorted(text.find(q) for q in selected) and -1 not in \
        [text.find(q) for q in selected]
    unshuffled = run_fiszki("build", "physics.md", "--out", "plain", "--tag", "quiz", "--tag", "hard", cwd=tmp_path)
    assert unshuffled.code == 0, unshuffled.stderr
    assert (tmp_path / "plain" / "cheatsheet.pdf").read_bytes() == (tmp_path / "out" / "cheatsheet.pdf").read_bytes()


@pytest.mark.tex
def test_keep_going_builds_every_deck_it_can_and_reports_the_others(tmp_path: Path):
    (tmp_path / "broken.md").write_text("# S\n## A card without an answer\n\n## Fine\nYes.\n", encoding="utf-8")
    (tmp_path / "misspelt.md").write_text("---\npapr: letter\n---\n# S\n## Q {.quiz}\nA\n", encoding="utf-8")
    (tmp_path / "physics.md").write_text(PHYSICS, encoding="utf-8")
    decks = ("broken.md", "misspelt.md", "physics.md")
    run = run_fiszki("build", *decks, "--out", "out", "--tag", "quiz", "--keep-going", cwd=tmp_path)
    assert run.code == 1, run.stderr
    assert 'error: broken.md:2: card #1 "A card without an answer": card has no answer' in run.stderr
    assert "error: misspelt.md:2: unknown front-matter key 'papr'" in run.stderr
    assert "error: broken.md: 1 problem; nothing in the output folder was changed" in run.stderr
    assert "error: 2 of 3 decks failed: broken.md, misspelt.md; the others were built" in run.stderr
    assert sorted(p.name for p in (tmp_path / "out").glob("*.pdf")) == ["physics-cheatsheet.pdf",
                                                                        "physics-flashcards.pdf"]
    assert "physics.md: 5 of 8 cards: tag quiz; in English" in run.stderr
    (tmp_path / "untagged.md").write_text("# S\n## Q\nA\n", encoding="utf-8")
    run = run_fiszki("build", "untagged.md", "physics.md", "--out", "out", "--tag", "quiz", "--keep-going", cwd=tmp_path)
    assert "error: untagged.md: --tag: the deck has no tags" in run.stderr
    assert "error: 1 of 2 decks failed: untagged.md; the others were built" in run.stderr
    assert run.code == 2, run.stderr  # the worst of the failures: here a selection the deck cannot make
    run = run_fiszki("build", "untagged.md", "broken.md", "--out", "out", "--keep-going", "--card", "huge", cwd=tmp_path)
    assert "error: untagged.md: --card: unknown card 'huge'" in run.stderr and run.code == 2
    assert "error: 2 of 2 decks failed: untagged.md, broken.md; none was built" in run.stderr
    stopped = run_fiszki("build", *decks, "--out", "out2", "--tag", "quiz", cwd=tmp_path)  # without: the first stops it
    assert stopped.code == 1 and not (tmp_path / "out2").exists()
