"""Math as students write it (MathJax and Obsidian habits, course-notes packages), compiled for real:
every construct in one deck, built into flashcards and a cheat sheet, read back from the PDFs."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from builder.pipeline import build_deck

pytestmark = pytest.mark.tex

# (question, answer): each a card, so a failure names the construct.
CONSTRUCTS = [
    ("align", r"$$\begin{align} a &= b + c \\ d &= e \end{align}$$"),
    ("align star", r"$$\begin{align*} a &= b \\ &= c \notag \end{align*}$$"),
    ("gather", r"$$\begin{gather} a = b \\ c = d \end{gather}$$"),
    ("gather star", r"$$\begin{gather*} a = b \\ c = d \end{gather*}$$"),
    ("equation", r"$$\begin{equation} E = mc^2 \tag{1} \end{equation}$$"),
    ("equation star", r"$$\begin{equation*} E = mc^2 \end{equation*}$$"),
    ("equation with split", r"$$\begin{equation}\begin{split} f(x) &= (x+1)^2 \\ &= x^2 + 2x + 1 \end{split}\end{equation}$$"),
    ("alignat", r"$$\begin{alignat}{2} a &= b &\quad c &= d \end{alignat}$$"),
    ("multline", r"$$\begin{multline} a + b + c \\ + d + e \end{multline}$$"),
    ("align inline", r"Inline: $\begin{align} a &= b \end{align}$."),
    ("bm", r"$\bm{x}^\top \bm{W} \bm{\theta}$"),
    ("cancel", r"$\frac{\cancel{x} y}{\cancel{x}} = y$, $\bcancel{a}$, $\xcancel{b}$, $\cancelto{0}{\Delta t}$"),
    ("mathscr", r"$\mathscr{L}(\theta) = \mathscr{F}$"),
    ("hline", r"$$\left[\begin{array}{c|c} a & b \\ \hline c & d \end{array}\right]$$"),
    ("operators", r"$\operatorname*{arg\,max}_x f(x) = \boldsymbol{\mu} + \tfrac12 \dfrac{a}{b}$"),
    ("over and under", r"$a \overset{!}{=} \underbrace{b + c}_{\text{sum}} \xrightarrow{f} d$"),
    ("in a table", "| a |\n|---|\n| $$\\begin{align} a &= b \\end{align}$$ |"),
]


def deck_text() -> str:
    cards = "\n".join(f"## Card {name}\n{answer}\n" for name, answer in CONSTRUCTS)
    return f"---\ntitle: Student math\nlang: en\n---\n# Math\n\n{cards}"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, list]:
    folder = tmp_path_factory.mktemp("student-math")
    (folder / "deck.md").write_text(deck_text(), encoding="utf-8")
    result = build_deck(folder / "deck.md", folder / "out", {}, use_cache=False)
    return folder / "out", result.warnings


def test_every_construct_compiles_in_both_documents(built):
    out, warnings = built
    assert not warnings, [str(w) for w in warnings]
    flashcards = "".join(p.extract_text() for p in PdfReader(out / "flashcards.pdf").pages)
    sheet = PdfReader(out / "cheatsheet.pdf").pages[0].extract_text()
    for name, _ in CONSTRUCTS:
        assert f"Card {name}" in " ".join(flashcards.split()), name
        assert f"Card {name}" in " ".join(sheet.split()), name
    log = (out / "flashcards.log").read_text(errors="replace") + (out / "cheatsheet.log").read_text(errors="replace")
    assert "Overfull" not in log and "Font shape `U/rsfs" not in log  # rsfs scales to every fitted size


def test_the_preamble_loads_the_packages_the_allowlist_needs():
    from builder.latex import render_template

    preamble = render_template("preamble.tex.j2", language="english", title="t", version="0")
    assert "\\usepackage{bm,cancel,mathrsfs}" in preamble
    needed = Path(__file__).resolve().parent.parent.joinpath("scripts", "ensure-tex.sh").read_text()
    assert all(f in needed for f in ("bm.sty", "cancel.sty", "mathrsfs.sty"))
