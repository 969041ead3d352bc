"""What the templates and the Python side agree on, in one place.

TeX reports back through lines in its log (`FISZKI …`), errors are traced to cards through
`%% fiszki-source:` comments in the generated .tex, card sides are named in the log and in hidden
PDF annotations (`card-12p2-back`), every PDF records its kind and layout in the catalog's
/FiszkiInfo, and a few sizes are decided here and handed to the templates rather than written in
both languages. The builders, `fiszki check` and the tests all read these definitions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from builder.geometry import MM


# --- /FiszkiInfo: what a PDF is -------------------------------------------------------------------
INFO_KEY = "/FiszkiInfo"
QUESTIONS_FILE = "questions.pdfdata"  # the flashcards' /Questions stream, as Python writes it
KIND_FLASHCARDS, KIND_CHEATSHEET, KIND_CALIBRATION = "Flashcards", "CheatSheet", "Calibration"
KIND_STUDY = "Study"

# --- source markers: TeX errors back to deck lines ------------------------------------------------
MARKER_PREFIX = "%% fiszki-source: "
MARKER_RE = re.compile(r"%% fiszki-source: (.*)$")


def source(card_number: int, side: str, line: int) -> str:
    """What a marker says about the material after it: 'card 12 back line 40'."""
    return f"card {card_number} {side} line {line}"


def marker_card(marker: str | None) -> int | None:
    """The card number a marker names, or None."""
    parts = (marker or "").split()
    if len(parts) >= 2 and parts[0] == "card" and parts[1].isdigit():
        return int(parts[1])
    return None


def marker_before(tex: str, line_no: int | None) -> str | None:
    """The last source marker at or above a .tex line."""
    if not line_no:
        return None
    found = None
    for line in tex.splitlines()[:line_no]:
        m = MARKER_RE.search(line)
        if m:
            found = m.group(1).strip()
    return found


# --- card sides: names in the log and in the PDF --------------------------------------------------
_KEY_RE = re.compile(r"^(\d+)(?:p(\d+))?-(front|back)$")
CARD_PREFIX = "card-"


def side_key(number: int, part: int | None, side: str) -> str:
    """'12-back', or '12p2-back' for the second part of a split answer."""
    return f"{number}{f'p{part}' if part and part > 1 else ''}-{side}"


def parse_key(key: str) -> tuple[int, int, str]:
    """'12p2-back' → (12, 2, 'back')."""
    m = _KEY_RE.match(key)
    if not m:
        raise ValueError(f"not a card side key: {key!r}")
    return int(m.group(1)), int(m.group(2) or 1), m.group(3)


def card_name(key: str) -> str:
    """The hidden annotation of a card side: 'card-12p2-back'."""
    return CARD_PREFIX + key


def parse_card_name(name: str) -> tuple[str, str] | None:
    """'card-12p2-back' → ('12p2', 'back'): the card (with its part) and the side; None if not a card."""
    if not name.startswith(CARD_PREFIX):
        return None
    m = _KEY_RE.match(name[len(CARD_PREFIX):])
    if not m:
        return None
    return m.group(1) + (f"p{m.group(2)}" if m.group(2) else ""), m.group(3)


# --- the study PDF: what each page is, where each link goes ----------------------------------------
# A page's role names it twice: as its named destination (what links and bookmarks go to) and as a
# hidden annotation on the page (PAGE_PREFIX + role), which travels with the page, so `fiszki check`
# can tell whether a link lands where it should. Roles: 'title', 'contents-2' (the title page's
# sections continued), 'index-3-1' (section 3's first index page), 'q-12' and 'a-12' (card 12's
# question and answer). Links are named LINK_PREFIX + what they do + whom: 'tap-12' (question to
# answer), 'next-12' (answer to the next question), 'back-12' (answer to its section's index),
# 'entry-12' (index to question), 'section-3' (title page to index), 'contents-3-1' (index to title).
PAGE_PREFIX, LINK_PREFIX = "page-", "link-"
_STUDY_NAME_RE = re.compile(r"^([a-z]+)((?:-\d+)*)$")


def study_name(kind: str, *numbers: int) -> str:
    """'q-12', 'index-3-1', 'tap-12': a page role or a link, by kind and numbers."""
    return "-".join([kind, *(str(n) for n in numbers)])


def parse_study_name(name: str) -> tuple[str, tuple[int, ...]] | None:
    """'index-3-1' → ('index', (3, 1)); None if it is not one."""
    m = _STUDY_NAME_RE.match(name)
    return (m.group(1), tuple(int(n) for n in m.group(2).split("-")[1:])) if m else None


# --- flashcard sides: sizes both languages use ----------------------------------------------------
FRONT_START = 13.0  # pt: questions start large
BACK_START = 10.0  # pt: answers start at a comfortable reading size
PAD = 3 * MM  # safe area inside each card edge: text never enters it
CLIP = 1 * MM  # a line too wide even at the minimum size is cut off this far inside the card edge
LABEL_SIZE = 6.0  # pt: the "#N · section" line, small but legible in print
LABEL_H = 12.0  # pt: the label line, its hairline and the gap under them (the template's label box)
# " · " between a label's parts: the template sets the dot once (a TS1 glyph, costly to select each time)
LABEL_SEPARATOR = r" \fzsep "

# --- flashcards: the auto-fit's report, one log line per attempt -----------------------------------
_FIT_RE = re.compile(r"^FISZKI (TRY|FIT|OVERFLOW|WIDE) (\S+)((?: [\d.]+pt)+)")
_OVERFULL_RE = re.compile(r"^Overfull \\hbox \(([\d.]+)pt too wide\)")
_SHRINK_RE = re.compile(r"^FISZKI SHRINK (\d+)")


@dataclass
class FitReport:
    sizes: dict[str, float] = field(default_factory=dict)  # side key → final size (pt)
    fill: dict[str, float] = field(default_factory=dict)  # side key → share of the text area used
    overflow: dict[str, tuple[float, float]] = field(default_factory=dict)  # key → (needed, available) pt
    too_wide: dict[str, float] = field(default_factory=dict)  # key → how far its widest line sticks out
    shrunk: dict[str, int] = field(default_factory=dict)  # key → % a formula was shrunk to, at the minimum


def read_fit(log: str) -> FitReport:
    """The in-TeX fit reports its result per side; TeX's own "Overfull \\hbox" lines after a side's
    last TRY catch a too-wide line the template's scan could not see."""
    report = FitReport()
    current = None
    for line in log.splitlines():
        m = _FIT_RE.match(line)
        if m:
            kind, key = m.group(1), m.group(2)
            numbers = [float(n) for n in m.group(3).replace("pt", "").split()]
            if kind == "TRY":
                current = key
                report.too_wide.pop(key, None)  # only the last attempt counts
                report.shrunk.pop(key, None)
            elif kind == "FIT":
                report.sizes[key] = numbers[0]
                if len(numbers) == 3:  # size, needed height, available height
                    report.fill[key] = numbers[1] / numbers[2]
                current = None
            elif kind == "WIDE":
                report.too_wide[key] = max(report.too_wide.get(key, 0.0), numbers[0])
            else:
                report.overflow[key] = (numbers[0], numbers[1])
            continue
        w = _OVERFULL_RE.match(line)
        if w and current and float(w.group(1)) > 0.5:
            report.too_wide[current] = max(report.too_wide.get(current, 0.0), float(w.group(1)))
        s = _SHRINK_RE.match(line)
        if s and current:
            report.shrunk[current] = min(report.shrunk.get(current, 100), int(s.group(1)))
    return report


def side_before(lines: list[str]) -> str | None:
    """The card side TeX was working on at the end of these log lines: the last one it reported
    starting to fit (or having fitted, before it places its label). Errors inside a page are told
    at the page's last line, so this, not the source marker, names the card that caused them."""
    for line in reversed(lines):
        m = _FIT_RE.match(line)
        if m:
            return m.group(2)
    return None


# --- cheat sheet: the size search's report ---------------------------------------------------------
COLUMN_GAP_EM = 1.0  # the gap between columns: this many ems of the text size …
COLUMN_GAP_MIN = "2mm"  # … but never less than this (a TeX length, also read by Python)
_CHEAT_RE = re.compile(r"^FISZKI CHEAT (trial|fail|leftover|size=)(.*)$")
_FIELD_RE = re.compile(r"([a-z-]+)=(\d+)")


@dataclass
class CheatFit:
    """What TeX reported: the chosen size (pt), columns, pages, and how it got there."""

    size: float = 0.0
    columns: int = 0
    pages: int = 0
    target: int = 0
    trials: int = 0
    failed: bool = False
    needed: int = 0  # pages needed at the smallest size, when it failed
    leftover: bool = False
    reused: bool = False  # the pages are the kept columns of the trial at that size


def read_cheat_fit(log: str) -> CheatFit:
    fit = CheatFit()
    for line in log.splitlines():
        m = _CHEAT_RE.match(line)
        if not m:
            continue
        kind = m.group(1)
        fields = {k: int(v) for k, v in _FIELD_RE.findall(line)}
        if kind == "leftover":
            fit.leftover = True
        elif kind == "fail":
            fit.failed, fit.size = True, fields["size"] / 10
            fit.needed, fit.target = fields["pages-needed"], fields["target"]
        elif kind == "size=":
            fit.size, fit.columns = fields["size"] / 10, fields["columns"]
            fit.pages, fit.target, fit.trials = fields["pages"], fields["target"], fields["trials"]
            fit.reused = fields.get("reused") == 1
    return fit
