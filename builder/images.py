"""Images from a deck, read and checked before TeX sees them.

`read_deck_file` is the one way fiszki reads a file a deck names: the path is resolved (symlinks
followed) and must stay inside the deck's folder, only a regular file is read (a named pipe would
hang the build, a device never ends), and no more than a limit (files.read_regular). `checked_image` then proves the
bytes are an image pdfTeX reads safely: PNG and JPEG headers and data are checked against what
pdfTeX and libpng expect (a 26 kB PNG claiming 65536 x 65537 pixels overflowed pdfTeX's heap), a
PDF is rewritten to one page holding only its drawing (`builder.pdfimage`).
"""
from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from builder.files import ImageError
from builder.files import UnreadableFile as DeckFileError
from builder.files import read_regular

MAX_IMAGE_BYTES = 32 * 2**20  # a file; a full-resolution phone photo is 3-12 MB
MAX_PIXELS = 64_000_000  # a 48-megapixel photo is 8000 x 6000
MAX_SIDE = 32_768  # pixels on either side; a panorama is rarely over 20,000 wide
IMAGE_KINDS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".pdf": "PDF"}
_MAGIC = {".png": b"\x89PNG\r\n\x1a\n", ".jpg": b"\xff\xd8\xff", ".pdf": b"%PDF-"}


def image_suffix(data: bytes) -> str | None:
    """".png", ".jpg" or ".pdf" by the file's first bytes; None for anything else."""
    return next((suffix for suffix, magic in _MAGIC.items() if data.startswith(magic)), None)


@dataclass(frozen=True)
class DeckImage:
    """An image a card shows, checked: `name` is img-<content hash>.<ext> (the same picture used
    twice is one file), `read` the hash of the file as read (what the cache compares)."""

    name: str
    data: bytes
    read: str


@dataclass(frozen=True)
class ImageRefusal:
    """Why an image cannot be shown, as a whole message ("image 'x.png' …") and a hint."""

    message: str
    hint: str | None = None


def load_image(deck_dir: Path, src: str) -> DeckImage | ImageRefusal:
    """The image `src` (already URL-decoded) names, read, checked and named; or why not. The one
    way every output gets its images, so the rules are the same for all."""
    if "://" in src or src.startswith(("data:", "mailto:")):
        return ImageRefusal(f"image '{src}' is not a local file; only images inside the deck's folder can be used")
    if not src.strip():
        return ImageRefusal("image without a file name: write ![description](file.png)")
    suffix = Path(src).suffix.lower()
    try:
        raw = read_deck_file(deck_dir, src)
        if suffix not in IMAGE_KINDS:
            raise DeckFileError("is not PNG, JPEG or PDF", hint="convert it to PNG")
        data = checked_image(raw, IMAGE_KINDS[suffix])
    except DeckFileError as exc:
        return ImageRefusal(f"image '{src}' {exc.reason}", exc.hint)
    return DeckImage("img-" + hashlib.sha256(data).hexdigest()[:16] + suffix, data, hashlib.sha256(raw).hexdigest())


def read_deck_file(deck_dir: Path, src: str, limit: int = MAX_IMAGE_BYTES) -> bytes:
    """The bytes of `src` (relative to the deck's folder) if it is a regular file inside that
    folder of at most `limit` bytes; else DeckFileError (files.read_regular: it never blocks)."""
    try:
        base = deck_dir.resolve()
        path = (base / src).resolve()  # symlinks followed: a link out of the folder is refused too
        inside = path.is_relative_to(base)
    except (OSError, RuntimeError, ValueError) as exc:  # a symlink loop, a NUL byte …
        raise DeckFileError(f"cannot be read: {exc}") from None
    if not inside:
        raise DeckFileError("lies outside the deck's folder and is not read",
                            hint="put the image in the deck's folder (or below it) and use a relative path")
    return read_regular(path, limit, "save it smaller (fewer pixels, or JPEG for photos)")


def checked_image(data: bytes, kind: str) -> bytes:
    """`data` as pdfTeX may read it (a PDF rewritten to its drawing), or ImageError saying what
    is wrong. `kind`: "PNG", "JPEG" or "PDF"."""
    if kind == "PNG":
        check_png(data)
        return data
    if kind == "JPEG":
        check_jpeg(data)
        return data
    from builder.pdfimage import clean_pdf

    return clean_pdf(data)


def _check_size(width: int, height: int, kind: str) -> None:
    if width < 1 or height < 1:
        raise ImageError(f"is damaged: its {kind} header says {width} x {height} pixels")
    if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
        raise ImageError(f"has {width} x {height} pixels; fiszki takes at most {MAX_PIXELS // 10**6} million "
                         f"pixels and {MAX_SIDE} on a side", hint="save it at a smaller size")


# --- PNG ----------------------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Colour type -> (channels, allowed bit depths), as the PNG specification lists them.
_PNG_TYPES = {0: (1, (1, 2, 4, 8, 16)), 2: (3, (8, 16)), 3: (1, (1, 2, 4, 8)), 4: (2, (8, 16)), 6: (4, (8, 16))}
# Adam7 passes: (x start, y start, x step, y step).
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


def _png_chunks(data: bytes):
    """(type, body) of every chunk up to IEND, CRCs checked; ImageError where the file is cut or altered."""
    pos = len(PNG_SIGNATURE)
    while True:
        if pos + 8 > len(data):
            raise ImageError("is damaged: the PNG file is cut short (no IEND chunk at its end)")
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 8 + length + 4
        if length > 2**31 - 1 or end > len(data):
            raise ImageError(f"is damaged: its {kind.decode('latin-1')!r} chunk is cut short")
        body = data[pos + 8:pos + 8 + length]
        if struct.unpack(">I", data[end - 4:end])[0] != zlib.crc32(kind + body):
            raise ImageError(f"is damaged: its {kind.decode('latin-1')!r} chunk fails its checksum")
        yield kind, body
        if kind == b"IEND":
            return
        pos = end


def check_png(data: bytes) -> None:
    if not data.startswith(PNG_SIGNATURE):
        raise ImageError("is not a valid PNG file")
    chunks = _png_chunks(data)
    kind, header = next(chunks)
    if kind != b"IHDR" or len(header) != 13:
        raise ImageError("is damaged: a PNG file starts with its IHDR header chunk")
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", header)
    _check_size(width, height, "PNG")
    if colour not in _PNG_TYPES or depth not in _PNG_TYPES[colour][1] or compression or filtering \
            or interlace > 1:
        raise ImageError(f"is damaged or unusual: PNG colour type {colour} with {depth}-bit samples, "
                         f"compression {compression}, filter {filtering}, interlace {interlace}")
    idat, palette, ended = [], None, False
    for kind, body in chunks:
        if kind == b"IDAT":
            if ended:
                raise ImageError("is damaged: its PNG image data is split by other chunks")
            idat.append(body)
            continue
        ended = bool(idat)
        if kind == b"PLTE":
            palette = body
        elif kind == b"IHDR" or kind != b"IEND" and not kind[0] & 0x20:  # critical: libpng stops on it
            raise ImageError(f"is damaged or unusual: an unexpected {kind.decode('latin-1')!r} PNG chunk")
    if colour == 3 and (palette is None or not len(palette) % 3 == 0 or not 3 <= len(palette) <= 3 * 2**depth):
        raise ImageError("is damaged: a PNG with a colour palette has no valid PLTE chunk")
    if not idat:
        raise ImageError("is damaged: the PNG holds no image data")
    channels = _PNG_TYPES[colour][0]
    _check_rows(b"".join(idat), _png_rows(width, height, channels * depth, interlace))


def _png_rows(width: int, height: int, bits: int, interlace: int) -> list[tuple[int, int]]:
    """(rows, bytes per row without its filter byte) for each pass the image data holds."""
    passes = _ADAM7 if interlace else ((0, 0, 1, 1),)
    out = []
    for x0, y0, dx, dy in passes:
        w, h = (width - x0 + dx - 1) // dx, (height - y0 + dy - 1) // dy
        if w and h:
            out.append((h, (w * bits + 7) // 8))
    return out


def _check_rows(compressed: bytes, passes: list[tuple[int, int]]) -> None:
    """The compressed data must inflate to exactly the rows the header promises, each starting with
    a filter type 0-4. Inflated in bounded pieces, counted and dropped: a small file claiming a
    huge image cannot make fiszki hold it."""
    starts = []  # offsets where a row starts (its filter byte)
    offset = 0
    for rows, size in passes:
        starts.append((offset, size + 1, rows))
        offset += rows * (size + 1)
    expected = offset
    inflater = zlib.decompressobj()
    done, pending = 0, compressed
    try:
        while pending or not inflater.eof:
            piece = inflater.decompress(pending, 1 << 20)
            pending = inflater.unconsumed_tail
            if not piece:
                if inflater.eof or not pending:
                    break
                continue
            _check_filters(piece, done, starts)
            done += len(piece)
            if done > expected:
                break
    except zlib.error:
        raise ImageError("is damaged: its PNG image data cannot be decompressed") from None
    if done != expected or not inflater.eof:
        raise ImageError(f"is damaged: its PNG image data holds {'more' if done > expected else 'less'} than "
                         "the rows its header promises")


def _check_filters(piece: bytes, at: int, starts: list[tuple[int, int, int]]) -> None:
    for first, stride, rows in starts:
        end = first + stride * rows
        if end <= at or first >= at + len(piece):
            continue
        k = max(0, -(-(at - first) // stride))  # first row starting in this piece
        for pos in range(first + k * stride, min(end, at + len(piece)), stride):
            if piece[pos - at] > 4:
                raise ImageError("is damaged: a row of its PNG image data has an unknown filter type")


# --- JPEG ---------------------------------------------------------------------------------------

# Start-of-frame markers pdfTeX and PDF readers handle: baseline, extended and progressive Huffman.
_SOF_OK = {0xC0: "baseline", 0xC1: "extended", 0xC2: "progressive"}
_SOF_OTHER = {0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def check_jpeg(data: bytes) -> None:
    if not data.startswith(b"\xff\xd8\xff"):
        raise ImageError("is not a valid JPEG file")
    pos, frame = 2, None
    while True:
        if pos >= len(data) or data[pos] != 0xFF:
            raise ImageError("is damaged: its JPEG headers are broken")
        while pos < len(data) and data[pos] == 0xFF:
            pos += 1  # fill bytes before a marker
        marker = data[pos] if pos < len(data) else None
        if marker == 0x01 or marker is not None and 0xD0 <= marker <= 0xD7:
            pos += 1  # markers without a length
            continue
        if marker == 0xD9:
            raise ImageError("is damaged: the JPEG file ends before its image data")
        if pos + 3 > len(data):
            raise ImageError("is damaged: the JPEG file is cut short")
        length = struct.unpack(">H", data[pos + 1:pos + 3])[0]
        body = data[pos + 3:pos + 1 + length]
        if length < 2 or len(body) != length - 2:
            raise ImageError("is damaged: the JPEG file is cut short")
        if marker in _SOF_OTHER:
            raise ImageError("is a lossless or arithmetic-coded JPEG, which PDF readers do not show",
                             hint="save it again as an ordinary JPEG or as PNG")
        if marker in _SOF_OK:
            if frame is not None or len(body) < 6:
                raise ImageError("is damaged: its JPEG frame header is invalid")
            precision, height, width, components = struct.unpack(">BHHB", body[:6])
            if precision != 8 or components not in (1, 3, 4) or len(body) != 6 + 3 * components:
                raise ImageError(f"is unusual: a {precision}-bit JPEG with {components} colour components, "
                                 "which pdfTeX cannot include", hint="save it again as an ordinary JPEG or as PNG")
            _check_size(width, height, "JPEG")
            frame = marker
        if marker == 0xDA:  # start of scan: the entropy-coded data follows
            if frame is None:
                raise ImageError("is damaged: its JPEG image data comes before its frame header")
            if data.rfind(b"\xff\xd9") < pos + 1 + length:
                raise ImageError("is damaged: the JPEG file is cut short (it has no end marker)")
            return
        pos += 1 + length
