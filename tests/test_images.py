"""Images a deck names (issue 18): read only as regular files inside the deck's folder, checked
before TeX (PNG, JPEG), and PDFs rebuilt so nothing in them points outside the file."""
from __future__ import annotations

import io
import os
import signal
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, DictionaryObject, NameObject, NumberObject, StreamObject,
                           TextStringObject)

from builder.images import (MAX_IMAGE_BYTES, DeckFileError, ImageError, check_jpeg, check_png, checked_image,
                            read_deck_file)
from tests.conftest import run_fiszki

SECRET = "/etc/passwd"


# --- reading: regular files inside the deck's folder only, never blocking ---------------------------


@pytest.fixture
def no_hang():
    """Fail (instead of hanging the suite) if a read blocks."""
    def timeout(signum, frame):
        raise TimeoutError("the read blocked")

    old = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path, no_hang):
    os.mkfifo(tmp_path / "pipe.png")
    with pytest.raises(DeckFileError, match=r"^is a named pipe, not a file, and is not read$"):
        read_deck_file(tmp_path, "pipe.png")


def test_devices_folders_and_files_outside_the_folder_are_not_read(tmp_path: Path, no_hang):
    (tmp_path / "zero.png").symlink_to("/dev/zero")
    (tmp_path / "dir.png").mkdir()
    for src in ("zero.png", "/dev/zero", "../../../../dev/zero", SECRET):
        with pytest.raises(DeckFileError, match="lies outside the deck's folder and is not read"):
            read_deck_file(tmp_path, src)
    with pytest.raises(DeckFileError, match="^is a folder, not a file"):
        read_deck_file(tmp_path, "dir.png")
    with pytest.raises(DeckFileError, match="^not found$"):
        read_deck_file(tmp_path, "nope.png")
    (tmp_path / "loop.png").symlink_to(tmp_path / "loop.png")
    with pytest.raises(DeckFileError, match="^cannot be read"):
        read_deck_file(tmp_path, "loop.png")


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path):
    big = tmp_path / "big.png"
    with open(big, "wb") as fh:
        fh.truncate(MAX_IMAGE_BYTES + 1)  # sparse: nothing is written
    with pytest.raises(DeckFileError, match=r"^is larger than 32 MB, the most fiszki reads"):
        read_deck_file(tmp_path, "big.png")
    assert read_deck_file(tmp_path, "big.png", limit=MAX_IMAGE_BYTES + 1) == b"\0" * (MAX_IMAGE_BYTES + 1)


# --- PNG ----------------------------------------------------------------------------------------------


def chunk(kind: bytes, data: bytes, crc: int | None = None) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) if crc is None else crc)


def png(width: int, height: int, depth: int = 8, colour: int = 0, rows: int | None = None, interlace: int = 0,
        filter_byte: int = 0, extra: list[bytes] = (), raw: bytes | None = None, idat: bytes | None = None) -> bytes:
    """A PNG written by hand: `rows` rows of image data (default: what the header promises)."""
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    row = bytes([filter_byte]) + b"\x80" * ((width * channels * depth + 7) // 8)
    data = raw if raw is not None else row * (height if rows is None else rows)
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, interlace)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + b"".join(extra)
            + chunk(b"IDAT", zlib.compress(data, 9) if idat is None else idat) + chunk(b"IEND", b""))


def adam7_bytes(width: int, height: int, bits: int) -> int:
    total = 0
    for x0, y0, dx, dy in ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
                           (0, 1, 1, 2)):
        w, h = (width - x0 + dx - 1) // dx, (height - y0 + dy - 1) // dy
        total += h * (1 + (w * bits + 7) // 8) if w and h else 0
    return total


def test_the_heap_overflow_png_is_refused_by_its_size():
    """26 kB: grey + alpha, 65536 x 65537 pixels, 200 rows of data (pdfTeX died by SIGSEGV)."""
    attack = png(65536, 65537, colour=4, rows=200)
    assert len(attack) < 40_000
    with pytest.raises(ImageError, match=r"^has 65536 x 65537 pixels; fiszki takes at most 64 million pixels "
                                         r"and 32768 on a side"):
        check_png(attack)


@pytest.mark.parametrize("data, message", [
    (png(100, 100, rows=99), "holds less than the rows its header promises"),
    (png(100, 100, rows=101), "holds more than the rows its header promises"),
    (png(4000, 4000, rows=200), "holds less than the rows its header promises"),  # small file, big promise
    (png(10, 10, filter_byte=5), "a row of its PNG image data has an unknown filter type"),
    (png(10, 10, depth=3), "PNG colour type 0 with 3-bit samples"),
    (png(10, 10, depth=4, colour=2), "PNG colour type 2 with 4-bit samples"),
    (png(10, 10, colour=3), "a PNG with a colour palette has no valid PLTE chunk"),
    (png(0, 10), "its PNG header says 0 x 10 pixels"),
    (png(10, 10)[:-20], "cut short"),
    (png(10, 10)[:40], "cut short"),
    (png(10, 10).replace(b"IEND", b"IENX"), "fails its checksum"),
    (png(10, 10, extra=[chunk(b"ABCD", b"x")]), "an unexpected 'ABCD' PNG chunk"),
    (png(10, 10, idat=b"not zlib at all"), "cannot be decompressed"),
    (b"\x89PNG\r\n\x1a\n" + chunk(b"IDAT", b""), "starts with its IHDR header chunk"),
    (b"GIF89a", "is not a valid PNG file"),
])
def test_pngs_pdftex_cannot_read_safely_are_refused(data, message):
    with pytest.raises(ImageError) as info:
        check_png(data)
    assert message in info.value.reason
    if "damaged" in info.value.reason:
        assert info.value.hint == "open it in an image program and save it again"


def test_pngs_of_every_kind_pass():
    plte = chunk(b"PLTE", b"\x00\x00\x00\xff\xff\xff")
    for data in (png(7, 5), png(7, 5, depth=16, colour=6), png(7, 5, depth=1), png(7, 5, colour=3, extra=[plte]),
                 png(3000, 2, colour=2), png(17, 13, colour=6, interlace=1, raw=b"\0" * adam7_bytes(17, 13, 32)),
                 png(7, 5, extra=[chunk(b"tEXt", b"Comment\0hello")])):
        check_png(data)


# --- JPEG ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def jpeg(tmp_path_factory, small_build_pdf) -> bytes:
    """A real JPEG, as poppler writes it: page 1 of a small PDF at 20 dpi."""
    folder = tmp_path_factory.mktemp("jpeg")
    subprocess.run(["pdftoppm", "-r", "20", "-jpeg", "-singlefile", "-f", "1", "-l", "1", str(small_build_pdf),
                    str(folder / "page")], check=True)
    return (folder / "page.jpg").read_bytes()


@pytest.fixture(scope="module")
def small_build_pdf(small_build) -> Path:
    return small_build / "flashcards.pdf"


def _sof(data: bytes) -> int:
    return data.index(b"\xff\xc0")


@pytest.mark.tex
def test_jpegs_pdftex_cannot_read_safely_are_refused(jpeg: bytes):
    check_jpeg(jpeg)
    sof = _sof(jpeg)
    height_at = sof + 5
    cases = [
        (jpeg[: len(jpeg) // 2], "cut short (it has no end marker)"),
        (jpeg[:sof + 6], "cut short"),
        (jpeg[:height_at] + b"\x00\x00" + jpeg[height_at + 2:], "its JPEG header says"),
        (jpeg[:sof + 4] + b"\x0c" + jpeg[sof + 5:], "a 12-bit JPEG"),
        (jpeg[:sof + 1] + b"\xc3" + jpeg[sof + 2:], "lossless or arithmetic-coded JPEG"),
        (jpeg[:height_at] + struct.pack(">HH", 65000, 65000) + jpeg[height_at + 4:], "has 65000 x 65000 pixels"),
        (jpeg[:4 + struct.unpack(">H", jpeg[4:6])[0]] + b"garbage", "its JPEG headers are broken"),
        (b"\xff\xd8\xff\xd9", "ends before its image data"),
    ]
    for data, message in cases:
        with pytest.raises(ImageError) as info:
            check_jpeg(data)
        assert message in info.value.reason, (message, info.value.reason)


# --- PDF: rebuilt with nothing that points outside the file -----------------------------------------------


def _stream(writer: PdfWriter, data: bytes, **entries) -> object:
    s = StreamObject()
    s._data = data
    for key, value in entries.items():
        s[NameObject("/" + key)] = value
    return writer._add_object(s)


def _dict(**entries) -> DictionaryObject:
    return DictionaryObject({NameObject("/" + k): v for k, v in entries.items()})


def _name(n: str) -> NameObject:
    return NameObject("/" + n)


def hostile_pdf() -> bytes:
    """One page drawing a cross through a Form XObject that names /etc/passwd as its external data
    (/F), proxies (/OPI), another document (/Ref); with a nested form doing the same, a URI, Launch
    and JavaScript action, and an embedded file. Only the drawing may reach the output."""
    w = PdfWriter()
    page = w.add_blank_page(100, 100)
    spec = _dict(Type=_name("Filespec"), F=TextStringObject(SECRET), UF=TextStringObject(SECRET))
    inner = _stream(w, b"0 0 m 50 50 l S", Type=_name("XObject"), Subtype=_name("Form"),
                    BBox=ArrayObject([NumberObject(0)] * 2 + [NumberObject(100)] * 2),
                    F=TextStringObject(SECRET), FFilter=_name("FlateDecode"))
    outer = _stream(w, b"0 100 m 100 0 l S /Fm1 Do", Type=_name("XObject"), Subtype=_name("Form"),
                    BBox=ArrayObject([NumberObject(0)] * 2 + [NumberObject(100)] * 2),
                    F=w._add_object(spec), Ref=_dict(F=TextStringObject(SECRET), Page=NumberObject(0)),
                    OPI=_dict(**{"2.0": _dict(F=TextStringObject(SECRET))}),
                    Resources=_dict(XObject=_dict(Fm1=inner)))
    page[NameObject("/Resources")] = _dict(XObject=_dict(Fm0=outer),
                                           ExtGState=_dict(G0=_dict(AA=_dict(O=_dict(S=_name("Launch"), F=TextStringObject(SECRET))))))
    page[NameObject("/Contents")] = _stream(w, b"q 1 w /Fm0 Do Q")
    page[NameObject("/Annots")] = ArrayObject([w._add_object(_dict(
        Type=_name("Annot"), Subtype=_name("Link"), Rect=ArrayObject([NumberObject(0)] * 4),
        A=_dict(S=_name("URI"), URI=TextStringObject("file://" + SECRET))))])
    page[NameObject("/AA")] = _dict(O=_dict(S=_name("JavaScript"), JS=TextStringObject(f"app.launchURL('{SECRET}')")))
    embedded = _stream(w, b"data", Type=_name("EmbeddedFile"))
    w._root_object[NameObject("/Names")] = _dict(EmbeddedFiles=_dict(Names=ArrayObject([
        TextStringObject("x"), _dict(Type=_name("Filespec"), F=TextStringObject(SECRET), EF=_dict(F=embedded))])))
    w._root_object[NameObject("/OpenAction")] = _dict(S=_name("JavaScript"), JS=TextStringObject(SECRET))
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def every_byte(data: bytes) -> bytes:
    """The file as it is, every stream in it decompressed, and every string and name in every
    object as read (a string may be written with escapes: (\\057etc\\057passwd))."""
    reader = PdfReader(io.BytesIO(data))
    chunks = [data]

    def walk(obj, depth=0):
        if depth > 50:
            return
        if isinstance(obj, (str, bytes)):
            chunks.append(obj.encode("utf-8", "replace") if isinstance(obj, str) else bytes(obj))
        elif isinstance(obj, dict):
            for key, value in obj.items():
                chunks.append(key.encode())
                walk(value if not hasattr(value, "idnum") else None, depth + 1)
        elif isinstance(obj, list):
            for value in obj:
                walk(value if not hasattr(value, "idnum") else None, depth + 1)

    for num in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(num)
        except Exception:  # noqa: BLE001 - a free entry
            continue
        walk(obj)
        if hasattr(obj, "get_data"):
            chunks.append(obj.get_data())
    return b"\n".join(chunks)


def test_the_rebuilt_pdf_keeps_the_drawing_and_nothing_that_points_outside():
    attack = hostile_pdf()
    assert SECRET.encode() in every_byte(attack)
    clean = checked_image(attack, "PDF")
    assert SECRET.encode() not in every_byte(clean)
    for word in (b"/JavaScript", b"/JS", b"/Launch", b"/URI", b"/OPI", b"/Ref", b"/EmbeddedFile", b"/Annots",
                 b"/OpenAction", b"/AA", b"/Filespec", b"/FFilter"):
        assert word not in clean, word
    reader = PdfReader(io.BytesIO(clean))
    page = reader.pages[0]
    assert [float(v) for v in page.mediabox] == [0, 0, 100, 100]
    outer = page["/Resources"]["/XObject"]["/Fm0"]
    assert outer.get_data() == b"0 100 m 100 0 l S /Fm1 Do"  # the drawing, untouched
    assert outer["/Resources"]["/XObject"]["/Fm1"].get_data() == b"0 0 m 50 50 l S"
    assert "/F" not in outer and "/F" not in outer["/Resources"]["/XObject"]["/Fm1"]


@pytest.mark.parametrize("edit, message", [
    (lambda w: w.add_blank_page(100, 100), "is a PDF of 2 pages; an image is one page"),
    (lambda w: w.encrypt("secret"), "is an encrypted PDF"),
    (lambda w: w.pages[0].__setitem__(NameObject("/MediaBox"), ArrayObject([NumberObject(0)] * 4)),
     "is a PDF whose page box [0 0 0 0] is not a page"),
    (lambda w: w.pages[0].__setitem__(NameObject("/MediaBox"), ArrayObject(
        [NumberObject(0), NumberObject(0), NumberObject(10**6), NumberObject(10)])), "is not a page"),
])
def test_pdfs_that_are_no_single_page_are_refused(edit, message):
    w = PdfWriter(clone_from=PdfReader(io.BytesIO(hostile_pdf())))
    edit(w)
    out = io.BytesIO()
    w.write(out)
    with pytest.raises(ImageError) as info:
        checked_image(out.getvalue(), "PDF")
    assert message in info.value.reason


def test_a_damaged_pdf_is_refused_with_one_line():
    with pytest.raises(ImageError, match=r"^is a damaged PDF \("):
        checked_image(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>", "PDF")


@pytest.mark.tex
def test_a_deck_with_hostile_images_builds_without_their_references(tmp_path: Path, jpeg: bytes):
    (tmp_path / "chart.pdf").write_bytes(hostile_pdf())
    (tmp_path / "photo.jpg").write_bytes(jpeg)
    (tmp_path / "grey.png").write_bytes(png(30, 20, depth=16, colour=4))
    (tmp_path / "deck.md").write_text("# S\n\n## A chart\n![c](chart.pdf)\n\n## A photo\n![p](photo.jpg)\n\n"
                                      "## A PNG\n![g](grey.png)\n", encoding="utf-8")
    result = run_fiszki("build", str(tmp_path / "deck.md"), "--out", str(tmp_path / "out"))
    assert result.code == 0, result.stderr
    for name in ("flashcards.pdf", "cheatsheet.pdf"):
        assert SECRET.encode() not in every_byte((tmp_path / "out" / name).read_bytes()), name
    images = [x for p in PdfReader(tmp_path / "out" / "flashcards.pdf").pages
              for x in (p["/Resources"].get("/XObject") or {}).values()]
    assert len(images) >= 3  # each image is in


@pytest.mark.tex
def test_bad_images_are_named_by_file_line_and_card_before_tex(tmp_path: Path):
    (tmp_path / "huge.png").write_bytes(png(65536, 65537, colour=4, rows=200))
    (tmp_path / "deck.md").write_text("# S\n\n## Huge\n![h](huge.png)\n", encoding="utf-8")
    result = run_fiszki("build", str(tmp_path / "deck.md"), "--out", str(tmp_path / "out"), timeout=60)
    assert result.code == 1, result.stderr
    assert ('deck.md:4: card #1 "Huge": image \'huge.png\' has 65536 x 65537 pixels; fiszki takes at most '
            '64 million pixels') in result.stderr
