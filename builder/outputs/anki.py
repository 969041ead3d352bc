"""The Anki output: the selected cards as an Anki package (DECKNAME.apkg), for spaced repetition on a
computer or a phone. No TeX: the package holds HTML and MathJax (builder/anki_package.py); plot
blocks are shown as the pictures the cards print."""
from __future__ import annotations

import io
import sqlite3
import zipfile
from pathlib import Path

from builder.anki_package import export_anki
from builder.errors import ContentError, FiszkiError
from builder.outputs.base import Output, Result, Work


class AnkiOutput(Output):
    name, title = "anki", "Anki package"
    deck_order = True  # notes are kept in the deck's order (Anki shows new cards in that order)
    names_deck = True  # DECKNAME.apkg: the file says which deck it is

    def build(self, work: Work) -> Result:
        cards = [card for card in work.cards if not card.part]  # each card once
        package = export_anki(self.deck, cards)
        self.notes = package.notes
        if package.problems and not work.keep_going:
            raise ContentError(package.problems)
        return Result({package.filename: package.data}, package.summary, package.warnings,
                      package.problems, package.reads)

    def check(self, result: Result, path: Path) -> None:
        """The package opens as Anki opens it: a zip holding the collection, one note per card, and
        every media file its map names."""
        data = result.main[1]
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                bad = package.testzip()
                names = set(package.namelist())
                collection = package.read("collection.anki2")
            connection = sqlite3.connect(":memory:")
            try:
                connection.deserialize(collection)
                notes = connection.execute("select count(*) from notes").fetchone()[0]
            finally:
                connection.close()
        except (zipfile.BadZipFile, KeyError, sqlite3.Error) as exc:
            raise FiszkiError(f"{path}: the finished package failed its check ({exc}), previous output kept") from None
        if bad or "media" not in names or notes != self.notes:
            raise FiszkiError(f"{path}: the finished package failed its check ({notes} notes for {self.notes} "
                              "cards), previous output kept")


OUTPUT = AnkiOutput
