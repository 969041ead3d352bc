"""The contract between Python and the templates (builder/tex/contract.py) holds on both sides."""
from __future__ import annotations

import re

import pytest

from builder import templates_dir
from builder.tex import contract
from tests.conftest import ROOT

BUILDER = ROOT / "builder"
# How templates define what Python may emit: commands, conditionals, registers, environments, lists.
_DEFINED = re.compile(r"\\(?:newcommand|renewcommand|def|let|newbox|newsavebox|newdimen|newcount|newif)"
                      r"\s*\{?\\(?:if)?(fz[A-Za-z@]+)")
_DEFINED_ENV = re.compile(r"\\(?:newenvironment|newlist)\s*\{(fz[A-Za-z]+)\}")
# What Python emits, as written in its string literals (escaped backslashes included).
_EMITTED = re.compile(r"\\\\?(fz[A-Za-z]+)")
_EMITTED_ENV = re.compile(r"\\\\?begin\{(fz[A-Za-z]+)\}")


def _templates() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(templates_dir().glob("*.j2")))


def _python_sources() -> dict[str, str]:
    return {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in sorted(BUILDER.rglob("*.py"))}


def test_every_fz_macro_python_emits_is_defined_in_a_template():
    tex = _templates()
    defined = set(_DEFINED.findall(tex)) | set(_DEFINED_ENV.findall(tex))
    missing = {}
    for path, source in _python_sources().items():
        emitted = set(_EMITTED.findall(source)) | set(_EMITTED_ENV.findall(source))
        emitted = {name for name in emitted if not name.startswith("fzif")}
        if emitted - defined:
            missing[path] = sorted(emitted - defined)
    assert not missing, f"emitted by Python but defined in no template: {missing}"
    assert {"fzerror", "fzimage", "fzdisplay", "fzcode", "fzsep"} <= defined  # the scan sees definitions


def test_the_templates_take_the_contract_s_strings_from_python():
    """Markers, kinds and the cheat sheet's column gap come from contract.py, never typed twice."""
    tex = _templates()
    assert "fiszki-source" not in tex
    for kind in (contract.KIND_FLASHCARDS, contract.KIND_CHEATSHEET, contract.KIND_CALIBRATION, contract.KIND_STUDY):
        assert f"/Kind /{kind}" not in tex
    assert "2mm" not in tex and "((= gap_min =))" in tex


def test_side_keys_and_card_names_read_back_what_they_write():
    for number, part, side in ((12, None, "back"), (3, 2, "front"), (7, 1, "back")):
        key = contract.side_key(number, part, side)
        assert contract.parse_key(key) == (number, part or 1, side)
        card = f"{number}p{part}" if part and part > 1 else str(number)
        assert contract.parse_card_name(contract.card_name(key)) == (card, side)
    assert contract.parse_card_name("footer") is None and contract.parse_card_name("card-x-back") is None


def test_a_source_marker_names_its_card():
    tex = f"a\n{contract.MARKER_PREFIX}{contract.source(3, 'back', 17)}\nb\nc\n"
    marker = contract.marker_before(tex, 4)
    assert marker == "card 3 back line 17" and contract.marker_card(marker) == 3
    assert contract.marker_before(tex, 1) is None and contract.marker_card(None) is None


def test_the_readme_s_module_tree_lists_every_module():
    """README's "How it works" names each module of builder/ once: no more, no fewer."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tree = readme.split("## How it works", 1)[1].split("```", 2)[1]
    listed, folder = set(), ""
    for line in tree.splitlines()[2:]:
        name = line.split()[0] if line.strip() else ""
        if name.endswith("/"):
            folder = name
        elif name.endswith(".py"):
            listed.add((folder if line.startswith("    ") else "") + name)
    modules = {str(p.relative_to(BUILDER)) for p in BUILDER.rglob("*.py")
               if p.name not in ("__init__.py", "__main__.py")}
    assert listed == modules


@pytest.mark.tex
def test_the_label_fits_the_height_python_gives_it(small_build):
    """The template boxes each side's label in contract.LABEL_H: a label taller than that would
    be an overfull box in the log (and the text area below it would be too tall)."""
    log = (small_build / "flashcards.log").read_text(encoding="utf-8", errors="replace")
    assert "FISZKI FIT" in log and "Overfull \\vbox" not in log


def _imports(path, modules: set[str]) -> set[str]:
    """The builder modules a module names in any import statement (inside functions too); a name
    imported from a package is its submodule when there is one, else the package."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("builder"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in modules else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("builder"))
    return found


def test_no_module_of_builder_imports_one_that_imports_it_back():
    """One-way imports keep the layers readable: a circle, even through a function-level or a
    type-only import, means two modules share a job that belongs in one of them."""
    modules = {}
    for path in BUILDER.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    graph = {name: {m for m in _imports(path, set(modules)) if m in modules and m != name}
             for name, path in modules.items()}
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> list[str] | None:
        state[name] = 1
        for other in sorted(graph[name]):
            if state.get(other) == 1:
                return trail + [name, other]
            if other not in state and (circle := visit(other, trail + [name])):
                return circle
        state[name] = 2
        return None

    for name in sorted(graph):
        if name not in state:
            circle = visit(name, [])
            assert circle is None, " -> ".join(circle)
