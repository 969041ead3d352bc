"""Orientation chosen when --orientation is not given (the fewest sheets), said in the summary;
options a print mode ignores are warned about when given explicitly."""
from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from builder.flashcards.layout import FoldLayout, plan_layout
from builder.options import resolve
from tests.conftest import run_fiszki


def layout(cards: int | None = 60, **options):
    return plan_layout(resolve(None, options), cards)


@pytest.mark.parametrize("options, orientation, per_sheet", [
    (dict(card="a7"), "landscape", 4),  # portrait holds 3
    (dict(card="index3x5", paper="letter"), "landscape", 4),  # portrait holds 3
    (dict(), "portrait", 10),  # business cards on A4: landscape holds 9
    (dict(card="a7", orientation="portrait"), "portrait", 3),  # given: kept
    (dict(card="a7", back_offset="1,0.5"), "portrait", 3),  # measured on a portrait calibration sheet
    (dict(card="a7", grid="2x2"), "landscape", 4),  # the grid fits landscape only
])
def test_the_orientation_needing_the_fewest_sheets(options, orientation, per_sheet):
    chosen = layout(**options)
    assert (chosen.orientation, chosen.per_sheet) == (orientation, per_sheet)


def test_fold_mode_chooses_orientation_and_pair_arrangement_together():
    chosen = layout(mode="fold", card="index3x5", paper="letter")  # portrait: 1 pair a sheet
    assert isinstance(chosen, FoldLayout) and chosen.orientation == "landscape" and chosen.beside
    assert chosen.per_sheet == 2


def test_a_tie_in_sheets_stays_portrait():
    assert layout(3, card="a7").orientation == "portrait"  # 3 cards: one sheet either way
    assert layout(4, card="a7").orientation == "landscape"


@pytest.mark.tex
def test_the_summary_says_which_orientation_and_why(tmp_path: Path, small_deck: Path):
    run = run_fiszki("build", str(small_deck), "--card", "a7", "--out", str(tmp_path / "out"), "--no-cache")
    assert run.code == 0, run.stderr
    # 3 cards: one sheet either way, so portrait and nothing to say; 12 cards: landscape.
    assert "(3×1), smallest" in run.stderr
    deck = tmp_path / "twelve.md"
    deck.write_text("---\ntitle: T\nlang: en\n---\n# S\n" + "".join(f"## Q{k}\nA{k}.\n" for k in range(12)))
    run = run_fiszki("build", str(deck), "--card", "a7", "--out", str(tmp_path / "out12"), "--no-cache")
    assert run.code == 0, run.stderr
    assert "12 cards on 3 sheets (2×2 on landscape paper; portrait would take 4 sheets)" in run.stderr
    page = PdfReader(tmp_path / "out12" / "flashcards.pdf").pages[0]
    assert page.mediabox.width > page.mediabox.height


@pytest.mark.tex
def test_fold_mode_warns_about_the_flip_and_offset_it_ignores(tmp_path: Path, small_deck: Path):
    out = str(tmp_path / "out")
    run = run_fiszki("build", str(small_deck), "--mode", "fold", "--flip", "short", "--back-offset", "1,0",
                     "--out", out, "--no-cache")
    assert run.code == 0, run.stderr
    warned = [line for line in run.stderr.splitlines() if line.startswith("warning:")]
    assert len(warned) == 2 and all("does not apply to --mode fold and is ignored" in w for w in warned), warned
    assert "--flip short (from the command line)" in warned[0] and "--back-offset 1,0" in warned[1]
    # A printer profile's flip and offset are about the printer: they pass quietly.
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    assert run_fiszki("printer", "save", "office", "--back-offset", "1,0", "--flip", "short", env=env).code == 0
    run = run_fiszki("build", str(small_deck), "--mode", "fold", "--printer", "office", "--out", out, "--no-cache",
                     env=env)
    assert run.code == 0 and "warning:" not in run.stderr, run.stderr
