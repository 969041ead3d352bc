"""Markdown tokens → LaTeX. Every text leaf goes through `escape_text`; math is validated first.

Whatever the Markdown parser does not turn into structure stays visible as text: nothing a deck
says is dropped, and what fiszki cannot typeset as meant is a warning naming the deck's line.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from markdown_it.common.html_re import HTML_TAG_RE
from markdown_it.token import Token

from builder.deck import top_level_blocks
from builder.errors import Problem
from builder.images import ImageRefusal, load_image
from builder.latex import error_box, escape_text
from builder.markdown import parser
from builder.mathcheck import check_math, line_col, normalize_math
from builder.pasted import CLOZE_RE, SIMPLE_TAGS, Tag, html_pieces, table_problem

if TYPE_CHECKING:
    from builder.deck import Card

MAX_NESTING = 4  # lists and quotes inside each other: enumitem's list levels (LaTeX allows 6 in all)
MAX_EMPHASIS = 10  # bold and italic inside each other (each a TeX group: TeX has 255 in all)
LONG_CELL = 14  # characters; a column with longer cells wraps instead of growing
LONG_WORD = 20  # characters without a space that may be broken anywhere
CODE_TAB = 4
CODE_PIECE = 10  # characters: longer inline code may break after its punctuation (a longer name or
# piece of an address between punctuation anywhere, at a high penalty)

_STRIKE_RE = re.compile(r"~~[^~]+~~")


@dataclass
class RenderContext:
    """What the renderer needs to know about where it is, and where it reports problems."""

    deck_dir: Path
    display: str
    card: Card | None = None
    problems: list[Problem] = field(default_factory=list)  # errors: the card cannot be built
    warnings: list[Problem] = field(default_factory=list)
    images: dict[str, bytes] = field(default_factory=dict)  # build-dir name → bytes
    reads: dict[str, str] = field(default_factory=dict)  # every file read, as the deck names it → sha256
    line: int | None = None  # deck line of what is being rendered
    nesting: int = 0  # lists and quotes around the current block
    in_cell: bool = False  # inside a table cell: no paragraphs, no display math

    def problem(self, message: str, line: int | None = None, *, warn: bool = False, hint: str | None = None,
                column: int | None = None) -> None:
        card = self.card
        p = Problem(message, file=self.display, line=line or self.line or (card.line if card else None),
                    card_number=card.number if card else None, question=card.question if card else None,
                    hint=hint, column=column)
        (self.warnings if warn else self.problems).append(p)


# --- text -------------------------------------------------------------------------------------


_LONG_RUN_RE = re.compile(rf"\S{{{LONG_WORD + 1},}}")  # a run _text must make breakable


def _text(ctx: RenderContext, text: str, long_word: int = LONG_WORD) -> str:
    """Escaped text; a run without spaces longer than LONG_WORD may break between any two
    characters (at a high penalty: only when it cannot fit a line), so no word sticks out of a card."""
    def unsupported(cluster: str) -> None:
        points = " ".join(f"U+{ord(c):04X}" for c in cluster)
        ctx.problem(f"character {cluster!r} ({points}) cannot be printed with the card font; "
                    f"shown as a placeholder", warn=True)

    text = unicodedata.normalize("NFC", text)
    if len(text) <= long_word or not (_LONG_RUN_RE.search(text) if long_word == LONG_WORD
                                      else any(len(part) > long_word for part in text.split())):
        return escape_text(text, unsupported)
    out = []
    for part in re.split(r"(\s+)", text):
        if len(part) > long_word:
            out.append("\\fzbreak{}".join(escape_text(ch, unsupported) for ch in part))
        else:
            out.append(escape_text(part, unsupported))
    return "".join(out)


def _text_leaf(ctx: RenderContext, text: str) -> str:
    """Plain text from the parser; Markdown that fiszki does not read is kept as typed, with a warning."""
    html = HTML_TAG_RE.search(text)
    if html:
        ctx.problem(f"raw HTML ({html.group(0)[:30]}) is not supported; shown as typed", warn=True)
    if CLOZE_RE.search(text):
        ctx.problem("Anki cloze markup ({{c1::…}}) is shown as typed", warn=True,
                    hint="a card is a question and its answer: ask for the hidden part in the ## question "
                         "and write it as the answer")
    if _STRIKE_RE.search(text):
        ctx.problem("strikethrough (~~…~~) is not supported; shown as typed", warn=True)
    if "$$" in text:
        ctx.problem("'$$' without its partner is shown as typed: a formula ends at a blank line "
                    "or at the end of its paragraph", warn=True)
    return _text(ctx, text)


_CODE_BREAK_RE = re.compile(r"([.,:;/_=(\[{-])")


def _code_text(ctx: RenderContext, text: str, breaks: bool = False) -> str:
    """Typewriter text with every space kept (TeX would merge them); with `breaks` (inline code),
    a long piece may also break after its punctuation (`np.linalg.norm(x)`), so it never sticks
    out of a narrow column."""
    def piece(part: str) -> str:
        if not breaks or len(part) <= CODE_PIECE:
            return _text(ctx, part)
        bits = _CODE_BREAK_RE.split(part)
        return "".join(_text(ctx, b, CODE_PIECE) + ("\\fzcodebreak{}" if i % 2 else "") for i, b in enumerate(bits) if b)

    return "\\ ".join(piece(part) for part in text.split(" "))


# --- math -------------------------------------------------------------------------------------


def render_math(ctx: RenderContext, src: str, display: bool, line: int | None) -> str:
    """Checked math; `line` is the deck line of the source's first line, so errors name theirs."""
    # In a table cell a display becomes $\displaystyle …$: check it as inline (no \tag, no split).
    problems = check_math(src, display=display and not ctx.in_cell)
    if problems:
        for p in problems:
            row, col = line_col(src, p.offset)
            ctx.problem(f"math: {p.message}", (line + row) if line else None, column=col if row else None)
        return error_box("math error: " + problems[0].message)
    body = normalize_math(src).strip()
    if not body:
        ctx.problem("empty formula", line, warn=True)
        return ""
    if display and ctx.in_cell:
        return f"$\\displaystyle {body}$"  # a table cell holds no display
    return f"\\[{body}\\]" if display else f"${body}$"


# --- inline -----------------------------------------------------------------------------------


def render_inline(ctx: RenderContext, children: list[Token]) -> str:
    out: list[str] = []
    links: list[tuple[str, int, bool]] = []  # href, where its text starts in out, autolink
    emphasis: list[bool] = []  # each open bold/italic: typeset (True) or past MAX_EMPHASIS (False)
    html: list[str] = []  # simple HTML tags open (<b>, <sub>…), innermost last
    for tok in children:
        t = tok.type
        if t == "text":
            out.append(_html_text(ctx, tok.content, html))
        elif t in ("softbreak", "hardbreak"):
            # An image outside a table is a paragraph of its own: after it there is no line to end.
            after_image = bool(out) and out[-1].startswith("\\fzimage{")
            out.append(" " if t == "softbreak" or after_image else _line_break(ctx, html))
            ctx.line = ctx.line + 1 if ctx.line else None
        elif t in ("strong_open", "em_open"):
            emphasis.append(sum(emphasis) < MAX_EMPHASIS)
            if not emphasis[-1] and sum(emphasis) == MAX_EMPHASIS and emphasis.count(False) == 1:
                ctx.problem(f"bold and italic nested deeper than {MAX_EMPHASIS} levels: the inner ones are "
                            "shown plain", warn=True)
            out.append(("\\textbf{" if t == "strong_open" else "\\emph{") if emphasis[-1] else "")
        elif t in ("strong_close", "em_close"):
            out.append("}" if not emphasis or emphasis.pop() else "")
        elif t == "code_inline":
            out.append(f"\\fzcodeinline{{{_code_text(ctx, tok.content, breaks=True)}}}")
        elif t in ("math_inline", "math_inline_double"):
            out.append(render_math(ctx, tok.content, t == "math_inline_double", ctx.line))
            ctx.line = ctx.line + tok.content.count("\n") if ctx.line else None
        elif t == "link_open":
            links.append((str(tok.attrs.get("href", "")), len(out), tok.info == "auto"))
        elif t == "link_close" and links:
            href, start, auto = links.pop()
            out.append(_link(ctx, href, "".join(out[start:]), auto))
            del out[start:-1]
        elif t == "image":
            out.append(render_image(ctx, tok))
        else:
            ctx.problem(f"unsupported Markdown ({t}); kept as plain text", warn=True)
            out.append(_text(ctx, tok.content or tok.markup))
    for name in reversed(html):
        ctx.problem(f"<{name}> without </{name}>: it ends with the paragraph", warn=True)
        out.append(SIMPLE_TAGS[name][1])
    return "".join(out)


def _line_break(ctx: RenderContext, html: list[str]) -> str:
    # A table cell and \underline (a box) hold no line break.
    return " " if ctx.in_cell or "u" in html else "\\newline "


def _html_text(ctx: RenderContext, text: str, html: list[str]) -> str:
    """Text with the simple HTML tags in it (<b>, <i>, <u>, <sub>, <sup>, <br>) as LaTeX; `html`
    holds the tags opened and not yet closed, across the paragraph's tokens."""
    out = []
    for piece in html_pieces(text):
        if not isinstance(piece, Tag):
            out.append(_text_leaf(ctx, piece))
        elif piece.name == "br":
            out.append(_line_break(ctx, html))
        elif not piece.closing:
            html.append(piece.name)
            out.append(SIMPLE_TAGS[piece.name][0])
        elif html and html[-1] == piece.name:
            html.pop()
            out.append(SIMPLE_TAGS[piece.name][1])
        else:
            ctx.problem(f"</{piece.name}> closes no <{piece.name}>; shown as typed", warn=True)
            out.append(_text(ctx, f"</{piece.name}>"))
    return "".join(out)


def _link(ctx: RenderContext, href: str, text: str, auto: bool) -> str:
    """Link text, then the address in small type: a printed card cannot be clicked."""
    shown = href.removeprefix("mailto:")
    if auto or not text:
        return f"\\fzcodeinline{{{_url(ctx, shown)}}}"
    if not shown:
        return text
    return f"{{{text}}}\\fzurl{{{_url(ctx, shown)}}}"


def _url(ctx: RenderContext, href: str) -> str:
    # Free break points after / . - …; long pieces between them break like long words.
    pieces = re.split(r"([/.\-?&=#_])", unquote(href))
    return "".join(_text(ctx, p, CODE_PIECE) + ("\\allowbreak{}" if i % 2 else "") for i, p in enumerate(pieces))


# --- images -----------------------------------------------------------------------------------


def render_image(ctx: RenderContext, tok: Token) -> str:
    """A local image inside the deck's folder, checked (a PDF rewritten to its drawing) and copied
    into the build under a content-hash name."""
    src = unquote(str(tok.attrs.get("src", "")))
    image = load_image(ctx.deck_dir, src)
    if isinstance(image, ImageRefusal):
        ctx.problem(image.message, hint=image.hint)
        return error_box(f"image {src} cannot be shown")
    ctx.reads[src] = image.read  # the cache rebuilds when the file changes
    ctx.images[image.name] = image.data
    return f"\\fzcellimage{{{image.name}}}" if ctx.in_cell else f"\\fzimage{{{image.name}}}"


# --- blocks -----------------------------------------------------------------------------------


def render_table(ctx: RenderContext, block: list[Token]) -> str:
    """A GitHub table at its natural width (scaled down if wider than the line), or wrapping
    its long columns to the line width."""
    rows: list[list[str]] = []
    lengths: list[list[int]] = []
    aligns: list[str] = []
    header_rows = 0
    in_head = False
    extra = None
    ctx.in_cell = True
    try:
        for tok in block:
            if tok.type == "thead_open":
                in_head = True
            elif tok.type == "thead_close":
                in_head = False
            elif tok.type == "tr_open":
                rows.append([])
                lengths.append([])
                header_rows += in_head
                if tok.map:
                    ctx.line = tok.map[0] + 1
                extra = tok.meta.get("extra_cells")
                if extra:  # GFM would drop them: keep them in added columns
                    ctx.problem(f"this row has {len(extra)} more cell(s) than the header; "
                                "shown in added columns", warn=True)
            elif tok.type == "tr_close" and extra:
                for cell in extra:
                    rows[-1].append(render_inline(ctx, parser().parseInline(cell)[0].children or []))
                    lengths[-1].append(len(cell))
                extra = None
            elif tok.type in ("th_open", "td_open") and len(rows) == 1:
                style = str(tok.attrs.get("style", ""))
                aligns.append("r" if "right" in style else "c" if "center" in style else "l")
            elif tok.type == "inline" and rows:
                rows[-1].append(render_inline(ctx, tok.children or []))
                lengths[-1].append(len(tok.content))
    finally:
        ctx.in_cell = False
    ncols = max(len(r) for r in rows) if rows else 0
    aligns += ["l"] * (ncols - len(aligns))
    widths = [max((ls[c] for ls in lengths if c < len(ls)), default=0) for c in range(ncols)]
    wraps = sum(widths) > 3 * LONG_CELL
    spec = "".join(("X" if wraps and widths[c] > LONG_CELL else aligns[c]) for c in range(ncols))
    lines = []
    for r_index, cells in enumerate(rows):
        cells = cells + [""] * (ncols - len(cells))
        if r_index < header_rows:
            cells = [f"\\textbf{{{c}}}" if c else c for c in cells]
        lines.append(" & ".join(cells) + " \\\\")
        if r_index == header_rows - 1:
            lines.append("\\midrule")
    body = "\n".join(lines)
    env = "fztablewrap" if wraps else "fztable"
    return f"\\begin{{{env}}}{{{spec}}}\n\\toprule\n{body}\n\\bottomrule\n\\end{{{env}}}\n"


def render_code_block(ctx: RenderContext, content: str, first_line: int | None) -> str:
    """Code line by line as in the source: spaces kept, tabs expanded, blank lines kept."""
    rendered = []
    for row, line in enumerate(content.rstrip("\n").split("\n")):
        ctx.line = first_line + row if first_line else None
        line = line.expandtabs(CODE_TAB).rstrip()
        rendered.append(_code_text(ctx, line) if line else "\\mbox{}")
    return "\\begin{fzcode}\n" + "\\par\n".join(rendered) + "\n\\end{fzcode}\n"


def render_blocks(ctx: RenderContext, tokens: list[Token]) -> str:
    return "".join(_render_block(ctx, block) for block in top_level_blocks(tokens))


def _render_block(ctx: RenderContext, block: list[Token]) -> str:
    first = block[0]
    start = first.map[0] + 1 if first.map else ctx.line
    ctx.line = start
    t = first.type
    if t == "paragraph_open":
        table = table_problem(block[1].content)
        if table:
            ctx.problem("these lines look like a table but are not read as one; shown as typed, with the pipes",
                        (start + table[0]) if start else None, warn=True, hint=table[1])
        inner = render_inline(ctx, block[1].children or [])
        return inner + ("\n" if first.hidden else "\\par\n")
    if t == "heading_open":
        return f"\\fzsubhead{{{render_inline(ctx, block[1].children or [])}}}\n"
    if t in ("bullet_list_open", "ordered_list_open"):
        return _render_list(ctx, block)
    if t == "fence" and first.info.strip() == "plot":
        from builder.plots import render_plot  # only decks with plots load the plot modules

        return render_plot(ctx, first.content, start + 1 if start else None)
    if t == "fence":
        return render_code_block(ctx, first.content, start + 1 if start else None)
    if t == "code_block":
        return render_code_block(ctx, first.content, start)
    if t == "math_block":
        return render_math(ctx, first.content, True, start) + "\n"
    if t == "table_open":
        return render_table(ctx, block)
    if t == "blockquote_open":
        return _nested(ctx, "quote", lambda: "\\begin{fzquote}\n" + render_blocks(ctx, block[1:-1]) + "\\end{fzquote}\n",
                       lambda: render_blocks(ctx, block[1:-1]))
    if t == "hr":
        return "\\fzrule\n"
    ctx.problem(f"unsupported Markdown block ({t}); kept as plain text", warn=True)
    return _text(ctx, "".join(tok.content or tok.markup for tok in block)) + "\\par\n"


def _nested(ctx: RenderContext, what: str, render, flat) -> str:
    """A list or quote one level deeper; past LaTeX's limit its content is kept, without indent."""
    ctx.nesting += 1
    try:
        if ctx.nesting > MAX_NESTING:
            ctx.problem(f"lists and quotes nested deeper than {MAX_NESTING} levels: this {what} is flattened",
                        warn=True)
            return flat()
        return render()
    finally:
        ctx.nesting -= 1


def _render_list(ctx: RenderContext, block: list[Token]) -> str:
    first = block[0]
    ordered = first.type == "ordered_list_open"
    items = top_level_blocks(block[1:-1])
    env = "fzenumerate" if ordered else "fzitemize"
    start = int(first.attrs.get("start", 1) or 1) if ordered else 1
    opts = f"[start={start}]" if ordered and start != 1 else ""

    def render() -> str:
        body = "".join("\\item " + render_blocks(ctx, item[1:-1]) for item in items)
        return f"\\begin{{{env}}}{opts}\n{body}\\end{{{env}}}\n"

    def flat() -> str:
        marks = [f"{start + i}." if ordered else "\\textbullet" for i in range(len(items))]
        return "".join(f"{mark}\\ " + render_blocks(ctx, item[1:-1]) for mark, item in zip(marks, items))

    return _nested(ctx, "list", render, flat)


def render_question(ctx: RenderContext, card: Card) -> str:
    ctx.card, ctx.line = card, card.line
    return render_inline(ctx, card.question_tokens)
