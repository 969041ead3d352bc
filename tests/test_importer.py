"""The loose-notes importer: the seed export (tests/fixtures/seed_notes.txt) and one small case per
heuristic; valid Markdown and math pass through it undamaged."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from builder.importers.media import MediaFolder
from builder.importers.model import ImportNote, ImportOptions
from builder.importers.notes import read_notes
from builder.importers.writer import Deck as ImportResult
from builder.importers.writer import assemble, write
from tests.conftest import DEFAULT_DECK, run_fiszki


def import_notes(text: str, title: str | None = None, lang: str | None = None) -> ImportResult:
    """The notes importer and the shared deck writer, without the command line."""
    return assemble([read_notes(text, Path("notes.txt"), ImportOptions(title=title, lang=lang))],
                    ImportOptions(title=title, lang=lang))


def write_deck(result: ImportResult, dest: Path, force: bool = False) -> None:
    write(result, dest, MediaFolder("media"), force)


def message(note: ImportNote) -> str:
    return note.what + (f": {note.detail}" if note.detail else "")

SEED = Path(__file__).parent / "fixtures" / "seed_notes.txt"

# Every question of the seed, in order, with its line in the notes. "Bias a wariancia" has no
# marker and no question word (a comparison topic); "Metryki" has a marker but no answer;
# "LSTM w praktyce (to nie jest pytanie xd)" (line 443) is not a card.
SEED_QUESTIONS = [
    (9, "Czym wyróżnia się perceptron prosty (Model Pittsa-Mc Cullocha)"),
    (15, "Czym wyróżnia się ADALINE"),
    (21, "Jakiej funkcji kosztu użyjemy dla sieci rozwiązującej problem regresji?"),
    (27, "Jakiej funkcji kosztu użyjemy dla sieci rozwiązującej problem klasyfikacji?"),
    (37, "Jaka jest formuła sigmoidu"),
    (48, "Czym jest gradient funkcji wielu zmiennych"),
    (54, "Czym jest softmax"),
    (64, "Jak wyglądają funkcje aktywacji i ich pochodne: sigmoid, tangens hiperboliczny, relu, softplus."),
    (89, "Czym jest N-Fold Cross-Validation i kiedy warto jej użyć"),
    (99, "Jakie są strategie zmiany wag"),
    (106, "Jak za pomocą sigmoidu wyrazić tangens hiperboliczny"),
    (111, "Czym jest problem zanikającego gradientu"),
    (126, "Czym jest problem wybuchającego gradientu"),
    (134, "Bias a wariancia"),
    (152, "Jak sobie radzić z przetrenowaniem modelu?"),
    (161, "Na czym polega L2 (Ridge Regression)"),
    (169, "Na czym polega L1 (Lasso Regression)"),
    (178, "Na czym polega Dropout"),
    (186, "Czym jest macierz pomyłek (confusion matrix)"),
    (199, "Metryki"),
    (207, "Czym jest F1 score"),
    (214, "Czym jest krzywa AUC-ROC (Area Under Curve - Receiver Operating Characteristics)"),
    (222, "Wymień dobre praktyki w projektowaniu sieci MLP"),
    (233, "Na czym polega Momentum - metoda optymalizująca Gradient Descent"),
    (241, "Na czym polega Nesterov Accelerated Gradient (NAG)"),
    (255, "Czym jest ADAGRAD"),
    (263, "Czym jest ADADELTA"),
    (269, "Czym jest Adam (Adaptive Moment Estimation)"),
    (275, "Co powoduje inicjalizacja wag na jednakową wartość (np. 0)"),
    (281, "Jak zainicjalizować wagi (najprostsza metoda)"),
    (297, "Jak zainicjalizować wagi korzystając z Xaviera"),
    (303, "Jak zainicjalizować wagi korzystając z He"),
    (310, "Czym jest normalizacja batch'a"),
    (319, "Czym jest Autokoder i jak się go trenuje"),
    (327, "Czemu MLP nie radzą sobie za dobrze z obrazami"),
    (334, "Czym jest kernel (CNN)"),
    (343, "Czym jest konwolucja"),
    (352, "Czym jest i do czego wykorzystuje się Pooling"),
    (363, "Jaki sens w stosowaniu konwolucji dla filtra o rozmiarze 1x1"),
    (369, "Jak przebiega formuła propagacji błędu w sieciach konwolucyjnych"),
    (376, "Czym jest VGG"),
    (385, "Co to GoogleNet"),
    (394, "Czym jest ResNet"),
    (403, "Gdzie stosuje się konwolucję 1D"),
    (409, "Czym cechuje się sieć rekurencyjna (RNN)"),
    (423, "Czym jest Long-Short-Term-Memory (LSTM)"),
    (433, "Czym jest Gated Recurrent Unit (GRU)"),
]
# Questions without a marker line: each must come with a "guessed question" note.
SEED_GUESSED = {64, 89, 99, 106, 111, 126, 134}

CARD_RE = re.compile(r"^## (.+) \{#([^{}\s]+)(?: \.[^{}\s]+)*\}$")
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed_lines(seed_text: str) -> list[str]:
    return seed_text.split("\n")


@pytest.fixture(scope="module")
def seed(seed_text: str) -> ImportResult:
    return import_notes(seed_text)


def cards(markdown: str) -> list[tuple[str, str]]:
    """(question, id) of every card heading."""
    return [m.groups() for m in map(CARD_RE.match, markdown.split("\n")) if m]


def sections(markdown: str) -> list[str]:
    return [line[2:] for line in markdown.split("\n") if line.startswith("# ")]


def answers(markdown: str) -> dict[str, str]:
    """question -> answer Markdown (the lines up to the next heading)."""
    out: dict[str, str] = {}
    current = None
    for line in markdown.split("\n"):
        m = CARD_RE.match(line)
        if m:
            current = m.group(1)
            out[current] = ""
        elif line.startswith("# "):
            current = None
        elif current is not None:
            out[current] += line + "\n"
    return {q: a.strip("\n") for q, a in out.items()}


def notes_at(result: ImportResult, line: int) -> list[str]:
    return [message(n) for n in result.notes if n.origin.line == line]


def check_format(markdown: str) -> None:
    """The deck format: front matter, `# section`, `## question {#id}` + answer, nothing else."""
    lines = markdown.split("\n")
    assert lines[0] == "---" and lines[1].startswith("title: ") and re.match(r"^lang: \w+$", lines[2])
    assert lines[3] == "---" and lines[4] == ""
    assert markdown.endswith("\n") and not markdown.endswith("\n\n")
    body = lines[5:]
    assert body[0].startswith("# "), "the first thing after the front matter is a section"
    for i, line in enumerate(body):
        assert line == line.rstrip(), f"trailing space: {line!r}"
        if line.startswith("#"):
            assert re.match(r"^# \S", line) or CARD_RE.match(line), f"stray heading: {line!r}"
            assert i == 0 or body[i - 1] == "", f"no blank line before {line!r}"
        if line.startswith("# "):
            assert body[i + 1] == "" and CARD_RE.match(body[i + 2]), f"section without cards: {line!r}"
        if CARD_RE.match(line):
            assert body[i + 1].strip(), f"card without an answer: {line!r}"
    assert "\n\n\n" not in markdown
    assert not any(line.strip() == "?" for line in body), "a '?' line would split the card for the deck parser"


# --------------------------------------------------------------------------- the seed


def test_seed_cards_and_sections(seed: ImportResult) -> None:
    found = cards(seed.markdown)
    assert [q for q, _ in found] == [q for _, q in SEED_QUESTIONS]
    assert seed.cards == 47 == len(found)
    assert len(seed.sections) == 1 and sections(seed.markdown) == ["Wykład 1"]
    check_format(seed.markdown)


def test_seed_front_matter(seed: ImportResult) -> None:
    assert seed.markdown.startswith("---\ntitle: NN Fiszki\nlang: pl\n---\n\n# Wykład 1\n\n## Czym wyróżnia")


def test_seed_exact_questions(seed: ImportResult) -> None:
    questions = {q for q, _ in cards(seed.markdown)}
    assert "Czym jest softmax" in questions  # "#### Czym jest softmax"
    assert "Czym jest VGG" in questions  # "# Czym jest VGG", marker "2"
    assert "Jakiej funkcji kosztu użyjemy dla sieci rozwiązującej problem regresji?" in questions
    assert not any("LSTM w praktyce" in q for q in questions)
    assert not any(q.startswith("Idea #4") or q.startswith("Nasycające") for q in questions)


def test_seed_not_a_question_stays_in_previous_answer(seed: ImportResult, seed_lines: list[str]) -> None:
    gru = answers(seed.markdown)["Czym jest Gated Recurrent Unit (GRU)"]
    assert gru.endswith("LSTM w praktyce (to nie jest pytanie xd)")
    assert "nie jest pytanie" in seed_lines[443 - 1]
    assert any("not a question" in m for m in notes_at(seed, 443))


def test_seed_guessed_questions_are_noted(seed: ImportResult) -> None:
    guessed = {n.origin.line for n in seed.notes if "guessed question" in message(n)}
    assert guessed == SEED_GUESSED


def test_seed_heading_questions_and_sections(seed: ImportResult) -> None:
    for line in (54, 255, 263, 334, 343, 376, 385, 394):
        assert any("treated as a question" in m for m in notes_at(seed, line)), line
    # "# **Sigmoid**" right after the marker is answer text, not a section
    assert answers(seed.markdown)["Jaka jest formuła sigmoidu"].startswith("**Sigmoid**\n\n$$\\sigma(x)")
    assert any("bold answer text" in m for m in notes_at(seed, 41))
    assert "**Actual Values**" in answers(seed.markdown)["Czym jest macierz pomyłek (confusion matrix)"]
    assert any("bold answer text" in m for m in notes_at(seed, 193))
    # sections without questions are left out, with a note
    assert any("no questions" in m for m in notes_at(seed, 5))
    assert any("no questions" in m for m in notes_at(seed, 445))


def test_seed_empty_answer(seed: ImportResult) -> None:
    assert answers(seed.markdown)["Metryki"] == "(brak odpowiedzi w notatkach)"
    assert any("no answer" in m for m in notes_at(seed, 199))


def test_seed_repaired_latex(seed: ImportResult, seed_lines: list[str]) -> None:
    md = seed.markdown
    assert "liczba neuronów w warstwie ukrytej to $n_h=\\frac{n_{in}+n_{out}}{2}$ lub" in md
    assert not re.search(r"(?<!\\f)rac\{", md), "every damaged rac{ is repaired"
    assert not re.search(r"(?<![\\r])ight", md.replace("right", "")), "every damaged \\right is repaired"
    # a \right whose \r became a line break is joined back into its formula
    assert "1. $w \\in \\left[-\\frac{a}{\\sqrt{n_{\\mathrm{in}}}},\\frac{a}{\\sqrt{n_{\\mathrm{in}}}}\\right]$ , gdzie" in md
    assert "$\\left[-n_{\\mathrm{in}}\\sqrt{N_h},\\,n_{\\mathrm{in}}\\sqrt{N_h}\\right]$" in md
    assert "Nasycające się gradienty neuronu $\\rightarrow$ 0" in md
    repairs = [n for n in seed.notes if message(n).startswith("repaired")]
    assert {n.origin.line for n in repairs} == {117, 230, 285, 286, 292, 293, 294}
    for n in repairs:
        damaged = seed_lines[n.origin.line - 1]
        assert "rac{" in damaged or "ight" in damaged or damaged.strip().startswith("m in"), n


def test_seed_table(seed: ImportResult) -> None:
    row = "| fold 1 | fold 2 | fold 3 | fold 4 | fold 5 | test |"
    table = "\n".join([row, "|" + " --- |" * 6, row, row])
    answer = answers(seed.markdown)["Czym jest N-Fold Cross-Validation i kiedy warto jej użyć"]
    assert "uśredniania wyników\n\n" + table + "\n\nDobre rozwiązanie" in answer
    assert notes_at(seed, 93) == ["tab-separated rows turned into a table; check the header"]


def test_seed_lists_and_cleanup(seed: ImportResult) -> None:
    a = answers(seed.markdown)
    assert a["Jak sobie radzić z przetrenowaniem modelu?"].splitlines() == [
        "1. Regularyzacja wag (L1 lub L2)", "2. Dropout", "3. Wczesne zatrzymanie uczenia",
        "4. Sztuczne powiększane zbioru uczącego",
    ]
    assert "[\\*]" not in seed.markdown and any("[\\*]" in m for m in notes_at(seed, 82))
    assert "stosuje się $\\mathcal{L}_{CE} = -\\sum_{k=1}^{M} y_k \\ln(\\hat{y}_k)$ (patrz wykład 3)." in seed.markdown
    assert a["Jak za pomocą sigmoidu wyrazić tangens hiperboliczny"] == "$\\tanh(x) = 2sigm(2x) - 1$"
    # "- ?" is a marker; the answer is the list under it
    assert a["Czym cechuje się sieć rekurencyjna (RNN)"].startswith("1. Może przetwarzać dane")
    # The sentence the export set as \mathsf{word} math is text again, with its Polish letters.
    rnn = a["Czym cechuje się sieć rekurencyjna (RNN)"]
    assert "\\'" not in rnn and "\\mathsf" not in rnn
    assert "4. Mamy tu do czynienia ze wspóldzieleniem parametrów" in rnn
    assert "przemnażany przez te samq wage $A^i$, a każdy $h_{0.n}$" in rnn


def test_seed_ids_unique_and_ascii(seed: ImportResult) -> None:
    ids = [i for _, i in cards(seed.markdown)]
    assert len(ids) == len(set(ids)) == 47
    for card_id in ids:  # the deck's own rule (builder.deck.slugify): at most 48 characters
        assert card_id.isascii() and ID_RE.match(card_id) and len(card_id) <= 48, card_id
    assert "czym-jest-softmax" in ids
    assert "czym-wyroznia-sie-perceptron-prosty-model-pittsa" in ids  # Polish letters folded
    # the two "Jakiej funkcji kosztu użyjemy dla sieci …" questions share a prefix
    assert sum(i.startswith("jakiej-funkcji-kosztu") for i in ids) == 2


def test_seed_notes_point_at_their_lines(seed: ImportResult, seed_lines: list[str]) -> None:
    assert seed.notes == sorted(seed.notes, key=lambda n: n.origin.line)
    assert all(isinstance(n, ImportNote) and 1 <= n.origin.line <= len(seed_lines) for n in seed.notes)
    for n in seed.notes:
        quoted = re.search(r"^(?:guessed question[^']*|heading) '(.+?)'", message(n))
        if quoted:  # the note quotes the line it points at
            assert quoted.group(1) in seed_lines[n.origin.line - 1].strip(), n
    for line, question in SEED_QUESTIONS:
        assert question in seed_lines[line - 1].replace("#### ", "").replace("# ", ""), (line, question)


def test_import_is_deterministic(seed_text: str, seed: ImportResult) -> None:
    assert import_notes(seed_text) == seed


# --------------------------------------------------------------------------- write_deck


def test_write_deck_refuses_to_overwrite(tmp_path: Path, seed: ImportResult) -> None:
    dest = tmp_path / "deck.md"
    dest.write_bytes(b"my own deck\r\n\xc5\x82")
    before = dest.read_bytes()
    with pytest.raises(FileExistsError, match="already exists"):
        write_deck(seed, dest)
    assert dest.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.md"], "no temp file left behind"


def test_write_deck_force_and_parents(tmp_path: Path, seed: ImportResult) -> None:
    dest = tmp_path / "a" / "b" / "deck.md"
    write_deck(seed, dest)
    assert dest.read_text(encoding="utf-8") == seed.markdown
    other = import_notes("# T\n\n# S\n\nCzym jest X\n?\nY\n")
    write_deck(other, dest, force=True)
    assert dest.read_bytes() == other.markdown.encode("utf-8")
    assert sorted(p.name for p in dest.parent.iterdir()) == ["deck.md"]


# --------------------------------------------------------------------------- heuristics, one by one


def imp(text: str, **kw) -> ImportResult:
    result = import_notes(text, **kw)
    check_format(result.markdown)
    return result


@pytest.mark.parametrize("marker", ["?", "2", "- ?", " ?  "])
def test_marker_makes_a_certain_question(marker: str) -> None:
    r = imp(f"# T\n\n# S\n\nZwykła linia bez słowa pytającego\n\n{marker}\n\nOdpowiedź.\n")
    assert cards(r.markdown) == [("Zwykła linia bez słowa pytającego", "zwykla-linia-bez-slowa-pytajacego")]
    assert answers(r.markdown) == {"Zwykła linia bez słowa pytającego": "Odpowiedź."}
    assert not any("guessed" in message(n) for n in r.notes)


def test_two_marker_under_a_statement_is_flagged() -> None:
    r = imp("# T\n\n# S\n\nZwykła linia\n\n2\n\nOdpowiedź.\n")
    assert [q for q, _ in cards(r.markdown)] == ["Zwykła linia"]
    assert any("'2' on line 7" in m for m in notes_at(r, 5))


def test_two_alone_under_a_question_is_its_answer() -> None:
    r = imp("# T\n\n# S\n\nIle wyjść ma ADALINE?\n\n2\n\nCzym jest X\n\n?\n\nY\n")
    assert answers(r.markdown) == {"Ile wyjść ma ADALINE?": "2", "Czym jest X": "Y"}
    assert any("'2'" in m for m in notes_at(r, 5))


@pytest.mark.parametrize("question", [
    "Czym jest dropout", "Na czym polega L2", "Dlaczego ReLU", "Wymień optymalizatory",
    "What is a CNN", "Explain pooling", "Sieć splotowa w dwóch zdaniach?",
])
def test_guessed_question_without_marker(question: str) -> None:
    r = imp(f"# T\n\n# S\n\nCzym jest A\n?\nB\n\n{question}\n\nOdpowiedź.\n")
    assert [q for q, _ in cards(r.markdown)] == ["Czym jest A", question]
    assert notes_at(r, 9) == [f"guessed question without a ? marker: '{question}'"]


@pytest.mark.parametrize("line", [
    "- Czym jest X",  # in a list
    "1. Jak to działa",  # in a list
    "Czym " + "bardzo " * 30 + "długie",  # too long
    "$Co = 1$",  # math
    "Jakość danych jest ważna",  # "Jak" is not a word of its own here
    "jak widać, działa",  # question words are capitalised
])
def test_not_a_guessed_question(line: str) -> None:
    r = imp(f"# T\n\n# S\n\nCzym jest A\n?\nB\n\n{line}\n")
    assert [q for q, _ in cards(r.markdown)] == ["Czym jest A"]


def test_question_needs_a_blank_line_before() -> None:
    r = imp("# T\n\n# S\n\nCzym jest A\n?\nPierwsze zdanie odpowiedzi\nCzym to nie jest: pytaniem\n")
    assert [q for q, _ in cards(r.markdown)] == ["Czym jest A"]


def test_first_line_of_an_answer_is_never_a_guessed_question() -> None:
    r = imp("# T\n\n# S\n\nCzym jest A\n\n?\n\nJak widać, niczym.\n")
    assert answers(r.markdown) == {"Czym jest A": "Jak widać, niczym."}


def test_lines_inside_display_math_are_not_questions() -> None:
    r = imp("# T\n\n# S\n\nCzym jest A\n?\n$$\n\nCzym x\n$$\n")
    assert [q for q, _ in cards(r.markdown)] == ["Czym jest A"]
    assert answers(r.markdown)["Czym jest A"] == "$$\nCzym x\n$$"
    assert any("blank line inside $$" in m for m in notes_at(r, 8))


def test_comparison_topic_is_a_guessed_question() -> None:
    r = imp("# T\n\n# S\n\nCzym jest A\n?\nB\n\nPrecision vs recall\n\nDwie metryki.\n")
    assert [q for q, _ in cards(r.markdown)] == ["Czym jest A", "Precision vs recall"]
    assert any("guessed question" in m for m in notes_at(r, 9))


def test_headings_question_section_and_bold() -> None:
    text = "\n".join([
        "# Notatki",  # 1 title
        "",
        "# Wykład 2",  # 3 section
        "",
        "#### Czym jest softmax",  # 5 heading question with a marker
        "?",
        "# **Wzór**",  # 7 heading right after a marker: bold answer text
        "$$a=b$$",
        "",
        "## Czym jest VGG",  # 10 heading question without a marker (guessed)
        "",
        "Dużo warstw.",
        "",
        "## Wykład 3",  # 14 a section again
        "",
        "Czym jest ResNet",
        "?",
        "Skróty.",
    ])
    r = imp(text)
    assert sections(r.markdown) == ["Wykład 2", "Wykład 3"]
    assert [q for q, _ in cards(r.markdown)] == ["Czym jest softmax", "Czym jest VGG", "Czym jest ResNet"]
    assert answers(r.markdown)["Czym jest softmax"] == "**Wzór**\n\n$$a=b$$"
    assert any("treated as a question" in m for m in notes_at(r, 5))
    assert any("bold answer text" in m for m in notes_at(r, 7))
    assert any("treated as a question" in m and "guessed" in m for m in notes_at(r, 10))
    assert r.markdown.startswith("---\ntitle: Notatki\n")


def test_question_before_any_section_goes_to_a_named_section() -> None:
    r = imp("# Moje notatki\n\nCzym jest A\n?\nB\n")
    assert sections(r.markdown) == ["Moje notatki"]
    assert any("before any section" in m for m in notes_at(r, 3))
    r = imp("Czym jest A\n?\nB\n")
    assert sections(r.markdown) == ["Ogólne"] and r.markdown.startswith("---\ntitle: Fiszki\n")
    assert any("title" in m for m in notes_at(r, 1))


def test_given_title_wins() -> None:
    r = imp("# NN Fiszki\n\n# S\n\nCzym jest A\n?\nB\n", title="Egzamin: sieci")
    assert r.markdown.startswith('---\ntitle: "Egzamin: sieci"\nlang: pl\n---\n')
    assert sections(r.markdown) == ["S"]


def test_not_a_question_line_stays_in_the_previous_answer() -> None:
    r = imp("# T\n\n# S\n\nCzym jest A\n?\nB\n\nCzym jest C (to nie jest pytanie)\n")
    assert answers(r.markdown) == {"Czym jest A": "B\n\nCzym jest C (to nie jest pytanie)"}
    assert any("not a question" in m for m in notes_at(r, 9))


def test_empty_answer_gets_a_placeholder() -> None:
    r = imp("# T\n\n# S\n\nCzym jest A\n?\n\n\nCzym jest B\n?\nB\n")
    assert answers(r.markdown)["Czym jest A"] == "(brak odpowiedzi w notatkach)"
    assert any("no answer" in m for m in notes_at(r, 5))
    r = imp("# T\n\n# S\n\nWhat is A\n?\n", lang="en")
    assert answers(r.markdown)["What is A"] == "(no answer in the notes)"
    assert "\nlang: en\n" in r.markdown and sections(r.markdown) == ["S"]


def test_unknown_language() -> None:
    with pytest.raises(ValueError, match="unknown language"):
        read_notes("x", Path("notes.txt"), ImportOptions(lang="de"))


def test_latex_repairs_are_noted_with_their_line() -> None:
    text = "# T\n\n# S\n\nCzym jest A\n?\n$x = rac{1}{2}$ i $\\frac{3}{4}$\n\nSkok ightarrow 0 oraz $a \\rightarrow b$\n"
    r = imp(text)
    a = answers(r.markdown)["Czym jest A"]
    assert a == "$x = \\frac{1}{2}$ i $\\frac{3}{4}$\n\nSkok $\\rightarrow$ 0 oraz $a \\rightarrow b$"
    assert notes_at(r, 7) == ["repaired damaged LaTeX 'rac{' -> '\\frac{'"]
    assert notes_at(r, 9) == ["repaired damaged LaTeX 'ightarrow' -> '$\\rightarrow$'"]


def test_right_broken_across_lines_is_joined() -> None:
    r = imp("# T\n\n# S\n\nCzym jest A\n?\n$\\left[ x\n  ight]$ koniec\n")
    assert answers(r.markdown)["Czym jest A"] == "$\\left[ x\\right]$ koniec"
    assert any("lost '\\r'" in m for m in notes_at(r, 8))


def test_form_feed_and_carriage_return_characters() -> None:
    r = imp("# T\n\n# S\n\nCzym jest A\n?\n$\x0crac{1}{2} \rightarrow 0$\n")
    assert answers(r.markdown)["Czym jest A"] == "$\\frac{1}{2} \\rightarrow 0$"
    assert notes_at(r, 7)


def test_inline_math_padding_and_spaces() -> None:
    r = imp("# T\n\n# S\n\nCzym jest A\n?\nWzór  $ a  +  b $  i   tyle.   \n\n\n\n\nDalej $$ x $$\n")
    assert answers(r.markdown)["Czym jest A"] == "Wzór $a  +  b$ i tyle.\n\nDalej $$ x $$"


def test_tab_rows_become_a_table() -> None:
    r = imp("# T\n\n# S\n\nCzym jest A\n?\nTekst\na\tb|c\n1\t2\n\tx\ty\n")
    assert answers(r.markdown)["Czym jest A"] == "Tekst\n\n| a | b\\|c |\n| --- | --- |\n| 1 | 2 |\n\nx y"
    assert notes_at(r, 8) == ["tab-separated rows turned into a table; check the header"]


def test_single_tab_row_is_not_a_table() -> None:
    r = imp("# T\n\n# S\n\nCzym jest A\n?\na\tb\n")
    assert answers(r.markdown)["Czym jest A"] == "a b"
    assert not any("table" in message(n) for n in r.notes)


def test_dashed_numbers_become_an_ordered_list() -> None:
    r = imp("# T\n\n# S\n\nCzym jest A\n?\n- 1. raz\n- 2. dwa\n- trzy\n- 4. cztery\n")
    # "4." after a bullet needs a blank line, else it would be lazy text of "trzy"
    assert answers(r.markdown)["Czym jest A"] == "1. raz\n2. dwa\n- trzy\n\n4. cztery"


def test_stray_markers_are_removed() -> None:
    r = imp("# T\n\n# S\n\nCzym jest A\n?\n[\\*] \n$$x$$\nTekst [*] dalej\n")
    assert answers(r.markdown)["Czym jest A"] == "$$x$$\n\nTekst dalej"
    assert notes_at(r, 7) and notes_at(r, 9)


def test_display_math_gets_its_own_paragraph() -> None:
    r = imp("# T\n\n# S\n\nCzym jest A\n?\nCross Entropy -\n$$H = 1$$\nPo wzorze.\n")
    assert answers(r.markdown)["Czym jest A"] == "Cross Entropy -\n\n$$H = 1$$\n\nPo wzorze."


def test_ids_are_ascii_unique_and_short() -> None:
    q = "Zażółć gęślą jaźń w bardzo długim pytaniu o coś zupełnie innego"
    r = imp(f"# T\n\n# S\n\n{q}\n?\nA\n\n{q}\n?\nB\n\n{q}\n?\nC\n")
    ids = [i for _, i in cards(r.markdown)]
    assert ids[0] == "zazolc-gesla-jazn-w-bardzo-dlugim-pytaniu-o-cos"
    assert ids[1:] == [ids[0] + "-2", ids[0] + "-3"]
    assert all(ID_RE.match(i) for i in ids)


def test_text_outside_cards_is_noted() -> None:
    r = imp("# T\n\n# S\n\nWstęp do sekcji.\n\nCzym jest A\n?\nB\n")
    assert "Wstęp" not in r.markdown
    assert any("outside any card" in m for m in notes_at(r, 5))


# --------------------------------------------------------------------------- valid Markdown passes through


def test_a_deck_through_the_notes_importer_keeps_cards_ids_tags_title_and_math() -> None:
    """content/deck.md is valid Markdown: the notes importer used to lose two cards, the title,
    double the attribute blocks and turn "$$" + newline + "m_t = …" into "$$\\rm_t"."""
    from builder.deck import parse_deck_text

    text = DEFAULT_DECK.read_text(encoding="utf-8")
    original = parse_deck_text(text, DEFAULT_DECK)
    result = import_notes(text)
    imported = parse_deck_text(result.markdown, Path("imported.md"))
    assert [(c.question, c.id, c.tags, c.section) for c in imported.cards] == \
        [(c.question, c.id, c.tags, c.section) for c in original.cards]
    assert len(imported.cards) == 47
    assert imported.meta["title"] == "Sieci neuronowe 2024" and imported.meta["lang"] == "pl"
    assert imported.meta["subtitle"] == "Fiszki do egzaminu" and imported.meta["course"] == "Sieci neuronowe"
    assert "$$\nm_t = \\beta_1 m_{t-1}" in result.markdown and "\\rm_t" not in result.markdown
    assert not re.search(r"\} \{#", result.markdown), "attribute blocks are not doubled"


def test_ids_and_tags_on_questions_are_kept() -> None:
    r = imp("# T\n\n# S\n\nCzym jest A {#a .egzamin .core}\n?\nB\n")
    assert "## Czym jest A {#a .egzamin .core}\nB" in r.markdown


LONG_HASH_LINE = "# #" + " " * 69_994 + "# #"  # 70 kB of "#" and whitespace


@pytest.mark.parametrize("kind", ["auto", "notes", "markdown"])
def test_a_70_kB_line_of_hashes_and_spaces_ends_at_once(tmp_path: Path, kind: str) -> None:
    """Issue 18: a backtracking heading pattern took 85 s on this line (quadratic in its length);
    the heading is now read in one pass. The timeout is a hang guard, 100x the time it takes."""
    notes = tmp_path / "notes.txt"
    notes.write_text(LONG_HASH_LINE + "\n", encoding="utf-8")
    out = tmp_path / "deck.md"
    result = run_fiszki("import", str(notes), "--from", kind, "-o", str(out), timeout=30)
    assert result.code == 1, result.stderr
    assert "no cards found" in result.stderr and not out.exists()

