"""Compiled plots kept between builds, one PDF per plot, named by what the picture depends on.

The folder is `$FISZKI_CACHE_DIR/plots`, else `$XDG_CACHE_HOME/fiszki/plots`, else
`~/.cache/fiszki/plots`: a user cache, not the deck's folder (fiszki never writes beside a deck) nor
the output folder (a plot is shared by every deck and output folder that draws it, and survives
`make clean`). Entries are written atomically, so builds running at once share it safely; a damaged
or missing entry is compiled again; the least recently used are removed past MAX_ENTRIES. Without a
writable folder plots are compiled on every build, nothing fails.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from builder import __version__
from builder.outputs import atomic_write

FORMAT = "1"  # bump when what an entry holds changes
MAX_ENTRIES = 2000  # plots (a few tens of KB each)


@dataclass(frozen=True)
class CachedPlot:
    pdf: bytes
    width: float  # bp, the page (the plot and its labels) at the nominal text size
    height: float


def cache_dir() -> Path:
    root = os.environ.get("FISZKI_CACHE_DIR")
    if root:
        return Path(root) / "plots"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "fiszki" / "plots"


def plot_key(head: str, page: str) -> str:
    """The name of a plot: its page and the document head around it (template, fonts, nominal
    size, the numbers Python computed), fiszki's version and the cache format."""
    h = hashlib.sha256()
    for part in (FORMAT, __version__, head, page):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:32]


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
        plot = CachedPlot(pdf, float(meta["width"]), float(meta["height"]))
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
            meta = {"width": plot.width, "height": plot.height, "sha256": hashlib.sha256(plot.pdf).hexdigest()}
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
