"""Text exports through `fiszki import`: Anki's plain text (written by Anki), Quizlet, CSV/TSV."""
from __future__ import annotations

from pathlib import Path

import pytest

from builder.importers import detect_kind, import_sources
from builder.importers.media import MediaFolder
from builder.importers.model import ImportOptions
from tests.anki_fixtures import make_packages
from tests.conftest import run_fiszki
from tests.importing import build_and_read


def imported(path: Path, **options):
    return import_sources([path], ImportOptions(**options), MediaFolder("deck-media"))


@pytest.fixture(scope="module")
def anki_text(tmp_path_factory) -> dict[str, Path]:
    """Anki's "Notes in Plain Text" (with every column, and without HTML) and "Cards in Plain Text"."""
    from anki.collection import Collection

    folder = tmp_path_factory.mktemp("anki-text")
    fixtures = make_packages(folder)
    col = Collection(str(folder / "collection.anki2"))
    paths = {"notes": folder / "notes.txt", "plain": folder / "plain.txt", "cards": folder / "cards.txt"}
    try:
        col.export_note_csv(out_path=str(paths["notes"]), limit=None, with_html=True, with_tags=True,
                            with_deck=True, with_notetype=True, with_guid=True)
        col.export_note_csv(out_path=str(paths["plain"]), limit=None, with_html=False, with_tags=True,
                            with_deck=False, with_notetype=False, with_guid=False)
        col.export_card_csv(out_path=str(paths["cards"]), limit=None, with_html=True)
    finally:
        col.close()
    (folder / "cell.png").write_bytes((folder / "collection.media" / "cell.png").read_bytes())
    assert fixtures.note_ids
    return paths


def test_anki_notes_in_plain_text(anki_text: dict[str, Path]) -> None:
    path = anki_text["notes"]
    assert path.read_text(encoding="utf-8").startswith("#separator:tab\n#html:true\n#guid column:1\n")
    assert detect_kind(path, path.read_bytes()) == "anki"
    deck = imported(path)
    md = deck.markdown
    assert deck.cards == 11
    assert [name for name, _ in deck.sections] == ["Science / Biology / Cells", "Science / Biology / Genetics",
                                                   "Science / Chemistry"]
    assert "## What does the **mitochondrion** make? {#what-does-the-mitochondrion-make .bio .ML::basics}\n" \
           "It makes *ATP* & heat: $E = mc^2$\n\n![](deck-media/cell.png)" in md  # the image found beside it
    assert "## Water boils at [temperature] and $E = mc^2$" in md  # Cloze, by the notetype column
    assert "## Katalizator {#katalizator .pl}\nCatalyst\n\n**Field 3:** Enzymes are catalysts" in md
    assert "wNOcLf" not in md and "Basic (and reversed card)" not in md  # guid and notetype columns are not text


def test_anki_notes_without_html_and_cards_in_plain_text(anki_text: dict[str, Path]) -> None:
    plain = imported(anki_text["plain"]).markdown
    assert "## What does the mitochondrion make? {#what-does-the-mitochondrion-make .bio .ML::basics}\n" \
           "It makes ATP & heat: $E = mc^2$" in plain  # plain text, but its MathJax is math
    cards = imported(anki_text["cards"]).markdown  # each card rendered by Anki: question, answer
    assert "## Nucleus {#nucleus}\nHolds the *DNA* of the cell" in cards
    assert "## **[...]** boils at 100 °C and $E = mc^2$" in cards


QUIZLET = {
    # as Quizlet's export writes them: the default, then comma and semicolon, then custom text
    "default.txt": ("mitochondrion\tmakes ATP\nnucleus\tholds the DNA\n5 * 3\t15, not $15\n", {}),
    "commas.txt": ("mitochondrion,makes ATP;nucleus,holds the DNA;5 * 3,15, not $15", {}),
    "custom.txt": ("mitochondrion - makes ATP|||nucleus - holds the DNA|||5 * 3 - 15, not $15",
                   {"row_separator": "|||"}),
}


@pytest.mark.parametrize("name", sorted(QUIZLET))
def test_quizlet_exports(tmp_path: Path, name: str) -> None:
    text, options = QUIZLET[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    deck = imported(path, kind="quizlet", **options)
    assert deck.cards == 3
    assert "## mitochondrion {#mitochondrion}\nmakes ATP" in deck.markdown
    assert "## 5 \\* 3 {#5-3}\n15, not \\$15" in deck.markdown  # plain text: shown as typed


def test_quizlet_separator_that_cannot_be_told(tmp_path: Path) -> None:
    path = tmp_path / "odd.txt"
    path.write_text("mitochondrion => makes ATP\nnucleus => holds the DNA\n", encoding="utf-8")
    out = tmp_path / "deck.md"
    result = run_fiszki("import", str(path), "--from", "quizlet", "-o", str(out))
    assert result.code == 2 and "--separator" in result.stderr and not out.exists()
    result = run_fiszki("import", str(path), "--from", "quizlet", "--separator", " => ", "-o", str(out))
    assert result.code == 0, result.stderr
    assert "## nucleus {#nucleus}\nholds the DNA" in out.read_text(encoding="utf-8")


def test_csv_with_header_bom_quotes_and_markdown(tmp_path: Path) -> None:
    path = tmp_path / "cards.csv"
    path.write_bytes("\ufeffFront,Back,Tags,Section,Notes\n"
                     "What is **ATP**?,\"Energy, stored:\n$E = mc^2$\",bio exam,Cells,from the lecture\n"
                     "\"Two \"\"quoted\"\" words\",\"- one\n- two\",,Cells,\n".encode("utf-8"))
    deck = imported(path)
    assert deck.sections == [("Cells", 2)]
    assert "## What is **ATP**? {#what-is-atp .bio .exam}\nEnergy, stored:\\\n$E = mc^2$\n\n" \
           "**Notes:** from the lecture" in deck.markdown
    assert '## Two "quoted" words {#two-quoted-words}\n- one\n- two' in deck.markdown


def test_tsv_with_a_polish_header_and_csv_without_one(tmp_path: Path) -> None:
    tsv = tmp_path / "karty.tsv"
    tsv.write_text("Pytanie\tOdpowiedź\tTagi\nCzym jest softmax?\tFunkcją $\\sigma$\tsn\n", encoding="utf-8")
    assert "## Czym jest softmax? {#czym-jest-softmax .sn}\nFunkcją $\\sigma$" in imported(tsv).markdown
    bare = tmp_path / "bare.csv"
    bare.write_text("Q1;A1;x\nQ2;A2;y\n", encoding="utf-8")
    md = imported(bare).markdown
    assert "## Q1 {#q1}\nA1\n\n**Column 3:** x" in md
    md = imported(bare, columns=("question", "answer", "section")).markdown
    assert "# x\n\n## Q1 {#q1}\nA1\n\n# y\n\n## Q2 {#q2}\nA2" in md


@pytest.mark.tex
def test_every_text_source_in_one_deck_builds(anki_text: dict[str, Path], tmp_path: Path) -> None:
    quizlet = tmp_path / "quizlet.txt"
    quizlet.write_text("mitochondrion\tmakes ATP\nnucleus\tholds the DNA\n", encoding="utf-8")
    csv = tmp_path / "karty.csv"
    csv.write_text("Pytanie;Odpowiedź;Sekcja\nCzym jest softmax?;Funkcją $\\sigma(z)_i$;Podstawy\n", encoding="utf-8")
    out = tmp_path / "deck" / "all.md"
    result = run_fiszki("import", str(anki_text["notes"]), str(quizlet), str(csv), "-o", str(out))
    assert result.code == 0, result.stderr
    assert "wrote" in result.stderr and "14 cards" in result.stderr
    built = build_and_read(out)
    assert built.cards == 14
    for text in ("What does the mitochondrion make?", "It makes ATP & heat:", "Katalizator",
                 "Field 3: Enzymes are catalysts", "mitochondrion", "makes ATP", "holds the DNA",
                 "Czym jest softmax?", "Funkcją", "Podstawy"):
        assert text in built.text, text
    assert (40, 20) in built.images


def test_utf16_text_from_excel(tmp_path: Path) -> None:
    path = tmp_path / "karty.txt"
    path.write_bytes("Pytanie\tOdpowiedź\nCzym jest gradient?\tWektorem pochodnych cząstkowych\n".encode("utf-16"))
    deck = imported(path, kind="csv")
    assert "## Czym jest gradient? {#czym-jest-gradient}\nWektorem pochodnych cząstkowych" in deck.markdown
    assert deck.lang == "pl" and deck.lang_guess is not None


def test_reported_text_cannot_drive_the_terminal(tmp_path: Path) -> None:
    path = tmp_path / "quizlet.txt"
    path.write_text("term\tdefinition\nno separator here \x1b]52;c;aGk=\x07 end\n", encoding="utf-8")
    result = run_fiszki("import", str(path), "--from", "quizlet", "--separator", "tab", "-o", str(tmp_path / "deck.md"))
    assert result.code == 0, result.stderr
    assert "row without the term/definition separator left out" in result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "\\x1b]52;c;aGk=\\x07" in result.stderr  # shown, escaped
