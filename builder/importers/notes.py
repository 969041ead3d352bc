"""Loose notes (a notes app exported through PDF-to-text) into cards.

The notes look like this: a question line, usually followed by a marker line (`?`, which the
OCR sometimes read as `2`, or `- ?`), then the answer up to the next question. `#` headings
are sometimes sections (`# Wykład 1`) and sometimes questions (`#### Czym jest softmax`).
Math is LaTeX already, but damaged by the export (builder.importers.notes_text repairs it).

Valid Markdown passes through undamaged: front matter is kept (title, lang and the deck's own
keys), a question carrying `{#id .tags}` keeps them, and in a file with front matter (the deck's
format) a `##` heading with text under it is a card. Every guess the user should check is
noted with its line in the notes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from builder.frontmatter import META_KEYS
from builder.options import FRONT_MATTER_KEYS
from builder.importers.frontmatter import split_front_matter
from builder.importers.mdtext import atx_heading
from builder.importers.model import CONVERTED, UNSURE, Card, ImportOptions, Origin, Source
from builder.importers.notes_text import CR_REST, FF_REST, Cleaner, Line, is_blank, math_state
from builder.language import detect_language

TEXTS = {
    "pl": {"section": "Ogólne", "title": "Fiszki", "no_answer": "(brak odpowiedzi w notatkach)"},
    "en": {"section": "General", "title": "Flashcards", "no_answer": "(no answer in the notes)"},
}
MAX_QUESTION = 150  # longer lines are not guessed to be questions

_QUESTION_WORDS = (
    # Polish
    "Czym", "Co", "Jak", "Jaka", "Jakie", "Jakiej", "Jaki", "Jakim", "Jakich", "Jaką", "Na czym",
    "Czemu", "Dlaczego", "Gdzie", "Kiedy", "Ile", "Kto", "Który", "Która", "Które", "Po co",
    "W jaki sposób", "Wymień", "Opisz", "Podaj", "Wyjaśnij", "Omów", "Porównaj", "Zdefiniuj",
    "Scharakteryzuj",
    # English
    "What", "How", "Why", "Which", "When", "Where", "Who", "Define", "Explain", "Describe",
)
_QUESTION_START = re.compile(
    r"^(?:\*\*|__)?(?:" + "|".join(re.escape(w) for w in _QUESTION_WORDS) + r")(?![\w'’-])"
)
# "Bias a wariancja", "Precision vs recall": a short topic comparing two things.
_COMPARISON = re.compile(r"^[A-ZĄĆĘŁŃÓŚŹŻ]\S*(?: \S+){0,2} (?:a|vs\.?|versus|kontra) \S+(?: \S+){0,2}$")
_NOT_A_QUESTION = re.compile(r"\b(?:to\s+)?nie\s+jest\s+pytani|\bnot\s+a\s+question\b", re.IGNORECASE)
_MARKERS = frozenset({"?", "？", "2", "- ?", "-?", "* ?", "- 2"})
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])(?:\s|$)")
_BOLD_ONLY = re.compile(r"^(\*\*|__)(?!\s)(.+?)(?<!\s)\1$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
# {#id .tag}, as the deck writes them; no leading \s*: on a long run of spaces it would backtrack
_ATTRIBUTES = re.compile(r"\{([#.][^{}]*)\}[ \t]*$")


def _is_marker(text: str) -> bool:
    return text.strip() in _MARKERS


def _unbold(text: str) -> str:
    m = _BOLD_ONLY.match(text.strip())
    return m.group(2).strip() if m else text.strip()


def _split_attributes(text: str) -> tuple[str, str | None, tuple[str, ...]]:
    """A question without its `{#id .tags}` block, and the id and tags it held."""
    m = _ATTRIBUTES.search(text)
    if not m:
        return text, None, ()
    words = m.group(1).split()
    ids = [w[1:] for w in words if w.startswith("#") and len(w) > 1]
    tags = tuple(w[1:] for w in words if w.startswith(".") and len(w) > 1)
    return text[: m.start()].rstrip(), ids[0] if ids else None, tags


def _looks_like_question(text: str) -> bool:
    """Ends with "?" or starts with a question word, and is short."""
    text = _split_attributes(text.strip())[0].strip()
    if not text or len(text) >= MAX_QUESTION:
        return False
    return _unbold(text).endswith("?") or bool(_QUESTION_START.match(text))


def _looks_like_comparison(text: str) -> bool:
    text = text.strip()
    return bool(_COMPARISON.match(text)) and "$" not in text and not re.search(r"[.!:;,]$", text)


@dataclass
class _Card:
    line: int
    question: str
    marker: str | None
    body: list[Line] = field(default_factory=list)


@dataclass
class _Section:
    line: int
    name: str
    cards: list[_Card] = field(default_factory=list)


def read_notes(text: str, path: Path, options: ImportOptions) -> Source:
    """The cards of loose notes, with every guess noted by its line."""
    return _Importer(text, path, options).run()


class _Importer:
    def __init__(self, text: str, path: Path, options: ImportOptions) -> None:
        self.source = Source(path, "notes")
        front, raw_lines = split_front_matter(text.lstrip("\ufeff").replace("\r\n", "\n"), str(path))
        self._keep_front_matter(front.values, front.lines)
        self.deck_like = front.end_line > 0  # front matter: the deck's format, where `##` is a card
        lang = options.lang or self.source.lang or detect_language(text)
        if lang not in TEXTS:
            raise ValueError(f"unknown language {lang!r}: use one of {', '.join(TEXTS)}")
        self.texts = TEXTS[lang]
        self.given_title = options.title.strip() if options.title and options.title.strip() else None
        self.cleaner = Cleaner(self.note)
        self.lines = self._mark_blocks(self._join_broken_math(self._split(raw_lines)))
        self.sections: list[_Section] = []
        self.card: _Card | None = None
        self.expect_answer = False  # the next content line is the first line of an answer
        self.dropped: int | None = None  # first line of text that has no card to go to

    def note(self, line: int, message: str, kind: str = UNSURE) -> None:
        self.source.note(kind, message, line)

    def _keep_front_matter(self, values: dict, lines: dict) -> None:
        for key, value in values.items():
            if key == "title" and value:
                self.source.title = str(value)
            elif key == "lang" and str(value).strip().lower() in TEXTS:
                self.source.lang = str(value).strip().lower()
            elif key in META_KEYS or key.replace("-", "_") in FRONT_MATTER_KEYS:
                self.source.meta[key] = value
            else:
                self.note(lines.get(key, 1), f"front-matter key '{key}' is not a deck setting; left out")

    # ---- reading the lines

    def _split(self, raw_lines: list[str]) -> list[Line]:
        """Lines as the notes file numbers them; stray CR / FF inside a line are lost `\\r` / `\\f`."""
        lines = []
        for no, raw in enumerate(raw_lines, 1):
            fixed = re.sub(r"\r(?=[A-Za-z])", r"\\r", re.sub(r"\f(?=[A-Za-z])", r"\\f", raw))
            if fixed != raw:
                self.note(no, "a carriage-return / form-feed character inside the line was read as a lost "
                              "'\\r' / '\\f' of a LaTeX command", CONVERTED)
            fixed = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", fixed)
            lines.append(Line(no, fixed))
        return lines

    def _join_broken_math(self, lines: list[Line]) -> list[Line]:
        """Inside math, a line starting with "ight]" or "m in}" is a `\\right` / `\\rm` whose `\\r`
        the export turned into a line break: glue it back (never onto a lone `$$` opener: the
        formula's first line is "m_t = …" there, not damage)."""
        out: list[Line] = []
        state: str | None = None
        for ln in lines:
            if is_blank(ln.text) and state == "$":
                state = None  # inline math never spans a blank line
            rest = ln.text.lstrip()
            if out and state is not None and rest and out[-1].text.strip() not in ("$$", "\\["):
                m_cr, m_ff = CR_REST.match(rest), FF_REST.match(rest)
                if m_cr or m_ff:
                    lost = "\\r" if m_cr else "\\f"
                    prev = out[-1]
                    prev.text = prev.text + lost + rest
                    name = lost + (m_cr or m_ff).group(0)
                    self.note(ln.no, f"repaired damaged LaTeX: the line break before '{rest[:12]}' was a lost "
                                     f"'{lost}' ({name}); joined to line {prev.no}", CONVERTED)
                    state = math_state(lost + rest, state)
                    continue
            state = math_state(ln.text, state)
            out.append(ln)
        return out

    def _mark_blocks(self, lines: list[Line]) -> list[Line]:
        """Tag fenced code and display-math ($$) blocks: their lines are never questions or headings."""
        block_id, i = 0, 0
        while i < len(lines):
            text = lines[i].text.strip()
            fence = _FENCE.match(lines[i].text)
            if fence:
                block_id += 1
                close = fence.group(1)[0] * len(fence.group(1))
                j = i + 1
                while j < len(lines) and not lines[j].text.strip().startswith(close):
                    j += 1
                for k in range(i, min(j, len(lines) - 1) + 1):
                    lines[k].block = ("code", block_id)
                i = j + 1
                continue
            if text.startswith("$$"):
                block_id += 1
                if len(text) > 4 and text.endswith("$$"):
                    lines[i].block = ("math", block_id)
                    i += 1
                    continue
                j = i + 1  # a multi-line $$ block ends at a line ending in $$ (as in the deck parser)
                while j < len(lines) and not lines[j].text.strip().endswith("$$"):
                    j += 1
                if j < len(lines):
                    for k in range(i, j + 1):
                        lines[k].block = ("math", block_id)
                    i = j + 1
                    continue
                self.note(lines[i].no, "'$$' display math is never closed")
            i += 1
        return lines

    def _next_nonblank(self, i: int) -> int | None:
        for j in range(i + 1, len(self.lines)):
            if not is_blank(self.lines[j].text):
                return j
        return None

    def _marker_after(self, i: int) -> int | None:
        j = self._next_nonblank(i)
        if j is not None and self.lines[j].block is None and _is_marker(self.lines[j].text):
            return j
        return None

    def _heading(self, i: int) -> tuple[int, str] | None:
        return atx_heading(self.lines[i].text) if self.lines[i].block is None else None

    # ---- structure: title, sections, cards

    def _title(self) -> tuple[str | None, int]:
        """The deck's title and the line the cards start at (after a `# title` line)."""
        title = self.given_title or self.source.title
        first = self._next_nonblank(-1)
        if title is None and first is not None:
            head = self._heading(first)
            if head and head[0] == 1 and head[1] and not _looks_like_question(head[1]) \
                    and self._marker_after(first) is None:
                return _unbold(head[1]), first + 1
        if title is None:
            for i in range(len(self.lines)):
                head = self._heading(i)
                if head and head[0] == 1 and head[1] and not _looks_like_question(head[1]):
                    return _unbold(head[1]), 0
        return title, 0

    def run(self) -> Source:
        title, start = self._title()
        self.default_section = title or self.texts["section"]
        if title is None:
            title = self.texts["title"]
            self.note(1, f"no '# title' line in the notes; the deck is titled '{title}'")
        self.source.title = title
        i = start
        while i < len(self.lines):
            i = self._step(i)
        self._emit()
        return self.source

    def _step(self, i: int) -> int:
        """Read the line at i (and its marker, if any); the index of the next line to read."""
        ln = self.lines[i]
        if is_blank(ln.text) or ln.block is not None:
            self._add(ln)
            return i + 1
        marker = self._marker_after(i)
        head = self._heading(i)
        if head is not None:
            return self._on_heading(i, head, marker)
        if _NOT_A_QUESTION.search(ln.text):
            self._add(ln)
            self.note(ln.no, "the line says it is not a question; kept as text"
                      + (" in the previous answer" if self.card is not None else ""))
            return i + 1
        if marker is not None and not _is_marker(ln.text):
            self._new_card(i, ln.text, marker)
            if self.lines[marker].text.strip() in ("2", "- 2") and not _looks_like_question(ln.text):
                self.note(ln.no, f"the '2' on line {self.lines[marker].no} was read as an OCR-damaged '?' "
                                 "marker, so this line became a question; check it")
            return marker + 1
        return self._on_plain(i)

    def _on_plain(self, i: int) -> int:
        ln = self.lines[i]
        plain = ln.text.strip()
        prev_blank = i == 0 or is_blank(self.lines[i - 1].text) or atx_heading(self.lines[i - 1].text) is not None
        guessable = not self.expect_answer and prev_blank and not _LIST_ITEM.match(ln.text) \
            and "\t" not in ln.text and not plain.startswith("$") and not _is_marker(plain)
        if guessable and (_looks_like_question(plain) or _looks_like_comparison(plain)):
            self._new_card(i, plain, None)
            why = "" if _looks_like_question(plain) else " (a short 'X a Y' topic)"
            self.note(ln.no, f"guessed question without a ? marker: '{plain}'{why}")
            return i + 1
        if self.card is not None and plain in ("?", "？", "- ?"):
            self.note(ln.no, "a lone '?' line inside an answer was left out", CONVERTED)
            return i + 1
        self._add(ln)
        return i + 1

    def _on_heading(self, i: int, head: tuple[int, str], marker: int | None) -> int:
        ln = self.lines[i]
        level, htext = head
        if not htext:
            return i + 1
        attributed = _ATTRIBUTES.search(htext) is not None
        with_text = level == 2 and self.deck_like and (j := self._next_nonblank(i)) is not None \
            and self._heading(j) is None
        if marker is not None or attributed or with_text or _looks_like_question(htext):
            self._new_card(i, _unbold(htext), marker)
            if not (attributed or with_text):
                how = "" if marker is not None else "; guessed question without a ? marker"
                self.note(ln.no, f"heading '{ln.text.strip()}' treated as a question, not a section{how}")
            return (marker if marker is not None else i) + 1
        if self.card is not None and (self.expect_answer or _BOLD_ONLY.match(htext)):
            where = "right after a question" if self.expect_answer else "inside an answer"
            bold = htext if _BOLD_ONLY.match(htext) else f"**{htext}**"
            self._add(Line(ln.no, bold))
            self.note(ln.no, f"heading '{ln.text.strip()}' {where} kept as bold answer text")
            return i + 1
        self.sections.append(_Section(ln.no, _unbold(htext)))
        self.card, self.expect_answer, self.dropped = None, False, None
        return i + 1

    def _new_card(self, i: int, text: str, marker: int | None) -> None:
        if not self.sections:
            self.sections.append(_Section(self.lines[i].no, self.default_section))
            self.note(self.lines[i].no, "question before any section heading; put into the section "
                                        f"'{self.default_section}'")
        self.card = _Card(self.lines[i].no, text, self.lines[marker].text.strip() if marker is not None else None)
        self.sections[-1].cards.append(self.card)
        self.expect_answer = True

    def _add(self, ln: Line) -> None:
        if self.card is None:
            if not is_blank(ln.text) and self.dropped is None:
                self.dropped = ln.no
                self.note(ln.no, "text outside any card left out of the deck")
            return
        self.card.body.append(ln)
        if not is_blank(ln.text):
            self.expect_answer = False

    # ---- the cards

    def _emit(self) -> None:
        for section in self.sections:
            if not section.cards:
                self.note(section.line, f"section '{section.name}' has no questions; left out of the deck")
                continue
            name = self.cleaner.inline(section.name, section.line)
            for card in section.cards:
                question, card_id, tags = _split_attributes(card.question)
                question = re.sub(r"^\s*(?:[-*+]\s+)+", "", question)
                question = re.sub(r"\s+", " ", _unbold(self.cleaner.inline(question, card.line))).strip()
                answer = self.cleaner.render_body(card.body)
                if not answer and card.marker == "2":
                    answer = "2"
                    self.note(card.line, "the only thing under the question is '2': read as the answer, "
                                         "not as an OCR-damaged '?' marker")
                if not answer:
                    answer = self.texts["no_answer"]
                    self.note(card.line, f"question has no answer in the notes; wrote '{answer}'")
                self.source.cards.append(Card(question, answer, Origin(self.source.display, card.line),
                                              section=name, tags=tags, id=card_id))
        self.source.notes.sort(key=lambda n: n.origin.line or 0)
