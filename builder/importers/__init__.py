"""`fiszki import`: cards from Anki, Quizlet, CSV/TSV, Markdown notes or loose notes, into one deck.

    media = MediaFolder("deck-media")  # builder.importers.media
    deck = import_sources([Path("biology.apkg")], ImportOptions(), media)
    write(deck, Path("deck.md"), media, force=False)  # builder.importers.writer

One module per kind of source (anki, textexport, mdnotes, notes), each reading a file into a
`Source` of cards already in Markdown; builder.importers.writer makes the deck of them all.
"""
from __future__ import annotations

from pathlib import Path

from typing import TYPE_CHECKING

from builder.errors import ContentError, Problem, UsageError
from builder.importers.model import KINDS, ImportOptions, Source

if TYPE_CHECKING:  # the importers load their parsers when used: `fiszki --help` stays fast
    from builder.importers.media import MediaFolder
    from builder.importers.writer import Deck
MAX_SOURCE = 1024 * 1024 * 1024  # bytes; an Anki collection with years of reviews is well below

_ANKI_HEADERS = ("#separator:", "#html:", "#tags column:", "#deck column:", "#notetype column:",
                 "#guid column:", "#notetype:", "#deck:", "#tags:", "#columns:")
_ZIP = b"PK\x03\x04"


def import_sources(paths: list[Path], options: ImportOptions, media: MediaFolder) -> Deck:
    """Every source read, then one deck made of them (ContentError when none holds a card)."""
    from builder.importers.writer import assemble

    return assemble([read_source(path, options, media) for path in paths], options)


def read_source(path: Path, options: ImportOptions, media: MediaFolder) -> Source:
    data = _read(path)
    kind = options.kind if options.kind != "auto" else detect_kind(path, data)
    if kind == "anki" and (data.startswith(_ZIP) or path.suffix.lower() in (".apkg", ".colpkg")):
        from builder.importers.anki import read_package

        return read_package(path, data, options, media)
    text = decode_text(data, str(path))
    if kind in ("anki", "csv", "quizlet"):
        from builder.importers.textexport import read_text_export

        return read_text_export(text, path, kind, options, media)
    if kind == "markdown":
        from builder.importers.mdnotes import read_markdown

        return read_markdown(text, path, options, media)
    from builder.importers.notes import read_notes

    return read_notes(text, path, options)


def detect_kind(path: Path, data: bytes) -> str:
    """What a file is, by its content first and its name second."""
    suffix = path.suffix.lower()
    if data.startswith(_ZIP) or suffix in (".apkg", ".colpkg"):
        return "anki"
    head = data[:4096].decode("utf-8", errors="replace").lstrip("\ufeff")
    if head.lower().startswith(_ANKI_HEADERS):
        return "anki"
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix in (".md", ".markdown"):
        return "markdown"
    lines = [ln for ln in head.split("\n")[:50] if ln.strip()]
    if lines and sum("\t" in ln for ln in lines) >= 0.8 * len(lines):
        return "quizlet"  # term<TAB>definition rows: Quizlet's export (and Anki's oldest)
    return "notes"


def decode_text(data: bytes, display: str) -> str:
    """UTF-8 (BOM or not) or UTF-16 with its BOM (Excel's "Unicode text"); line ends normalised."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError:
            raise ContentError(Problem("the file starts like UTF-16 text but is not", file=display)) from None
    from builder.deck import decode_source

    return decode_source(data, display)


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_SOURCE:
            raise ContentError(Problem(f"the file is larger than {MAX_SOURCE // 2**30} GB", file=str(path)))
        if not path.is_file():
            raise ContentError(Problem("is not a regular file", file=str(path)))
        return path.read_bytes()
    except FileNotFoundError:
        raise ContentError(Problem("file not found", file=str(path))) from None
    except OSError as exc:
        raise ContentError(Problem(f"cannot read it: {exc.strerror or exc}", file=str(path))) from None


def parse_columns(value: str | None) -> tuple[str, ...] | None:
    """--columns question,answer,tags,section (any order, `-` or `skip` for a column to leave out)."""
    if value is None:
        return None
    names = tuple(part.strip().lower() for part in value.split(","))
    known = ("question", "answer", "tags", "section", "skip", "-")
    bad = [n for n in names if n not in known]
    if bad or "question" not in names:
        raise UsageError(f"--columns {value}: name each column question, answer, tags, section or skip "
                         "(question is needed), e.g. --columns question,answer,tags")
    return names


__all__ = ["KINDS", "ImportOptions", "Source", "decode_text", "detect_kind", "import_sources", "parse_columns",
           "read_source"]
