"""A formula as TeX reads it: control sequences, spaces and other characters, with the
Unicode characters that have a macro read as that macro; and the token sets the checks share."""

from __future__ import annotations

import re
from typing import Iterator, NamedTuple

from builder.mathcheck.allowed import DELIMITER_CHARS, DELIMITER_COMMANDS
from builder.mathcheck.characters import MATH_UNICODE


class Tok(NamedTuple):
    kind: str   # "cs" (control sequence), "sp" (white space), "ch" (other)
    val: str    # control sequence name without the backslash, or the text
    off: int
    uni: bool = False  # produced from a MATH_UNICODE replacement


_TOKEN = re.compile(r"\\([A-Za-z@]+|[^A-Za-z@]?)|([ \t\r\n]+)|(.)", re.S)


def tokenize(src: str) -> Iterator[Tok]:
    """The tokens of src; a character of MATH_UNICODE gives its macro's tokens, at its offset."""
    for m in _TOKEN.finditer(src):
        cs, sp, ch = m.groups()
        if ch in MATH_UNICODE:
            for t in tokenize(MATH_UNICODE[ch]):
                yield t._replace(off=m.start(), uni=True)
        elif cs is not None:  # "\ " and "\<newline>" are both a control space
            yield Tok("cs", " " if cs and cs in " \t\r\n" else cs, m.start())
        else:
            yield Tok("sp" if sp else "ch", sp or ch, m.start())


# A length as \hspace{...}, \\[...] and array's p{...} take it.
LENGTH = re.compile(r"\s*[-+]?\s*(\d+\.?\d*|\.\d+)\s*"
                    r"(pt|mm|cm|in|ex|em|mu|bp|pc|dd|cc|sp)\s*")
# Tokens that cannot start a macro argument (TeX would grab them and fail).
STOPS = {("ch", c) for c in "}&^_$#%'~"} | {
    ("cs", c) for c in ("\\", "right", "end", "middle")}
DELIMITERS = {("ch", c) for c in DELIMITER_CHARS} | {
    ("cs", c) for c in DELIMITER_COMMANDS}
