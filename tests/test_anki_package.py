"""The Anki package, read back by Anki's own library: every card a note with the right fields,
deck, tags and media; nothing from the deck becomes markup; a newer export updates the notes in
place and keeps their review history; formulas are what Anki's MathJax reads."""
from __future__ import annotations

import html.parser
import io
import os
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

from builder.anki_package import (FIELDS, NOTETYPE_DIGEST, NOTETYPE_NAME, anki_deck_name, anki_tag, export_anki,
                                  notetype_digest, write_package)
from builder.deck import parse_deck_text, read_deck
from tests.conftest import DEFAULT_DECK, run_fiszki
from tests.test_render import png

HOSTILE_DECK = r"""---
title: Wrogie <b>karty</b>
lang: pl
---

# Tekst & <znaczniki>

## Czy <script>alert("x")</script> działa? {#skrypt .egzamin .html}
Odpowiedź z <b>pogrubieniem</b>, 'apostrofami' i "cudzysłowami" & ampersandem; zażółć gęślą jaźń.
Znaczniki Anki: [sound:x.mp3] i [latex]\input{/etc/passwd}[/latex]; ukośnik \\(nie matematyka\\).
[klik](javascript:alert(1)) i [strona](https://example.org/?a=1&b="2")

![wykres <zły>](fig/wykres.png)

## Tabela i obraz jeszcze raz {#tabela}
| funkcja | wzór |
|---|:-:|
| **ReLU** | $\max(0, z)$ |
| `kod` | $a < b$ |

![ten sam wykres](fig/wykres.png)

# Sekcja :: z dwukropkami

## Wzór wyświetlany {#wzor .egzamin}
$$
\begin{aligned}
f(x) &= \text{gdy } x \ge 0 \\
     &= \text{w p.p. \% } 0 \quad (x < 0)
\end{aligned}
$$
"""


def import_package(col: Collection, path: Path):
    request = ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions())
    return col.import_anki_package(request).log


@pytest.fixture
def collection(tmp_path: Path):
    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "collection.anki2"))
    yield col
    col.close()


@pytest.fixture
def hostile(tmp_path: Path):
    folder = tmp_path / "deck"
    (folder / "fig").mkdir(parents=True)
    (folder / "fig" / "wykres.png").write_bytes(png())
    (folder / "deck.md").write_text(HOSTILE_DECK, encoding="utf-8")
    return read_deck(folder / "deck.md")


def notes_by_card_label(col: Collection) -> dict[str, object]:
    return {col.get_note(nid)["Card"]: col.get_note(nid) for nid in col.find_notes("")}


class Elements(html.parser.HTMLParser):
    """The elements and the text a browser would see in a field."""

    def __init__(self, field: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(field)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


SAFE_TAGS = {"div", "p", "span", "strong", "em", "code", "pre", "ul", "ol", "li", "table", "thead", "tbody",
             "tr", "th", "td", "img", "br", "hr", "a", "blockquote", "h3", "h4", "h5", "h6"}


# --- the default deck, imported into a fresh collection ------------------------------------------


@pytest.mark.tex  # the default deck's plots are drawn by TeX once, then shown as SVG
def test_every_card_of_the_default_deck_is_a_note_with_its_fields_deck_and_tags(tmp_path, collection):
    deck = read_deck(DEFAULT_DECK)
    package = export_anki(deck, deck.cards)
    assert not package.problems and not package.warnings
    log = import_package(collection, write_package(package, tmp_path))
    assert len(log.new) == len(deck.cards) and collection.note_count() == len(deck.cards)
    notes = notes_by_card_label(collection)
    for card in deck.cards:
        note = notes[f"#{card.number} · {card.id}"]
        assert note.note_type()["name"] == NOTETYPE_NAME and list(note.keys()) == list(FIELDS)
        assert " ".join(card.question.split()) in " ".join("".join(Elements(note["Question"]).text).split())
        assert note["Section"] == card.section.replace("&", "&amp;")
        assert collection.decks.name(note.cards()[0].did) == f"{deck.title}::{card.section}"
        assert sorted(note.tags) == sorted({*card.tags, anki_tag(card.section)})
        for name in FIELDS:
            assert "$" not in note[name], (card.number, name)
        fields = note["Question"] + note["Answer"]
        inline, display = math_tokens(card.question_tokens + card.front_tokens + card.back_tokens)
        assert fields.count("\\(") == fields.count("\\)") == inline, card.number
        assert fields.count("\\[") == fields.count("\\]") == display, card.number


def math_tokens(tokens) -> tuple[int, int]:
    """How many inline and display formulas the deck's tokens hold."""
    inline = display = 0
    for token in tokens:
        inline += token.type == "math_inline"
        display += token.type in ("math_block", "math_inline_double")
        if token.children:
            more = math_tokens(token.children)
            inline, display = inline + more[0], display + more[1]
    return inline, display


def test_notes_carry_the_export_time_and_stable_ids(tmp_path):
    deck = read_deck(DEFAULT_DECK)
    before = int(time.time())
    first = export_anki(deck, deck.cards)
    after = int(time.time())
    second = export_anki(deck, deck.cards, now=after + 100)

    def notes(package) -> list[tuple]:
        archive = zipfile.ZipFile(io.BytesIO(package.data))
        db = tmp_path / f"{id(package)}.anki2"
        db.write_bytes(archive.read("collection.anki2"))
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT id, guid, mod, flds FROM notes ORDER BY id").fetchall()

    one, two = notes(first), notes(second)
    assert all(before <= mod <= after for _, _, mod, _ in one)
    assert all(mod == after + 100 for _, _, mod, _ in two)
    assert [(nid, guid, flds) for nid, guid, _, flds in one] == [(nid, guid, flds) for nid, guid, _, flds in two]
    assert all(10**12 <= nid < 1.5 * 10**12 for nid, *_ in one)  # read by Anki as a creation time in the past


# --- a re-import updates in place ------------------------------------------------------------------


def test_importing_a_newer_export_updates_the_edited_note_and_keeps_its_history(tmp_path, collection):
    text = DEFAULT_DECK.read_text(encoding="utf-8")
    deck = parse_deck_text(text, DEFAULT_DECK)
    start = time.time()
    import_package(collection, write_package(export_anki(deck, deck.cards, now=start), tmp_path / "v1"))
    count = collection.note_count()
    notes = notes_by_card_label(collection)
    sigmoid = notes[f"#5 · {deck.cards[4].id}"]
    untouched = {label: note["Answer"] for label, note in notes.items()}
    card = sigmoid.cards()[0]
    card.start_timer()
    collection.sched.answerCard(card, 3)  # studied once: a review log entry
    assert collection.db.scalar("SELECT count() FROM revlog WHERE cid = ?", card.id) == 1

    assert "Przyjmuje wartości z przedziału $(0,1)$." in text
    edited = parse_deck_text(text.replace("Przyjmuje wartości z przedziału $(0,1)$.",
                                          "Przyjmuje wartości z przedziału $(0,1)$, **nigdy** 0 ani 1."), DEFAULT_DECK)
    log = import_package(collection, write_package(export_anki(edited, edited.cards, now=start + 60), tmp_path / "v2"))

    assert collection.note_count() == count and not log.new
    after = collection.get_note(sigmoid.id)
    assert "<strong>nigdy</strong> 0 ani 1" in after["Answer"] and "\\((0,1)\\)" in after["Answer"]
    assert after.cards()[0].id == card.id and after.cards()[0].reps == 1
    assert collection.db.scalar("SELECT count() FROM revlog WHERE cid = ?", card.id) == 1
    for label, note in notes_by_card_label(collection).items():
        if note.id != sigmoid.id:
            assert note["Answer"] == untouched[label]


def test_a_new_card_is_added_and_the_rest_stay(tmp_path, collection):
    deck = read_deck(DEFAULT_DECK)
    import_package(collection, write_package(export_anki(deck, deck.cards, now=time.time()), tmp_path / "v1"))
    text = DEFAULT_DECK.read_text(encoding="utf-8") + "\n## Nowa karta {#nowa}\nNowa odpowiedź.\n"
    grown = parse_deck_text(text, DEFAULT_DECK)
    log = import_package(collection, write_package(export_anki(grown, grown.cards, now=time.time() + 60), tmp_path / "v2"))
    assert len(log.new) == 1 and collection.note_count() == len(deck.cards) + 1


# --- a hostile deck ---------------------------------------------------------------------------------


def test_hostile_text_stays_text_and_the_shared_image_is_one_media_file(tmp_path, collection, hostile):
    package = export_anki(hostile, hostile.cards)
    assert not package.problems, package.problems
    assert package.media == 1 and package.filename == "deck.apkg"
    import_package(collection, write_package(package, tmp_path))
    notes = notes_by_card_label(collection)
    script = notes["#1 · skrypt"]
    for note in notes.values():
        for name in FIELDS:
            assert {tag for tag, _ in Elements(note[name]).tags} <= SAFE_TAGS, note[name]
            assert "[sound:" not in note[name] and "[latex]" not in note[name]
            assert all(not attrs.get("href", "").startswith("javascript") for _, attrs in Elements(note[name]).tags)
    question = "".join(Elements(script["Question"]).text)
    answer = "".join(Elements(script["Answer"]).text)
    assert 'Czy <script>alert("x")</script> działa?' in question
    assert "<b>pogrubieniem</b>, 'apostrofami' i \"cudzysłowami\" & ampersandem; zażółć gęślą jaźń" in answer
    assert "[sound:x.mp3]" in answer and "\\(nie matematyka\\)" in answer  # shown as typed
    assert "[klik](javascript:alert(1))" in answer
    assert ("a", {"href": 'https://example.org/?a=1&b=%222%22'}) in Elements(script["Answer"]).tags
    assert "\\<span></span>(nie" in script["Answer"]  # …and MathJax does not read it as math
    assert sorted(script.tags) == ["Tekst_&_<znaczniki>", "egzamin", "html"]
    deck_names = {collection.decks.name(n.cards()[0].did) for n in notes.values()}
    assert deck_names == {"Wrogie <b>karty</b>::Tekst & <znaczniki>", "Wrogie <b>karty</b>::Sekcja : z dwukropkami"}

    (image,) = {attrs["src"] for n in notes.values() for tag, attrs in Elements(n["Answer"]).tags if tag == "img"}
    assert image.startswith("img-") and sum(image in n["Answer"] for n in notes.values()) == 2
    assert Path(collection.media.dir(), image).read_bytes() == png()
    check = collection.media.check()
    assert not check.missing and not check.unused

    table = notes["#2 · tabela"]["Answer"]
    assert "<table>" in table and '<th style="text-align:center">wzór</th>' in table
    assert "\\(a &lt; b\\)</td>" in table and "<td><strong>ReLU</strong></td>" in table
    formula = notes["#3 · wzor"]["Answer"]
    assert formula.startswith('<div class="fz-math">\\[\\begin{aligned}') and formula.count("\\]") == 1
    assert "{\\text{w p.p. }\\%\\text{ }} 0 \\quad (x &lt; 0)" in formula  # \% moved out of \text: MathJax reads it there
    assert "f(x) &= \\text{gdy } x \\ge 0" in "".join(Elements(formula).text)


def test_content_anki_cannot_show_is_a_problem_naming_file_line_and_card(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    with open(tmp_path / "rys.pdf", "wb") as fh:  # a real PDF: the images are checked before use
        writer.write(fh)
    text = ("---\ntitle: T\n---\n# S\n## Pytanie {#p}\nTekst\n\n![rys](rys.pdf)\n\n"
            "## Drugie {#d}\n$$\nx \\tag{\\% 1}\n$$\n")
    deck = parse_deck_text(text, tmp_path / "deck.md", "deck.md")
    package = export_anki(deck, deck.cards)
    messages = [str(p) for p in package.problems]
    assert messages[0].startswith('deck.md:8: card #1 "Pytanie": image \'rys.pdf\' is a PDF')
    assert messages[1].startswith('deck.md:12:3: card #2 "Drugie": math: Anki\'s MathJax shows commands inside \\tag')
    assert len(messages) == 2 and package.media == 0


# --- names, note type, and no TeX -------------------------------------------------------------------


def test_deck_names_and_tags_are_what_anki_keeps():
    deck = parse_deck_text("---\ntitle: A::B\n---\n# S\n## q\na\n", Path("x.md"))
    assert anki_deck_name(deck, "C :: D") == "A:B::C : D" and anki_deck_name(deck, "") == "A:B"
    assert anki_tag('Sieci  "konwolucyjne" (CNN)') == "Sieci_konwolucyjne_(CNN)"
    assert anki_tag("egzamin::część:::1") == "egzamin::część::1"


def test_the_note_type_time_changes_with_its_templates():
    # Anki takes a changed note type only with a newer time: see NOTETYPE_MTIME.
    assert notetype_digest() == NOTETYPE_DIGEST


def test_exporting_imports_nothing_of_the_tex_side():
    code = "import sys; import builder.anki_package; print(' '.join(sys.modules))"
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())
    assert "builder.anki_package" in loaded and "builder.markdown" in loaded
    tex_side = {"builder.latex", "builder.render", "builder.rendered", "builder.tex", "builder.flashcards",
                "builder.cheatsheet", "builder.outputs.flashcards", "builder.outputs.cheatsheet", "pylatex", "jinja2"}
    assert not loaded & tex_side


# --- fiszki build --make anki ---------------------------------------------------------------------


def test_make_anki_builds_the_package_without_tex_and_caches_it(tmp_path, collection):
    """`--make anki` runs no pdflatex at all (none is on the PATH here), writes DECKNAME.apkg that
    Anki imports, and a second run finds it up to date."""
    deck = tmp_path / "biologia.md"
    deck.write_text("---\ntitle: Biologia\n---\n# Komórka\n## Co to jest mitochondrium?\nCentrum energetyczne "
                    "komórki: $ATP$.\n\n## Co to jest rybosom? {#rybosom .egzamin}\nMiejsce syntezy białek.\n",
                    encoding="utf-8")
    no_tex = ":".join(d for d in os.environ["PATH"].split(":") if not (Path(d) / "pdflatex").exists())
    out = tmp_path / "out"
    built = run_fiszki("build", str(deck), "--make", "anki", "--out", str(out), env={"PATH": no_tex})
    assert built.code == 0, built.stderr
    assert sorted(p.name for p in out.iterdir()) == [".fiszki-cache.json", "biologia.apkg"]
    import_package(collection, out / "biologia.apkg")
    notes = [collection.get_note(nid) for nid in collection.find_notes("")]
    assert sorted(n["Question"] for n in notes) == ['<div class="fz-q">Co to jest mitochondrium?</div>',
                                                   '<div class="fz-q">Co to jest rybosom?</div>']
    again = run_fiszki("build", str(deck), "--make", "anki", "--out", str(out), env={"PATH": no_tex})
    assert again.code == 0 and "unchanged" in again.stderr


def test_make_anki_with_several_decks_names_each_package_after_its_deck(tmp_path):
    for name in ("alfa", "beta"):
        (tmp_path / f"{name}.md").write_text(f"# S\n## Pytanie {name}?\nOdpowiedź.\n", encoding="utf-8")
    out = tmp_path / "out"
    built = run_fiszki("build", str(tmp_path / "alfa.md"), str(tmp_path / "beta.md"), "--make", "anki",
                       "--out", str(out))
    assert built.code == 0, built.stderr
    assert sorted(p.name for p in out.glob("*.apkg")) == ["alfa.apkg", "beta.apkg"]
