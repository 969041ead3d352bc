"""The study PDF, page by page: the title page with the deck's sections (continued on more pages
when they do not fit), each section's index of questions (on as many pages as it needs), then each
card's question and answer in the order the build selected them. Every tap target and bookmark is
decided here, by the destination it goes to (builder/tex/contract.py names them); the template only
draws, streamed as TeX asks for each page.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

from builder import __version__
from builder.deck import Card, Deck
from builder.errors import short
from builder.flashcards.labels import card_label, shorten_inline
from builder.geometry import Rect
from builder.latex import escape_text, latex, pdf_text_string, render_template, stream_template
from builder.render import RenderContext, render_inline
from builder.study.layout import StudyLayout
from builder.study.words import WORDS, count, language
from builder.tex.contract import (KIND_STUDY, LABEL_SIZE, LINK_PREFIX, MARKER_PREFIX, PAGE_PREFIX, QUESTIONS_FILE,
                                  side_key, source, study_name)

GLYPH = 0.5  # a line's average glyph width, in ems: how many characters a width holds, roughly


@dataclass
class Section:
    number: int  # 1-based, in the deck's order, among the sections with a selected card
    title: str
    cards: list[Card]


def sections_of(deck: Deck, cards: list[Card]) -> list[Section]:
    """The sections that have a selected card, in the deck's order, each with its cards in the
    order they are studied."""
    found: dict[str, list[Card]] = {}
    for card in cards:
        found.setdefault(card.section, []).append(card)
    words = WORDS[language(deck)]
    named = [s for s in dict.fromkeys(deck.sections) if s in found]
    return [Section(i + 1, title or words["unnamed"], found[title]) for i, title in enumerate(named)]


def chunks(items: list, size: int) -> list[list]:
    """`items` on as few pages of at most `size` as hold them, shared out evenly (10 on two pages
    of 9 rows: 5 and 5, not 9 and 1)."""
    pages = max(1, math.ceil(len(items) / size))
    each = math.ceil(len(items) / pages)
    return [items[i : i + each] for i in range(0, len(items), each)] or [[]]


class StudyPages:
    """Every page of one study PDF. `bodies[id(card)]` is a card's (question, answer) LaTeX."""

    def __init__(self, deck: Deck, cards: list[Card], layout: StudyLayout, min_size: float, bodies: dict,
                 starts: dict[str, float] | None = None, shuffled: bool = False):
        self.deck, self.cards, self.layout, self.min_size, self.bodies = deck, cards, layout, min_size, bodies
        self.starts = starts or {}  # side key → size to start fitting at, where not the usual
        self.lang = language(deck)
        self.words = WORDS[self.lang]
        self.sections = sections_of(deck, cards)
        self.shuffled = shuffled
        self.labels = RenderContext(deck_dir=deck.path.parent, display=deck.display_path)  # told already
        self.labels.in_cell = True  # one line, as a table cell is: display math set inline
        lay = layout
        title_rows = lay.rows(lay.title_areas()[2])
        self.contents = chunks(self.sections, len(title_rows))
        self.index_rows = lay.rows(lay.index_area()[1])
        self.indexes = {s.number: chunks(s.cards, len(self.index_rows)) for s in self.sections}
        # Where each card's entry is: the index page that lists it.
        self.index_of = {id(c): study_name("index", s.number, k + 1)
                         for s in self.sections for k, part in enumerate(self.indexes[s.number]) for c in part}
        self.section_of = {id(c): s for s in self.sections for c in s.cards}

    # --- what every page has --------------------------------------------------------------------
    def _page(self, role: str, background: str = "fzpaper") -> dict:
        return dict(role=latex(role), name=latex(PAGE_PREFIX + role), background=background, texts=[], links=[],
                    buttons=[], rules=[], body=None, block=None)

    def _text(self, page: dict, rect: Rect, text: str, size: float, align: str = "l", sans: bool = True,
              ink: float = 0.0, bold: bool = False) -> None:
        """One line of `text` (LaTeX) on the bottom edge of `rect`, raised to sit in its middle,
        shrunk if it comes out wider than the rect."""
        anchor = {"l": rect.x, "c": rect.x + rect.w / 2, "r": rect.x + rect.w}[align]
        page["texts"].append(dict(x=anchor, y=rect.y + rect.h / 2 - 0.33 * size, w=rect.w, align=align,
                                  font=_font(size, sans, ink, bold), text=latex(text)))

    def _link(self, page: dict, rect: Rect, what: str, number: tuple[int, ...], dest: str) -> None:
        page["links"].append(dict(x=rect.x, y=rect.y, w=rect.w, h=rect.h,
                                  name=latex(LINK_PREFIX + study_name(what, *number)), dest=latex(dest)))

    def _button(self, page: dict, rect: Rect, text: str, what: str, number: tuple[int, ...], dest: str) -> None:
        page["buttons"].append(dict(x=rect.x, y=rect.y, w=rect.w, h=rect.h))
        self._text(page, Rect(rect.x + rect.h / 3, rect.y, rect.w - 2 * rect.h / 3, rect.h), text,
                   self.layout.button_size, "c", ink=0.15)
        self._link(page, rect, what, number, dest)

    def _header(self, page: dict, left: str, right: str = "") -> None:
        lay = self.layout
        h = lay.header
        room = h.w - (len(right) + 3) * GLYPH * lay.label_size
        page["texts"].append(dict(x=h.x, y=h.y, w=room, align="l", font=_font(lay.label_size, True, 0.35),
                                  text=latex(left)))
        if right:
            page["texts"].append(dict(x=h.x + h.w, y=h.y, w=h.w - room, align="r",
                                      font=_font(lay.label_size, True, 0.35), text=latex(escape_text(right))))
        page["rules"].append(dict(x=h.x, y=lay.hairline_y, w=h.w))

    def _hint(self, page: dict, text: str) -> None:
        self._text(page, self.layout.footer, escape_text(text), self.layout.label_size, "c", ink=0.45)

    def _inline(self, card: Card, chars: int) -> str:
        """The card's question as one line of about `chars` characters."""
        self.labels.card, self.labels.line = card, card.line
        return render_inline(self.labels, shorten_inline(card.question_tokens, max(chars, 12)))

    # --- the pages --------------------------------------------------------------------------------
    def pages(self) -> Iterator[dict]:
        for k, part in enumerate(self.contents):
            yield self._contents_page(k, part)
        for section in self.sections:
            parts = self.indexes[section.number]
            for k, part in enumerate(parts):
                yield self._index_page(section, k, len(parts), part)
        for i, card in enumerate(self.cards):
            following = self.cards[i + 1] if i + 1 < len(self.cards) else None
            yield from self._card_pages(card, i, following)

    def _contents_page(self, k: int, sections: list[Section]) -> dict:
        lay, words = self.layout, self.words
        page = self._page("title" if k == 0 else study_name("contents", k + 1))
        block, heading, rows_area = lay.title_areas()
        if k == 0:
            meta = [self.deck.meta.get(key, "") for key in ("course", "author", "date")]
            lines = [count(len(self.cards), "question", self.lang) + " · "
                     + count(len(self.sections), "section", self.lang)
                     + (f" · {words['shuffled']}" if self.shuffled else "")]
            page["block"] = dict(x=block.x, y=block.y + block.h, w=block.w, title=self.deck.title,
                                 subtitle=self.deck.meta.get("subtitle", ""),
                                 meta=" · ".join(m for m in meta if m and m != self.deck.title), lines=lines,
                                 title_font=_font(lay.title_size, True, 0.0, True),
                                 subtitle_font=_font(lay.title_size * 0.6, True, 0.25),
                                 meta_font=_font(lay.label_size * 1.1, True, 0.4),
                                 lines_font=_font(lay.row_size, True, 0.2))
            self._hint(page, f"{words['how']} {words['bookmarks']}")
        else:
            self._header(page, escape_text(self.deck.title), f"{k + 1}/{len(self.contents)}")
        title = words["sections"] + (f" ({k + 1}/{len(self.contents)})" if len(self.contents) > 1 else "")
        self._text(page, heading, escape_text(title), lay.heading_size, bold=True)
        for section, row in zip(sections, lay.rows(rows_area)):
            chars = int(row.w / (GLYPH * lay.row_size)) - 6
            self._text(page, Rect(row.x, row.y, row.w * 0.85, row.h), escape_text(short(section.title, chars)),
                       lay.row_size, sans=False)
            self._text(page, row, escape_text(str(len(section.cards))), lay.row_size, "r", sans=False, ink=0.45)
            self._link(page, row, "section", (section.number,), study_name("index", section.number, 1))
        return page

    def _index_page(self, section: Section, k: int, parts: int, cards: list[Card]) -> dict:
        lay = self.layout
        page = self._page(study_name("index", section.number, k + 1))
        self._header(page, escape_text(self.deck.title), f"{section.number}/{len(self.sections)}")
        heading, _ = lay.index_area()
        title = section.title + (f" ({k + 1}/{parts})" if parts > 1 else "")
        counted = count(len(section.cards), "question", self.lang)
        self._text(page, Rect(heading.x, heading.y, heading.w * 0.8, heading.h), escape_text(title),
                   lay.heading_size, bold=True)
        self._text(page, heading, escape_text(counted), lay.row_size, "r", ink=0.45)
        digits = len(str(max(c.number for c in self.cards))) + 1
        number_w = (digits * 0.55 + 0.3) * lay.row_size
        for card, row in zip(cards, self.index_rows):
            self._text(page, Rect(row.x, row.y, number_w, row.h), f"\\#{card.number}", lay.row_size, "r", ink=0.45)
            text = Rect(row.x + number_w + 0.6 * lay.row_size, row.y, row.w - number_w - 0.6 * lay.row_size, row.h)
            self._text(page, text, self._inline(card, int(text.w / (GLYPH * lay.row_size))), lay.row_size, sans=False)
            self._link(page, row, "entry", (card.number,), study_name("q", card.number))
        contents = next(i for i, part in enumerate(self.contents) if section in part)
        self._button(page, lay.buttons()[0], f"$\\leftarrow$ {escape_text(self.words['contents'])}", "contents",
                     (section.number, k + 1), "title" if contents == 0 else study_name("contents", contents + 1))
        return page

    def _card_pages(self, card: Card, i: int, following: Card | None) -> Iterator[dict]:
        lay, words = self.layout, self.words
        front, back = self.bodies[id(card)]
        position = f"{i + 1}/{len(self.cards)}"
        width = lay.header.w * LABEL_SIZE / lay.label_size  # card_label counts characters at the cards' label size
        question = self._page(study_name("q", card.number))
        self._header(question, card_label(card, "front", width, self.labels), position)
        question["body"] = self._body(card, "front", "\\centering " + front, lay.question_start, centre=True)
        self._hint(question, words["tap"])
        self._link(question, Rect(0, 0, lay.w, lay.h), "tap", (card.number,), study_name("a", card.number))
        yield question
        answer = self._page(study_name("a", card.number), "fzanswer")
        self._header(answer, card_label(card, "back", width, self.labels), position)
        answer["body"] = self._body(card, "back", back, lay.answer_start, centre=False)
        left, right = lay.buttons()
        section = self.section_of[id(card)]
        chars = int((left.w - left.h) / (GLYPH * lay.button_size)) - 2
        self._button(answer, left, f"$\\leftarrow$ {escape_text(short(section.title, chars))}", "back",
                     (card.number,), self.index_of[id(card)])
        if following is not None:
            self._button(answer, right, f"{escape_text(words['next'])} $\\rightarrow$", "next", (card.number,),
                         study_name("q", following.number))
        else:
            self._button(answer, right, f"{escape_text(words['again'])} $\\circlearrowleft$", "next",
                         (card.number,), "title")
        yield answer

    def _body(self, card: Card, side: str, body: str, start: float, centre: bool) -> dict:
        b, key = self.layout.body, side_key(card.number, None, side)
        start = min(self.starts.get(key, start), start)
        return dict(marker=latex(MARKER_PREFIX + source(card.number, side, card.line)),
                    key=latex(key), start=f"{max(start, self.min_size):.2f}",
                    min=f"{self.min_size:g}", x=b.x, y=b.y, w=b.w, h=b.h, text=latex(body), centre=centre)

    def outline(self) -> list[dict]:
        """The bookmarks: each section (to its index), holding its cards' questions (to each question)."""
        return [dict(title=latex(pdf_text_string(s.title)), dest=latex(study_name("index", s.number, 1)),
                     cards=[dict(title=latex(pdf_text_string(c.question)), dest=latex(study_name("q", c.number)))
                            for c in s.cards])
                for s in self.sections]


def _font(size: float, sans: bool, ink: float, bold: bool = False) -> str:
    family = "\\sfdefault" if sans else "\\rmdefault"
    return latex(f"\\fontsize{{{size:.2f}pt}}{{{size * 1.2:.2f}pt}}\\fontfamily{{{family}}}"
                 + ("\\fontseries{bx}" if bold else "") + f"\\selectfont\\fzink{{{ink:g}}}")


def study_head(deck: Deck, layout: StudyLayout) -> str:
    """The document up to its first page: no card in it, so TeX can read it early."""
    return render_template("study.tex.j2", part="head", language=deck.language, title=deck.title,
                           version=__version__, paper_w=layout.w, paper_h=layout.h, label_size=layout.label_size)


def study_document(pages: StudyPages) -> Iterator[str]:
    """The pages, the bookmarks and the record `fiszki check` reads, to the end: in pieces."""
    lay = pages.layout
    return stream_template(
        "study.tex.j2", part="pages", kind=KIND_STUDY, version=__version__, paper_w=lay.w, paper_h=lay.h,
        pages=pages.pages(), outline=pages.outline(), card_count=len(pages.cards),
        sections=[latex(pdf_text_string(s.title)) for s in pages.sections], questions_file=latex(QUESTIONS_FILE))

