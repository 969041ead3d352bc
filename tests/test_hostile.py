"""Hostile input, second round (issue 18): terminal escapes, memory and CPU bombs, TeX's limits.

Each test builds or checks through the real command line (or the real function the pipeline
calls) and proves the attack ends fast with a clear message naming where it came from, or works.
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from tests.conftest import run_fiszki

# ESC ] 52 ; c ; … BEL: an OSC 52 sequence, which many terminals obey by writing the clipboard.
OSC52 = "\x1b]52;c;aGk=\x07"


def _no_raw_controls(text: str) -> None:
    raw = [c for c in text if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) < 0xA0 or c == "\u202e"]
    assert not raw, repr(text)


@pytest.mark.tex
def test_control_characters_from_the_deck_reach_the_terminal_escaped(tmp_path: Path):
    deck = tmp_path / "deck.md"
    question = f"Q {OSC52} \x9b31m \u202eevil"
    deck.write_text(f"# S\n\n## {question}\nA\n\n## {question}\nB $\\frac{{a$\n", encoding="utf-8")
    failed = run_fiszki("build", str(deck), "--out", str(tmp_path / "x"))
    assert failed.code == 1
    _no_raw_controls(failed.stderr)
    assert '"Q \\x1b]52;c;aGk=\\x07 \\x9b31m \\u202eevil": same question' in failed.stderr  # the warning
    assert '"Q \\x1b]52;c;aGk=\\x07 \\x9b31m \\u202eevil": math:' in failed.stderr  # the errors

    deck.write_text(f"# S\n\n## {question}\nA\n\n## Second\nB\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_fiszki("build", str(deck), "--out", str(out)).code == 0
    writer = PdfWriter(clone_from=PdfReader(out / "flashcards.pdf"))
    del writer.pages[1][NameObject("/Annots")]  # the backs' records gone: the check names the cards
    damaged = tmp_path / "damaged.pdf"
    buffer = io.BytesIO()
    writer.write(buffer)
    damaged.write_bytes(buffer.getvalue())
    for args in ((), ("--json",)):
        report = run_fiszki("check", *args, str(damaged))
        assert report.code == 1 and "aGk=" in report.stdout, report.stdout
        _no_raw_controls(report.stdout)
    assert "#1 \"Q \\x1b]52;c;aGk=\\x07" in run_fiszki("check", str(damaged)).stdout


# --- memory and CPU bombs: each ends fast with a clear message, or just works ---------------------

LAUGHS = """---
title: Laughs
tag: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
---
# S
## Q
A
"""


def test_yaml_aliases_in_the_front_matter_are_refused_before_they_expand():
    from builder.deck import parse_deck_text
    from builder.errors import ContentError

    with pytest.raises(ContentError) as info:  # expanded, the last key alone is 387 million strings
        parse_deck_text(LAUGHS, Path("laughs.md"))
    assert str(info.value) == ("laughs.md:4: front matter uses the YAML alias *a; fiszki does not read aliases "
                               "(hint: write the value out in full)")
    parse_deck_text(LAUGHS.replace("&", "").split("b:")[0] + "---\n# S\n## Q\nA\n", Path("ok.md"))  # anchors alone


@pytest.mark.tex
@pytest.mark.parametrize("args, message", [
    (("--card", "0.05x0.05"), "--card: card '0.05x0.05' is 0.05 x 0.05 mm: cards need at least 20 mm a side"),
    (("--card", "8x8"), "--card: card '8x8' is 8 x 8 mm: cards need at least 20 mm a side"),
    (("--paper", "6000x6000"), "--paper: paper '6000x6000' is 6000 x 6000 mm: fiszki makes pages of at most 1500 mm a side"),
    (("--paper", "1500x1500", "--card", "20x20"), "74x74 = 5476 cards on a sheet: fiszki puts at most 500 on one"),
    (("--margin", "9" * 400), "--margin: invalid length '" + "9" * 400 + "': at most 100 m"),
])
def test_sizes_no_deck_needs_are_usage_errors(small_deck: Path, tmp_path: Path, args, message):
    result = run_fiszki("build", str(small_deck), "--out", str(tmp_path / "out"), *args)
    assert result.code == 2 and f"error: {message}" in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.tex
def test_the_smallest_card_and_the_largest_paper_build_and_pass_the_check(tmp_path: Path):
    deck = tmp_path / "deck.md"
    deck.write_text("# Words\n\n## dog\npies\n\n## cat\nkot $x^2$\n", encoding="utf-8")
    for args in (("--card", "20x20"), ("--paper", "1500x1500"), ("--paper", "200x200")):
        out = tmp_path / "-".join(args)
        result = run_fiszki("build", str(deck), "--out", str(out), *args)
        assert result.code == 0, (args, result.stderr)  # the build's own check passed both PDFs


@pytest.mark.tex
def test_a_card_size_from_the_front_matter_names_its_line(tmp_path: Path):
    deck = tmp_path / "deck.md"
    deck.write_text("---\ncard: 8x8\n---\n# S\n## Q\nA\n", encoding="utf-8")
    result = run_fiszki("build", str(deck), "--out", str(tmp_path / "out"))
    assert result.code == 1 and "deck.md:2: front matter 'card': card '8x8' is 8 x 8 mm" in result.stderr


@pytest.mark.tex
def test_source_date_epoch_past_year_9999_is_a_usage_error(small_deck: Path, tmp_path: Path):
    result = run_fiszki("build", str(small_deck), "--out", str(tmp_path / "out"),
                        env={"SOURCE_DATE_EPOCH": "99999999999999999999"})
    assert result.code == 2, result.stderr
    assert "error: SOURCE_DATE_EPOCH=99999999999999999999 is not a time fiszki can print" in result.stderr
    assert not (tmp_path / "out").exists()


def _tex_lines_run(function, call) -> int:
    """How many lines of `function` ran during `call()`: a count of work, not a time."""
    import sys

    code, count = function.__code__, 0

    def tracer(frame, event, arg):
        nonlocal count
        if frame.f_code is code:
            if event == "line":
                count += 1
            return tracer
        return None

    sys.settrace(tracer)
    try:
        call()
    finally:
        sys.settrace(None)
    return count


def test_card_ids_for_many_equal_questions_take_linear_work():
    from builder.deck import _DeckReader, parse_deck_text

    def deck(n: int) -> str:
        return "# S\n" + "".join(f"## Same question\nA{i}\n\n" for i in range(n))

    work = {n: _tex_lines_run(_DeckReader._assign_ids, lambda: parse_deck_text(deck(n), Path("x.md")))
            for n in (200, 400)}
    assert work[400] < 2.2 * work[200], work  # quadratic would be 4x
    ids = [c.id for c in parse_deck_text(deck(5) + "## Same question 3 {#same-question-3}\nA\n", Path("x.md")).cards]
    assert ids == ["same-question", "same-question-2", "same-question-4", "same-question-5", "same-question-6",
                   "same-question-3"]


@pytest.mark.tex
def test_check_reads_one_annotation_listed_thousands_of_times_as_one(small_build: Path):
    from pypdf.generic import ArrayObject, DictionaryObject

    from builder.checking import check_pdf

    writer = PdfWriter(clone_from=PdfReader(small_build / "flashcards.pdf"))
    page = writer.pages[0]
    first = next(a for a in page["/Annots"] if a.get_object()["/NM"].startswith("card-"))
    page[NameObject("/Annots")] = ArrayObject([first] * 2000)  # quadratic: 2 million "overlaps"
    buffer = io.BytesIO()
    writer.write(buffer)
    report = check_pdf(buffer.getvalue())
    assert report.kind == "flashcards" and not report.ok
    assert not [p for p in report.problems if "overlap" in p], report.problems[:3]
    assert len(report.problems) < 10, report.problems[:20]

    # As many distinct annotations as fiszki never makes: told once, not compared pairwise.
    copies = [writer._add_object(DictionaryObject(first.get_object())) for _ in range(1200)]
    page[NameObject("/Annots")] = ArrayObject(copies)
    buffer = io.BytesIO()
    writer.write(buffer)
    overlaps = [p for p in check_pdf(buffer.getvalue()).problems if getattr(p, "kind", "") == "overlap"]
    assert overlaps == ["page 1: 1200 card sides, more than fiszki ever puts on a page (1000); "
                        "their overlaps are not checked"]


# --- every card's ink stays inside its own box ----------------------------------------------------

INK_DECK = r"""# S

## Ink everywhere
$\mathrlap{\text{WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW}}$ and
$\smash{\begin{aligned} X \\ X \\ X \\ X \\ X \\ X \\ X \\ X \\ X \\ X \\ X \\ X \\ X \\ X \\ X \\ X \\ X \\ X \\ X \\ X \\ X \\ X \\ X \\ X \\ X \\ X \\ X \\ X \\ X \\ X \end{aligned}}$
?
$\mathllap{\text{MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM}}$

$$\begin{aligned} X \\[-20pt] X \\[-20pt] X \\[-20pt] X \\[-20pt] X \\[-20pt] X \\[-20pt] X \\[-20pt] X
\\[-20pt] X \\[-20pt] X \\[-20pt] X \\[-20pt] X \\[-20pt] X \\[-20pt] X \\[-20pt] X \end{aligned}$$
"""


def _grey_page(pdf: Path, page: int, folder: Path) -> tuple[int, int, bytes]:
    """Page `page` (1-based) rendered at 72 dpi, one grey byte per point, top row first."""
    import subprocess

    subprocess.run(["pdftoppm", "-r", "72", "-gray", "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(folder / "page")], check=True)
    data = (folder / "page.pgm").read_bytes()
    magic, width, height, depth, pixels = data.split(maxsplit=4)
    assert magic == b"P5" and depth == b"255"
    return int(width), int(height), pixels


def _ink_in(page: tuple[int, int, bytes], rect: tuple[float, float, float, float]) -> int:
    """Dark pixels inside rect (x, y, w, h in PDF points from the bottom-left)."""
    width, height, pixels = page
    x, y, w, h = rect
    count = 0
    for row in range(max(0, round(height - y - h)), min(height, round(height - y))):
        line = pixels[row * width + max(0, round(x)) : row * width + min(width, round(x + w))]
        count += sum(1 for v in line if v < 160)
    return count


@pytest.mark.tex
def test_a_formula_that_moves_its_ink_off_the_card_is_cut_at_the_card(tmp_path: Path):
    """\\mathllap, \\smash and negative spacing within the validator's bounds move text off its card:
    on paper it lands on the neighbour's card and in the margin. Each side is clipped to its box."""
    from builder.geometry import CARD_PRESETS, MM, PAPERS, plan_sheet

    deck = tmp_path / "deck.md"
    deck.write_text(INK_DECK, encoding="utf-8")
    result = run_fiszki("build", str(deck), "--out", str(tmp_path / "out"))
    assert result.code == 0, result.stderr
    layout = plan_sheet(PAPERS["a4"], CARD_PRESETS["business"], 5 * MM)
    grid_top = max(layout.front_rect(s).top for s in range(layout.per_sheet))
    for number, rect_of in ((1, layout.front_rect), (2, layout.back_rect)):
        page = _grey_page(tmp_path / "out" / "flashcards.pdf", number, tmp_path)
        own = rect_of(0)
        assert _ink_in(page, own.as_tuple()) > 200  # the card itself is drawn
        for slot in range(1, layout.per_sheet):  # the empty places of the other cards
            assert _ink_in(page, rect_of(slot).as_tuple()) == 0, (number, slot)
        above = (own.x + 2 * MM, grid_top + 0.5, own.w - 4 * MM, layout.paper_h - grid_top)  # between the crop marks
        assert _ink_in(page, above) == 0, number


@pytest.mark.tex
def test_a_formula_that_moves_its_ink_off_the_cheat_sheet_column_is_cut_at_the_column(tmp_path: Path):
    """The cheat sheet's columns are clipped to their strips (half the gap beside each, half the
    margin below, half the header's gap above): nothing reaches the header or the paper's edge."""
    from builder.geometry import MM

    deck = tmp_path / "deck.md"
    deck.write_text(INK_DECK, encoding="utf-8")
    result = run_fiszki("build", str(deck), "--out", str(tmp_path / "out"), "--columns", "1")
    assert result.code == 0, result.stderr
    page = _grey_page(tmp_path / "out" / "cheatsheet.pdf", 1, tmp_path)
    width, height = page[0], page[1]
    margin = 5 * MM - 1
    assert _ink_in(page, (margin + 2, margin + 2, width - 2 * margin - 4, height - 2 * margin - 4)) > 200
    edge = 2 * MM
    for strip in ((0, 0, edge, height), (width - edge, 0, edge, height), (0, height - margin, width, margin),
                  (0, 0, width, edge)):
        assert _ink_in(page, strip) == 0, strip


# --- TeX's limits: a clear error naming the card, before TeX or from its fit, or a build ---------------


@pytest.mark.tex
def test_the_attacks_on_texs_limits_end_with_a_clear_error_naming_the_line(tmp_path: Path):
    words = " ".join(f"w{i % 97}" for i in range(60_000))
    attacks = {
        "line": ("# S\n\n## Q\n" + words[:200_000] + "\n",
                 ':3: card #1 "Q": the card is 200,'),
        "word": ("# S\n\n## Q\n" + "x" * 19_000 + "\n", ':3: card #1 "Q": back does not fit the card'),
        "links": ("# S\n\n## Q\n" + "[" * 20_000 + "a" + "](u)" * 20_000 + "\n",
                  ':3: card #1 "Q": the card is 100,'),
        "title": ("---\ntitle: " + "T" * 60_000 + "\n---\n# S\n\n## Q\nA\n", ":2: 'title' is 60,000 characters long"),
    }
    for name, (text, message) in attacks.items():
        deck = tmp_path / f"{name}.md"
        deck.write_text(text, encoding="utf-8")
        result = run_fiszki("build", str(deck), "--out", str(tmp_path / name))
        assert result.code == 1 and f"{name}.md{message}" in result.stderr, (name, result.stderr[-600:])
        assert "stopped without an error message" not in result.stderr


def test_long_lines_are_cut_where_tex_reads_the_same():
    from builder.tex.limits import MAX_LINE, fold_long_lines

    line = " ".join(f"word{i}" for i in range(3000)) + "x\\fzbreak{}" * 2000 + "{\\bfseries a}  b \\ c"
    folded = fold_long_lines("\\par\n" + line + "\n")
    assert max(map(len, folded.split("\n"))) <= MAX_LINE
    assert folded.replace("%\n", "").replace("\n", " ") == ("\\par\n" + line + "\n").replace("\n", " ")
    assert "\n\n" not in folded.strip() and "\\\n" not in folded  # no new paragraph, no control space cut


@pytest.mark.tex
def test_a_folded_document_typesets_byte_for_byte_as_the_unfolded_one():
    """Below TeX's buffer both can be read: the cuts change nothing TeX makes."""
    from builder.tex.limits import fold_long_lines
    from builder.tex.run import run_pdflatex

    body = (" ".join(f"wo{i}rd" for i in range(4000)) + " " + "{\\bfseries x}y\\allowbreak{}" * 500
            + " $a + b$ {} \\emph{z} ")
    tex = ("\\documentclass{article}\\pdfinfoomitdate=1 \\pdftrailerid{}\\begin{document}\n" + body * 3
           + "\n\\end{document}\n")
    assert max(map(len, tex.split("\n"))) > 50_000
    folded = fold_long_lines(tex)
    assert folded != tex and max(map(len, folded.split("\n"))) <= 4000
    assert run_pdflatex(folded, jobname="a").pdf == run_pdflatex(tex, jobname="a").pdf


@pytest.mark.tex
def test_a_side_too_tall_for_texs_dimensions_is_told_not_to_fit(tmp_path: Path):
    """20,000 characters on a 20 mm card at its starting size would be 30 m of text, past the
    16383 pt TeX can measure; it starts small enough to be measured, and is told not to fit."""
    deck = tmp_path / "deck.md"
    deck.write_text("# S\n\n## Q\n" + "WWWW " * 3990 + "\n", encoding="utf-8")
    result = run_fiszki("build", str(deck), "--out", str(tmp_path / "out"), "--card", "20x20")
    assert result.code == 1 and 'deck.md:3: card #1 "Q": back does not fit the card even at 6 pt' in result.stderr, \
        result.stderr
    # A 19,000-letter word starts below 6 pt too; what it needs is told as at 6 pt (not at its start).
    import re

    deck.write_text("# S\n\n## Q\n" + "x" * 19_000 + "\n", encoding="utf-8")
    result = run_fiszki("build", str(deck), "--out", str(tmp_path / "out"))
    assert 'card #1 "Q": back does not fit the card even at 6 pt' in result.stderr
    assert int(re.search(r"needs (\d+)% of the space", result.stderr).group(1)) > 1000


def test_ordinary_sides_keep_their_starting_size():
    from builder.tex.limits import safe_start

    assert safe_start("x" * 2000, 224, 10) == 10  # a long answer on a business card
    assert safe_start("x" * 20_000, 40, 10) < 4  # the most a card holds, on a 20 mm card


@pytest.mark.tex
def test_a_card_too_long_for_narrow_cheat_sheet_columns_is_named(tmp_path: Path):
    deck = tmp_path / "deck.md"
    deck.write_text("# S\n\n## Q\n" + "WWWW " * 3990 + "\n\n## R\nshort\n", encoding="utf-8")
    result = run_fiszki("build", str(deck), "--out", str(tmp_path / "out"), "--columns", "17", "--keep-going")
    assert 'deck.md:3: card #1 "Q": too long for 17 cheat-sheet columns 15 mm wide' in result.stderr, result.stderr
    assert "Dimension too large" not in result.stderr and (tmp_path / "out" / "cheatsheet.pdf").exists()
