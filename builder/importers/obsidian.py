"""Obsidian's Markdown (and what other notes apps share of it) as the deck's Markdown.

Line by line, outside code and math: `![[image.png]]` and `![](attachments/Pasted image 1.png)`
become images copied next to the deck, `[[link|text]]` its text, `==highlight==` bold,
`> [!note] Title` a quote headed by its title in bold, `- [ ]`/`- [x]` a box (ticked or not),
footnote references a superscript number (their text goes to the end of the card that cites
them), `#tags` the card's tags; `%% comments %%` and `<!-- comments -->` are left out. Every
kind of change is noted once per line. Plain Markdown comes out exactly as it went in.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from builder.importers.mdtext import split_protected
from builder.importers.media import MAX_IMAGE, MediaFolder
from builder.importers.model import CONVERTED, DROPPED, Origin, Source

# One pass over the bracket constructs, so what one of them writes is not read again by another.
# Negated classes with fixed ends only: nothing here can backtrack over a long line.
_BRACKETS = re.compile(
    r"(?P<embed>!\[\[(?P<target>[^\[\]|\n]+)(?:\|[^\[\]\n]*)?\]\])"
    r"|(?P<image>!\[(?P<alt>[^\[\]\n]*)\]\((?P<dest>[^()\n]*)\))"
    r"|(?P<link>\[\[(?P<page>[^\[\]|\n]+)(?:\|(?P<alias>[^\[\]\n]*))?\]\])"
    r"|(?P<footnote>\[\^(?P<name>[^\]\s]+)\](?!:))"
)
_TITLE = re.compile(r'\s+"[^"]*"$')  # ![alt](path "title")
_HIGHLIGHT = re.compile(r"==(?=\S)([^=\n]+?)(?<=\S)==")
_TAG = re.compile(r"(?<!\S)#([^\W\d][\w/\-]*)")
_CALLOUT = re.compile(r"^(\s*(?:>\s*)+)\[!([A-Za-z][\w-]*)\][+-]?[ \t]*(.*)$")
_TASK = re.compile(r"^(\s*(?:[-*+]|\d{1,9}[.)])[ \t]+)\[([ xX])\](?=\s)")
FOOTNOTE_DEF = re.compile(r"^\[\^([^\]\s]+)\]:[ \t]?(.*)$")
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".pdf", ".gif", ".svg", ".webp", ".bmp", ".avif", ".heic")
MAX_VAULT_FILES = 20_000  # files looked at when searching the vault for an embedded image


def drop_comments(text: str, source: Source) -> str:
    """`%% … %%` and `<!-- … -->` left out (they may span lines; line numbers are kept)."""
    for opener, closer, what in (("%%", "%%", "Obsidian comment"), ("<!--", "-->", "HTML comment")):
        out, pos = [], 0
        while (start := text.find(opener, pos)) >= 0:
            end = text.find(closer, start + len(opener))
            if end < 0:
                break
            comment = text[start:end + len(closer)]
            out += [text[pos:start], "\n" * comment.count("\n")]
            source.note(CONVERTED, f"{what} left out", text.count("\n", 0, start) + 1)
            pos = end + len(closer)
        text = "".join(out) + text[pos:]
    return text


class Converter:
    """Converts the lines of one note; collects the tags and footnotes it meets."""

    def __init__(self, source: Source, media: MediaFolder, note_path: Path):
        self.source, self.media = source, media
        self.folder = note_path.resolve().parent
        self.vault = _vault_root(self.folder)
        self.footnotes: dict[str, int] = {}  # footnote id -> its number
        self.cited: list[str] = []  # footnotes cited since the reader last emptied it
        self._vault_files: dict[str, Path] | None = None

    def line(self, text: str, no: int) -> tuple[str, list[str]]:
        """The converted line and the tags it held."""
        m = _CALLOUT.match(text)
        if m:
            title = m.group(3).strip() or m.group(2).capitalize()
            text = f"{m.group(1)}**{title}**\n{m.group(1).rstrip()}"  # the title a paragraph of its own
            self.source.note(CONVERTED, "callout made a quote with its title in bold", no)
        m = _TASK.match(text)
        if m:
            box = "$\\square$" if m.group(2) == " " else "$\\boxtimes$"
            text = m.group(1) + box + text[m.end():]
        tags: list[str] = []
        pieces = [piece if protected else self._text(piece, no, tags) for protected, piece in split_protected(text)]
        return "".join(pieces).rstrip() if tags else "".join(pieces), tags

    def _text(self, text: str, no: int, tags: list[str]) -> str:
        if "[" in text:
            text = _BRACKETS.sub(lambda m: self._bracket(m, no), text)
        if "==" in text:
            text, n = _HIGHLIGHT.subn(r"**\1**", text)
            if n:
                self.source.note(CONVERTED, "==highlight== made bold", no)
        if "#" in text:
            found = _TAG.findall(text)
            if found:
                tags += found
                text = re.sub(r"[ \t]{2,}", " ", _TAG.sub("", text))
        return text

    def _cite(self, name: str) -> str:
        self.cited.append(name)
        return f"$^{{{self.footnote_number(name)}}}$"

    def footnote_number(self, name: str) -> int:
        return self.footnotes.setdefault(name, len(self.footnotes) + 1)

    def _bracket(self, m: re.Match, no: int) -> str:
        if m.group("embed"):
            return self._embed(m.group("target"), no)
        if m.group("image"):
            return self._image(m.group("alt"), m.group("dest"), no)
        if m.group("link"):
            return self._wikilink(m.group("page"), m.group("alias"), no)
        return self._cite(m.group("name"))

    def _wikilink(self, target: str, alias: str | None, no: int) -> str:
        target = target.strip()
        page, _, heading = target.partition("#")
        shown = alias.strip() if alias and alias.strip() else " > ".join(p for p in (page, heading.lstrip("^")) if p)
        self.source.note(CONVERTED, "[[link]] made text", no)
        return shown

    def _embed(self, target: str, no: int) -> str:
        target = target.strip().split("#")[0]
        if not target.lower().endswith(_IMAGE_SUFFIXES):
            self.source.note(DROPPED, "embedded note not included (its name is kept)", no, target)
            return target
        path = self._find(target)
        return self._linked(path, target, no)

    def _image(self, alt: str, dest: str, no: int) -> str:
        dest = _TITLE.sub("", dest.strip())
        dest = dest[1:-1] if dest.startswith("<") and dest.endswith(">") else dest
        if "://" in dest or dest.startswith("data:"):
            self.source.note(DROPPED, "image on the web shown as a link (only local images are printed)", no, dest)
            return f"[{alt or dest}]({dest})"
        from urllib.parse import unquote

        path = self._local(unquote(dest), no)
        return self._linked(path, dest, no, alt)

    def _linked(self, path: Path | None, shown: str, no: int, alt: str = "") -> str:
        if path is None:
            self.source.note(DROPPED, "image not found (its name is kept as text)", no, shown)
            return alt or shown
        link = self.media.add(self.source, shown, path.read_bytes(), Origin(self.source.display, no))
        if link is None:
            return alt or shown
        return f"![{alt}](<{link}>)" if " " in link else f"![{alt}]({link})"

    def _local(self, relative: str, no: int | None = None) -> Path | None:
        """A regular file inside the note's folder or its vault, no larger than MAX_IMAGE."""
        try:
            path = (self.folder / relative).resolve()
            inside = path.is_relative_to(self.vault) or path.is_relative_to(self.folder)
            if not inside:
                self.source.note(DROPPED, "image outside the notes' folder not read", no, relative)
                return None
            return path if path.is_file() and path.stat().st_size <= MAX_IMAGE else None
        except (OSError, RuntimeError, ValueError):
            return None

    def _find(self, name: str) -> Path | None:
        """Obsidian's rule: beside the note, else the file of that name anywhere in the vault."""
        direct = self._local(name)
        if direct is not None:
            return direct
        if self._vault_files is None:
            self._vault_files = {}
            for seen, path in enumerate(_walk(self.vault)):
                if seen >= MAX_VAULT_FILES:
                    break
                self._vault_files.setdefault(path.name, path)
                self._vault_files.setdefault(str(path.relative_to(self.vault)), path)
        found = self._vault_files.get(name) or self._vault_files.get(Path(name).name)
        return self._local(os.path.relpath(found, self.folder)) if found else None


def _vault_root(folder: Path) -> Path:
    """The nearest folder holding `.obsidian` (an Obsidian vault), else the note's own folder."""
    for candidate in (folder, *folder.parents):
        if (candidate / ".obsidian").is_dir():
            return candidate
    return folder


def _walk(root: Path):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            yield Path(dirpath) / name
