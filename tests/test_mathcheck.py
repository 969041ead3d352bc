"""Tests for builder.mathcheck: the math validator that runs before pdflatex."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.mathlimits import COPIES
from builder.mathcheck import (
    ALLOWED_COMMANDS,
    ALLOWED_ENVIRONMENTS,
    ARITY,
    BIG_OPERATORS,
    GREEK,
    MATH_UNICODE,
    SYMBOLS,
    MathProblem,
    check_math,
    line_col,
    normalize_math,
)
from builder.mathcheck.normalize import _normalize_scanned

SEED_FORMULAS = [
    r"H(p,\hat{p}) = -\frac{1}{N}\sum_{i=1}^{N} \left[y_i\log(\hat{y}_i)"
    r" + (1-y_i)\log(1-\hat{y}_i)\right].",
    r"\mathcal{L}_{CE} = -\sum_{k=1}^{M} y_k \ln(\hat{y}_k)",
    r"\sigma(x) = \frac{1}{1 + e^{-x}}",
    r"P(Y = i|x, W, b) = softmax_i(Wx + b) = "
    r"\frac{e^{W_i x + b_i}}{\sum_{j} e^{W_j x + b_j}}",
    r"f(z) = \begin{cases} z, & z \ge 0 \\ 0, & z < 0 \end{cases}",
    r"\frac{\partial h_3}{\partial h_2} \cdot \frac{\partial h_2}{\partial h_1}"
    r" \cdot \frac{\partial h_1}{\partial h_0} "
    r"\frac{\partial h_0}{\partial \underline{\theta}}",
    r"L(\theta)=L_0(\theta)+\lambda \frac{1}{2}\|\theta\|^2",
    r"w \in \left[-\frac{a}{\sqrt{n_{\mathrm{in}}}},"
    r"\frac{a}{\sqrt{n_{\mathrm{in}}}}\right]",
    r"\left[-n_{\mathrm{in}}\sqrt{N_h},\, n_{\mathrm{in}}\sqrt{N_h}\right]",
    r"\pm \frac{\sqrt{6}}{\sqrt{n_i + n_{i+1}}}",
    r"n_h=\frac{n_{in}+n_{out}}{2}",
]

MORE_VALID = [
    r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}",
    r"\begin{array}{c|c} 1 & 2 \end{array}",
    r"\begin{aligned} a &= b \\ [0,1] &\ni x \end{aligned}",
    r"\begin{aligned} a &= b \\[2pt] c &= d \end{aligned}",
    r"\operatorname*{arg\,max}_{\theta} \sum\limits_{i} x_i",
    r"\sqrt[3]{x} + \xrightarrow[a]{b} + \overbrace{a+b}^{n}",
    r"\left\langle x \middle| y \right\rangle \big( \Bigl[ \bigr) \left. x \right\}",
    r"\left. \frac{d}{dx} \right|_{x=0}",
    r"x'^2 + f''(x) + x_1' + \{a\} + 50\% + \$5 + \# + \& + \_",
    r"\text{dla każdego } x \in \mathbb{R},\ \text{zażółć gęślą jaźń}",
    r"a \quad b \qquad c \, d \; e \: f \! g \hspace{1em} h \mspace{3mu} i",
    r"\mathbf{W}^\top \boldsymbol{\mu} \mathfrak{g} \mathsf{x} \mathtt{y}",
    r"A \coloneqq B \implies C \iff D \mapsto E \hookrightarrow F",
    r"a \bmod b = c \pmod{n}, \quad \binom{n}{k} \tbinom{n}{k} \dbinom{n}{k}",
    r"x^\alpha y_\mathrm{in} z^\frac12 \underset{a}{b} \stackrel{def}{=}",
    "x ~ y",
    "a\nb\n",
    r"\text{\'e \"o \emph{x} \textbf{ż}}",
    r"\begin{cases} 1 & \text{if } x > 0 \\ 0 & \text{otherwise} \end{cases}",
    r"\sum_{\substack{i<n \\ j<m}} a_{ij}",
]


def messages(src, display=False):
    return [p.message for p in check_math(src, display)]


def only_problem(src, display=False):
    problems = check_math(src, display)
    assert len(problems) == 1, problems
    return problems[0]


@pytest.mark.parametrize("src", SEED_FORMULAS + MORE_VALID)
@pytest.mark.parametrize("display", [False, True])
def test_valid_formulas_pass(src, display):
    assert check_math(src, display) == []


def test_problem_type_and_api():
    problem = only_problem(r"x + \foo")
    assert problem == MathProblem("unknown command \\foo in math", 4)
    with pytest.raises(AttributeError):
        problem.offset = 1  # frozen
    assert "frac" in ALLOWED_COMMANDS and "input" not in ALLOWED_COMMANDS
    assert "cases" in ALLOWED_ENVIRONMENTS and "align" not in ALLOWED_ENVIRONMENTS


# ---------------------------------------------------------------- hostile input

HOSTILE = [
    # (source, expected message fragment, offset)
    (r"\input{/etc/passwd}", r"\input is not allowed in math: it reads files", 0),
    (r"x + \input{/etc/passwd}", r"\input is not allowed in math: it reads files", 4),
    (r"\include{secret}", "it reads files", 0),
    (r"\openin", "it reads files", 0),
    (r"a \read", "it reads files", 2),
    (r"\write18{rm -rf /}", r"\write is not allowed in math: it runs shell commands", 0),
    (r"\immediate\write", "it writes files", 0),
    (r"\openout", "it writes files", 0),
    (r"\def\x{}", r"\def is not allowed in math: it defines or redefines macros", 0),
    (r"\let\a\b", "it defines or redefines macros", 0),
    (r"\newcommand{\x}{y}", "it defines or redefines macros", 0),
    (r"\renewcommand", "it defines or redefines macros", 0),
    (r"\everymath", "it defines or redefines macros", 0),
    (r"\catcode`\^=12", "it changes how TeX reads characters", 0),
    (r"\makeatletter", "it changes how TeX reads characters", 0),
    (r"x\csname input\endcsname", r"\csname is not allowed in math", 1),
    (r"\expandafter", "TeX internals", 0),
    (r"\scantokens", "TeX internals", 0),
    (r"\jobname", "TeX internals", 0),
    (r"\special{x}", "it changes the page output", 0),
    (r"\shipout", "it changes the page output", 0),
    (r"\usepackage{x}", "it changes the document setup", 0),
    (r"\directlua{os.execute()}", "it runs shell commands", 0),
    (r"\ShellEscape{ls}", "it runs shell commands", 0),
    (r"ab\pdfshellescape", r"\pdfshellescape is not allowed in math: it is a pdfTeX primitive", 2),
    (r"\pdfprimitive", "pdfTeX primitive", 0),
    (r"\pdffilesize{/etc/passwd}", "pdfTeX primitive", 0),
    (r"\pdfstrcmp", "pdfTeX primitive", 0),
    (r"\my@macro", "internal @-commands", 0),
    (r"\ifx a b \fi", "TeX conditionals are not allowed", 0),
    (r"\begingroup", "not allowed in math", 0),
    (r"\label{eq}", r"\label is not supported on flashcards", 0),
    (r"\ref{eq}", "not supported", 0),
    ("x^^5c", "^^ character codes are not allowed", 1),
    (r"\^^5cinput", "^^ character codes are not allowed", 1),
    ("50 % of", "% starts a TeX comment and would swallow the rest of the line; "
                r"write \% for a percent sign", 3),
    ("a # b", r"write \# for a hash sign", 2),
    ("a $ b", r"write \$ for a dollar sign", 2),
    ("a & b", r"write \& for an ampersand", 2),
    ("x \\", "lone \\ at the end of the math", 2),
    ("a\x00b", "control character U+0000 is not allowed", 1),
    ("a\n\nb", "blank line inside math", 1),
    (r"\begin{eqnarray} a \end{eqnarray}", "environment {eqnarray} cannot be used inside "
                                           "math; use aligned inside $$...$$", 0),
    (r"\begin{displaymath} a \end{displaymath}", "use aligned", 0),
    (r"\begin{tabular}{c} a \end{tabular}", "unknown environment {tabular}", 0),
    (r"\begin{verbatim}", "unknown environment {verbatim}", 0),
    (r"\begin[x]", "environment name in braces", 0),
]


@pytest.mark.parametrize("src, message, offset", HOSTILE)
def test_hostile_constructs_are_refused(src, message, offset):
    problems = check_math(src)
    assert problems, src
    assert message in problems[0].message
    assert problems[0].offset == offset


BRIEF_REFUSALS = r"""input include includeonly openin read readline write immediate openout
    closein closeout catcode def edef gdef xdef let futurelet newcommand renewcommand
    providecommand DeclareRobustCommand newenvironment renewenvironment csname endcsname
    expandafter special shipout output everypar everymath everydisplay usepackage
    documentclass makeatletter begingroup jobname meaning string scantokens lowercase
    uppercase uccode lccode mathcode delcode sfcode directlua ShellEscape pdfprimitive
    pdffilesize pdfstrcmp pdfsavepos pdfshellescape""".split()


@pytest.mark.parametrize("name", BRIEF_REFUSALS)
def test_every_dangerous_primitive_is_refused_with_a_reason(name):
    problem = only_problem("x \\" + name + " y")
    assert problem.offset == 2
    assert problem.message.startswith(f"\\{name} is not allowed in math: it ")
    assert name not in ALLOWED_COMMANDS


@pytest.mark.parametrize("src", [r"\#", r"\%", r"\$", r"\&", "~", r"\_"])
def test_escaped_specials_are_fine(src):
    assert check_math(src) == []


def test_def_reports_the_def():
    assert messages(r"\def\x{}")[0].startswith(r"\def is not allowed")


def test_caret_notation_stops_further_analysis():
    # ^^ rewrites the input before TeX tokenizes it, so nothing else is trusted
    assert messages("^^5c^^5c input") == ["^^ character codes are not allowed"] * 2


# ---------------------------------------------------------------- structure

def test_unmatched_close_brace():
    assert only_problem("a}") == MathProblem("unmatched }", 1)


def test_unclosed_open_brace():
    assert only_problem("x^{2") == MathProblem("unclosed { (missing })", 2)
    assert only_problem("{{a}") == MathProblem("unclosed { (missing })", 0)


def test_several_brace_problems_sorted_by_offset():
    assert check_math("a}{") == [MathProblem("unmatched }", 1),
                                 MathProblem("unclosed { (missing })", 2)]


def test_left_without_right():
    assert only_problem(r"x \left( y") == MathProblem(r"\left has no matching \right", 2)
    assert only_problem(r"\left( \left[ x \right)").offset == 0


def test_right_without_left():
    assert only_problem(r"x \right)") == MathProblem(r"\right has no matching \left", 2)


def test_left_closed_by_brace():
    assert only_problem(r"{\left( }") == MathProblem(r"\left has no matching \right", 1)


def test_middle_outside_left_right():
    assert only_problem(r"a \middle| b").message == r"\middle must be between \left and \right"


def test_delimiter_required():
    p = only_problem(r"\left x \right)")
    assert p.offset == 0 and "must be followed by a delimiter" in p.message
    assert "delimiter" in only_problem(r"a \big").message


def test_environment_mismatch_names_both():
    p = only_problem(r"\begin{cases} a \end{matrix}")
    assert p == MathProblem(r"\end{matrix} does not match \begin{cases}", 16)


def test_environment_wrong_nesting():
    problems = check_math(r"\begin{matrix}\begin{cases}\end{matrix}\end{cases}")
    assert problems[0] == MathProblem(r"\end{matrix} does not match \begin{cases}", 27)


def test_unclosed_environment():
    assert only_problem(r"x \begin{pmatrix} a") == MathProblem(
        r"\begin{pmatrix} has no matching \end{pmatrix}", 2)


def test_end_without_begin():
    assert only_problem(r"a \end{cases}") == MathProblem(
        r"\end{cases} has no matching \begin{cases}", 2)


def test_brace_left_open_inside_environment():
    assert only_problem(r"\begin{cases} {a \end{cases}") == MathProblem(
        "unclosed { (missing })", 14)


def test_unknown_environment_suggestion():
    assert "(did you mean pmatrix?)" in only_problem(
        r"\begin{pmatirx} a \end{pmatirx}").message


def test_array_needs_column_spec():
    assert "needs an argument" in only_problem(r"\begin{array} \end{array}").message


def test_ampersand_only_directly_in_environment():
    assert check_math(r"\begin{matrix} a & b \end{matrix}") == []
    assert only_problem(r"\begin{matrix} {a & b} \end{matrix}").offset == 18


# ---------------------------------------------------------------- commands

def test_unknown_command_with_suggestion():
    assert only_problem(r"\frca{1}{2}") == MathProblem(
        r"unknown command \frca in math (did you mean \frac?)", 0)
    assert "(did you mean \\alpha?)" in only_problem(r"x + \alpah").message
    assert "did you mean" not in only_problem(r"\qwzrtx").message


def test_missing_arguments():
    assert only_problem(r"\frac{1}") == MathProblem(r"\frac needs 2 arguments", 0)
    assert only_problem(r"a + \sqrt") == MathProblem(r"\sqrt needs 1 argument", 4)
    assert only_problem(r"\begin{cases} \frac{1} \\ \end{cases}").offset == 14


def test_scripts():
    assert only_problem("x^2^3") == MathProblem(
        "double superscript: use braces, e.g. x^{a b} or {x^a}^b", 3)
    assert "double subscript" in only_problem("x_a_b").message
    assert "double superscript" in only_problem("x^a_b^c").message
    assert only_problem("x^2'").offset == 3
    assert only_problem("x^") == MathProblem("^ needs something after it", 1)
    assert only_problem(r"x_\sum") == MathProblem(r"_ needs braces here: write _{\sum}", 1)
    assert "write ^{\\hat{...}}" in only_problem(r"x^\hat{y}").message
    assert check_math("{x^a}^b") == []
    assert only_problem("x' ^2").offset == 3  # a space ends the run of primes
    assert check_math(r"x_\mathrm{in}^2 + y^\frac12_3") == []
    assert only_problem(r"x^\frac12^3").offset == 9  # \frac takes 1 and 2 along


def test_text_mode_rules():
    assert "only works in math" in only_problem(r"\text{\alpha}").message
    assert only_problem(r"\text{a^2}").offset == 7
    assert "\\_" in only_problem(r"\text{a_b}").message
    assert only_problem(r"\'e") == MathProblem("\\' only works inside \\text{...}", 0)
    assert check_math(r"\text{a \ensuremath{\alpha^2} b}") == []
    assert only_problem(r'\text{"a}').offset == 6  # babel-polish shorthand
    assert check_math(r'x\text{„a” \"o}') == []
    assert only_problem('x"').offset == 1


def test_tag_and_split_need_display():
    assert "display math" in only_problem(r"x \tag{1}").message
    assert check_math(r"x \tag{1}", display=True) == []
    assert only_problem(r"\begin{aligned} x \tag{1} \end{aligned}", display=True).offset == 18
    assert "only one" in only_problem(r"x \tag{1} \tag{2}", display=True).message
    assert "in braces" in only_problem(r"x \tag 1", display=True).message
    split = r"\begin{split} a &= b \\ &= c \end{split}"
    assert check_math(split, display=True) == []
    assert "use aligned" in only_problem(split).message


def test_column_limits():
    assert check_math(r"\begin{cases} a & b \\ c & d \end{cases}") == []
    assert only_problem(r"\begin{cases} a & b & c \end{cases}") == MathProblem(
        "too many & in one row of {cases} (it has at most 2 columns)", 20)
    assert only_problem(r"\begin{array}{cc} a & b & c \end{array}").offset == 24
    assert check_math(r"\begin{aligned} a &= b & c &= d \end{aligned}") == []


def test_environment_arguments():
    assert check_math(r"\begin{array}[t]{c|p{2cm}} a & b \end{array}") == []
    assert only_problem(r"\begin{array}{xyz} a \end{array}").message == \
        r"\begin{array} needs an argument like {cc}"
    assert "like {2}" in only_problem(r"\begin{alignedat}{x} a \end{alignedat}").message


def test_limits_must_follow_an_operator():
    for ok in [r"\sum\limits_i", r"\int_0^1\nolimits", r"\mathop{x}\limits^a",
               r"\operatorname*{argmax}\limits_x"]:
        assert check_math(ok) == [], ok
    assert only_problem(r"x\limits") == MathProblem(
        r"\limits must follow an operator such as \sum or \int", 1)
    assert only_problem(r"{x}\limits").offset == 3


def test_unbraced_arguments_that_tex_cannot_take():
    assert check_math(r"\frac12 \sqrt2 \frac\alpha\beta \hat x") == []
    assert only_problem(r"\sqrt\dots") == MathProblem(
        r"\sqrt needs braces around its argument here: \sqrt{...}", 0)
    assert only_problem(r"\boxed\frac12").offset == 0
    assert only_problem(r"\text\alpha").offset == 0


def test_blackboard_and_calligraphic_need_capitals():
    assert check_math(r"\mathbb{R}^n \mathcal{L}") == []
    assert only_problem(r"\mathbb{1}") == MathProblem(r"\mathbb only has capital letters A-Z; for a bold 1 "
                                                       r"(indicator) write \mathbf{1}", 0)


def test_spacing_arguments():
    assert "spacing like [2pt]" in only_problem(r"\begin{aligned} a \\[b] \end{aligned}").message
    assert only_problem(r"x \hspace{wide}") == MathProblem(
        r"\hspace needs a length such as {1em}", 2)


# ---------------------------------------------------------------- unicode

def test_mapped_unicode_is_accepted_and_normalized():
    assert check_math("μx ≤ σ² · π") == []
    assert normalize_math("μx") == r"\mu x"
    assert normalize_math("a ≤ b") == r"a \le b"
    assert normalize_math("μ+ν") == r"\mu+\nu"
    assert normalize_math("x²") == "x^{2}"
    assert normalize_math("x ∈ ℝ") == r"x \in \mathbb{R}"
    assert normalize_math("a−b") == "a-b"
    assert normalize_math(r"\alpha μ") == r"\alpha \mu"


def test_unmapped_unicode_is_flagged_outside_text():
    assert only_problem("x + ś") == MathProblem(
        "character ś cannot appear in math; put words in \\text{...}", 4)
    # \mathrm uses the math fonts, which silently drop Polish letters
    assert only_problem(r"n_{\mathrm{wejście}}").offset == 14


def test_text_keeps_polish_and_wraps_math_symbols():
    src = r"\text{zażółć μ ≤ ×} μ"
    assert check_math(src) == []
    assert normalize_math(src) == r"\text{zażółć \ensuremath{\mu} \ensuremath{\le} ×} \mu"
    assert "not supported" in only_problem("\\text{a \u4e2d}").message


def test_script_rules_apply_to_unicode_replacements():
    assert "double superscript" in only_problem("x^2²").message
    assert only_problem("x^°").offset == 1  # would become x^^{\circ}


def test_line_col():
    src = "a\nbc\\foo"
    assert line_col(src, 0) == (0, 1)
    assert line_col(src, 2) == (1, 1)
    assert line_col(src, 4) == (1, 3)
    assert line_col(src, 99) == (1, 7)


def test_too_long():
    assert "too long" in only_problem("x" * 10_001).message


# ---------------------------------------------------------------- properties

ZERO_ARITY = sorted(GREEK | SYMBOLS | BIG_OPERATORS | {"{", "}", "|", ",", ";", "quad"})
ARG_COMMANDS = sorted(name for name, n in ARITY.items()
                      if len(name) > 1 and name not in {"text", "textrm", "textbf", "textit", "textsf",
                                      "texttt", "textnormal", "textup", "textmd",
                                      "textsc", "emph", "mbox", "tag", "hspace",
                                      "mspace", "not", "mathbb", "mathcal", "mathscr"} and name not in COPIES)
# environment -> (argument, most columns per row)
ENVS = {"matrix": ("", 3), "pmatrix": ("", 3), "bmatrix": ("", 3), "Bmatrix": ("", 3),
        "vmatrix": ("", 3), "Vmatrix": ("", 3), "smallmatrix": ("", 3),
        "cases": ("", 2), "dcases": ("", 2), "rcases": ("", 2), "aligned": ("", 3),
        "gathered": ("", 1), "alignedat": ("{2}", 3), "array": ("{c|c}", 2)}

atoms = st.one_of(
    st.sampled_from(list("abcxyzXYZ0123456789+-=()<>,./|[]!?:;*")),
    st.sampled_from(ZERO_ARITY).map(lambda n: "\\" + n + " "),
    st.sampled_from(["\\text{ dla każdego }", "\\mathrm{in}", "\\,", "\\ "]),
    # Commands TeX sets several times over, nested at most twice (their budget has its own test).
    st.tuples(st.sampled_from(sorted(c for c in COPIES if not c.startswith(("text", "emph")))),
              st.sampled_from(sorted(COPIES)))
    .map(lambda t: f"\\{t[0]}{{\\{t[1]}{{x}}}}"),
)


def _extend(inner):
    def command(args):
        name, parts = args
        return "\\" + name + "".join("{" + p + "}" for p in parts[:ARITY[name]])

    def environment(args):
        (env, (spec, columns)), rows = args
        cells = [" & ".join(row[:columns]) for row in rows]
        # A row starting with [ right after \\ would be read as a spacing like [2pt] (refused):
        # valid LaTeX puts {} between them.
        body = " \\\\ ".join("{}" + c if c.lstrip().startswith("[") else c for c in cells)
        return f"\\begin{{{env}}}{spec} {body} \\end{{{env}}}"

    seq = st.lists(inner, max_size=4).map(" ".join)
    return st.one_of(
        seq.map(lambda s: "{" + s + "}"),
        st.tuples(st.sampled_from(ARG_COMMANDS), st.lists(seq, min_size=2, max_size=2))
        .map(command),
        st.tuples(atoms, seq, seq).map(lambda t: f"{t[0]}_{{{t[1]}}}^{{{t[2]}}}"),
        seq.map(lambda s: f"\\left( {s} \\right)"),
        st.tuples(st.sampled_from(sorted(ENVS.items())),
                  st.lists(st.lists(seq, min_size=1, max_size=3), min_size=1, max_size=3))
        .map(environment),
    )


formulas = st.lists(st.recursive(atoms, _extend, max_leaves=12), max_size=5).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(formulas)
def test_generated_valid_formulas_pass(src):
    assert check_math(src) == [], src
    assert check_math(src, display=True) == []
    assert normalize_math(src) == src
    assert _normalize_scanned(src) == src  # ASCII skips the scan: the scan must agree


noisy = st.lists(st.sampled_from(
    list("\\{}[]^_$%#&'~ \nax1μ²ąś\x00") + [r"\left", r"\right", r"\middle", r"\frac",
    r"\begin{cases}", r"\end{cases}", r"\text", r"\input", r"\\", r"\sqrt", "^^",
    r"\begin", r"\end", r"\tag", r"\hspace", "{1em}", "[2pt]", r"\alpha", r"\big"]),
    max_size=40).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), noisy), st.booleans())
def test_never_raises(src, display):
    problems = check_math(src, display)
    for p in problems:
        assert isinstance(p, MathProblem)
        assert 0 <= p.offset <= len(src)
        assert p.message and "\n" not in p.message
    assert problems == sorted(problems, key=lambda p: p.offset)
    normalize_math(src)
    line_col(src, len(src))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(sorted(MATH_UNICODE) + list("xy1 ^_{}+")
                                + [r"\text{", "}", r"\alpha"]), max_size=15).map("".join))
def test_normalized_output_is_still_valid(src):
    if check_math(src) == []:
        out = normalize_math(src)
        assert check_math(out) == [], (src, out)
        assert "^^" not in out
        assert all(ord(c) < 128 or c in out for c in src if c not in MATH_UNICODE)


def test_line_break_outside_an_environment_is_refused():
    # TeX stops with "There's no line here to end"; inside aligned/cases/substack it is fine.
    problems = check_math(r"a \\ b")
    assert len(problems) == 1 and "only breaks lines inside environments" in problems[0].message
    assert problems[0].offset == 2
    assert check_math(r"\begin{aligned}a &= b\\c &= d\end{aligned}") == []
    assert check_math(r"\sum_{\substack{i<n\\j<m}} x_{ij}") == []



# ---------------------------------------------------------------- what passed and still failed in TeX
# (each failing formula below was accepted before, and stopped pdflatex or ran it for minutes)


def test_braces_nested_beyond_texs_grouping_levels_are_refused():
    assert check_math("{" * 50 + "x" + "}" * 50) == []
    assert only_problem("{" * 300 + "x" + "}" * 300) == MathProblem(
        r"braces, \left…\right and environments nested more than 50 deep", 50)
    deep = "{" * 30 + r"\begin{aligned}" * 21 + "x" + r"\end{aligned}" * 21 + "}" * 30
    assert "nested more than 50 deep" in only_problem(deep).message


def test_line_break_counts_only_directly_in_a_row_or_substack():
    assert check_math(r"\sum_{\substack{i<n \\ j<m}} a_{ij}") == []
    # "substack" elsewhere in the formula no longer excuses a \\ outside any environment
    assert "only breaks lines inside environments" in only_problem(r"a \\ b + \substack{x}").message
    for inside in (r"\begin{aligned} {a \\ b} \end{aligned}",
                   r"\begin{aligned} \left( a \\ b \right) \end{aligned}",
                   r"\begin{cases} \text{a \\ b} & x \end{cases}",
                   r"\sum_{\substack{{a \\ b}}} x"):
        assert "must stand in the row itself" in only_problem(inside).message, inside


def test_an_optional_argument_holding_a_bracket_needs_braces():
    problem = only_problem(r"\sqrt[\sqrt[3]{2}]{x}")
    assert problem.offset == 11 and "put braces around the argument" in problem.message
    assert check_math(r"\sqrt[{\sqrt[3]{2}}]{x} + \xrightarrow[{[a]}]{b}") == []


@pytest.mark.parametrize("src, offset", [
    (r"x \hspace{99999pt} y", 2), (r"x\hspace{-150pt}", 1), (r"\mspace{-40mu}", 0),
    (r"\begin{aligned} a \\[-150pt] b \end{aligned}", 18), (r"\begin{aligned} a \\[12cm] b \end{aligned}", 18),
])
def test_spacing_beyond_what_a_card_uses_is_refused(src, offset):
    problem = only_problem(src)
    assert problem.offset == offset and "a spacing in a formula is between -2em and 30em" in problem.message


def test_spacing_a_formula_uses_passes():
    assert check_math(r"a \! b \hspace{-1em} c \hspace{2cm} d \mspace{-18mu} \hspace{-20pt} e") == []
    assert check_math(r"\begin{aligned} a \\[-1ex] b \\[10mm] c \end{aligned}") == []


def test_nested_commands_tex_sets_several_times_over_are_bounded():
    def nest(command: str, n: int) -> str:
        return f"\\{command}{{" * n + "x" + "}" * n

    assert check_math(nest("phantom", 6)) == [] and check_math(nest("text{\\ensuremath", 6) + "}" * 6) == []
    problem = only_problem(nest("phantom", 13))
    assert problem.offset == len(r"\phantom{") * 6
    assert problem.message == (r"\phantom is nested too deeply in commands TeX sets several times over "
                               r"(\text, \phantom, \smash, \boldsymbol …): 16384 copies, at most 4096")
    assert "65536 copies" in only_problem(nest("pmb", 4)).message
    assert check_math(nest("pmb", 3)) == []
    # In text mode \textbf is a font switch; siblings do not multiply, only nesting does.
    assert check_math(r"\text{" + r"\textbf{" * 10 + "x" + "}" * 11) == []
    assert check_math(" ".join([nest("phantom", 6)] * 12)) == []
    assert "copies" in only_problem(r"\sqrt[{\phantom{\phantom{\phantom{\phantom{\phantom{\phantom{x}}}}}}}]{y}").message


def test_array_columns_are_counted_with_their_repeats():
    assert only_problem(r"\begin{array}{*{2000000000}{c}} a \end{array}").message == \
        r"\begin{array} declares 2000000000 columns, at most 100"
    assert check_math(r"\begin{array}{*{3}{c}|l} a & b & c & d \end{array}") == []
    assert "too many &" in only_problem(r"\begin{array}{*{2}{c}} a & b & c \end{array}").message


def test_formula_lines_rows_and_total_spacing_are_bounded():
    assert check_math("x" * 1000) == []
    assert only_problem("x" * 1001).message.startswith("this line of the formula is 1001 characters long, at most 1000")
    rows = r"\begin{aligned}" + "x" * 900 + r"\\" + "x" * 900 + r"\end{aligned}"
    assert check_math(rows) == []
    assert check_math(r"\begin{aligned}" + r"x\\" * 199 + r"x\end{aligned}") == []  # 200 lines
    assert only_problem(r"\begin{aligned}" + r"x\\" * 200 + r"x\end{aligned}").message == \
        "the formula has more than 200 lines"
    assert check_math(r"\begin{aligned}" + r"x\\[20em]" * 5 + r"\end{aligned}") == []
    assert only_problem(r"\begin{aligned}" + r"x\\[30em]" * 4 + r"\end{aligned}").message == \
        "the spacings of this formula add up to more than 100em"


# ---------------------------------------------------------------- what students write

def said(src, display=False) -> str:
    return " | ".join(messages(src, display))


@pytest.mark.parametrize("src, inner", [
    (r"\begin{align} a &= b \\ c &= d \end{align}", r"\begin{aligned} a &= b \\ c &= d \end{aligned}"),
    (r"\begin{align*}a&=b\end{align*}", r"\begin{aligned}a&=b\end{aligned}"),
    (r"\begin{gather*} a \\ b \end{gather*}", r"\begin{gathered} a \\ b \end{gathered}"),
    (r"\begin{alignat}{2} a &= b & c &= d \end{alignat}", r"\begin{alignedat}{2} a &= b & c &= d \end{alignedat}"),
    (r"\begin{multline} a \\ b \end{multline}", r"\begin{multlined} a \\ b \end{multlined}"),
    (r"\begin{equation} E = mc^2 \tag{1} \end{equation}", r"  E = mc^2 \tag{1}  "),
    (r"\alpha\begin{equation*}\begin{split} a &= b\end{split}\end{equation*}",
     r"\alpha \begin{split} a &= b\end{split} "),
])
def test_display_environments_inside_display_math_become_their_inner_forms(src, inner):
    assert check_math(src, display=True) == []
    assert normalize_math(src) == inner
    assert check_math(inner, display=True) == []


@pytest.mark.parametrize("src, message", [
    (r"\begin{gather} a & b \end{gather}", "too many & in one row of {gather}"),
    (r"\begin{equation} a \\ b \end{equation}", "only breaks lines inside environments"),
    (r"\begin{align} a \tag{1} \end{align}", "\\tag only works at the top level"),
    (r"\begin{align} \begin{split} a \end{split} \end{align}", "split only works at the top level"),
    (r"\begin{align} a \end{aligned}", "\\end{aligned} does not match \\begin{align}"),
    (r"\begin{eqnarray} a \end{eqnarray}", "cannot be used inside math"),
])
def test_inner_forms_keep_their_rules(src, message):
    assert message in said(src, display=True)


def test_course_notes_commands_are_allowed():
    for src in (r"\bm{x}^\top \bm{\theta}", r"\cancel{x} \bcancel{y} \xcancel{z} \cancelto{0}{x}",
                r"\mathscr{L}", r"\operatorname*{arg\,max}_x f", r"\boldsymbol{\mu} \tfrac12 \dfrac{a}{b}",
                r"\overset{!}{=} \underbrace{a+b}_{\text{sum}} \xrightarrow{f}",
                r"\begin{array}{c|c} \hline a & b \\ \hline c & d \\[2pt] \hline \end{array}"):
        assert check_math(src, display=True) == [], src
    assert "only has capital letters" in said(r"\mathscr{l}")
    assert "\\hline only works at the start of a row" in said(r"\hline x")
    assert "\\hline only works at the start of a row" in said(r"\begin{array}{cc} a & \hline b \end{array}")


@pytest.mark.parametrize("src, hint", [(r"\argmax_x f", r"\operatorname*{arg\,max}"), (r"\R^n", r"\mathbb{R}"),
                                       (r"{n \choose k}", r"\binom{n}{k}"), (r"\intertext{so}", "end the display")])
def test_unknown_commands_from_other_packages_say_what_to_write(src, hint):
    assert f"write {hint}" in said(src) or f"({hint}" in said(src)
