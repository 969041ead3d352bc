"""Checked math made ready for TeX: Unicode characters replaced with macros, display
environments renamed to their inner forms."""

from __future__ import annotations

import re

from builder.mathcheck.scanner import Scanner

_INNER_FORM_RE = re.compile(r"\\(?:begin|end)\s*\{\s*(?:align|gather|equation|multline|flalign)")


def normalize_math(src: str) -> str:
    """Replace Unicode math characters (μ, ≤, ², ...) with TeX macros.

    Inside text arguments, characters the text font has are kept and the
    rest are wrapped in ``\\ensuremath``.  Meant for formulas that passed
    ``check_math``; other characters are left alone.
    """
    if src.isascii() and not _INNER_FORM_RE.search(src):  # nothing to replace
        return src
    return _normalize_scanned(src)


def _normalize_scanned(src: str) -> str:
    scanner = Scanner(src, False)
    scanner.run()
    word_ends = {t.off + 1 + len(t.val) for t in scanner.toks
                 if t.kind == "cs" and not t.uni and t.val[:1].isalpha()}
    out: list[str] = []
    for k, ch in enumerate(src):
        rep = scanner.subs.get(k, ch)
        if re.match(r"[A-Za-z@]", rep) and (k in word_ends or k - 1 in scanner.subs
                                            and re.search(r"\\[A-Za-z]+$", out[-1])):
            rep = " " + rep  # "μx" -> "\mu x", not "\mux"
        out.append(rep)
    return "".join(out)
