"""The deck format (issue 3 §1): pure parsing, no TeX. Every case states the line it expects."""
from __future__ import annotations

from pathlib import Path

import pytest

from builder.options import FRONT_MATTER, FRONT_MATTER_KEYS as OPTION_KEYS
from builder.deck import decode_source, parse_deck_text, read_deck, slugify
from builder.errors import ContentError
from builder.options import resolve

FRONT = """\
---
title: Sieci
subtitle: Egzamin
lang: pl
author: Jan
course: SN
date: 2024-06-01
card: a7
---
"""

BODY = """\
# Podstawy

## Czym jest softmax? {#softmax .exam .core}
Zamienia wektor na rozkład.

## Co to jest $\\sigma$?
Funkcja sigmoidalna.

# Trening

## Co robi dropout?
Wyłącza neurony.
"""


def parse(text: str, name: str = "deck.md"):
    return parse_deck_text(text, Path(name), name)


def problems(text: str) -> list[str]:
    with pytest.raises(ContentError) as info:
        parse(text)
    return [str(p) for p in info.value.problems]


def test_minimal_form_needs_nothing_but_section_question_answer():
    deck = parse("# S\n## Q\nA\n")
    (card,) = deck.cards
    assert (card.number, card.question, card.section, card.line, card.id) == (1, "Q", "S", 2, "q")
    assert deck.meta == {"lang": "en"} and deck.options == {} and deck.language == "english"
    assert deck.title == "deck"  # the file name when no title is given


def test_front_matter_meta_and_options():
    deck = parse(FRONT + BODY)
    assert deck.meta == {"title": "Sieci", "subtitle": "Egzamin", "lang": "pl", "author": "Jan",
                         "course": "SN", "date": "2024-06-01"}
    assert deck.language == "polish" and deck.title == "Sieci"
    assert deck.options == {"card": "a7"} and deck.option_lines == {"card": 8}
    assert resolve(deck, {}).card == "a7"  # the deck's default reaches the build options
    assert resolve(deck, {"card": "a8"}).card == "a8"  # and the command line wins


def test_every_option_key_is_accepted_in_front_matter():
    keys = "\n".join(f"{k.replace('_', '-') if i % 2 else k}: x" for i, k in enumerate(OPTION_KEYS))
    deck = parse(f"---\n{keys}\n---\n# S\n## Q\nA\n")
    assert set(deck.options) == set(FRONT_MATTER.values())


@pytest.mark.parametrize("front", ["", FRONT], ids=["no-front-matter", "front-matter"])
def test_cards_know_file_line_section_and_number(front):
    offset = front.count("\n")
    deck = parse(front + BODY)
    got = [(c.number, c.line - offset, c.section, c.id, c.tags, c.file) for c in deck.cards]
    assert got == [
        (1, 3, "Podstawy", "softmax", ("exam", "core"), "deck.md"),
        (2, 6, "Podstawy", "co-to-jest-sigma", (), "deck.md"),
        (3, 11, "Trening", "co-robi-dropout", (), "deck.md"),
    ]
    assert deck.sections == ["Podstawy", "Trening"]
    assert deck.cards[0].question == "Czym jest softmax?"  # attribute block taken off
    lines = (front + BODY).split("\n")
    assert all(lines[c.line - 1].startswith("## ") for c in deck.cards)


def test_crlf_and_bom_change_nothing():
    text = FRONT + BODY
    plain = parse(decode_source(text.encode(), "d.md"))
    for data in (text.replace("\n", "\r\n").encode(), b"\xef\xbb\xbf" + text.encode(),
                 b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode(), text.replace("\n", "\r").encode()):
        deck = parse(decode_source(data, "d.md"))
        assert [(c.line, c.id, c.question) for c in deck.cards] == [(c.line, c.id, c.question) for c in plain.cards]
        assert deck.meta == plain.meta


def test_bom_does_not_hide_the_front_matter_and_crlf_keeps_error_lines():
    data = b"\xef\xbb\xbf---\r\ntitle: T\r\npapr: letter\r\n---\r\n# S\r\n## Q\r\nA\r\n"
    with pytest.raises(ContentError) as info:
        parse(decode_source(data, "d.md"))
    assert str(info.value.problems[0]).startswith("deck.md:3: unknown front-matter key 'papr'")


def test_invalid_utf8_names_line_and_column():
    with pytest.raises(ContentError) as info:
        decode_source(b"# S\n## Q\nab\xffcd\n", "d.md")
    assert str(info.value) == "d.md:3:3: the file is not valid UTF-8 (byte 0xFF) (hint: save the deck as UTF-8)"


def test_read_deck_reports_missing_file_and_folder(tmp_path):
    for path, words in ((tmp_path / "nope.md", "deck file not found"), (tmp_path, "is a folder")):
        with pytest.raises(ContentError) as info:
            read_deck(path)
        assert words in str(info.value) and str(path.name) in str(info.value)


def test_explicit_ids_and_tags():
    deck = parse("# S\n## A {#a-1 .x}\n1\n## B {.y .z #b_2}\n2\n## C {.only-tag}\n3\n")
    assert [(c.id, c.tags, c.question) for c in deck.cards] == [
        ("a-1", ("x",), "A"), ("b_2", ("y", "z"), "B"), ("c", ("only-tag",), "C")]


def test_braces_that_are_not_attributes_stay_in_the_question():
    deck = parse("# S\n## Czy {1, 2} to zbiór {a}\nTak.\n")
    assert deck.cards[0].question == "Czy {1, 2} to zbiór {a}"


def test_derived_ids_are_stable_slugs_and_deduplicated():
    text = "# S\n## Zażółć gęślą jaźń?\n1\n## Zażółć gęślą jaźń!\n2\n## Ł ó\n3\n## $$\n4\n"
    deck = parse(text)
    assert [c.id for c in deck.cards] == ["zazolc-gesla-jazn", "zazolc-gesla-jazn-2", "l-o", "card"]
    assert [c.id for c in parse(text).cards] == [c.id for c in deck.cards]  # same text, same ids
    assert slugify("x" * 100) == "x" * 48


def test_derived_ids_avoid_explicit_ids_written_later():
    deck = parse("# S\n## Softmax\n1\n## Inna {#softmax}\n2\n")
    assert [c.id for c in deck.cards] == ["softmax-2", "softmax"]


def test_separator_splits_extended_front_from_back():
    deck = parse("# S\n## Q\nfront line\n- front item\n?\nback **line**\n\nmore back\n")
    card = deck.cards[0]
    front = [t.content for t in card.front_tokens if t.type == "inline"]
    back = [t.content for t in card.back_tokens if t.type == "inline"]
    assert front == ["front line", "front item"] and back == ["back **line**", "more back"]


def test_separator_with_blank_lines_and_without_are_the_same():
    tight = parse("# S\n## Q\nfront\n?\nback\n").cards[0]
    loose = parse("# S\n## Q\nfront\n\n?\n\nback\n").cards[0]
    for card in (tight, loose):
        assert [t.content for t in card.front_tokens if t.type == "inline"] == ["front"]
        assert [t.content for t in card.back_tokens if t.type == "inline"] == ["back"]


def test_question_mark_inside_code_or_math_is_not_a_separator():
    deck = parse("# S\n## Q\n```\n?\n```\n$$\na\n?\n$$\n")
    assert deck.cards[0].front_tokens == []


def test_answer_runs_until_the_next_level_one_or_two_heading():
    deck = parse("# S\n## Q\nA\n### sub\nB\n#### deeper\nC\n# T\n## R\nD\n")
    q = deck.cards[0]
    assert [t.content for t in q.back_tokens if t.type == "inline"] == ["A", "sub", "B", "deeper", "C"]
    assert deck.cards[1].section == "T"


def test_cards_before_any_section_belong_to_an_unnamed_one():
    deck = parse("## Q\nA\n# S\n## R\nB\n")
    assert [(c.section, c.line) for c in deck.cards] == [("", 1), ("S", 4)]


@pytest.mark.parametrize("text, expected", [
    ("", 'deck.md:1: the deck has no cards'),
    ("---\ntitle: T\n---\n# Only a section\n", "deck.md:1: the deck has no cards"),
    ("# S\n## Q\n\n## R\nB\n", 'deck.md:2: card #1 "Q": card has no answer'),
    ("# S\n## Q\nfront\n?\n\n## R\nB\n", 'deck.md:2: card #1 "Q": card has no answer (hint: write the answer after'),
    ("Orphan text\n# S\n## Q\nA\n", "deck.md:1: text before the first question"),
    ("# S\nIntro\n## Q\nA\n", "deck.md:2: text under section 'S' before the first question"),
    ("# S\n### Deep\n## Q\nA\n", "deck.md:2: a heading of level 3 or deeper under section 'S' before"),
    ("# S\n## Q {#x}\nA\n## R {#x}\nB\n", "deck.md:4: card #2 \"R\": duplicate card id 'x' (first used on line 2)"),
    ("# S\n## Q {#bad id}\nA\n", 'deck.md:2: card #1 "Q": cannot read the attribute block {#bad id}'),
    ("# S\n## Q {#a #b}\nA\n", "deck.md:2: card #1 \"Q\": cannot read the attribute block {#a #b}"),
    ("# S\n## {#x}\nA\n", "deck.md:2: card #1: card has an empty question"),
    ("# S\n## Q\na\n?\nb\n?\nc\n", 'deck.md:6: card #1 "Q": more than one \'?\' separator line in a card (the first is on line 4)'),
    ("# S\n## Q\n- a\n  ?\n- b\n", "deck.md:4: card #1 \"Q\": the '?' line is inside a list or quote"),
    ("---\ntitle: T\npapr: letter\n---\n# S\n## Q\nA\n", "deck.md:3: unknown front-matter key 'papr' (hint: did you mean 'paper'?)"),
    ("---\ntitel: T\n---\n# S\n## Q\nA\n", "deck.md:2: unknown front-matter key 'titel' (hint: did you mean 'title'?)"),
    ("---\nlang: de\n---\n# S\n## Q\nA\n", "deck.md:2: unknown language 'de' (hint: use one of: pl, en)"),
    ("---\ntitle: A\ntitle: B\n---\n# S\n## Q\nA\n", "deck.md:3: front-matter key 'title' is given twice (first on line 2)"),
    ("---\ntitle: [a, b]\n---\n# S\n## Q\nA\n", "deck.md:2: 'title' must be text, not a list"),
    ("---\ntitle: T\n  bad: indent\n---\n# S\n## Q\nA\n", "deck.md:3: front matter is not valid YAML"),
    ("---\n- a\n- b\n---\n# S\n## Q\nA\n", "deck.md:2: front matter must be 'key: value' lines"),
    ("---\ntitle: T\n# S\n## Q\nA\n", "deck.md:1: front matter starts with --- but never ends"),
    ("---\nx: !!python/object:os.system ls\n---\n# S\n## Q\nA\n", "deck.md:2: front matter is not valid YAML"),
], ids=lambda v: v[:30] if isinstance(v, str) else v)
def test_structure_errors_name_line_and_card(text, expected):
    assert any(p.startswith(expected) for p in problems(text)), problems(text)


def test_all_problems_are_reported_at_once_in_line_order():
    got = problems("# S\n## Q {#x}\n\n## R {#x}\nB\n## T\n")
    assert [p.split(":")[1] for p in got] == ["2", "4", "6"]


@pytest.mark.parametrize("text, field, line", [
    ("---\npaper: b99\n---\n# S\n## Q\nA\n", "paper", 2),
    ("---\ntitle: T\ncard: huge\n---\n# S\n## Q\nA\n", "card", 3),
    ("---\nflip: sideways\n---\n# S\n## Q\nA\n", "flip", 2),
])
def test_bad_option_values_in_front_matter_name_their_line(text, field, line):
    deck = parse(text)
    with pytest.raises(ContentError) as info:
        resolve(deck, {})
    assert str(info.value).startswith(f"deck.md:{line}: front matter '{field}'")


def test_warnings_for_suspicious_things():
    deck = parse("# S\n## Co to jest?\nA\n## co to  JEST?\nB\n# Empty\n# T\n## Q\n?\nC\n## R\nx\n---\n")
    got = [str(w) for w in deck.warnings]
    assert any(w.startswith('deck.md:4: card #2 "co to JEST?": same question as the card on line 2') for w in got)
    assert any(w.startswith("deck.md:6: section 'Empty' has no cards") for w in got)
    assert any(w.startswith("deck.md:9: card #3 \"Q\": '?' right under the question does nothing") for w in got)
    assert any(w.startswith("deck.md:12: card #4 \"R\": text followed by a line of ---") for w in got)
    assert len(got) == 4


def test_a_heading_without_its_space_is_pointed_out():
    deck = parse("# S\n## Q\nA\n##Second question\nB\n")
    assert len(deck.cards) == 1
    assert [str(w) for w in deck.warnings] == [
        "deck.md:4: card #1 \"Q\": '##' without a space after it is not a heading; this line stays in the "
        "answer (hint: write '## ' with a space for a new card)"]
    assert parse("# S\n## Q\n#1 rule: no warning for numbers\n").warnings == []
    assert "(hint: write '## ' with a space)" in problems("##Q\nA\n")[0]


def test_the_real_deck_parses_cleanly():
    deck = read_deck(Path(__file__).resolve().parent.parent / "content" / "deck.md")
    assert len(deck.cards) == 47 and deck.warnings == []
    assert len({c.id for c in deck.cards}) == 47
    assert [c.number for c in deck.cards] == list(range(1, 48))


def test_cards_and_titles_beyond_any_real_deck_are_refused_by_their_line():
    from builder.decklimits import MAX_CARD_CHARS, MAX_CARD_LINES

    fine = "# S\n\n## Long but fine\n" + "a" * (MAX_CARD_CHARS - 40) + "\n\n## Next\nB\n"
    assert len(parse_deck_text(fine, Path("d.md")).cards) == 2
    text = "# S\n\n## Short\nA\n\n## Long\n" + "a " * MAX_CARD_CHARS + "\n\n## Tall\n" + "x\n\n" * MAX_CARD_LINES
    with pytest.raises(ContentError) as info:
        parse_deck_text(text, Path("d.md"))
    assert [str(p) for p in info.value.problems] == [
        'd.md:6: card #2 "Long": the card is 40,010 characters long; fiszki takes cards of at most 20,000 '
        "characters and 1,000 lines (hint: split it into several cards)",
        'd.md:9: card #3 "Tall": the card is 2,002 lines long; fiszki takes cards of at most 20,000 characters and '
        "1,000 lines (hint: split it into several cards)"]
    with pytest.raises(ContentError, match=r"d\.md:3: 'author' is 1,001 characters long; at most 1,000"):
        parse_deck_text("---\ntitle: T\nauthor: " + "a" * 1001 + "\n---\n# S\n## Q\nA\n", Path("d.md"))


def test_a_heading_with_a_70_kB_run_of_spaces_is_read_at_once() -> None:
    """The attribute-block pattern started with \\s*: on a long run of spaces inside a question it
    backtracked (7 s for 70 kB, quadratic). The subprocess timeout is a hang guard, not a speed test."""
    import subprocess
    import sys

    # The heading is read whole before the card's length is checked (the card is over the limit).
    code = ("from pathlib import Path; from builder.deck import parse_deck_text; "
            "parse_deck_text('# S\\n## a' + ' ' * 70_000 + 'b {#x .t}\\nA\\n', Path('d.md'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=3)
    assert "the card is 70,017 characters long" in done.stderr, done.stderr
    short = "from pathlib import Path; from builder.deck import parse_deck_text; " \
            "d = parse_deck_text('# S\\n## a' + ' ' * 100 + 'b {#x .t}\\nA\\n', Path('d.md')); print(d.cards[0].id, d.cards[0].tags)"
    read = subprocess.run([sys.executable, "-c", short], capture_output=True, text=True, timeout=10)
    assert read.stdout.split() == ["x", "('t',)"], read.stderr
