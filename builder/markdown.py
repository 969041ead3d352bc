"""The Markdown parser fiszki uses: CommonMark + tables + $…$/$$…$$ and \\(…\\)/\\[…\\] math."""
from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.dollarmath import dollarmath_plugin

_BRACKETS = {"\\(": ("\\)", "math_inline"), "\\[": ("\\]", "math_inline_double")}


def _bracket_math(state: StateInline, silent: bool) -> bool:
    """\\(…\\) and \\[…\\] as math; must run before CommonMark's backslash escapes eat them."""
    opener = state.src[state.pos : state.pos + 2]
    if opener not in _BRACKETS:
        return False
    closer, kind = _BRACKETS[opener]
    end = state.src.find(closer, state.pos + 2)
    if end < 0:
        return False
    if not silent:
        token = state.push(kind, "math", 0)
        token.content = state.src[state.pos + 2 : end]
        token.markup = opener
    state.pos = end + 2
    return True


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    md = (
        MarkdownIt("commonmark", {"html": False})
        .enable("table")
        # allow_space/allow_digits off: "$5 and $10" stays text; $$…$$ inside a paragraph is display.
        .use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    )
    md.inline.ruler.before("escape", "bracket_math", _bracket_math)
    return md
