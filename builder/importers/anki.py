"""Anki packages (.apkg, .colpkg) as cards: all three collection formats Anki writes.

A package is a zip. Anki ≥ 2.1.50 puts a `meta` message in it (protobuf; version 3 = Latest):
then the collection is `collection.anki21b`, an SQLite database compressed with zstd, the
`media` list is a zstd-compressed protobuf message, and each media file (named 0, 1, 2 … in
the zip) is zstd-compressed too. Without `meta` (or with version 1 or 2) the collection is
`collection.anki21` or, from Anki 2.0, `collection.anki2`, uncompressed, and `media` is JSON
({"0": "image.png"}). Newer packages also carry a `collection.anki2` holding only a note that
says "please update Anki"; `meta` says to skip it. Facts from rslib/src/import_export/package/.

The collection is read in memory (never unpacked to disk). Note types, decks and templates
live in tables (schema 15+) or as JSON in the `col` row (schema 11).
"""
from __future__ import annotations

import io
import json
import re
import sqlite3
import zipfile
from dataclasses import dataclass
from pathlib import Path

from builder.errors import ContentError, Problem
from builder.importers import protowire
from builder.importers.ankinotes import AnkiNote, note_cards, section_name
from builder.importers.media import MAX_IMAGE, MediaFolder
from builder.importers.model import DROPPED, ImportOptions, Origin, Source

COLLECTIONS = {1: "collection.anki2", 2: "collection.anki21", 3: "collection.anki21b"}
MAX_COLLECTION = 1024 * 1024 * 1024  # bytes, uncompressed; years of reviews take a few hundred MB
_FIELD_REF = re.compile(r"\{\{([^{}]+)\}\}")
_SPECIAL_FIELDS = frozenset({"FrontSide", "Tags", "Type", "Deck", "Subdeck", "Card", "CardFlag", "CardID"})


@dataclass
class NoteType:
    name: str
    fields: list[str]
    cloze: bool
    shown: list[int]  # fields a card shows (templates name them), in field order
    cloze_field: int = 0


def read_package(path: Path, data: bytes, options: ImportOptions, media: MediaFolder) -> Source:
    source = Source(path, "anki")
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ContentError(Problem("is not an Anki package (not a zip file)", file=source.display)) from None
    reader = _Package(package, source)
    db = reader.collection()
    try:
        _read_collection(db, reader, source, media)
    except sqlite3.DatabaseError as exc:
        raise ContentError(Problem(f"the collection in this package cannot be read: {exc}",
                                   file=source.display)) from None
    finally:
        db.close()
    return source


class _Package:
    """The zip: its format version, collection and media."""

    def __init__(self, package: zipfile.ZipFile, source: Source):
        self.zip, self.source = package, source
        names = set(package.namelist())
        if "meta" in names:
            try:
                self.version = protowire.first_int(protowire.read_message(self._member("meta", 1024)), 1)
            except ValueError:
                self.version = 0
            if self.version not in COLLECTIONS:
                self._fail("was made by an Anki newer than fiszki knows (or its meta is damaged)")
        else:
            self.version = 2 if "collection.anki21" in names else 1
        self.name = COLLECTIONS[self.version]
        if self.name not in names:
            self._fail(f"is not an Anki package: {self.name} is missing")
        self.media_names = self._media_list()

    def _fail(self, message: str):
        raise ContentError(Problem(message, file=self.source.display))

    def _member(self, name: str, limit: int) -> bytes:
        info = self.zip.getinfo(name)
        if info.file_size > limit:
            self._fail(f"{name} is larger than {limit // 2**20} MB")
        with self.zip.open(info) as fh:
            return fh.read(limit + 1)

    def _unpacked(self, name: str, limit: int) -> bytes:
        raw = self._member(name, limit)
        if self.version < 3:
            return raw
        import zstandard

        out, reader = bytearray(), zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw), read_across_frames=True)
        try:
            while chunk := reader.read(1 << 20):
                out += chunk
                if len(out) > limit:
                    self._fail(f"{name} unpacks to more than {limit // 2**20} MB")
        except zstandard.ZstdError as exc:
            self._fail(f"{name} is damaged (zstd: {exc})")
        return bytes(out)

    def collection(self) -> sqlite3.Connection:
        data = bytearray(self._unpacked(self.name, MAX_COLLECTION))
        if data[:16] != b"SQLite format 3\x00":
            self._fail(f"{self.name} is not an SQLite database")
        data[18:20] = b"\x01\x01"  # a WAL database cannot be opened from memory; as a rollback one it can
        db = sqlite3.connect(":memory:")
        db.deserialize(bytes(data))
        db.create_collation("unicase", lambda a, b: (a.casefold() > b.casefold()) - (a.casefold() < b.casefold()))
        return db

    def _media_list(self) -> dict[str, str]:
        """Media file name -> its member in the zip."""
        if "media" not in self.zip.namelist():
            return {}
        raw = self._unpacked("media", 64 * 2**20)
        try:
            if self.version < 3:
                return {str(name): str(index) for index, name in json.loads(raw or b"{}").items()}
            entries = protowire.read_message(raw).get(1, [])
            names = {}
            for index, entry in enumerate(entries):
                fields = protowire.read_message(entry) if isinstance(entry, bytes) else {}
                member = protowire.first_int(fields, 255, index)
                names[protowire.first_text(fields, 1)] = str(member)
            return names
        except (ValueError, AttributeError) as exc:
            self._fail(f"its media list is damaged ({exc})")

    def image(self, name: str, origin: Origin, media: MediaFolder) -> str | None:
        from urllib.parse import unquote

        member = self.media_names.get(name) or self.media_names.get(unquote(name))
        if member is None or member not in self.zip.namelist():
            self.source.note(DROPPED, "image missing from the package (its name is kept as text)", origin, name)
            return None
        return media.add(self.source, name, self._unpacked(member, MAX_IMAGE), origin)


def _read_collection(db: sqlite3.Connection, package: _Package, source: Source, media: MediaFolder) -> None:
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    types, decks = (_note_types_v18(db), _decks_v18(db)) if "notetypes" in tables else _models_v11(db)
    deck_of: dict[int, int] = {}
    for nid, did, odid, _ in db.execute("SELECT nid, did, odid, ord FROM cards ORDER BY nid, ord"):
        deck_of.setdefault(nid, odid or did)  # a filtered deck's card belongs to its home deck
    paths = {nid: decks.get(did, "") for nid, did in deck_of.items()}
    root = _common_root([p for p in paths.values() if p])
    if root:
        source.title = root[-1]
    notes = db.execute("SELECT id, mid, tags, flds FROM notes ORDER BY id").fetchall()
    ordered = sorted(notes, key=lambda n: ([part.casefold() for part in paths.get(n[0], "").split("::")], n[0]))
    for nid, mid, tags, flds in ordered:
        origin = Origin(source.display, note_id=nid)
        kind = types.get(mid)
        if kind is None:
            source.note(DROPPED, "note of an unknown note type left out", origin)
            continue
        values = flds.split("\x1f")
        shown = [(kind.fields[i], values[i] if i < len(values) else "") for i in kind.shown]
        note = AnkiNote(shown, origin, cloze=kind.cloze, cloze_field=kind.shown.index(kind.cloze_field)
                        if kind.cloze_field in kind.shown else 0, tags=tuple(tags.split()),
                        section=section_name(_relative(paths.get(nid, ""), root)))
        source.cards += note_cards(note, source, lambda name, o=origin: package.image(name, o, media))
    source.description = f"Anki package, {package.name}, {len(notes)} notes"


def _common_root(paths: list[str]) -> list[str]:
    """The deck path every card's deck lies in (its last part becomes the title)."""
    if not paths:
        return []
    parts = [p.split("::") for p in paths]
    root = []
    for level in zip(*parts):
        if len(set(level)) != 1:
            break
        root.append(level[0])
    return root


def _relative(path: str, root: list[str]) -> str:
    """A deck's path below the common root (the root's own name for cards right in it)."""
    parts = path.split("::") if path else []
    below = parts[len(root):] if parts[: len(root)] == root else parts
    return "::".join(below) if below else (root[-1] if root else "")


def _shown_fields(names: list[str], templates: list[tuple[str, str]], cloze: bool) -> NoteType:
    """Which fields the card templates show ({{Field}}, {{text:Field}}, {{cloze:Field}} …, not
    {{#Field}} sections, which only test a field, like "Add Reverse")."""
    shown, cloze_field = set(), None
    for qfmt, afmt in templates:
        for ref in _FIELD_REF.findall(qfmt + afmt):
            ref = ref.strip()
            if ref[:1] in "#^/!":
                continue
            name = ref.split(":")[-1].strip()
            if name in names:
                shown.add(names.index(name))
                if cloze and ref.split(":")[0].strip() == "cloze" and cloze_field is None:
                    cloze_field = names.index(name)
    order = sorted(shown) or list(range(len(names)))
    return NoteType("", names, cloze, order, cloze_field if cloze_field is not None else order[0] if order else 0)


def _models_v11(db: sqlite3.Connection) -> tuple[dict[int, NoteType], dict[int, str]]:
    models, decks = db.execute("SELECT models, decks FROM col").fetchone()
    types = {}
    for model in json.loads(models or "{}").values():
        names = [f["name"] for f in sorted(model.get("flds", []), key=lambda f: f.get("ord", 0))]
        templates = [(t.get("qfmt", ""), t.get("afmt", "")) for t in model.get("tmpls", [])]
        kind = _shown_fields(names, templates, model.get("type") == 1)
        kind.name = model.get("name", "")
        types[int(model["id"])] = kind
    return types, {int(d["id"]): d.get("name", "") for d in json.loads(decks or "{}").values()}


def _note_types_v18(db: sqlite3.Connection) -> dict[int, NoteType]:
    fields: dict[int, list[str]] = {}
    for ntid, _, name in db.execute("SELECT ntid, ord, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(ntid, []).append(name)
    templates: dict[int, list[tuple[str, str]]] = {}
    for ntid, config in db.execute("SELECT ntid, config FROM templates ORDER BY ntid, ord"):
        message = protowire.read_message(config)  # Notetype.Template.Config: 1 q_format, 2 a_format
        templates.setdefault(ntid, []).append((protowire.first_text(message, 1), protowire.first_text(message, 2)))
    types = {}
    for ntid, name, config in db.execute("SELECT id, name, config FROM notetypes"):
        cloze = protowire.first_int(protowire.read_message(config), 1) == 1  # Config.kind: 1 = cloze
        kind = _shown_fields(fields.get(ntid, []), templates.get(ntid, []), cloze)
        kind.name = name
        types[ntid] = kind
    return types


def _decks_v18(db: sqlite3.Connection) -> dict[int, str]:
    return {did: name.replace("\x1f", "::") for did, name in db.execute("SELECT id, name FROM decks")}
