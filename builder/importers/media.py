"""Images that imported cards show: collected under safe names, copied next to the deck.

Every importer of one run shares one `MediaFolder`, so two sources naming different pictures
`image.png` get two files. Only what fiszki can print (PNG, JPEG, PDF, checked by content, not by
name) is taken; anything else is reported and the card keeps the file's name as text.
"""
from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from builder.importers.model import DROPPED, Origin, Source
from builder.images import image_suffix

MAX_IMAGE = 64 * 1024 * 1024  # bytes; far above any picture on a flashcard


@dataclass
class MediaFolder:
    """The folder (relative to the deck) and the files that will be written into it."""

    folder: str  # e.g. "deck-media"
    files: dict[str, bytes] = field(default_factory=dict)  # name in the folder -> bytes
    _by_digest: dict[tuple[str, str], str] = field(default_factory=dict)  # (original, sha) -> name

    def add(self, source: Source, original: str, data: bytes, origin: Origin) -> str | None:
        """The link (relative to the deck) of an image, or None when fiszki cannot print it."""
        shown = PurePosixPath(original.replace("\\", "/")).name or "image"
        if len(data) > MAX_IMAGE:
            source.note(DROPPED, "image larger than 64 MB not copied", origin, shown)
            return None
        kind = image_kind(data)
        if kind is None:
            source.note(DROPPED, "image not copied: fiszki prints PNG, JPEG and PDF images", origin,
                        f"{shown} (convert it to PNG and add it by hand)")
            return None
        digest = hashlib.sha256(data).hexdigest()
        known = self._by_digest.get((shown, digest))
        if known:
            return self.link(known)
        name = self._free_name(safe_file_name(shown, kind), data)
        self.files[name] = data
        self._by_digest[(shown, digest)] = name
        return self.link(name)

    def link(self, name: str) -> str:
        return f"{self.folder}/{name}"

    def _free_name(self, name: str, data: bytes) -> str:
        stem, suffix = name.rsplit(".", 1) if "." in name else (name, "")
        candidate, n = name, 1
        while candidate in self.files and self.files[candidate] != data:
            n += 1
            candidate = f"{stem}-{n}.{suffix}" if suffix else f"{stem}-{n}"
        return candidate


def image_kind(data: bytes) -> str | None:
    """"png", "jpg" or "pdf" by the file's first bytes; None for anything else."""
    suffix = image_suffix(data)
    return suffix[1:] if suffix else None


def safe_file_name(name: str, kind: str) -> str:
    """A file name that is only a name (no folders, no dot files, no control characters), with
    the suffix its content calls for; spaces and letters of any language are kept."""
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch if ch.isprintable() and ch not in '/\\:*?"<>|' else "_" for ch in name).strip(" .")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem[:100].strip(" .") or "image"
    return f"{stem}.{kind}"


def write_media(folder: MediaFolder, deck_dir: Path, force: bool) -> list[Path]:
    """Copy the files into the deck's media folder (atomically each); an existing different file
    is replaced only with `force` (FileExistsError otherwise, before anything is written)."""
    from builder.files import atomic_write

    target = deck_dir / folder.folder
    clashes = [target / name for name, data in folder.files.items()
               if (target / name).exists() and (target / name).read_bytes() != data]
    if clashes and not force:
        raise FileExistsError(f"{clashes[0]} already exists with other content; not overwriting it "
                              "(use --force to replace it)")
    written = []
    for name, data in folder.files.items():
        path = target / name
        if not path.exists() or path.read_bytes() != data:
            atomic_write(path, data)
            written.append(path)
    return written
