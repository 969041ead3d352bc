"""Front matter of an imported Markdown file, read leniently and safely.

A deck's own reader (builder.deck) refuses unknown keys; notes from Obsidian and elsewhere have
many (`tags`, `aliases`, `created` …), so here every key is read and the importer decides what to
keep. YAML anchors and aliases are refused before anything is built from them (a "billion
laughs" of aliases would otherwise fill the memory), and so is front matter longer than
MAX_FRONT_MATTER.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from builder.errors import ContentError, Problem

MAX_FRONT_MATTER = 64 * 1024  # characters; a real deck's front matter is a few hundred


@dataclass
class FrontMatter:
    values: dict[str, object] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # key -> its line in the file
    end_line: int = 0  # the closing `---` line (0: no front matter)


def split_front_matter(text: str, display: str) -> tuple[FrontMatter, list[str]]:
    """The front matter and the file's lines, front matter blanked so line numbers stay the file's."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return FrontMatter(), lines
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return FrontMatter(), lines  # a rule at the top of the notes, not front matter
    source = "\n".join(lines[1:end])
    if len(source) > MAX_FRONT_MATTER:
        raise ContentError(Problem(f"the front matter is longer than {MAX_FRONT_MATTER // 1024} kB",
                                   file=display, line=1))
    front = FrontMatter(end_line=end + 1)
    try:
        for event in yaml.parse(source, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise ContentError(Problem("the front matter uses YAML anchors or aliases (& or *), which "
                                           "fiszki does not read", file=display,
                                           line=event.start_mark.line + 2))
        node = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ContentError(Problem(f"front matter is not valid YAML: {getattr(exc, 'problem', None) or exc}",
                                   file=display, line=mark.line + 2 if mark else 1)) from None
    except RecursionError:
        raise ContentError(Problem("front matter is nested too deeply", file=display, line=2)) from None
    if isinstance(node, yaml.MappingNode):
        loader = yaml.SafeLoader("")
        for key, value in node.value:
            name = str(key.value)
            try:
                front.values[name] = loader.construct_object(value, deep=True)
            except yaml.YAMLError:
                front.values[name] = value.value if isinstance(value.value, str) else None
            front.lines[name] = key.start_mark.line + 2
    blanked = [""] * (end + 1) + lines[end + 1:]
    return front, blanked
