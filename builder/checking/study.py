"""The study PDF's check: every card's question page followed by its answer page, every link and
bookmark landing on the page it should.

What a page is comes from the hidden annotation on it (page-q-12: card 12's question), which moves
with the page; where a link or bookmark goes comes from the PDF's own destinations, as a reader
follows them. What each should reach is worked out here from the pages alone: a question's tap its
answer (the next page), an answer's `next` the page after it (the last answer: the title page), its
`back` the index page listing that card, an index entry its card's question, a section on the
title page the section's first index page. The bookmarks must be the sections in the order recorded,
each holding exactly the questions its index lists.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from builder.checking.flashcards import _CardNames
from builder.checking.pdf import PdfFile, check_pages_uniform, number, numbers, resolved
from builder.checking.report import CheckReport
from builder.tex.contract import LINK_PREFIX, PAGE_PREFIX, parse_study_name

COVER = 0.95  # a question's tap target covers at least this share of its page


@dataclass
class _Link:
    what: str  # tap, next, back, entry, section, contents
    numbers: tuple[int, ...]
    page: int  # where it is (1-based)
    target: int | None  # where it lands (1-based), None when nowhere
    share: float  # of its page's area it covers


@dataclass
class _Pages:
    roles: dict[int, tuple[str, tuple[int, ...]]] = field(default_factory=dict)  # page → (kind, numbers)
    where: dict[tuple[str, tuple[int, ...]], list[int]] = field(default_factory=dict)  # role → pages
    links: list[_Link] = field(default_factory=list)

    def page_of(self, kind: str, *numbers: int) -> int | None:
        found = self.where.get((kind, numbers))
        return found[0] if found else None


def _destinations(doc: PdfFile) -> dict[str, int]:
    """Named destination → page number (1-based), as a reader resolves them."""
    reader = doc.reader
    return {str(name): reader.get_destination_page_number(dest) + 1
            for name, dest in reader.named_destinations.items()}


def _target(annot: dict, dests: dict[str, int], pages_by_id: dict[int, int]) -> int | None:
    """The page a link goes to: by a named destination (as fiszki writes them) or, after a tool
    rewrote the file, by an explicit one; through an action or not."""
    dest = resolved(annot.get("/Dest"))
    action = resolved(annot.get("/A"))
    if dest is None and isinstance(action, dict) and action.get("/S") == "/GoTo":
        dest = resolved(action.get("/D"))
    if isinstance(dest, str):
        return dests.get(dest)
    if isinstance(dest, list) and dest:  # [page /Fit]
        return pages_by_id.get(getattr(dest[0], "idnum", None))
    return None


def _read(doc: PdfFile, report: CheckReport) -> _Pages:
    found = _Pages()
    dests = _destinations(doc)
    pages_by_id = {getattr(page.obj.indirect_reference, "idnum", None): page.number for page in doc.pages}
    for page in doc.pages:
        area = page.size[0] * page.size[1]
        for ref in resolved(page.obj.get("/Annots")) or []:
            annot = resolved(ref)
            name = resolved(annot.get("/NM")) if isinstance(annot, dict) else None
            if not isinstance(name, str):
                continue
            if name.startswith(PAGE_PREFIX) and (role := parse_study_name(name[len(PAGE_PREFIX):])):
                if page.number in found.roles:
                    report.add(f"page {page.number}: holds two pages' records", kind="structure", page=page.number)
                found.roles[page.number] = role
                found.where.setdefault(role, []).append(page.number)
            elif name.startswith(LINK_PREFIX) and (link := parse_study_name(name[len(LINK_PREFIX):])):
                x1, y1, x2, y2 = numbers(annot.get("/Rect"), 4)
                share = abs(x2 - x1) * abs(y2 - y1) / area if area else 0.0
                found.links.append(_Link(link[0], link[1], page.number, _target(annot, dests, pages_by_id), share))
    return found


def check(doc: PdfFile, info: dict, report: CheckReport) -> None:
    check_pages_uniform(doc, numbers(info.get("/Screen"), 2), report)
    names = _CardNames(info)
    sections = [str(resolved(s)) for s in resolved(info.get("/Sections")) or []]
    cards = int(number(info.get("/Cards", 0)))
    pages = _read(doc, report)
    if not pages.roles:
        report.add("no page records: the hidden page annotations are gone (a tool rewrote the PDF?); check the PDF "
                   "fiszki wrote", kind="structure")
        return
    _check_pages(pages, len(doc.pages), cards, names, report)
    entries = _check_links(pages, names, report)
    _check_outline(doc, pages, sections, entries, names, report)
    studied = sum(1 for kind, _ in pages.roles.values() if kind == "q")
    report.facts = {"cards": studied, "pages": len(doc.pages), "sections": len(sections),
                    "links": len(pages.links)}
    report.description = (f"{studied} cards in {len(sections)} section{'s' if len(sections) != 1 else ''} on "
                          f"{len(doc.pages)} pages, every link and bookmark where it belongs")


def _check_pages(pages: _Pages, count: int, cards: int, names: _CardNames, report: CheckReport) -> None:
    """Each page one role; the title page first; each card's question followed by its answer."""
    if pages.roles.get(1, ("",))[0] != "title":
        report.add("page 1 is not the title page", kind="structure", page=1)
    for n in range(1, count + 1):
        if n not in pages.roles:
            report.add(f"page {n}: not a page fiszki made (a page added?)", kind="structure", page=n)
    for role, found in pages.where.items():
        if len(found) > 1:
            report.add(f"{'-'.join([role[0], *map(str, role[1])])} appears on pages {', '.join(map(str, found))}",
                       kind="duplicate", page=found[1])
    questions = sorted(numbers_[0] for kind, numbers_ in pages.roles.values() if kind == "q")
    for card in questions:
        q, a = pages.page_of("q", card), pages.page_of("a", card)
        if a is None:
            report.add(f"{names.note(str(card))}: its question (page {q}) has no answer page", kind="missing page",
                       page=q, card=str(card))
        elif a != q + 1:
            report.add(f"{names.note(str(card))}: its answer is on page {a}, not right after its question "
                       f"(page {q})", kind="page order", page=a, card=str(card))
    for kind, numbers_ in pages.roles.values():
        if kind == "a" and pages.page_of("q", *numbers_) is None:
            report.add(f"{names.note(str(numbers_[0]))}: an answer page without its question", kind="missing page",
                       page=pages.page_of("a", *numbers_), card=str(numbers_[0]))
    if cards and len(questions) != cards:
        report.add(f"{len(questions)} cards found, the PDF was made with {cards}", kind="missing page")


def _expected(link: _Link, pages: _Pages, entries: dict[int, int], listing: dict[int, int]) -> tuple[int | None, str]:
    """Where a link should land, and what that page is, for the report. `entries`: card → the index
    page listing it; `listing`: section → the title or contents page listing it."""
    kind = pages.roles.get(link.page, ("",))[0]
    card = link.numbers[0] if link.numbers else None
    if link.what == "tap" and kind == "q":
        return pages.page_of("a", card), "its answer"
    if link.what == "next" and kind == "a":
        after = pages.roles.get(link.page + 1)
        return (link.page + 1, "the next question") if after and after[0] == "q" else (1, "the title page")
    if link.what == "back" and kind == "a":
        return entries.get(card), "the index page listing it"
    if link.what == "entry" and kind == "index":
        return pages.page_of("q", card), "its question"
    if link.what == "section" and kind in ("title", "contents"):
        return pages.page_of("index", card, 1), "the section's first index page"
    if link.what == "contents" and kind == "index":
        return listing.get(card), "the page listing its section"
    return None, f"anything from a page of kind {kind or 'unknown'}"


def _check_links(pages: _Pages, names: _CardNames, report: CheckReport) -> dict[int, int]:
    """Every link lands where it should; every card has its entry, tap, next and back. Returns
    card → the index page that lists it."""
    entries: dict[int, int] = {}
    listing: dict[int, int] = {}
    for link in pages.links:
        kind = pages.roles.get(link.page, ("",))[0]
        if link.what == "entry" and kind == "index":
            if link.numbers[0] in entries:
                report.add(f"{names.note(str(link.numbers[0]))}: listed on two index pages ({entries[link.numbers[0]]} "
                           f"and {link.page})", kind="duplicate", page=link.page, card=str(link.numbers[0]))
            entries.setdefault(link.numbers[0], link.page)
        elif link.what == "section" and kind in ("title", "contents"):
            listing.setdefault(link.numbers[0], link.page)
    for page, (kind, numbers_) in sorted(pages.roles.items()):
        if kind == "index" and numbers_[1] == 1 and numbers_[0] not in listing:
            report.add(f"section {numbers_[0]}: listed on no title or contents page", kind="link", page=page)
    have: dict[tuple[str, int], int] = {}
    for link in pages.links:
        want, what = _expected(link, pages, entries, listing)
        subject = names.note(str(link.numbers[0])) if link.what in ("tap", "next", "back", "entry") \
            else f"section {link.numbers[0]}"
        if want is None or link.target != want:
            lands = f"page {link.target}" if link.target else "no page"
            report.add(f"page {link.page}: the {link.what} link of {subject} lands on {lands}, not on {what}"
                       + (f" (page {want})" if want else ""), kind="link", page=link.page)
        if link.what == "tap" and link.share < COVER:
            report.add(f"page {link.page}: the tap target of {subject} covers {link.share:.0%} of the page",
                       kind="link", page=link.page)
        have[(link.what, link.numbers[0])] = link.page
    for page, (kind, numbers_) in sorted(pages.roles.items()):
        wanted = {"q": ("tap",), "a": ("next", "back")}.get(kind, ())
        if kind == "q" and numbers_[0] not in entries:
            report.add(f"{names.note(str(numbers_[0]))}: on no index page", kind="link", page=page,
                       card=str(numbers_[0]))
        for what in wanted:
            if (what, numbers_[0]) not in have:
                report.add(f"page {page}: {names.note(str(numbers_[0]))} has no {what} link", kind="link",
                           page=page, card=str(numbers_[0]))
    return entries


def _check_outline(doc: PdfFile, pages: _Pages, sections: list[str], entries: dict[int, int], names: _CardNames,
                   report: CheckReport) -> None:
    """Top level: the recorded sections in order, each to its first index page; under each, the
    questions its index pages list, in their order, each to its question page."""
    reader = doc.reader
    outline = reader.outline
    tops = [item for item in outline if not isinstance(item, list)]
    order = [link.numbers[0] for link in pages.links if link.what == "entry" and link.numbers[0] in entries
             and entries[link.numbers[0]] == link.page]  # as the index pages list them, page by page
    if [str(t.title) for t in tops] != sections:
        report.add(f"the bookmarks hold {len(tops)} sections, not the {len(sections)} the PDF was made with "
                   f"({', '.join(sections)})", kind="outline")
        return
    for i, top in enumerate(tops):
        index = pages.page_of("index", i + 1, 1)
        if reader.get_destination_page_number(top) + 1 != index:
            report.add(f"the bookmark of section {i + 1} ({sections[i]}) does not land on its index (page {index})",
                       kind="outline")
        position = outline.index(top)
        children = outline[position + 1] if position + 1 < len(outline) and isinstance(outline[position + 1], list) \
            else []
        listed = [card for card in order if pages.roles[entries[card]][1][0] == i + 1]
        targets = [reader.get_destination_page_number(child) + 1 for child in children]
        wanted = [pages.page_of("q", card) for card in listed]
        if targets != wanted:
            report.add(f"the bookmarks of section {i + 1} ({sections[i]}) lead to pages {targets}, its index lists "
                       f"questions on pages {wanted}", kind="outline")
        for card, child in zip(listed, children):
            question = names.question(str(card))
            if question is not None and str(child.title) != question:
                report.add(f"{names.note(str(card))}: its bookmark says {str(child.title)!r}", kind="outline",
                           card=str(card))

