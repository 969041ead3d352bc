"""Which outputs a build of a deck makes, found before anything heavy is imported: --make, else
the deck's `make:`, else the default."""
from __future__ import annotations

from pathlib import Path

from builder.outputs import DEFAULT, REGISTRY


def requested(deck_path: Path, cli_options: dict) -> list[str]:
    """The outputs a build of this deck makes, in the registry's order: --make, else the deck's
    `make:` (its front matter alone, read without the Markdown parser), else DEFAULT. A bad --make
    is a UsageError here; a bad `make:` is told with its line when the deck is read."""
    from builder.options import coerce

    if cli_options.get("make"):
        try:
            names = coerce("make", cli_options["make"])
        except ValueError as exc:
            from builder.errors import UsageError

            raise UsageError(f"--make: {exc}") from None
    else:
        from builder.decklimits import MAX_DECK_BYTES
        from builder.files import UnreadableFile, read_regular
        from builder.frontmatter import front_matter_value

        try:
            written = front_matter_value(read_regular(deck_path, MAX_DECK_BYTES), "make")
            names = DEFAULT if written is None else coerce("make", written)
        except (UnreadableFile, ValueError, TypeError):
            names = DEFAULT  # reading the deck says what is wrong, with its line
    return [name for name in REGISTRY if name in names]
