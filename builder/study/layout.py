"""Where everything goes on a study page (points, origin bottom-left), for any --screen.

Every page has a header line (the card's '#N · section', or the page's title) over a hairline, a
body, and a footer (buttons, or a hint). Sizes are those of a page 200 mm long, scaled with the
page's long side, so the type keeps its share of the screen whatever the reader's zoom; a page much
narrower than that (a phone's 21:9) scales by its short side instead, so the body keeps room for
the card. A page held upright is sized as one held sideways would be.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from builder.geometry import MM, Rect

REFERENCE = (200 * MM, 100 * MM)  # the page the sizes below are for: its long side, and its shortest short side


@dataclass(frozen=True)
class StudyLayout:
    w: float
    h: float

    @property
    def scale(self) -> float:
        return min(max(self.w, self.h) / REFERENCE[0], min(self.w, self.h) / REFERENCE[1])

    # --- sizes (pt) ------------------------------------------------------------------------------
    @property
    def margin(self) -> float:
        return 7 * MM * self.scale

    @property
    def label_size(self) -> float:  # the header line and the hint
        return 9.5 * self.scale

    @property
    def button_size(self) -> float:
        return 11 * self.scale

    @property
    def row_size(self) -> float:  # a line of an index or of the contents
        return 12 * self.scale

    @property
    def heading_size(self) -> float:  # an index page's section name, the contents' heading
        return 17 * self.scale

    @property
    def title_size(self) -> float:
        return 24 * self.scale

    @property
    def question_start(self) -> float:  # questions start large, answers at a size easy to read
        return 26 * self.scale

    @property
    def answer_start(self) -> float:
        return 19 * self.scale

    # --- regions ---------------------------------------------------------------------------------
    @property
    def header(self) -> Rect:
        """The header line's box: its text sits on the bottom edge, the hairline under it."""
        m = self.margin
        return Rect(m, self.h - m - 1.2 * self.label_size, self.w - 2 * m, 1.2 * self.label_size)

    @property
    def hairline_y(self) -> float:
        return self.header.y - 0.45 * self.label_size

    @property
    def footer(self) -> Rect:
        m = self.margin
        return Rect(m, m, self.w - 2 * m, 2.1 * self.button_size)

    @property
    def body(self) -> Rect:
        """The card's text area, between the hairline and the footer."""
        top = self.hairline_y - 1.6 * self.label_size  # room for a formula's superscripts
        bottom = self.footer.y + self.footer.h + 0.9 * self.label_size
        return Rect(self.margin, bottom, self.w - 2 * self.margin, top - bottom)

    def buttons(self) -> tuple[Rect, Rect]:
        """(left, right) buttons of the footer: wide, for a thumb."""
        f = self.footer
        width = min(f.w * 0.46, 95 * MM * self.scale)
        return Rect(f.x, f.y, width, f.h), Rect(f.x + f.w - width, f.y, width, f.h)

    @property
    def row_h(self) -> float:
        return 1.65 * self.row_size

    def rows(self, area: Rect) -> list[Rect]:
        """As many rows as fit `area`, from its top; each row's text sits on its bottom edge,
        raised by a third of the row's spare height."""
        count = max(1, math.floor(area.h / self.row_h))
        return [Rect(area.x, area.y + area.h - (i + 1) * self.row_h, area.w, self.row_h) for i in range(count)]

    def index_area(self) -> tuple[Rect, Rect]:
        """(heading, rows) of an index page: the section's name, then one row per question."""
        b = self.body
        heading = Rect(b.x, b.y + b.h - 1.5 * self.heading_size, b.w, 1.5 * self.heading_size)
        return heading, Rect(b.x, b.y, b.w, heading.y - b.y)

    def title_areas(self) -> tuple[Rect, Rect, Rect]:
        """(title block, contents heading, contents rows) of the title page: the deck's title on the
        left, its sections on the right (side by side on a page held sideways, else one above the
        other)."""
        b = self.body
        if self.w >= self.h:
            gap = 8 * MM * self.scale
            left = Rect(b.x, b.y, (b.w - gap) * 0.42, b.h)
            right = Rect(left.x + left.w + gap, b.y, b.w - left.w - gap, b.h)
        else:
            left = Rect(b.x, b.y + b.h * 0.55, b.w, b.h * 0.45)
            right = Rect(b.x, b.y, b.w, b.h * 0.55)
        heading = Rect(right.x, right.y + right.h - 1.5 * self.heading_size, right.w, 1.5 * self.heading_size)
        return left, heading, Rect(right.x, right.y, right.w, heading.y - right.y)
