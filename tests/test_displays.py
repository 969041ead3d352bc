"""builder.displays: where a too-wide display formula is broken into lines (top level only)."""
from __future__ import annotations

import pytest

from builder.displays import broken_display
from builder.mathcheck import check_math


@pytest.mark.parametrize("body, lines", [
    (r"P(Y = i) = \operatorname{softmax}_i(z) = \frac{e^{z_i}}{\sum_j e^{z_j}}",
     [r"P(Y = i) &= \operatorname{softmax}_i(z)", r"&= \frac{e^{z_i}}{\sum_j e^{z_j}}"]),
    (r"m_t = \beta m + g_t, \qquad v_t = \beta v + g_t^2", [r"m_t &= \beta m + g_t,", r"v_t &= \beta v + g_t^2"]),
    (r"L = -\sum_i y_i \log p_i + \lambda \|w\|^2", [r"L &= -\sum_i y_i \log p_i", r"&\quad + \lambda \|w\|^2"]),
    (r"a \le b \approx c", [r"a &\le b", r"&\approx c"]),
])
def test_breaks_at_top_level_relations_separators_and_sums(body, lines):
    broken = broken_display(body)
    assert broken == "\\begin{aligned}" + " \\\\ ".join(lines) + "\\end{aligned}"
    assert check_math(broken, display=True) == []


@pytest.mark.parametrize("body", [
    r"x^2",  # nowhere to break
    r"H = -\left[ y \log p + (1 - y) \log (1 - p) \right]",  # one relation, the sum inside \left…\right
    r"f\left(a = b\right) + \{c = d\} - (e = f)",  # relations only inside delimiters
    r"\begin{aligned} a &= b \\ c &= d \end{aligned}",  # already in lines
    r"a = b \tag{1}",
])
def test_no_break_where_none_is_at_the_top_level(body):
    assert broken_display(body) is None
