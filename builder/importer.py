"""Turn loose notes (a notes app exported through PDF-to-text) into a fiszki deck.

The notes look like this: a question line, usually followed by a marker line (`?`, which the
OCR sometimes read as `2`, or `- ?`), then the answer up to the next question. `#` headings
are sometimes sections (`# Wykład 1`) and sometimes questions (`#### Czym jest softmax`).
Math is LaTeX already, but the export ate `\\f` and `\\r` as form-feed / carriage-return
escapes (`rac{` is `\\frac{`, `ightarrow` is `\\rightarrow`, and a `\\right` may even have
become a line break).

`import_notes` is pure: text in, deck Markdown plus review notes out. Every guess the user
should check is an `ImportNote` carrying its 1-based line in the notes file.
`write_deck` is the only function doing I/O.

Output format (what `builder.deck` reads):

    ---
    title: <title>
    lang: pl
    ---

    # Section

    ## Question {#card-id}
    Answer…
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from builder.deck import slugify
from builder.files import atomic_write

__all__ = ["ImportNote", "ImportResult", "import_notes", "write_deck"]


@dataclass(frozen=True)
class ImportNote:
    line: int  # 1-based line in the notes file
    message: str  # a guess the user should review


@dataclass
class ImportResult:
    markdown: str
    cards: int
    sections: int
    notes: list[ImportNote]


# Localised fixed texts; also the languages a deck may declare (see builder.deck.LANGUAGES).
_TEXTS = {
    "pl": {"section": "Ogólne", "title": "Fiszki", "no_answer": "(brak odpowiedzi w notatkach)"},
    "en": {"section": "General", "title": "Flashcards", "no_answer": "(no answer in the notes)"},
}

MAX_QUESTION = 150  # longer lines are not guessed to be questions
MAX_ID = 40  # card ids are at most this long, suffix included

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
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])(?:\s|$)")
_ORDERED_ITEM = re.compile(r"^\s*(\d{1,9})[.)](?:\s|$)")
_DASHED_NUMBER = re.compile(r"^(\s*)[-*+]\s+(\d{1,9})[.)]\s+")  # "- 1. text"
_BOLD_ONLY = re.compile(r"^(\*\*|__)(?!\s)(.+?)(?<!\s)\1$")
_SETEXT_UNDERLINE = re.compile(r"^\s*(?:=+|-+)\s*$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_STRAY_STAR = re.compile(r"\[\\?\*\]")

# Damage from the lost `\f` / `\r` escapes.
_FRAC = re.compile(r"(?<![fF\\])rac\{")  # \frac, \dfrac, \tfrac, \cfrac keep their "f"
_RIGHTARROW = re.compile(r"(?<![rR\\])ightarrow")  # \rightarrow, \Longrightarrow … keep their "r"
_RIGHT = re.compile(r"(?<![A-Za-z\\])ight(?![A-Za-z])")  # a lone "ight" in math is \right
_MATH_ACCENT = re.compile(r"(?<!\\)\\(['`\"~^.])(?:\{([A-Za-z])\}|([A-Za-z]))")
_OLD_FONT = re.compile(r"\{\\(rm|bf|it|sf|tt|cal)(?![A-Za-z])\s*([^{}]*)\}")  # {\rm in} -> {\mathrm{in}}
_ACCENTS = {"'": "acute", "`": "grave", '"': "ddot", "~": "tilde", "^": "hat", ".": "dot"}
# What is left of a `\r…` command when the CR became a line break inside math.
_CR_REST = re.compile(r"(?:ight(?:arrow)?|angle|ceil|floor|ho|vert|Vert|brace|brack|m)(?![A-Za-z])")
_FF_REST = re.compile(r"(?:rac(?=\{)|orall(?![A-Za-z]))")


# --------------------------------------------------------------------------- small helpers

_MATHSF_WORD = re.compile(r"\\mathsf\{([^{}]*)\}([.,;:]?)")
# The export wrote Polish letters as TeX accents; \'z is more often ż (każdy) than ź in these notes.
_TEXT_ACCENTS = {"\\'o": "ó", "\\'z": "ż", "\\'s": "ś", "\\'c": "ć", "\\'n": "ń"}


def _is_blank(text: str) -> bool:
    return not text.strip()


def _is_marker(text: str) -> bool:
    return text.strip() in _MARKERS


def _heading(text: str) -> tuple[int, str] | None:
    m = _HEADING.match(text)
    if not m:
        return None
    return len(m.group(1)), (m.group(2) or "").strip()


def _unbold(text: str) -> str:
    m = _BOLD_ONLY.match(text.strip())
    return m.group(2).strip() if m else text.strip()


def _looks_like_question(text: str) -> bool:
    """Ends with "?" or starts with a question word, and is short."""
    text = text.strip()
    if not text or len(text) >= MAX_QUESTION:
        return False
    return _unbold(text).endswith("?") or bool(_QUESTION_START.match(text))


def _looks_like_comparison(text: str) -> bool:
    text = text.strip()
    return bool(_COMPARISON.match(text)) and "$" not in text and not re.search(r"[.!:;,]$", text)


def _math_state(text: str, state: str | None) -> str | None:
    """Which math is open after `text` ("$", "$$" or None), starting with `state` open."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "$":
            double = text.startswith("$$", i)
            if state is None:
                state = "$$" if double else "$"
                i += 2 if double else 1
                continue
            if state == "$$" and double:
                state, i = None, i + 2
                continue
            if state == "$":
                state = None
        i += 1
    return state


def _segments(text: str) -> list[tuple[bool, str]]:
    """Split one line into (is_math, piece); math pieces keep their delimiters.

    Math is `$…$`, `$$…$$`, `\\(…\\)` or `\\[…\\]`. Like the deck parser, a `$` with a digit
    right before it (opening) or right after it (closing) is not math, and an unclosed `$`
    (a price, say) stays text.
    """
    out: list[tuple[bool, str]] = []
    i, start, n = 0, 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith(("\\(", "\\["), i):
            close = "\\)" if text[i + 1] == "(" else "\\]"
            j = text.find(close, i + 2)
            if j < 0:
                break
            end = j + 2
        elif c == "\\":
            i += 2
            continue
        elif c == "$" and not (i > 0 and text[i - 1].isdigit()):
            delim = "$$" if text.startswith("$$", i) else "$"
            j = i + len(delim)
            while j < n:
                if text[j] == "\\":
                    j += 2
                    continue
                if text.startswith(delim, j):
                    break
                j += 1
            end = j + len(delim)
            if j >= n or text[end : end + 1].isdigit():
                i += len(delim)
                continue
        else:
            i += 1
            continue
        if i > start:
            out.append((False, text[start:i]))
        out.append((True, text[i:end]))
        i = start = end
    if start < n:
        out.append((False, text[start:]))
    return out


def _balanced_groups(text: str, pos: int, count: int) -> int | None:
    """End index after `count` consecutive {…} groups starting at `pos`, or None."""
    for _ in range(count):
        if pos >= len(text) or text[pos] != "{":
            return None
        depth = 0
        while pos < len(text):
            if text[pos] == "{":
                depth += 1
            elif text[pos] == "}":
                depth -= 1
                if depth == 0:
                    break
            pos += 1
        else:
            return None
        pos += 1
    return pos


def _card_id(question: str, used: set[str] | frozenset[str] = frozenset()) -> str:
    """ASCII kebab-case id of a question, at most MAX_ID chars, not in `used` (-2, -3 … appended)."""
    candidate, n = slugify(question, MAX_ID), 1
    while candidate in used:
        n += 1
        suffix = f"-{n}"
        candidate = slugify(question, MAX_ID - len(suffix)) + suffix
    return candidate


def _yaml_scalar(value: str) -> str:
    if re.fullmatch(r"[\w][\w .,()/+\-–—&]*", value) and not value.endswith(" ") and value.lower() not in (
        "yes", "no", "true", "false", "on", "off", "null", "y", "n", "~"
    ) and not re.fullmatch(r"[\d.+\-eE_]+", value):
        return value
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


# --------------------------------------------------------------------------- the importer

@dataclass
class _Line:
    no: int  # 1-based line in the notes
    text: str
    block: tuple[str, int] | None = None  # ("code"|"math", id) for fenced code / $$ blocks


@dataclass
class _Card:
    line: int
    question: str
    marker: str | None
    body: list[_Line] = field(default_factory=list)


@dataclass
class _Section:
    line: int
    name: str
    cards: list[_Card] = field(default_factory=list)


class _Importer:
    def __init__(self, text: str, title: str | None, lang: str) -> None:
        if lang not in _TEXTS:
            raise ValueError(f"unknown language {lang!r}: use one of {', '.join(_TEXTS)}")
        self.lang = lang
        self.texts = _TEXTS[lang]
        self.given_title = title.strip() if title and title.strip() else None
        self.notes: list[ImportNote] = []
        self.lines = self._mark_blocks(self._join_broken_math(self._split(text)))

    def note(self, line: int, message: str) -> None:
        self.notes.append(ImportNote(line, message))

    # ---- reading the lines

    def _split(self, text: str) -> list[_Line]:
        """Lines as the notes file numbers them; stray CR / FF inside a line are lost `\\r` / `\\f`."""
        text = text.lstrip("\ufeff").replace("\r\n", "\n")
        lines = []
        for no, raw in enumerate(text.split("\n"), 1):
            fixed = re.sub(r"\r(?=[A-Za-z])", r"\\r", re.sub(r"\f(?=[A-Za-z])", r"\\f", raw))
            if fixed != raw:
                self.note(no, "a carriage-return / form-feed character inside the line was read as a lost "
                              "'\\r' / '\\f' of a LaTeX command")
            fixed = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", fixed)
            lines.append(_Line(no, fixed))
        return lines

    def _join_broken_math(self, lines: list[_Line]) -> list[_Line]:
        """Inside math, a line starting with "ight]" or "m in}" is a `\\right` / `\\rm` whose `\\r`
        the export turned into a line break: glue it back."""
        out: list[_Line] = []
        state: str | None = None
        for ln in lines:
            if _is_blank(ln.text) and state == "$":
                state = None  # inline math never spans a blank line
            rest = ln.text.lstrip()
            if out and state is not None and rest:
                m_cr, m_ff = _CR_REST.match(rest), _FF_REST.match(rest)
                if m_cr or m_ff:
                    lost = "\\r" if m_cr else "\\f"
                    prev = out[-1]
                    prev.text = prev.text + lost + rest
                    name = lost + (m_cr or m_ff).group(0)
                    self.note(ln.no, f"repaired damaged LaTeX: the line break before '{rest[:12]}' was a lost "
                                     f"'{lost}' ({name}); joined to line {prev.no}")
                    state = _math_state(lost + rest, state)
                    continue
            state = _math_state(ln.text, state)
            out.append(ln)
        return out

    def _mark_blocks(self, lines: list[_Line]) -> list[_Line]:
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
            if not _is_blank(self.lines[j].text):
                return j
        return None

    def _marker_after(self, i: int) -> int | None:
        j = self._next_nonblank(i)
        if j is not None and self.lines[j].block is None and _is_marker(self.lines[j].text):
            return j
        return None

    # ---- structure: title, sections, cards

    def run(self) -> ImportResult:
        lines = self.lines
        title = self.given_title
        start = 0
        first = self._next_nonblank(-1)
        if title is None and first is not None and lines[first].block is None:
            head = _heading(lines[first].text)
            if head and head[0] == 1 and head[1] and not _looks_like_question(head[1]) \
                    and self._marker_after(first) is None:
                title, start = _unbold(head[1]), first + 1
        if title is None:
            for ln in lines:
                head = _heading(ln.text) if ln.block is None else None
                if head and head[0] == 1 and head[1] and not _looks_like_question(head[1]):
                    title = _unbold(head[1])
                    break
        default_section = title or self.texts["section"]
        if title is None:
            title = self.texts["title"]
            self.note(1, f"no '# title' line in the notes; the deck is titled '{title}'")

        sections: list[_Section] = []
        card: _Card | None = None
        expect_answer = False  # the next content line is the first line of an answer
        dropped: int | None = None  # first line of text that has no card to go to

        def new_card(i: int, text: str, marker: int | None) -> _Card:
            nonlocal card, expect_answer
            if not sections:
                sections.append(_Section(lines[i].no, default_section))
                self.note(lines[i].no, "question before any section heading; put into the section "
                                       f"'{default_section}'")
            card = _Card(lines[i].no, text, lines[marker].text.strip() if marker is not None else None)
            sections[-1].cards.append(card)
            expect_answer = True
            return card

        def add(ln: _Line) -> None:
            nonlocal expect_answer, dropped
            if card is None:
                if not _is_blank(ln.text) and dropped is None:
                    dropped = ln.no
                    self.note(ln.no, "text outside any card left out of the deck")
                return
            card.body.append(ln)
            if not _is_blank(ln.text):
                expect_answer = False

        i = start
        while i < len(lines):
            ln = lines[i]
            if _is_blank(ln.text) or ln.block is not None:
                add(ln)
                i += 1
                continue
            marker = self._marker_after(i)
            prev_blank = i == 0 or _is_blank(lines[i - 1].text) or _heading(lines[i - 1].text) is not None
            head = _heading(ln.text)
            if head is not None:
                htext = head[1]
                if not htext:
                    i += 1
                    continue
                if marker is not None or _looks_like_question(htext):
                    new_card(i, _unbold(htext), marker)
                    how = "" if marker is not None else "; guessed question without a ? marker"
                    self.note(ln.no, f"heading '{ln.text.strip()}' treated as a question, not a section{how}")
                    i = (marker if marker is not None else i) + 1
                    continue
                if card is not None and (expect_answer or _BOLD_ONLY.match(htext)):
                    where = "right after a question" if expect_answer else "inside an answer"
                    bold = htext if _BOLD_ONLY.match(htext) else f"**{htext}**"
                    add(_Line(ln.no, bold))
                    self.note(ln.no, f"heading '{ln.text.strip()}' {where} kept as bold answer text")
                    i += 1
                    continue
                sections.append(_Section(ln.no, _unbold(htext)))
                card, expect_answer, dropped = None, False, None
                i += 1
                continue
            if _NOT_A_QUESTION.search(ln.text):
                add(ln)
                self.note(ln.no, "the line says it is not a question; kept as text"
                          + (" in the previous answer" if card is not None else ""))
                i += 1
                continue
            if marker is not None and not _is_marker(ln.text):
                new_card(i, ln.text, marker)
                if lines[marker].text.strip() in ("2", "- 2") and not _looks_like_question(ln.text):
                    self.note(ln.no, f"the '2' on line {lines[marker].no} was read as an OCR-damaged '?' "
                                     "marker, so this line became a question; check it")
                i = marker + 1
                continue
            plain = ln.text.strip()
            guessable = not expect_answer and prev_blank and not _LIST_ITEM.match(ln.text) \
                and "\t" not in ln.text and not plain.startswith("$") and not _is_marker(plain)
            if guessable and _looks_like_question(plain):
                new_card(i, plain, None)
                self.note(ln.no, f"guessed question without a ? marker: '{plain}'")
                i += 1
                continue
            if guessable and _looks_like_comparison(plain):
                new_card(i, plain, None)
                self.note(ln.no, f"guessed question without a ? marker: '{plain}' (a short 'X a Y' topic)")
                i += 1
                continue
            if card is not None and plain in ("?", "？", "- ?"):
                self.note(ln.no, "a lone '?' line inside an answer was left out")
                i += 1
                continue
            add(ln)
            i += 1

        return self._emit(title, sections)

    # ---- writing the deck

    def _emit(self, title: str, sections: list[_Section]) -> ImportResult:
        out = ["---", f"title: {_yaml_scalar(title)}", f"lang: {self.lang}", "---"]
        used: set[str] = set()
        n_cards = n_sections = 0
        for section in sections:
            if not section.cards:
                self.note(section.line, f"section '{section.name}' has no questions; left out of the deck")
                continue
            n_sections += 1
            out += ["", f"# {self._inline(section.name, section.line)}"]
            for card in section.cards:
                question = self._question_text(card)
                cid = _card_id(question, used)
                used.add(cid)
                answer = self._render_body(card.body)
                if not answer and card.marker == "2":
                    answer = "2"
                    self.note(card.line, "the only thing under the question is '2': read as the answer, "
                                         "not as an OCR-damaged '?' marker")
                if not answer:
                    answer = self.texts["no_answer"]
                    self.note(card.line, f"question has no answer in the notes; wrote '{answer}'")
                out += ["", f"## {question} {{#{cid}}}", answer]
                n_cards += 1
        self.notes.sort(key=lambda n: n.line)
        return ImportResult("\n".join(out) + "\n", n_cards, n_sections, list(self.notes))

    def _question_text(self, card: _Card) -> str:
        text = re.sub(r"^\s*(?:[-*+]\s+)+", "", card.question)
        text = _unbold(self._inline(text, card.line))
        return re.sub(r"\s+", " ", text).strip()

    # ---- cleaning text

    def _fix_math(self, math: str, no: int) -> str:
        """Repairs inside math (delimiters included or not)."""
        fixed, n = _FRAC.subn(r"\\frac{", math)
        if n:
            self.note(no, "repaired damaged LaTeX 'rac{' -> '\\frac{'" + (f" ({n}x)" if n > 1 else ""))
        fixed, n = _RIGHTARROW.subn(r"\\rightarrow", fixed)
        if n:
            self.note(no, "repaired damaged LaTeX 'ightarrow' -> '\\rightarrow'" + (f" ({n}x)" if n > 1 else ""))
        fixed, n = _RIGHT.subn(r"\\right", fixed)
        if n:
            self.note(no, "repaired damaged LaTeX 'ight' -> '\\right'" + (f" ({n}x)" if n > 1 else ""))

        fixed, n = _OLD_FONT.subn(lambda m: f"{{\\math{m.group(1)}{{{m.group(2).strip()}}}}}", fixed)
        if n:
            self.note(no, "old font switch {\\rm …} in math replaced by {\\mathrm{…}}" + (f" ({n}x)" if n > 1 else ""))

        def accent(m: re.Match) -> str:
            return f"\\{_ACCENTS[m.group(1)]}{{{m.group(2) or m.group(3)}}}"

        fixed, n = _MATH_ACCENT.subn(accent, fixed)
        if n:
            self.note(no, "text accents like \\'o are invalid in math: replaced by \\acute{o} etc."
                      + (f" ({n}x)" if n > 1 else ""))
        return fixed

    def _fix_text(self, text: str, no: int) -> str:
        """Repairs outside math: damaged commands are put back into math."""

        def space_around(s: str, start: int, end: int, piece: str) -> str:
            before = " " if start > 0 and s[start - 1].isalnum() else ""
            after = " " if end < len(s) and s[end].isalnum() else ""
            return s[:start] + before + piece + after + s[end:]

        count = 0
        while True:
            m = _RIGHTARROW.search(text)
            if not m:
                break
            text = space_around(text, m.start(), m.end(), "$\\rightarrow$")
            count += 1
        if count:
            self.note(no, "repaired damaged LaTeX 'ightarrow' -> '$\\rightarrow$'")
        count, pos = 0, 0
        while True:
            m = _FRAC.search(text, pos)
            if not m:
                break
            end = _balanced_groups(text, m.end() - 1, 2)
            if end is None:
                text = text[: m.start()] + "\\frac{" + text[m.end():]
            else:
                text = space_around(text, m.start(), end, "$\\frac" + text[m.start() + 3 : end] + "$")
            pos = m.start() + 1
            count += 1
        if count:
            self.note(no, "repaired damaged LaTeX 'rac{' -> '\\frac{' (outside math; check it)")
        return re.sub(r" {2,}", " ", text)

    def _sentence_from_math(self, inner: str, no: int) -> str:
        """A sentence the export set as \\mathsf{word} \\ \\mathsf{word} math: back to text.

        Words become plain text (their \\' accents become Polish letters as best we can guess);
        what is left between them (x_{0.n}, A^i) stays math.
        """
        pieces = []
        for chunk in re.split(r"\\ ", inner):
            chunk = chunk.strip()
            if not chunk:
                continue
            m = _MATHSF_WORD.fullmatch(chunk)
            if m:
                word = m.group(1) + m.group(2)
                for accented, letter in _TEXT_ACCENTS.items():
                    word = word.replace(accented, letter)
                pieces.append(word)
            elif re.fullmatch(r"\d+[.)]?", chunk):
                pieces.append(chunk)  # a list number
            else:
                body, punct = re.fullmatch(r"(.*?)([.,;:]?)", chunk).groups()
                pieces.append(f"${self._fix_math(body, no)}${punct}")
        self.note(no, "a sentence typeset as \\mathsf{…} math was turned back into text; "
                      "check its Polish letters")
        return " ".join(pieces)

    def _inline(self, text: str, no: int) -> str:
        """Clean one line of running text: repairs, double spaces, `$ x $` padding, digits by `$`."""
        body = text.lstrip(" ")
        out = [text[: len(text) - len(body)]]  # indentation (of a nested list item) stays
        for is_math, piece in _segments(body):
            if not is_math:
                out.append(self._fix_text(piece, no))
                continue
            delim = next(d for d in ("$$", "$", "\\(", "\\[") if piece.startswith(d))
            size = len(delim)
            if delim == "$" and len(_MATHSF_WORD.findall(piece)) >= 3:
                out.append(self._sentence_from_math(piece[1:-1], no))
                continue
            inner = self._fix_math(piece[size:-size], no)
            if delim == "$":
                inner = inner.strip()  # "$ x $" is not math for the deck parser
            out.append(piece[:size] + inner + piece[-size:] if inner.strip() else piece)
        return "".join(out)

    def _render_body(self, body: list[_Line]) -> str:
        """The answer Markdown: (group, text) rows, then blank lines where Markdown needs them."""
        rows: list[tuple[object, str]] = []  # group: None for running text, else a block/table id
        i = 0
        while i < len(body):
            ln = body[i]
            if ln.block is not None:
                if ln.block[0] == "math" and _is_blank(ln.text):
                    self.note(ln.no, "blank line inside $$ math left out (TeX does not allow it)")
                    i += 1
                    continue
                text = ln.text.rstrip() if ln.block[0] == "code" else self._fix_math(ln.text.strip(), ln.no)
                rows.append((ln.block, text))
                i += 1
                continue
            table = self._table_at(body, i)
            if table:
                width = len(self._cells(body[i].text))
                cells = [[self._inline(c, body[k].no).replace("|", "\\|") for c in self._cells(body[k].text)]
                         for k in range(i, i + table)]
                group = ("table", body[i].no)
                rows.append((group, "| " + " | ".join(cells[0]) + " |"))
                rows.append((group, "|" + " --- |" * width))
                rows += [(group, "| " + " | ".join(r) + " |") for r in cells[1:]]
                self.note(body[i].no, "tab-separated rows turned into a table; check the header")
                i += table
                continue
            text = ln.text.replace("\t", " ").rstrip()
            if _STRAY_STAR.search(text):
                text = _STRAY_STAR.sub("", text).rstrip()
                self.note(ln.no, "removed a stray [\\*] marker (maybe a lost picture)")
            text = _DASHED_NUMBER.sub(r"\1\2. ", text)  # "- 1. text" -> "1. text"
            if not _LIST_ITEM.match(text):
                text = text.lstrip()
            text = self._inline(text, ln.no) if text.strip() else ""
            if text.strip().startswith("$$") and text.strip().endswith("$$") and len(text.strip()) > 4:
                rows.append((("math", f"inline-{ln.no}"), text.strip()))
            else:
                rows.append((None, text))
            i += 1

        out: list[str] = []
        prev_group: object = None
        for group, text in rows:
            if not text:
                if out and out[-1]:
                    out.append("")
                continue
            if out and out[-1]:
                prev = out[-1]
                ordered = _ORDERED_ITEM.match(text)
                if (group != prev_group and (group is not None or prev_group is not None)) \
                        or (ordered and ordered.group(1) != "1" and not _ORDERED_ITEM.match(prev)) \
                        or (group is None and _SETEXT_UNDERLINE.match(text)):
                    out.append("")
            out.append(text)
            prev_group = group
        while out and not out[-1]:
            out.pop()
        return "\n".join(out)

    @staticmethod
    def _cells(text: str) -> list[str]:
        return [c.strip() for c in text.rstrip(" \r\n").split("\t")]

    def _table_at(self, body: list[_Line], i: int) -> int:
        """Number of table rows starting at body[i]: 2+ lines with the same 2+ tab-separated cells."""
        if "\t" not in body[i].text or body[i].block is not None:
            return 0
        width = len(self._cells(body[i].text))
        if width < 2:
            return 0
        j = i + 1
        while j < len(body) and body[j].block is None and "\t" in body[j].text \
                and len(self._cells(body[j].text)) == width:
            j += 1
        return j - i if j - i >= 2 else 0


def import_notes(text: str, title: str | None = None, lang: str = "pl") -> ImportResult:
    """Turn loose notes into deck Markdown. Pure: no I/O. Guesses come back as `notes`."""
    return _Importer(text, title, lang).run()


def write_deck(result: ImportResult, dest: Path, force: bool = False) -> None:
    """Write the deck atomically (temp file + os.replace), creating parent folders.

    An existing file is left untouched unless `force`: FileExistsError otherwise.
    """
    dest = Path(dest)
    if dest.exists() and not force:
        raise FileExistsError(f"{dest} already exists; not overwriting it (use --force to replace it)")
    atomic_write(dest, result.markdown.encode("utf-8"))
