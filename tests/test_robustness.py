"""Bad input, clear errors, sandboxed TeX, nothing lost (issue 6).

Every deck in tests/bad_decks/ is built once through the real command line (all of them at the
same time, in a module fixture); each either builds or fails with the expected one-line messages,
and none ever shows a Python traceback or a raw TeX log.
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from builder.cache import remember
from builder.files import atomic_write
from builder.checking import check_pdf
from builder.tex.run import ToolchainError, run_pdflatex, tex_environment
from tests.conftest import ROOT, SMALL_DECK, Run, run_fiszki

CORPUS = ROOT / "tests" / "bad_decks"
SHOWN = "tests/bad_decks"  # how the CLI names corpus decks when run from the repository root


@dataclass(frozen=True)
class Case:
    deck: str
    code: int
    # Regular expressions, each matched against one stderr line after "error: NAME" or
    # "warning: NAME" (so each starts with the ":LINE: card #N …" part of the message).
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    args: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return " ".join((self.deck, *self.args))


CASES = [
    # --- builds: any text is safe --------------------------------------------------------------
    Case("latex_specials.md", 0),
    Case("input_in_text.md", 0),
    Case("html.md", 0),
    Case("emoji.md", 0, warnings=(r':7: card #1 "Co znaczy 🤖\?": .*U\+1F916',
                                  r':10: card #1 "Co znaczy 🤖\?": .*U\+795E')),
    Case("control_chars.md", 0, warnings=(r':4: card #1 "Invisible bytes": .*U\+FFFD',)),
    Case("crlf.md", 0, warnings=(r':10: card #2 "Line endings\?": same question as the card on line 7',)),
    Case("bom.md", 0),
    Case("duplicate_questions.md", 0,
         warnings=(r':6: card #2 "What is a neuron\?": same question as the card on line 3',)),
    Case("deep_nesting.md", 0, warnings=(r':\d+: card #1 "Deep lists and quotes": .*nested',)),
    Case("long_answer.md", 0, args=("--overflow", "split")),
    Case("unknown_key.md", 0,  # a key fiszki does not read, and nothing like one of its own
         warnings=(r":3: front matter: ignored 'colour', which fiszki does not use",)),
    # --- fails before TeX: structure ----------------------------------------------------------
    Case("empty_file.md", 1, errors=(r":1: the deck has no cards",)),
    Case("empty_deck.md", 1, errors=(r":1: the deck has no cards",
                                     r":7: text under section 'A section with no cards' before the first question")),
    Case("empty_card.md", 1, errors=(r':3: card #1 "This card has no answer": card has no answer',)),
    Case("answer_before_question.md", 1, errors=(r":3: text under section 'Section' before the first question",)),
    Case("duplicate_ids.md", 1, errors=(r":6: card #2 \"Second\": duplicate card id 'same' \(first used on line 3\)",)),
    Case("bad_attributes.md", 1, errors=(r':6: card #2 "Bad one": cannot read the attribute block \{#two words\}',)),
    Case("bad_language.md", 1, errors=(r":3: unknown language 'de' \(hint: use one of: pl, en\)",)),
    Case("bad_paper_card.md", 1, errors=(r":3: front matter 'paper': unknown paper 'b99'",
                                         r":4: front matter 'card': unknown card 'huge'")),
    Case("bad_yaml.md", 1, errors=(r":3: front matter is not valid YAML",)),
    Case("unclosed_front_matter.md", 1, errors=(r":1: front matter starts with --- but never ends",)),
    Case("invalid_utf8.md", 1, errors=(r":6:4: the file is not valid UTF-8 \(byte 0xE9\)",)),
    # --- fails before TeX: math and images ----------------------------------------------------
    Case("unbalanced_math.md", 1, errors=(
        r':4: card #1 "Missing close brace": math: ', r':7: card #2 "Extra close brace": math: ',
        r':10: card #3 "Left without right": math: ', r':13: card #4 "Double superscript": math: ',
        r':17(:\d+)?: card #5 "Environment not closed": math: ')),
    Case("hostile_math.md", 1, errors=(
        r':4: card #1 "Definitions": math: \\def is not allowed',
        r':7: card #2 "Catcodes and internals": math: \\catcode is not allowed',
        r':10: card #3 "Files and shell": math: \\openin is not allowed',
        r':10: card #3 "Files and shell": math: \\(immediate|write18) is not allowed',
        r':13: card #4 "Escapes": math: ',
        r':16: card #5 "Document structure": math: ')),
    Case("input_in_math.md", 1, errors=(r':4: card #1 "Inline": math: \\input is not allowed in math: it reads files',
                                        r':9:1: card #2 "Display": math: \\input is not allowed')),
    Case("math_limits.md", 1, errors=(
        r':4: card #1 "Three hundred braces": math: braces, .* nested more than 50 deep',
        r':7: card #2 "A line break outside any environment": math: \\\\ only breaks lines inside environments',
        r':10: card #3 "A root of a root": math: a \[ inside an optional argument',
        r':13: card #4 "Spacing wider than any page": math: \\hspace 99999pt reaches too far',
        r':16: card #5 "Thirteen phantoms": math: \\phantom is nested too deeply .* 16384 copies, at most 4096',
        r':19: card #6 "Two billion columns": math: \\begin\{array\} declares 2000000000 columns, at most 100',
        r':22: card #7 "Drawing over other cards": math: \\\\\[…\] -150pt reaches too far')),
    Case("image_bombs.md", 1, args=("--keep-going",), errors=(
        r":4: card #1 \"A 26 kB PNG claiming 65536 x 65537 pixels\": image 'huge_dimensions\.png' has 65536 x "
        r"65537 pixels; fiszki takes at most 64 million pixels",)),
    Case("huge_cards.md", 1, errors=(
        r':3: card #1 "A line of 25,000 characters": the card is 25,033 characters long; fiszki takes cards of at '
        r'most 20,000 characters and 1,000 lines',
        r':6: card #2 "Five thousand nested links": the card is 25,033 characters long')),
    Case("long_title.md", 1, errors=(r":2: 'title' is 1,799 characters long; at most 1,000",)),
    Case("tex_limits.md", 1, args=("--keep-going",), errors=(
        r':3: card #1 "A word of 19,000 characters": back does not fit the card',
        r':10: card #3 "A formula line of 1,200 characters": math: this line of the formula is 1200 characters long, '
        r'at most 1000'), warnings=(
        r':7: card #2 "Emphasis two hundred deep": bold and italic nested deeper than 10 levels',)),
    Case("missing_image.md", 1, errors=(r":4: card #1 \"Missing image\": image 'diagrams/nope.png' not found",)),
    Case("escaping_image.md", 1, errors=(
        r":4: card #1 \"Escaping images\": image '\.\./\.\./etc/passwd\.png' lies outside the deck's folder",
        r":6: card #1 \"Escaping images\": image '/etc/passwd\.png' lies outside the deck's folder",
        r":8: card #1 \"Escaping images\": image 'https://example\.com/x\.png' is not a local file")),
    Case("fake_image.md", 1, errors=(r":4: card #1 \"Not an image\": image 'not_an_image\.png' is not a valid PNG",)),
    # --- fails in TeX or after: traced back to the card ---------------------------------------
    Case("broken_image.md", 1, errors=(  # found before TeX: its header chunk fails its checksum
        r":9: card #2 \"A broken image\": image 'truncated\.png' is damaged: .* \(hint: open it in an image program",)),
    Case("long_answer.md", 1, errors=(
        r':3: card #1 "What does a 5,000-character answer do\?": .*does not fit the card',)),
    Case("keep_going.md", 1, args=("--keep-going",), errors=(
        r':11: card #2 "Bad math": math: ',
        r":14: card #3 \"A damaged image\": image 'truncated\.png' is damaged",
        r":17: card #4 \"A missing image\": image 'gone\.png' not found",
        r':19: card #5 "A far too long answer": .*does not fit the card')),
]


@dataclass
class Built:
    case: Case
    run: Run
    out: Path

    @property
    def pdfs(self) -> list[Path]:
        return sorted(self.out.glob("*.pdf")) if self.out.exists() else []


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Built]:
    """Every case built once, all at the same time (most fail in Python before TeX starts)."""
    base = tmp_path_factory.mktemp("corpus")

    def build(index: int, case: Case) -> Built:
        out = base / f"{index:02d}-{Path(case.deck).stem}"
        run = run_fiszki("build", f"{SHOWN}/{case.deck}", "--out", str(out), "--no-cache", *case.args, cwd=ROOT)
        return Built(case, run, out)

    with ThreadPoolExecutor(max_workers=4) as pool:
        built = list(pool.map(build, range(len(CASES)), CASES))
    return {b.case.key: b for b in built}


def test_every_corpus_deck_has_a_case():
    assert {p.name for p in CORPUS.glob("*.md")} == {c.deck for c in CASES}


@pytest.mark.tex
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.key)
def test_corpus_deck_builds_or_fails_with_its_messages(corpus, case):
    built = corpus[case.key]
    stderr = built.run.stderr
    assert built.run.code == case.code, stderr
    assert "Traceback" not in stderr and "error: internal error" not in stderr, stderr
    lines = stderr.splitlines()
    # One line per message, nothing else: no raw TeX log, no Python.
    assert all(line.startswith(("error: ", "warning: ", "fiszki: ")) for line in lines), stderr
    name = f"{SHOWN}/{case.deck}"
    for kind, patterns in (("error", case.errors), ("warning", case.warnings)):
        for pattern in patterns:
            assert any(re.match(rf"{kind}: {re.escape(name)}{pattern}", line) for line in lines), (pattern, stderr)
    problems = [line for line in lines if line.startswith("error: ")][:-1]  # the last one counts them
    for line in problems:  # every problem names the deck file and the line
        assert re.match(rf"error: {re.escape(name)}:\d+(:\d+)?: ", line), line
    if case.code == 0 or "--keep-going" in case.args:
        assert [p.name for p in built.pdfs] == ["cheatsheet.pdf", "flashcards.pdf"]
        for pdf in built.pdfs:
            assert check_pdf(pdf.read_bytes(), source=str(pdf)).ok, pdf
        if case.code:
            assert lines[-1] == f"error: {len(problems)} problem{'s' if len(problems) != 1 else ''}; wrote " \
                                f"{built.out}/flashcards.pdf, " \
                                f"{built.out}/cheatsheet.pdf with error boxes in place of the broken cards"
    else:
        assert not built.out.exists() or not any(built.out.iterdir()), "a failed build wrote output"
        assert lines[-1] == f"error: {len(problems)} problem{'s' if len(problems) != 1 else ''}; " \
                            "nothing in the output folder was changed"


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def pdf_streams(data: bytes) -> bytes:
    """Every stream of a PDF, decompressed: what any reader could get out of the file."""
    reader = PdfReader(io.BytesIO(data))
    chunks = []
    for num in range(1, int(reader.trailer["/Size"])):
        obj = reader.get_object(num)
        if hasattr(obj, "get_data"):
            chunks.append(obj.get_data())
    return b"\n".join(chunks)


def passwd_line() -> str:
    """A distinctive piece of /etc/passwd: its first entry up to the group id."""
    first = Path("/etc/passwd").read_text().splitlines()[0]
    return ":".join(first.split(":")[:4])  # e.g. "root:x:0:0"


def leaks(folder: Path, needle: str) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*")):
        if path.suffix == ".pdf":
            if needle in pdf_text(path) or needle.encode() in pdf_streams(path.read_bytes()):
                found.append(str(path))
        elif path.is_file() and needle in path.read_bytes().decode("utf-8", errors="replace"):
            found.append(str(path))
    return found


@pytest.mark.tex
def test_no_content_of_etc_passwd_reaches_any_output(corpus):
    needle = passwd_line()
    hostile = [b for b in corpus.values() if "passwd" in (CORPUS / b.case.deck).read_text(errors="replace")]
    assert len(hostile) >= 4 and any(b.out.exists() for b in hostile)
    for built in corpus.values():
        assert needle not in built.run.stderr + built.run.stdout
        if built.out.exists():
            assert leaks(built.out, needle) == [], built.case.key


@pytest.mark.tex
def test_a_pdf_image_brings_no_reference_to_a_file_into_the_output(corpus):
    from tests.test_images import every_byte

    built = corpus["image_bombs.md --keep-going"]
    assert b"/etc/passwd" in every_byte((CORPUS / "external_reference.pdf").read_bytes())
    for pdf in built.pdfs:
        assert b"/etc/passwd" not in every_byte(pdf.read_bytes()), pdf
    assert len(PdfReader(built.out / "flashcards.pdf").pages[1]["/Resources"]["/XObject"]) == 1  # the chart is in


@pytest.mark.tex
def test_hostile_text_prints_as_typed(corpus):
    text = " ".join(pdf_text(corpus["input_in_text.md"].out / "cheatsheet.pdf").split())
    for typed in ("\\input{/etc/passwd}", "\\immediate\\write18{touch /tmp/fiszki-pwned}", "\\end{document}",
                  "\\csname input\\endcsname{/etc/passwd}", "^^5cinput{/etc/passwd}"):
        assert typed in text, typed
    assert not Path("/tmp/fiszki-pwned").exists()


@pytest.mark.tex
def test_latex_specials_print_as_typed(corpus):
    built = corpus["latex_specials.md"]
    text = " ".join(pdf_text(built.out / "cheatsheet.pdf").split())  # line breaks fall anywhere
    for typed in ("What do # $ % & _ { } ~ ^ \\ do?", "All of them print as themselves: # $ % & _ { } ~ ^ \\",
                  "\\end{fzcode} \\end{document}", "}}}} {{{{ $$$$ %%%% &&&& ####", "100% & #1"):
        assert typed in text, typed
    meta = PdfReader(built.out / "flashcards.pdf").metadata
    assert meta.title == "Specials # $ % & _ { } ~ ^ \\ in the title"


@pytest.mark.tex
def test_bom_deck_keeps_its_front_matter(corpus):
    assert PdfReader(corpus["bom.md"].out / "flashcards.pdf").metadata.title == "BOM deck title"


@pytest.mark.tex
def test_keep_going_puts_visible_error_boxes_in_place_of_broken_cards(corpus):
    built = corpus["keep_going.md --keep-going"]
    def squeezed(text: str) -> str:  # justified text in a narrow box extracts with odd spacing
        return "".join(text.split())

    fronts = squeezed(PdfReader(built.out / "flashcards.pdf").pages[0].extract_text())
    for number in (2, 3, 4, 5):
        assert f"card#{number}cannotbebuilt" in fronts, fronts
    assert "Afinecard" in fronts and "Anotherfinecard" in fronts
    sheet = squeezed(pdf_text(built.out / "cheatsheet.pdf"))
    assert "imagetruncated.pngcannotbeshown" in sheet and "Alsofine." in sheet  # found before TeX, as math is
    cache = built.out / ".fiszki-cache.json"
    assert not cache.exists()  # PDFs with error boxes are never taken for up to date


# --- the TeX sandbox: the second wall, behind math validation and escaping ----------------------

OPENIN = r"""\documentclass{article}\begin{document}
\newread\r \openin\r=/etc/passwd \ifeof\r CLOSED\else \read\r to\x OPEN:\x\fi
\end{document}"""


@pytest.mark.tex
def test_tex_cannot_open_etc_passwd_even_when_asked_directly(tmp_path: Path):
    needle = passwd_line()
    result = run_pdflatex(OPENIN, jobname="openin")
    (tmp_path / "sandboxed").mkdir()
    (tmp_path / "sandboxed" / "openin.pdf").write_bytes(result.pdf)
    (tmp_path / "sandboxed" / "openin.log").write_text(result.log)
    assert "CLOSED" in pdf_text(tmp_path / "sandboxed" / "openin.pdf")
    assert leaks(tmp_path / "sandboxed", needle) == []
    # Control: the same document run by plain pdflatex does read the file, and `leaks` sees it.
    # This is what the sandbox (openin_any=p) prevents.
    (tmp_path / "open").mkdir()
    (tmp_path / "open" / "openin.tex").write_text(OPENIN)
    env = {**tex_environment(), "openin_any": "a"}
    subprocess.run([shutil.which("pdflatex"), "-interaction=nonstopmode", "openin.tex"], cwd=tmp_path / "open",
                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, check=True)
    assert "OPEN:" in pdf_text(tmp_path / "open" / "openin.pdf")
    assert leaks(tmp_path / "open", needle)


@pytest.mark.tex
def test_missing_tex_package_names_what_to_install():
    with pytest.raises(ToolchainError) as info:
        run_pdflatex("\\documentclass{article}\\usepackage{fiszkinosuchpackage}\\begin{document}x\\end{document}")
    assert "fiszkinosuchpackage.sty" in str(info.value) and "install the Debian package" in str(info.value)


def test_without_pdflatex_content_errors_come_first_then_exit_3(tmp_path: Path):
    empty = tmp_path / "bin"
    empty.mkdir()
    good = tmp_path / "good.md"
    good.write_text(SMALL_DECK, encoding="utf-8")
    result = run_fiszki("build", str(good), "--out", str(tmp_path / "o"), env={"PATH": str(empty)})
    assert result.code == 3 and "Traceback" not in result.stderr
    assert "pdflatex not found" in result.stderr and "texlive-latex-base" in result.stderr
    bad = run_fiszki("build", f"{SHOWN}/unbalanced_math.md", "--out", str(tmp_path / "o"), env={"PATH": str(empty)})
    assert bad.code == 1 and "math:" in bad.stderr
    assert not (tmp_path / "o").exists()


# --- nothing lost -------------------------------------------------------------------------------


def tiny_png() -> bytes:
    """A real 2×2 grey PNG, written by hand (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x80\x80" for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


PROJECT_DECK = SMALL_DECK + "\n## Obrazek {#image}\n![kwadrat](img/square.png)\n"


def snapshot(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file below `folder`: size, mtime (ns) and content."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A course-like folder (content/deck.md with an image) built once with the default out/."""
    root = tmp_path_factory.mktemp("project")
    content = root / "content"
    (content / "img").mkdir(parents=True)
    (content / "deck.md").write_text(PROJECT_DECK, encoding="utf-8")
    (content / "img" / "square.png").write_bytes(tiny_png())
    before = snapshot(content)
    listing = sorted(os.listdir(content))
    result = run_fiszki("build", "content/deck.md", cwd=root)
    assert result.code == 0, result.stderr
    assert snapshot(content) == before and sorted(os.listdir(content)) == listing
    return root


@pytest.mark.tex
def test_builder_never_writes_into_the_deck_folder(project: Path, tmp_path: Path):
    # The fixture already compared content/ before and after a good build; now a failing one.
    root = tmp_path / "p"
    shutil.copytree(project, root)
    content = root / "content"
    text = PROJECT_DECK + "\n## Zły\n$\\frac{a$\n"
    (content / "deck.md").write_text(text, encoding="utf-8")
    before = snapshot(content)
    result = run_fiszki("build", "content/deck.md", cwd=root)
    line = text.split("\n").index("## Zły") + 2  # the formula under the heading
    assert result.code == 1 and f'content/deck.md:{line}: card #5 "Zły": math:' in result.stderr, result.stderr
    assert snapshot(content) == before
    assert sorted(p.name for p in (root / "out").glob("*.pdf")) == ["cheatsheet.pdf", "flashcards.pdf"]


def test_image_symlink_out_of_the_deck_folder_is_refused(tmp_path: Path):
    (tmp_path / "leak.png").symlink_to("/etc/passwd")
    (tmp_path / "deck.md").write_text("# S\n\n## Q\n![x](leak.png)\n", encoding="utf-8")
    result = run_fiszki("build", str(tmp_path / "deck.md"), "--out", str(tmp_path / "out"))
    assert result.code == 1 and "image 'leak.png' lies outside the deck's folder" in result.stderr


@pytest.mark.parametrize("breakage, message", [
    ("\n## Zły\n$\\frac{a$\n", "math:"),  # fails before TeX
    ("\n## Zły obrazek\n![x](img/damaged.png)\n", "image 'img/damaged.png' is damaged"),  # fails before TeX
    ("\n## Za długie\n" + "Zdanie zbyt długie na kartę. " * 300 + "\n", "does not fit the card"),  # after TeX
])
@pytest.mark.tex
def test_failed_build_leaves_previous_output_byte_identical(project: Path, tmp_path: Path, breakage, message):
    root = tmp_path / "p"
    shutil.copytree(project, root)
    (root / "content" / "img" / "damaged.png").write_bytes(tiny_png()[:40])
    out = root / "out"
    before = snapshot(out)
    assert {"flashcards.pdf", "cheatsheet.pdf", "flashcards.log", ".fiszki-cache.json"} <= set(before)
    (root / "content" / "deck.md").write_text(PROJECT_DECK + breakage, encoding="utf-8")
    result = run_fiszki("build", "content/deck.md", cwd=root)
    assert result.code == 1 and message in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert "nothing in the output folder was changed" in result.stderr
    assert snapshot(out) == before  # same files, same bytes, same mtimes; no temporary leftovers


@pytest.mark.tex
def test_two_builds_started_at_once_both_succeed(project: Path, tmp_path: Path):
    root = tmp_path / "p"
    shutil.copytree(project, root)
    shutil.rmtree(root / "out")
    import sys

    cmd = [sys.executable, "-m", "builder", "build", "content/deck.md", "--no-cache"]
    procs = [subprocess.Popen(cmd, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert [code for code, _ in results] == [0, 0], results
    out = root / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        ".fiszki-cache.json", "cheatsheet.log", "cheatsheet.pdf", "flashcards.log", "flashcards.pdf"]
    for pdf in ("flashcards.pdf", "cheatsheet.pdf"):
        assert check_pdf((out / pdf).read_bytes(), source=pdf).ok
        assert (out / pdf).read_bytes() == (project / "out" / pdf).read_bytes()  # and the right content
    json.loads((out / ".fiszki-cache.json").read_text())
    again = run_fiszki("build", "content/deck.md", cwd=root)
    assert again.code == 0 and "unchanged" in again.stderr


def test_concurrent_cache_and_output_writes_never_corrupt(tmp_path: Path):
    """Many writers at once: every read sees a whole old or a whole new file, never a mix."""
    target = tmp_path / "out" / "flashcards.pdf"
    versions = [bytes([n]) * 200_000 for n in range(8)]
    errors: list[str] = []
    stop = threading.Event()

    def write(n: int) -> None:
        for i in range(30):
            atomic_write(target, versions[n])
            remember(tmp_path / "out", {f"deck{n}-flashcards": {f"deck{n}-flashcards.pdf": versions[n]}},
                     f"fingerprint-{n}-{i}")

    def read() -> None:
        while not stop.is_set():
            if target.exists() and target.read_bytes() not in versions:
                errors.append("torn PDF")
            cache = tmp_path / "out" / ".fiszki-cache.json"
            if cache.exists():
                try:
                    json.loads(cache.read_text())
                except ValueError:
                    errors.append("torn cache")

    reader = threading.Thread(target=read)
    reader.start()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, range(8)))
    stop.set()
    reader.join()
    assert errors == []
    assert [p.name for p in (tmp_path / "out").iterdir() if p.name.endswith(".tmp")] == []
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_sheet_options_from_front_matter_name_their_line(tmp_path: Path):
    """Integer options are bounded (TeX counts overflow) and the cheat sheet's column limit names
    the front-matter line it came from, or the command-line option."""
    deck = tmp_path / "deck.md"
    deck.write_text("---\ntitle: T\npages: 99999999999999999999999\n---\n# S\n## Q\nA\n", encoding="utf-8")
    result = run_fiszki("build", str(deck), "--out", str(tmp_path / "out"))
    assert result.code == 1 and "deck.md:3: front matter 'pages': pages must be between 1 and 999" in result.stderr
    deck.write_text("---\ncolumns: 19\n---\n# S\n## Q\nA\n", encoding="utf-8")
    result = run_fiszki("build", str(deck), "--out", str(tmp_path / "out"))
    assert result.code == 1 and "deck.md:2: front matter 'columns': at most" in result.stderr
    deck.write_text("# S\n## Q\nA\n", encoding="utf-8")
    result = run_fiszki("build", str(deck), "--out", str(tmp_path / "out"), "--columns", "19")
    assert result.code == 2 and "--columns 19: at most" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.tex
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_build_leaves_no_pdflatex_no_temporary_folder_and_the_old_pdfs(tmp_path, stop):
    """pdflatex reads from a pipe while the deck is still rendered: stopping fiszki then must not
    leave it waiting, nor its folder behind, nor half an output."""
    from bench.synth import synthetic_deck

    deck = tmp_path / "big.md"
    deck.write_text(synthetic_deck(300), encoding="utf-8")
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    out.mkdir()
    tmp.mkdir()
    (out / "flashcards.pdf").write_bytes(b"old")
    env = dict(os.environ, TMPDIR=str(tmp))
    proc = subprocess.Popen([sys.executable, "-m", "builder", "-q", "build", str(deck), "--out", str(out)],
                            cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while not list(tmp.glob("fiszki-tex-*")) and time.monotonic() < deadline:
        time.sleep(0.01)  # until pdflatex has started
    time.sleep(0.2)
    proc.send_signal(stop)
    stderr = proc.communicate(timeout=60)[1]
    assert proc.returncode == 130 and "interrupted" in stderr, stderr
    time.sleep(0.5)
    assert list(tmp.iterdir()) == []
    assert (out / "flashcards.pdf").read_bytes() == b"old" and not (out / "cheatsheet.pdf").exists()
    assert not [d for d in Path("/proc").glob("[0-9]*") if _cwd(d).startswith(str(tmp))]


def _cwd(process: Path) -> str:
    try:
        return os.readlink(process / "cwd")
    except OSError:
        return ""


@pytest.mark.tex
def test_pdflatex_dies_with_a_killed_fiszki(tmp_path):
    """Killed outright (SIGKILL, the OOM killer), fiszki cleans nothing up; but its pdflatex, which
    may still be waiting to open the pipe fiszki was to write, must not wait there for ever."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = dict(os.environ, TMPDIR=str(tmp))
    proc = subprocess.Popen([sys.executable, "-m", "builder", "-q", "build", str(ROOT / "content" / "deck.md"),
                             "--out", str(tmp_path / "out"), "--no-cache"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 20
    while len(list(tmp.glob("fiszki-tex-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(0.05)  # both pdflatex started, loading their format before they open their pipes
    proc.kill()
    proc.wait()
    time.sleep(1.0)
    assert list(tmp.glob("fiszki-tex-*"))  # the test did kill it mid-build
    left = [d for d in Path("/proc").glob("[0-9]*") if _cwd(d).startswith(str(tmp))]
    assert not left, [((d / "cmdline").read_bytes(), (d / "wchan").read_text()) for d in left]
    # The next run removes what the killed one left (partial PDFs, the deck's text), but not the
    # folder of a run still alive (here: one this test holds).
    alive = tmp / "fiszki-tex-alive"
    alive.mkdir()
    from builder.tex.run import _hold

    held = _hold(alive)
    try:
        again = run_fiszki("build", str(ROOT / "content" / "deck.md"), "--out", str(tmp_path / "out2"),
                           "--no-cache", env={"TMPDIR": str(tmp)})
        assert again.code == 0, again.stderr
        assert [p.name for p in tmp.iterdir()] == ["fiszki-tex-alive"]
    finally:
        os.close(held)


@pytest.fixture
def small_disk(tmp_path):
    """A 1.2 MB file system: room for one set of the default deck's outputs, not for two."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1200k", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount a small file system here: {mounted.stderr.decode().strip()}")
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


@pytest.mark.tex
def test_a_full_disk_changes_no_output(tmp_path, small_disk):
    """The outputs land together or not at all: on a full disk every old file stays as it was."""
    deck = tmp_path / "deck.md"
    deck.write_text((ROOT / "content" / "deck.md").read_text(encoding="utf-8"), encoding="utf-8")
    out = small_disk / "out"
    first = run_fiszki("build", str(deck), "--out", str(out))
    assert first.code == 0, first.stderr
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    deck.write_text(deck.read_text(encoding="utf-8").replace("Funkcja aktywacji", "Funkcja  aktywacji", 1),
                    encoding="utf-8")
    second = run_fiszki("build", str(deck), "--out", str(out))
    assert second.code == 1 and "cannot write to" in second.stderr, second.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing replaced, nothing left over
