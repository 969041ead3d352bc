"""The option table is the one list of build options: command line, front matter, printer
profiles and the cache all follow it, with the same checks and messages."""
from __future__ import annotations

from pathlib import Path

import click
import pytest

from builder.cli import build as build_command
from builder.deck import parse_deck_text
from builder.errors import ContentError, UsageError
from builder.options import FRONT_MATTER, FRONT_MATTER_KEYS, OPTIONS, PROFILE_KEYS, fingerprint_values, resolve

RUN_CONTROLS = {"decks", "out_dir", "no_cache", "keep_going"}  # how this run behaves, not what it makes

# A value each option refuses, where it refuses any (text options are checked when sizes are parsed).
BAD = {"paper": "a99", "orientation": "sideways", "card": "huge", "grid": "2by2", "margin": "wide",
       "gutter": "x", "flip": "diagonal", "back_offset": "1", "overflow": "maybe", "cut_marks": "thick",
       "mode": "triplex", "reverse": "perhaps", "bleed": "lots", "min_size": 99, "pages": 1000,
       "columns": 0, "cheat_min_size": 1, "shuffle": "often", "seed": "x", "make": "everything", "screen": "1:9"}


def deck_with(front_matter: str):
    text = f"---\n{front_matter}\n---\n# S\n## Q?\nA.\n"
    return parse_deck_text(text, Path("deck.md"), "deck.md")


def test_the_build_command_has_exactly_the_table_s_options():
    params = {p.name for p in build_command.params if isinstance(p, click.Option | click.Argument)}
    assert params - RUN_CONTROLS == {o.name for o in OPTIONS}


def test_every_option_but_those_the_table_excludes_can_be_set_in_front_matter():
    excluded = {o.name for o in OPTIONS if o.not_in_front_matter}
    assert excluded == {"printer"}
    assert set(FRONT_MATTER.values()) == {o.name for o in OPTIONS} - excluded
    assert set(FRONT_MATTER_KEYS) == {o.front_matter_key or o.name for o in OPTIONS} - excluded


def test_selecting_options_have_front_matter_keys_that_say_so():
    renamed = {name: key for key, name in FRONT_MATTER.items() if key != name}
    assert renamed == {"section": "select_section", "tag": "select_tag", "not_tag": "select_not_tag",
                       "cards": "select_cards"}
    assert resolve(deck_with("select-tag: [quiz, exam]"), {}).tag == ("quiz", "exam")


def test_reverse_in_front_matter_reaches_the_options():
    assert resolve(deck_with("reverse: true"), {}).reverse is True
    assert resolve(deck_with("reverse: true"), {"reverse": False}).reverse is False  # the command line wins


def test_an_excluded_option_in_front_matter_says_why():
    with pytest.raises(ContentError) as info:
        deck_with("printer: office")
    assert str(info.value) == ("deck.md:2: front-matter key 'printer' is not for a deck: a printer profile "
                               "belongs to the computer that prints, not to the deck")


@pytest.mark.parametrize("name", sorted(BAD))
def test_front_matter_and_command_line_refuse_a_bad_value_with_the_same_message(name):
    value = BAD[name]
    written = f"'{value}'" if isinstance(value, str) else value
    with pytest.raises(ContentError) as in_deck:
        resolve(deck_with(f"{name}: {written}"), {})
    with pytest.raises(UsageError) as on_line:
        resolve(None, {name: value})
    deck_message = str(in_deck.value.problems[0])
    assert deck_message.startswith(f"deck.md:2: front matter '{name}': ")
    assert deck_message.split(": ", 2)[2] == str(on_line.value).split(": ", 1)[1]


def test_printer_profile_keys_are_table_options():
    assert set(PROFILE_KEYS) == {"paper", "orientation", "flip", "back_offset"}


def test_the_cache_key_holds_the_build_options_and_nothing_else():
    values = fingerprint_values({"card": "a7", "out_dir": "elsewhere", "pages": 2, "make": ("study",)})
    assert values == [("card", "a7"), ("pages", 2)]  # which outputs are built is no input of any
