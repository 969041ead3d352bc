"""```plot blocks built for real: pdflatex compiles the plots and the cards, the PDFs are read back.

A plot is a form XObject in the PDF: where the page places it (its /BBox through the content
stream's matrices) must lie inside its card's rectangle (the hidden card annotation), scaled with
the card's fitted text size, and its labels are text inside it. Builds that must be independent
(the cache) run the real command line, each with a plot cache of its own."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from builder.checking import check_pdf
from builder.pipeline import build_deck
from builder.tex.contract import read_fit
from tests.conftest import run_fiszki
from tests.drawing import placed_forms

pytestmark = pytest.mark.tex

SIGMOID = """\
```plot
x: [-6, 6]
y: [0, 1]
xlabel: input $z$
aspect: 2
functions:
  - f: 1/(1+exp(-x))
    label: sigma curve
notes: [[3, 0.3, knee note]]
caption: The logistic function, $\\sigma(0) = 0.5$.
```
"""

DECK = f"""\
---
title: Plots
---

# Curves

## What does the sigmoid look like?
It squashes any number into $(0, 1)$:

{SIGMOID}
## And once more, on another card?
{SIGMOID}
## A card without a plot
Just text.
"""


def card_rects(page) -> dict[str, tuple[float, float, float, float]]:
    out = {}
    for annot in page.get("/Annots") or []:
        annot = annot.get_object()
        if str(annot.get("/NM", "")).startswith("card-"):
            out[str(annot["/NM"])[5:]] = tuple(float(v) for v in annot["/Rect"])
    return out


def inside(inner, outer, tol: float = 0.5) -> bool:
    return (inner[0] >= outer[0] - tol and inner[1] >= outer[1] - tol and inner[2] <= outer[2] + tol
            and inner[3] <= outer[3] + tol)


def form_text(page, name: str) -> str:
    return page.extract_xform_text(page["/Resources"]["/XObject"][name].get_object())


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plots")
    deck = folder / "deck.md"
    deck.write_text(DECK, encoding="utf-8")
    result = build_deck(deck, folder / "out", {}, use_cache=False)
    assert not result.warnings
    return {o.name: o for o in result.outputs}


def test_the_plot_is_inside_its_card_with_its_labels_as_text(built):
    reader = PdfReader(io.BytesIO(built["flashcards"].path.read_bytes()))
    found = 0
    for page in reader.pages:
        rects = card_rects(page)
        for name, area in placed_forms(page):
            owner = [key for key, rect in rects.items() if inside(area, rect)]
            assert owner in (["1-back"], ["2-back"]), (owner, area)
            text = form_text(page, name)
            for label in ("sigma curve", "input", "knee note"):
                assert label in text
            found += 1
    assert found == 2  # the two cards with the plot, and nothing on the others
    page_text = reader.pages[1].extract_text()
    assert "The logistic function" in page_text  # the caption is card text, outside the picture
    assert check_pdf(built["flashcards"].path.read_bytes()).ok


def test_the_plot_scales_with_the_fitted_text_size(built):
    """Auto-fit counts the plot: drawn at the card's final text size over the nominal 10 pt."""
    sizes = read_fit(built["flashcards"].path.with_suffix(".log").read_text(errors="replace")).sizes
    assert sizes["1-back"] < sizes["2-back"]  # card 1 has a line of text more: it is set smaller
    reader = PdfReader(io.BytesIO(built["flashcards"].path.read_bytes()))
    widths = {}
    for page in reader.pages:
        rects = card_rects(page)
        for name, area in placed_forms(page):
            key = next(k for k, rect in rects.items() if inside(area, rect))
            natural = float(page["/Resources"]["/XObject"][name].get_object()["/BBox"][2])
            widths[key] = (area[2] - area[0]) / natural
    for key in ("1-back", "2-back"):
        assert widths[key] == pytest.approx(sizes[key] / 10, abs=0.004), key


def test_the_cheat_sheet_draws_it_within_its_column(built):
    reader = PdfReader(io.BytesIO(built["cheatsheet"].path.read_bytes()))
    page = reader.pages[0]
    forms = placed_forms(page)
    assert len(forms) == 2
    width = float(page.mediabox.width)
    for name, (x0, _, x1, _) in forms:
        assert 0 < x0 < x1 < width and "sigma curve" in form_text(page, name)
    assert check_pdf(built["cheatsheet"].path.read_bytes()).ok


def build_cli(deck: Path, out: Path, cache: Path, *args: str):
    return run_fiszki("build", str(deck), "--out", str(out), "--no-cache", *args,
                      env={"FISZKI_CACHE_DIR": str(cache)})


def test_a_plot_from_the_cache_gives_the_same_bytes(tmp_path):
    deck = tmp_path / "deck.md"
    deck.write_text(DECK, encoding="utf-8")
    cache = tmp_path / "cache"
    first = build_cli(deck, tmp_path / "cold", cache)
    assert first.code == 0, first.stderr
    assert "compiling 1 plot" in first.stderr  # two cards, one description: compiled once
    entries = sorted(p.name for p in (cache / "plots").iterdir())
    assert len(entries) == 2  # its PDF and its record
    second = build_cli(deck, tmp_path / "warm", cache)
    assert second.code == 0, second.stderr
    assert not re.search(r"compiling \d+ plot", second.stderr)
    for name in ("flashcards.pdf", "cheatsheet.pdf"):
        assert (tmp_path / "cold" / name).read_bytes() == (tmp_path / "warm" / name).read_bytes()


HOSTILE = {
    "TeX in a label": "x: [0, 1]\nfunctions:\n  - f: x\n    label: \\input{/etc/passwd}\n",
    "input in math": "x: [0, 1]\nfunctions:\n  - f: x\n    label: $\\input{/etc/passwd}$\n",
    "huge samples": "x: [0, 1]\nsamples: 100000000\nfunctions: [x]\n",
    # (10,000 terms are past the card size limit: refused as a card too long, also before TeX)
    "long expression": "x: [0, 1]\nfunctions:\n  - f: " + "+".join(["x"] * 5_000) + "\n",
    "aliases": "x: &r [0, 1]\ny: *r\nfunctions: [x]\n",
    "unknown function": "x: [0, 1]\nfunctions:\n  - f: sinh(x)\n",
}


def test_hostile_descriptions_end_in_clear_errors_never_in_tex(tmp_path):
    cards = "".join(f"## {name}?\n```plot\n{text}```\n\n" for name, text in HOSTILE.items())
    deck = tmp_path / "deck.md"
    deck.write_text("# Attacks\n\n" + cards, encoding="utf-8")
    cache = tmp_path / "cache"
    run = build_cli(deck, tmp_path / "out", cache)
    assert run.code == 1
    errors = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
    lines = deck.read_text(encoding="utf-8").splitlines()
    expected = {
        "TeX in a label": "plot: label: '\\input' is LaTeX outside $…$ and would print as typed",
        "input in math": "plot: label: math: \\input is not allowed in math: it reads files",
        "huge samples": "plot: samples is 100000000; it must be from 2 to 1000",
        "long expression": "plot: expression is 9999 characters long; at most 500",
        "aliases": "plot: YAML anchors and aliases (&name, *name) are not allowed in a plot",
        "unknown function": "plot: unknown function 'sinh' (known: abs, cos, exp, ln, log, max, min, sin, sqrt, "
                            "tan, tanh)",
    }
    for number, (name, message) in enumerate(expected.items(), 1):
        line = next(e for e in errors if f'card #{number} "{name}?"' in e)
        where = re.match(r"error: .*deck\.md:(\d+)(?::\d+)?: ", line)
        assert where and message in line, line
        # the line named is inside that card's block, on the key at fault
        assert lines[int(where.group(1)) - 1].split(":")[0].strip(" -") in HOSTILE[name], line
    assert "TeX cannot" not in run.stderr
    assert not (cache / "plots").exists()  # no plot was compiled: TeX never saw one
    assert not (tmp_path / "out").exists()


def test_a_plot_too_big_for_the_card_fails_like_text_or_moves_with_split(tmp_path):
    text = " ".join(["A sentence that takes room on the card."] * 6)
    deck = tmp_path / "deck.md"
    deck.write_text(f"## Question?\n{text}\n\n{text}\n\n{SIGMOID.replace('aspect: 2', 'aspect: 1.2')}",
                    encoding="utf-8")
    cache = tmp_path / "cache"
    failed = build_cli(deck, tmp_path / "out", cache)
    assert failed.code == 1 and 'card #1 "Question?": back does not fit the card even at 6 pt' in failed.stderr
    split = build_cli(deck, tmp_path / "out", cache, "--overflow", "split")
    assert split.code == 0, split.stderr
    reader = PdfReader(tmp_path / "out" / "flashcards.pdf")
    holders = []
    for page in reader.pages:
        rects = card_rects(page)
        for _, area in placed_forms(page):
            holders += [key for key, rect in rects.items() if inside(area, rect)]
    assert len(holders) == 1 and re.fullmatch(r"1p\d-back", holders[0]), holders


def test_a_plot_from_the_cache_still_tells_its_warnings(tmp_path, monkeypatch):
    """The cache answers without reading the block: what the block's check found comes with it."""
    import builder.plots as plots
    from builder.deck import parse_deck_text

    monkeypatch.setenv("FISZKI_CACHE_DIR", str(tmp_path))
    deck = parse_deck_text("## Q?\n```plot\nx: [0, 1]\ny: [0, 1]\nfunctions:\n  - f: x + 5\n  - f: x\n"
                           "    label: grows 😀\ncaption: a $c$\n```\n", Path("deck.md"))
    told = []
    for _ in range(2):
        monkeypatch.setattr(plots, "_PREPARED", {})  # as a new process would start
        result = plots.prepare_plots(deck.cards)
        plot, = result.plots.values()
        told.append(([(p.line, p.message, p.warn) for p in plot.problems], plot.caption, plot.width, plot.pdf))
    assert result.cached == 1 and told[0] == told[1]
    assert [line for line, _, _ in told[0][0]] == [3, 5] and told[0][1] == "a $c$"


def test_a_renderer_that_skipped_prepare_plots_still_gets_the_plot(tmp_path, monkeypatch):
    """Cards rendered again in contexts of their own (split answers) find their plots prepared in
    the process; code that never called prepare_plots (the benchmark's floor) gets them compiled
    on demand by the hook."""
    import builder.plots as plots
    from builder.deck import parse_deck_text
    from builder.rendered import RenderedCards

    monkeypatch.setenv("FISZKI_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(plots, "_PREPARED", {})
    deck = parse_deck_text("## Q\n```plot\nx: [0, 2]\nfunctions: [x^3]\n```\n", tmp_path / "deck.md")
    rendered = RenderedCards(deck, deck.cards, keep_going=False).finish()
    (name, pdf), = rendered.images.items()
    assert not rendered.errors and pdf.startswith(b"%PDF-") and f"\\fzplot{{{name}}}" in rendered[deck.cards[0]].back


def test_a_plot_has_the_same_bytes_whatever_it_was_compiled_with():
    """A deck's PDFs must not depend on the history of the plot cache: a plot compiled alone and
    one compiled with others are the same file (a shared run would share its font subsets)."""
    from builder.plots import describe
    from builder.plots.compile import compile_pages

    first = describe("x: [0, 3]\nfunctions:\n  - f: sqrt(x)\n    label: $\\sqrt{x}$\n").page
    other = describe("x: [-2, 2]\nfunctions:\n  - f: x^3\n    label: $x^3$ and words\n").page
    alone, _ = compile_pages([first])
    together, _ = compile_pages([other, first])
    assert alone[0].pdf == together[1].pdf
