"""Compiled plots kept between builds, one PDF per plot, named by what the picture depends on:
the block's text, the code and templates that turn it into a picture, fiszki's version.

The folder is `$FISZKI_CACHE_DIR/plots`, else `$XDG_CACHE_HOME/fiszki/plots`, else
`~/.cache/fiszki/plots`: a user cache, not the deck's folder (fiszki never writes beside a deck) nor
the output folder (a plot is shared by every deck and output folder that draws it, and survives
`make clean`). Entries are written atomically, so builds running at once share it safely; a damaged
or missing entry is compiled again; the least recently used are removed past MAX_ENTRIES. Without a
writable folder plots are compiled on every build, nothing fails.

The key is the block's text as written, not its parsed description: a build whose plots are all
cached reads no YAML, samples no function and renders no template (an edited comment or indent
compiles the plot again, once). An entry keeps what the card needs besides the PDF: its width, its
caption and its warnings, which are told again on every build.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from builder import __version__, templates_dir
from builder.files import atomic_write

FORMAT = "2"  # bump when what an entry holds changes
MAX_ENTRIES = 2000  # plots (a few tens of KB each)


@dataclass(frozen=True)
class CachedPlot:
    pdf: bytes
    width: float  # bp, the page (the plot and its labels) at the nominal text size
    height: float
    caption: str = ""  # LaTeX
    warnings: list[dict] = field(default_factory=list)  # PlotProblem fields


def cache_dir() -> Path:
    root = os.environ.get("FISZKI_CACHE_DIR")
    if root:
        return Path(root) / "plots"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "fiszki" / "plots"


def plot_key(text: str) -> str:
    """The name of a plot block's picture: its text, and everything that makes a picture of it."""
    h = hashlib.sha256(_makers())
    h.update(text.encode("utf-8"))
    return h.hexdigest()[:32]


@lru_cache(maxsize=1)
def _makers() -> bytes:
    """The cache format, fiszki's version, the plot code and templates (so a changed one never
    serves an old picture), as one digest."""
    h = hashlib.sha256(f"{FORMAT}\0{__version__}\0".encode())
    sources = sorted(Path(__file__).parent.glob("*.py")) + [templates_dir() / "plot.tex.j2",
                                                            templates_dir() / "preamble.tex.j2"]
    for path in sources:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.digest()


def load(key: str, folder: Path | None = None) -> CachedPlot | None:
    folder = folder or cache_dir()
    try:
        meta = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        pdf = (folder / f"{key}.pdf").read_bytes()
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or hashlib.sha256(pdf).hexdigest() != meta.get("sha256"):
        return None  # half-written by a build that was killed, or damaged: compile it again
    try:
        plot = CachedPlot(pdf, float(meta["width"]), float(meta["height"]), str(meta.get("caption", "")),
                          [dict(w) for w in meta.get("warnings", [])])
        os.utime(folder / f"{key}.json")  # recently used: kept longest
    except (KeyError, TypeError, ValueError, OSError):
        return None
    return plot


def store(entries: dict[str, CachedPlot], folder: Path | None = None) -> None:
    """Keep compiled plots; a cache that cannot be written is only slower, never an error."""
    folder = folder or cache_dir()
    try:
        for key, plot in entries.items():
            atomic_write(folder / f"{key}.pdf", plot.pdf)
            meta = {"width": plot.width, "height": plot.height, "caption": plot.caption, "warnings": plot.warnings,
                    "sha256": hashlib.sha256(plot.pdf).hexdigest()}
            atomic_write(folder / f"{key}.json", json.dumps(meta).encode())
        _prune(folder)
    except OSError:
        pass


def _prune(folder: Path) -> None:
    metas = list(folder.glob("*.json"))
    if len(metas) <= MAX_ENTRIES:
        return
    metas.sort(key=lambda p: p.stat().st_mtime)
    for meta in metas[: len(metas) - MAX_ENTRIES]:
        meta.with_suffix(".pdf").unlink(missing_ok=True)
        meta.unlink(missing_ok=True)
