"""Markdown tokens → HTML for Anki: markdown-it's own renderer, math for MathJax, images as media.

Every character of the deck reaches the HTML escaped (the parser runs with HTML off, and the
renderer escapes text, code and formulas), so nothing a deck says becomes markup or script. Two
more things in a field are read by Anki rather than the browser, and are neutralised too:
- MathJax delimiters `\\(` `\\)` `\\[` `\\]` in ordinary text (a deck explaining MathJax) would start math:
  an empty `<span>` between the backslash and the bracket keeps them text (MathJax does not match
  a delimiter across elements);
- Anki's own markup, `[sound:…]`, `[latex]`, `[$]`, `[$$]`, `[anki:…]`, would play media or run LaTeX
  on the user's machine: its `[` is written as `&#91;`, which shows the same.
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Sequence
from urllib.parse import unquote

from markdown_it.common.html_re import HTML_TAG_RE
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token

from builder.errors import Problem
from builder.images import ImageRefusal, load_image
from builder.markdown import SEPARATOR_TOKEN, parser
from builder.mathcheck import check_math, line_col
from builder.mathjax import to_mathjax

if TYPE_CHECKING:
    from builder.deck import Card

# Image files Anki can show in a card (a PDF figure, fine for pdflatex, is not one of them).
ANKI_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")

_TEXT_DELIMITER_RE = re.compile(r"\\(?=[()\[\]])")
_ANKI_MARKUP_RE = re.compile(r"\[(?=/?(?:sound:|latex\]|\$\$?\]|anki:))", re.IGNORECASE)


@dataclass
class HtmlContext:
    """Where the renderer is in the deck, and what it found: problems, warnings and media."""

    deck_dir: Path
    display: str
    card: Card | None = None
    line: int | None = None  # deck line of what is being rendered
    problems: list[Problem] = field(default_factory=list)  # the card cannot be shown as written
    warnings: list[Problem] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)  # file name in the package → bytes
    reads: dict[str, str] = field(default_factory=dict)  # every file read, as the deck names it → sha256

    def report(self, message: str, line: int | None = None, column: int | None = None, *,
               warn: bool = False, hint: str | None = None) -> None:
        card = self.card
        where = line or self.line or (card.line if card else None)
        found = Problem(message, file=self.display, line=where, column=column, hint=hint,
                        card_number=card.number if card else None, question=card.question if card else None)
        (self.warnings if warn else self.problems).append(found)


def _escape(text: str) -> str:
    return escape(text, quote=False)  # text and formulas: quotes stay as typed


def _attribute(text: str) -> str:
    return escape(text, quote=True)


def anki_safe(html: str) -> str:
    """A field's HTML with Anki's own bracket markup made inert (see the module's docstring)."""
    return _ANKI_MARKUP_RE.sub("&#91;", html)


def _error(text: str) -> str:
    return f'<span class="fz-error">{_escape(text)}</span>'


class AnkiRenderer(RendererHTML):
    """markdown-it's HTML renderer; the methods below replace its rules of the same name."""

    def render(self, tokens: Sequence[Token], options, env) -> str:
        out = []
        for i, token in enumerate(tokens):
            if token.map:  # the deck line of each block, for messages
                env["ctx"].line = token.map[0] + 1
            if token.type == "inline":
                out.append(self.renderInline(token.children or [], options, env))
            elif token.type in self.rules:
                out.append(self.rules[token.type](tokens, i, options, env))
            else:
                out.append(self.renderToken(tokens, i, options, env))
        return "".join(out)

    def text(self, tokens, idx, options, env) -> str:
        content = tokens[idx].content
        tag = HTML_TAG_RE.search(content)
        if tag:
            env["ctx"].report(f"raw HTML ({tag.group(0)[:30]}) is not supported; shown as typed", warn=True)
        return _TEXT_DELIMITER_RE.sub(r"\\<span></span>", _escape(content))

    def softbreak(self, tokens, idx, options, env) -> str:
        self._next_line(env)
        return "\n"

    def hardbreak(self, tokens, idx, options, env) -> str:
        self._next_line(env)
        return "<br>\n"

    @staticmethod
    def _next_line(env) -> None:
        ctx = env["ctx"]
        ctx.line = ctx.line + 1 if ctx.line else None

    def fence(self, tokens, idx, options, env) -> str:
        token = tokens[idx]
        if token.info.strip() == "plot":
            return plot_html(env["ctx"], token.content)
        return super().fence(tokens, idx, options, env)

    def math_inline(self, tokens, idx, options, env) -> str:
        return self._inline_math(tokens[idx], env["ctx"], display=False)

    def math_inline_double(self, tokens, idx, options, env) -> str:
        return self._inline_math(tokens[idx], env["ctx"], display=True)  # $$…$$ inside a paragraph

    @staticmethod
    def _inline_math(token: Token, ctx: HtmlContext, display: bool) -> str:
        html = math_html(ctx, token.content, display, ctx.line)
        if ctx.line:
            ctx.line += token.content.count("\n")
        return html

    def math_block(self, tokens, idx, options, env) -> str:
        token = tokens[idx]
        line = token.map[0] + 1 if token.map else env["ctx"].line
        return f'<div class="fz-math">{math_html(env["ctx"], token.content, True, line)}</div>\n'

    def image(self, tokens, idx, options, env) -> str:
        token = tokens[idx]
        alt = self.renderInlineAsText(token.children or [], options, env)
        return image_html(env["ctx"], unquote(str(token.attrs.get("src", ""))), alt)

    def tr_close(self, tokens, idx, options, env) -> str:
        """Cells beyond the header's count (kept by our table rule) as cells of their own."""
        opening = next(tokens[i] for i in range(idx - 1, -1, -1) if tokens[i].type == "tr_open")
        extra = opening.meta.get("extra_cells") or []
        cells = "".join(f"<td>{self.renderInline(parser().parseInline(cell)[0].children or [], options, env)}</td>"
                        for cell in extra)
        return cells + "</tr>\n"

    def fiszki_separator(self, tokens, idx, options, env) -> str:
        return ""  # the deck reader has split front from back on it already


assert SEPARATOR_TOKEN == "fiszki_separator"  # the rule above is found by its name


def math_html(ctx: HtmlContext, src: str, display: bool, line: int | None) -> str:
    """A checked formula between MathJax delimiters; one that cannot be shown is an error, named by line."""
    problems = check_math(src, display=display)
    converted = to_mathjax(src, display) if not problems else None
    if converted:
        problems = converted.problems
        for p in converted.warnings:
            row, col = line_col(src, p.offset)
            ctx.report(f"math: {p.message}", (line + row) if line else None, col if row else None, warn=True)
    for p in problems:
        row, col = line_col(src, p.offset)
        ctx.report(f"math: {p.message}", (line + row) if line else None, col if row else None)
    if problems:
        return _error(f"math error: {problems[0].message}: {src.strip()}")
    body = converted.source.strip()
    if not body:
        ctx.report("empty formula", line, warn=True)
        return ""
    return f"\\[{_escape(body)}\\]" if display else f"\\({_escape(body)}\\)"


def image_html(ctx: HtmlContext, src: str, alt: str) -> str:
    """A deck image as package media, named by its content: one file however many cards show it."""
    found = load_image(ctx.deck_dir, src)
    if isinstance(found, ImageRefusal):
        ctx.report(found.message, hint=found.hint)
        return _error(f"image {src} cannot be shown")
    if not found.name.endswith(ANKI_IMAGE_SUFFIXES):
        ctx.report(f"image '{src}' is a PDF, which Anki cannot show in a card", hint="convert it to PNG")
        return _error(f"image {src} cannot be shown")
    ctx.reads[src] = found.read
    ctx.media[found.name] = found.data
    return f'<img src="{found.name}" alt="{_attribute(alt)}">'


def plot_html(ctx: HtmlContext, text: str) -> str:
    """A ```plot block as a picture Anki shows: the plot the cards print, as SVG media named by
    its content (a deck whose plots are not in the cache yet needs TeX once to draw them)."""
    import hashlib

    from builder.plots import compiled_plot, plot_svg

    first = ctx.line + 1 if ctx.line else None  # the block's first line, after its ```plot
    plot = compiled_plot(text)
    errors = [p for p in plot.problems if not p.warn]
    for p in plot.problems:
        ctx.report(f"plot: {p.message}", first + p.line if first else None, p.column, warn=p.warn, hint=p.hint)
    if errors:
        return _error(f"plot error: {errors[0].message}")
    try:
        svg = plot_svg(plot)
    except (OSError, subprocess.SubprocessError) as exc:
        ctx.report(f"plot cannot be drawn for Anki: {exc}", hint="install poppler-utils (pdftocairo)")
        return _error("plot cannot be shown")
    name = "plot-" + hashlib.sha256(svg).hexdigest()[:16] + ".svg"
    ctx.media[name] = svg
    return f'<div class="plot"><img src="{name}" alt="plot"></div>\n'


_RENDERER = AnkiRenderer()


def blocks_html(ctx: HtmlContext, tokens: list[Token]) -> str:
    return anki_safe(_RENDERER.render(tokens, parser().options, {"ctx": ctx}))


def inline_html(ctx: HtmlContext, children: list[Token]) -> str:
    return anki_safe(_RENDERER.renderInline(children, parser().options, {"ctx": ctx}))


@dataclass
class CardHtml:
    question: str  # the question heading, then the extra front if the card has one
    answer: str


def card_html(ctx: HtmlContext, card: Card) -> CardHtml:
    """The card's two sides as HTML; problems and media land in ctx."""
    ctx.card, ctx.line = card, card.line
    question = f'<div class="fz-q">{inline_html(ctx, card.question_tokens)}</div>'
    if card.front_tokens:
        question += f'\n<div class="fz-front">{blocks_html(ctx, card.front_tokens)}</div>'
    return CardHtml(question, blocks_html(ctx, card.back_tokens))
