"""```plot blocks without TeX: the expression grammar, the YAML checks and their messages, sampling
(jumps, poles, edges) and where the legend goes."""
from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.plots import describe, expr
from builder.plots.expr import Binary, Call, ExprError, Num, Unary, Var, compile_tree, parse, show
from builder.plots.layout import lay_out
from builder.plots.sample import clip, sample_function
from builder.plots.spec import parse_plot


def value(text: str, x: float = 0.0) -> float:
    return compile_tree(parse(text))(x)


# --- the grammar ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, tree", [
    ("-x^2", "(-(x ^ 2.0))"),
    ("2^3^2", "(2.0 ^ (3.0 ^ 2.0))"),
    ("2^-x", "(2.0 ^ (-x))"),
    ("1 - 2 - 3", "((1.0 - 2.0) - 3.0)"),
    ("8/4/2", "((8.0 / 4.0) / 2.0)"),
    ("1 + 2*x", "(1.0 + (2.0 * x))"),
    ("(1 + 2)*x", "((1.0 + 2.0) * x)"),
    ("x > 0", "(x > 0.0)"),
    ("(x >= 0)*x", "((x >= 0.0) * x)"),
    ("1 + x < 2*x", "((1.0 + x) < (2.0 * x))"),
    ("max(0, x, -x)", "max(0.0, x, (-x))"),
    ("+x", "x"),
    ("1/(1+exp(-x))", "(1.0 / (1.0 + exp((-x))))"),
    ("1.5e-3*x", "(0.0015 * x)"),
    (".5", "0.5"),
])
def test_precedence_and_associativity(text, tree):
    assert show(parse(text)) == tree


@pytest.mark.parametrize("text, expected", [
    ("-2^2", -4.0), ("2^3^2", 512.0), ("10 - 4 - 3", 3.0), ("pi", math.pi), ("e", math.e),
    ("log(e)", 1.0), ("ln(e^2)", 2.0), ("min(3, 1, 2)", 1.0), ("max(0, -1)", 0.0), ("abs(-3)", 3.0),
    ("(1 > 0) + (1 < 0) + (1 <= 1) + (1 >= 2)", 2.0), ("sqrt(16)", 4.0), ("tanh(0)", 0.0),
])
def test_values(text, expected):
    assert value(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["ln(-1)", "log(0)", "sqrt(-1)", "1/0", "(-8)^(1/3)", "0^-1", "ln(-1) > 0",
                                  "max(ln(-1), 1)"])
def test_undefined_is_nan(text):
    assert math.isnan(value(text))


def test_overflow_is_infinite():
    assert value("exp(1000)") == math.inf and value("10^400") == math.inf


@pytest.mark.parametrize("text, message, offset, hint", [
    ("sinh(x)", "unknown function 'sinh' (known: abs, cos, exp, ln, log, max, min, sin, sqrt, tan, tanh)", 0,
     "did you mean 'sin'?"),
    ("2x", "unexpected 'x'", 1, "write multiplication with * (2*x, not 2x)"),
    ("z + 1", "unknown name 'z': the variable is x, the constants pi and e", 0, None),
    ("0 < x < 1", "comparisons cannot be chained", 6, None),
    ("x == 1", "'==' is not an operator here", 2, None),
    ("x**2", "'**' is written ^ here", 1, None),
    ("exp", "'exp' is a function: write exp(…)", 0, None),
    ("exp(x, 1)", "exp(…) takes 1 argument, not 2", 0, None),
    ("max(x)", "max(…) takes two or more arguments", 0, None),
    ("(x + 1", "expected ')', found the end", 6, None),
    ("x + ", "expected a number, x, a function or '(', found the end", 4, None),
    ("x $ 2", "unexpected character '$'", 2, None),
    ("\\input{x}", "unexpected character '\\\\'", 0, None),
    ("", "empty expression", 0, None),
])
def test_errors_say_what_and_where(text, message, offset, hint):
    with pytest.raises(ExprError) as caught:
        parse(text)
    assert caught.value.message == message and caught.value.offset == offset
    if hint:
        assert caught.value.hint == hint


def test_limits():
    with pytest.raises(ExprError, match="at most 500"):
        parse("+".join(["x"] * 10_000))
    with pytest.raises(ExprError, match="nested more than 40"):
        parse("(" * 41 + "x" + ")" * 41)
    with pytest.raises(ExprError, match="nested more than 40"):
        parse("-" * 60 + "x")
    assert show(parse("(" * 39 + "x" + ")" * 39)) == "x"


_leaves = st.one_of(st.integers(0, 99).map(lambda n: Num(float(n))), st.just(Var()))


def _grow(children):
    return st.one_of(
        children.map(lambda a: Unary("-", a)),
        st.tuples(st.sampled_from(["+", "-", "*", "/", "^", "<", "<=", ">", ">="]), children, children)
        .map(lambda t: Binary(*t)),
        st.tuples(st.sampled_from(["exp", "ln", "log", "sqrt", "abs", "sin", "cos", "tan", "tanh"]), children)
        .map(lambda t: Call(t[0], (t[1],))),
        st.tuples(st.sampled_from(["min", "max"]), st.lists(children, min_size=2, max_size=3))
        .map(lambda t: Call(t[0], tuple(t[1]))),
    )


trees = st.recursive(_leaves, _grow, max_leaves=12)


def written(node, spaces) -> str:
    """The tree as text a person could type: every operation parenthesised, random spacing."""
    pad = spaces.draw(st.sampled_from(["", " ", "  "]))
    if isinstance(node, Num):
        return str(int(node.value))
    if isinstance(node, Var):
        return "x"
    if isinstance(node, Unary):
        return f"(-{pad}{written(node.arg, spaces)})"
    if isinstance(node, Binary):
        return f"({written(node.left, spaces)}{pad}{node.op}{pad}{written(node.right, spaces)})"
    return f"{node.name}({(',' + pad).join(written(a, spaces) for a in node.args)})"


def evaluate(node, x: float) -> float:
    """A second, direct evaluation of a tree (the reference compile_tree must agree with)."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Var):
        return x
    if isinstance(node, Unary):
        return -evaluate(node.arg, x)
    if isinstance(node, Binary):
        a, b = evaluate(node.left, x), evaluate(node.right, x)
        if math.isnan(a) or math.isnan(b):
            return math.nan
        return expr._BINARY[node.op](a, b)
    args = [evaluate(a, x) for a in node.args]
    return math.nan if any(math.isnan(a) for a in args) else float(expr.FUNCTIONS[node.name][1](*args))


@settings(max_examples=300, deadline=None)
@given(trees, st.data(), st.floats(-3, 3))
def test_any_tree_written_out_parses_back_to_itself_and_evaluates_alike(tree, data, x):
    text = written(tree, data)
    if len(text) > expr.MAX_LENGTH:
        return
    parsed = parse(text)
    assert show(parsed) == show(tree)
    got, want = compile_tree(parsed)(x), evaluate(tree, x)
    assert (math.isnan(got) and math.isnan(want)) or got == want


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="x0123456789.+-*/^()<>=, epiaxlnsqrtmhbc$\\{}", max_size=40))
def test_any_text_parses_or_fails_with_a_message(text):
    try:
        tree = parse(text)
    except ExprError as exc:
        assert exc.message and 0 <= exc.offset <= len(text)
        return
    compile_tree(tree)(0.5)  # never raises: undefined is NaN


# --- the description: YAML checks and their messages ------------------------------------------------

def problems(text: str) -> list[tuple[int, int | None, str]]:
    return [(p.line, p.column, p.message) for p in describe(text).problems]


@pytest.mark.parametrize("text, expected", [
    ("x: [0, 1]\nfunctions:\n  - f: sinh(x)\n",
     (2, 8, "unknown function 'sinh' (known: abs, cos, exp, ln, log, max, min, sin, sqrt, tan, tanh)")),
    ("x: [0, 1]\nfunctions:\n  - f: x\n    label: \\input{/etc/passwd}\n",
     (3, 12, "label: '\\input' is LaTeX outside $…$ and would print as typed")),
    ("x: [0, 1]\nfunctions:\n  - f: x\n    label: $\\input{/etc/passwd}$\n",
     (3, 13, "label: math: \\input is not allowed in math: it reads files")),
    ("x: [0, 1]\nsamples: 1000000\nfunctions: [x]\n", (1, None, "samples is 1000000; it must be from 2 to 1000")),
    ("x: &a [0, 1]\ny: *a\nfunctions: [x]\n",
     (0, 4, "YAML anchors and aliases (&name, *name) are not allowed in a plot")),
    ("x: !!python/object:os.system [0, 1]\nfunctions: [x]\n",
     (0, None, "YAML tag 'tag:yaml.org,2002:python/object:os.system' is not allowed in a plot")),
    ("x: [1, 1]\nfunctions: [x]\n", (0, None, "x: [1, 1] is an empty range (the first number must be the smaller)")),
    ("x: [-5, -1]\nfunctions: [ln(x)]\n", (1, None, "'ln(x)' is undefined everywhere on x from -5 to -1")),
    ("x: [0, 1]\ncolour: red\nfunctions: [x]\n", (1, None, "unknown key 'colour' in the plot")),
    ("x: [0, 1\nfunctions: [x]\n", (1, None, "not valid YAML: expected ',' or ']', but got ':'")),
    ("", (0, None, "the plot block is empty")),
    ("x: [0, 1]\n", (0, None, "nothing to draw: give functions, data or points")),
    ("functions: [x]\n", (0, None, "functions need the x range: x: [from, to]")),
    ("x: [0, 1e300]\nfunctions: [x]\n", (0, None, "x must be a finite number from -1000000000 to 1000000000")),
    ("x: [0, 1]\nfunctions: [" + ", ".join(["x"] * 9) + "]\n", (1, None, "functions has 9 entries; at most 8")),
    ("x: [0, 1]\nfunctions:\n  - f: x\n    label: $$x$$\n",
     (3, 14, "label: displayed math ($$…$$) cannot be in a label")),
    ("x: [0, 1]\nfunctions:\n  - f: x\n    style: wavy\n",
     (3, None, "style 'wavy' is not one of: solid, dashed, dotted, dashdotted")),
    ("data: [[[0, 0]]]\n", (0, None, "a data series needs two points or more (a single one is a point: points: …)")),
    ("x: [0, 1]\nfunctions: [x]\nlegend: middle\n",
     (2, None, "legend 'middle' is not one of: auto, none, corner, below, top left, top right, bottom left, "
               "bottom right")),
    ("x: 5\n", (0, None, "x must be a list ([…] or '- ' lines), found a value")),
    ("x: " + "[" * 3000 + "]" * 3000 + "\n", (0, None, "the description is nested too deeply")),
])
def test_each_mistake_is_one_clear_error_on_its_line(text, expected):
    plot = describe(text)
    assert plot.page is None  # nothing to compile: TeX never sees it
    assert problems(text)[0] == expected


def test_a_ten_thousand_term_expression_is_refused_before_parsing():
    text = "x: [0, 1]\nfunctions:\n  - f: " + "+".join(["x"] * 10_000) + "\n"
    (line, _, message), = problems(text)
    assert line == 2 and message == "expression is 19999 characters long; at most 500"


def test_a_description_past_the_size_limit_is_refused_unread():
    text = "x: [0, 1]\nfunctions: [x]\n# " + "a" * 70_000 + "\n"
    assert problems(text) == [(0, None, "the plot's description is 70028 characters long; at most 64000")]


def test_every_mistake_is_reported_not_only_the_first():
    text = "x: [0, 1]\nsamples: 0\nfunctions:\n  - f: sinh(x)\n  - f: x +\ngrid: maybe\n"
    assert [line for line, _, _ in problems(text)] == [1, 3, 4, 5]


def test_warnings_do_not_stop_a_plot():
    plot = describe("x: [0, 1]\ny: [0, 1]\nfunctions:\n  - f: x + 10\n  - f: x\n    label: ok 😀\n")
    assert plot.page is not None
    assert [(p.line, p.warn) for p in plot.problems] == [(3, True), (5, True)]
    assert "U+1F600" in plot.page  # the placeholder box, as in card text


def test_numbers_may_be_constant_expressions_and_labels_are_escaped():
    plot = describe("x: [-2*pi, 2*pi]\nfunctions:\n  - f: sin(x)\n    label: '50% of #1 & $\\sin x$'\n")
    assert "xmin=-6.283185, xmax=6.283185" in plot.page
    assert "\\addlegendentry{50\\% of \\#1 \\& $\\sin x$}" in plot.page


def test_only_numbers_and_checked_labels_reach_tex():
    """Whatever the block says, the page holds no text of it but escaped labels: no expression,
    no key, no YAML."""
    plot = describe("x: [0, 1]\nfunctions:\n  - f: sqrt(x) + 0*exp(x)\n    label: label\n"
                    "notes: [[0.5, 0.5, 'a note']]\n")
    assert "sqrt" not in plot.page and "exp" not in plot.page
    assert "{label}" in plot.page and "{a note}" in plot.page


# --- sampling -------------------------------------------------------------------------------------

def test_a_step_breaks_at_the_jump_instead_of_drawing_a_wall():
    pieces = sample_function(compile_tree(parse("(x > 0.3)")), -1, 1, 20)
    assert len(pieces) == 2
    (left_x, left_y), (right_x, right_y) = pieces[0][-1], pieces[1][0]
    assert left_y == 0 and right_y == 1 and abs(left_x - 0.3) < 1e-9 and abs(right_x - 0.3) < 1e-9


def test_a_pole_breaks_and_each_side_runs_to_it():
    pieces = sample_function(compile_tree(parse("1/x")), -1, 1, 21)  # 0 is a sample: undefined there
    assert len(pieces) == 2 and pieces[0][-1][1] < -1e6 and pieces[1][0][1] > 1e6
    pieces = sample_function(compile_tree(parse("1/(x - 0.01)")), -1, 1, 20)  # between samples
    assert len(pieces) == 2


def test_an_undefined_stretch_ends_the_line_at_its_edge():
    pieces = sample_function(compile_tree(parse("sqrt(x)")), -1, 1, 10)
    assert len(pieces) == 1 and abs(pieces[0][0][0]) < 1e-9


def test_a_steep_continuous_function_stays_one_line():
    assert len(sample_function(compile_tree(parse("tanh(200*x)")), -1, 1, 11)) == 1


def test_straight_stretches_lose_the_samples_they_do_not_need():
    from builder.plots.sample import simplify

    relu = sample_function(compile_tree(parse("max(0, x)")), -4, 4, 201)[0]
    assert simplify(relu, (8, 4), 0.0005) == [(-4.0, 0.0), (0.0, 0.0), (4.0, 4.0)]
    sigmoid = sample_function(compile_tree(parse("1/(1+exp(-x))")), -4, 4, 201)[0]
    kept = simplify(sigmoid, (8, 1), 0.0005)
    assert 10 < len(kept) < 60 and kept[0] == sigmoid[0] and kept[-1] == sigmoid[-1]
    # every dropped sample lies within the tolerance of the segment drawn instead (measured as a
    # share of the window: x over its width 8, y over its height 1)
    for x, y in sigmoid:
        (x0, y0), (x1, y1) = next((a, b) for a, b in zip(kept, kept[1:]) if a[0] <= x <= b[0])
        dx, dy = (x1 - x0) / 8, y1 - y0
        assert abs(dy * (x - x0) / 8 - dx * (y - y0)) / math.hypot(dx, dy) <= 0.0005


def test_clipping_keeps_the_visible_part_exactly():
    pieces = clip([(0, 0), (2, 4), (4, 0)], (0, 4, 0, 2))
    assert pieces == [[(0, 0), (1, 2)], [(3, 2), (4, 0)]]


# --- the legend -----------------------------------------------------------------------------------

def legend_of(text: str) -> str:
    spec, _ = parse_plot(text)
    drawing, _ = lay_out(spec)
    return drawing.legend


def test_the_legend_goes_where_the_curves_are_not():
    rising = "x: [0, 1]\ny: [0, 1]\nfunctions:\n  - f: x^4\n    label: rising late\n"
    assert legend_of(rising) == "top left"
    falling = "x: [0, 1]\ny: [0, 1]\nfunctions:\n  - f: (1-x)^4\n    label: falling\n"
    assert legend_of(falling) == "top right"
    everywhere = "x: [0, 1]\ny: [0, 1]\nfunctions:\n  - f: x\n    label: a\n  - f: 1-x\n    label: b\n" \
                 "hlines: [0.05, 0.95]\n"
    assert legend_of(everywhere) == "below"
    assert legend_of(everywhere + "legend: corner\n") in ("top right", "top left", "bottom right", "bottom left")
    assert legend_of(rising + "legend: bottom right\n") == "bottom right"
    assert legend_of(rising.replace("    label: rising late\n", "")) == "none"


def test_curves_without_a_colour_take_the_first_one_not_used_before_them():
    spec, _ = parse_plot("x: [0, 1]\nfunctions:\n  - f: x\n    color: blue\n  - f: 2*x\n  - f: 3*x\n"
                         "  - f: 4*x\n    color: blue\n")
    assert [c.color for c in spec.curves] == ["blue", "red", "green", "blue"]


def test_the_grammar_in_the_docs_is_the_grammar_of_the_code():
    docs = open("docs/deck-format.md", encoding="utf-8").read()
    listed = re.search(r"Functions: (.*)\.", docs).group(1)
    assert sorted(re.findall(r"`(\w+)`", listed)) == sorted(expr.FUNCTIONS)


# --- the cache ------------------------------------------------------------------------------------

def test_a_damaged_or_half_written_entry_is_not_used(tmp_path):
    from builder.plots.cache import CachedPlot, load, store

    store({"k": CachedPlot(b"%PDF-1.5 a plot", 100.0, 50.0)}, tmp_path)
    assert load("k", tmp_path) == CachedPlot(b"%PDF-1.5 a plot", 100.0, 50.0)
    (tmp_path / "k.pdf").write_bytes(b"%PDF-1.5 a pl")  # cut short by a killed build
    assert load("k", tmp_path) is None
    (tmp_path / "k.pdf").unlink()
    assert load("k", tmp_path) is None
    assert load("other", tmp_path) is None


def test_an_unwritable_cache_is_only_slower(tmp_path):
    from builder.plots.cache import CachedPlot, load, store

    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    store({"k": CachedPlot(b"%PDF", 1.0, 1.0)}, blocked / "plots")  # no error
    assert load("k", blocked / "plots") is None
