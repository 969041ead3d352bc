"""The study PDF, read back with pypdf: its pages in order, every link landing where a reader
expects it, the bookmarks, the words on the pages, the selection options; and `fiszki check`
proving the same from the file, and failing when a page, link or bookmark is moved."""
from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject

from builder.checking import check_pdf
from tests.conftest import SMALL_DECK, run_fiszki

MM = 72 / 25.4

# An English deck: two cards before any section, then a section too long for one index page on a
# 16:9 page, then a short one.
ENGLISH = "---\ntitle: Study test\nlang: en\n---\n" + "".join(
    f"## Loose question {k}?\nLoose answer {k}.\n\n" for k in (1, 2)) + "# Long section\n" + "".join(
    f"## Question {k}: what is $x_{{{k}}}$? {{.t{k % 3}}}\nIt is $x_{{{k}}} = {k}$.\n\n" for k in range(3, 27)) + \
    "# Short section\n" + "".join(f"## Last {k}?\nAnswer {k}.\n\n" for k in (27, 28))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The small Polish deck's study PDF at the default 4:3; the English deck's at 16:9, shuffled,
    beside its flashcards built with the same selection."""
    root = tmp_path_factory.mktemp("study")
    (root / "small.md").write_text(SMALL_DECK, encoding="utf-8")
    (root / "english.md").write_text(ENGLISH, encoding="utf-8")
    builds = {"small": ("small.md", "--make", "study"),
              "english": ("english.md", "--make", "study,flashcards", "--screen", "16:9", "--shuffle", "--seed", "4",
                          "--tag", "t1", "--tag", "t2", "--cards", "1-27")}
    for name, (deck, *args) in builds.items():
        result = run_fiszki("build", str(root / deck), "--out", str(root / name), *args)
        assert result.code == 0, result.stderr
    return {name: root / name / "study.pdf" for name in builds}


def roles(reader: PdfReader) -> list[str]:
    """Each page's hidden record: what the page is."""
    found = []
    for page in reader.pages:
        names = [str(a.get_object()["/NM"]) for a in page.get("/Annots", []) if str(a.get_object()["/NM"]).startswith("page-")]
        assert len(names) == 1
        found.append(names[0][len("page-"):])
    return found


def links(reader: PdfReader, index: int) -> dict[str, tuple[int, float]]:
    """The links on page `index`: name → (the page it lands on, the share of the page it covers)."""
    dests = {name: reader.get_destination_page_number(d) for name, d in reader.named_destinations.items()}
    page = reader.pages[index]
    area = float(page.mediabox.width) * float(page.mediabox.height)
    out = {}
    for ref in page.get("/Annots", []):
        annot = ref.get_object()
        if annot["/Subtype"] == "/Link":
            x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
            out[str(annot["/NM"])] = (dests[str(annot["/Dest"])], abs(x2 - x1) * abs(y2 - y1) / area)
    return out


@pytest.mark.tex
def test_pages_and_links_of_a_small_deck(built):
    """Title, one index per section, then each card's question and answer; each link by hand."""
    reader = PdfReader(built["small"])
    assert roles(reader) == ["title", "index-1-1", "index-2-1", "q-1", "a-1", "q-2", "a-2", "q-3", "a-3"]
    for page in reader.pages:  # 4:3, held sideways, no rotation
        assert (round(float(page.mediabox.width) / MM), round(float(page.mediabox.height) / MM)) == (200, 150)
        assert page.get("/Rotate", 0) == 0
    assert {k: v[0] for k, v in links(reader, 0).items()} == {"link-section-1": 1, "link-section-2": 2}
    assert {k: v[0] for k, v in links(reader, 1).items()} == {"link-entry-1": 3, "link-entry-2": 5,
                                                             "link-contents-1-1": 0}
    assert {k: v[0] for k, v in links(reader, 2).items()} == {"link-entry-3": 7, "link-contents-2-1": 0}
    tap, share = links(reader, 3)["link-tap-1"]
    assert tap == 4 and share > 0.999  # a tap anywhere on the question shows its answer
    assert {k: v[0] for k, v in links(reader, 4).items()} == {"link-next-1": 5, "link-back-1": 1}
    assert {k: v[0] for k, v in links(reader, 6).items()} == {"link-next-2": 7, "link-back-2": 1}
    assert {k: v[0] for k, v in links(reader, 8).items()} == {"link-next-3": 0, "link-back-3": 2}  # last: the start


@pytest.mark.tex
def test_the_bookmarks_are_the_sections_holding_their_questions(built):
    reader = PdfReader(built["small"])
    outline = reader.outline
    assert [str(o.title) for o in outline[0::2]] == ["Podstawy", "Trening"]
    assert [str(o.title) for o in outline[1]] == ["Czym jest softmax?", "Zażółć gęślą jaźń"]
    assert [str(o.title) for o in outline[3]] == ["Co robi dropout?"]
    pages = [reader.get_destination_page_number(o) for o in (outline[0], *outline[1], outline[2], *outline[3])]
    assert pages == [1, 3, 5, 2, 7]


@pytest.mark.tex
def test_the_pages_say_number_section_and_polish_words(built):
    reader = PdfReader(built["small"])
    text = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert "Mała talia" in text[0] and "3 pytania · 2 działy" in text[0] and "Działy" in text[0]
    assert "Podstawy 2" in text[0] and "Trening 1" in text[0]
    assert "#1 Czym jest softmax?" in text[1] and "Wszystkie działy" in text[1]
    question, answer = text[3], text[4]
    assert question.startswith("#1 · Podstawy") and "Dotknij strony, aby zobaczyć odpowiedź" in question
    assert answer.startswith("#1 · Podstawy · Czym jest softmax?") and "zamienia wektor na rozkład" in answer
    assert "Następne pytanie" in answer and "← Podstawy" in answer
    assert "#3 · Trening" in text[7] and "Od początku" in text[8]


@pytest.mark.tex
def test_pages_are_light_and_answers_tinted(built, tmp_path):
    """Rendered: a light background (no white paper edge, no crop marks in the corners), and the
    answer page in another shade than its question."""
    subprocess.run(["pdftoppm", "-r", "10", "-f", "4", "-l", "5", str(built["small"]), str(tmp_path / "p")], check=True)
    corners = []
    for name in ("p-4.ppm", "p-5.ppm"):
        data = (tmp_path / name).read_bytes()
        head = data.split(b"\n", 3)
        width = int(head[1].split()[0])
        pixels = head[3]
        row = lambda y: pixels[3 * width * y: 3 * width * (y + 1)]  # noqa: E731
        corners.append({tuple(row(y)[3 * x: 3 * x + 3]) for y in (0, 1) for x in (0, 1, width - 2, width - 1)})
    for shades in corners:
        assert len(shades) == 1
        (r, g, b), = shades
        assert 225 <= min(r, g, b) and (r, g, b) != (255, 255, 255)
    assert corners[0] != corners[1]


@pytest.mark.tex
def test_selection_and_shuffle_apply_as_for_the_flashcards(built):
    """Cards 1-27 tagged t1 or t2, shuffled with seed 4: the study PDF's questions come in the
    order of the flashcards built with the same options, each section's index lists its own."""
    study = PdfReader(built["english"])
    flashcards = PdfReader(built["english"].with_name("flashcards.pdf"))
    order = [r for r in roles(study) if r.startswith("q-")]
    fronts = [str(a.get_object()["/NM"]) for page in flashcards.pages[0::2] for a in page.get("/Annots", [])
              if str(a.get_object()["/NM"]).startswith("card-")]
    assert [f"q-{n[len('card-'):-len('-front')]}" for n in fronts] == order
    numbers = sorted(int(r[2:]) for r in order)
    assert numbers == [k for k in range(3, 27) if k % 3 in (1, 2)] and numbers != [int(r[2:]) for r in order]
    assert (round(float(study.pages[0].mediabox.width) / MM), round(float(study.pages[0].mediabox.height) / MM,
                                                                      1)) == (200, 112.5)
    # 16 questions in the long section: two index pages of 8 on a 16:9 page, each back link to its own
    kinds = roles(study)
    assert kinds[:3] == ["title", "index-1-1", "index-1-2"] and "index-2-1" not in kinds  # no loose card chosen
    for i, role in enumerate(kinds):
        if role.startswith("a-"):
            listing = links(study, i)[f"link-back-{role[2:]}"][0]
            assert f"link-entry-{role[2:]}" in links(study, listing)
    assert "16 questions · 1 section · in random order" in " ".join(study.pages[0].extract_text().split())


@pytest.mark.tex
def test_check_proves_the_structure_and_finds_what_was_moved(built):
    ok = run_fiszki("check", str(built["small"]), str(built["english"]))
    assert ok.code == 0, ok.stdout
    assert "OK (study PDF: 3 cards in 2 sections on 9 pages, every link and bookmark where it belongs)" in ok.stdout
    data = built["small"].read_bytes()

    def edited(edit) -> list[str]:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        edit(writer)
        out = io.BytesIO()
        writer.write(out)
        report = check_pdf(out.getvalue())
        assert report.kind == "study PDF"
        return [str(p) for p in report.problems]

    assert edited(lambda w: None) == []  # rewritten by a tool, unchanged: still passes

    def retarget(w):  # the tap on card 2's question now opens card 1's answer
        for ref in w.pages[5]["/Annots"]:
            if ref.get_object().get("/NM") == "link-tap-2":
                ref.get_object()[NameObject("/Dest")] = TextStringObject("a-1")
    assert edited(retarget) == ['page 6: the tap link of #2 "Zażółć gęślą jaźń" lands on page 5, not on its answer '
                                '(page 7)']

    def swap(w):  # card 3's answer before its question: what the two pages hold, swapped
        q, a = w.pages[7], w.pages[8]
        for key in ("/Contents", "/Annots"):
            q[NameObject(key)], a[NameObject(key)] = a[key], q[key]
    problems = edited(swap)
    assert any('#3 "Co robi dropout?": its answer is on page 8, not right after its question (page 9)' in p
               for p in problems), problems

    def rename(w):  # a bookmark that says something else
        w._root_object["/Outlines"]["/First"]["/First"][NameObject("/Title")] = TextStringObject("Softmax")
    assert edited(rename) == ["#1 \"Czym jest softmax?\": its bookmark says 'Softmax'"]

    def cover(w):  # the tap target shrinks to a corner
        for ref in w.pages[3]["/Annots"]:
            if ref.get_object().get("/NM") == "link-tap-1":
                ref.get_object()[NameObject("/Rect")] = w.pages[3].mediabox.__class__([0, 0, 100, 100])
    assert any("tap target of #1" in p for p in edited(cover))


@pytest.mark.tex
def test_a_card_too_long_for_the_page_is_named_and_keep_going_shows_it(tmp_path):
    long = " ".join(["Bardzo długa odpowiedź, która nie mieści się na stronie."] * 330)  # under the card size limit
    deck = tmp_path / "deck.md"
    deck.write_text(SMALL_DECK + f"\n## Za długie?\n{long}\n", encoding="utf-8")
    result = run_fiszki("build", str(deck), "--out", str(tmp_path / "out"), "--make", "study")
    assert result.code == 1 and not (tmp_path / "out").exists()
    assert 'deck.md:22: card #4 "Za długie?": answer does not fit the study page even at 6 pt' in result.stderr
    kept = run_fiszki("build", str(deck), "--out", str(tmp_path / "out"), "--make", "study", "--keep-going")
    assert kept.code == 1 and "wrote" in kept.stderr
    reader = PdfReader(tmp_path / "out" / "study.pdf")
    assert "card #4 cannot be built: answer does not fit" in " ".join(reader.pages[-1].extract_text().split())
    assert check_pdf((tmp_path / "out" / "study.pdf").read_bytes()).ok
