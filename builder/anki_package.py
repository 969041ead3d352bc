"""A deck as an Anki package (.apkg): one note per card, in subdecks `Title::Section`.

The package is written with genanki (the legacy `collection.anki2` inside the zip, which every
current Anki imports: desktop, AnkiDroid, AnkiMobile). What decides how a re-import behaves:
- each note's GUID and id come from the deck's title and the card's id, so a newer export of the
  same deck updates the notes already there (Anki matches notes by GUID) instead of adding copies,
  and keeps their cards, so their review history stays;
- each note's modification time is the time of the export: Anki replaces a note it holds only by
  one modified later, so a fixed time would make every re-import change nothing;
- the note type has a fixed id, fields and modification time (NOTETYPE_MTIME): Anki updates its
  copy only from a newer one, so a user's own changes to the styling survive re-imports until
  fiszki's templates change.
Everything else in the package is the same for the same deck.

`export_anki` renders and packs in memory and runs no TeX; `write_package` writes the file.
"""
from __future__ import annotations

import hashlib
import io
import itertools
import json
import re
import sqlite3
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import genanki

from builder.errors import Problem
from builder.html import CardHtml, HtmlContext, card_html
from builder.files import atomic_write

if TYPE_CHECKING:
    from builder.deck import Card, Deck

NOTETYPE_ID = 1_599_004_471_227  # fixed forever: Anki recognises the note type by it
NOTETYPE_NAME = "fiszki"
FIELDS = ("Question", "Answer", "Section", "Card")  # never rename or reorder: Anki would fork the type
TEMPLATE_NAME = "Fiszka"
FRONT = """\
<div class="fz-meta"><span class="fz-section">{{Section}}</span><span class="fz-card">{{Card}}</span></div>
<div class="fz-question">{{Question}}</div>"""
BACK = """\
{{FrontSide}}
<hr id="answer">
<div class="fz-answer">{{Answer}}</div>"""
# No colours of its own for text and background: Anki's light and dark modes (desktop, AnkiDroid,
# AnkiMobile) set them; lines and shading are translucent grey, which reads on both.
CSS = """\
.card { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif;
  font-size: 20px; line-height: 1.45; text-align: left; max-width: 42em; margin: 0 auto; padding: 0 .5em;
  overflow-wrap: break-word; }
.fz-meta { display: flex; justify-content: space-between; gap: 1em; font-size: .7em; opacity: .6; margin-bottom: .6em; }
.fz-question { font-size: 1.15em; font-weight: 600; }
.fz-front { font-weight: normal; font-size: .9em; margin-top: .5em; }
hr#answer { border: 0; border-top: 1px solid rgba(128, 128, 128, .45); margin: 1em 0; }
.fz-math { overflow-x: auto; overflow-y: hidden; padding: .1em 0; }
table { border-collapse: collapse; display: block; overflow-x: auto; max-width: 100%; margin: .5em 0; }
th, td { border: 1px solid rgba(128, 128, 128, .45); padding: .25em .6em; vertical-align: top; }
th { background: rgba(128, 128, 128, .12); }
code { font-family: ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: .9em;
  background: rgba(128, 128, 128, .15); border-radius: 3px; padding: 0 .2em; }
pre { background: rgba(128, 128, 128, .12); padding: .5em .7em; border-radius: 4px; overflow-x: auto; }
pre code { background: none; padding: 0; }
blockquote { margin: .5em 0; padding-left: .8em; border-left: 3px solid rgba(128, 128, 128, .45); }
img { max-width: 100%; height: auto; }
.plot img { background: #fff; border-radius: 4px; padding: .3em; }  /* drawn in black: readable at night */
ul, ol { padding-left: 1.4em; }
.fz-error { color: #d93036; font-family: monospace; font-size: .85em; }
"""
# Change FRONT, BACK or CSS, and set these two anew (the time of the change, and notetype_digest()):
# Anki takes a changed note type only with a newer time. A test holds them together.
NOTETYPE_MTIME = 1_796_446_800  # 2026-12-05 05:00
NOTETYPE_DIGEST = "1eadbe112014182b"

_ID_BASE, _ID_SPAN = 10**12, 5 * 10**11  # ids read as creation times in 2001-2017: never "added today"


def notetype_digest() -> str:
    return hashlib.sha256("\0".join((*FIELDS, TEMPLATE_NAME, FRONT, BACK, CSS)).encode()).hexdigest()[:16]


def _stable_id(*parts: str) -> int:
    digest = hashlib.sha256("\0".join(parts).encode()).digest()
    return _ID_BASE + int.from_bytes(digest[:8], "big") % _ID_SPAN


def note_guid(deck: Deck, card: Card) -> str:
    """The note's identity in Anki: the deck (by title) and the card's id."""
    return genanki.guid_for("fiszki", deck.title, card.id)


def _deck_part(text: str) -> str:
    """A deck name component: `::` would nest a deck, so it loses a colon."""
    return re.sub(r"::+", ":", " ".join(unicodedata.normalize("NFC", text).split())).strip() or "?"


def anki_deck_name(deck: Deck, section: str) -> str:
    title = _deck_part(deck.title)
    return f"{title}::{_deck_part(section)}" if section.strip() else title


def anki_tag(text: str) -> str:
    """A tag Anki keeps as written: no spaces or quotes; `a::b` stays a hierarchy."""
    tag = "_".join(unicodedata.normalize("NFC", text).replace('"', "").split())
    return re.sub(r":{3,}", "::", tag).strip(":")


@dataclass
class AnkiPackage:
    data: bytes  # the .apkg file
    filename: str  # DECKNAME.apkg
    notes: int
    media: int
    problems: list[Problem] = field(default_factory=list)  # content Anki would not show as written
    warnings: list[Problem] = field(default_factory=list)
    summary: str = ""
    reads: dict[str, str] = field(default_factory=dict)  # the deck's files it read (→ sha256): the cache's


def export_anki(deck: Deck, cards: list[Card], *, now: float | None = None) -> AnkiPackage:
    """The cards (each once, as the deck reader made them) as an Anki package; `now` is the notes'
    modification time (default: the current time, which is what lets a re-import update them)."""
    if len({card.id for card in cards}) != len(cards):
        raise ValueError("export_anki takes each card once (not split into parts)")
    ctx = HtmlContext(deck.path.parent, deck.display_path)
    rendered = [(card, card_html(ctx, card)) for card in cards]
    model = genanki.Model(NOTETYPE_ID, NOTETYPE_NAME, fields=[{"name": name} for name in FIELDS],
                          templates=[{"name": TEMPLATE_NAME, "qfmt": FRONT, "afmt": BACK}], css=CSS)
    decks = _anki_decks(deck, cards)
    for position, (card, sides) in enumerate(rendered):
        decks[anki_deck_name(deck, card.section)].add_note(_note(deck, card, sides, model, position))
    collection = _collection(deck, list(decks.values()), rendered, int(time.time() if now is None else now))
    data = _zip(collection, ctx.media)
    subdecks = len({card.section for card in cards if card.section.strip()})
    summary = (f"{len(cards)} notes in “{_deck_part(deck.title)}”" + (f" ({subdecks} subdecks)" if subdecks else "")
               + f", {len(ctx.media)} media file{'s' * (len(ctx.media) != 1)}")
    return AnkiPackage(data, f"{deck.name}.apkg", len(cards), len(ctx.media), ctx.problems, ctx.warnings, summary,
                       ctx.reads)


def _anki_decks(deck: Deck, cards: list[Card]) -> dict[str, genanki.Deck]:
    """The title's deck (described by the front matter) and one subdeck per section, in deck order."""
    about = " · ".join(deck.meta[key] for key in ("subtitle", "course", "author", "date") if deck.meta.get(key))
    names = [anki_deck_name(deck, "")] + [anki_deck_name(deck, card.section) for card in cards]
    decks = {name: genanki.Deck(_stable_id("deck", name), name) for name in dict.fromkeys(names)}
    decks[names[0]].description = escape(about)
    return decks


def _note(deck: Deck, card: Card, sides: CardHtml, model: genanki.Model, position: int) -> genanki.Note:
    tags = [anki_tag(tag) for tag in (*card.tags, card.section)]
    label = f"#{card.number} · {card.id}"
    return genanki.Note(model=model, fields=[sides.question, sides.answer, escape(card.section), escape(label)],
                        tags=list(dict.fromkeys(tag for tag in tags if tag)), guid=note_guid(deck, card),
                        due=position)


def _collection(deck: Deck, decks: list[genanki.Deck], rendered: list[tuple[Card, CardHtml]], mtime: int) -> bytes:
    """collection.anki2 as genanki writes it, then each note's id made stable and its time real."""
    conn = sqlite3.connect(":memory:")
    try:
        genanki.Package(decks).write_to_db(conn.cursor(), NOTETYPE_MTIME, itertools.count(1))
        for card, _ in rendered:
            guid = note_guid(deck, card)
            (old_id,) = conn.execute("SELECT id FROM notes WHERE guid = ?", (guid,)).fetchone()
            new_id = _stable_id("note", guid)
            conn.execute("UPDATE notes SET id = ?, mod = ? WHERE id = ?", (new_id, mtime, old_id))
            conn.execute("UPDATE cards SET id = ?, nid = ? WHERE nid = ?", (_stable_id("card", guid), new_id, old_id))
        conn.commit()
        conn.execute("VACUUM")
        return conn.serialize()
    finally:
        conn.close()


def _zip(collection: bytes, media: dict[str, bytes]) -> bytes:
    """The .apkg: the collection, the media map ({"0": "img-….png"}) and the media files as 0, 1, …"""
    names = sorted(media)
    members = [("collection.anki2", collection), ("media", json.dumps({str(i): n for i, n in enumerate(names)}).encode())]
    members += [(str(i), media[name]) for i, name in enumerate(names)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def write_package(package: AnkiPackage, folder: Path) -> Path:
    """Write the package into `folder` (atomically: the old file or the new, never half); returns its path."""
    path = folder / package.filename
    atomic_write(path, package.data)
    return path
