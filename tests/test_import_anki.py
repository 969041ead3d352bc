"""Anki packages, as Anki's own library writes them, through `fiszki import`."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from builder.deck import read_deck
from builder.importers import import_sources
from builder.importers import protowire
from builder.importers.media import MediaFolder
from builder.importers.model import DROPPED, ImportOptions
from tests.anki_fixtures import ATP_PNG, CELL_PNG, AnkiFixtures, anki_reads, make_packages
from tests.conftest import run_fiszki
from tests.importing import build_and_read


@pytest.fixture(scope="module")
def anki(tmp_path_factory) -> AnkiFixtures:
    return make_packages(tmp_path_factory.mktemp("anki"))


def imported(package: Path):
    media = MediaFolder("deck-media")
    return import_sources([package], ImportOptions(), media), media


def body(markdown: str) -> str:
    return markdown.split("---\n", 2)[2]


def test_the_current_format_is_what_it_claims(anki: AnkiFixtures) -> None:
    with zipfile.ZipFile(anki.latest) as z:
        assert protowire.first_int(protowire.read_message(z.read("meta")), 1) == 3
        assert z.read("collection.anki21b")[:4] == b"\x28\xb5\x2f\xfd"  # a zstd frame
    with zipfile.ZipFile(anki.anki2) as z:
        assert "meta" not in z.namelist() and z.read("collection.anki2")[:6] == b"SQLite"


def test_anki_itself_reads_the_anki_2_0_package(anki: AnkiFixtures, tmp_path: Path) -> None:
    assert len(anki_reads(anki.anki2, tmp_path)) == 9  # the rebuilt fixture is a package Anki reads


def test_every_format_gives_the_same_deck(anki: AnkiFixtures) -> None:
    decks = {p.name: imported(p) for p in (anki.latest, anki.legacy, anki.anki2, anki.colpkg)}
    first = body(decks["latest.apkg"][0].markdown)
    for name, (deck, media) in decks.items():
        assert body(deck.markdown) == first, name
        assert media.files == {"cell.png": CELL_PNG, "atp.png": ATP_PNG}, name  # not unused.png
    assert [d.sources[0].description.split(", ")[1] for d, _ in decks.values()] == \
        ["collection.anki21b", "collection.anki21", "collection.anki2", "collection.anki21b"]


def test_decks_note_types_and_html(anki: AnkiFixtures) -> None:
    deck, _ = imported(anki.latest)
    md = deck.markdown
    assert md.startswith("---\ntitle: Science\nlang: en\n---\n")  # the decks' common root
    assert deck.sections == [("Biology / Cells", 3), ("Biology / Genetics", 2), ("Chemistry", 6)]
    # Basic: HTML, entities, &nbsp;, MathJax, an image, sub/superscripts; tags (hierarchical too)
    assert ("## What does the **mitochondrion** make? {#what-does-the-mitochondrion-make .bio .ML::basics}\n"
            "It makes *ATP* & heat: $E = mc^2$\n\n![](deck-media/cell.png)\\\n"  # <div> lines: line breaks
            "Water is H$_{2}$O, area is r$^{2}$.\n") in md
    assert "## Nucleus {#nucleus .bio}\nHolds the *DNA* of the cell\n" in md  # reversed: one card
    assert "## Ribosome {#ribosome}\nBuilds proteins\n" in md  # "Add Reverse" is a switch, not text
    assert "## How many chromosomes does a human cell hold? {#how-many-chromosomes-does-a-human-cell-hold .numbers}\n46\n" in md
    assert "- adenine\n  - pairs with thymine\n- guanine\n\n1. first\n2. second\n" in md
    assert "| **Symbol** | Name |\n| --- | --- |\n| H | hydrogen |\n| He | helium |\n\nDisplay math:\n\n" \
           "$$\\sum_{i=1}^{n} x_i$$\n" in md
    assert "## Katalizator {#katalizator .pl}\nCatalyst\n\n**Example:** Enzymes are catalysts\n" in md


def test_cloze_makes_one_card_per_number(anki: AnkiFixtures) -> None:
    md, _ = imported(anki.latest)
    md = md.markdown
    assert "## […] boils at 100 °C and $E = mc^2$ {#boils-at-100-c-and-e-mc-2 .cloze}\n" \
           "**Water** boils at 100 °C and $E = mc^2$\n\nAt sea level\n" in md
    assert "## Water boils at [temperature] and $E = mc^2$" in md  # the hint
    assert "**100 °C**" in md
    assert "## Water boils at 100 °C and $E = [\\ldots]$" in md  # a cloze inside MathJax stays TeX
    assert "$E = \\boxed{mc^2}$" in md


def test_what_cannot_be_converted_is_reported_by_note_id(anki: AnkiFixtures) -> None:
    deck, _ = imported(anki.latest)
    sound = anki.note_ids["sound"]
    dropped = {(n.what, n.detail) for n in deck.notes if n.kind == DROPPED and n.origin.note_id == sound}
    assert ("sound left out (a printed card cannot play it)", "flame.mp3") in dropped
    assert ("colours, fonts and alignment left out", "") in dropped
    assert any(what.startswith("image not copied") and "flame.gif" in detail for what, detail in dropped)
    assert "## What does a flame test show?" in deck.markdown and "[flame.gif]" in deck.markdown


def test_the_command_reports_and_writes_images_next_to_the_deck(anki: AnkiFixtures, tmp_path: Path) -> None:
    out = tmp_path / "science.md"
    result = run_fiszki("import", str(anki.colpkg), "-o", str(out))
    assert result.code == 0, result.stderr
    assert f"note {anki.note_ids['sound']}: left out: sound left out" in result.stderr
    assert "wrote" in result.stderr and "11 cards in 3 sections" in result.stderr
    assert sorted(p.name for p in (tmp_path / "science-media").iterdir()) == ["atp.png", "cell.png"]


@pytest.mark.parametrize("damage, message", [
    (lambda z: z.writestr("readme.txt", "hello"), "collection.anki2 is missing"),
    (lambda z: (z.writestr("meta", b"\x08\x63"), z.writestr("collection.anki21b", b"x")), "newer than fiszki knows"),
    (lambda z: (z.writestr("meta", b"\x08\x03"), z.writestr("collection.anki21b", b"\x28\xb5\x2f\xfd" + b"\xff" * 20)),
     "collection.anki21b is damaged"),
    (lambda z: z.writestr("collection.anki2", b"not a database"), "collection.anki2 is not an SQLite database"),
])
def test_a_damaged_package_is_a_clear_error_and_nothing_is_written(tmp_path: Path, damage, message: str) -> None:
    package = tmp_path / "broken.apkg"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        damage(z)
    package.write_bytes(buffer.getvalue())
    out = tmp_path / "deck.md"
    result = run_fiszki("import", str(package), "-o", str(out))
    assert result.code == 1 and message in result.stderr, result.stderr
    assert "internal error" not in result.stderr and not out.exists()


def test_not_a_zip(tmp_path: Path) -> None:
    package = tmp_path / "deck.apkg"
    package.write_bytes(b"this is not a zip")
    result = run_fiszki("import", str(package), "-o", str(tmp_path / "deck.md"))
    assert result.code == 1 and "is not an Anki package (not a zip file)" in result.stderr


def test_the_protobuf_reader_agrees_with_ankis_own_messages() -> None:
    from anki import import_export_pb2 as pb

    entries = pb.MediaEntries(entries=[pb.MediaEntries.MediaEntry(name="zdjęcie 1.png", size=300, sha1=b"\x01" * 20),
                                       pb.MediaEntries.MediaEntry(name="b.png", size=2**31, sha1=b"",
                                                                  legacy_zip_filename=7)])
    read = protowire.read_message(entries.SerializeToString())
    first, second = (protowire.read_message(e) for e in read[1])
    assert protowire.first_text(first, 1) == "zdjęcie 1.png" and protowire.first_int(first, 2) == 300
    assert protowire.first_text(second, 1) == "b.png" and protowire.first_int(second, 2) == 2**31
    assert protowire.first_int(second, 255) == 7
    meta = pb.PackageMetadata(version=pb.PackageMetadata.VERSION_LATEST).SerializeToString()
    assert protowire.first_int(protowire.read_message(meta), 1) == 3
    with pytest.raises(ValueError):
        protowire.read_message(entries.SerializeToString()[:-3])  # cut short: refused, not over-read


@pytest.mark.tex
def test_the_imported_package_builds_with_every_card_math_and_image(anki: AnkiFixtures, tmp_path: Path) -> None:
    out = tmp_path / "science.md"
    assert run_fiszki("import", str(anki.latest), "-o", str(out)).code == 0
    built = build_and_read(out)
    assert built.cards == 11 == len(read_deck(out).cards)
    for text in ("What does the mitochondrion make?", "It makes ATP & heat:", "Water is H", "Nucleus",
                 "Holds the DNA of the cell", "Ribosome", "Builds proteins", "46", "adenine", "pairs with thymine",
                 "guanine", "first", "second", "hydrogen", "helium", "Display math:", "boils at 100 °C",
                 "At sea level", "[temperature]", "What does a flame test show?", "The metal in a salt [flame.gif]",
                 "Katalizator", "Catalyst", "Example: Enzymes are catalysts"):
        assert text in built.text, text
    for formula in ("E = mc2", "H2O", "r2.", "n∑ i=1 xi"):  # typeset formulas, as pypdf reads them back
        assert formula in built.text, formula
    assert sorted(set(built.images)) == [(20, 40), (40, 20)]
