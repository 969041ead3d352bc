"""A duplex flashcards PDF taken apart into its front pages and its back pages: two PDFs for a
printer that prints one side at a time (print the fronts, turn the stack, print the backs).

The pages are the duplex PDF's own, moved with pypdf, not typeset again: each back is exactly the
page that would have printed behind its front, back offset included. Each file records itself as
made in mode fronts or backs, so `fiszki check` holds every page to its side.
"""
from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, BooleanObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from builder.tex.contract import INFO_KEY


def split_sides(pdf: bytes, reverse: bool) -> tuple[bytes, bytes]:
    """(fronts, backs) of a duplex flashcards PDF; with `reverse` the backs come last sheet first."""
    reader = PdfReader(io.BytesIO(pdf))
    count = len(reader.pages)
    backs = list(range(1, count, 2))
    return (_one_side(reader, list(range(0, count, 2)), "fronts", False),
            _one_side(reader, backs[::-1] if reverse else backs, "backs", reverse))


def _one_side(reader: PdfReader, pages: list[int], mode: str, reverse: bool) -> bytes:
    writer = PdfWriter()
    for index in pages:
        writer.add_page(reader.pages[index])
    record = reader.trailer["/Root"][INFO_KEY].clone(writer)  # its /Questions stream comes along
    record[NameObject("/Mode")] = NameObject(f"/{mode}")
    record[NameObject("/Reverse")] = BooleanObject(reverse)
    record[NameObject("/Sides")] = NumberObject(int(record["/Cards"]))
    root = writer.root_object
    root[NameObject(INFO_KEY)] = record
    labels = reader.page_labels
    numbers = ArrayObject()
    for position, index in enumerate(pages):
        numbers += [NumberObject(position),
                    DictionaryObject({NameObject("/P"): TextStringObject(labels[index])})]
    root[NameObject("/PageLabels")] = DictionaryObject({NameObject("/Nums"): numbers})
    info = reader.metadata or {}
    writer.add_metadata({key: info[key] for key in ("/Title", "/Creator") if key in info})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
