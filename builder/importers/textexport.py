"""Text exports: Anki's "Notes in Plain Text", Quizlet's export, CSV/TSV spreadsheets.

Anki writes a header (`#separator:tab`, `#html:true`, `#tags column:3`, `#deck column:`,
`#notetype column:`, `#guid column:`, `#columns:`, `#deck:`, `#tags:`), then CSV rows (quoted
fields may hold separators and line breaks); its fields are HTML unless `#html:false`.
Quizlet writes term, separator, definition, row separator (tab / comma / any text, and newline /
semicolon / any text), no quoting, plain text. A spreadsheet's CSV/TSV may have a header row
(`Front,Back,Tags,Section` and the like, in English or Polish) and its cells are Markdown.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from builder.errors import ContentError, Problem, UsageError
from builder.importers.ankinotes import AnkiNote, note_cards, section_name
from builder.importers.cloze import cloze_numbers
from builder.importers.media import MAX_IMAGE, MediaFolder
from builder.importers.mdtext import plain_to_markdown
from builder.importers.model import CONVERTED, DROPPED, Card, ImportOptions, Origin, Source

_DELIMITER_NAMES = {"comma": ",", "semicolon": ";", "tab": "\t", "space": " ", "pipe": "|", "colon": ":"}
_ROLES = {
    "question": ("question", "front", "term", "q", "prompt", "word", "pytanie", "przód", "przod", "awers",
                 "słowo", "slowo", "pojęcie", "pojecie", "hasło", "haslo"),
    "answer": ("answer", "back", "definition", "a", "meaning", "response", "odpowiedź", "odpowiedz", "tył", "tyl",
               "rewers", "definicja", "znaczenie"),
    "tags": ("tags", "tag", "labels", "tagi", "etykiety"),
    "section": ("section", "deck", "category", "topic", "chapter", "sekcja", "dział", "dzial", "kategoria", "temat",
                "rozdział", "rozdzial", "talia"),
}
MAX_FIELD = 1024 * 1024  # characters in one cell; far beyond any card


def read_text_export(text: str, path: Path, kind: str, options: ImportOptions, media: MediaFolder) -> Source:
    source = Source(path, kind)
    if kind == "quizlet":
        _read_quizlet(text, source, options)
    else:
        _read_delimited(text, source, kind, options, media)
    return source


# ---- Anki's plain text and CSV/TSV


def _headers(lines: list[str]) -> tuple[dict[str, str], int]:
    """Anki's `#key:value` header lines (and a leading `tags:` line) and how many lines they take."""
    found, count = {}, 0
    for i, line in enumerate(lines):
        body = line.lstrip("\ufeff")
        if i == 0 and body.lower().startswith("tags:"):
            found["tags"] = body[5:]
        elif body.startswith("#") and ":" in body:
            key, value = body[1:].split(":", 1)
            found[key.strip().lower()] = value
        else:
            break
        count += 1
    return found, count


def _delimiter(value: str | None) -> str | None:
    if value is None:
        return None
    stripped = value.strip().lower()
    return _DELIMITER_NAMES.get(stripped) or (value if len(value) == 1 else value[:1] or None)


def _sniff(sample: str, suffix: str) -> str:
    if suffix == ".tsv":
        return "\t"
    lines = [ln for ln in sample.split("\n")[:30] if ln.strip()]
    for delim in ("\t", ";", ",", "|"):
        counts = [ln.count(delim) for ln in lines]
        if counts and min(counts) >= 1 and (delim != "," or len(set(counts)) <= 2):
            return delim
    return ","


def _read_delimited(text: str, source: Source, kind: str, options: ImportOptions, media: MediaFolder) -> None:
    lines = text.split("\n")
    headers, skip = _headers(lines)
    body = "\n".join(lines[skip:])
    delimiter = options.separator or _delimiter(headers.get("separator")) or _sniff(body, source.path.suffix.lower())
    if len(delimiter) != 1:
        raise UsageError(f"{source.display}: a CSV separator is one character (got {delimiter!r}); for a longer "
                         "one, read the file as --from quizlet")
    html = headers.get("html", "").strip().lower() == "true" if "html" in headers else kind == "anki"
    reader = csv.reader(io.StringIO(body), delimiter=delimiter, strict=False)
    csv.field_size_limit(MAX_FIELD)
    rows, line = [], skip + 1
    try:
        for row in reader:
            if row and not (len(row) == 1 and row[0].startswith("#")):  # Anki's reader skips # comments
                rows.append((line, row))
            line = skip + reader.line_num + 1
    except csv.Error as exc:
        raise ContentError(Problem(f"cannot read this as CSV: {exc}", file=source.display, line=line)) from None
    anki = kind == "anki" or bool(headers)
    source.description = (f"{'Anki text export' if anki else 'CSV'}, separator {delimiter!r}, "
                          f"{'HTML' if html else 'Markdown' if not anki else 'plain text'} fields")
    roles, rows = _roles(rows, headers, options, anki, source)
    global_tags = tuple(headers.get("tags", "").split())
    for no, row in rows:
        _row_cards(no, row, roles, source, anki=anki, html=html, tags=global_tags,
                   deck=headers.get("deck", "").strip(), media=media)


def _roles(rows: list, headers: dict, options: ImportOptions, anki: bool, source: Source) -> tuple[list[str], list]:
    """What each column holds, and the rows that are cards (a header row is not)."""
    if anki:
        width = max((len(r) for _, r in rows), default=0)
        roles = ["field"] * width
        for role, key in (("guid", "guid column"), ("notetype", "notetype column"), ("section", "deck column"),
                          ("tags", "tags column")):
            if key in headers and headers[key].strip().isdigit() and 0 < int(headers[key]) <= width:
                roles[int(headers[key]) - 1] = role
        names = [n.strip() for n in re.split(r"[\t,;|]", headers.get("columns", "")) if n.strip()]
        return [r if r != "field" or i >= len(names) else f"field:{names[i]}" for i, r in enumerate(roles)], rows
    first = [cell.strip().lower() for cell in rows[0][1]] if rows else []
    from_header = [next((role for role, names in _ROLES.items() if cell in names), None) for cell in first]
    if options.columns:
        roles = [c if c not in ("-", "skip") else "skip" for c in options.columns]
        if [r for r in from_header if r] == [r for r in roles if r != "skip"][: len([r for r in from_header if r])] \
                and sum(1 for r in from_header if r) >= 2:
            rows = rows[1:]
        return roles, rows
    if sum(1 for r in from_header if r) >= 2 and "question" in from_header:
        source.note(CONVERTED, "first row read as the column names", rows[0][0], ", ".join(rows[0][1]))
        roles = [r or f"field:{rows[0][1][i].strip()}" for i, r in enumerate(from_header)]
        return roles, rows[1:]
    width = max((len(r) for _, r in rows), default=0)
    if width > 2:
        source.note(CONVERTED, "columns after the second added to the answer (--columns names them)")
    return ["question", "answer"] + [f"field:Column {i + 1}" for i in range(2, width)], rows


def _row_cards(no: int, row: list[str], roles: list[str], source: Source, *, anki: bool, html: bool,
               tags: tuple[str, ...], deck: str, media: MediaFolder) -> None:
    origin = Origin(source.display, no)
    fields: list[tuple[str, str]] = []
    section, notetype, row_tags = deck, "", list(tags)
    for i, cell in enumerate(row):
        role = roles[i] if i < len(roles) else f"field:Column {i + 1}"
        if role == "section":
            section = cell.strip()
        elif role == "tags":
            row_tags += cell.split()
        elif role == "notetype":
            notetype = cell
        elif role in ("question", "answer") or role.startswith("field"):
            fields.append((role.partition(":")[2] or (role if role != "field" else f"Field {len(fields) + 1}"), cell))
    if anki or html:
        note = AnkiNote(fields, origin, tags=tuple(row_tags), section=section_name(section), html=html,
                        cloze="cloze" in notetype.lower() or bool(fields and cloze_numbers(fields[0][1])))
        source.cards += note_cards(note, source, _beside(source, media, origin))
        return
    question = next((c for name, c in fields if name == "question"), "")
    answer_parts = [(name, c) for name, c in fields if name != "question" and c.strip()]
    answer = "\n\n".join(c if name == "answer" else f"**{name}:** {c}" for name, c in answer_parts)
    if not question.strip() and not answer.strip():
        return
    source.cards.append(Card(_cell(question), _cell(answer), origin, section=section, tags=tuple(row_tags)))


def _cell(text: str) -> str:
    """A spreadsheet cell is Markdown, but a line break typed in it is a line break."""
    lines = text.strip().split("\n")
    out = []
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        joins = line.strip() and nxt.strip() and not re.match(r"\s*(?:[-*+>#|]|\d+[.)]|\$\$|```)", nxt) \
            and not re.match(r"\s*(?:[-*+>#|]|\d+[.)]|\$\$|```)", line)
        out.append(line.rstrip() + ("\\" if joins else ""))
    return "\n".join(out)


def _beside(source: Source, media: MediaFolder, origin: Origin):
    """Images of a text export: looked for beside it and in a collection.media folder there."""
    folder = source.path.resolve().parent

    def image(src: str) -> str | None:
        from urllib.parse import unquote

        for base in (folder, folder / "collection.media"):
            path = (base / unquote(src)).resolve()
            if path.is_relative_to(folder) and path.is_file() and path.stat().st_size <= MAX_IMAGE:
                return media.add(source, src, path.read_bytes(), origin)
        source.note(DROPPED, "image not found beside the export (its name is kept as text)", origin, src)
        return None

    return image


# ---- Quizlet


def _read_quizlet(text: str, source: Source, options: ImportOptions) -> None:
    rows_sep = options.row_separator or _row_separator(text)
    rows = _split_with_lines(text, rows_sep)
    term_sep = options.separator or _term_separator([r for _, r in rows])
    if term_sep is None:
        raise UsageError(f"{source.display}: cannot tell what separates term and definition; give it with "
                         "--separator (e.g. --separator tab, --separator comma, --separator ' - ')")
    source.description = f"Quizlet export, term/definition separator {term_sep!r}, rows by {rows_sep!r}"
    for no, row in rows:
        if not row.strip():
            continue
        if term_sep not in row:
            source.note(DROPPED, "row without the term/definition separator left out", no, row.strip()[:60])
            continue
        term, definition = row.split(term_sep, 1)
        source.cards.append(Card(plain_to_markdown(term), plain_to_markdown(definition), Origin(source.display, no)))


def _row_separator(text: str) -> str:
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if len(lines) <= 1 and text.count(";") >= 1:
        return ";"
    return "\n"


def _term_separator(rows: list[str]) -> str | None:
    rows = [r for r in rows if r.strip()]
    for sep in ("\t", " - ", " – ", ",", ":", ";"):
        if rows and sum(sep in r for r in rows) >= 0.9 * len(rows):
            return sep
    return None


def _split_with_lines(text: str, separator: str) -> list[tuple[int, str]]:
    """The rows and the line each starts on."""
    out, pos, line = [], 0, 1
    while pos <= len(text):
        end = text.find(separator, pos)
        end = len(text) if end < 0 else end
        out.append((line, text[pos:end]))
        line += text.count("\n", pos, end + len(separator)) if end < len(text) else 0
        pos = end + len(separator)
    return out
