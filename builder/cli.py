"""The `fiszki` command line. Heavy modules are imported inside commands so --help starts fast."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from builder import __version__
from builder.terminal import Reporter, fail, json_safe, report, terminal_safe

DEFAULT_DECK = Path("content") / "deck.md"
EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_TOOLCHAIN = 0, 1, 2, 3

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
            from builder.errors import FiszkiError

            reporter = ctx.obj if isinstance(ctx.obj, Reporter) else Reporter(1)
            if isinstance(exc, FiszkiError):
                fail(reporter, exc)
            if reporter.verbosity >= 3:
                raise
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
    fiszki build --make study     # out/study.pdf, to revise on a tablet or phone
    fiszki check out/flashcards.pdf
    fiszki calibrate              # out/calibration.pdf: measure your printer's --back-offset
    fiszki import notes.txt -o content/notes.md

    Exit codes: 0 success, 1 content or TeX error, 2 usage error, 3 TeX missing.
    """
    ctx.obj = Reporter(0 if quiet else 1 + verbose)


def option_from_table(name: str, **overrides):
    """A click option made from the option table (builder/options.py): its name, kind, choices
    and help, so the command line, front matter and printer profiles agree on every option."""
    from builder.options import BY_NAME

    option = BY_NAME[name]
    settings: dict = {"help": option.help}
    if option.kind == "choice":
        settings["type"] = click.Choice(list(option.choices))
    elif option.kind in ("int", "float"):
        settings["type"] = int if option.kind == "int" else float
    elif option.kind == "flag":
        settings.update(is_flag=True, default=None)  # None: not given, so the deck's value stands
    elif option.kind == "list":
        settings["multiple"] = True
        if option.choices:
            settings["metavar"] = "LIST"
    settings.update(overrides)
    return click.option("--" + name.replace("_", "-"), **settings)


def build_options(f):
    """Every build option of the table, in its order."""
    from builder.options import OPTIONS

    for option in reversed(OPTIONS):
        f = option_from_table(option.name)(f)
    return f


@main.command()
@click.argument("decks", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("out"), show_default=True,
              help="Folder for the PDFs (created if missing).")
@click.option("--no-cache", is_flag=True, help="Rebuild even when nothing changed.")
@click.option("--keep-going", is_flag=True, help="Build what can be built: broken cards show an error box, and with "
              "several decks a failing one does not stop the others. Still exits 1.")
@build_options
@click.pass_obj
def build(reporter: Reporter, decks: tuple[Path, ...], out_dir: Path, no_cache: bool, keep_going: bool, **kwargs) -> None:
    """Build the outputs --make names (default flashcards.pdf and cheatsheet.pdf) from DECKS
    (default: content/deck.md).

    \b
    Selecting cards (all that are given must hold):
      --section Dynamics     that section: its whole name in any case, or a start only it has
      --tag quiz --tag exam  cards with either tag
      --tag quiz+exam        cards with both tags
      --not-tag hard         no card tagged hard
      --cards 3-10,15        these card numbers
    A deck's front matter selects with select_section, select_tag, select_not_tag and
    select_cards; a note app's tags: there selects nothing.
    """
    from builder.errors import FiszkiError, ToolchainError

    paths = list(decks) or [DEFAULT_DECK]
    if len({p.stem for p in paths}) != len(paths):
        raise click.UsageError("two decks share a file name; their PDFs would overwrite each other")
    several = len(paths) > 1
    failed: list[tuple[Path, FiszkiError]] = []
    for path in paths:
        try:
            build_one(reporter, path, out_dir, kwargs, several=several, use_cache=not no_cache, keep_going=keep_going)
        except ToolchainError:
            raise  # no deck can be built
        except FiszkiError as exc:
            if not (keep_going and several):
                raise
            report(reporter, exc, path)  # and on to the next deck
            failed.append((path, exc))
    reporter.detail(f"done in {time.monotonic() - reporter.start:.2f} s")
    if failed:
        built = "the others were built" if len(failed) < len(paths) else "none was built"
        reporter.error(f"{len(failed)} of {len(paths)} decks failed: {', '.join(str(p) for p, _ in failed)}; {built}")
        sys.exit(max(exc.exit_code for _, exc in failed))


def build_one(reporter: Reporter, path: Path, out_dir: Path, options: dict, *, several: bool, use_cache: bool,
              keep_going: bool) -> None:
    """One deck of `fiszki build`: its outputs built (unless the cache has them) and reported."""
    from builder.cache import stale_outputs
    from builder.wanted import requested

    names = requested(path, options)
    if use_cache and not keep_going:
        names = stale_outputs(path, out_dir, options, names, f"{path.stem}-" if several else "")
    if not names:
        reporter.progress(f"{path}: unchanged, PDFs are up to date")  # no parser, no TeX imported
        return
    from builder.tex.run import cancel_jobs, start_jobs

    jobs = start_jobs(names)  # TeX loads its format while Python imports the parser and Jinja
    try:
        from builder.pipeline import build_deck

        result = build_deck(path, out_dir, options, several=several, keep_going=keep_going,
                            progress=reporter.progress, names=names, tex_jobs=jobs)
    finally:
        cancel_jobs(jobs.values())  # finished, or never used: either way no pdflatex is left waiting
    for w in result.warnings:
        reporter.warn(str(w))
    if result.summary:
        reporter.progress(result.summary)
    for o in result.outputs:
        if not o.cached:
            reporter.progress(f"wrote {o.path}: {o.summary}")


@main.command()
@click.argument("pdfs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report on stdout.")
@click.pass_obj
def check(reporter: Reporter, pdfs: tuple[Path, ...], as_json: bool) -> None:
    """Prove from the PDF itself that the sheets will print right.

    Flashcards: page sizes and rotation, fronts and backs in order, every card once on each side,
    every back behind its front for the recorded flip edge (within 0.5 pt), margins, overlaps,
    every side clipped to its card.
    Cheat sheet: page count, size and orientation. Study PDF: each card's question page followed by
    its answer page, every link and bookmark landing where it should. All: every font embedded.
    Exit 0 when all pass.
    """
    import json

    from builder.checking import check_file
    from builder.checking.report import SHOWN_PER_KIND

    reports = [check_file(p) for p in pdfs]
    if as_json:
        # JSON escapes C0 controls itself; DEL, C1 and bidi controls it leaves raw: \u escapes.
        text = json.dumps([r.as_dict() for r in reports], indent=2, ensure_ascii=False)
        click.echo(json_safe(text))
    else:
        limit = None if reporter.verbosity >= 2 else SHOWN_PER_KIND  # -v lists every problem
        for r in reports:
            for line in r.lines(limit):
                click.echo(terminal_safe(line))
    sys.exit(EXIT_OK if all(r.ok for r in reports) else EXIT_CONTENT)


_SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|", "colon": ":",
               "newline": "\n"}


def _separator(value: str | None) -> str | None:
    """A separator by name (tab, comma, semicolon, newline …) or as itself, \\t and \\n read as such."""
    if value is None:
        return None
    return _SEPARATORS.get(value.lower(), value.replace("\\t", "\t").replace("\\n", "\n"))


@main.command(name="import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The deck to write, e.g. content/biology.md. Images go to a folder beside it (biology-media/).")
@click.option("--from", "kind", type=click.Choice(["auto", "notes", "csv", "anki", "quizlet", "markdown"]),
              default="auto", show_default=True,
              help="What the sources are. auto: by content, then name (.apkg/.colpkg and Anki's text export with "
                   "#separator: are anki, .csv/.tsv csv, .md markdown, tab-separated .txt quizlet, other text notes).")
@click.option("--separator", help="Text exports: what separates question from answer: tab, comma, semicolon, "
                                  "pipe, colon, space or any text (default: found from the file).")
@click.option("--row-separator", help="Quizlet: what separates cards: newline, semicolon or any text "
                                      "(default: found from the file).")
@click.option("--columns", help="CSV/TSV: what each column holds, in order, e.g. question,answer,tags,section "
                                "(skip for a column to leave out; default: the header row, else question,answer).")
@click.option("--question-level", type=click.IntRange(1, 6),
              help="Markdown notes: the heading level of questions (default: found from the file).")
@click.option("--lang", type=click.Choice(["pl", "en"]), help="The deck's language (default: told from the cards' text).")
@click.option("--title", help="Deck title (default: the source's own: front matter, first heading, Anki's top deck).")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT and the images in its folder if they exist.")
@click.pass_obj
def import_(reporter: Reporter, sources: tuple[Path, ...], output: Path, kind: str, separator: str | None,
            row_separator: str | None, columns: str | None, question_level: int | None, lang: str | None,
            title: str | None, force: bool) -> None:
    """Turn SOURCES into one deck: Anki packages (.apkg, .colpkg), Anki's and Quizlet's text
    exports, CSV/TSV, Markdown notes (Obsidian) or loose notes (question, '?', answer).

    \b
    fiszki import biology.apkg -o content/biology.md
    fiszki import quizlet.txt --from quizlet --separator " - " --row-separator ";" -o content/words.md
    fiszki import cards.csv --columns question,answer,tags -o content/cards.md
    fiszki import vault/Biology.md --question-level 3 -o content/biology.md

    Prints what was converted, and every card, image or formatting left out or guessed, with its
    file:line or Anki note id. Nothing is written when no card is found (exit 1). See docs/importing.md.
    """
    from builder.errors import ContentError, Problem, UsageError
    from builder.importers import import_sources, parse_columns
    from builder.importers.media import MediaFolder
    from builder.importers.model import ImportOptions
    from builder.importers.report import summary_lines
    from builder.importers.writer import write

    try:
        options = ImportOptions(kind=kind, separator=_separator(separator), row_separator=_separator(row_separator),
                                columns=parse_columns(columns), question_level=question_level, lang=lang,
                                title=title)
        media = MediaFolder(f"{output.stem}-media")
        deck = import_sources(list(sources), options, media)
        write(deck, output, media, force=force)
    except FileExistsError as exc:
        fail(reporter, UsageError(str(exc)))
    except OSError as exc:  # the deck or an image could not be written (a full disk, a folder in the way)
        fail(reporter, ContentError(Problem(f"cannot write it: {exc.strerror or exc}", file=str(output))))
    for level, line in summary_lines(deck, output, media, limit=None if reporter.verbosity >= 2 else 10):
        (reporter.warn if level == "warn" else reporter.progress)(line)


@main.command()
@option_from_table("paper", default="a4", show_default=True,
                   help="The paper you print flashcards on: a4, letter, or WxH.")
@option_from_table("orientation", default="portrait", show_default=True,
                   help="As you build the flashcards: the offset is measured in the page's own directions.")
@option_from_table("flip", default="long", show_default=True, help="Duplex flip edge your printer uses.")
@option_from_table("back_offset", default="0,0", show_default=True,
                   help="X,Y in mm: a confirming sheet, its backs placed as a build with this offset places them; "
                        "printed, its middle rungs lie on the long lines when the offset is right.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("out"), show_default=True,
              help="Folder for calibration.pdf (created if missing).")
@click.pass_obj
def calibrate(reporter: Reporter, paper: str, orientation: str, flip: str, back_offset: str, out_dir: Path) -> None:
    """Write calibration.pdf: one sheet to print double-sided once, held against a window it shows
    the --back-offset X,Y that puts this printer's backs exactly behind their fronts."""
    from builder.calibrate import build_calibration
    from builder.checking import check_pdf
    from builder.errors import FiszkiError
    from builder.files import atomic_write
    from builder.geometry import parse_offset
    from builder.options import check_values

    offset = check_values({"back_offset": back_offset}, "fiszki calibrate", ("back_offset",))["back_offset"]
    path = out_dir / "calibration.pdf"
    pdf = build_calibration(paper, orientation, flip, parse_offset(offset))
    report = check_pdf(pdf, source=str(path))
    if not report.ok:
        raise FiszkiError("the calibration sheet failed its check:\n" + "\n".join(report.lines()))
    try:
        atomic_write(path, pdf)
    except OSError as exc:
        reporter.error(f"cannot write {path}: {exc.strerror or exc}")
        sys.exit(EXIT_CONTENT)
    reporter.progress(f"wrote {path}: print it double-sided (flip on the {flip} edge) at 100 %, hold it against "
                      "a window and read X and Y off it; then fiszki build --back-offset X,Y")


@main.group()
def printer() -> None:
    """Saved printer profiles: the --back-offset (and paper, orientation, flip) of a printer, by name.

    \b
    fiszki printer save office --back-offset 1.5,-0.5 --flip long
    fiszki build --printer office
    fiszki printer list

    A profile's values override the deck's front matter; the command line overrides them. They are
    kept in printers.toml in $XDG_CONFIG_HOME/fiszki (default ~/.config/fiszki).
    """


@printer.command("save")
@click.argument("name")
@option_from_table("back_offset", required=True, help="X,Y in mm, as read off the calibration sheet.")
@option_from_table("paper", help="Paper this printer is used with (a4, letter, WxH).")
@option_from_table("orientation", help="Orientation the offset was measured in.")
@option_from_table("flip", help="The printer's duplex flip edge.")
@click.pass_obj
def printer_save(reporter: Reporter, name: str, back_offset: str, paper: str | None, orientation: str | None,
                 flip: str | None) -> None:
    """Save printer NAME (replacing one of that name)."""
    from builder.printers import config_path, describe, normalise, save_profile

    values = dict(back_offset=back_offset, paper=paper, orientation=orientation, flip=flip)
    replaced = save_profile(name, values)
    given = normalise({k: v for k, v in values.items() if v is not None})
    reporter.progress(f"{'replaced' if replaced else 'saved'} printer {name} in {config_path()}: {describe(given)}")


@printer.command("list")
@click.pass_obj
def printer_list(reporter: Reporter) -> None:
    """List the saved printers, one a line: NAME: settings."""
    from builder.printers import config_path, describe, read_profiles

    profiles = read_profiles()
    if not profiles:
        reporter.progress(f"no printers saved in {config_path()}; measure one with fiszki calibrate, then "
                          "fiszki printer save NAME --back-offset X,Y")
    for name in sorted(profiles):
        click.echo(terminal_safe(f"{name}: {describe(profiles[name])}"))


@printer.command("remove")
@click.argument("name")
@click.pass_obj
def printer_remove(reporter: Reporter, name: str) -> None:
    """Forget printer NAME."""
    from builder.printers import config_path, remove_profile

    remove_profile(name)
    reporter.progress(f"removed printer {name} from {config_path()}")


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def run() -> None:
    """The console entry point: `main` without the cyclic garbage collector, then a quick exit. A
    1000-card build leaves a million small objects (tokens, strings) that Python would otherwise
    free one by one at exit (~0.1 s); every file is already written and closed, so only the
    standard streams need flushing."""
    import gc
    import os
    import signal

    # A build allocates a million small objects and frees almost none before it ends: the cyclic
    # collector's passes over them were ~10 % of parsing and rendering a 1000-card deck.
    gc.disable()
    # Stopped (`kill`, a supervisor): leave like Ctrl-C does, through every `finally`, so no pdflatex
    # is left waiting on its pipe and no temporary folder stays behind.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if not isinstance(exc.code, (int, type(None))):
            print(exc.code, file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
