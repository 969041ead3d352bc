"""Just enough PDF reading for `fiszki check`: objects by number and the page tree, never page content.

Why not pypdf here: pypdf parses objects in pure Python byte by byte (about 0.2 ms for each small
dictionary, plus 0.16 s to import). A 1000-card sheet set holds about 6000 small objects (card
and crop-mark annotations), so a pypdf check took 1.3 s. This reader cuts each object stream into
tokens with one regular expression (a single C-speed pass) and builds the objects from them.

It reads classic and stream cross-reference tables (PNG predictors included), object streams,
hybrid files and incremental updates; a file whose cross-reference table is broken is read by
scanning for its objects, as viewers do, and says so (`recovered`). Encrypted files and streams
packed with anything but Flate are refused. Values come back as plain Python: dict (keys keep
their slash, like pypdf), list, int, float, bool, None, str for text strings, Name for names,
Ref for references and Stream for streams (a dict that can decode its data).
"""
from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from functools import cached_property


class PdfError(Exception):
    """The file cannot be read as a PDF; the message says why, in words for the user."""


# What a damaged structure raises while being read: a reason to scan the file for its objects.
_BROKEN = (PdfError, ValueError, IndexError, KeyError, TypeError)


class Name(str):
    """A PDF name such as '/Flashcards' (kept with its slash, so it compares like pypdf's)."""


@dataclass(frozen=True)
class Ref:
    num: int
    gen: int = 0


class Stream(dict):
    """A stream's dictionary; the data is decoded only when asked for."""

    def __init__(self, entries: dict, doc: "PdfDocument", start: int, length: int):
        super().__init__(entries)
        self._doc, self._start, self._length = doc, start, length

    def data(self) -> bytes:
        resolve = self._doc.resolve
        raw = self._doc.buf[self._start : self._start + self._length]
        filters, parms = resolve(self.get("/Filter")), resolve(self.get("/DecodeParms"))
        filters = [resolve(f) for f in filters] if isinstance(filters, list) else [filters] if filters else []
        parms = [resolve(p) for p in parms] if isinstance(parms, list) else [parms] * len(filters)
        return _decode(raw, filters, parms)


_WS = rb"[\x00\t\n\x0c\r ]"
_REGULAR = rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]"  # a character that is not whitespace or a delimiter
# Whitespace, then comments (each running to the end of its line) and whitespace. Every pattern
# here has one way to match any text: otherwise a damaged file makes the regex backtrack for hours.
_SKIP = _WS + rb"*(?:%[^\r\n]*(?![^\r\n])" + _WS + rb"*)*"
# (literal strings): escapes, and balanced parentheses nested two deep (unrolled: no backtracking)
_S0 = rb"[^()\\]*(?:\\[\s\S][^()\\]*)*"
_S1 = _S0 + rb"(?:\(" + _S0 + rb"\)" + _S0 + rb")*"
_S2 = _S0 + rb"(?:\(" + _S1 + rb"\)" + _S0 + rb")*"
# One token per match; anything else is a one-byte token the parser rejects, so nothing is skipped.
_NUMBER = rb"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"  # one way to match any digits: no backtracking blow-up
_TOKEN = re.compile(_SKIP + rb"(" + rb"|".join([
    rb"\d+" + _WS + rb"+\d+" + _WS + rb"+R(?!" + _REGULAR + rb")",  # reference, e.g. 12 0 R
    # An array of plain numbers (/Rect, /MediaBox, …) as one token: fewer tokens, faster parsing.
    rb"\[[\t\n\x0c\r ]*(?:" + _NUMBER + rb"(?:[\t\n\x0c\r ]+" + _NUMBER + rb")*)?[\t\n\x0c\r ]*\]",
    _NUMBER,
    rb"/" + _REGULAR + rb"*",
    rb"<<", rb">>", rb"\[", rb"\]",
    rb"<[0-9A-Fa-f\x00\t\n\x0c\r ]*>",
    rb"\(" + _S2 + rb"\)",
    rb"[A-Za-z_]+",
    rb"[^\x00\t\n\x0c\r ]",
    rb"\Z",  # the end: an empty token, so trailing comments match once instead of failing slowly
]) + rb")")
_OBJ_HEADER = re.compile(_SKIP + rb"(\d+)" + _WS + rb"+(\d+)" + _WS + rb"+obj(?!" + _REGULAR + rb")")
_STREAM_START = re.compile(_SKIP + rb"stream(?:\r\n|\n|\r)?")
_STRING_ESCAPE = re.compile(rb"\\([0-7]{1,3}|\r\n|[\s\S])")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"\n": b"", b"\r": b"", b"\r\n": b""}
_WORDS = {b"true": True, b"false": False, b"null": None}
_NAMES: dict[bytes, Name] = {}  # the same few names recur thousands of times


def text(raw: bytes) -> str:
    """A PDF text string: UTF-16 with a byte-order mark, UTF-8 with one, else PDFDocEncoding."""
    if raw[:2] == b"\xfe\xff":
        return raw[2:].decode("utf-16-be", errors="replace")
    if raw[:3] == b"\xef\xbb\xbf":
        return raw[3:].decode("utf-8", errors="replace")
    return raw.decode("latin-1")  # PDFDocEncoding differs only in a few symbols


def _unescape(match: re.Match) -> bytes:
    code = match.group(1)
    if code[0] in b"01234567":
        return bytes([int(code, 8) & 0xFF])
    return _ESCAPES.get(code, code)


def _name(token: bytes) -> Name:
    name = _NAMES.get(token)
    if name is None:
        raw = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), token)
        name = _NAMES[token] = Name(raw.decode("utf-8", errors="replace"))
    return name


def _values(tokens, count: int) -> list:
    """Build `count` complete objects from an iterable of tokens (bytes). The hot loop: keep it lean."""
    try:
        return _build(tokens, count)
    except ValueError as exc:  # "-" or "." alone, where a number belongs
        raise PdfError(f"a damaged number ({exc})") from None


def _build(tokens, count: int) -> list:
    out: list = []
    stack: list[list] = []  # open arrays and dictionaries (a dictionary as a flat key, value list)
    kinds: list[bool] = []  # True where the open container is a dictionary
    names = _NAMES
    for tok in tokens:
        if not tok:
            break
        c = tok[0]
        if c == 47:  # /name
            value = names.get(tok) or _name(tok)
        elif 48 <= c <= 57 or c == 45 or c == 46 or c == 43:  # digit - . +
            if tok[-1] == 82:  # R
                num, gen, _ = tok.split()
                value = Ref(int(num), int(gen))
            elif 46 in tok:
                value = float(tok)
            else:
                value = int(tok)
        elif c == 60 and tok == b"<<" or tok == b"[":
            stack.append([])
            kinds.append(c == 60)
            continue
        elif tok == b">>" or tok == b"]":
            if not stack or kinds[-1] != (c == 62):
                raise PdfError(f"unbalanced {tok.decode()}")
            items = stack.pop()
            if kinds.pop():
                if len(items) % 2:
                    raise PdfError("a dictionary key has no value")
                it = iter(items)
                value = dict(zip(it, it))
            else:
                value = items
        elif c == 91:  # [numbers]
            value = [float(x) if 46 in x else int(x) for x in tok[1:-1].split()]
        elif c == 40 and tok[-1] == 41 and len(tok) > 1:  # (string)
            raw = tok[1:-1]
            value = text(_STRING_ESCAPE.sub(_unescape, raw) if 92 in raw else raw)
        elif c == 60 and tok[-1] == 62 and len(tok) > 1:  # <hex string>
            digits = re.sub(rb"[^0-9A-Fa-f]", b"", tok)
            value = text(bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode()))
        elif tok in _WORDS:
            value = _WORDS[tok]
        else:  # a lone ( or < that opens nothing readable, a stray ) or }, a keyword out of place
            raise PdfError(f"unexpected {tok[:20].decode('latin-1')!r}")
        if stack:
            stack[-1].append(value)
            continue
        out.append(value)
        if len(out) == count:
            return out
    raise PdfError("an object is cut short")


def parse(buf: bytes, pos: int):
    """One object starting at pos -> (value, position after it)."""
    end = [pos]

    def tokens():
        for m in _TOKEN.finditer(buf, pos):
            end[0] = m.end()
            yield m.group(1)

    value = _values(tokens(), 1)[0]
    return value, end[0]


def _png_unpredict(data: bytes, columns: int) -> bytes:
    """Undo PNG row predictors (how qpdf and others pack cross-reference streams)."""
    out, prev, row = bytearray(), bytearray(columns), columns + 1
    for start in range(0, len(data) - columns, row):
        kind, line = data[start], bytearray(data[start + 1 : start + row])
        for i in range(columns):
            left = line[i - 1] if i else 0
            up, corner = prev[i], prev[i - 1] if i else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        out += line
        prev = line
    return bytes(out)


def _decode(raw: bytes, filters: list, parms: list) -> bytes:
    data = raw
    for f, p in zip(filters, parms):
        if f not in ("/FlateDecode", "/Fl"):
            raise PdfError(f"uses the {str(f).lstrip('/')} filter for its structure, which fiszki cannot read")
        try:
            data = zlib.decompressobj().decompress(data)
        except zlib.error as exc:
            raise PdfError(f"a compressed part is damaged ({exc})") from None
        p = p if isinstance(p, dict) else {}
        predictor = int(p.get("/Predictor", 1))
        if predictor >= 10:
            data = _png_unpredict(data, int(p.get("/Columns", 1)) * int(p.get("/Colors", 1)))
        elif predictor != 1:
            raise PdfError(f"uses predictor {predictor}, which fiszki cannot read")
    return data


@dataclass
class Page:
    number: int  # 1-based, in print order
    obj: dict  # the page dictionary
    mediabox: tuple[float, float, float, float]  # x0, y0, x1, y1
    box: tuple[float, float, float, float]  # what is printed: the crop box inside the media box
    rotate: int
    resources: dict

    @property
    def size(self) -> tuple[float, float]:
        return self.box[2] - self.box[0], self.box[3] - self.box[1]


def _box(value, doc: "PdfDocument") -> tuple[float, float, float, float] | None:
    value = doc.resolve(value)
    if not isinstance(value, list) or len(value) != 4:
        return None
    x0, y0, x1, y1 = (number(doc.resolve(v)) for v in value)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def number(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PdfError(f"expected a number, found {value!r}")
    return float(value)


class PdfDocument:
    """Objects of one PDF in memory, read on demand."""

    def __init__(self, data: bytes):
        if not data.lstrip(b"\x00\t\n\x0c\r ")[:5] == b"%PDF-":
            raise PdfError("not a PDF file")
        self.buf = data
        self._where: dict[int, tuple] = {}  # number -> ("at", offset) | ("in", stream number, index)
        self._cache: dict[int, object] = {}
        self._objstm: dict[int, dict[int, object]] = {}
        self.recovered = False  # True when the cross-reference was broken and objects were found by scanning
        try:
            self.trailer = self._read_xref_chain()
        except _BROKEN:
            self._recover()
        if "/Encrypt" in self.trailer:
            raise PdfError("the PDF is encrypted")
        try:
            self.catalog = self._catalog()
        except _BROKEN as exc:
            if self.recovered:
                raise PdfError(f"no readable catalog ({exc})") from None
            self._recover()  # the table was readable but points at the wrong places
            self.catalog = self._catalog()

    def _catalog(self) -> dict:
        catalog = self.resolve(self.trailer.get("/Root"))
        if not isinstance(catalog, dict):
            raise PdfError("it has no document catalog")
        return catalog

    def _recover(self) -> None:
        self.recovered = True
        self.trailer = self._rebuild_xref()

    # --- cross-reference ------------------------------------------------------------------------

    def _read_xref_chain(self) -> dict:
        at = self.buf.rfind(b"startxref")
        m = re.match(rb"startxref" + _SKIP + rb"(\d+)", self.buf[at:]) if at >= 0 else None
        if not m:
            raise PdfError("no startxref")
        offset, trailer, seen = int(m.group(1)), None, set()
        while offset is not None and offset not in seen:
            seen.add(offset)
            section = self._read_xref_section(offset)
            trailer = trailer or section
            prev = section.get("/Prev")
            offset = int(prev) if isinstance(prev, (int, float)) else None
        if not isinstance(trailer.get("/Root"), Ref):
            raise PdfError("no /Root in trailer")
        return trailer

    def _read_xref_section(self, offset: int) -> dict:
        m = re.compile(_SKIP + rb"xref").match(self.buf, offset)
        if not m:
            return self._read_xref_stream(offset)
        pos, entries = m.end(), {}
        header = re.compile(_SKIP + rb"(\d+)" + _WS + rb"+(\d+)")
        entry = re.compile(_SKIP + rb"(\d+)" + _WS + rb"+(\d+)" + _WS + rb"+([nf])")
        while True:
            h = header.match(self.buf, pos)
            if not h:
                break
            first, count = int(h.group(1)), int(h.group(2))
            pos = h.end()
            for num in range(first, first + count):
                e = entry.match(self.buf, pos)
                if not e:
                    raise PdfError("damaged cross-reference table")
                pos = e.end()
                entries.setdefault(num, ("at", int(e.group(1))) if e.group(3) == b"n" else None)
        t = re.compile(_SKIP + rb"trailer").match(self.buf, pos)
        if not t:
            raise PdfError("no trailer")
        trailer, _ = parse(self.buf, t.end())
        if isinstance(trailer.get("/XRefStm"), int):  # hybrid file: the stream's entries come first
            self._read_xref_stream(trailer["/XRefStm"])
        for num, where in entries.items():
            self._where.setdefault(num, where)
        return trailer

    def _read_xref_stream(self, offset: int) -> dict:
        num, stream = self._object_at(offset)
        if not isinstance(stream, Stream) or stream.get("/Type") != "/XRef":
            raise PdfError("startxref points at no cross-reference")
        widths = [int(w) for w in stream["/W"]]
        index = stream.get("/Index") or [0, stream["/Size"]]
        data, size, pos = stream.data(), sum(widths), 0
        for first, count in zip(index[::2], index[1::2]):
            for num in range(int(first), int(first) + int(count)):
                row = data[pos : pos + size]
                pos += size
                if len(row) < size:
                    raise PdfError("cross-reference stream too short")
                fields, k = [], 0
                for w in widths:
                    fields.append(int.from_bytes(row[k : k + w], "big") if w else None)
                    k += w
                kind = 1 if fields[0] is None else fields[0]
                if kind == 1:
                    self._where.setdefault(num, ("at", fields[1]))
                elif kind == 2:
                    self._where.setdefault(num, ("in", fields[1], fields[2] or 0))
                else:
                    self._where.setdefault(num, None)
        return {k: v for k, v in stream.items() if k not in ("/Length", "/Filter", "/DecodeParms", "/W", "/Index")}

    def _rebuild_xref(self) -> dict:
        """Broken cross-reference: find every `N G obj` in the file, as PDF viewers do."""
        self._where.clear()
        self._cache.clear()
        trailer: dict = {}
        for m in re.finditer(rb"(?<![0-9])(\d+)" + _WS + rb"+(\d+)" + _WS + rb"+obj\b", self.buf):
            self._where[int(m.group(1))] = ("at", m.start())
        for num in list(self._where):
            try:
                obj = self.get(num)
            except _BROKEN:
                continue
            if isinstance(obj, Stream) and obj.get("/Type") == "/ObjStm":
                try:
                    packed = self._object_stream(num)
                except _BROKEN:
                    continue
                for i, inner in enumerate(packed):
                    self._where.setdefault(inner, ("in", num, i))
            elif isinstance(obj, Stream) and obj.get("/Type") == "/XRef" and isinstance(obj.get("/Root"), Ref):
                trailer = dict(obj)
        for m in re.finditer(rb"trailer" + _SKIP + rb"<<", self.buf):
            try:
                found, _ = parse(self.buf, m.end() - 2)
            except _BROKEN:
                continue
            if isinstance(found, dict) and isinstance(found.get("/Root"), Ref):
                trailer = found
        if not isinstance(trailer.get("/Root"), Ref):
            for num in self._where:
                obj = self._safe_get(num)
                if isinstance(obj, dict) and obj.get("/Type") == "/Catalog":
                    trailer = {"/Root": Ref(num)}
                    break
            else:
                raise PdfError("the file is damaged: no cross-reference table and no catalog found")
        return trailer

    def _safe_get(self, num: int):
        try:
            return self.get(num)
        except _BROKEN:
            return None

    # --- objects ------------------------------------------------------------------------------

    def _object_at(self, offset: int):
        m = _OBJ_HEADER.match(self.buf, offset)
        if not m:
            raise PdfError(f"no object at byte {offset}")
        value, pos = parse(self.buf, m.end())
        if isinstance(value, dict):
            s = _STREAM_START.match(self.buf, pos)
            if s:
                length = self.resolve(value.get("/Length"))
                start = s.end()
                if not isinstance(length, int) or self.buf[start + length : start + length + 40].find(b"endstream") < 0:
                    end = self.buf.find(b"endstream", start)
                    length = (end if end >= 0 else len(self.buf)) - start
                value = Stream(value, self, start, length)
        return int(m.group(1)), value

    def _object_stream(self, num: int) -> dict[int, object]:
        """Every object packed in object stream `num`, parsed in one pass (they are nearly all needed)."""
        if num not in self._objstm:
            stream = self.get(num)
            if not isinstance(stream, Stream) or not isinstance(stream.get("/First"), int):
                raise PdfError(f"object stream {num} is missing")
            data, first = stream.data(), stream["/First"]
            header = [int(v) for v in re.findall(rb"\d+", data[:first])]
            nums, offsets = header[::2], header[1::2]
            try:
                if offsets != sorted(offsets):
                    raise PdfError("objects out of order")
                values = _values(_TOKEN.findall(data, first), len(nums))  # one C-speed tokenizing pass
            except _BROKEN:
                values = [parse(data, first + o)[0] for o in offsets]
            self._objstm[num] = dict(zip(nums, values))
        return self._objstm[num]

    def get(self, num: int):
        """Object number `num` (None if it does not exist, as the PDF standard says)."""
        if num in self._cache:
            return self._cache[num]
        try:
            value = self._load(num)
        except (ValueError, IndexError, KeyError, TypeError) as exc:  # odd bytes where a number belongs …
            raise PdfError(f"object {num} is unreadable ({exc})") from None
        self._cache[num] = value
        return value

    def _load(self, num: int):
        where = self._where.get(num)
        if where is None:
            value = None
        elif where[0] == "at":
            found, value = self._object_at(where[1])
            if found != num:
                raise PdfError(f"the cross-reference table points object {num} at object {found}")
        else:
            packed = self._object_stream(where[1])
            if num not in packed:
                raise PdfError(f"object {num} is missing from its object stream")
            value = packed[num]
        return value

    def resolve(self, value, depth: int = 0):
        while isinstance(value, Ref):
            depth += 1
            if depth > 32:
                raise PdfError("a reference loop")
            value = self.get(value.num)
        return value

    # --- pages --------------------------------------------------------------------------------

    @cached_property
    def pages(self) -> list[Page]:
        """Every page in print order, with inherited boxes, rotation and resources filled in."""
        pages: list[Page] = []
        seen: set[int] = set()
        inherited_keys = ("/MediaBox", "/CropBox", "/Rotate", "/Resources")

        def walk(ref, inherited: dict) -> None:
            if isinstance(ref, Ref):
                if ref.num in seen:
                    raise PdfError("the page tree loops")
                seen.add(ref.num)
            node = self.resolve(ref)
            if not isinstance(node, dict):
                raise PdfError("the page tree is damaged")
            here = {**inherited, **{k: node[k] for k in inherited_keys if k in node}}
            kids = self.resolve(node.get("/Kids"))
            if node.get("/Type") == "/Pages" or (node.get("/Type") != "/Page" and isinstance(kids, list)):
                for kid in kids or []:
                    walk(kid, here)
                return
            media = _box(here.get("/MediaBox"), self) or (0.0, 0.0, 612.0, 792.0)  # the standard's default
            crop = _box(here.get("/CropBox"), self) or media
            box = (max(media[0], crop[0]), max(media[1], crop[1]), min(media[2], crop[2]), min(media[3], crop[3]))
            rotate = self.resolve(here.get("/Rotate", 0))
            resources = self.resolve(here.get("/Resources"))
            pages.append(Page(len(pages) + 1, node, media, box, int(number(rotate or 0)),
                              resources if isinstance(resources, dict) else {}))

        walk(self.catalog.get("/Pages"), {})
        return pages

    def annotations(self, page: Page) -> list[dict]:
        annots = self.resolve(page.obj.get("/Annots"))
        if not isinstance(annots, list):
            return []
        return [a for a in (self.resolve(r) for r in annots) if isinstance(a, dict)]
