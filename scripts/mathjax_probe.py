"""Typeset every command the math allowlist accepts with the MathJax Anki ships, set up as Anki sets it up.

    npm install --prefix /tmp/mj mathjax@3.2.2      # the version in Anki's yarn.lock
    python scripts/mathjax_probe.py /tmp/mj/node_modules [--raw]

Each probe formula passes builder.mathcheck, goes through builder.mathjax.to_mathjax (unless --raw,
which shows what MathJax makes of the source as written) and is converted by MathJax in node. A
formula fails when MathJax reports an error, marks an undefined command (red), or shows a backslash
as text (a command it did not read). Prints the failures; exits 1 if there are any. This is where
the tables in builder/mathjax.py come from; run it again when the allowlist or Anki's MathJax changes.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from builder import mathcheck as M  # noqa: E402
from builder.mathjax import to_mathjax  # noqa: E402

# Anki's ts/mathjax/index.ts, with the bundle it loads (tex-chtml-full).
_NODE = r"""
const fs = require('fs');
const items = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
require('mathjax').init({
  loader: {load: ['input/tex-full', 'output/chtml', '[tex]/noerrors', '[tex]/mathtools']},
  tex: {displayMath: [['\\[', '\\]']], processEscapes: false, processEnvironments: false,
        processRefs: false, packages: {'[+]': ['noerrors', 'mathtools'], '[-]': ['textmacros']}},
  startup: {typeset: false},
}).then((MathJax) => {
  const out = items.map(([key, tex, display]) => {
    let mml = '', err = null;
    try { mml = MathJax.tex2mml(tex, {display}); } catch (e) { err = String(e.message || e); }
    const m = mml.match(/data-mjx-error="([^"]*)"/);
    if (m || /<merror/.test(mml)) err = m ? m[1] : 'error';
    else if (/mathcolor="red"/.test(mml)) err = 'undefined command';
    else if (/<mtext[^>]*>[^<]*\\/.test(mml)) err = 'a command shown as text';
    return [key, tex, err];
  });
  fs.writeFileSync(process.argv[3], JSON.stringify(out));
}).catch((e) => { console.error(e); process.exit(2); });
"""

_SPECIAL = {
    "left": r"\left( x \right)", "right": r"\left( x \right)", "middle": r"\left( a \middle| b \right)",
    "limits": r"\sum\limits_{i} x", "nolimits": r"\int\nolimits_{0} x", "displaylimits": r"\sum\displaylimits_{i} x",
    "hspace": r"a \hspace{1em} b", "mspace": r"a \mspace{3mu} b", "not": r"a \not= b",
    "substack": r"\sum_{\substack{i \\ j}} x", "mathop": r"\mathop{x}\limits_{i} y",
    "nonumber": r"\begin{aligned} a \nonumber \end{aligned}", "notag": r"\begin{aligned} a \notag \end{aligned}",
    "mathbb": r"\mathbb{R}", "mathcal": r"\mathcal{L}", "operatorname": r"\operatorname{sgn} x",
    "tag": None, "\\": None, "begin": None, "end": None,
}
_ENVIRONMENTS = {
    "array": r"\begin{array}{cc} a & b \\ c & d \end{array}",
    "subarray": r"\sum_{\begin{subarray}{l} i \\ j \end{subarray}} x",
    "alignedat": r"\begin{alignedat}{2} a &= b & c &= d \end{alignedat}",
    "gathered": r"\begin{gathered} a \\ b \end{gathered}",
}
_EXTRA = [
    (r"\sqrt[3]{x}", False), (r"\xrightarrow[a]{b}", False), (r"\cfrac[l]{1}{2}", False), (r"x \tag{1}", True),
    (r"x \tag*{A}", True), (r"\operatorname*{argmax}_{x} f", False), (r"\begin{aligned} a \\[2pt] b \end{aligned}", False),
    (r"\begin{split} a &= b \\ &= c \end{split}", True), (r"\text{a {b} c}", False), (r"x_\text{max}", False),
]


def _math_probe(name: str) -> str | None:
    if name in _SPECIAL:
        return _SPECIAL[name]
    if name in M.DELIMITER_TAKERS:
        return rf"\{name}( x \{name})" if name[-1] not in "lrm" else rf"\{name}( x"
    if name in M.TEXT_ARGUMENT:
        return rf"\{name}{{ab}}"
    if name in M.BIG_OPERATORS:
        return rf"\{name}_{{i}} x"
    arity = M.ARITY.get(name, 0)
    return "\\" + name + "{A}" * arity if arity else rf"a \{name} b"


def _text_probe(name: str) -> str | None:
    if name == "\\":
        return None
    if name in M.TEXT_ONLY:
        return rf"\text{{\{name}{{e}}}}"
    if name == "hspace":
        return r"\text{a \hspace{1em} b}"
    return rf"\text{{a \{name}{{b}} c}}" if M.ARITY.get(name, 0) else rf"\text{{a \{name} b}}"


def probes() -> list[tuple[str, str, bool]]:
    """(what, formula, display) for every command, environment and Unicode character the allowlist takes."""
    found = [(name, _math_probe(name), False) for name in sorted(M.MATH_COMMANDS)]
    found += [("text " + name, _text_probe(name), False) for name in sorted(M.TEXT_COMMANDS)]
    found += [("env " + env, _ENVIRONMENTS.get(env, rf"\begin{{{env}}} a & b \\ c & d \end{{{env}}}"), env == "split")
              for env in sorted(M.ALLOWED_ENVIRONMENTS)]
    found += [("char " + ch, f"a {ch} b", False) for ch in sorted(M.MATH_UNICODE)]
    found += [("text char " + ch, rf"\text{{a{ch}b}}", False) for ch in sorted(M.TEXT_SAFE)]
    found += [(tex, tex, display) for tex, display in _EXTRA]
    return [(what, tex, display) for what, tex, display in found
            if tex and not M.check_math(tex, display=display)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("node_modules", type=Path, help="a node_modules folder holding mathjax 3.2.2")
    ap.add_argument("--raw", action="store_true", help="probe the source as written, not to_mathjax's")
    args = ap.parse_args()
    items = [(what, tex if args.raw else to_mathjax(tex, display).source, display) for what, tex, display in probes()]
    with tempfile.TemporaryDirectory() as tmp:
        src, out, script = Path(tmp, "in.json"), Path(tmp, "out.json"), Path(tmp, "probe.js")
        src.write_text(json.dumps(items))
        script.write_text(_NODE)
        subprocess.run(["node", str(script), str(src), str(out)], check=True,
                       env={"NODE_PATH": str(args.node_modules.resolve()), "PATH": "/usr/bin:/bin:/usr/local/bin"})
        results = json.loads(out.read_text())
    failed = [(what, tex, err) for what, tex, err in results if err]
    for what, tex, err in failed:
        print(f"{what:24} {tex:40} {err}")
    print(f"{len(results)} formulas, {len(failed)} not shown as pdflatex shows them")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
