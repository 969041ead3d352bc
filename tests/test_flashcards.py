"""Flashcard sheets, proven from the PDFs: real pdflatex, PDFs read back with pypdf.

Where cards should be is worked out here from first principles (paper, card, margin, the flip
rule), not from builder.geometry or builder.checking, so a mistake shared by those cannot hide.
Builds share module-scoped fixtures and run two at a time; the matrix calls the flashcard
builder directly, a handful of cases go through the real command line.
"""
from __future__ import annotations

import functools
import io
import itertools
import math
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from builder.checking import check_pdf
from builder.deck import parse_deck_text
from builder.errors import ContentError
from builder.flashcards.split import split_card, split_sentences
from builder.tex.contract import read_fit
from builder.markdown import parser
from builder.options import resolve
from builder.selection import select_cards
from tests.conftest import DEFAULT_DECK, build_output, run_fiszki
from tests.drawing import crop_marks, drawn_rules

MM = 72 / 25.4
INCH = 72.0
TOL = 0.5  # pt: how far a back may sit from where its front lands
PAPERS = {"a4": (210 * MM, 297 * MM), "letter": (8.5 * INCH, 11 * INCH)}
CARDS = {"business": (85 * MM, 55 * MM), "poker": (63 * MM, 88 * MM), "index3x5": (5 * INCH, 3 * INCH)}
MARGIN = 5 * MM  # the default --margin


# --- expected geometry, from first principles ---------------------------------------------------

@dataclass
class Expected:
    paper_w: float
    paper_h: float
    rows: int
    cols: int
    fronts: list[tuple[float, float, float, float]]  # slot → (x, y, w, h), slot 0 top-left, row by row
    orientation: str
    flip: str
    margin: float

    @property
    def per_sheet(self) -> int:
        return self.rows * self.cols

    def back(self, rect):
        """Where the back of `rect` must be so that it lands behind it after a duplex flip."""
        x, y, w, h = rect
        # Over the long edge of portrait paper (short edge of landscape) the sheet turns like a
        # book page: left and right swap. Otherwise it turns like a calendar: top and bottom swap.
        if (self.orientation == "portrait") == (self.flip == "long"):
            return (self.paper_w - x - w, y, w, h)
        return (x, self.paper_h - y - h, w, h)

    @property
    def backs(self):
        return [self.back(r) for r in self.fronts]


def expected_sheet(paper, orientation, card, flip="long", margin=MARGIN, gutter=0.0, grid=None) -> Expected:
    w, h = PAPERS[paper] if isinstance(paper, str) else paper
    pw, ph = (min(w, h), max(w, h)) if orientation == "portrait" else (max(w, h), min(w, h))
    cw, ch = CARDS[card] if isinstance(card, str) else card
    rows, cols = grid or (math.floor((ph - 2 * margin + gutter) / (ch + gutter) + 1e-9),
                          math.floor((pw - 2 * margin + gutter) / (cw + gutter) + 1e-9))
    x0 = (pw - (cols * cw + (cols - 1) * gutter)) / 2
    y0 = (ph - (rows * ch + (rows - 1) * gutter)) / 2
    fronts = [(x0 + c * (cw + gutter), y0 + (rows - 1 - r) * (ch + gutter), cw, ch)
              for r in range(rows) for c in range(cols)]
    return Expected(pw, ph, rows, cols, fronts, orientation, flip, margin)


def close(a, b, tol=TOL) -> bool:
    return all(abs(p - q) <= tol for p, q in zip(a, b))


def overlaps(a, b) -> bool:
    """Interiors intersect (sharing an edge is fine)."""
    return (min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]) > 0.01
            and min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]) > 0.01)


def distinct(values) -> list[float]:
    """Sorted, with values closer than 0.01 pt (shared card edges) counted once."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > 0.01:
            out.append(v)
    return out


def same(found, wanted, tol=0.05) -> bool:
    return len(found) == len(wanted) and all(abs(a - b) <= tol for a, b in zip(found, wanted))


def inside(r, area, tol=0.01) -> bool:
    return (r[0] >= area[0] - tol and r[1] >= area[1] - tol
            and r[0] + r[2] <= area[0] + area[2] + tol and r[1] + r[3] <= area[1] + area[3] + tol)


# --- reading the PDF ------------------------------------------------------------------------------

@dataclass
class Page:
    cards: dict[str, tuple]  # "card-3-front" → rect (tests pop the cards they have seen)
    footer: tuple | None
    page: object
    card_rects: tuple  # every card on the page

    @functools.cached_property
    def marks(self) -> list[tuple]:
        """The crop marks, as drawn: the ink itself, read from the content stream."""
        return crop_marks(self.page, self.card_rects)


def read_pages(pdf: bytes) -> list[Page]:
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        cards, footer = {}, None
        for ref in page.get("/Annots", []) or []:
            annot = ref.get_object()
            x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
            rect = (min(x1, x2), min(y1, y2), abs(x2 - x1), abs(y2 - y1))
            name = str(annot.get("/NM", ""))
            if name.startswith("card-"):
                cards[name] = rect
            elif name == "footer":
                footer = rect
        pages.append(Page(cards, footer, page, tuple(cards.values())))
    return pages


def text_with_sizes(page) -> list[tuple[str, float, float, str, float]]:
    """(text, x, y, font name, size in pt) of every text run on the page."""
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip() and font is not None:
            scale = math.hypot(tm[0], tm[1]) * math.hypot(cm[0], cm[1])
            x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
            runs.append((text, x, y, str(font.get("/BaseFont", "")), size * scale * 72.27 / 72))

    page.extract_text(visitor_text=visit)
    return runs


def page_text(page) -> str:
    return " ".join(page.extract_text().split())


# --- building -------------------------------------------------------------------------------------

@dataclass
class Built:
    pdf: bytes
    log: str
    cards: list
    warnings: list


def build(tmp: Path, text: str, **options) -> Built:
    """The flashcard half of `fiszki build`, called directly: real deck parsing, options, TeX."""
    tmp.mkdir(parents=True, exist_ok=True)
    deck = parse_deck_text(text, tmp / "deck.md", "deck.md")
    opts = resolve(deck, options)
    cards = select_cards(deck, opts)
    result = build_output("flashcards", deck, cards, opts)
    assert not result.errors
    return Built(result.files["flashcards.pdf"], result.files["flashcards.log"].decode(), cards, result.warnings)


def numbered_deck(n: int, lang: str = "en", front_matter: str = "") -> str:
    """n short cards in two sections; card k says "Question k" / "Answer k"."""
    out = [f"---\ntitle: Test deck\nlang: {lang}\n{front_matter}---\n"]
    for k in range(1, n + 1):
        if k == 1:
            out.append("# Basics\n")
        if k == n // 2 + 1:
            out.append("# More\n")
        out.append(f"## Question {k}: what is $x_{{{k}}}$?\nAnswer {k}: it is $x_{{{k}}} = {k}$.\n")
    return "\n".join(out)


def in_parallel(jobs: dict, fn):
    """Run fn(*args) for every job two at a time (pdflatex is single-threaded); results by key."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {key: pool.submit(fn, *args) for key, args in jobs.items()}
        return {key: f.result() for key, f in futures.items()}


MATRIX = list(itertools.product(("a4", "letter"), ("portrait", "landscape"), ("long", "short"),
                                 ("business", "poker", "index3x5")))


@pytest.fixture(scope="module")
def matrix(tmp_path_factory) -> dict:
    """Every paper × orientation × flip × card: a deck of one full sheet and one card more."""
    root = tmp_path_factory.mktemp("matrix")
    jobs = {}
    for i, (paper, orientation, flip, card) in enumerate(MATRIX):
        n = expected_sheet(paper, orientation, card).per_sheet + 1
        lang = "pl" if paper == "a4" else "en"
        jobs[(paper, orientation, flip, card)] = (root / str(i), numbered_deck(n, lang),
                                                  dict(paper=paper, orientation=orientation, flip=flip, card=card))
    return in_parallel(jobs, lambda tmp, text, options: build(tmp, text, **options))


def assert_sheets(pdf: bytes, exp: Expected, n_cards: int, numbers: list[int] | None = None) -> list[Page]:
    """Every back behind its front, every card in the safe area and on the same grid on every
    page, crop marks at every cut line and clear of every card, the margin note clear of both."""
    numbers = numbers or list(range(1, n_cards + 1))
    pages = read_pages(pdf)
    sheets = math.ceil(n_cards / exp.per_sheet)
    assert len(pages) == 2 * sheets
    assert PdfReader(io.BytesIO(pdf)).page_labels == [f"{s}-{side}" for s in range(1, sheets + 1)
                                                      for side in ("front", "back")]
    for i, number in enumerate(numbers):
        sheet, slot = divmod(i, exp.per_sheet)
        front = pages[2 * sheet].cards.pop(f"card-{number}-front")
        back = pages[2 * sheet + 1].cards.pop(f"card-{number}-back")
        assert close(front, exp.fronts[slot]), (number, front, exp.fronts[slot])
        assert close(back, exp.back(front)), (number, back, exp.back(front))
        assert close(back, exp.backs[slot])
    assert all(not p.cards for p in pages), "cards found where none should be"
    safe = (exp.margin, exp.margin, exp.paper_w - 2 * exp.margin, exp.paper_h - 2 * exp.margin)
    assert all(inside(r, safe) for r in exp.fronts + exp.backs)
    page_box = (0, 0, exp.paper_w, exp.paper_h)
    for number, page in enumerate(pages):
        grid = exp.backs if number % 2 else exp.fronts  # the whole grid, filled or not
        xs = distinct(v for r in grid for v in (r[0], r[0] + r[2]))
        ys = distinct(v for r in grid for v in (r[1], r[1] + r[3]))
        for mark in page.marks:
            assert inside(mark, page_box), mark
            assert not any(overlaps(mark, card) for card in grid), f"page {number + 1}: mark {mark} over a card"
        upright = [m for m in page.marks if m[3] > m[2]]
        flat = [m for m in page.marks if m[2] > m[3]]
        # A mark under and over the grid at every vertical cut line, left and right at every horizontal one.
        assert same(sorted(m[0] + m[2] / 2 for m in upright), sorted(xs * 2)), (xs, upright)
        assert same(sorted(m[1] + m[3] / 2 for m in flat), sorted(ys * 2)), (ys, flat)
        assert page.footer and inside(page.footer, page_box)
        assert not any(overlaps(page.footer, r) for r in grid + page.marks)
    # The half-empty last sheet: its marks are where the first sheet's are.
    for a, b in ((0, 2), (1, 3)):
        if b < len(pages):
            assert len(pages[a].marks) == len(pages[b].marks)
            assert all(close(m, n, 0.01) for m, n in zip(sorted(pages[a].marks), sorted(pages[b].marks)))
    return pages


@pytest.mark.tex
@pytest.mark.parametrize("paper,orientation,flip,card", MATRIX)
def test_backs_lie_behind_fronts(matrix, paper, orientation, flip, card):
    exp = expected_sheet(paper, orientation, card, flip)
    built = matrix[(paper, orientation, flip, card)]
    assert_sheets(built.pdf, exp, exp.per_sheet + 1)
    assert check_pdf(built.pdf).ok  # and the shipped checker agrees


def test_matrix_has_the_mirror_rules_it_claims():
    """The matrix would prove little if every layout mirrored the same way."""
    moved = {(o, f): expected_sheet("a4", o, "business", f).backs[0][:2] != expected_sheet("a4", o, "business", f).fronts[0][:2]
             for o in ("portrait", "landscape") for f in ("long", "short")}
    assert all(moved.values())
    portrait_long = expected_sheet("a4", "portrait", "business", "long")
    assert portrait_long.backs[0][1] == portrait_long.fronts[0][1]  # same row, other column
    portrait_short = expected_sheet("a4", "portrait", "business", "short")
    assert portrait_short.backs[0][0] == portrait_short.fronts[0][0]  # same column, other row


@pytest.mark.tex
def test_dashed_cut_lines_instead_of_crop_marks(tmp_path):
    built = build(tmp_path, numbered_deck(5), paper="a4", orientation="landscape", card="a8", cut_marks="dashed")
    exp = expected_sheet("a4", "landscape", (74 * MM, 52 * MM))
    for number, page in enumerate(read_pages(built.pdf)):
        grid = exp.backs if number % 2 else exp.fronts
        xs = distinct(v for r in grid for v in (r[0], r[0] + r[2]))
        ys = distinct(v for r in grid for v in (r[1], r[1] + r[3]))
        assert not page.marks
        dashes = [r for r in drawn_rules(page.page) if not any(inside(r, c) for c in page.cards.values())]
        upright = [d for d in dashes if d[3] > d[2]]
        flat = [d for d in dashes if d[2] > d[3]]
        assert len(upright) + len(flat) == len(dashes)
        # Every dash lies on a cut line, and every cut line is dashed across the whole page.
        for cuts, runs, across, centre, length in ((xs, upright, exp.paper_h, 0, 3), (ys, flat, exp.paper_w, 1, 2)):
            for cut in cuts:
                on = [d for d in runs if abs(d[centre] + d[centre + 2] / 2 - cut) < 0.05]
                assert 0.5 * across < sum(d[length] for d in on) < across
            assert all(any(abs(d[centre] + d[centre + 2] / 2 - c) < 0.05 for c in cuts) for d in runs)


@pytest.mark.tex
def test_margin_note_names_sheet_side_and_flip_in_the_deck_language(matrix):
    pl = read_pages(matrix[("a4", "portrait", "long", "business")].pdf)
    assert "Test deck · arkusz 1/2 · przód · obracaj wzdłuż dłuższej krawędzi" in page_text(pl[0].page)
    assert "arkusz 2/2 · tył · obracaj wzdłuż dłuższej krawędzi" in page_text(pl[3].page)
    pl_short = read_pages(matrix[("a4", "landscape", "short", "poker")].pdf)
    assert "arkusz 1/2 · tył · obracaj wzdłuż krótszej krawędzi" in page_text(pl_short[1].page)
    en = read_pages(matrix[("letter", "portrait", "short", "business")].pdf)
    assert "Test deck · sheet 1/2 · front · flip on short edge" in page_text(en[0].page)
    assert "sheet 1/2 · back · flip on short edge" in page_text(en[1].page)


@pytest.mark.tex
def test_labels_show_number_section_and_on_backs_the_question(matrix):
    pages = read_pages(matrix[("letter", "landscape", "long", "index3x5")].pdf)
    front, back = page_text(pages[0].page), page_text(pages[1].page)
    assert "#1 · Basics" in front and "#4 · More" in front
    assert "#1 · Basics · Question 1: what is" in back
    assert "x_{" not in back and "$" not in back  # the question's math is typeset, not its source


# --- the command line, end to end -----------------------------------------------------------------

def long_answer(paragraphs: int, sentences: int) -> str:
    return "\n\n".join(" ".join(f"Sentence {s} of paragraph {p} explains how gradients flow back "
                                f"through the weights of the network." for s in range(1, sentences + 1))
                       for p in range(1, paragraphs + 1))


OVERLONG_DECK = numbered_deck(3) + f"\n## A question with a long answer\n{long_answer(2, 9)}\n"  # 142% of a card
UNSPLITTABLE_DECK = numbered_deck(3) + "\n## One endless sentence\n" + " ".join(["and then the gradient flows on"] * 200) + "\n"
SELECTION_DECK = """---
title: Selection
card: a8
orientation: landscape
select_tag: exam
---
# Section A
## Card one
One.
## Card two {.exam}
Two.
## Card three
Three.
## Card four {.exam}
Four.
# Section B
## Card five {.exam}
Five.
## Card six {.exam}
Six.
## Card seven
Seven.
## Card eight {.exam}
Eight.
"""

CLI_CASES = {
    # name: (deck text, arguments)
    "custom": (numbered_deck(7), ["--paper", "200x250", "--card", "60x40", "--grid", "3x2", "--margin", "8mm",
                                  "--gutter", "3mm", "--flip", "short"]),
    "selection": (SELECTION_DECK, ["--orientation", "portrait", "--section", "section b", "--cards", "2-7"]),
    "shuffle": (numbered_deck(9), ["--shuffle", "--seed", "7", "--paper", "letter", "--orientation", "landscape",
                                   "--flip", "short", "--card", "poker"]),
    "overlong": (OVERLONG_DECK, []),
    "split": (OVERLONG_DECK, ["--overflow", "split"]),
    "unsplittable": (UNSPLITTABLE_DECK, ["--overflow", "split"]),
}


@pytest.fixture(scope="module")
def cli(tmp_path_factory) -> dict:
    """Each case built once through the real `fiszki build`; name → (run, output folder)."""
    root = tmp_path_factory.mktemp("cli")

    def run(name, text, args):
        folder = root / name
        folder.mkdir()
        (folder / "deck.md").write_text(text, encoding="utf-8")
        result = run_fiszki("build", "deck.md", "--out", "out", "--no-cache", *args, cwd=folder)
        return result, folder / "out"

    return in_parallel({name: (name, *case) for name, case in CLI_CASES.items()}, run)


def cli_pdf(cli, name) -> bytes:
    result, out = cli[name]
    assert result.code == 0, result.stderr
    return (out / "flashcards.pdf").read_bytes()


@pytest.mark.tex
def test_cli_layout_options_reach_the_pdf(cli):
    exp = expected_sheet((200 * MM, 250 * MM), "portrait", (60 * MM, 40 * MM), "short", margin=8 * MM,
                         gutter=3 * MM, grid=(3, 2))
    pages = assert_sheets(cli_pdf(cli, "custom"), exp, 7)
    assert pages[0].page.mediabox.width == pytest.approx(200 * MM, abs=0.01)
    assert check_pdf(cli_pdf(cli, "custom")).ok


@pytest.mark.tex
def test_cli_selection_and_front_matter_defaults(cli):
    """Front matter gives a8 cards, landscape and select_tag: exam; the command line overrides the
    orientation and adds --section and --cards; deck numbers stay on the cards."""
    pdf = cli_pdf(cli, "selection")
    exp = expected_sheet("a4", "portrait", (74 * MM, 52 * MM))
    pages = assert_sheets(pdf, exp, 2, numbers=[5, 6])
    assert "#5 · Section B" in page_text(pages[0].page)


@pytest.mark.tex
def test_cli_shuffle_is_seeded_and_keeps_numbers_on_a_preset_layout(cli):
    pdf = cli_pdf(cli, "shuffle")
    pages = read_pages(pdf)
    exp = expected_sheet("letter", "landscape", "poker", "short")  # 8 a sheet: the 9th starts sheet 2

    def number_at(page, slot):
        return next(int(re.search(r"\d+", n).group()) for n, r in page.cards.items()
                    if n.endswith("front") and close(r, slot))

    order = [number_at(pages[0], slot) for slot in exp.fronts] + [number_at(pages[2], exp.fronts[0])]
    assert sorted(order) == list(range(1, 10)) and order != list(range(1, 10))
    assert_sheets(pdf, exp, 9, numbers=order)
    deck = parse_deck_text(numbered_deck(9), Path("deck.md"))

    def shuffled(seed):
        return [c.number for c in select_cards(deck, resolve(deck, {"shuffle": True, "seed": seed}))]

    assert shuffled(7) == order  # the same seed gives the same order
    assert shuffled(8) != order


@pytest.mark.tex
def test_overlong_card_fails_with_one_line_naming_it(cli):
    result, out = cli["overlong"]
    assert result.code == 1
    assert "Traceback" not in result.stderr
    line = OVERLONG_DECK.split("\n").index("## A question with a long answer") + 1
    about = [l for l in result.stderr.splitlines() if "card #4" in l]
    assert len(about) == 1, result.stderr
    assert f"deck.md:{line}: card #4 \"A question with a long answer\": back does not fit" in about[0]
    assert "--overflow split" in about[0]
    assert not (out / "flashcards.pdf").exists()


@pytest.mark.tex
def test_overflow_split_continues_the_answer_on_a_second_card(cli):
    pdf = cli_pdf(cli, "split")
    pages = read_pages(pdf)
    names = {n for p in pages for n in p.cards}
    assert {"card-4-front", "card-4-back", "card-4p2-front", "card-4p2-back"} <= names
    assert not any(n.startswith("card-4p3") for n in names)
    first = next(p for p in pages if "card-4-back" in p.cards)
    second = next(p for p in pages if "card-4p2-back" in p.cards)
    assert "#4 (1/2)" in page_text(first.page) and "#4 (2/2)" in page_text(second.page)
    assert check_pdf(pdf).ok


@pytest.mark.tex
def test_overflow_split_fails_clearly_when_one_sentence_is_too_long(cli):
    result, _ = cli["unsplittable"]
    assert result.code == 1 and "Traceback" not in result.stderr
    assert re.search(r"deck\.md:\d+: card #4 \"One endless sentence\": back .*cannot be split further",
                     result.stderr), result.stderr


# --- auto-fit -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def default_deck(tmp_path_factory):
    """The course deck at default settings, and how many pdflatex runs it took."""
    import builder.outputs.fitted as build_module  # where the flashcards start their compiles

    runs = []
    real = build_module.start_pdflatex

    def counting(*args, **kwargs):
        runs.append(1)
        return real(*args, **kwargs)

    build_module.start_pdflatex = counting
    try:
        built = build(tmp_path_factory.mktemp("default"), DEFAULT_DECK.read_text(encoding="utf-8"))
    finally:
        build_module.start_pdflatex = real
    return built, len(runs)


@pytest.mark.tex
def test_default_deck_fits_at_default_size_in_one_pass(default_deck):
    built, runs = default_deck
    report = read_fit(built.log)
    assert not report.overflow and not report.too_wide and not built.warnings
    assert len(report.sizes) == 2 * 47 and min(report.sizes.values()) >= 6.0
    assert runs == 1  # the formulas too wide at 10 pt were fitted inside that one run
    assert check_pdf(built.pdf).ok


@pytest.mark.tex
def test_sides_shrink_only_as_far_as_needed(default_deck):
    built, _ = default_deck
    report = read_fit(built.log)
    # Sides a too-wide line made smaller are limited by width, not height.
    width_limited, current = set(), None
    for line in built.log.splitlines():
        if line.startswith("FISZKI TRY "):
            current = line.split()[2]
        elif line.startswith("FISZKI FIT "):
            current = None
        elif line.startswith("Overfull \\hbox") and current:
            width_limited.add(current)
    shrunk = {k: s for k, s in report.sizes.items() if s < (13.0 if k.endswith("front") else 10.0)}
    assert len(shrunk) >= 5
    for key in shrunk:
        assert report.fill[key] <= 1.0
        if key not in width_limited:
            assert report.fill[key] >= 0.9, (key, report.sizes[key], report.fill[key])


MATH_DECK = r"""---
title: Math
---
# Math
## Shrinks
A long explanation of the formula that follows, repeated to fill the card. """ + "Words about the sum. " * 20 + r"""

$$L = \sum_{i=1}^{N} \left(\frac{y_i - \hat{y}_i}{\sigma_i}\right)^2$$

## Stays
$$L = \sum_{i=1}^{N} \left(\frac{y_i - \hat{y}_i}{\sigma_i}\right)^2$$
"""


@pytest.mark.tex
def test_text_and_math_shrink_together(tmp_path):
    """Text, math, big operators and big delimiters of a shrunk side are all at its fitted size."""
    built = build(tmp_path, MATH_DECK)
    sizes = read_fit(built.log).sizes
    assert sizes["1-back"] < 9.0 and sizes["2-back"] == 10.0
    page = read_pages(built.pdf)[1]
    runs = text_with_sizes(page.page)
    for key, size in (("card-1-back", sizes["1-back"]), ("card-2-back", 10.0)):
        x, y, w, h = page.cards[key]
        here = [r for r in runs if x <= r[1] <= x + w and y <= r[2] <= y + h and "Sans" not in r[3]]
        big = [r for r in here if "MathExtension" in r[3]]  # the sum sign and the big parentheses
        assert len(big) >= 3
        assert all(r[4] == pytest.approx(size, rel=0.01) for r in big), big
        main = [r for r in here if "Roman" in r[3] or "MathItalic" in r[3]]
        assert max(r[4] for r in main) == pytest.approx(size, rel=0.01)  # scripts are smaller
        assert min(r[4] for r in main) >= 0.65 * size


@pytest.mark.tex
def test_formula_too_wide_even_at_minimum_is_shrunk_to_the_card_and_reported(tmp_path):
    """A formula with nowhere to break is shrunk to the card's width at the smallest size, not cut
    off, and a warning names the card (it was cut off at the card's edge)."""
    wide = "$$" + " + ".join(f"a_{{{i}}}" for i in range(60)) + "$$"
    built = build(tmp_path, "---\ntitle: Wide\n---\n# W\n## Wide formula\n" + wide + "\n\n## Narrow\nFine.\n")
    assert [re.search(r"deck\.md:5: card #1 \"Wide formula\": back has a formula too wide for the card even at "
                      r"6 pt: it is shrunk to \d+% to fit", str(w)) is not None for w in built.warnings] == [True]
    report = read_fit(built.log)
    assert report.sizes["1-back"] == 6.0 and not report.too_wide  # as large as allowed, and within the card
    pages = read_pages(built.pdf)
    clips = [len(re.findall(rb"re\s+W\s+n", p.page.get_contents().get_data())) for p in pages]
    assert clips == [2, 2]  # each side clipped to its card, as every side is: nothing of it was cut off


SOFTMAX = (r"P(Y = i \mid x, W, b) = \operatorname{softmax}_i(Wx + b) = "
           r"\frac{e^{W_i x + b_i}}{\sum_{j} e^{W_j x + b_j}}")
ADAM = r"m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2"


@pytest.mark.tex
def test_a_display_too_wide_for_a_small_card_breaks_at_its_relations(tmp_path):
    """The course deck's softmax and Adam on poker cards were cut off at 6 pt; broken into lines
    they fit, the text stays larger, and the lines sit one under the other, aligned."""
    deck = "---\ntitle: Wide\n---\n# W\n## Softmax\n$$\n" + SOFTMAX + "\n$$\n\n## Adam\n$$\n" + ADAM + "\n$$\n"
    built = build(tmp_path, deck, card="poker")
    report = read_fit(built.log)
    assert not built.warnings and not report.too_wide and not report.shrunk
    assert report.sizes["1-back"] > 7 and report.sizes["2-back"] > 7
    page = read_pages(built.pdf)[1]
    for key in ("card-1-back", "card-2-back"):
        x, y, w, h = page.cards[key]
        rows = {round(r[2]) for r in text_with_sizes(page.page) if x <= r[1] <= x + w and y <= r[2] <= y + h
                and r[0].strip() == "="}
        assert len(rows) == 2, (key, rows)  # two lines, each with its own "="


@pytest.mark.tex
def test_a_line_too_wide_even_at_minimum_is_still_cut_off_at_the_card_edge(tmp_path):
    """What no rule can help (a short formula holding a long space) is clipped so nothing prints
    over its neighbour, and a warning names the card."""
    wide = "Before $x \\hspace{290pt} y$ after."
    built = build(tmp_path, "---\ntitle: Wide\n---\n# W\n## Wide code\n" + wide + "\n\n## Narrow\nFine.\n")
    assert [re.search(r"deck\.md:5: card #1 \"Wide code\": back has a line [\d.]+ pt wider .* cut off", str(w))
            is not None for w in built.warnings] == [True]
    assert read_fit(built.log).sizes["1-back"] == 6.0  # as small as allowed: as little as possible is lost
    pages = read_pages(built.pdf)
    clips = [len(re.findall(rb"re\s+W\s+n", p.page.get_contents().get_data())) for p in pages]
    assert clips == [2, 2]  # every side is clipped, whatever its lines
    x, y, w, h = pages[1].cards["card-1-back"]
    clip = re.search(rb"([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re\s+W\s+n", pages[1].page.get_contents().get_data())
    assert clip and [float(v) for v in clip.groups()] == pytest.approx([MM, MM, w - 2 * MM, h - 2 * MM], abs=0.01)


@pytest.mark.tex
def test_overlong_paragraph_is_split_between_sentences_end_to_end(tmp_path):
    built = build(tmp_path, numbered_deck(1) + f"\n## One long paragraph\n{long_answer(1, 30)}\n", overflow="split")
    backs = [n for p in read_pages(built.pdf) for n in p.cards if re.fullmatch(r"card-2(p\d+)?-back", n)]
    assert len(backs) >= 2 and f"card-2p{len(backs)}-back" in backs
    report = read_fit(built.log)
    assert not report.overflow and len(report.sizes) == 2 * (1 + len(backs))


@pytest.mark.tex
def test_question_too_long_for_the_front_is_an_error_even_with_split(tmp_path):
    question = " ".join(["a very long question"] * 60)
    with pytest.raises(ContentError) as err:
        build(tmp_path, numbered_deck(1) + f"\n## {question}\nShort answer.\n", overflow="split")
    assert "card #2" in str(err.value) and "front does not fit" in str(err.value)
    assert "continues answers only" in str(err.value)


@pytest.mark.tex
def test_min_size_is_respected(tmp_path):
    with pytest.raises(ContentError) as err:
        build(tmp_path, numbered_deck(1) + f"\n## Long\n{long_answer(2, 6)}\n", min_size=9)
    assert "card #2" in str(err.value) and "even at 9 pt" in str(err.value)


# --- splitting answers (pure Python) ---------------------------------------------------------------

def test_sentences_split_at_sentence_ends_only():
    tokens = parser().parse("First one, e.g. this. Second **bold. Still** second! Third np. Kowalski.\nFourth $x.$ end.\n")
    pieces = split_sentences(tokens[1].children)
    texts = ["".join(t.content if t.type != "softbreak" else " " for t in p) for p in pieces]
    assert texts == ["First one, e.g. this.", "Second bold. Still second!", "Third np. Kowalski.", "Fourth x. end."]


def test_split_card_cuts_one_long_paragraph_between_sentences():
    deck = parse_deck_text(numbered_deck(0) + "\n# S\n## Q\n" + long_answer(1, 30) + "\n", Path("deck.md"))
    card = deck.cards[0]
    parts = split_card(card, 3)
    assert [p.part for p in parts] == [(1, 3), (2, 3), (3, 3)]
    texts = [" ".join(t.content for t in p.back_tokens if t.type == "inline") for p in parts]
    for text in texts:
        assert text.startswith("Sentence ") and text.endswith("network.")
    assert " ".join(texts) == card.back_tokens[1].content  # nothing lost, nothing doubled
    sizes = [len(t) for t in texts]
    assert max(sizes) < 1.3 * min(sizes)  # balanced


def test_split_card_keeps_blocks_whole_and_numbering_of_lists():
    text = "## Q\nIntro.\n\n1. one\n2. two\n3. three\n4. four\n5. five\n6. six\n\n$$x^2$$\n"
    card = parse_deck_text(text, Path("deck.md")).cards[0]
    parts = split_card(card, 2)
    starts = [int(t.attrs.get("start", 1) or 1) for p in parts for t in p.back_tokens if t.type == "ordered_list_open"]
    items = [sum(t.type == "list_item_open" for t in p.back_tokens) for p in parts]
    assert len(parts) == 2 and sum(items) == 6 and starts[0] == 1 and starts[-1] == 1 + items[0]
    assert sum(t.type == "math_block" for p in parts for t in p.back_tokens) == 1


# --- pages made in order, cards rendered on demand (TeX starts on the first sheets early) --------

@pytest.mark.parametrize("mode, reverse, expected", [
    ("duplex", False, [(0, "front"), (0, "back"), (1, "front"), (1, "back"), (2, "front"), (2, "back")]),
    ("duplex", True, [(2, "front"), (2, "back"), (1, "front"), (1, "back"), (0, "front"), (0, "back")]),
    ("fronts", False, [(0, "front"), (1, "front"), (2, "front")]),
    ("backs", True, [(2, "back"), (1, "back"), (0, "back")]),
    ("fold", False, [(0, "fold"), (1, "fold"), (2, "fold")]),
])
def test_print_order(mode, reverse, expected):
    from builder.flashcards.layout import print_order

    class Opts:
        pass
    opts = Opts()
    opts.mode, opts.reverse = mode, reverse
    assert print_order(3, opts) == expected


def test_cards_are_rendered_on_demand_in_deck_order(tmp_path):
    from builder.rendered import RenderedCards

    text = "---\ntitle: T\n---\n# S\n" + "".join(
        f"## Q{i}?\nA{i} $x_{i}$\n\n" if i != 3 else "## Q3?\nbad $\\frac{1}{$ math\n\n" for i in range(1, 6))
    deck = parse_deck_text(text, tmp_path / "d.md")
    rendering = RenderedCards(deck, deck.cards, keep_going=False)
    assert not rendering.errors and not rendering._tex
    back = rendering[deck.cards[3]].back  # the fourth card: the first four are rendered
    assert "A4" in back and len(rendering._tex) == 4 and len(rendering.errors) == 1
    assert rendering.errors[0].card_number == 3
    assert id(deck.cards[4]) not in rendering._tex
    rendering.finish()
    assert len(rendering._tex) == 5 and len(rendering.errors) == 1


def test_no_line_of_the_flashcards_document_grows_with_the_deck(tmp_path):
    """TeX reads a line into a 200 kB buffer and keeps an argument's tokens in its main memory: the
    page labels go one a line and the questions to a file, so a deck of any size fits both."""
    from builder.flashcards.layout import plan_layout
    from builder.flashcards.pages import flashcards_pages, questions_record
    from builder.rendered import RenderedCards

    deck = parse_deck_text(numbered_deck(400), tmp_path / "deck.md", "deck.md")
    opts = resolve(deck, {})
    rendered = RenderedCards(deck, deck.cards, keep_going=False)
    bodies = {id(card): rendered[card].sides() for card in deck.cards}
    tex = "".join(flashcards_pages(deck, deck.cards, plan_layout(opts), opts, bodies, {}))
    assert max(len(line) for line in tex.splitlines()) < 2000
    assert "\\pdfobj stream file" in tex and "400 <FEFF" not in tex  # the questions are in their own file …
    assert b"400 <FEFF" in questions_record(deck.cards)  # … which the template reads as a stream
