"""The study PDF's page size (--screen): a screen's shape, held sideways by default.

Only the shape matters on a screen (a reader scales the page to fit), so a ratio makes a page whose
longer side is REFERENCE long; the type is sized for that page and scaled with it.
"""
from __future__ import annotations

import re

from builder.errors import GeometryError
from builder.geometry import MM, parse_size

REFERENCE = 200 * MM  # the longer side of a page given as a ratio
NAMED = {"a5": (210 * MM, 148 * MM)}  # paper names: held sideways
LIMITS_MM = (50, 1000)  # each side
MAX_RATIO = 4.0  # longer side to shorter: beyond this no screen, and no text fits

_RATIO = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$")


def parse_screen(spec: str) -> tuple[float, float]:
    """'4:3', '16:9' (any W:H), 'a5' or 'WxH' (mm unless a unit is given) → page (w, h) in points."""
    key = str(spec).strip().lower()
    ratio = _RATIO.match(key)
    if key in NAMED:
        w, h = NAMED[key]
    elif ratio:
        a, b = float(ratio.group(1)), float(ratio.group(2))
        if not a or not b:
            raise GeometryError(f"invalid screen {spec!r}: both sides of W:H must be more than 0")
        w, h = (REFERENCE, REFERENCE * b / a) if a >= b else (REFERENCE * a / b, REFERENCE)
    elif "x" in key or "×" in key:
        w, h = parse_size(key)
    else:
        raise GeometryError(f"unknown screen {spec!r}: use 4:3, 16:9 (any W:H), {', '.join(NAMED)}, "
                            "or a size like 160x90 (mm)")
    low, high = LIMITS_MM
    if not (low * MM <= w <= high * MM and low * MM <= h <= high * MM):
        raise GeometryError(f"screen {spec!r}: each side must be between {low} and {high} mm")
    if max(w, h) / min(w, h) > MAX_RATIO:
        raise GeometryError(f"screen {spec!r}: one side more than {MAX_RATIO:g} times the other leaves "
                            "no room for a card")
    return w, h
