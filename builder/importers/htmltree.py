"""Anki's field HTML as a small tree, and its MathJax set aside before the HTML is read.

The standard library's HTMLParser reads any HTML without failing (Anki's editor writes loose,
unclosed markup); entities come out as characters. Math (`\\(…\\)`, `\\[…\\]`, and the old
`[$]…[/$]`, `[$$]…[/$$]`, `[latex]…[/latex]`) is replaced by a placeholder first, so tags and
entities inside a formula cannot be read as HTML, and no Markdown escaping touches it.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset("br img hr input meta link col wbr source area base embed param track".split())
# Tags that close an open tag of these names first (HTML's implied end tags).
_IMPLIED = {"p": {"p"}, "li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}, "tr": {"tr", "td", "th"},
            "td": {"td", "th"}, "th": {"td", "th"}}
_SCOPES = {"li": {"ul", "ol"}, "tr": {"table", "tbody", "thead", "tfoot"}, "td": {"tr"}, "th": {"tr"}}
_MATH_DELIMITERS = (("\\(", "\\)", False), ("\\[", "\\]", True), ("[$$]", "[/$$]", True), ("[$]", "[/$]", False),
                    ("[latex]", "[/latex]", True))
PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")
MAX_DEPTH = 200  # nested elements; deeper ones are read as their text


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list = field(default_factory=list)  # Node | str


@dataclass
class Math:
    content: str  # the formula, HTML taken out
    display: bool
    source: str  # as written in the field, for code blocks
    latex: bool = False  # an old [latex]…[/latex] block: LaTeX, maybe not only math


def set_math_aside(text: str) -> tuple[str, list[Math]]:
    """The field with each formula replaced by a placeholder, and the formulas."""
    found: list[Math] = []
    out, pos = [], 0
    next_at: dict[str, int | None] = {opener: -1 for opener, _, _ in _MATH_DELIMITERS}  # None: no more
    while True:
        hits = []
        for opener, closer, display in _MATH_DELIMITERS:
            at = next_at[opener]
            if at is not None and at < pos:  # looked up again only once passed: linear in all
                at = text.find(opener, pos)
                next_at[opener] = at = at if at >= 0 else None
            if at is not None:
                hits.append((at, opener, closer, display))
        if not hits:
            break
        start, opener, closer, display = min(hits, key=lambda h: (h[0], -len(h[1])))
        end = text.find(closer, start + len(opener))
        if end < 0:
            out.append(text[pos:start + len(opener)])
            pos = start + len(opener)
            continue
        source = text[start:end + len(closer)]
        content = _math_text(text[start + len(opener):end])
        found.append(Math(content, display, _math_text(source), latex=opener == "[latex]"))
        out.append(text[pos:start] + f"\ue000{len(found) - 1}\ue001")
        pos = end + len(closer)
    out.append(text[pos:])
    return "".join(out), found


def _math_text(inner: str) -> str:
    inner = re.sub(r"<br\s*/?>", "\n", inner, flags=re.IGNORECASE)
    inner = re.sub(r"<[^<>]*>", "", inner)
    return html.unescape(inner).replace("\u00a0", " ")


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list) -> None:
        for implied in _IMPLIED.get(tag, ()):
            self._close(implied, scope=_SCOPES.get(tag, set()))
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID and len(self.stack) < MAX_DEPTH:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        self._close(tag)

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)

    def _close(self, tag: str, scope: set[str] = frozenset()) -> None:
        """Close the innermost open `tag` (and what is open inside it), not past a `scope` tag."""
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return
            if self.stack[i].tag in scope:
                return


def parse_html(text: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def text_of(node: Node | str) -> str:
    """All the text inside a node, as it is (for code)."""
    if isinstance(node, str):
        return node
    if node.tag == "br":
        return "\n"
    return "".join(text_of(child) for child in node.children)
