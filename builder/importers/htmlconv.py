"""Anki's field HTML as the deck's Markdown.

<b> <strong> → **bold**; <i> <em> → *italics*; <u> → italics (Markdown has no underline);
<br> and Anki's <div> lines → line breaks; <p> → paragraphs; <ul>/<ol>/<li> → lists (nested);
<sub>/<sup> → $_{…}$/$^{…}$; <img> → an image copied next to the deck; <table> → a table (its
first row the header); <a> → a link; <code>/<pre> → code; <h1>…<h6> → a bold line; <blockquote>
→ a quote; entities and &nbsp; → characters; MathJax \\(…\\) and \\[…\\] → $…$ and $$…$$.
What has no Markdown form (colours, fonts, strikethrough, sound, scripts …) is reported, each
kind once per field, with what became of it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from builder.importers.htmltree import PLACEHOLDER, Math, Node, parse_html, set_math_aside, text_of
from builder.importers.mdtext import code_span, escape_inline, escape_line_start, math_span
from builder.importers.model import CONVERTED, DROPPED

BOLD, ITALIC = 1, 2
_LINE_TAGS = frozenset("div section article header footer center main nav aside figure figcaption address".split())
_DROPPED_TAGS = {"script": "script", "style": "style sheet", "audio": "sound", "video": "video",
                 "iframe": "embedded page",
                 "object": "embedded object", "embed": "embedded object", "svg": "drawing (SVG)", "canvas": "drawing",
                 "head": "document head", "title": "document title", "input": "form field", "select": "form field",
                 "textarea": "form field", "button": "button", "math": "MathML formula", "noscript": "script"}
_FORMATTING = ("color", "background", "font-family", "font-size", "text-align")
_SOUND = re.compile(r"\[sound:([^\]\n]*)\]")
_LIST_START = re.compile(r"(?:[-*+]|\d{1,9}[.)]) ")
_SCRIPT = re.compile(r"[0-9A-Za-z+\-=() ]+")  # what sub/superscript may hold as \text{…}


@dataclass
class Converted:
    markdown: str
    notes: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, what, detail)


def html_to_markdown(text: str, image: Callable[[str], str | None]) -> Converted:
    """`image(src)` gives the Markdown link of a picture the field shows, or None (not available)."""
    out = Converted("")
    text = _SOUND.sub(lambda m: _drop_sound(m, out), text)
    text, formulas = set_math_aside(text)
    if formulas:
        out.notes.append((CONVERTED, "MathJax \\(…\\) \\[…\\] made $…$ $$…$$", ""))
    render = _Renderer(formulas, image, out)
    markdown = render.blocks(parse_html(text).children)
    out.markdown = PLACEHOLDER.sub(lambda m: render.math(m), markdown).strip()
    return out


def _drop_sound(m: re.Match, out: Converted) -> str:
    out.notes.append((DROPPED, "sound left out (a printed card cannot play it)", m.group(1)))
    return ""


@dataclass
class _Segment:
    style: int
    text: str  # Markdown, escaped


class _Flow:
    """Blocks being written, and the lines of the paragraph being written (each a list of segments)."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.lines: list[list[_Segment]] = [[]]

    def add(self, style: int, text: str) -> None:
        self.lines[-1].append(_Segment(style, text))

    def new_line(self) -> None:
        """A block's edge (Anki's <div> lines): what follows starts a line, unless one just began."""
        if _line_text(self.lines[-1]).strip():
            self.lines.append([])

    def line_break(self) -> None:
        """<br>: ends the line; on a line still empty (<br><br>, <div><br></div>) a new paragraph."""
        if _line_text(self.lines[-1]).strip():
            self.lines.append([])
        elif any(_line_text(ln).strip() for ln in self.lines):
            self.end_paragraph()

    def end_paragraph(self) -> None:
        rows = [escape_line_start(_join(line)) for line in self.lines]
        rows = [r for r in rows if r]
        if rows:
            self.blocks.append("\\\n".join(rows))
        self.lines = [[]]

    def add_block(self, block: str) -> None:
        self.end_paragraph()
        if block.strip():
            self.blocks.append(block)

    def finish(self) -> list[str]:
        self.end_paragraph()
        return self.blocks


def _line_text(segments: list[_Segment]) -> str:
    return "".join(s.text for s in segments)


def _join(segments: list[_Segment]) -> str:
    """One line: runs of the same style wrapped once (**bold**, *italics*), spaces kept outside."""
    out, i = [], 0
    while i < len(segments):
        j = i
        while j < len(segments) and segments[j].style == segments[i].style:
            j += 1
        text = re.sub(r" {2,}", " ", "".join(s.text for s in segments[i:j]))
        marks = ("**" if segments[i].style & BOLD else "") + ("*" if segments[i].style & ITALIC else "")
        core = text.strip()
        if marks and core:
            text = text[: len(text) - len(text.lstrip())] + marks + core + marks[::-1] + text[len(text.rstrip()):]
        out.append(text)
        i = j
    return re.sub(r" {2,}", " ", "".join(out)).strip()


class _Renderer:
    def __init__(self, formulas: list[Math], image: Callable[[str], str | None], out: Converted):
        self.formulas, self.image, self.out = formulas, image, out
        self.reported: set[str] = set()

    def note(self, kind: str, what: str, detail: str = "") -> None:
        if (kind, what) not in self.reported:
            self.reported.add((kind, what))
            self.out.notes.append((kind, what, detail))

    def blocks(self, nodes: list, tight: bool = False) -> str:
        """The nodes as Markdown blocks; `tight` (a list item): a nested list follows its text
        line directly, so the list stays tight."""
        flow = _Flow()
        self._flow(nodes, flow, 0)
        blocks = flow.finish()
        out = blocks[:1]
        for block in blocks[1:]:
            out.append(("\n" if tight and _LIST_START.match(block) else "\n\n") + block)
        return "".join(out)

    def math(self, m: re.Match) -> str:
        formula = self.formulas[int(m.group(1))]
        if formula.latex and not formula.content.strip().startswith(("$", "\\[", "\\begin")):
            self.note(DROPPED, "[latex] block kept as code (fiszki typesets math, not LaTeX documents)",
                      formula.source[:60])
            return code_span(formula.source)
        content = formula.content.strip()
        if formula.latex:
            content = content.strip("$").removeprefix("\\[").removesuffix("\\]")
        if not content.strip():
            self.note(DROPPED, "empty formula left out")
            return ""
        before, after = m.string[max(m.start() - 1, 0):m.start()], m.string[m.end():m.end() + 1]
        return math_span(content, formula.display, before, after)

    def _flow(self, nodes: list, flow: _Flow, style: int) -> None:
        for node in nodes:
            if isinstance(node, str):
                flow.add(style, escape_inline(re.sub(r"[ \t\n\r\f\u00a0]+", " ", node)))
            else:
                self._element(node, flow, style)

    def _element(self, node: Node, flow: _Flow, style: int) -> None:
        tag = node.tag
        if tag in _DROPPED_TAGS:
            self.note(DROPPED, f"{_DROPPED_TAGS[tag]} left out", text_of(node).strip()[:40])
        elif tag == "br":
            flow.line_break()
        elif tag in _LINE_TAGS:
            flow.new_line()
            self._flow(node.children, flow, self._style(node, style))
            flow.new_line()
        elif tag == "p":
            flow.end_paragraph()
            self._flow(node.children, flow, self._style(node, style))
            flow.end_paragraph()
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            flow.end_paragraph()
            self._flow(node.children, flow, style | BOLD)
            flow.end_paragraph()
            self.note(CONVERTED, "heading made a bold line")
        elif tag in ("ul", "ol"):
            flow.add_block(self._list(node))
        elif tag == "table":
            flow.add_block(self._table(node))
        elif tag == "blockquote":
            flow.add_block("\n".join(f"> {ln}".rstrip() for ln in self.blocks(node.children).split("\n")))
        elif tag == "pre":
            flow.add_block(self._code_block(node))
        elif tag == "hr":
            flow.add_block("---")
        else:
            self._inline_element(node, flow, style)

    def _inline_element(self, node: Node, flow: _Flow, style: int) -> None:
        tag = node.tag
        if tag == "img":
            flow.add(style, self._image(node))
        elif tag == "code":
            flow.add(style, code_span(self._source_text(node)))
        elif tag in ("sub", "sup"):
            flow.add(style, self._script(node, "_" if tag == "sub" else "^"))
        elif tag == "a" and node.attrs.get("href", "").strip():
            label = escape_inline(" ".join(text_of(node).split())) or escape_inline(node.attrs["href"])
            flow.add(style, f"[{label}](<{node.attrs['href'].strip()}>)")
        else:
            if tag in ("s", "strike", "del"):
                self.note(DROPPED, "strikethrough left out (the text is kept)")
            elif tag not in ("b", "strong", "i", "em", "u", "ins", "span", "font", "a", "mark", "small", "big",
                             "abbr", "cite", "q", "dfn", "time", "var", "samp", "kbd", "label", "tt", "nobr",
                             "li", "dl", "dt", "dd", "tbody", "thead", "tfoot", "tr", "td", "th", "caption"):
                self.note(CONVERTED, "unknown HTML element read as its text", f"<{tag}>")
            self._flow(node.children, flow, self._style(node, style))

    def _style(self, node: Node, style: int) -> int:
        css = node.attrs.get("style", "").lower().replace(" ", "")
        cloze = "cloze" in node.attrs.get("class", "").split()  # an answer in Anki's card export
        if node.tag in ("b", "strong") or cloze or re.search(r"font-weight:(bold|[6-9]00)", css):
            style |= BOLD
        if node.tag in ("i", "em") or "font-style:italic" in css:
            style |= ITALIC
        if node.tag in ("u", "ins") or "text-decoration:underline" in css:
            style |= ITALIC
            self.note(CONVERTED, "underline shown as italics (Markdown has no underline)")
        if node.tag == "font" or any(f"{prop}" in css for prop in _FORMATTING):
            self.note(DROPPED, "colours, fonts and alignment left out")
        return style

    def _source_text(self, node: Node) -> str:
        """A code element's text with its formulas as they were written."""
        return PLACEHOLDER.sub(lambda m: self.formulas[int(m.group(1))].source, text_of(node))

    def _code_block(self, node: Node) -> str:
        text = self._source_text(node).strip("\n")
        longest = max((len(r) for r in re.findall(r"`{3,}", text)), default=2)
        fence = "`" * (longest + 1)
        return f"{fence}\n{text}\n{fence}"

    def _image(self, node: Node) -> str:
        src = node.attrs.get("src", "").strip()
        link = self.image(src) if src else None
        if link is None:
            return escape_inline(f"[{src or 'image'}]")
        alt = escape_inline(node.attrs.get("alt", ""))
        return f"![{alt}](<{link}>)" if " " in link else f"![{alt}]({link})"

    def _script(self, node: Node, mark: str) -> str:
        inner = text_of(node).strip()
        whole = PLACEHOLDER.fullmatch(inner)
        if whole:
            return "$" + mark + "{" + self.formulas[int(whole.group(1))].content.strip() + "}$"
        if inner.isdigit():
            return f"${mark}{{{inner}}}$"
        if _SCRIPT.fullmatch(inner):
            return f"${mark}{{\\text{{{inner}}}}}$"
        self.note(CONVERTED, "sub- or superscript shown as plain text", inner[:30])
        return escape_inline(inner)

    def _list(self, node: Node) -> str:
        ordered = node.tag == "ol"
        start = int(node.attrs.get("start", "1")) if node.attrs.get("start", "1").isdigit() else 1
        items = []
        for i, item in enumerate(child for child in node.children if isinstance(child, Node) and child.tag == "li"):
            marker = f"{start + i}." if ordered else "-"
            body = self.blocks(item.children, tight=True)
            pad = " " * (len(marker) + 1)
            lines = body.split("\n")
            items.append("\n".join([f"{marker} {lines[0]}".rstrip()] + [(pad + ln) if ln else "" for ln in lines[1:]]))
        loose = any("\n\n" in item for item in items)
        return ("\n\n" if loose else "\n").join(items)

    def _table(self, node: Node) -> str:
        rows: list[list[str]] = []
        for row in _rows(node):
            cells = []
            for cell in row.children:
                if isinstance(cell, Node) and cell.tag in ("td", "th"):
                    text = self.blocks(cell.children)
                    if "\n" in text:
                        self.note(CONVERTED, "line breaks inside a table cell made spaces")
                    cells.append(" ".join(text.replace("\\\n", " ").split()).replace("|", "\\|"))
            if cells:
                rows.append(cells)
        if not rows:
            return ""
        width = max(len(r) for r in rows)
        rows = [r + [""] * (width - len(r)) for r in rows]
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows[1:]])


def _rows(table: Node) -> list[Node]:
    rows = []
    for child in table.children:
        if isinstance(child, Node) and child.tag == "tr":
            rows.append(child)
        elif isinstance(child, Node) and child.tag in ("thead", "tbody", "tfoot"):
            rows += _rows(child)
    return rows
