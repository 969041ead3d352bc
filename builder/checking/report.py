"""A check's findings: each problem a line of text with the page and card it concerns, and the
report's human and machine forms."""
from __future__ import annotations

from dataclasses import dataclass, field


MM = 72 / 25.4
SHOWN_PER_KIND = 12  # human report: problems of one kind listed before "… and N more"


class CheckProblem(str):
    """One problem as a line of text, with the page and card it concerns for machines (--json)."""

    kind: str
    page: int | None
    card: str | None

    def __new__(cls, message: str, kind: str = "other", page: int | None = None, card: str | None = None):
        self = super().__new__(cls, message)
        self.kind, self.page, self.card = kind, page, card
        return self


@dataclass
class CheckReport:
    source: str
    kind: str = "unknown"
    problems: list[str] = field(default_factory=list)  # CheckProblem, or plain str
    facts: dict = field(default_factory=dict)
    description: str = ""  # what was found, for the OK line, e.g. "47 cards on 10 pages"

    def add(self, message: str, kind: str = "other", page: int | None = None, card: str | None = None) -> None:
        self.problems.append(CheckProblem(message, kind, page, card))

    @property
    def ok(self) -> bool:
        return not self.problems and self.kind != "unknown"

    def summary(self) -> str:
        if self.kind == "unknown":
            return f"{self.source}: cannot check: {self.problems[0] if self.problems else 'not a fiszki PDF'}"
        if self.ok:
            detail = self.description or ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in self.facts.items())
            return f"{self.source}: OK ({self.kind}: {detail})"
        n = len(self.problems)
        return f"{self.source}: {n} problem{'s' if n != 1 else ''} ({self.kind}); it would not print right"

    def lines(self, limit: int | None = SHOWN_PER_KIND) -> list[str]:
        """One line per problem (at most `limit` of each kind, then a count), then the summary."""
        if self.kind == "unknown":
            return [self.summary()]
        shown: dict[str, int] = {}
        out = []
        for p in self.problems:
            kind = getattr(p, "kind", "other")
            shown[kind] = shown.get(kind, 0) + 1
            if limit is None or shown[kind] <= limit:
                out.append(f"{self.source}: {p}")
        for kind, count in shown.items():
            if limit is not None and count > limit:
                out.append(f"{self.source}: … and {count - limit} more {kind} problems like these "
                           "(`fiszki -v check` lists them all)")
        return out + [self.summary()]

    def as_dict(self) -> dict:
        problems = [{"message": str(p), "kind": getattr(p, "kind", "other"), "page": getattr(p, "page", None),
                     "card": getattr(p, "card", None)} for p in self.problems]
        return {"file": self.source, "kind": self.kind, "ok": self.ok, "problems": problems,
                "facts": self.facts, "summary": self.summary()}


def mm(points: float) -> str:
    return f"{points / MM:.1f}"


def pages_text(numbers: list[int]) -> str:
    """[1, 2, 3, 5] -> 'pages 1–3, 5'."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    text = ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in runs)
    return f"page{'s' if len(numbers) > 1 else ''} {text}"
