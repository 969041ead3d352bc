"""What the cheat sheet's TeX log says about lines too wide for their column, by card.

TeX reports a line it could not fit ("Overfull \\hbox (6.4pt too wide) in paragraph at lines
120--121") at the body file's line; the body's `%% fiszki-source: card N …` markers name the card.
The fitting typesets the cards once per trial, so only the reports of the size shipped count: those
before its trial's `FISZKI CHEAT trial size=…` line (back to the previous trial's), and those after
the last trial (the pages typeset again at that size).
"""
from __future__ import annotations

import bisect
import re

from builder.tex.contract import MARKER_RE

_TRIAL_RE = re.compile(r"^FISZKI CHEAT trial size=(\d+)")
_OVERFULL_RE = re.compile(r"^Overfull \\hbox \(([\d.]+)pt too wide\) in (?:paragraph|alignment) at lines (\d+)--")


def wide_lines(log: str, body: str, size: int) -> dict[int, float]:
    """Card number → the most (pt) a line of it sticks out of its column at `size` (decipoints)."""
    starts, cards = [], []
    for number, line in enumerate(body.splitlines(), 1):
        m = MARKER_RE.search(line)
        if m and m.group(1).split()[:1] == ["card"]:
            starts.append(number)
            cards.append(int(m.group(1).split()[1]))
    found: dict[int, float] = {}
    pending: list[tuple[float, int]] = []  # reports of the trial still running

    def keep(reports: list[tuple[float, int]]) -> None:
        for excess, line in reports:
            at = bisect.bisect_right(starts, line) - 1
            if at >= 0:
                found[cards[at]] = max(found.get(cards[at], 0.0), excess)

    for line in log.splitlines():
        m = _OVERFULL_RE.match(line)
        if m:
            pending.append((float(m.group(1)), int(m.group(2))))
            continue
        trial = _TRIAL_RE.match(line)
        if trial:
            if int(trial.group(1)) == size:
                keep(pending)
            pending = []
    keep(pending)  # the pages typeset after the last trial
    return found
