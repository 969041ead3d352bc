"""Which outputs are up to date: each output's files are recorded with the inputs they were built
from, so a build remakes only the outputs whose inputs (or files) changed.

Standard library only (and the option table), so `fiszki build` on an unchanged deck answers before
importing the parser, the renderer or Jinja.
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from urllib.parse import unquote

from builder import __version__, templates_dir
from builder.files import atomic_write
from builder.options import fingerprint_values

CACHE_FILE = ".fiszki-cache.json"

# Images named in the deck's Markdown, found without parsing it (the cache check must be cheap).
_IMAGE_REF_RE = re.compile(rb"!\[[^\]\n]*\]\(\s*<?([^)\s>]+)")


def fingerprint_of(deck_path: Path, source: bytes, cli_options: dict) -> str:
    """Everything the outputs depend on, from the raw inputs so an unchanged deck needs no parsing:
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


def _read(out_dir: Path) -> dict:
    try:
        record = json.loads((out_dir / CACHE_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fresh(out_dir: Path, key: str, fingerprint: str) -> bool:
    """Whether output `key` (its name, after the deck's name when a run builds several decks) was
    built from these inputs and its files are still what was written."""
    entry = _read(out_dir).get(key)
    if not isinstance(entry, dict) or entry.get("fingerprint") != fingerprint:
        return False
    files = entry.get("files")
    if not isinstance(files, dict) or not files:
        return False
    for name, sha in files.items():
        try:
            if _sha((out_dir / name).read_bytes()) != sha:
                return False
        except OSError:
            return False
    return True


def remember(out_dir: Path, built: dict[str, dict[str, bytes]], fingerprint: str) -> None:
    """Record each output's files (by output key: file name → bytes) as built from `fingerprint`."""
    record = _read(out_dir)
    for key, files in built.items():
        record[key] = {"fingerprint": fingerprint, "files": {name: _sha(data) for name, data in files.items()}}
    atomic_write(out_dir / CACHE_FILE, json.dumps(record, indent=1, sort_keys=True).encode())


def stale_outputs(deck_path: Path, out_dir: Path, cli_options: dict, names: list[str], prefix: str) -> list[str]:
    """The outputs among `names` that must be built: all of them when the deck cannot be read."""
    try:
        fingerprint = fingerprint_of(deck_path, deck_path.read_bytes(), cli_options)
    except OSError:
        return list(names)
    return [name for name in names if not fresh(out_dir, prefix + name, fingerprint)]
