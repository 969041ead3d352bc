"""Which outputs are up to date: each output's files are recorded with the inputs they were built
from, so a build remakes only the outputs whose inputs (or files) changed.

Standard library only (and the option table), so `fiszki build` on an unchanged deck answers before
importing the parser, the renderer or Jinja.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from builder import __version__, templates_dir
from builder.decklimits import MAX_DECK_BYTES
from builder.files import UnreadableFile, atomic_write, read_regular
from builder.options import fingerprint_values

CACHE_FILE = ".fiszki-cache.json"

def fingerprint_of(source: bytes, cli_options: dict) -> str:
    """What the outputs depend on besides the files the deck names (recorded as they are read:
    see `fresh`): the deck's bytes (front matter included), command-line options, printer
    profiles, fiszki's version and its templates."""
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
    return h.hexdigest()


def deck_fingerprint(deck_path: Path, cli_options: dict) -> str | None:
    """The fingerprint of the deck as it is now; None when it cannot be read (the build says why)."""
    try:
        return fingerprint_of(read_regular(deck_path, MAX_DECK_BYTES), cli_options)
    except UnreadableFile:
        return None


def _read(out_dir: Path) -> dict:
    try:
        record = json.loads((out_dir / CACHE_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fresh(out_dir: Path, key: str, fingerprint: str, deck_dir: Path) -> bool:
    """Whether output `key` (its name, after the deck's name when a run builds several decks) was
    built from these inputs and its files are still what was written. The files the build read
    (images) are read again the way the build reads them, confined to the deck's folder: an image
    edited, removed or swapped for a link elsewhere makes the output stale."""
    entry = _read(out_dir).get(key)
    if not isinstance(entry, dict) or entry.get("fingerprint") != fingerprint:
        return False
    files, reads = entry.get("files"), entry.get("reads", {})
    if not isinstance(files, dict) or not files or not isinstance(reads, dict):
        return False
    for name, sha in files.items():
        try:
            if _sha((out_dir / name).read_bytes()) != sha:
                return False
        except OSError:
            return False
    if reads:
        from builder.images import read_deck_file  # (most decks name no file: nothing to import)
    for src, sha in reads.items():
        try:
            if _sha(read_deck_file(deck_dir, src)) != sha:
                return False
        except UnreadableFile:
            return False
    return True


def remember(out_dir: Path, built: dict[str, dict[str, bytes]], fingerprint: str,
             reads: dict[str, str] | None = None) -> None:
    """Record each output's files (by output key: file name → bytes) as built from `fingerprint`
    and the files the build read (as the deck names them → sha256)."""
    record = _read(out_dir)
    for key, files in built.items():
        record[key] = {"fingerprint": fingerprint, "files": {name: _sha(data) for name, data in files.items()},
                       "reads": dict(reads or {})}
    atomic_write(out_dir / CACHE_FILE, json.dumps(record, indent=1, sort_keys=True).encode())


def stale_outputs(deck_path: Path, out_dir: Path, cli_options: dict, names: list[str], prefix: str) -> list[str]:
    """The outputs among `names` that must be built: all of them when the deck cannot be read."""
    fingerprint = deck_fingerprint(deck_path, cli_options)
    if fingerprint is None:
        return list(names)
    return [name for name in names if not fresh(out_dir, prefix + name, fingerprint, deck_path.parent)]
