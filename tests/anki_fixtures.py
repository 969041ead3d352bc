"""Real Anki packages for the import tests, written by Anki's own library (the `anki` package).

Made at test time rather than committed: what the installed Anki writes today is what the
importer must read, and a new Anki release that changes the format shows up as a failing test
instead of hiding behind an old fixture. One collection holds every case; it is exported as
the current format (collection.anki21b), the legacy one (collection.anki21), a collection
package (.colpkg), and, rebuilt from the legacy export, an Anki 2.0 package (collection.anki2,
no meta), which Anki itself is then asked to import, so it is a package Anki reads.
"""
from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.importing import png

CELL_PNG = png(40, 20, (200, 30, 30))
ATP_PNG = png(20, 40, (30, 30, 200))
UNUSED_PNG = png(8, 8, (0, 200, 0))
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"


@dataclass
class AnkiFixtures:
    latest: Path  # .apkg, collection.anki21b
    legacy: Path  # .apkg, collection.anki21
    anki2: Path  # .apkg as Anki 2.0 wrote it: collection.anki2, no meta
    colpkg: Path  # .colpkg, collection.anki21b
    note_ids: dict[str, int] = field(default_factory=dict)  # name -> Anki note id


# (name, note type, deck, fields, tags)
NOTES = [
    ("basic", "Basic", "Science::Biology::Cells",
     {"Front": "What does the <b>mitochondrion</b> make?",
      "Back": "<div>It makes <i>ATP</i> &amp; heat:&nbsp;\\(E = mc^2\\)</div><div><br></div>"
              "<div><img src=\"cell.png\"></div><div>Water is H<sub>2</sub>O, area is r<sup>2</sup>.</div>"},
     ["bio", "ML::basics"]),
    ("reversed", "Basic (and reversed card)", "Science::Biology::Cells",
     {"Front": "Nucleus", "Back": "Holds the <u>DNA</u> of the cell"}, ["bio"]),
    ("optional", "Basic (optional reversed card)", "Science::Biology::Cells",
     {"Front": "Ribosome", "Back": "Builds proteins", "Add Reverse": "y"}, []),
    ("typed", "Basic (type in the answer)", "Science::Biology::Genetics",
     {"Front": "How many chromosomes does a human cell hold?", "Back": "46"}, ["numbers"]),
    ("list", "Basic", "Science::Biology::Genetics",
     {"Front": "Which bases does DNA use?",
      "Back": "<ul><li>adenine<ul><li>pairs with thymine</li></ul></li><li>guanine</li></ul>"
              "<ol><li>first</li><li>second</li></ol>"}, []),
    ("table", "Basic", "Science::Chemistry",
     {"Front": "Name the first elements",
      "Back": "<table><tr><td><b>Symbol</b></td><td>Name</td></tr><tr><td>H</td><td>hydrogen</td></tr>"
              "<tr><td>He</td><td>helium</td></tr></table><p>Display math:</p>\\[\\sum_{i=1}^{n} x_i\\]"},
     []),
    ("cloze", "Cloze", "Science::Chemistry",
     {"Text": "{{c1::Water}} boils at {{c2::100 °C::temperature}} and \\(E = {{c3::mc^2}}\\)",
      "Back Extra": "At sea level"}, ["cloze"]),
    ("sound", "Basic", "Science::Chemistry",
     {"Front": "What does a <span style=\"color: red\">flame test</span> show? [sound:flame.mp3]",
      "Back": "The metal in a salt <img src=\"flame.gif\"> <img src=\"atp.png\">"}, []),
    ("vocab", "Vocab", "Science::Chemistry",
     {"Word": "Katalizator", "Meaning": "Catalyst", "Example": "Enzymes are catalysts"}, ["pl"]),
]


def make_packages(folder: Path) -> AnkiFixtures:
    from anki.collection import Collection, ExportAnkiPackageOptions

    col = Collection(str(folder / "collection.anki2"))
    try:
        _vocab_type(col)
        media = {"cell.png": CELL_PNG, "atp.png": ATP_PNG, "unused.png": UNUSED_PNG, "flame.gif": GIF}
        for name, data in media.items():
            col.media.write_data(name, data)
        ids = {}
        for name, note_type, deck, values, tags in NOTES:
            note = col.new_note(col.models.by_name(note_type))
            for key, value in values.items():
                note[key] = value
            note.tags = tags
            col.add_note(note, col.decks.id(deck))
            ids[name] = note.id
        fixtures = AnkiFixtures(folder / "latest.apkg", folder / "legacy.apkg", folder / "anki2.apkg",
                                folder / "collection.colpkg", ids)
        options = ExportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False, with_media=True,
                                           legacy=False)
        col.export_anki_package(out_path=str(fixtures.latest), options=options, limit=None)
        options.legacy = True
        col.export_anki_package(out_path=str(fixtures.legacy), options=options, limit=None)
        col.export_collection_package(str(fixtures.colpkg), include_media=True, legacy=False)
    finally:
        col.close()
    _as_anki_2_0(fixtures.legacy, fixtures.anki2)
    return fixtures


def _vocab_type(col) -> None:
    models = col.models
    vocab = models.new("Vocab")
    for name in ("Word", "Meaning", "Example"):
        models.add_field(vocab, models.new_field(name))
    template = models.new_template("Card 1")
    template["qfmt"] = "{{Word}}"
    template["afmt"] = "{{FrontSide}}<hr id=answer>{{Meaning}}<br>{{Example}}"
    models.add_template(vocab, template)
    models.add(vocab)


def _as_anki_2_0(legacy: Path, out: Path) -> None:
    """The legacy export rewritten as Anki 2.0 wrote packages: collection.anki2, JSON media, no meta."""
    with zipfile.ZipFile(legacy) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("collection.anki2", source.read("collection.anki21"))
        media = json.loads(source.read("media"))
        target.writestr("media", json.dumps(media))
        for index in media:
            target.writestr(index, source.read(index))


def anki_reads(package: Path, folder: Path) -> list[str]:
    """The first fields of the notes Anki itself imports from `package` into a new collection."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col = Collection(str(folder / "check.anki2"))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package),
                                                         options=ImportAnkiPackageOptions(with_scheduling=False)))
        return sorted(col.get_note(nid).fields[0] for nid in col.find_notes(""))
    finally:
        col.close()
