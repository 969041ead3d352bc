"""`fiszki build`: deck → checked PDFs in out/, replaced atomically, rebuilt only when changed."""
from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from builder import __version__
from builder.deck import Card, Deck, read_deck
from builder.errors import ContentError, FiszkiError, Problem
from builder.latex import templates_dir
from builder.options import Options, resolve, select_cards
from builder.render import RenderContext, error_box
from builder.texrun import TexError, marker_before, run_pdflatex

Progress = Callable[[str], None]


@dataclass
class Output:
    kind: str  # "flashcards" | "cheatsheet"
    path: Path
    pdf: bytes
    log: str
    summary: str  # one line for the user, e.g. "47 cards on 5 sheets"
    cached: bool = False


@dataclass
class BuildResult:
    deck: Deck
    outputs: list[Output]
    warnings: list[Problem] = field(default_factory=list)


def output_paths(out_dir: Path, deck: Deck, several: bool) -> dict[str, Path]:
    prefix = f"{deck.name}-" if several else ""
    return {kind: out_dir / f"{prefix}{kind}.pdf" for kind in ("flashcards", "cheatsheet")}


def atomic_write(path: Path, data: bytes) -> None:
    """Write next to the target and rename over it: readers see the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _fingerprint(deck: Deck, opts: Options, images: dict[str, bytes]) -> str:
    """Everything the PDFs depend on: deck text, options, fiszki version, templates, images."""
    h = hashlib.sha256()
    h.update(__version__.encode())
    h.update(deck.source.encode())
    h.update(repr(sorted(vars(opts).items())).encode())
    for tpl in sorted(templates_dir().glob("*.j2")):
        h.update(tpl.read_bytes())
    for name in sorted(images):
        h.update(name.encode())
    return h.hexdigest()


def _cache_file(out_dir: Path) -> Path:
    return out_dir / ".fiszki-cache.json"


def _cached(out_dir: Path, paths: dict[str, Path], fingerprint: str) -> bool:
    try:
        record = json.loads(_cache_file(out_dir).read_text())
    except (OSError, ValueError):
        return False
    for kind, path in paths.items():
        entry = record.get(str(path.name))
        if not entry or entry.get("fingerprint") != fingerprint or not path.exists():
            return False
        if hashlib.sha256(path.read_bytes()).hexdigest() != entry.get("sha256"):
            return False
    return True


def _remember(out_dir: Path, outputs: list[Output], fingerprint: str) -> None:
    path = _cache_file(out_dir)
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        record = {}
    for o in outputs:
        record[o.path.name] = {"fingerprint": fingerprint, "sha256": hashlib.sha256(o.pdf).hexdigest()}
    atomic_write(path, json.dumps(record, indent=1, sort_keys=True).encode())


def tex_problem(err: TexError, deck: Deck, cards: list[Card]) -> Problem:
    """Point a TeX error at its card through the `%% fiszki-source: card N side line L` markers."""
    marker = err.source_marker or ""
    parts = marker.split()
    card = None
    if len(parts) >= 2 and parts[0] == "card" and parts[1].isdigit():
        number = int(parts[1])
        card = next((c for c in cards if c.number == number), None)
    message = f"TeX cannot typeset this: {err.message}"
    if err.context:
        message += f" (near: {err.context[:60]})"
    if card:
        return Problem(message, file=deck.display_path, line=card.line, card_number=card.number,
                       question=card.question)
    return Problem(message, file=deck.display_path)


def render_bodies(deck: Deck, cards: list[Card], keep_going: bool) -> tuple[dict, dict[str, bytes], list[Problem], list[Problem]]:
    from builder.flashcards import render_sides

    ctx = RenderContext(deck_dir=deck.path.parent, display=deck.display_path)
    bodies = {}
    errors: list[Problem] = []
    for card in cards:
        before = len(ctx.problems)
        bodies.update(render_sides([card], ctx))
        new = ctx.problems[before:]
        if new:
            errors.extend(new)
            if keep_going:
                msg = error_box(f"card #{card.number} cannot be built: {new[0].message}")
                bodies[id(card)] = (msg, msg)
    return bodies, ctx.images, errors, ctx.warnings


def build_flashcards(deck: Deck, cards: list[Card], opts: Options, keep_going: bool,
                     progress: Progress) -> tuple[bytes, str, str, list[Problem]]:
    from builder import flashcards as fc

    layout = fc.plan_layout(opts)
    bodies, images, errors, warnings = render_bodies(deck, cards, keep_going)
    if errors and not keep_going:
        raise ContentError(errors)
    starts: dict[str, float] = {}
    for attempt in range(3):
        tex = fc.flashcards_tex(deck, cards, layout, opts, bodies, starts)
        try:
            result = run_pdflatex(tex, jobname="flashcards", files=images)
        except TexError as err:
            raise ContentError(tex_problem(err, deck, cards)) from None
        report = fc.read_fit(result.log)
        # Too wide at the fitted size (a long formula): start that side smaller and compile again.
        retry = {}
        for key, excess in report.too_wide.items():
            size = report.sizes.get(key, opts.min_size)
            if size > opts.min_size + 0.05:
                retry[key] = max(opts.min_size, size * fc_ratio(layout, excess) - 0.1)
        if report.overflow and opts.overflow == "split":
            cards, bodies = _split_overflowing(deck, cards, report, keep_going)
            continue
        if retry and attempt < 2:
            starts.update(retry)
            continue
        break
    problems = [_side_problem(deck, cards, key, f"does not fit the card even at {opts.min_size:g} pt "
                              f"(needs {need / avail:.0%} of the space)",
                              "shorten the answer, use a bigger --card, or --overflow split")
                for key, (need, avail) in report.overflow.items()]
    for key, excess in report.too_wide.items():
        warnings.append(_side_problem(deck, cards, key, f"a line is {excess:.1f} pt wider than the card",
                                      "break the formula (aligned) or use a bigger --card"))
    if problems and not keep_going:
        raise ContentError(problems)
    sheets = math.ceil(len(cards) / fc.plan_layout(opts).per_sheet)
    smallest = min(report.sizes.values(), default=0)
    summary = f"{len(cards)} cards on {sheets} sheet{'s' if sheets != 1 else ''} ({layout.rows}×{layout.cols}), " \
              f"smallest text {smallest:g} pt"
    return result.pdf, result.log, summary, warnings + errors + problems


def fc_ratio(layout, excess: float) -> float:
    from builder.flashcards import PAD

    inner = layout.card_w - 2 * PAD
    return inner / (inner + excess)


def _side_problem(deck: Deck, cards: list[Card], key: str, message: str, hint: str) -> Problem:
    number = int(key.split("-")[0].split("p")[0])
    card = next((c for c in cards if c.number == number), None)
    side = key.rsplit("-", 1)[-1]
    return Problem(f"{side} {message}", file=deck.display_path, line=card.line if card else None,
                   card_number=number, question=card.question if card else None, hint=hint)


def _split_overflowing(deck: Deck, cards: list[Card], report, keep_going: bool):
    from builder.flashcards import split_card

    over = {int(k.split("-")[0].split("p")[0]): v for k, v in report.overflow.items() if k.endswith("back")}
    new_cards: list[Card] = []
    for card in cards:
        if card.number in over and card.part is None:
            need, avail = over[card.number]
            new_cards.extend(split_card(card, math.ceil(need / avail * 1.15)))
        else:
            new_cards.append(card)
    bodies, _, _, _ = render_bodies(deck, new_cards, keep_going)
    return new_cards, bodies


def build_deck(deck_path: Path, out_dir: Path, cli_options: dict, *, several: bool = False,
               use_cache: bool = True, keep_going: bool = False, progress: Progress = lambda s: None) -> BuildResult:
    from builder.check import check_pdf

    deck = read_deck(deck_path)
    opts = resolve(deck, cli_options)
    cards = select_cards(deck, opts)
    paths = output_paths(out_dir, deck, several)
    fingerprint = _fingerprint(deck, opts, {})
    if use_cache and not keep_going and _cached(out_dir, paths, fingerprint):
        progress(f"{deck.display_path}: unchanged, PDFs are up to date")
        return BuildResult(deck, [Output(k, p, b"", "", "unchanged", cached=True) for k, p in paths.items()],
                           deck.warnings)

    progress(f"{deck.display_path}: compiling flashcards and cheat sheet ({len(cards)} cards)")
    with ThreadPoolExecutor(max_workers=2) as pool:
        fc_future = pool.submit(build_flashcards, deck, cards, opts, keep_going, progress)
        cs_future = pool.submit(_build_cheatsheet, deck, cards, opts)
        errors: list[BaseException] = []
        results = {}
        for kind, fut in (("flashcards", fc_future), ("cheatsheet", cs_future)):
            try:
                results[kind] = fut.result()
            except FiszkiError as exc:
                errors.append(exc)
    if errors:
        problems = [p for e in errors for p in getattr(e, "problems", [])]
        if problems:
            raise ContentError(problems)
        raise errors[0]
    fc_pdf, fc_log, fc_summary, fc_problems = results["flashcards"]
    cs_pdf, cs_log, cs_summary, cs_notes = results["cheatsheet"]
    outputs = [Output("flashcards", paths["flashcards"], fc_pdf, fc_log, fc_summary),
               Output("cheatsheet", paths["cheatsheet"], cs_pdf, cs_log, cs_summary)]
    progress(f"{deck.display_path}: checking the PDFs")
    for o in outputs:
        report = check_pdf(o.pdf, source=str(o.path))
        if not report.ok:
            raise FiszkiError(f"{o.path}: the finished PDF failed its check, previous output kept:\n"
                              + "\n".join(report.lines()))
    # Logs first: even a failed step leaves the expert something to read.
    for o in outputs:
        atomic_write(o.path.with_suffix(".log"), o.log.encode("utf-8", errors="replace"))
    hard = [p for p in fc_problems if keep_going and p in fc_problems]
    for o in outputs:
        atomic_write(o.path, o.pdf)
    if not keep_going:
        _remember(out_dir, outputs, fingerprint)
    result = BuildResult(deck, outputs, deck.warnings + fc_problems + cs_notes)
    if keep_going and hard:
        raise ContentError(hard)
    return result


def _build_cheatsheet(deck: Deck, cards: list[Card], opts: Options):
    from builder.cheatsheet import build_cheatsheet

    return build_cheatsheet(deck, cards, opts)
