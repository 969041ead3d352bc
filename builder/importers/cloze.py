"""Anki's cloze deletions, `{{c1::answer::hint}}`, as a question with a blank and its answer.

The syntax as Anki reads it (rslib/src/cloze.rs): `{{c1::…}}`, several numbers `{{c1,2::…}}`, a
hint after the last `::` of the cloze's own text, clozes inside clozes (at most 10 deep). One card
per cloze number: on its question the active clozes are blanks (`[…]` or `[hint]`), the others
show their text; on its answer the active clozes are bold. Inside MathJax a blank is
`[\\ldots]` (or `\\text{[hint]}`) and an answer `\\boxed{…}`, so the formula stays TeX.

Works on the field's HTML, before it becomes Markdown; linear in the field's length.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

_OPEN = re.compile(r"\{\{c([\d,]+)::")
_MATH = re.compile(r"\\\(|\\\)|\\\[|\\\]")
MAX_DEPTH = 10


@dataclass
class _Cloze:
    numbers: frozenset[int]
    start: int  # offset in the field, to tell whether it lies inside MathJax
    nodes: list = field(default_factory=list)  # str | _Cloze
    hint: str | None = None


def _parse(text: str) -> list:
    """The field as text and _Cloze nodes."""
    out: list = []
    stack: list[_Cloze] = []
    pos = 0
    while pos < len(text):
        m = _OPEN.match(text, pos)
        if m:
            numbers = frozenset(int(n) for n in m.group(1).split(",") if n)
            if numbers and len(stack) < MAX_DEPTH:
                stack.append(_Cloze(numbers, pos))
                pos = m.end()
                continue
        if text.startswith("}}", pos) and stack:
            cloze = stack.pop()
            (stack[-1].nodes if stack else out).append(cloze)
            pos += 2
            continue
        nxt = min((i for i in (text.find("{{c", pos + 1), text.find("}}", pos + 1)) if i >= 0), default=len(text))
        chunk = text[pos:nxt]
        if stack and "::" in chunk:  # as Anki: the hint follows "::" in the cloze's own text
            chunk, stack[-1].hint = chunk.split("::", 1)
        (stack[-1].nodes if stack else out).append(chunk)
        pos = nxt
    while stack:  # never closed: Anki shows the text as it is
        cloze = stack.pop()
        opened = "{{c" + ",".join(map(str, sorted(cloze.numbers))) + "::"
        (stack[-1].nodes if stack else out).extend([opened, *cloze.nodes])
    return out


def cloze_numbers(text: str) -> list[int]:
    """The cloze numbers a field uses, in order."""
    found: set[int] = set()

    def walk(nodes: list) -> None:
        for node in nodes:
            if isinstance(node, _Cloze):
                found.update(node.numbers)
                walk(node.nodes)

    walk(_parse(text))
    return sorted(found)


def _math_spans(text: str) -> list[tuple[int, int]]:
    spans, opened = [], None
    for m in _MATH.finditer(text):
        if m.group(0) in ("\\(", "\\[") and opened is None:
            opened = m.start()
        elif m.group(0) in ("\\)", "\\]") and opened is not None:
            spans.append((opened, m.end()))
            opened = None
    return spans


def reveal(text: str, number: int, question: bool) -> str:
    """The field as the question (blanks) or answer (bold) of cloze `number`."""
    spans = _math_spans(text)

    def in_math(offset: int) -> bool:
        return any(a <= offset < b for a, b in spans)

    def plain(nodes: list) -> str:
        return "".join(n if isinstance(n, str) else plain(n.nodes) for n in nodes)

    def render(nodes: list) -> str:
        out = []
        for node in nodes:
            if isinstance(node, str):
                out.append(node)
            elif number not in node.numbers:
                out.append(render(node.nodes))
            elif question:
                hint = node.hint
                if in_math(node.start):
                    out.append(f"\\text{{[{hint}]}}" if hint else "[\\ldots]")
                else:
                    out.append(f"[{hint}]" if hint else "[…]")
            else:
                inner = render(node.nodes)
                out.append(f"\\boxed{{{inner}}}" if in_math(node.start) else f"<b>{inner}</b>")
        return "".join(out)

    return render(_parse(text))


def strip_clozes(text: str) -> str:
    """The text with every cloze shown (what the note says, without the markup)."""
    return reveal(text, -1, question=False)
