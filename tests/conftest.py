"""Shared fixtures: real decks, real pdflatex, real PDFs."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DECK = ROOT / "content" / "deck.md"

SMALL_DECK = """\
---
title: Mała talia
lang: pl
---

# Podstawy

## Czym jest softmax? {#softmax .exam}
Funkcja $\\operatorname{softmax}_i(z) = \\frac{e^{z_i}}{\\sum_j e^{z_j}}$ zamienia wektor na rozkład.

## Zażółć gęślą jaźń {#polish}
- pierwszy punkt
- drugi punkt z $x^2$

# Trening

## Co robi dropout? {#dropout .exam}
Wyłącza losowe neurony podczas treningu.

$$L = L_0 + \\lambda \\|\\theta\\|^2$$
"""


def pytest_configure(config) -> None:
    """`pytest -m "not tex"` is a pure-Python run: pdflatex is hidden, so a test that compiles
    without the `tex` marker fails loudly instead of slowing the quick run down."""
    if "not tex" in (config.option.markexpr or ""):
        os.environ["PATH"] = os.pathsep.join(
            d for d in os.environ.get("PATH", "").split(os.pathsep) if not (Path(d) / "pdflatex").exists())


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def run_fiszki(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 300) -> Run:
    """Run the real command line in a subprocess, as a user would."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, "-m", "builder", *args], cwd=cwd or ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def build_output(name: str, deck, cards, opts, keep_going: bool = False):
    """One output of `fiszki build` (flashcards, cheatsheet), called directly: real deck, options
    and TeX; its Result (files by name, summary, warnings, errors)."""
    from builder.pipeline import load
    from builder.outputs.base import Work
    from builder.rendered import RenderedCards

    return load(name, deck, opts, cards).build(Work(cards, RenderedCards(deck, cards, keep_going), keep_going))


@pytest.fixture(scope="session", autouse=True)
def plot_cache(tmp_path_factory) -> Path:
    """Compiled plots go to a folder of this test session, never the user's ~/.cache (and the
    builds of the command line, in subprocesses, inherit it)."""
    folder = tmp_path_factory.mktemp("plot-cache")
    before = os.environ.get("FISZKI_CACHE_DIR")
    os.environ["FISZKI_CACHE_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("FISZKI_CACHE_DIR", None)
    else:
        os.environ["FISZKI_CACHE_DIR"] = before


@pytest.fixture
def small_deck(tmp_path: Path) -> Path:
    path = tmp_path / "deck.md"
    path.write_text(SMALL_DECK, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def default_build(tmp_path_factory) -> Path:
    """The default deck built once per test session; returns the output folder."""
    out = tmp_path_factory.mktemp("default-out")
    result = run_fiszki("build", str(DEFAULT_DECK), "--out", str(out), "--no-cache")
    assert result.code == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def small_build(tmp_path_factory) -> Path:
    """The small deck built once per session; returns the output folder."""
    folder = tmp_path_factory.mktemp("small")
    deck = folder / "deck.md"
    deck.write_text(SMALL_DECK, encoding="utf-8")
    out = folder / "out"
    result = run_fiszki("build", str(deck), "--out", str(out), "--no-cache")
    assert result.code == 0, result.stderr
    return out
