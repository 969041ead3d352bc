"""\\begin{...} and \\end{...}: allowed environments, their arguments and columns, matched in pairs;
the display environments MathJax accepts inside $$...$$ read as their inner forms."""

from __future__ import annotations

import re

from builder import mathlimits
from builder.mathcheck.allowed import (ALLOWED_ENVIRONMENTS, COLUMN_LIMITS, DISPLAY_ENVIRONMENTS,
                                       ENV_ARGUMENTS, INNER_FORMS, UNWRAPPED)
from builder.mathcheck.cursor import Cursor, Frame, suggest
from builder.mathcheck.tokens import LENGTH

_ENV_ARGUMENT = {  # what the argument of ENV_ARGUMENTS may look like
    "array": re.compile(r"(?:[lcr| ]|[pmb]\{%s\}|@\{[^{}]*\}|\*\{\d+\}\{[lcr| ]+\})+"
                        % LENGTH.pattern),
    "subarray": re.compile(r"\s*[lcr]\s*"),
    "alignedat": re.compile(r"\s*[1-9]\d*\s*"),
}


class Environments(Cursor):
    """The scanner's part that reads environments."""

    def environment(self, off: int, j: int, begin: bool) -> int:
        got = self.raw_group(self.sig(j))
        env = got[0].strip() if got else ""
        if not re.fullmatch(r"[A-Za-z]+\*?", env):
            self.bad(f"\\{'begin' if begin else 'end'} must be followed by an "
                     "environment name in braces, e.g. {aligned}", off)
            return j
        after = got[1]
        user_env = env
        if env in INNER_FORMS:
            env = self.inner_form(off, j, after, INNER_FORMS[env])
        if begin and user_env in UNWRAPPED:
            self.push(Frame("env", off, "math", user_env, 1))
            return after
        if begin:
            if env in DISPLAY_ENVIRONMENTS:
                self.bad(f"environment {{{env}}} cannot be used inside math; "
                         "use aligned inside $$...$$", off)
            elif env not in ALLOWED_ENVIRONMENTS:
                self.bad(f"unknown environment {{{env}}}"
                         + suggest(env, ALLOWED_ENVIRONMENTS, ""), off)
            elif env == "split" and (not self.display or any(f.name not in UNWRAPPED for f in self.stack)):
                self.bad("split only works at the top level of display math; "
                         "use aligned", off)
            columns = COLUMN_LIMITS.get(env, 0)
            if env in ENV_ARGUMENTS:
                k = self.sig(self.skip_optional(after))
                end = self.pair.get(k) if self.is_ch(k, "{") else None
                spec = self.src[self.toks[k].off + 1:self.toks[end - 1].off] \
                    if end else ""
                if not _ENV_ARGUMENT[env].fullmatch(spec):
                    self.bad(f"\\begin{{{env}}} needs an argument like "
                             f"{ENV_ARGUMENTS[env]}", off)
                elif env == "array":
                    columns = mathlimits.array_columns(spec)
                    if columns > mathlimits.MAX_ARRAY_COLUMNS:
                        self.bad(f"\\begin{{array}} declares {columns} columns, at most "
                                 f"{mathlimits.MAX_ARRAY_COLUMNS}", off)
            self.push(Frame("env", off, "math", user_env, columns))
            self.row_start = self.pair.get(self.sig(self.skip_optional(after)), after) if env in ENV_ARGUMENTS else after
            return after
        envs = [f for f in self.stack if f.kind == "env"]
        if not envs:
            self.bad(f"\\end{{{env}}} has no matching \\begin{{{env}}}", off)
        elif envs[-1].name != user_env:  # wrong nesting: name both environments
            self.bad(f"\\end{{{user_env}}} does not match "
                     f"\\begin{{{envs[-1].name}}}", off)
        target = next((f for f in reversed(envs) if f.name == user_env),
                      envs[-1] if envs else None)
        if target:
            self.close(lambda f: f is target, "", off, quiet=envs[-1])
        return after

    def inner_form(self, off: int, j: int, after: int, inner: str) -> str:
        """\\begin{align} → \\begin{aligned} (and so on) for normalize_math; equation's
        \\begin and \\end become a space. Returns the environment to check it as."""
        if inner:
            name_at = self.toks[self.sig(j)].off + 1
            end = self.toks[after - 1].off  # its }
            self.subs[name_at] = inner
            self.subs.update((k, "") for k in range(name_at + 1, end))
            return inner
        self.subs[off] = " "
        self.subs.update((k, "") for k in range(off + 1, self.toks[after - 1].off + 1))
        return "equation"
