"""The `fiszki` command line. Heavy modules are imported inside commands so --help starts fast."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from builder import __version__

DEFAULT_DECK = Path("content") / "deck.md"
EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_TOOLCHAIN = 0, 1, 2, 3


class Reporter:
    """Progress and problems on stderr; -q keeps only errors, -v adds detail."""

    def __init__(self, verbosity: int):
        self.verbosity = verbosity
        self.start = time.monotonic()

    def progress(self, text: str) -> None:
        if self.verbosity >= 1:
            click.echo(f"fiszki: {text}", err=True)

    def detail(self, text: str) -> None:
        if self.verbosity >= 2:
            click.echo(f"fiszki: {text}", err=True)

    def warn(self, text: str) -> None:
        if self.verbosity >= 1:
            click.echo(f"warning: {text}", err=True)

    def error(self, text: str) -> None:
        click.echo(f"error: {text}", err=True)


def fail(reporter: Reporter, exc: BaseException) -> None:
    """Turn any of our errors into one line per problem and the right exit code; never a traceback."""
    from builder.errors import ContentError, FiszkiError
    from builder.geometry import GeometryError
    from builder.texrun import TexError, ToolchainError

    if isinstance(exc, ContentError):
        for w in exc.warnings:
            reporter.warn(str(w))
        for p in exc.problems:
            reporter.error(str(p))
        reporter.error(exc.summary())
        sys.exit(EXIT_CONTENT)
    if isinstance(exc, ToolchainError):
        reporter.error(str(exc))
        sys.exit(EXIT_TOOLCHAIN)
    if isinstance(exc, GeometryError):
        reporter.error(str(exc))
        sys.exit(EXIT_USAGE)
    if isinstance(exc, (FiszkiError, TexError)):
        reporter.error(str(exc))
        sys.exit(getattr(exc, "exit_code", EXIT_CONTENT))
    raise exc


class FiszkiGroup(click.Group):
    """Last wall: an unexpected exception becomes one line, not a traceback (-vv shows it)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("fiszki: interrupted; the output folder keeps its previous PDFs", err=True)
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001 - this is the boundary where we promise no traceback
            reporter = ctx.obj if isinstance(ctx.obj, Reporter) else Reporter(1)
            if reporter.verbosity >= 3:
                raise
            from builder.errors import FiszkiError
            from builder.texrun import TexError, ToolchainError

            if isinstance(exc, (FiszkiError, TexError, ToolchainError)):
                fail(reporter, exc)
            reporter.error(f"internal error: {type(exc).__name__}: {exc} "
                           "(this is a bug in fiszki; run with -vv to see where)")
            sys.exit(EXIT_CONTENT)


@click.group(cls=FiszkiGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="fiszki")
@click.option("-v", "--verbose", count=True, help="More detail on stderr (repeat for more).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """fiszki: double-sided flashcard sheets and a fitted cheat sheet from a Markdown deck.

    \b
    fiszki build                  # content/deck.md -> out/flashcards.pdf, out/cheatsheet.pdf
    fiszki build my.md --card a7  # another deck, bigger cards
    fiszki check out/flashcards.pdf
    fiszki import notes.txt -o content/notes.md

    Exit codes: 0 success, 1 content or TeX error, 2 usage error, 3 TeX missing.
    """
    ctx.obj = Reporter(0 if quiet else 1 + verbose)


def card_options(f):
    """Options shared by everything that lays out cards or the sheet."""
    opts = [
        click.option("--paper", help="a4 (default), letter, or WxH like 210x297mm."),
        click.option("--orientation", type=click.Choice(["portrait", "landscape"]), help="Paper orientation for the flashcards (default portrait)."),
        click.option("--card", help="Card size: a7, a8, business (default, 85x55mm), poker, index3x5, index4x6, or WxH like 90x50mm / 3x5in."),
        click.option("--grid", help="ROWSxCOLS instead of the most that fit, e.g. 4x2."),
        click.option("--margin", help="Printer-safe margin (default 5mm)."),
        click.option("--gutter", help="Space between cards (default 0)."),
        click.option("--flip", type=click.Choice(["long", "short"]), help="Duplex flip edge your printer uses (default long)."),
        click.option("--back-offset", help="X,Y in mm: shift back pages to match your printer (see fiszki calibrate)."),
        click.option("--overflow", type=click.Choice(["fail", "split"]), help="A card too long even at the minimum size: fail (default) or continue on an extra card."),
        click.option("--cut-marks", type=click.Choice(["crop", "dashed", "none"]), help="Crop marks in the margin (default), dashed cut lines, or none."),
        click.option("--min-size", type=float, help="Smallest font size on cards in pt (default 6)."),
        click.option("--pages", type=int, help="Cheat sheet: exactly this many pages (2 = both sides of a sheet)."),
        click.option("--columns", type=int, help="Cheat sheet: number of columns (default: chosen for the font size)."),
        click.option("--cheat-min-size", type=float, help="Cheat sheet: smallest legible font size in pt (default 5)."),
        click.option("--section", multiple=True, help="Only cards of sections whose name contains this (repeatable)."),
        click.option("--tag", multiple=True, help="Only cards with this tag (repeatable)."),
        click.option("--cards", help="Only these card numbers, e.g. 3-10,15."),
        click.option("--shuffle", is_flag=True, default=None, help="Shuffle the cards (numbers stay)."),
        click.option("--seed", type=int, help="Seed for --shuffle (default 0: the same order every time)."),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


OPTION_NAMES = ("paper", "orientation", "card", "grid", "margin", "gutter", "flip", "back_offset", "overflow",
                "cut_marks", "min_size", "pages", "columns", "cheat_min_size", "section", "tag", "cards",
                "shuffle", "seed")


@main.command()
@click.argument("decks", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("out"), show_default=True,
              help="Folder for the PDFs (created if missing).")
@click.option("--no-cache", is_flag=True, help="Rebuild even when nothing changed.")
@click.option("--keep-going", is_flag=True, help="Build what can be built; broken cards show an error box. Still exits 1.")
@card_options
@click.pass_obj
def build(reporter: Reporter, decks: tuple[Path, ...], out_dir: Path, no_cache: bool, keep_going: bool, **kwargs) -> None:
    """Build flashcards.pdf and cheatsheet.pdf from DECKS (default: content/deck.md)."""
    from builder.build import build_deck
    from builder.errors import FiszkiError
    from builder.texrun import TexError, ToolchainError

    options = {k: v for k, v in kwargs.items() if k in OPTION_NAMES}
    paths = list(decks) or [DEFAULT_DECK]
    if len({p.stem for p in paths}) != len(paths):
        raise click.UsageError("two decks share a file name; their PDFs would overwrite each other")
    for path in paths:
        try:
            result = build_deck(path, out_dir, options, several=len(paths) > 1, use_cache=not no_cache,
                                keep_going=keep_going, progress=reporter.progress)
        except (FiszkiError, TexError, ToolchainError) as exc:
            fail(reporter, exc)
        for w in result.warnings:
            reporter.warn(str(w))
        for o in result.outputs:
            if not o.cached:
                reporter.progress(f"wrote {o.path}: {o.summary}")
    reporter.detail(f"done in {time.monotonic() - reporter.start:.2f} s")


@main.command()
@click.argument("pdfs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report on stdout.")
@click.pass_obj
def check(reporter: Reporter, pdfs: tuple[Path, ...], as_json: bool) -> None:
    """Prove from the PDF itself that the sheets will print right.

    Flashcards: page sizes and rotation, fronts and backs in order, every card once on each side,
    every back behind its front for the recorded flip edge (within 0.5 pt), margins, overlaps.
    Cheat sheet: page count, size and orientation. Both: every font embedded. Exit 0 when all pass.
    """
    import json

    from builder.check import SHOWN_PER_KIND, check_file

    reports = [check_file(p) for p in pdfs]
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in reports], indent=2, ensure_ascii=False))
    else:
        limit = None if reporter.verbosity >= 2 else SHOWN_PER_KIND  # -v lists every problem
        for r in reports:
            for line in r.lines(limit):
                click.echo(line)
    sys.exit(EXIT_OK if all(r.ok for r in reports) else EXIT_CONTENT)


@main.command(name="import")
@click.argument("notes", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="The deck file to write, e.g. content/notes.md.")
@click.option("--title", help="Deck title (default: the notes' first heading).")
@click.option("--lang", default="pl", show_default=True, help="Language of the notes.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@click.pass_obj
def import_(reporter: Reporter, notes: Path, output: Path, title: str | None, lang: str, force: bool) -> None:
    """Turn loose notes (question, '?', answer) into a deck, listing every guess to review."""
    from builder.deck import decode_source
    from builder.errors import FiszkiError
    from builder.importer import import_notes, write_deck

    try:
        text = decode_source(notes.read_bytes(), str(notes))
    except FiszkiError as exc:
        fail(reporter, exc)
    result = import_notes(text, title=title, lang=lang)
    try:
        write_deck(result, output, force=force)
    except FileExistsError as exc:
        reporter.error(str(exc))
        sys.exit(EXIT_USAGE)
    for note in result.notes:
        reporter.warn(f"{notes}:{note.line}: {note.message}")
    reporter.progress(f"wrote {output}: {result.cards} cards in {result.sections} sections; "
                      f"{len(result.notes)} guesses to review")
