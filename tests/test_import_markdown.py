"""Markdown notes (Obsidian and fiszki decks) through `fiszki import --from markdown`."""
from __future__ import annotations

from pathlib import Path

import pytest

from builder.deck import parse_deck_text, read_deck
from builder.importers import import_sources
from builder.importers.media import MediaFolder
from builder.importers.model import CONVERTED, ImportOptions
from tests.conftest import DEFAULT_DECK, run_fiszki
from tests.importing import build_and_read, png


def tokens(toks) -> list[tuple]:
    """A token stream without line numbers: what the card says, not where."""
    return [(t.type, t.tag, t.content, t.markup, tokens(t.children or [])) for t in toks]


def card_list(deck) -> list[tuple]:
    return [(c.question, c.id, c.tags, c.section, tokens(c.question_tokens), tokens(c.front_tokens),
             tokens(c.back_tokens)) for c in deck.cards]


def test_the_default_deck_imports_as_itself(tmp_path: Path) -> None:
    out = tmp_path / "deck.md"
    result = run_fiszki("import", str(DEFAULT_DECK), "--from", "markdown", "-o", str(out))
    assert result.code == 0, result.stderr
    original, imported = read_deck(DEFAULT_DECK), read_deck(out)
    assert card_list(imported) == card_list(original)
    assert len(imported.cards) == 47
    assert imported.meta == original.meta and imported.options == original.options
    assert "warning" not in result.stderr, "a deck loses nothing and needs no checking"
    # and auto-detection reads a .md deck the same way
    again = tmp_path / "again.md"
    assert run_fiszki("import", str(DEFAULT_DECK), "-o", str(again)).code == 0
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


def test_a_deck_with_fronts_options_and_odd_texts_imports_as_itself(tmp_path: Path) -> None:
    text = """---
title: "Odd: deck"
lang: en
card: a7
back_offset: "-1,1.5"
---

## Before any section {#first}
Text.

# Section one

## Question with a front {#q1 .a .b}
Front text.
?
Back with `code`, $x^2$ and a list:

- one
- two

## Question ending in a set {1, 2}
$$
\\sum_i x_i
$$

```
# not a heading
?
```

### A subheading in the answer
"""
    source = tmp_path / "odd.md"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "deck.md"
    result = run_fiszki("import", str(source), "-o", str(out))
    assert result.code == 0, result.stderr
    original, imported = parse_deck_text(text, source), read_deck(out)
    assert card_list(imported) == card_list(original)
    assert imported.meta == original.meta and imported.options == original.options


VAULT_NOTE = """---
tags: [biology, exam]
aliases: [Cell biology]
created: 2024-05-01
---
# Cells

Intro text that is not a card.

## Organelles

### What does the mitochondrion make?
> [!note] Remember
> It is the ==powerhouse== of the cell.

![[cell.png]]

It makes ATP[^atp] from glucose. See [[Mitochondria|the powerhouse]] and [[Krebs cycle#Steps]]. #metabolism
%% private comment %%

### Which phases does mitosis have?
- [ ] prophase
- [x] metaphase
- anaphase
\t- early anaphase
\t- late anaphase

![](../attachments/Pasted image 1.png)

## Quick facts

Where is the DNA kept::in the nucleus
What does a ribosome build
?
Proteins, from amino acids.

[^atp]: Adenosine triphosphate, $C_{10}H_{16}N_5O_{13}P_3$.
"""


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    (root / ".obsidian").mkdir(parents=True)
    (root / "attachments").mkdir()
    (root / "Biology").mkdir()
    (root / "attachments" / "cell.png").write_bytes(png(40, 20, (200, 30, 30)))
    (root / "attachments" / "Pasted image 1.png").write_bytes(png(20, 40, (30, 30, 200)))
    (root / "Biology" / "Cells.md").write_text(VAULT_NOTE, encoding="utf-8")
    return root


def imported(path: Path, **options):
    media = MediaFolder("deck-media")
    return import_sources([path], ImportOptions(**options), media), media


def test_obsidian_note_structure_and_conversions(vault: Path) -> None:
    deck, media = imported(vault / "Biology" / "Cells.md")
    md = deck.markdown
    assert md.startswith("---\ntitle: Cells\nlang: en\n---\n")  # the lone `# Cells` is the title
    assert deck.sections == [("Organelles", 2), ("Quick facts", 2)]
    assert "## What does the mitochondrion make? {#what-does-the-mitochondrion-make .biology .exam .metabolism}" in md
    assert "> **Remember**\n>\n> It is the **powerhouse** of the cell." in md  # callout, highlight
    assert "![](deck-media/cell.png)" in md  # found in the vault's attachments
    assert "![](<deck-media/Pasted image 1.png>)" in md  # spaces in the path
    assert "See the powerhouse and Krebs cycle > Steps." in md  # wikilinks
    assert "private comment" not in md and "%%" not in md
    assert "It makes ATP$^{1}$ from glucose." in md
    assert "$^{1}$ Adenosine triphosphate, $C_{10}H_{16}N_5O_{13}P_3$." in md  # the footnote, at the card's end
    assert "- $\\square$ prophase\n- $\\boxtimes$ metaphase\n- anaphase\n\t- early anaphase\n\t- late anaphase" in md
    assert "## Where is the DNA kept {#where-is-the-dna-kept .biology .exam}\nin the nucleus" in md
    assert "## What does a ribosome build {#what-does-a-ribosome-build .biology .exam}\nProteins, from amino acids." in md
    assert sorted(media.files) == ["Pasted image 1.png", "cell.png"]
    reported = {(n.kind, n.what, n.origin.line) for n in deck.notes}
    assert ("dropped", "front-matter key left out (not a deck setting)", 3) in reported  # aliases
    assert ("dropped", "front-matter key left out (not a deck setting)", 4) in reported  # created
    assert ("dropped", "text outside any card left out", 8) in reported
    assert ("converted", "front-matter tags given to every card", 2) in reported


def test_question_level_given_or_found(vault: Path) -> None:
    note = vault / "Biology" / "Cells.md"
    deck, _ = imported(note)
    assert "level-3" in deck.sources[0].description
    deck, _ = imported(note, question_level=2)  # `##` headings become the questions
    assert [name for name, _ in deck.sections] == ["Cells"]
    assert "## Organelles" in deck.markdown and "### What does the mitochondrion make?" in deck.markdown
    flat = vault / "flat.md"
    flat.write_text("# What is a cell?\nThe unit of life.\n\n# What is a gene?\nA piece of DNA.\n", encoding="utf-8")
    deck, _ = imported(flat)
    assert deck.cards == 2 and "## What is a cell? {#what-is-a-cell}\nThe unit of life." in deck.markdown


def test_images_outside_the_vault_or_on_the_web_are_not_read(vault: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(png(5, 5, (0, 0, 0)))
    note = vault / "Biology" / "Leak.md"
    note.write_text(f"## Q\n![]({secret})\n![](../../secret.png)\n![x](https://example.com/a.png)\n", encoding="utf-8")
    deck, media = imported(note)
    assert media.files == {}
    assert "[x](https://example.com/a.png)" in deck.markdown
    what = [n.what for n in deck.notes]
    assert what.count("image outside the notes' folder not read") == 2
    assert "image on the web shown as a link (only local images are printed)" in what


def test_code_and_math_are_not_converted(tmp_path: Path) -> None:
    note = tmp_path / "n.md"
    note.write_text("## Q\n`a==b==c` and $x [[y]]$ stay; ==this== goes.\n```\n#tag %% x %% [[z]]\n```\n",
                    encoding="utf-8")
    deck, _ = imported(note)
    assert "`a==b==c` and $x [[y]]$ stay; **this** goes.\n```\n#tag %% x %% [[z]]\n```" in deck.markdown
    assert not [n for n in deck.notes if n.kind != CONVERTED]


def test_nothing_found_writes_nothing(tmp_path: Path) -> None:
    note = tmp_path / "empty.md"
    note.write_text("Just some prose, no headings, no cards.\n", encoding="utf-8")
    out = tmp_path / "deck.md"
    result = run_fiszki("import", str(note), "-o", str(out))
    assert result.code == 1
    assert f"{note}: no cards found (read as markdown)" in result.stderr
    assert "text outside any card left out" in result.stderr  # why: what was read, and left out
    assert not out.exists() and not (tmp_path / "deck-media").exists()


@pytest.mark.tex
def test_the_imported_obsidian_note_builds_with_every_card_and_image(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "deck" / "cells.md"
    result = run_fiszki("import", str(vault / "Biology" / "Cells.md"), "-o", str(out))
    assert result.code == 0, result.stderr
    assert "wrote" in result.stderr and "4 cards in 2 sections (Organelles 2, Quick facts 2)" in result.stderr
    built = build_and_read(out)
    assert built.cards == 4
    for text in ("What does the mitochondrion make?", "Remember", "powerhouse", "It makes ATP", "from glucose",
                 "See the powerhouse and Krebs cycle > Steps.", "Adenosine triphosphate",
                 "Which phases does mitosis have?", "prophase", "early anaphase", "late anaphase",
                 "Where is the DNA kept", "in the nucleus", "What does a ribosome build", "Proteins, from amino acids."):
        assert text in built.text, text
    assert "C10H16N5O13P3" in built.text.replace(" ", "")  # the footnote's formula, typeset
    assert sorted(set(built.images)) == [(20, 40), (40, 20)]  # both pictures reach the PDF
