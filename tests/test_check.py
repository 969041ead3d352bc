"""`fiszki check` on real built PDFs, damaged the ways printing workflows damage them.

Every damage is done with pypdf on a PDF fiszki really built (two layouts, built once per module
through the command line), and each test asserts the exact problem line: card, page, distance.
"""
from __future__ import annotations

import io
import json
import random
import time
import zlib
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import ArrayObject, FloatObject, NameObject, NumberObject, RectangleObject

from builder.checking import CheckReport, check_pdf
from tests.conftest import run_fiszki

MM = 72 / 25.4

# Seven cards on a 2x2 grid: sheet 1 = pages 1 (fronts of #1-#4) and 2 (their backs),
# sheet 2 = pages 3 (fronts of #5-#7) and 4 (backs).
DECK = """\
---
title: Talia testowa
lang: pl
---

# Podstawy

## Czym jest softmax? {#softmax}
Funkcja $\\operatorname{softmax}_i(z) = \\frac{e^{z_i}}{\\sum_j e^{z_j}}$ zamienia wektor na rozkład.

## Co robi dropout? {#dropout}
Wyłącza losowe neurony podczas treningu.

## Czym jest ReLU? {#relu}
$f(x) = \\max(0, x)$.

## Zażółć gęślą jaźń {#polish}
- pierwszy punkt
- drugi punkt

# Trening

## Co to jest epoka? {#epoka}
Jedno przejście przez cały zbiór treningowy.

## Po co walidacja? {#walidacja}
Żeby wykryć przeuczenie.

## Czym jest momentum? {#momentum}
$v \\leftarrow \\beta v + \\nabla L$
"""
QUESTIONS = {1: "Czym jest softmax?", 2: "Co robi dropout?", 3: "Czym jest ReLU?", 4: "Zażółć gęślą jaźń",
             5: "Co to jest epoka?", 6: "Po co walidacja?", 7: "Czym jest momentum?"}
SHEET_CARDS = {1: [1, 2, 3, 4], 2: [5, 6, 7]}


def card(n: int) -> str:
    return f'#{n} "{QUESTIONS[n]}"'


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The deck built by the real CLI in two layouts: portrait/long edge, and landscape/short edge
    with a printer back offset (the mirror is different in each)."""
    folder = tmp_path_factory.mktemp("check")
    deck = folder / "deck.md"
    deck.write_text(DECK, encoding="utf-8")
    layouts = {"portrait": ["--grid", "2x2"],
               "landscape": ["--grid", "2x2", "--orientation", "landscape", "--flip", "short",
                             "--back-offset", "1,-0.5"]}
    out = {}
    for name, options in layouts.items():
        result = run_fiszki("build", str(deck), "--out", str(folder / name), "--no-cache", *options)
        assert result.code == 0, result.stderr
        out[name] = folder / name
    return out


@pytest.fixture(scope="module")
def pdf(built) -> bytes:
    return (built["portrait"] / "flashcards.pdf").read_bytes()


def rewrite(data: bytes, edit) -> bytes:
    """Load with pypdf, let `edit` change the writer, save: what a PDF tool does to the file."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    edit(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def shift_page(writer: PdfWriter, index: int, dx: float, dy: float = 0.0) -> None:
    """Move everything on a page, drawing and annotations alike, as a misbehaving tool does."""
    page = writer.pages[index]
    page.add_transformation(Transformation().translate(dx, dy))
    for ref in page["/Annots"]:
        annot = ref.get_object()
        x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
        annot[NameObject("/Rect")] = ArrayObject(FloatObject(v) for v in (x1 + dx, y1 + dy, x2 + dx, y2 + dy))


def problems(data: bytes) -> list[str]:
    report = check_pdf(data, "f.pdf")
    assert report.kind == "flashcards"
    return [str(p) for p in report.problems]


# --- what passes ---------------------------------------------------------------------------------


@pytest.mark.tex
def test_fresh_builds_pass_through_the_cli(built):
    files = [str(built[name] / f"{kind}.pdf") for name in built for kind in ("flashcards", "cheatsheet")]
    result = run_fiszki("check", *files)
    assert result.code == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 4 and all(": OK (" in line for line in lines)
    assert lines[0].startswith(f"{files[0]}: OK (flashcards: 7 cards on 4 pages, duplex, long-edge flip")
    assert "short-edge flip" in lines[2]


@pytest.mark.tex
def test_a_pdf_rewritten_without_changes_still_passes(built):
    """pypdf writes a different file structure (no object streams): still the same cards."""
    for name in built:
        data = (built[name] / "flashcards.pdf").read_bytes()
        report = check_pdf(rewrite(data, lambda w: None))
        assert report.ok, report.problems
        assert report.facts["cards"] == 7 and report.facts["pages"] == 4


# --- damage and the line that names it --------------------------------------------------------------


@pytest.mark.tex
def test_back_page_shifted_by_1mm_names_every_card_on_it(pdf):
    found = problems(rewrite(pdf, lambda w: shift_page(w, 1, MM)))
    assert found == [f"{card(n)} page 2: back is 2.8 pt (1.00 mm) away from where its front lands after a "
                     "long-edge flip" for n in SHEET_CARDS[1]]


@pytest.mark.tex
def test_front_page_shifted_moves_its_backs_too(pdf):
    """The back is judged against its front: a moved front page misplaces every pair on the sheet."""
    found = problems(rewrite(pdf, lambda w: shift_page(w, 2, 0, -2 * MM)))
    assert found == [f"{card(n)} page 4: back is 5.7 pt (2.00 mm) away from where its front lands after a "
                     "long-edge flip" for n in SHEET_CARDS[2]]


@pytest.mark.tex
def test_page_box_moved_under_the_content(pdf):
    """A tool that moves the page box, not the drawing, moves the cards on the paper just the same."""
    def move_box(writer):
        page = writer.pages[3]
        x0, y0, x1, y1 = (float(v) for v in page.mediabox)
        page.mediabox = RectangleObject([x0 + MM, y0, x1 + MM, y1])
    found = problems(rewrite(pdf, move_box))
    assert found == [f"{card(n)} page 4: back is 2.8 pt (1.00 mm) away from where its front lands after a "
                     "long-edge flip" for n in SHEET_CARDS[2]]


@pytest.mark.tex
def test_shifted_back_in_the_landscape_short_edge_layout(built):
    data = (built["landscape"] / "flashcards.pdf").read_bytes()
    found = problems(rewrite(data, lambda w: shift_page(w, 3, 0, 1.5 * MM)))
    assert found == [f"{card(n)} page 4: back is 4.3 pt (1.50 mm) away from where its front lands after a "
                     "short-edge flip" for n in SHEET_CARDS[2]]


@pytest.mark.tex
def test_flip_edge_is_read_from_the_pdf(pdf):
    """The same pages recorded as made for the other flip edge: every back is in the wrong place."""
    def record_short_flip(writer):
        writer._root_object["/FiszkiInfo"][NameObject("/Flip")] = NameObject("/short")
    found = problems(rewrite(pdf, record_short_flip))
    assert len(found) == 7 and all(line.endswith("after a short-edge flip") for line in found)
    assert found[0].startswith(f"{card(1)} page 2: back is ")


@pytest.mark.tex
def test_whole_sheet_moved_into_the_printer_margin(pdf):
    """Both sides moved alike (backs still behind fronts), but the top row now prints where the
    printer cannot: 1 mm inside the 5 mm margin."""
    tops = [float(a.get_object()["/Rect"][3]) for a in PdfReader(io.BytesIO(pdf)).pages[0]["/Annots"]
            if str(a.get_object()["/NM"]).startswith("card-")]
    rise = 841.89 - max(tops) - 5 * MM + 1 * MM

    def move_sheet(writer):
        shift_page(writer, 0, 0, rise)
        shift_page(writer, 1, 0, rise)
    found = problems(rewrite(pdf, move_sheet))
    assert found == [f"{card(n)} page {page}: {side} reaches 1.0 mm into the printer margin or off the page"
                     for page, side in ((1, "front"), (2, "back")) for n in (1, 2)]


def edit_annotation(writer: PdfWriter, index: int, name: str, dx: float, dy: float = 0.0) -> None:
    """Move one annotation alone: what a layout bug in fiszki itself would look like."""
    for ref in writer.pages[index]["/Annots"]:
        annot = ref.get_object()
        if annot.get("/NM") == name:
            x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
            annot[NameObject("/Rect")] = ArrayObject(FloatObject(v) for v in (x1 + dx, y1 + dy, x2 + dx, y2 + dy))
            return
    raise AssertionError(f"no annotation {name} on page {index + 1}")


@pytest.mark.tex
def test_overlapping_cards(pdf):
    def squeeze(writer):  # card 2 half onto card 1, on both sides, so its back stays behind its front
        edit_annotation(writer, 0, "card-2-front", -40 * MM)
        edit_annotation(writer, 1, "card-2-back", 40 * MM)
    found = problems(rewrite(pdf, squeeze))
    moved = [f"{card(2)} page {page}: its {side} is not clipped to its card; what a formula moves off it could "
             "print on its neighbour" for page, side in ((1, "front"), (2, "back"))]  # its drawing stayed
    assert sorted(found) == sorted([f"page {page}: {card(1)} and {card(2)} overlap" for page in (1, 2)] + moved)


@pytest.mark.tex
def test_rotated_page(pdf):
    found = problems(rewrite(pdf, lambda w: w.pages[2].__setitem__(NameObject("/Rotate"), NumberObject(90))))
    assert found == ["page 3: rotated by 90°; the printer would turn its cards away from their backs"]


@pytest.mark.tex
def test_dropped_page(pdf):
    found = problems(rewrite(pdf, lambda w: w.remove_page(1)))
    assert found[0] == "3 pages: a duplex set needs an even number (each front page followed by its back)"
    assert found[1:3] == [
        "page 2: holds fronts, but in a duplex set page 2 must hold backs (a page missing, added or moved before it?)",
        "page 3: holds backs, but in a duplex set page 3 must hold fronts (a page missing, added or moved before it?)"]
    assert found[3:] == [f"{card(n)}: has a front (page 1) but no back" for n in SHEET_CARDS[1]]


@pytest.mark.tex
def test_back_pages_swapped(pdf):
    def swap(writer):
        kids = writer._root_object["/Pages"]["/Kids"]
        kids[1], kids[3] = kids[3], kids[1]
    found = problems(rewrite(pdf, swap))
    assert found == (
        [f"{card(n)}: front on page 1 but back on page 4; duplex printing puts page 2 behind page 1"
         for n in SHEET_CARDS[1]]
        + [f"{card(n)}: front on page 3 but back on page 2; duplex printing puts page 4 behind page 3"
           for n in SHEET_CARDS[2]])


@pytest.mark.tex
def test_page_of_another_size(pdf):
    def letter(writer):
        writer.pages[2].mediabox = RectangleObject([0, 0, 612, 792])
    found = problems(rewrite(pdf, letter))
    assert found[0] == "page 3: size 215.9×279.4 mm, the other sheets are 210.0×297.0 mm"


@pytest.mark.tex
def test_font_not_embedded(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    name = str(next(iter(fonts.values())).get_object()["/BaseFont"]).lstrip("/")

    def unembed(writer):
        font = next(iter(writer.pages[0]["/Resources"]["/Font"].values())).get_object()
        del font["/FontDescriptor"].get_object()["/FontFile"]
    found = problems(rewrite(pdf, unembed))
    assert len(found) == 1
    assert found[0].startswith(f"font {name} is not embedded (pages 1–")
    assert found[0].endswith("); printers would substitute another font")


@pytest.mark.tex
def test_card_annotations_removed(pdf):
    def strip(writer):
        for page in writer.pages:
            del page["/Annots"]
    found = problems(rewrite(pdf, strip))
    assert "page 1: no cards on it; fiszki makes no empty pages (a page added?)" in found
    assert found[-1].startswith("no card records: the hidden card annotations are gone")


@pytest.mark.tex
def test_incremental_update_is_read(pdf):
    """A tool that appends its change (incremental save) instead of rewriting: the newest wins."""
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    writer.pages[1][NameObject("/Rotate")] = NumberObject(180)
    out = io.BytesIO()
    writer.write(out)
    assert out.getvalue().startswith(pdf)
    assert problems(out.getvalue()) == ["page 2: rotated by 180°; the printer would turn its cards away from their backs"]


@pytest.mark.tex
def test_broken_cross_reference_is_recovered(pdf):
    """A wrong startxref offset (a file edited by hand or cut short): objects are found by scanning,
    and the damage is reported, since a printer may not be as forgiving."""
    tail = pdf.rindex(b"startxref")
    broken = pdf[:tail] + b"startxref\n12345\n%%EOF\n"
    report = check_pdf(broken)
    assert report.facts["cards"] == 7  # everything was found …
    assert report.problems == ["the file is damaged: its cross-reference table is broken (cut short or edited?); "
                               "the cards were found by scanning, but a printer may not manage that"]


@pytest.mark.tex
def test_mode_recorded_in_the_pdf_decides_the_page_order(pdf):
    """A PDF recorded as fronts only (print the fronts, turn the stack, print the backs) must not
    carry back pages."""
    def fronts_only(writer):
        writer._root_object["/FiszkiInfo"][NameObject("/Mode")] = NameObject("/fronts")
    found = problems(rewrite(pdf, fronts_only))
    assert found == [f"page {n}: holds backs, but this PDF was made to hold fronts only" for n in (2, 4)]


@pytest.mark.tex
def test_random_damage_never_crashes_and_stays_fast(pdf):
    """Bytes overwritten, inserted or cut off anywhere: always a report, never an exception or a hang."""
    rng = random.Random(7)
    outcomes = set()
    for i in range(150):
        data = bytearray(pdf)
        if i % 3 == 0:
            for _ in range(rng.randint(1, 40)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif i % 3 == 1:
            del data[rng.randrange(len(data)):]
        else:
            at = rng.randrange(len(data))
            data[at:at] = rng.randbytes(rng.randint(1, 30))
        start = time.perf_counter()
        report = check_pdf(bytes(data))
        assert time.perf_counter() - start < 2, f"variant {i} took too long"
        outcomes.add((report.ok, report.kind))
    # Damage to page content passes (the check never reads it); structure damage is named.
    assert outcomes == {(True, "flashcards"), (False, "flashcards"), (False, "unknown")}


# --- what the builder writes for the check --------------------------------------------------------


@pytest.mark.tex
def test_card_annotations_hold_only_name_rectangle_and_hidden_flag(pdf):
    """Lean on purpose: pypdf parses every annotation of a 1000-card PDF (2000 of them) on each
    check, so anything more (a /Contents text, a border, one per crop mark) slows `fiszki check`."""
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        annots = [a.get_object() for a in page["/Annots"]]
        assert {str(a["/NM"]).split("-")[0] for a in annots} == {"card", "footer"}
        for annot in annots:
            assert set(annot) == {"/Type", "/Subtype", "/NM", "/F", "/Rect"}, annot
            assert annot["/F"] == 2  # hidden: never shown or printed
    questions = reader.trailer["/Root"]["/FiszkiInfo"]["/Questions"].get_data()
    assert questions.count(b"<FEFF") == 7 and questions.lstrip().startswith(b"[1 <FEFF")


@pytest.mark.tex
def test_cards_are_named_by_number_alone_when_the_questions_record_is_gone(pdf):
    def drop_questions(writer):
        del writer._root_object["/FiszkiInfo"]["/Questions"]
    found = problems(rewrite(pdf, lambda w: (drop_questions(w), shift_page(w, 1, MM))))
    assert found == [f"#{n} page 2: back is 2.8 pt (1.00 mm) away from where its front lands after a "
                     "long-edge flip" for n in SHEET_CARDS[1]]


@pytest.mark.tex
def test_a_predicted_cross_reference_stream_is_read(pdf):
    """qpdf and Acrobat pack the cross-reference stream with PNG predictors: re-pack pdfTeX's that way."""
    reader = PdfReader(io.BytesIO(pdf))
    at = {num: offset for num, offset in reader.xref[0].items()}
    packed_in = dict(reader.xref_objStm)
    size = max([*at, *packed_in]) + 2
    own = size - 1
    offset = len(pdf)
    rows, prev = bytearray(), bytes(7)
    for num in range(size):
        if num == own:
            row = bytes([1]) + offset.to_bytes(4, "big") + bytes(2)
        elif num in packed_in:
            stream, index = packed_in[num]
            row = bytes([2]) + stream.to_bytes(4, "big") + index.to_bytes(2, "big")
        elif num in at and num:
            row = bytes([1]) + at[num].to_bytes(4, "big") + bytes(2)
        else:
            row = bytes(7)
        rows += bytes([2]) + bytes((a - b) & 0xFF for a, b in zip(row, prev))  # PNG "Up"
        prev = row
    packed = zlib.compress(bytes(rows))
    root = reader.trailer.raw_get("/Root").idnum
    xref = (f"{own} 0 obj\n<< /Type /XRef /Size {size} /W [1 4 2] /Root {root} 0 R /Filter /FlateDecode "
            f"/DecodeParms << /Predictor 12 /Columns 7 >> /Length {len(packed)} >>\nstream\n").encode()
    repacked = pdf + xref + packed + f"\nendstream\nendobj\nstartxref\n{offset}\n%%EOF\n".encode()
    report = check_pdf(repacked)
    assert report.ok, report.problems  # read straight, not by scanning (that would be reported)
    assert report.facts["cards"] == 7


# --- the report ---------------------------------------------------------------------------------------


@pytest.mark.tex
def test_human_report_lines_and_summary(pdf, tmp_path):
    bad = tmp_path / "flashcards.pdf"
    bad.write_bytes(rewrite(pdf, lambda w: shift_page(w, 1, MM)))
    result = run_fiszki("check", str(bad))
    assert result.code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == (f'{bad}: #1 "Czym jest softmax?" page 2: back is 2.8 pt (1.00 mm) away from where '
                        "its front lands after a long-edge flip")
    assert lines[-1] == f"{bad}: 4 problems (flashcards); it would not print right"
    assert len(lines) == 5 and "Traceback" not in result.stderr


def test_many_problems_of_one_kind_are_counted_not_listed():
    report = CheckReport("x.pdf", kind="flashcards")
    for n in range(1, 31):
        report.add(f"#{n} problem", kind="back position", page=2, card=str(n))
    report.add("page 3: rotated", kind="rotation", page=3)
    lines = report.lines(limit=12)
    assert lines[:12] == [f"x.pdf: #{n} problem" for n in range(1, 13)]
    assert lines[12] == "x.pdf: page 3: rotated"
    assert lines[13] == "x.pdf: … and 18 more back position problems like these (`fiszki -v check` lists them all)"
    assert lines[14] == "x.pdf: 31 problems (flashcards); it would not print right"
    assert len(report.lines(limit=None)) == 32


@pytest.mark.tex
def test_json_report(pdf, built, tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(rewrite(pdf, lambda w: shift_page(w, 1, MM)))
    good = built["portrait"] / "flashcards.pdf"
    missing = tmp_path / "missing.pdf"
    result = run_fiszki("check", "--json", str(good), str(bad), str(missing))
    assert result.code == 1
    files = json.loads(result.stdout)
    assert [(f["file"], f["ok"], f["kind"]) for f in files] == [(str(good), True, "flashcards"),
                                                              (str(bad), False, "flashcards"),
                                                              (str(missing), False, "unknown")]
    assert files[2]["problems"][0]["message"] == "no such file"
    assert files[0]["problems"] == [] and files[0]["facts"]["cards"] == 7
    first = files[1]["problems"][0]
    assert first["page"] == 2 and first["card"] == "1" and first["kind"] == "back position"
    assert first["message"].startswith('#1 "Czym jest softmax?" page 2: back is 2.8 pt')


# --- what cannot be checked ---------------------------------------------------------------------------


def test_pdf_not_made_by_fiszki(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    other = tmp_path / "other.pdf"
    with other.open("wb") as fh:
        writer.write(fh)
    result = run_fiszki("check", str(other))
    assert result.code == 1 and result.stderr == ""
    assert result.stdout.strip() == (f"{other}: cannot check: this PDF was not made by fiszki, or a tool rewrote it "
                                     "and dropped fiszki's layout record, so there is nothing to check its card "
                                     "positions against")


@pytest.mark.tex
def test_not_a_pdf_missing_file_folder_and_truncated_pdf(tmp_path, pdf):
    text = tmp_path / "notes.txt"
    text.write_text("not a pdf\n")
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(pdf[: len(pdf) // 3])
    missing = tmp_path / "missing.pdf"
    result = run_fiszki("check", str(text), str(missing), str(tmp_path), str(cut))
    assert result.code == 1 and "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == [f"{text}: cannot check: not a PDF file", f"{missing}: cannot check: no such file",
                         f"{tmp_path}: cannot check: is a folder, not a PDF"]
    assert lines[3].startswith(f"{cut}: cannot check: the PDF is damaged or unusual (")
    assert len(lines) == 4


@pytest.mark.tex
def test_a_side_whose_clipping_is_gone_is_reported(pdf):
    """Every side is clipped to its card, so nothing a formula moves off it prints on a neighbour;
    the check reads the clips from the content stream and names a side drawn without one."""
    from pypdf.generic import ContentStream, NameObject

    assert check_pdf(pdf).ok

    def unclip_first_side(writer: PdfWriter) -> None:
        page = writer.pages[0]
        data = page.get_contents().get_data().replace(b" re W n", b" re n", 1)
        stream = ContentStream(None, writer)
        stream.set_data(data)
        page[NameObject("/Contents")] = writer._add_object(stream)

    report = check_pdf(rewrite(pdf, unclip_first_side))
    clip = [p for p in report.problems if getattr(p, "kind", "") == "clip"]
    assert len(clip) == 1 and "is not clipped to its card" in clip[0] and clip[0].page == 1
