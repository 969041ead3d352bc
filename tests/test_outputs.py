"""Choosing what a build makes (--make, `make:`), each output cached on its own, an output that
runs no TeX, and fronts-backs: the duplex pages taken apart into two one-sided PDFs."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from builder.checking import check_pdf
from builder.outputs import REGISTRY, Entry
from builder.wanted import requested
from builder.outputs.base import Output, Result
from tests.conftest import ROOT, SMALL_DECK, run_fiszki

KNOWN = ", ".join(REGISTRY)


def numbered_deck(n: int, front_matter: str = "") -> str:
    out = [f"---\ntitle: Outputs test\nlang: en\n{front_matter}---\n", "# Basics\n"]
    out += [f"## Question {k}: what is $x_{{{k}}}$?\nAnswer {k}: it is $x_{{{k}}} = {k}$.\n" for k in range(1, n + 1)]
    return "\n".join(out)


def deck_file(tmp_path: Path, text: str = SMALL_DECK) -> Path:
    path = tmp_path / "deck.md"
    path.write_text(text, encoding="utf-8")
    return path


# --- which outputs ---------------------------------------------------------------------------------

def test_make_takes_names_comma_separated_or_repeated_in_the_registry_s_order(tmp_path):
    deck = deck_file(tmp_path)
    assert requested(deck, {}) == ["flashcards", "cheatsheet"]
    assert requested(deck, {"make": ("fronts-backs,flashcards", "cheatsheet")}) == ["flashcards", "cheatsheet",
                                                                                   "fronts-backs"]
    assert requested(deck, {"make": ("Fronts-Backs", "fronts-backs")}) == ["fronts-backs"]
    listed = deck_file(tmp_path, SMALL_DECK.replace("lang: pl\n", "lang: pl\nmake: [fronts-backs, cheatsheet]\n"))
    assert requested(listed, {}) == ["cheatsheet", "fronts-backs"]
    assert requested(listed, {"make": ("flashcards",)}) == ["flashcards"]  # the command line wins
    text = deck_file(tmp_path, SMALL_DECK.replace("lang: pl\n", "lang: pl\nmake: fronts-backs\n"))
    assert requested(text, {}) == ["fronts-backs"]


def test_the_make_list_is_read_from_front_matter_alone():
    """Without the Markdown parser; and YAML is imported only when the front matter names make."""
    probe = ("import sys\nfrom pathlib import Path\nfrom builder.wanted import requested\n"
             "print(requested(Path(sys.argv[1]), {}), 'markdown_it' in sys.modules, 'yaml' in sys.modules)")
    with_make = subprocess.run([sys.executable, "-c", probe, str(ROOT / "tests" / "fixtures" / "make-outputs.md")],
                               capture_output=True, text=True, cwd=ROOT)
    assert with_make.stdout.split() == ["['cheatsheet',", "'fronts-backs']", "False", "True"], with_make.stderr
    plain = subprocess.run([sys.executable, "-c", probe, str(ROOT / "content" / "deck.md")],
                           capture_output=True, text=True, cwd=ROOT)
    assert plain.stdout.split() == ["['flashcards',", "'cheatsheet']", "False", "False"], plain.stderr


def test_an_unknown_output_lists_the_known_ones(tmp_path):
    deck = deck_file(tmp_path)
    result = run_fiszki("build", str(deck), "--out", str(tmp_path / "out"), "--make", "flashcards,anki2")
    assert result.code == 2 and not (tmp_path / "out").exists()
    assert result.stderr.strip() == f"error: --make: make must be among {KNOWN}, not 'anki2'"
    empty = run_fiszki("build", str(deck), "--out", str(tmp_path / "out"), "--make", ",")
    assert empty.code == 2 and f"make must name at least one of {KNOWN}" in empty.stderr
    in_deck = deck_file(tmp_path, SMALL_DECK.replace("lang: pl\n", "lang: pl\nmake: flashcards, cheat\n"))
    result = run_fiszki("build", str(in_deck), "--out", str(tmp_path / "out"))
    assert result.code == 1 and not (tmp_path / "out").exists()
    assert f"deck.md:4: front matter 'make': make must be among {KNOWN}, not 'cheat'" in result.stderr


def test_fronts_backs_refuses_a_mode_that_is_not_duplex(tmp_path):
    deck = deck_file(tmp_path)
    result = run_fiszki("build", str(deck), "--out", str(tmp_path / "out"), "--make", "fronts-backs",
                        "--mode", "fold")
    assert result.code == 2 and "leave out --mode fold" in result.stderr and not (tmp_path / "out").exists()
    in_deck = deck_file(tmp_path, SMALL_DECK.replace("lang: pl\n", "lang: pl\nmode: backs\n"))
    result = run_fiszki("build", str(in_deck), "--out", str(tmp_path / "out"), "--make", "fronts-backs")
    assert result.code == 1 and "deck.md:4: front matter 'mode': fronts-backs takes" in result.stderr


# --- an output without TeX ----------------------------------------------------------------------------

class CardList(Output):
    """A tiny output that runs no TeX: the selected cards' numbers and questions, one a line."""

    name, title = "card-list", "card list"

    def build(self, work) -> Result:
        text = "".join(f"{card.number}\t{card.question}\n" for card in work.cards)
        return Result({"cards.txt": text.encode()}, f"{len(work.cards)} cards")

    def check(self, result: Result, path: Path) -> None:
        assert result.main[1].count(b"\n") == len(self.deck.cards)


OUTPUT = CardList


def test_an_output_without_tex_builds_and_caches_with_no_pdflatex(tmp_path, monkeypatch):
    """Registered like any other (tex=False): chosen by --make, built, written, cached, and no TeX
    is started (pdflatex is not even on the PATH)."""
    from builder.pipeline import build_deck

    monkeypatch.setitem(REGISTRY, "card-list", Entry("tests.test_outputs", tex=False))
    monkeypatch.setenv("PATH", str(tmp_path / "no-tex"))
    deck, out = deck_file(tmp_path), tmp_path / "out"
    result = build_deck(deck, out, {"make": ("card-list",)})
    assert [o.name for o in result.outputs] == ["card-list"] and not result.outputs[0].cached
    assert sorted(p.name for p in out.iterdir()) == [".fiszki-cache.json", "cards.txt"]
    assert (out / "cards.txt").read_text().splitlines()[1] == "2\tZażółć gęślą jaźń"
    again = build_deck(deck, out, {"make": ("card-list",)})
    assert again.deck is None and all(o.cached for o in again.outputs)


# --- each output cached on its own -------------------------------------------------------------------

@pytest.mark.tex
def test_each_output_is_built_and_cached_on_its_own(tmp_path):
    deck, out = deck_file(tmp_path), tmp_path / "out"
    args = ("build", str(deck), "--out", str(out))
    first = run_fiszki(*args, "--make", "flashcards")
    assert first.code == 0 and "compiling flashcards (3 cards)" in first.stderr, first.stderr
    assert sorted(p.name for p in out.glob("*.pdf")) == ["flashcards.pdf"]
    flashcards = (out / "flashcards.pdf").stat().st_mtime_ns
    second = run_fiszki(*args, "--make", "cheatsheet")
    assert "compiling cheat sheet (3 cards)" in second.stderr, second.stderr
    assert (out / "flashcards.pdf").stat().st_mtime_ns == flashcards  # not asked for: not touched
    both = run_fiszki(*args)  # the default pair: each one is up to date
    assert "unchanged" in both.stderr and "compiling" not in both.stderr, both.stderr
    assert set(json.loads((out / ".fiszki-cache.json").read_text())) == {"flashcards", "cheatsheet"}
    (out / "cheatsheet.pdf").unlink()
    third = run_fiszki(*args)
    assert "compiling cheat sheet (3 cards)" in third.stderr, third.stderr
    assert [line for line in third.stderr.splitlines() if "wrote" in line][0].startswith(f"fiszki: wrote {out}/cheat")
    assert (out / "flashcards.pdf").stat().st_mtime_ns == flashcards


# --- fronts and backs --------------------------------------------------------------------------------

def contents(pdf: bytes) -> list[bytes]:
    """Each page's drawing as pdfTeX wrote it, and its annotations' names and rectangles."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        annots = [(str(a.get_object().get("/NM")), [float(v) for v in a.get_object()["/Rect"]])
                  for a in page.get("/Annots", [])]
        pages.append((page.get_contents().get_data(), repr(annots).encode()))
    return pages


@pytest.fixture(scope="module")
def one_sided(tmp_path_factory) -> dict[str, Path]:
    """A 12-card deck (two sheets of 10): the duplex flashcards and fronts-backs from one build, and
    --mode fronts then --mode backs built into one folder."""
    folder = tmp_path_factory.mktemp("one-sided")
    deck = deck_file(folder, numbered_deck(12))
    offset = ("--back-offset", "1,-0.5")
    builds = {"both": ("--make", "flashcards,fronts-backs"),
              "reversed": ("--make", "fronts-backs", "--reverse"),
              "modes": ("--make", "flashcards", "--mode", "fronts"),
              "modes-2": ("--make", "flashcards", "--mode", "backs")}
    for name, args in builds.items():
        out = folder / ("modes" if name.startswith("modes") else name)
        result = run_fiszki("build", str(deck), "--out", str(out), *offset, *args)
        assert result.code == 0, result.stderr
    return {name: folder / name for name in ("both", "reversed", "modes")}


@pytest.mark.tex
def test_fronts_backs_are_the_duplex_pages_taken_apart(one_sided):
    out = one_sided["both"]
    assert sorted(p.name for p in out.glob("*.pdf")) == ["flashcards-backs.pdf", "flashcards-fronts.pdf",
                                                         "flashcards.pdf"]
    duplex = contents((out / "flashcards.pdf").read_bytes())
    fronts = (out / "flashcards-fronts.pdf").read_bytes()
    backs = (out / "flashcards-backs.pdf").read_bytes()
    assert len(duplex) == 4 and contents(fronts) == duplex[0::2] and contents(backs) == duplex[1::2]
    assert PdfReader(io.BytesIO(backs)).page_labels == ["1-back", "2-back"]
    for pdf, mode in ((fronts, "fronts"), (backs, "backs")):
        report = check_pdf(pdf)
        assert report.ok and report.facts["mode"] == mode and report.facts["cards"] == 12, report.lines()
    reversed_backs = (one_sided["reversed"] / "flashcards-backs.pdf").read_bytes()
    assert contents(reversed_backs) == duplex[1::2][::-1]  # --reverse turns the backs only
    assert contents((one_sided["reversed"] / "flashcards-fronts.pdf").read_bytes()) == duplex[0::2]
    assert PdfReader(io.BytesIO(reversed_backs)).page_labels == ["2-back", "1-back"]
    checked = run_fiszki("check", *(str(p) for p in sorted(out.glob("*.pdf"))), str(one_sided["reversed"] /
                                                                                      "flashcards-backs.pdf"))
    assert checked.code == 0 and checked.stdout.count(": OK (flashcards") == 4, checked.stdout


@pytest.mark.tex
def test_fronts_and_backs_modes_write_their_own_files(one_sided):
    """--mode fronts, then --mode backs into the same folder: neither replaces the other, and each
    holds what fronts-backs holds (the same cards at the same places)."""
    out = one_sided["modes"]
    assert sorted(p.name for p in out.iterdir()) == [".fiszki-cache.json", "flashcards-backs.log",
                                                     "flashcards-backs.pdf", "flashcards-fronts.log",
                                                     "flashcards-fronts.pdf"]
    for side in ("fronts", "backs"):
        made = (out / f"flashcards-{side}.pdf").read_bytes()
        split = (one_sided["both"] / f"flashcards-{side}.pdf").read_bytes()
        assert [a for _, a in contents(made)] == [a for _, a in contents(split)]
        assert check_pdf(made).ok
