"""Benchmark fiszki against the cost of pdflatex itself. Run: `python -m bench` (or `make bench`).

Every figure is a median of several runs of the real command line (Python start-up included);
ratios are to the floor measured in the same run, so a noisy machine shifts both alike.
"""
from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.synth import synthetic_deck

ROOT = Path(__file__).resolve().parent.parent
FISZKI = [sys.executable, "-m", "builder", "-q"]


def timed(cmd: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})})
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{proc.stderr}")
    return elapsed


def median_of(runs: int, make_cmd, before=None) -> float:
    times = []
    for i in range(runs):
        if before:
            before(i)
        times.append(timed(make_cmd()))
    return statistics.median(times)


def floor_tex(deck_path: Path) -> str:
    """The same cards' text as plain boxes in a picture, 10 per page, no fitting: pdflatex's own cost."""
    from builder.deck import read_deck
    from builder.rendered import RenderedCards

    deck = read_deck(deck_path)
    rendered = RenderedCards(deck, deck.cards, keep_going=True).finish()
    from builder.latex import environment

    preamble = environment().get_template("preamble.tex.j2").render(language=deck.language, title="floor",
                                                                  version="bench")
    pages, page = [], []
    for i, card in enumerate(deck.cards):
        front, back = rendered[card].sides()
        x, y = 20 + 250 * (i % 2), 700 - 150 * ((i // 2) % 5)
        page.append(f"\\put({x},{y}){{\\parbox[t]{{230bp}}{{\\fontsize{{8}}{{9.5}}\\selectfont {front}\\par {back}}}}}")
        if len(page) == 10 or i == len(deck.cards) - 1:
            pages.append("\\noindent\\begin{picture}(0,0)\n" + "\n".join(page) + "\n\\end{picture}\\newpage")
            page = []
    # The cards' formulas as plain math: the templates' \fzdisplay and \fzinline also fit them.
    plain_math = "\\newcommand\\fzdisplay[2]{\\[#1\\]}\\newcommand\\fzinline[1]{$#1$}\n"
    return (preamble + plain_math + "\\setlength{\\unitlength}{1bp}\\usepackage[margin=0pt]{geometry}\n\\begin{document}\n"
            + "\n".join(pages) + "\n\\end{document}\n")


def pdflatex_once(tex: str, work: Path) -> float:
    from builder.tex.run import tex_environment

    (work / "floor.tex").write_text(tex, encoding="utf-8")
    start = time.perf_counter()
    subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "floor.tex"], cwd=work,
                   env=tex_environment(), capture_output=True, check=True)
    return time.perf_counter() - start


def peak_memory(cmd: list[str]) -> tuple[float, float]:
    """Peak RSS (MB) of the fiszki process itself and of its largest pdflatex child."""
    probe = ("import resource, sys; sys.argv = ['fiszki'] + sys.argv[1:]\n"
             "from builder.cli import main\n"  # not run(): it leaves by os._exit, before the report
             "try:\n main()\n"
             "except SystemExit: pass\n"
             "own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
             "kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
             "sys.stderr.write(f'PEAK {own} {kids}\\n')")
    proc = subprocess.run([sys.executable, "-c", probe, *cmd], cwd=ROOT, capture_output=True, text=True)
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("PEAK")][-1]
    own, kids = (int(v) / 1024 for v in line.split()[1:])
    return own, kids


def plot_figures(runs: int, work: Path) -> tuple[dict[str, float], dict[str, float]]:
    """The default deck (three plots) against the same deck without its plot blocks: each round
    builds all three ways in turn, the plot cache warm, then empty (every plot compiled)."""
    with_plots = ROOT / "content" / "deck.md"
    without = work / "no-plots" / "deck.md"
    without.parent.mkdir()
    without.write_text(re.sub(r"```plot\n.*?```\n", "", with_plots.read_text(encoding="utf-8"), flags=re.S),
                       encoding="utf-8")
    warm_cache = work / "plot-cache"
    names = ("(f) default deck without its 3 plots", "(g) default deck, plots from the cache (warm)",
             "(h) default deck, every plot compiled (cold)")
    times: dict[str, list[float]] = {name: [] for name in names}

    def build(deck: Path, cache: Path) -> float:
        return timed(FISZKI + ["build", str(deck), "--out", str(work / "out-plots"), "--no-cache"],
                     env={"FISZKI_CACHE_DIR": str(cache)})

    build(with_plots, warm_cache)  # fill the cache
    for i in range(runs):
        times[names[0]].append(build(without, warm_cache))
        times[names[1]].append(build(with_plots, warm_cache))
        times[names[2]].append(build(with_plots, work / f"cold-cache-{i}"))
    figures = {name: statistics.median(t) for name, t in times.items()}
    ratios = {name: statistics.median(t / f for t, f in zip(times[name], times[names[0]])) for name in names}
    return figures, ratios


def print_plot_figures(figures: dict[str, float], ratios: dict[str, float]) -> None:
    width = max(len(k) for k in figures)
    print(f"\n{'plots':<{width}}  {'median s':>9}  {'× (f)':>8}")
    for name, value in figures.items():
        print(f"{name:<{width}}  {value:9.3f}  {ratios[name]:8.2f}")
    print("(× (f): median of the rounds' ratios; each round builds (f), (g), (h) in turn)")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per small figure (median)")
    parser.add_argument("--big-runs", type=int, default=5, help="runs per 1000-card figure (median)")
    parser.add_argument("--cards", type=int, default=1000)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--plots-only", action="store_true", help="only the plot figures (f)-(h)")
    args = parser.parse_args()
    # Byte-code as an installed package has it (pip compiles on install; an editable install
    # writes it on first use, unless PYTHONDONTWRITEBYTECODE is set, as on CI machines).
    compileall.compile_dir(ROOT / "builder", quiet=1)

    with tempfile.TemporaryDirectory(prefix="fiszki-bench-") as tmp:
        plots = plot_figures(args.runs, Path(tmp))
    if args.plots_only:
        print_plot_figures(*plots)
        return
    with tempfile.TemporaryDirectory(prefix="fiszki-bench-") as tmp:
        work = Path(tmp)
        big = work / "big" / "synthetic.md"
        big.parent.mkdir()
        big.write_text(synthetic_deck(args.cards), encoding="utf-8")
        original = big.read_text(encoding="utf-8")
        default = ROOT / "content" / "deck.md"
        out_a, out_b = work / "out-default", work / "out-big"
        floor_dir = work / "floor"
        floor_dir.mkdir()
        tex = floor_tex(big)
        floor_name = f"floor: {args.cards} cards as plain boxes, one pass"

        # The machine's speed drifts by a fifth within minutes: every 1000-card run is paired with
        # a floor run just before it, and its ratio is the median of the pairs' ratios.
        floors: list[float] = []
        paired: dict[str, list[tuple[float, float]]] = {}

        def pair(name: str, cmd: list[str]) -> None:
            floors.append(pdflatex_once(tex, floor_dir))
            paired.setdefault(name, []).append((timed(cmd), floors[-1]))

        def edit(i: int) -> None:
            big.write_text(original.replace("{#c500}\n", f"{{#c500}}\nEdycja numer {i}.\n\n", 1), encoding="utf-8")

        full_b = f"(b) {args.cards}-card deck, full build + checks"
        edit_d = f"(d) {args.cards}-card deck, rebuild after editing one card"
        timed(FISZKI + ["build", str(big), "--out", str(out_b), "--no-cache"])  # warm the file caches
        for i in range(args.big_runs):
            pair(full_b, FISZKI + ["build", str(big), "--out", str(out_b), "--no-cache"])
            edit(i)
            pair(edit_d, FISZKI + ["build", str(big), "--out", str(out_b)])
        big.write_text(original, encoding="utf-8")
        timed(FISZKI + ["build", str(big), "--out", str(out_b)])  # fill the cache

        figures: dict[str, float] = {}
        empty = "\\documentclass{article}\\begin{document}x\\end{document}\n"
        figures["pdflatex, empty document"] = statistics.median(pdflatex_once(empty, floor_dir) for _ in range(args.runs))
        figures[floor_name] = statistics.median(floors)
        figures["fiszki --help"] = median_of(args.runs, lambda: FISZKI + ["--help"])
        figures["(a) default deck, full build + checks"] = median_of(
            args.runs, lambda: FISZKI + ["build", str(default), "--out", str(out_a), "--no-cache"])
        figures[full_b] = statistics.median(t for t, _ in paired[full_b])
        figures[f"(c) {args.cards}-card deck, rebuild, nothing changed"] = median_of(
            args.runs, lambda: FISZKI + ["build", str(big), "--out", str(out_b)])
        figures[edit_d] = statistics.median(t for t, _ in paired[edit_d])
        figures[f"(e) fiszki check, {args.cards}-card flashcards PDF"] = median_of(
            args.runs, lambda: FISZKI + ["check", str(out_b / "flashcards.pdf")])
        own, kids = peak_memory(["-q", "build", str(big), "--out", str(work / "out-mem"), "--no-cache"])

    floor = figures[floor_name]
    ratios = {name: statistics.median(t / f for t, f in runs) for name, runs in paired.items()}
    width = max(len(k) for k in figures)
    print(f"{'figure':<{width}}  {'median s':>9}  {'× floor':>8}")
    for name, value in figures.items():
        mark = "*" if name in ratios else " "
        print(f"{name:<{width}}  {value:9.3f}  {ratios.get(name, value / floor):8.2f}{mark}")
    print(f"* median of {args.big_runs} runs each paired with a floor run (pairs: "
          + "; ".join(f"{n[:3]} " + " ".join(f"{t / f:.2f}" for t, f in runs) for n, runs in paired.items()) + ")")
    print(f"peak memory of a {args.cards}-card build: fiszki process {own:.0f} MB, "
          f"largest pdflatex {kids:.0f} MB (two run at once: ≤ {own + 2 * kids:.0f} MB in all)")
    print_plot_figures(*plots)
    if args.json:
        args.json.write_text(json.dumps({"figures": figures, "ratios": ratios,
                                         "peak_mb": {"fiszki": own, "pdflatex": kids},
                                         "plots": {"figures": plots[0], "ratios": plots[1]}}, indent=1))


if __name__ == "__main__":
    main()
