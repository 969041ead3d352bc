"""Front-matter keys that are not fiszki's: a note app's metadata is passed over with one warning,
a misspelling of one of fiszki's keys is still an error with the key it means."""
from __future__ import annotations

from pathlib import Path

import pytest

from builder.deck import parse_deck_text
from builder.errors import ContentError


def deck_with(front_matter: str):
    return parse_deck_text(f"---\ntitle: T\n{front_matter}---\n# S\n## Q\nA\n", Path("deck.md"), "deck.md")


NOTE_APP_FRONT_MATTER = """\
tags: [physics, exam]
aliases: [Mechanics]
created: 2024-05-01
date: 2024-05-01
author: Ada
cssclasses: [wide]
updated: 2024-05-02
modified: 2024-05-03
publish: true
permalink: physics-cards
mood: curious
model: resnet
"""


def test_note_app_keys_are_passed_over_with_one_warning():
    deck = deck_with(NOTE_APP_FRONT_MATTER)
    assert deck.meta["author"] == "Ada" and deck.options == {}
    [warning] = deck.warnings
    assert str(warning).startswith("deck.md:3: front matter: ignored 'tags', 'aliases', 'created', 'cssclasses', "
                                   "'updated', 'modified', 'publish', 'permalink', 'mood', 'model', which fiszki "
                                   "does not use (hint: ")
    assert "fiszki reads title, subtitle, lang" in str(warning)  # `mood` is no note app's: say what fiszki reads


@pytest.mark.parametrize("line, meant", [
    ("papr: letter", "paper"), ("Paper: letter", "paper"), ("colums: 3", "columns"), ("orientaton: landscape",
    "orientation"), ("card-size: a7", "card"), ("papersize: a4", "paper"), ("language: pl", "lang"),
    ("model: fold", "mode"), ("tittle: Physics", "title"), ("select-tags: quiz", "select_tag"),
])
def test_a_misspelt_key_of_fiszki_s_is_still_an_error(line, meant):
    with pytest.raises(ContentError) as info:
        deck_with(line + "\n")
    assert str(info.value) == f"deck.md:3: unknown front-matter key '{line.split(':')[0]}' (hint: did you mean '{meant}'?)"


@pytest.mark.parametrize("line", ["papr: red", "language: Python", "model: resnet", "reviewed: true",
                                  "source: lecture 3", "course_code: NN-2024", "updated: 2024-05-02"])
def test_a_key_only_spelt_like_fiszki_s_but_holding_another_kind_of_value_is_passed_over(line):
    deck = deck_with(line + "\n")
    assert deck.options == {} and deck.lang_detected
    [warning] = deck.warnings
    assert str(warning).startswith(f"deck.md:3: front matter: ignored '{line.split(':')[0]}'")


def test_the_warning_rides_along_when_the_front_matter_also_has_an_error():
    with pytest.raises(ContentError) as info:
        deck_with("tags: [a]\npapr: letter\n")
    assert [str(p).split(" (")[0] for p in info.value.problems] == ["deck.md:4: unknown front-matter key 'papr'"]
    assert str(info.value.warnings[0]).startswith("deck.md:3: front matter: ignored 'tags'")
