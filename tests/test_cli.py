"""The command line as a user meets it: help, version, exit codes, outputs, reproducibility."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from builder import __version__
from tests.conftest import ROOT, SMALL_DECK, run_fiszki


def test_version_and_help():
    assert run_fiszki("--version").stdout.strip().endswith(__version__)
    helptext = run_fiszki("--help").stdout
    for command in ("build", "check", "import"):
        assert command in helptext
    build_help = run_fiszki("build", "--help").stdout
    for option in ("--out", "--make", "--screen", "--card", "--paper", "--flip", "--overflow", "--pages", "--section", "--keep-going"):
        assert option in build_help


def test_usage_error_exits_2(small_deck: Path):
    result = run_fiszki("build", str(small_deck), "--flip", "sideways")
    assert result.code == 2
    result = run_fiszki("build", str(small_deck), "--card", "banana", "--out", str(small_deck.parent / "o"))
    assert result.code == 2 and "banana" in result.stderr and "Traceback" not in result.stderr


def test_missing_deck_exits_1(tmp_path: Path):
    result = run_fiszki("build", str(tmp_path / "nope.md"), "--out", str(tmp_path / "out"))
    assert result.code == 1
    assert "nope.md: deck file not found" in result.stderr


@pytest.mark.tex
def test_build_writes_both_pdfs_and_logs(small_build: Path):
    for name in ("flashcards", "cheatsheet"):
        pdf = small_build / f"{name}.pdf"
        assert PdfReader(pdf).pages, name
        assert (small_build / f"{name}.log").read_text(errors="replace").startswith("This is pdfTeX")


@pytest.mark.tex
def test_progress_goes_to_stderr_and_quiet_silences_it(small_deck: Path, tmp_path: Path):
    loud = run_fiszki("build", str(small_deck), "--out", str(tmp_path / "a"), "--no-cache")
    assert loud.code == 0, loud.stderr
    assert "compiling" in loud.stderr and loud.stdout == ""
    quiet = run_fiszki("-q", "build", str(small_deck), "--out", str(tmp_path / "b"), "--no-cache")
    assert quiet.code == 0 and quiet.stderr == ""


@pytest.mark.tex
def test_two_builds_are_byte_identical(small_deck: Path, tmp_path: Path):
    outs = []
    for name in ("one", "two"):
        out = tmp_path / name
        assert run_fiszki("build", str(small_deck), "--out", str(out), "--no-cache").code == 0
        outs.append(out)
    for pdf in ("flashcards.pdf", "cheatsheet.pdf"):
        assert (outs[0] / pdf).read_bytes() == (outs[1] / pdf).read_bytes(), pdf


@pytest.mark.tex
def test_several_decks_get_named_pairs(tmp_path: Path):
    for name in ("alpha", "beta"):
        (tmp_path / f"{name}.md").write_text(SMALL_DECK, encoding="utf-8")
    out = tmp_path / "out"
    result = run_fiszki("build", str(tmp_path / "alpha.md"), str(tmp_path / "beta.md"), "--out", str(out))
    assert result.code == 0, result.stderr
    assert sorted(p.name for p in out.glob("*.pdf")) == [
        "alpha-cheatsheet.pdf", "alpha-flashcards.pdf", "beta-cheatsheet.pdf", "beta-flashcards.pdf"]


def test_missing_pdflatex_exits_3(small_deck: Path, tmp_path: Path):
    empty = tmp_path / "bin"
    empty.mkdir()
    result = run_fiszki("build", str(small_deck), "--out", str(tmp_path / "o"), "--no-cache",
                        env={"PATH": str(empty)})
    assert result.code == 3
    assert "pdflatex not found" in result.stderr and "apt-get install" in result.stderr


@pytest.mark.tex
def test_imported_seed_builds(tmp_path: Path):
    deck = tmp_path / "imported.md"
    result = run_fiszki("import", str(ROOT / "tests" / "fixtures" / "seed_notes.txt"), "-o", str(deck))
    assert result.code == 0, result.stderr
    again = run_fiszki("import", str(ROOT / "tests" / "fixtures" / "seed_notes.txt"), "-o", str(deck))
    assert again.code == 2 and "--force" in again.stderr
    build = run_fiszki("build", str(deck), "--out", str(tmp_path / "out"))
    assert build.code == 0, build.stderr
    pages = PdfReader(tmp_path / "out" / "flashcards.pdf").pages
    assert len(pages) >= 2 and "arkusz 1/" in pages[0].extract_text()  # detected Polish: Polish labels
    from tests.test_importer import SEED_QUESTIONS

    text = re.sub(r"[\s\-‐]", "", "".join(page.extract_text() for page in pages))  # no line ends, hyphens
    for _, question in SEED_QUESTIONS:
        assert re.sub(r"[\s\-‐]", "", question) in text, question


def test_python_m_builder_works():
    import subprocess

    proc = subprocess.run([sys.executable, "-m", "builder", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and __version__ in proc.stdout


@pytest.mark.tex
def test_cache_skips_unchanged_builds_and_sees_edits(tmp_path: Path):
    import struct
    import zlib

    def png(shade: int) -> bytes:  # a 1×1 grey PNG, different bytes per shade
        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(bytes([0, shade]))) + chunk(b"IEND", b""))

    deck = tmp_path / "deck.md"
    deck.write_text(SMALL_DECK + "\n## Obrazek\n![kropka](dot.png)\n", encoding="utf-8")
    (tmp_path / "dot.png").write_bytes(png(10))
    out = tmp_path / "out"
    args = ("build", str(deck), "--out", str(out))
    assert "compiling" in run_fiszki(*args).stderr
    assert "unchanged" in run_fiszki(*args).stderr
    assert "compiling" in run_fiszki(*args, "--card", "a7").stderr  # other options, other PDFs
    assert "unchanged" in run_fiszki(*args, "--card", "a7").stderr
    (tmp_path / "dot.png").write_bytes(png(200))
    assert "compiling" in run_fiszki(*args, "--card", "a7").stderr  # an edited image rebuilds
    (out / "flashcards.pdf").write_bytes(b"damaged")
    rebuilt = run_fiszki(*args, "--card", "a7")
    assert "compiling" in rebuilt.stderr and PdfReader(out / "flashcards.pdf").pages
