"""Markdown notes (Obsidian and similar, fiszki decks included) into cards.

Questions are headings of one level (`--question-level`, or found: `##` when the file has `##`
headings with text under them, as in a deck; else the level that most often has text under
it); shallower headings are sections, deeper ones stay in the answer. Outside such cards, the
obsidian-spaced-repetition formats are cards too: `Question::Answer` on one line (`:::` for
both ways), and a paragraph split by a line holding `?` (`??`). A fiszki deck comes out as
itself: the same cards, ids, tags, sections, texts and front matter.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from builder.frontmatter import META_KEYS
from builder.options import FRONT_MATTER_KEYS
from builder.importers.frontmatter import split_front_matter
from builder.importers.mdtext import atx_heading, closes_fence, fence_of, split_protected
from builder.importers.media import MediaFolder
from builder.importers.model import CONVERTED, DROPPED, UNSURE, Card, ImportOptions, Origin, Source
from builder.importers.obsidian import FOOTNOTE_DEF, Converter, drop_comments

_ATTRIBUTES = re.compile(r"\{([#.][^{}]*)\}[ \t]*$")
_SR_INLINE = re.compile(r"^(?:[-*+][ \t]+)?(.+?)(:::|::)(.+)$")
_SR_SEPARATORS = ("?", "??")


@dataclass
class _Line:
    no: int
    text: str
    kind: str = "text"  # text, code (inside a fence) or math (inside a $$ block)
    heading: tuple[int, str] | None = None


@dataclass
class _Draft:
    heading: str
    line: int
    section: str
    lines: list[_Line] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def read_markdown(text: str, path: Path, options: ImportOptions, media: MediaFolder) -> Source:
    return _Reader(text, path, options, media).run()


class _Reader:
    def __init__(self, text: str, path: Path, options: ImportOptions, media: MediaFolder):
        self.source = Source(path, "markdown")
        self.options = options
        front, lines = split_front_matter(text, str(path))
        self.deck_tags = self._front_matter(front.values, front.lines)
        self.convert = Converter(self.source, media, path)
        self.lines = self._classify(self._without_comments(lines))
        self.footnotes = self._footnotes()

    def _front_matter(self, values: dict, lines: dict) -> list[str]:
        """Deck keys kept; Obsidian's `tags` given to every card; anything else left out, noted."""
        tags: list[str] = []
        for key, value in values.items():
            line = lines.get(key)
            if key == "title" and value:
                self.source.title = str(value)
            elif key == "lang" and str(value).strip().lower() in ("pl", "en"):
                self.source.lang = str(value).strip().lower()
            elif key in META_KEYS or key.replace("-", "_") in FRONT_MATTER_KEYS:
                self.source.meta[key] = value
            elif key.lower() in ("tags", "tag") and value:
                tags = [str(t).lstrip("#") for t in (value if isinstance(value, list) else str(value).split())]
                self.source.note(CONVERTED, "front-matter tags given to every card", line, " ".join(tags))
            else:
                self.source.note(DROPPED, "front-matter key left out (not a deck setting)", line, key)
        return tags

    def _without_comments(self, lines: list[str]) -> list[str]:
        """Comments left out, except inside code blocks (their lines are set aside meanwhile)."""
        code = [ln.kind == "code" for ln in self._classify(lines)]
        masked = drop_comments("\n".join("" if c else ln for ln, c in zip(lines, code)), self.source).split("\n")
        return [ln if c else m for ln, m, c in zip(lines, masked, code)]

    def _classify(self, raw: list[str]) -> list[_Line]:
        """Each line as text, code or math; headings found, Obsidian's syntax converted."""
        out: list[_Line] = []
        fence: str | None = None
        in_math = False
        for no, text in enumerate(raw, 1):
            if fence is not None:
                out.append(_Line(no, text, "code"))
                fence = None if closes_fence(text, fence) else fence
                continue
            if in_math:
                out.append(_Line(no, text, "math"))
                in_math = not text.rstrip().endswith(("$$", "\\]")) and bool(text.strip())
                continue
            fence = fence_of(text)
            stripped = text.strip()
            if fence is None and stripped.startswith(("$$", "\\[")):
                rest = stripped[2:]
                in_math = not (rest.rstrip().endswith(("$$", "\\]")) and rest.strip())
                out.append(_Line(no, text, "math"))
                continue
            out.append(_Line(no, text, "code" if fence else "text", None if fence else atx_heading(text)))
        return out

    def _footnotes(self) -> dict[str, str]:
        """Footnote definitions (`[^1]: text`), taken out of the text."""
        found = {}
        for ln in self.lines:
            m = FOOTNOTE_DEF.match(ln.text) if ln.kind == "text" else None
            if m:
                found[m.group(1)] = m.group(2).strip()
                ln.text = ""
        return found

    # ---- structure

    def question_level(self) -> int | None:
        if self.options.question_level:
            return self.options.question_level
        with_text = Counter()
        for i, ln in enumerate(self.lines):
            if ln.heading and self._has_text_under(i):
                with_text[ln.heading[0]] += 1
        if with_text[2] or any(ln.heading and ln.heading[0] == 2 and _ATTRIBUTES.search(ln.heading[1])
                               for ln in self.lines):
            return 2  # the deck's own format
        if not with_text:
            return None
        return max(with_text, key=lambda level: (with_text[level], level))

    def _has_text_under(self, i: int) -> bool:
        """Text under the heading (before the next one) that is not a spaced-repetition card."""
        paragraph: list[_Line] = []
        for ln in self.lines[i + 1:] + [_Line(0, "")]:
            if ln.text.strip() and not ln.heading:
                paragraph.append(ln)
                continue
            if paragraph and not self._is_sr_paragraph(paragraph):
                return True
            paragraph = []
            if ln.heading:
                return False
        return False

    @staticmethod
    def _is_sr_paragraph(lines: list[_Line]) -> bool:
        """A paragraph split by a `?` line, or made of `Question::Answer` lines only."""
        texts = [ln.text.strip() for ln in lines]
        if any(t in _SR_SEPARATORS for t in texts[1:-1]):
            return True
        return all(ln.kind == "text" and (m := _SR_INLINE.match(t)) and m.group(1).strip() and m.group(3).strip()
                   for ln, t in zip(lines, texts))

    def run(self) -> Source:
        level = self.question_level()
        title_line = self._title_line(level)
        section, draft = "", None
        loose: list[_Line] = []  # text outside any heading card: spaced-repetition cards or left out
        for i, ln in enumerate(self.lines):
            if i == title_line:
                continue
            if ln.heading and (not level or ln.heading[0] <= level):
                self._loose(loose, section)
                loose = []
                if draft is not None:
                    self._card(draft)
                draft = None
                if level and ln.heading[0] == level:
                    draft = _Draft(ln.heading[1], ln.no, section)
                else:
                    section = self._inline(ln.heading[1], ln.no)[0]
                continue
            (draft.lines if draft is not None else loose).append(ln)
        self._loose(loose, section)
        if draft is not None:
            self._card(draft)
        self.source.description = f"questions are level-{level} headings" if level else "no heading questions"
        return self.source

    def _title_line(self, level: int | None) -> int | None:
        """A lone `# Title` heading above level-3+ questions is the deck's title (Obsidian's note name)."""
        ones = [i for i, ln in enumerate(self.lines) if ln.heading and ln.heading[0] == 1]
        first = next((i for i, ln in enumerate(self.lines) if ln.heading), None)
        if len(ones) == 1 and ones[0] == first and (level is None or level >= 3):
            if self.source.title is None:
                self.source.title = self._inline(self.lines[ones[0]].heading[1], self.lines[ones[0]].no)[0]
            return ones[0]
        return None

    def _inline(self, text: str, no: int) -> tuple[str, list[str]]:
        return self.convert.line(text, no)

    # ---- cards

    def _convert(self, lines: list[_Line], tags: list[str]) -> list[str]:
        out = []
        for ln in lines:
            if ln.kind == "text":
                text, found = self._inline(ln.text, ln.no)
                tags += found
                out.append(text)
            else:
                out.append(ln.text)
        return out

    def _card(self, draft: _Draft) -> None:
        m = _ATTRIBUTES.search(draft.heading)
        question, card_id, tags = draft.heading, None, []
        if m:
            words = m.group(1).split()
            question = draft.heading[: m.start()].rstrip()
            card_id = next((w[1:] for w in words if w.startswith("#") and len(w) > 1), None)
            tags = [w[1:] for w in words if w.startswith(".") and len(w) > 1]
        self.convert.cited = []
        question, found = self._inline(question, draft.line)
        tags += found
        separator = next((k for k, ln in enumerate(draft.lines)
                          if ln.kind == "text" and ln.text.strip() == "?" and not ln.text.startswith(("    ", "\t"))),
                         None)
        front_lines = draft.lines[:separator] if separator is not None else []
        back_lines = draft.lines[separator + 1:] if separator is not None else draft.lines
        front = "\n".join(self._convert(front_lines, tags)).strip("\n")
        answer = "\n".join(self._convert(back_lines, tags)).strip("\n")
        answer = self._with_footnotes(answer, draft.line)
        self.source.cards.append(Card(question, answer, Origin(self.source.display, draft.line),
                                      section=draft.section, tags=tuple(dict.fromkeys(self.deck_tags + tags)),
                                      id=card_id, front=front))

    def _with_footnotes(self, answer: str, line: int) -> str:
        cited = list(dict.fromkeys(self.convert.cited))
        if not cited:
            return answer
        notes = []
        for name in cited:
            text = self.footnotes.get(name)
            if text is None:
                self.source.note(UNSURE, "footnote without its text", line, f"[^{name}]")
                continue
            notes.append(f"$^{{{self.convert.footnote_number(name)}}}$ {self._inline(text, line)[0]}")
        self.source.note(CONVERTED, "footnotes put at the end of the card that cites them", line)
        return answer + "\n\n" + "\\\n".join(notes) if notes else answer

    def _loose(self, lines: list[_Line], section: str) -> None:
        """Text outside heading cards: spaced-repetition cards, or text left out (noted)."""
        paragraph: list[_Line] = []
        for ln in lines + [_Line(0, "")]:
            if ln.text.strip() and ln.kind == "text":
                paragraph.append(ln)
                continue
            self._loose_paragraph(paragraph, section)
            paragraph = []
            if ln.text.strip():
                self._left_out(ln)

    def _loose_paragraph(self, lines: list[_Line], section: str) -> None:
        """`Question::Answer` lines are cards of their own; the lines between them are a card when a
        `?` (`??`) line splits them, else text left out."""
        run: list[_Line] = []
        for ln in lines + [None]:
            m = _SR_INLINE.match(ln.text.strip()) if ln is not None else None
            if ln is not None and not (m and m.group(1).strip() and m.group(3).strip()
                                       and self._outside_code(ln.text, m.group(2))):
                run.append(ln)
                continue
            self._multiline_card(run, section)
            run = []
            if m:
                if m.group(2) == ":::":
                    self.source.note(CONVERTED, "two-way card (:::) made one card", ln.no)
                self._sr_card([_Line(ln.no, m.group(1))], [_Line(ln.no, m.group(3))], section)

    def _multiline_card(self, lines: list[_Line], section: str) -> None:
        split = next((k for k, ln in enumerate(lines) if ln.text.strip() in _SR_SEPARATORS), None)
        if split is not None and 0 < split < len(lines) - 1:
            if lines[split].text.strip() == "??":
                self.source.note(CONVERTED, "two-way card (??) made one card", lines[0].no)
            self._sr_card(lines[:split], lines[split + 1:], section)
            return
        for ln in lines:
            self._left_out(ln)

    @staticmethod
    def _outside_code(text: str, separator: str) -> bool:
        return any(not protected and separator in piece for protected, piece in split_protected(text))

    def _sr_card(self, question: list[_Line], answer: list[_Line], section: str) -> None:
        tags: list[str] = []
        self.convert.cited = []
        q = "\n".join(self._convert(question, tags)).strip()
        a = self._with_footnotes("\n".join(self._convert(answer, tags)).strip(), question[0].no)
        self.source.cards.append(Card(q, a, Origin(self.source.display, question[0].no), section=section,
                                      tags=tuple(dict.fromkeys(self.deck_tags + tags))))

    def _left_out(self, ln: _Line) -> None:
        if self._last_left_out != ln.no - 1:
            self.source.note(DROPPED, "text outside any card left out", ln.no, ln.text.strip()[:60])
        self._last_left_out = ln.no

    _last_left_out = -1
