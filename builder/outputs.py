"""Where builds land: output names, atomic writes, and the cache that skips unchanged builds.

Standard library only, so `fiszki build` on an unchanged deck answers before importing the parser,
the renderer or Jinja.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from urllib.parse import unquote

from builder import __version__, templates_dir
from builder.files import atomic_write
from builder.options import fingerprint_values


def output_paths(out_dir: Path, deck_name: str, several: bool) -> dict[str, Path]:
    prefix = f"{deck_name}-" if several else ""
    return {kind: out_dir / f"{prefix}{kind}.pdf" for kind in ("flashcards", "cheatsheet")}


# Images named in the deck's Markdown, found without parsing it (the cache check must be cheap).
_IMAGE_REF_RE = re.compile(rb"!\[[^\]\n]*\]\(\s*<?([^)\s>]+)")


def fingerprint_of(deck_path: Path, source: bytes, cli_options: dict) -> str:
    """Everything the PDFs depend on, from the raw inputs so an unchanged deck needs no parsing:
    deck bytes (front matter included), command-line options, printer profiles, fiszki version,
    templates, and the bytes of every image the deck names."""
    h = hashlib.sha256()
    h.update(__version__.encode())
    h.update(source)
    h.update(repr(fingerprint_values(cli_options)).encode())
    if cli_options.get("printer"):
        from builder.printers import config_path

        try:
            h.update(config_path().read_bytes())
        except OSError:
            pass
    for tpl in sorted(templates_dir().glob("*.j2")):
        h.update(tpl.read_bytes())
    base = deck_path.parent
    for ref in _IMAGE_REF_RE.findall(source):
        src = unquote(ref.decode("utf-8", errors="replace"))
        try:  # an edited image must rebuild; a missing one fails later with its own message
            h.update(ref + hashlib.sha256((base / src).read_bytes()).digest())
        except (OSError, ValueError):
            h.update(ref)
    return h.hexdigest()


def _cache_file(out_dir: Path) -> Path:
    return out_dir / ".fiszki-cache.json"


def cached(out_dir: Path, paths: dict[str, Path], fingerprint: str) -> bool:
    try:
        record = json.loads(_cache_file(out_dir).read_text())
    except (OSError, ValueError):
        return False
    for kind, path in paths.items():
        entry = record.get(str(path.name))
        if not entry or entry.get("fingerprint") != fingerprint or not path.exists():
            return False
        if hashlib.sha256(path.read_bytes()).hexdigest() != entry.get("sha256"):
            return False
    return True


def remember(out_dir: Path, outputs: list[tuple[Path, bytes]], fingerprint: str) -> None:
    path = _cache_file(out_dir)
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        record = {}
    for pdf_path, pdf in outputs:
        record[pdf_path.name] = {"fingerprint": fingerprint, "sha256": hashlib.sha256(pdf).hexdigest()}
    atomic_write(path, json.dumps(record, indent=1, sort_keys=True).encode())


def up_to_date(deck_path: Path, out_dir: Path, cli_options: dict, several: bool) -> bool:
    """True when both PDFs in out_dir were built from exactly these inputs and are untouched."""
    try:
        fingerprint = fingerprint_of(deck_path, deck_path.read_bytes(), cli_options)
    except OSError:
        return False
    return cached(out_dir, output_paths(out_dir, deck_path.stem, several), fingerprint)
