"""Markdown tokens → LaTeX. Every text leaf goes through `escape_text`; math is validated first."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it.token import Token

from builder.deck import Card, _blocks
from builder.errors import Problem
from builder.latex import escape_text
from builder.mathcheck import check_math, line_col, normalize_math

IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".pdf"}
MAX_LIST_DEPTH = 4  # LaTeX's own limit for nested lists
LONG_CELL = 14  # characters; a column with longer cells wraps instead of growing


@dataclass
class RenderContext:
    """What the renderer needs to know about where it is, and where it reports problems."""

    deck_dir: Path
    display: str
    card: Card | None = None
    problems: list[Problem] = field(default_factory=list)  # errors: the card cannot be built
    warnings: list[Problem] = field(default_factory=list)
    images: dict[str, bytes] = field(default_factory=dict)  # build-dir name → bytes
    line: int | None = None
    list_depth: int = 0

    def problem(self, message: str, line: int | None = None, *, warn: bool = False, hint: str | None = None,
                column: int | None = None) -> None:
        card = self.card
        p = Problem(message, file=self.display, line=line or self.line or (card.line if card else None),
                    card_number=card.number if card else None, question=card.question if card else None,
                    hint=hint, column=column)
        (self.warnings if warn else self.problems).append(p)


def error_box(message: str) -> str:
    return f"\\fzerror{{{escape_text(message)}}}"


def _text(ctx: RenderContext, text: str) -> str:
    def unsupported(ch: str) -> None:
        ctx.problem(f"character {ch!r} (U+{ord(ch):04X}) cannot be printed with the card font; "
                    "shown as a placeholder", warn=True)

    return escape_text(text, unsupported)


def render_math(ctx: RenderContext, src: str, display: bool, line: int | None, line_in_block: bool) -> str:
    src = normalize_math(src)
    problems = check_math(src, display=display)
    if problems:
        for p in problems:
            row, col = line_col(src, p.offset)
            at = (line + row + (1 if line_in_block else 0)) if line else None
            ctx.problem(f"math: {p.message}", at, column=col if row else None)
        return error_box("math error: " + problems[0].message)
    body = src.strip()
    return f"\\[{body}\\]" if display else f"${body}$"


def render_inline(ctx: RenderContext, children: list[Token]) -> str:
    out: list[str] = []
    link_stack: list[str] = []
    for tok in children:
        t = tok.type
        if t == "text":
            out.append(_text(ctx, tok.content))
        elif t == "softbreak":
            out.append(" ")
        elif t == "hardbreak":
            out.append("\\newline ")
        elif t == "strong_open":
            out.append("\\textbf{")
        elif t == "em_open":
            out.append("\\emph{")
        elif t in ("strong_close", "em_close"):
            out.append("}")
        elif t == "code_inline":
            out.append(f"\\fzcodeinline{{{_text(ctx, tok.content)}}}")
        elif t == "math_inline":
            out.append(render_math(ctx, tok.content, False, ctx.line, False))
        elif t == "math_inline_double":
            out.append(render_math(ctx, tok.content, True, ctx.line, False))
        elif t == "link_open":
            href = str(tok.attrs.get("href", ""))
            link_stack.append(href)
            out.append("{")
        elif t == "link_close":
            href = link_stack.pop() if link_stack else ""
            out.append(f"}}\\fzurl{{{_url(ctx, href)}}}")
        elif t == "image":
            out.append(render_image(ctx, tok))
        elif t in ("html_inline",):
            out.append(_text(ctx, tok.content))
        else:
            ctx.problem(f"unsupported Markdown ({t}); kept as plain text", warn=True)
            out.append(_text(ctx, tok.content))
    return "".join(out)


def _url(ctx: RenderContext, href: str) -> str:
    # Break points after / . - so a long address wraps inside a narrow card.
    parts = [_text(ctx, ch) + ("\\allowbreak{}" if ch in "/.-?&=" else "") for ch in href]
    return "".join(parts)


def render_image(ctx: RenderContext, tok: Token) -> str:
    src = str(tok.attrs.get("src", ""))
    if "://" in src or src.startswith("data:"):
        ctx.problem(f"image '{src}' is not a local file; only images inside the deck's folder can be used")
        return error_box(f"image {src} not found")
    base = ctx.deck_dir.resolve()
    path = (base / src).resolve()
    if not path.is_relative_to(base):
        ctx.problem(f"image '{src}' lies outside the deck's folder and is not read",
                    hint="put the image in the deck's folder")
        return error_box(f"image {src} refused")
    if path.suffix.lower() not in IMAGE_TYPES:
        ctx.problem(f"image '{src}' is not PNG, JPEG or PDF")
        return error_box(f"image {src} unsupported")
    if not path.is_file():
        ctx.problem(f"image '{src}' not found", hint=f"looked for {path}")
        return error_box(f"image {src} not found")
    data = path.read_bytes()
    name = "img-" + hashlib.sha256(data).hexdigest()[:16] + path.suffix.lower()
    ctx.images[name] = data
    return f"\\fzimage{{{name}}}"


def render_table(ctx: RenderContext, block: list[Token]) -> str:
    rows: list[list[str]] = []
    lengths: list[list[int]] = []
    aligns: list[str] = []
    header_rows = 0
    row: list[str] | None = None
    in_head = False
    for i, tok in enumerate(block):
        if tok.type == "thead_open":
            in_head = True
        elif tok.type == "thead_close":
            in_head = False
        elif tok.type == "tr_open":
            row = []
            rows.append(row)
            lengths.append([])
            header_rows += in_head
        elif tok.type in ("th_open", "td_open") and len(rows) == 1:
            style = str(tok.attrs.get("style", ""))
            aligns.append("r" if "right" in style else "c" if "center" in style else "l")
        elif tok.type == "inline" and row is not None:
            row.append(render_inline(ctx, tok.children or []))
            lengths[-1].append(len(tok.content))
    ncols = max(len(r) for r in rows) if rows else 0
    aligns += ["l"] * (ncols - len(aligns))
    widths = [max((ls[c] for ls in lengths if c < len(ls)), default=0) for c in range(ncols)]
    wraps = sum(widths) > 3 * LONG_CELL
    spec = "".join(
        ("X" if wraps and widths[c] > LONG_CELL else aligns[c]) for c in range(ncols)
    )
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


def render_code_block(ctx: RenderContext, content: str) -> str:
    lines = content.rstrip("\n").split("\n")
    rendered = []
    for line in lines:
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        rendered.append((f"\\hspace*{{{indent * 0.5:g}em}}" if indent else "") + _text(ctx, stripped))
        # Keep spaces inside the line visible as in the source.
    return "\\begin{fzcode}\n" + "\\par\n".join(r.replace("  ", "\\ \\ ") for r in rendered) + "\n\\end{fzcode}\n"


def render_blocks(ctx: RenderContext, tokens: list[Token]) -> str:
    out: list[str] = []
    for block in _blocks(tokens):
        out.append(_render_block(ctx, block))
    return "".join(out)


def _render_block(ctx: RenderContext, block: list[Token]) -> str:
    first = block[0]
    if first.map:
        ctx.line = first.map[0] + 1
    t = first.type
    if t == "paragraph_open":
        inner = render_inline(ctx, block[1].children or [])
        return inner + ("\n" if first.hidden else "\\par\n")
    if t == "heading_open":
        return f"\\fzsubhead{{{render_inline(ctx, block[1].children or [])}}}\n"
    if t in ("bullet_list_open", "ordered_list_open"):
        return _render_list(ctx, block)
    if t in ("fence", "code_block"):
        return render_code_block(ctx, first.content)
    if t == "math_block":
        return render_math(ctx, first.content, True, ctx.line, True) + "\n"
    if t == "table_open":
        return render_table(ctx, block)
    if t == "blockquote_open":
        return "\\begin{fzquote}\n" + render_blocks(ctx, block[1:-1]) + "\\end{fzquote}\n"
    if t == "hr":
        return "\\fzrule\n"
    if t == "html_block":
        return _text(ctx, first.content) + "\\par\n"
    ctx.problem(f"unsupported Markdown block ({t}); kept as plain text", warn=True)
    return _text(ctx, "".join(tok.content for tok in block)) + "\\par\n"


def _render_list(ctx: RenderContext, block: list[Token]) -> str:
    first = block[0]
    ordered = first.type == "ordered_list_open"
    items = _blocks(block[1:-1])
    ctx.list_depth += 1
    try:
        if ctx.list_depth > MAX_LIST_DEPTH:
            ctx.problem(f"lists nested deeper than {MAX_LIST_DEPTH} levels are flattened", warn=True)
            return "".join("\\textbullet\\ " + render_blocks(ctx, item[1:-1]) for item in items)
        env = "fzenumerate" if ordered else "fzitemize"
        start = int(first.attrs.get("start", 1) or 1) if ordered else 1
        opts = f"[start={start}]" if ordered and start != 1 else ""
        body = "".join("\\item " + render_blocks(ctx, item[1:-1]) for item in items)
        return f"\\begin{{{env}}}{opts}\n{body}\\end{{{env}}}\n"
    finally:
        ctx.list_depth -= 1


def render_question(ctx: RenderContext, card: Card) -> str:
    ctx.card, ctx.line = card, card.line
    return render_inline(ctx, card.question_tokens)
