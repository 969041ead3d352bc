"""A PDF image rewritten to what its page draws, with nothing that points outside the file.

pdfTeX copies an included page's objects into the output as they are: a Form XObject whose /F
names /etc/passwd (stream data kept in an external file), a /Ref to another PDF, an OPI proxy, a
URI or JavaScript action would reach flashcards.pdf and act in the reader that opens it. So a PDF
image is rebuilt before TeX sees it: one new page with the old page's box, its content streams
(copied encoded, never inflated here) and the resources they need, copied object by object with
every key that names a file or an action dropped at any depth.
"""
from __future__ import annotations

import io
import logging
import math

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, DictionaryObject, EncodedStreamObject, FloatObject, IndirectObject,
                           NameObject, NullObject, NumberObject, PdfObject, StreamObject)

from builder.files import ImageError

logging.getLogger("pypdf").addHandler(logging.NullHandler())  # its notes are not for the user

MAX_OBJECTS = 100_000  # objects one page's drawing may need; a detailed chart has a few thousand
MAX_DEPTH = 100  # dictionaries and arrays inside each other
MAX_PAGE_SIDE = 14_400  # pt: 200 inches, the largest page PDF readers are required to show

# Keys that name a file or another document, or make the reader act; dropped wherever they are.
# (/F is a stream's external data file, /FS a file specification, /Ref a page of another PDF.)
DROPPED_KEYS = frozenset("""/F /FS /FFilter /FDecodeParms /EF /RF /Ref /OPI /URI /URL /Launch /GoToR /GoToE
    /ImportData /SubmitForm /ResetForm /JavaScript /JS /EmbeddedFile /EmbeddedFiles /AA /OpenAction /A /Next
    /Annots /AcroForm /Names /Dests /Outlines /Metadata /PieceInfo /Parent /P /XFA /Collection /Threads
    /RichMedia /Movie /Sound /Sig""".split())
# Objects of these types are left out whole (a null in their place).
DROPPED_TYPES = frozenset("/Filespec /EmbeddedFile /Action /Annot /Sig /Catalog /Pages /Page".split())
PAGE_KEYS = ("/Resources", "/Group")  # of the page dictionary itself, besides its box and contents


def clean_pdf(data: bytes) -> bytes:
    """`data`'s single page rebuilt (see the module's docstring), or ImageError."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ImageError("is an encrypted PDF", hint="save it again without a password")
        if len(reader.pages) != 1:
            raise ImageError(f"is a PDF of {len(reader.pages)} pages; an image is one page",
                             hint="save the page you want as a PDF of its own")
        page = reader.pages[0]
        box = _page_box(page)
        rotate = int(page.get("/Rotate", 0) or 0) % 360
        writer = PdfWriter()
        copier = _Copier(writer)
        new = writer.add_blank_page(1, 1)
        new[NameObject("/MediaBox")] = ArrayObject(FloatObject(v) for v in box)
        if rotate in (90, 180, 270):
            new[NameObject("/Rotate")] = NumberObject(rotate)
        for key in PAGE_KEYS:
            if key in page:
                new[NameObject(key)] = copier.copy(page.raw_get(key))
        contents = page.raw_get("/Contents") if "/Contents" in page else None
        if contents is not None:
            new[NameObject("/Contents")] = copier.copy(contents)
        out = io.BytesIO()
        writer.write(out)
    except ImageError:
        raise
    except RecursionError:
        raise ImageError("is a PDF nested too deeply to read") from None
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on a damaged file
        raise ImageError(f"is a damaged PDF ({type(exc).__name__}: {str(exc)[:80]})") from None
    return out.getvalue()


def _page_box(page) -> tuple[float, float, float, float]:
    """The page's visible box (its crop box inside its media box), checked to be a real page."""
    media = [float(v) for v in page.mediabox]
    crop = [float(v) for v in page.cropbox]
    x0, y0 = max(min(media[0], media[2]), min(crop[0], crop[2])), max(min(media[1], media[3]), min(crop[1], crop[3]))
    x1, y1 = min(max(media[0], media[2]), max(crop[0], crop[2])), min(max(media[1], media[3]), max(crop[1], crop[3]))
    w, h = x1 - x0, y1 - y0
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)) or not (0 < w <= MAX_PAGE_SIDE and 0 < h <= MAX_PAGE_SIDE):
        raise ImageError(f"is a PDF whose page box [{x0:g} {y0:g} {x1:g} {y1:g}] is not a page "
                         f"(a side of more than 0 and at most {MAX_PAGE_SIDE} pt)")
    return x0, y0, x1, y1


class _Copier:
    """Copies objects from the reader into the writer once each (a shared font stays shared,
    cycles end), leaving out DROPPED_KEYS and DROPPED_TYPES."""

    def __init__(self, writer: PdfWriter):
        self.writer = writer
        self.done: dict[tuple[int, int], IndirectObject] = {}

    def copy(self, obj: PdfObject, depth: int = 0) -> PdfObject:
        if depth > MAX_DEPTH:
            raise ImageError(f"is a PDF nested more than {MAX_DEPTH} levels deep")
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key not in self.done:
                target = obj.get_object()
                if _dropped(target):
                    return NullObject()
                if len(self.done) >= MAX_OBJECTS:
                    raise ImageError(f"is a PDF whose page needs more than {MAX_OBJECTS} objects")
                shell = EncodedStreamObject() if isinstance(target, StreamObject) else \
                    DictionaryObject() if isinstance(target, DictionaryObject) else \
                    ArrayObject() if isinstance(target, ArrayObject) else None
                if shell is None:  # a number, name or string: nothing can point anywhere from it
                    self.done[key] = self.writer._add_object(self._plain(target))
                else:
                    self.done[key] = self.writer._add_object(shell)
                    self._fill(shell, target, depth)
            return self.done[key]
        if _dropped(obj):
            return NullObject()
        if isinstance(obj, StreamObject):
            shell = EncodedStreamObject()
        elif isinstance(obj, DictionaryObject):
            shell = DictionaryObject()
        elif isinstance(obj, ArrayObject):
            shell = ArrayObject()
        else:
            return self._plain(obj)
        self._fill(shell, obj, depth)
        return shell

    def _fill(self, shell, source, depth: int) -> None:
        if isinstance(source, ArrayObject):
            shell.extend(self.copy(item, depth + 1) for item in source)
            return
        for key, value in source.items():
            if key in DROPPED_KEYS or key == "/Length":
                continue
            shell[NameObject(key)] = self.copy(value, depth + 1)
        if isinstance(source, StreamObject):
            shell._data = source._data  # encoded as it was, its /Filter kept: never inflated here

    @staticmethod
    def _plain(obj: PdfObject) -> PdfObject:
        return obj  # a number, name, string, boolean or null: written the same from any file


def _dropped(obj: PdfObject) -> bool:
    if not isinstance(obj, DictionaryObject):
        return False
    kind = obj.get("/Type")
    return (kind in DROPPED_TYPES or obj.get("/S") in ("/JavaScript", "/Launch", "/URI", "/GoToR", "/GoToE",
                                                        "/ImportData", "/SubmitForm")
            or kind == "/XObject" and obj.get("/Subtype") == "/PS" or obj.get("/Subtype") == "/PS")
