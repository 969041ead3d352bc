"""The words on study pages, in the deck's language (as the flashcards' margin notes are)."""
from __future__ import annotations

WORDS = {
    "en": {"sections": "Sections", "tap": "Tap the page to see the answer", "next": "Next question",
           "again": "Back to the start", "contents": "All sections", "unnamed": "Cards",
           "shuffled": "in random order", "how": "Tap a question to see its answer, then go on to the next.",
           "bookmarks": "The bookmarks list every section and question."},
    "pl": {"sections": "Działy", "tap": "Dotknij strony, aby zobaczyć odpowiedź", "next": "Następne pytanie",
           "again": "Od początku", "contents": "Wszystkie działy", "unnamed": "Pytania",
           "shuffled": "w losowej kolejności", "how": "Dotknij pytania, aby zobaczyć odpowiedź; potem przejdź dalej.",
           "bookmarks": "Zakładki prowadzą do każdego działu i pytania."},
}
# Counted nouns: (one, few, many). English uses "few" for every plural; Polish "few" for 2–4, 22–24, …
NOUNS = {
    "en": {"question": ("question", "questions", "questions"), "section": ("section", "sections", "sections")},
    "pl": {"question": ("pytanie", "pytania", "pytań"), "section": ("dział", "działy", "działów")},
}


def language(deck) -> str:
    return "pl" if deck.meta.get("lang") == "pl" else "en"


def count(n: int, noun: str, lang: str) -> str:
    """'1 question', '3 pytania', '5 pytań'."""
    one, few, many = NOUNS[lang][noun]
    if n == 1:
        return f"{n} {one}"
    if lang == "pl" and not (2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14):
        return f"{n} {many}"
    return f"{n} {few}"
