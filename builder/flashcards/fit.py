"""What the auto-fit's report means for the user: cards that do not fit, lines that stick out."""
from __future__ import annotations

from builder.deck import Card, Deck
from builder.errors import Problem
from builder.flashcards.pages import side_key_of
from builder.options import Options
from builder.tex.contract import CLIP, PAD, FitReport, parse_key

SHRINK_WARN = 80  # % : a formula shrunk below this to fit the card (at the minimum size) is told


def fit_problems(deck: Deck, cards: list[Card], report: FitReport, opts: Options) -> tuple[list[Problem], list[Problem]]:
    """What the fit report means for the user: (errors, warnings), one line each."""
    by_key = {side_key_of(c, s): c for c in cards for s in ("front", "back")}
    errors, warnings = [], []

    def problem(key: str, message: str, hint: str) -> Problem:
        card = by_key.get(key)
        number, _, side = parse_key(key)
        part = f" (part {card.part[0]}/{card.part[1]})" if card and card.part else ""
        return Problem(f"{side}{part} {message}", file=deck.display_path, line=card.line if card else None,
                       card_number=number, question=card.question if card else None, hint=hint)

    for key, (need, avail) in report.overflow.items():
        # Measured below the smallest size when its text was too long to start higher (safe_start):
        # at the smallest size it would need more, by the square of the sizes.
        scale = max(1.0, opts.min_size / report.sizes.get(key, opts.min_size)) ** 2
        message = (f"does not fit the card even at {opts.min_size:g} pt "
                   f"(needs {need / avail * scale:.0%} of the space)")
        if key.endswith("front"):
            hint = "shorten the question or use a bigger --card (--overflow split continues answers only)"
        elif opts.overflow == "split":
            message += "; it cannot be split further: one sentence, list item, formula, table, plot or code block is bigger than a card"
            hint = "shorten it or use a bigger --card"
        else:
            hint = "shorten the answer, use a bigger --card, or --overflow split"
        errors.append(problem(key, message, hint))
    for key, excess in report.too_wide.items():
        # Splitting cannot help a line; it is cut off at the card's edge so it never prints over
        # the neighbouring card, and the user is told.
        fate = "it runs into the card's margin" if excess < PAD - CLIP else "it is cut off at the card's edge"
        warnings.append(problem(key, f"has a line {excess:.1f} pt wider than the card's text area; {fate}",
                                "break the formula (aligned) or use a bigger --card"))
    for key, percent in report.shrunk.items():
        if percent < SHRINK_WARN:  # a little smaller reads fine; much smaller is worth a look
            warnings.append(problem(key, f"has a formula too wide for the card even at {opts.min_size:g} pt: "
                                         f"it is shrunk to {percent}% to fit", "break it into lines (aligned) "
                                    "or use a bigger --card"))
    return errors, warnings
