"""fiszki: printable double-sided flashcards and a fitted cheat sheet from a Markdown deck."""

__version__ = "0.1.0"
