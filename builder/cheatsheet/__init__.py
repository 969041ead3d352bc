"""The cheat sheet, decided in Python: page geometry and the first size (layout), the cards as one body (body)."""
