"""Where the cheat sheet's columns break, read back from the PDF: a question stays with the start of
its answer, a table taller than a column breaks between rows with its header on top of each
column it continues in, and a line that still cannot fit its column is a warning naming the card."""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import run_fiszki

pytestmark = pytest.mark.tex

WORDS = "alpha beta gamma delta epsilon zeta theta kappa lambda sigma omega".split()


def varied_deck(cards: int, seed: int) -> str:
    """Cards of every opening (text, table, list, sub-heading) and of random lengths, so that
    column breaks fall at every kind of place. Each question holds qmkN, its answer starts amkN."""
    rng = random.Random(seed)

    def text(k: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(k))

    out = ["---\ntitle: Breaks\nlang: en\n---\n# Section one\n"]
    for i in range(cards):
        kind = rng.choice(["text", "table", "list", "sub"])
        out.append(f"## qmk{i} {text(rng.randint(2, 8))}")
        if kind == "text":
            out.append(f"amk{i} {text(rng.randint(5, 60))}\n")
        elif kind == "table":
            rows = "\n".join(f"| {text(1)} | {text(2)} |" for _ in range(rng.randint(2, 6)))
            out.append(f"| amk{i} | head |\n|---|---|\n{rows}\n")
        elif kind == "list":
            items = "\n".join(f"- {text(rng.randint(3, 12))}" for _ in range(rng.randint(2, 5)))
            out.append(f"- amk{i} {text(4)}\n{items}\n")
        else:
            out.append(f"### amk{i} sub\n- {text(6)}\n- {text(8)}\n")
        if i == cards // 2:
            out.append("# Section two\n")
    return "\n".join(out)


def places(pdf: Path, pattern: str) -> list[tuple[str, int, int, float]]:
    """(word, page, column, y) of every word matching `pattern`, in reading order of the PDF."""
    reader = PdfReader(pdf)
    info = reader.trailer["/Root"]["/FiszkiInfo"]
    columns, margin = int(info["/Columns"]), float(info["/Margin"])
    width = (float(info["/Paper"][0]) - 2 * margin) / columns
    found = []
    for number, page in enumerate(reader.pages):
        def visit(text, cm, tm, font, size):
            x, y = tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            for m in re.finditer(pattern, text):
                found.append((m.group(0), number, int((x - margin + 2) // width), y))
        page.extract_text(visitor_text=visit)
    return found


def build(tmp: Path, name: str, deck: str, *options: str) -> tuple[Path, str]:
    (tmp / f"{name}.md").write_text(deck, encoding="utf-8")
    run = run_fiszki("build", f"{name}.md", "--out", name, "--no-cache", *options, cwd=tmp)
    assert run.code == 0, run.stderr
    return tmp / name / "cheatsheet.pdf", run.stderr


@pytest.mark.parametrize("seed", [1, 6])  # each split questions from their answers (seed 6: across the sheet)
def test_a_question_never_ends_a_column_that_its_answer_does_not_start(tmp_path, seed):
    pdf, _ = build(tmp_path, "varied", varied_deck(70, seed), "--pages", "2")
    where = {word: (page, column) for word, page, column, _ in places(pdf, r"[qa]mk\d+")}
    assert sum(w.startswith("q") for w in where) == 70
    apart = [(i, where[f"qmk{i}"], where.get(f"amk{i}")) for i in range(70) if where[f"qmk{i}"] != where.get(f"amk{i}")]
    assert not apart, apart  # (card, (page, column) of the question, of its answer)


LONG_TABLE = """---
title: Long table
lang: en
---
# Tables

## A card before
Some text before the table so that it does not start at the top of a column, and a little more.

## Common distributions table
| Name | Mean | Note |
|---|---|---|
{rows}

## After the table
Text after.
"""


def test_a_table_taller_than_a_column_breaks_between_rows_under_its_header_again(tmp_path):
    rows = "\n".join(f"| row{k}x | value {k * k} | note {k} |" for k in range(1, 41))
    pdf, _ = build(tmp_path, "long", LONG_TABLE.format(rows=rows), "--pages", "1", "--columns", "4",
                   "--card", "index4x6", "--min-size", "3")
    found = places(pdf, r"row\d+x|Name|Common")
    rows_seen = [(w, column, y) for w, page, column, y in found if w.startswith("row")]
    assert [w for w, _, _ in rows_seen] == [f"row{k}x" for k in range(1, 41)]  # every row, in order
    columns = sorted({column for _, column, _ in rows_seen})
    assert len(columns) >= 3  # it did break
    headers = [(column, y) for w, _, column, y in found if w == "Name"]
    assert sorted(c for c, _ in headers) == columns  # the header on top of each column it is in …
    for column, y in headers:
        assert all(ry < y for _, c, ry in rows_seen if c == column)  # … above that column's rows
    question = next((column, y) for w, _, column, y in found if w == "Common")
    assert question[0] == columns[0]  # the question stays with the table's start
    height = float(PdfReader(pdf).pages[0].mediabox.height)
    margin = float(PdfReader(pdf).trailer["/Root"]["/FiszkiInfo"]["/Margin"])
    assert all(margin <= y <= height - margin for _, _, y in rows_seen)  # nothing runs off the page


CODE = ["torch.nn.functional.softmax", "np.linalg.norm(x, ord=2)", "optimizer.zero_grad()",
        "F.cross_entropy(logits, y)", "sklearn.model_selection.train_test_split"]


def code_deck() -> str:
    cards = [f"## Code {i}\nCall `{c}` in a loop, see <https://pytorch.org/docs/stable/generated/"
             f"torch.nn.CrossEntropyLoss.html> for details.\n" for i, c in enumerate(CODE)]
    return "---\ntitle: Code\nlang: en\n---\n# Code\n\n" + "\n".join(cards)


def test_inline_code_and_addresses_break_in_narrow_columns(tmp_path):
    pdf, stderr = build(tmp_path, "code", code_deck(), "--columns", "8", "--card", "a7")
    assert "Overfull" not in (pdf.with_suffix(".log")).read_text(errors="replace")
    assert "cheat sheet: a line runs" not in stderr


def test_a_line_that_still_cannot_fit_its_column_is_a_warning_naming_the_card(tmp_path):
    _, stderr = build(tmp_path, "code", code_deck(), "--columns", "12", "--card", "a7")
    warned = [line for line in stderr.splitlines() if "cheat sheet: a line runs" in line]
    assert warned and all(re.match(r'warning: code\.md:\d+: card #\d "Code \d": cheat sheet: a line runs [\d.]+ pt '
                                   r"into the gap beside its column \(hint: ", line) for line in warned), warned
