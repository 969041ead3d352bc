"""fiszki: printable double-sided flashcards and a fitted cheat sheet from a Markdown deck."""

__version__ = "0.1.0"


def templates_dir():
    """The LaTeX templates: inside the package in an installed wheel, beside it in the source tree."""
    from pathlib import Path

    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("fiszki's LaTeX templates are missing: reinstall fiszki")
