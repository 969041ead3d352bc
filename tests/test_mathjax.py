"""Checked TeX → what Anki's MathJax reads the same way (the gaps were found by scripts/mathjax_probe.py)."""
from __future__ import annotations

import pytest

from builder.mathcheck import check_math
from builder.mathjax import to_mathjax


@pytest.mark.parametrize("src, display, expected", [
    (r"\frac{a}{b} + \text{zażółć}", False, r"\frac{a}{b} + \text{zażółć}"),  # most math passes untouched
    (r"x_\text{max}", False, r"x_\text{max}"),
    (r"\text{a \% b}", False, r"{\text{a }\%\text{ b}}"),  # braced: still one argument of ^ or _
    (r"\text{\'e \k{a} \k a \"{o}}", False, r"\text{é ą ą ö}"),
    (r"\text{a \hspace*{1em} b}", False, r"{\text{a }\hspace*{1em}\text{ b}}"),
    (r"\text{a \ensuremath{\alpha^2} b}", False, r"{\text{a }{\alpha^2}\text{ b}}"),
    (r"\textbf{a \textit{b} c}", False, r"{\textbf{a }\textit{b}\textbf{ c}}"),
    (r"\text{a {b} c}", False, r"\text{a b c}"),
    (r"\emph{x} \textmd{y}", False, r"\textit{x} \textrm{y}"),
    (r"\sum\displaylimits_i x", True, r"\sum\limits_i x"),
    (r"\sum\displaylimits_i x", False, r"\sum\nolimits_i x"),
    (r"a \medspace b \thickspace c \mathellipsis", False, r"a \: b \; c \ldots"),
    (r"\ensuremath{x}", False, r"{x}"),
    (r"x \tag*{A}", True, r"x \tag*{A}"),
])
def test_what_mathjax_lacks_becomes_what_it_reads(src: str, display: bool, expected: str):
    assert not check_math(src, display=display)
    result = to_mathjax(src, display)
    assert (result.source, result.problems, result.warnings) == (expected, [], [])


def test_what_cannot_look_the_same_is_reported_at_its_offset():
    result = to_mathjax(r"x \tag{\% 1}", True)
    assert [(p.message[:40], p.offset) for p in result.problems] == [("Anki's MathJax shows commands inside \\ta", 2)]
    lossy = to_mathjax(r"a + \textsc{Nazwa}")
    assert lossy.source == r"a + \textrm{Nazwa}" and [p.offset for p in lossy.warnings] == [4]
