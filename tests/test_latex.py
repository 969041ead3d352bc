"""escape_text: the exact LaTeX for every special character, and a real compile that gives them back.

Golden strings pin what we send to TeX; the compiled PDF, read back with pypdf, proves that TeX
typesets exactly the characters the deck held (no ligatures, no babel shorthands, no lost text).
"""
from __future__ import annotations

import io
import re
import unicodedata

import pytest
from pypdf import PdfReader

from builder.latex import _TEXT_RANGES, environment, escape_text, latex
from builder.mathcheck import MATH_UNICODE
from builder.tex.run import run_pdflatex

SPECIALS = {
    "#": r"\#",
    "$": r"\$",
    "%": r"\%",
    "&": r"\&",
    "~": r"\textasciitilde{}",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    '"': r"\textquotedbl{}",
    "'": r"\textquotesingle{}",
    "`": r"\textasciigrave{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    "[": "{[}",
    "]": "{]}",
    "-": "{-}",
    "\u00a0": "~",
}
POLISH = "ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ"
# Sequences T1 fonts or babel would turn into something else if passed through.
LIGATURES = ["--", "---", ",,", "<<", ">>", "!`", "?`", "''", "``", '""', "\\\\"]
IN_MATH = {"μ": r"\ensuremath{\mu}", "σ": r"\ensuremath{\sigma}", "≤": r"\ensuremath{\le}",
           "∞": r"\ensuremath{\infty}", "∑": r"\ensuremath{\sum}"}


@pytest.mark.parametrize("char, expected", SPECIALS.items(), ids=[f"U+{ord(c):04X}" for c in SPECIALS])
def test_special_character_golden(char: str, expected: str):
    assert escape_text(char) == expected
    assert escape_text(f"a{char}b") == f"a{expected}b"


def test_polish_letters_pass_through_unchanged():
    assert escape_text(POLISH) == POLISH


def test_ligature_pairs_are_broken_up():
    assert escape_text("--") == "{-}{-}"
    assert escape_text(",,") == ",{},"
    assert escape_text("a,,,b, c") == "a,{},{},b, c"
    assert escape_text("<<") == r"\textless{}\textless{}"


def test_greek_and_math_symbols_in_text_become_math():
    for char, expected in IN_MATH.items():
        assert escape_text(char) == expected
    # One mechanism for text and math: the same table as mathcheck's.
    assert escape_text("α≈β") == r"\ensuremath{\alpha}\ensuremath{\approx}\ensuremath{\beta}"


def test_unprintable_characters_become_placeholders_and_are_reported():
    seen: list[str] = []
    assert escape_text("ok 😀 中 Ŧ", seen.append) == r"ok \fzmissing{U+1F600} \fzmissing{U+4E2D} \fzmissing{U+0166}"
    assert seen == ["😀", "中", "Ŧ"]


def test_one_placeholder_and_one_report_per_character_as_the_reader_sees_it():
    seen: list[str] = []
    text = "👍🏽 👨\u200d👩\u200d👧 ❤\ufe0f 🇵🇱 ©\ufe0f"
    assert escape_text(text, seen.append) == (r"\fzmissing{U+1F44D} \fzmissing{U+1F468} \fzmissing{U+2764} "
                                               r"\fzmissing{U+1F1F5} ©")
    assert seen == ["👍🏽", "👨\u200d👩\u200d👧", "❤\ufe0f", "🇵🇱"]  # © prints: its selector is dropped


def test_invisible_controls_vanish_and_line_ends_are_spaces():
    assert escape_text("a\u200bb\x07c\ufeffd") == "abcd"
    assert escape_text("a\nb\r\nc\td") == "a b  c d"
    assert escape_text("a\u2003b\u3000c") == "a b c"  # other spaces are spaces, not placeholders
    assert escape_text("e\u0301") == "é"  # NFC: a combining accent joins its letter


def test_template_values_are_escaped_unless_marked_latex():
    template = environment().from_string("((= plain =))|((= raw =))")
    assert template.render(plain="50% of $5 & #1", raw=latex(r"\textbf{x}")) == r"50\% of \$5 \& \#1|\textbf{x}"


# --- a real compile -----------------------------------------------------------------------------


def _document(body: str) -> str:
    preamble = environment().get_template("preamble.tex.j2").render(language="polish", title="t", version="0")
    return preamble + "\\begin{document}\n\\raggedright\n" + body + "\n\\end{document}\n"


def _text_safe_chars() -> list[str]:
    return [chr(c) for lo, hi in _TEXT_RANGES for c in range(lo, hi + 1)]


def _special_probe(c: str) -> str:
    """The character between letters, before the letters babel-polish shorthands use ("a → ą),
    doubled, and at both ends."""
    return f"{c}a{c}b {c}a{c}l{c}z{c}< {c}{c}x{c}"


@pytest.fixture(scope="module")
def compiled() -> tuple[dict[str, str], str, list[str]]:
    """One PDF: every probe between markers, then every character escape_text lets through or
    maps to math (a character LaTeX does not know would stop the compile)."""
    probes = {f"special-{ord(c):04X}": _special_probe(c) for c in SPECIALS}
    probes |= {f"lig-{i}": f"a{s}b" for i, s in enumerate(LIGATURES)}
    probes["polish"] = POLISH
    probes |= {f"math-{ord(c):04X}": f"a{c}b" for c in IN_MATH}
    probes["placeholder"] = "a😀b"
    body = "\n".join(f"\\noindent Q{i}Q{escape_text(text)}QE\\par" for i, text in enumerate(probes.values()))
    everything = _text_safe_chars() + list(MATH_UNICODE)
    body += "\n\\newpage\n" + " ".join(escape_text(c) for c in everything)
    result = run_pdflatex(_document(body), jobname="escape")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(result.pdf)).pages)
    found = dict(re.findall(r"Q(\d+)Q(.*?)QE", text, re.S))
    back = {name: found.get(str(i)) for i, name in enumerate(probes)}
    missing = [line for line in result.log.splitlines() if "Missing character" in line]
    return back, text, missing


def _same(typed: str, extracted: str | None) -> bool:
    """pypdf reads a tie as a space, ² as 2 and so on: compare NFKC forms, whitespace collapsed."""
    def norm(s: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", s).split())
    return extracted is not None and norm(typed) == norm(extracted)


@pytest.mark.tex
@pytest.mark.parametrize("char", SPECIALS, ids=[f"U+{ord(c):04X}" for c in SPECIALS])
def test_special_character_comes_back_from_the_pdf(compiled, char: str):
    back, _, _ = compiled
    got = back[f"special-{ord(char):04X}"]
    assert _same(_special_probe(char), got), got


@pytest.mark.tex
def test_ligature_pairs_come_back_as_typed(compiled):
    back, _, _ = compiled
    for i, seq in enumerate(LIGATURES):
        assert back[f"lig-{i}"] == f"a{seq}b"


@pytest.mark.tex
def test_polish_letters_come_back_from_the_pdf(compiled):
    back, _, _ = compiled
    assert back["polish"] == POLISH


@pytest.mark.tex
def test_math_symbols_in_text_come_back(compiled):
    back, _, _ = compiled
    for char in IN_MATH:
        assert _same(f"a{char}b", back[f"math-{ord(char):04X}"]), char


@pytest.mark.tex
def test_placeholder_names_the_code_point_in_the_pdf(compiled):
    back, _, _ = compiled
    assert "".join(back["placeholder"].split()) == "aU+1F600b"  # the box's edge reads as a space


@pytest.mark.tex
def test_every_character_let_through_compiles_with_a_glyph(compiled):
    """The text-safe table must match LaTeX: a code point it wrongly lets through stops pdflatex
    (the fixture would fail) or prints nothing (a 'Missing character' line in the log)."""
    _, _, missing = compiled
    assert missing == []
