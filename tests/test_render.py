"""Markdown → LaTeX: what each construct becomes, one real build of all of them read back from
the PDF, images and their refusals, deck line numbers in messages, and random text that must
always build and come back out of the PDF."""
from __future__ import annotations

import io
import re
import struct
import tempfile
import unicodedata
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from builder.pipeline import build_deck
from builder.mathcheck import MATH_UNICODE
from builder.markdown import parser
from builder.render import RenderContext, render_blocks
from tests.conftest import run_fiszki


def render(markdown: str, deck_dir: Path = Path(".")) -> tuple[str, RenderContext]:
    ctx = RenderContext(deck_dir=deck_dir, display="deck.md")
    return render_blocks(ctx, parser().parse(markdown)), ctx


def messages(problems) -> str:
    return "\n".join(str(p) for p in problems)


def png(width: int = 24, height: int = 12) -> bytes:
    """A valid RGB PNG, written by hand (no imaging library needed)."""
    rows = b"".join(b"\x00" + b"".join(bytes((x * 10 % 256, y * 20 % 256, 128)) for x in range(width))
                    for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


# --- each construct's LaTeX ---------------------------------------------------------------------


def test_paragraphs_emphasis_and_inline_code():
    tex, ctx = render("Jeden **gruby** i *pochyły* oraz `a_b  c`.\n\nDrugi akapit.")
    assert "Jeden \\textbf{gruby} i \\emph{pochyły} oraz \\fzcodeinline{a\\_b\\ \\ c}.\\par" in tex
    assert tex.endswith("Drugi akapit.\\par\n")
    assert not ctx.problems and not ctx.warnings


def test_fenced_code_keeps_lines_spaces_tabs_and_blank_lines():
    tex, _ = render("```python\ndef f(x):\n\treturn x  # 50%\n\nkoniec\n```")
    body = tex.split("\\begin{fzcode}\n")[1].split("\n\\end{fzcode}")[0]
    assert body.split("\\par\n") == [
        "def\\ f(x):", "\\ \\ \\ \\ return\\ x\\ \\ \\#\\ 50\\%", "\\mbox{}", "koniec"]


def test_nested_bullet_and_numbered_lists():
    tex, _ = render("- a\n  - b\n    1. c\n    2. d\n- e")
    assert tex.count("\\begin{fzitemize}") == 2 and tex.count("\\begin{fzenumerate}\n") == 1
    order = [tex.index(f"\\item {w}") for w in "abcde"]
    assert order == sorted(order)
    assert tex.index("\\end{fzenumerate}") < tex.index("\\item e")
    tex, _ = render("3. trzy\n4. cztery")
    assert tex == "\\begin{fzenumerate}[start=3]\n\\item trzy\n\\item cztery\n\\end{fzenumerate}\n"


def test_lists_deeper_than_latex_allows_are_flattened_with_a_warning():
    deep = "".join("  " * i + f"- level{i}\n" for i in range(6))
    tex, ctx = render(deep)
    assert tex.count("\\begin{fzitemize}") == 4
    assert all(f"level{i}" in tex for i in range(6))
    assert "nested deeper than 4 levels" in messages(ctx.warnings)


def test_math_inline_display_and_bracket_forms():
    tex, ctx = render("Wzór $x^2$ i \\(a+b\\) w tekście.\n\n$$\n\\sum_i x_i\n$$\n\n\\[\n- y\n\\]\n\nA \\[z\\] w linii.")
    assert "Wzór $x^2$ i $a+b$ w tekście." in tex
    assert "\\[\\sum_i x_i\\]" in tex
    assert "\\[- y\\]" in tex and "fzitemize" not in tex  # \[ … \] lines are math, not a list
    assert "A \\[z\\] w linii." in tex
    assert not ctx.problems


def test_unicode_in_math_becomes_macros():
    tex, ctx = render("$α ≤ β$")
    assert not ctx.problems and "\\alpha" in tex and "\\le" in tex and "\\beta" in tex


def test_escaped_parenthesis_without_closer_is_plain_text():
    tex, ctx = render("f\\(x bez końca oraz \\[ też\n\nukośnik \\\\(y\\) to nie wzór")
    assert tex == "f(x bez końca oraz {[} też\\par\nukośnik \\textbackslash{}(y) to nie wzór\\par\n"
    assert not ctx.problems


def test_lone_dollars_are_prices():
    tex, ctx = render("kosztuje $5 i $10, a $ samotny")
    assert tex == "kosztuje \\$5 i \\$10, a \\$ samotny\\par\n"
    assert not ctx.problems and not ctx.warnings


def test_unclosed_display_math_stays_visible_with_a_warning():
    tex, ctx = render("$$\nx\n\ny\n$$")
    assert tex.count("\\$\\$") == 2 and "x" in tex and "y" in tex
    assert "'$$' without its partner" in messages(ctx.warnings)


def test_table_alignment_header_and_rules():
    tex, _ = render("| A | B | C |\n|:--|:-:|--:|\n| 1 | $x$ | 50% |")
    assert "\\begin{fztable}{lcr}" in tex
    assert "\\textbf{A} & \\textbf{B} & \\textbf{C} \\\\\n\\midrule\n1 & $x$ & 50\\% \\\\" in tex


def test_wide_table_wraps_its_long_columns():
    tex, _ = render("| id | opis |\n|---|---|\n| 1 | bardzo długi opis, który nie zmieści się w jednej linii karty |")
    assert "\\begin{fztablewrap}{lX}" in tex


def test_table_cells_beyond_the_header_are_kept():
    tex, ctx = render("| a | b |\n|---|---|\n| 1 | 2 | **3** | 4 \\| 5 |")
    assert "1 & 2 & \\textbf{3} & 4 \\textbar{} 5 \\\\" in tex
    assert "more cell(s) than the header" in messages(ctx.warnings)


def test_display_math_in_a_table_cell_is_inline_display_style():
    tex, ctx = render("| a |\n|---|\n| $$\\sum x$$ |")
    assert "$\\displaystyle \\sum x$" in tex and "\\[" not in tex


def test_links_keep_the_address_small_and_autolinks_once():
    tex, _ = render("[strona **kursu**](https://ex.pl/a_b) i <https://ex.pl/c>")
    assert tex.startswith("{strona \\textbf{kursu}}\\fzurl{h")
    assert "a\\_\\allowbreak{}b" in tex
    assert tex.count("ex.pl/c") == 0 and tex.count("\\fzcodeinline{h") == 1  # shown once, breakable


def test_quote_and_rule():
    tex, _ = render("> cytat **ważny**\n\n---\n\npo")
    assert "\\begin{fzquote}\ncytat \\textbf{ważny}\\par\n\\end{fzquote}\n\\fzrule\npo\\par" in tex


def test_unsupported_markdown_stays_as_typed_with_warnings():
    tex, ctx = render("tekst\n<span>html</span> i ~~skreślone~~")
    assert "\\textless{}span\\textgreater{}html\\textless{}/span\\textgreater{}" in tex
    assert "\\textasciitilde{}\\textasciitilde{}skreślone\\textasciitilde{}\\textasciitilde{}" in tex
    warned = messages(ctx.warnings)
    assert "deck.md:2: raw HTML (<span>)" in warned and "deck.md:2: strikethrough" in warned


# --- what notes pasted from other apps hold -------------------------------------------------------


def test_simple_inline_html_is_converted():
    tex, ctx = render("<b>gruby *i*</b> a<br>b<BR/>c H<sub>2</sub>O x<sup>2</sup> <i>kursywa</i> <u>ważne</u>")
    assert tex == ("\\textbf{gruby \\emph{i}} a\\newline b\\newline c H\\textsubscript{2}O "
                   "x\\textsuperscript{2} \\emph{kursywa} \\underline{ważne}\\par\n")
    assert not ctx.warnings
    tex, _ = render("| a |\n|---|\n| x<br>y |")  # a table cell holds no line break
    assert "x y" in tex and "newline" not in tex


def test_html_that_does_not_pair_up_warns_and_stays_balanced():
    tex, ctx = render('</b> x <i>otwarte\n<b class="x">z</b>')
    assert tex.count("{") == tex.count("}") and "\\emph{otwarte" in tex
    warned = messages(ctx.warnings)
    assert "deck.md:1: </b> closes no <b>; shown as typed" in warned
    assert "<i> without </i>" in warned and 'raw HTML (<b class="x">)' in warned


@pytest.mark.parametrize("source, hint", [
    ("| a | b |\n| 1 | 2 |", "add a line like | --- | --- |"),
    ("| a | b |\n|---|\n| 1 | 2 |", "the header row has 2 cells but the line under it has 1"),
    ("| a | b |\n|—|—|\n| 1 | 2 |", "plain hyphens"),
    ("| a | b |\n| 1 | 2 |\n|---|", "right under the header row"),
])
def test_a_table_the_parser_cannot_read_warns_with_its_line_and_a_hint(source, hint):
    tex, ctx = render("Tekst.\n\n" + source)
    assert "\\textbar{}" in tex  # shown as typed
    warned = messages(ctx.warnings)
    assert "deck.md:3: these lines look like a table but are not read as one" in warned and hint in warned
    tex, ctx = render("a | b to nie tabela\n\n| a |\n|---|\n| 1 |")
    assert not ctx.warnings


@pytest.mark.parametrize("source, math", [("$ x^2 $", "$x^2$"), ("$ \\alpha$", "$\\alpha$"), ("$x_1 $", "$x_1$"),
                                          ("$ x $", "$x$"), ("$ a + b $", "$a + b$")])
def test_math_with_spaces_inside_its_dollars_is_math(source, math):
    tex, ctx = render(f"wzór {source} w tekście")
    assert tex == f"wzór {math} w tekście\\par\n" and not ctx.warnings


@pytest.mark.parametrize("source", ["$5 and $10", "costs $ 10 and $ 20", "a $ b $5", "from $ 3 to $ 4"])
def test_prices_stay_text(source):
    tex, _ = render(source)
    assert "$" not in tex.replace("\\$", "")


def test_anki_cloze_markup_warns_with_a_hint():
    tex, ctx = render("Stolica to {{c1::Warszawa}}.")
    assert "\\{\\{c1::Warszawa\\}\\}" in tex
    warned = messages(ctx.warnings)
    assert "deck.md:1: Anki cloze markup ({{c1::…}}) is shown as typed" in warned and "hint:" in warned


def test_an_emoji_is_one_warning_however_many_code_points():
    _, ctx = render("rodzina 👨\u200d👩\u200d👧, kciuk 👍🏽, serce ❤\ufe0f, ©\ufe0f")
    warned = [w.message for w in ctx.warnings]
    assert len(warned) == 3, warned
    assert "(U+1F468 U+200D U+1F469 U+200D U+1F467)" in warned[0] and "(U+1F44D U+1F3FD)" in warned[1]
    assert not any("FE0F" in w and "2764" not in w for w in warned)


def test_long_words_may_break_and_short_ones_not():
    tex, _ = render("krótkie " + "x" * 30)
    assert tex.startswith("krótkie x\\fzbreak{}x")
    tex, _ = render("najprawdopodobniej")
    assert "fzbreak" not in tex


def test_images_are_copied_under_a_content_name(tmp_path: Path):
    (tmp_path / "fig").mkdir()
    (tmp_path / "fig" / "wykres ż.png").write_bytes(png())
    tex, ctx = render("![wykres](<fig/wykres ż.png>)", tmp_path)
    (name,) = ctx.images
    assert re.fullmatch(r"img-[0-9a-f]{16}\.png", name) and ctx.images[name] == png()
    assert tex == f"\\fzimage{{{name}}}\\par\n"


def test_a_line_break_after_an_image_is_not_a_newline(tmp_path: Path):
    """An image is a paragraph of its own; a \\newline after it made TeX stop ("There's no line
    here to end"), as in Anki's "<div><img></div><div>text</div>" once imported."""
    (tmp_path / "a.png").write_bytes(png())
    tex, ctx = render("Text\\\n![](a.png)\\\nmore text", tmp_path)
    (name,) = ctx.images
    assert tex == f"Text\\newline \\fzimage{{{name}}} more text\\par\n" and not ctx.problems


@pytest.mark.parametrize("src, message", [
    ("../outside.png", "lies outside the deck's folder"),
    ("/etc/passwd.png", "lies outside the deck's folder"),
    ("missing.png", "image 'missing.png' not found"),
    ("fake.png", "is not a valid PNG file"),
    ("notes.txt", "is not PNG, JPEG or PDF"),
    ("https://ex.pl/a.png", "is not a local file"),
    ("link.png", "lies outside the deck's folder"),  # a symlink out of the folder
    ("", "image without a file name"),
])
def test_images_that_cannot_be_used_are_errors(tmp_path: Path, src: str, message: str):
    (tmp_path / "deck").mkdir()
    (tmp_path / "outside.png").write_bytes(png())
    (tmp_path / "deck" / "fake.png").write_text("not an image")
    (tmp_path / "deck" / "notes.txt").write_text("x")
    (tmp_path / "deck" / "link.png").symlink_to(tmp_path / "outside.png")
    tex, ctx = render(f"tekst\n\n![]({src})", tmp_path / "deck")
    assert "\\fzerror{" in tex and not ctx.images
    assert len(ctx.problems) == 1 and message in str(ctx.problems[0])
    assert str(ctx.problems[0]).startswith("deck.md:3: ")


# --- one real build of every construct ------------------------------------------------------------

ALL_CONSTRUCTS = r"""---
title: Wszystko
lang: pl
---

# Konstrukcje

## Formatowanie i kod
Tekst **PogrubionyTekst**, *KursywaTekst* i `kod_inline`; kosztuje $5 i $10.
Wzór $E = mc^2$ i \(a+b\). Link [StronaKursu](https://example.com/x_y). Znaki: # $ % & ~ _ ^ \ { } " ' ` < > | [ ].

```
def f(x):
    return x ** 2  # KodKomentarz
```

## Listy i cytat
- PunktPierwszy
  - PunktZagniezdzony
    1. NumerJeden
    2. NumerDwa
- PunktDrugi

> CytatTekst

---

Zażółć gęślą jaźń ĄĆĘŁŃÓŚŹŻ, μ σ ≤ →.

## Tabela i obraz
| Kolumna | Wartość |
|:--|--:|
| KomórkaA | 42 |
| KomórkaB | $x^2$ |

$$
\int_0^1 x\,dx
$$

\[
- y
\]

## Obraz
![obrazek](img.png)

## Długie słowa
Słowo DlugieSlowo0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz0123456789KONIEC
i adres [tu](https://example.com/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa) oraz emoji 😀.
"""


@pytest.fixture(scope="module")
def full_build(tmp_path_factory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("constructs")
    (folder / "deck.md").write_text(ALL_CONSTRUCTS, encoding="utf-8")
    (folder / "img.png").write_bytes(png(40, 20))
    result = run_fiszki("build", "deck.md", "--out", "out", "--no-cache", cwd=folder)
    assert result.code == 0, result.stderr
    return folder / "out", result.stderr


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.mark.tex
def test_every_construct_comes_back_from_the_flashcards(full_build):
    out, _ = full_build
    text = _pdf_text(out / "flashcards.pdf")
    for word in ("PogrubionyTekst", "KursywaTekst", "kod_inline", "$5 i $10", "StronaKursu", "example.com",
                 "KodKomentarz", "PunktPierwszy", "PunktZagniezdzony", "NumerJeden", "NumerDwa", "PunktDrugi",
                 "CytatTekst", "Zażółć gęślą jaźń ĄĆĘŁŃÓŚŹŻ", "KomórkaA", "KomórkaB", "42",
                 '# $ % & ~ _ ^ \\ { } " \' ` < > | [ ]', "U+1F600", "σ ≤ →"):
        assert word in text, word
    squeezed = "".join(text.split())
    assert "DlugieSlowo0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz0123456789KONIEC" \
        in squeezed  # broken over lines, without hyphens
    assert "E=mc2" in squeezed and "∫" in squeezed


@pytest.mark.tex
def test_the_cheat_sheet_holds_the_same_text(full_build):
    out, _ = full_build
    text = "".join(_pdf_text(out / "cheatsheet.pdf").split())
    for word in ("PogrubionyTekst", "KodKomentarz", "NumerDwa", "CytatTekst", "KomórkaB", "ZażółćgęśląjaźńĄĆĘŁŃÓŚŹŻ"):
        assert word in text, word


@pytest.mark.tex
def test_the_image_is_in_the_pdf(full_build):
    out, _ = full_build
    reader = PdfReader(out / "flashcards.pdf")
    images = [obj for page in reader.pages
              for obj in (page.get("/Resources", {}).get("/XObject", {}) or {}).values()
              if obj.get_object().get("/Subtype") == "/Image"]
    assert images and images[0].get_object()["/Width"] == 40


@pytest.mark.tex
def test_the_build_warns_about_what_it_cannot_show(full_build):
    _, stderr = full_build
    line = next(n for n, text in enumerate(ALL_CONSTRUCTS.splitlines(), 1) if "😀" in text)
    assert re.search(rf'deck\.md:{line}: card #5 "Długie słowa": character .* \(U\+1F600\)', stderr), stderr


# --- problems name the deck's line --------------------------------------------------------------

BAD_LINES = """\
# S

## Wzory
Pierwsza linia
druga linia
i trzecia z $\\frac{1}$ błędem.

$$
a = 1
\\badcommand
$$

- punkt
- punkt z $x^^$ błędem

| a | b |
|---|---|
| 1 | $\\sqrt$ |

![](../poza.png)
"""


def test_problems_name_the_deck_line(tmp_path: Path):
    (tmp_path / "deck.md").write_text(BAD_LINES, encoding="utf-8")
    result = run_fiszki("build", "deck.md", "--out", "out", cwd=tmp_path)
    assert result.code == 1 and "Traceback" not in result.stderr
    for line, what in ((6, "\\frac needs 2 arguments"), (10, "unknown command \\badcommand"),
                       (14, "^^ character codes"), (18, "\\sqrt needs"), (20, "../poza.png")):
        assert re.search(rf'deck\.md:{line}(:\d+)?: card #1 "Wzory": .*{re.escape(what)}', result.stderr), \
            (line, result.stderr)
    assert not (tmp_path / "out" / "flashcards.pdf").exists()


# --- any text is safe -----------------------------------------------------------------------------

SPECIAL_CHARS = "#$%&~_^\\{}\"'`<>|[]-\u00a0"
POLISH = "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ"
# Characters with a glyph of their own in the T1 fonts: pypdf reads them back as typed (up to NFKC).
OWN_GLYPH = (set(map(chr, range(0x20, 0x7F))) | set(POLISH) | set(map(chr, range(0xA1, 0x100)))
             | set("–—„”“‘’€")) - {"\u00ad"}
# Characters the card fonts may set in some other way: letters TeX builds from an accent over a
# base letter (ā reads back as "¯a"), punctuation, letterlike symbols, arrows and math symbols
# (⟹ reads back as "=⇒"). Each must leave a few characters (or its placeholder) in its place;
# tests/test_latex.py checks that all of them compile.
MAYBE_PRINTED = {0x2000: 0x206F, 0x20A0: 0x20CF, 0x2100: 0x214F, 0x2190: 0x21FF}
SOME_GLYPHS = ".{0,8}?"
# Markdown would read these (or "\" + these) as structure: the test escapes them so the deck says
# the text literally. ( ) ] are left bare: nothing opens with them once [ and \ are escaped.
MARKDOWN_PUNCTUATION = set("!\"#$%&'*+,-./:;<=>?@[\\^_`{|}~")


def _expected(ch: str) -> str:
    """A pattern for what pypdf should read back for one character of the deck (after NFC), decided
    from Unicode alone, not by asking escape_text: anything unknown must be a named placeholder."""
    if ch in OWN_GLYPH:
        return re.escape(_squeeze(ch))
    if unicodedata.category(ch) in ("Zs", "Cf") or ch in "\ufe0e\ufe0f":
        return ""  # spaces, invisible format characters and emoji presentation selectors
    if (unicodedata.name(ch, "").startswith("LATIN ") or ch in MATH_UNICODE
            or any(lo <= ord(ch) <= hi for lo, hi in MAYBE_PRINTED.items())):
        return SOME_GLYPHS
    return re.escape(f"U+{ord(ch):04X}")  # Cyrillic, CJK, emoji, combining marks, private use …


def _expected_text(typed: str) -> tuple[str, list[str]]:
    """The pattern for a whole text, and the characters shown as placeholders: one placeholder per
    character as the reader sees it (grapheme cluster), naming the code point it starts with."""
    import regex

    want, boxed = [], []
    for cluster in regex.findall(r"\X", typed):
        for k, ch in enumerate(cluster):
            pattern = _expected(ch)
            want.append(pattern)
            if pattern.startswith(re.escape("U+")):
                boxed.append(ch)
                break  # the rest of the cluster is in the same box
    return "".join(want), boxed


def _markdown_literal(text: str) -> str:
    return "".join("\\" + ch if ch in MARKDOWN_PUNCTUATION else ch for ch in text)


def _squeeze(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


random_text = st.text(
    alphabet=st.one_of(st.sampled_from(SPECIAL_CHARS + POLISH), st.sampled_from(sorted(OWN_GLYPH)),
                       st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp"))),
    min_size=1, max_size=60,
).map(lambda s: unicodedata.normalize("NFC", s)).filter(lambda s: s.strip())


@settings(max_examples=10, deadline=None, derandomize=True,
          phases=(Phase.explicit, Phase.reuse, Phase.generate),  # no shrinking: each example is a build
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@pytest.mark.tex
@given(st.lists(random_text, min_size=2, max_size=10))
def test_random_text_always_builds_and_comes_back(texts: list[str]):
    """Questions and answers of random Unicode (every LaTeX special among them): the deck builds,
    every character the fonts have is in the PDF in order, the others as a named placeholder."""
    deck_text = "---\nlang: pl\n---\n\n# Losowe\n\n" + "\n".join(_pair_up(texts))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "deck.md").write_text(deck_text, encoding="utf-8")
        result = build_deck(folder / "deck.md", folder / "out", {}, use_cache=False)
        pdf = PdfReader(io.BytesIO((folder / "out" / "flashcards.pdf").read_bytes()))
        text = "\n".join(page.extract_text() for page in pdf.pages)
    for i, typed in enumerate(texts):
        found = re.search(rf"QA{i}Z(.*?)QB{i}Z", text, re.S)
        assert found, (i, text)
        want = _expected_text(typed)[0]
        got = found.group(1)
        # TeX may hyphenate a long word at a line end: accept the text with such hyphens removed.
        assert any(re.fullmatch(want, _squeeze(g), re.S) for g in (got, re.sub(r"-\n", "", got))), (typed, got)
    # Every character shown as a placeholder was announced, naming its card.
    for ch in {ch for typed in texts for ch in _expected_text(typed)[1]}:
        assert any(f"(U+{ord(ch):04X}" in w.message and w.card_number for w in result.warnings), ch


def _pair_up(texts: list[str]) -> list[str]:
    """Even-numbered texts are questions, odd-numbered ones their answers."""
    lines = []
    for i, text in enumerate(texts):
        marked = f"QA{i}Z {_markdown_literal(text)} QB{i}Z"
        if i % 2 == 0:
            lines += [f"## {marked}"]
            if i == len(texts) - 1:
                lines += ["Odpowiedź.", ""]
        else:
            lines += [marked, ""]
    return lines
