"""Flashcard sheets, decided in pure Python: layout, pages, labels, marks, splitting, fit reports."""
