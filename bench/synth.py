"""A deterministic synthetic deck: varied answers, math, lists, tables, Polish text, a few sections."""
from __future__ import annotations

import random

WORDS = ("sieć neuronowa gradient wagi funkcja aktywacji warstwa ukryta uczenie propagacja wsteczna "
         "zbiór danych walidacja regularyzacja spadek błąd wyjście wejście neuron próg zbieżność "
         "optymalizator współczynnik żółć gęś źdźbło łódź mała duża średnia wariancja").split()
FORMULAS = (
    r"\sigma(x) = \frac{1}{1 + e^{-x}}",
    r"\mathcal{L} = -\sum_{k=1}^{M} y_k \ln(\hat{y}_k)",
    r"w \leftarrow w - \eta \nabla_w L",
    r"\left\|\theta\right\|_2^2 = \sum_i w_i^2",
    r"f(z) = \begin{cases} z, & z \ge 0 \\ 0, & z < 0 \end{cases}",
    r"\hat{x} = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}",
)
SECTIONS = ("Podstawy", "Funkcje aktywacji", "Trening", "Regularyzacja", "Optymalizatory",
            "Inicjalizacja", "Sieci konwolucyjne", "Sieci rekurencyjne")


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def _answer(rng: random.Random) -> str:
    kind = rng.random()
    parts = [_sentence(rng, rng.randint(6, 20))]
    if kind < 0.3:
        parts.append("$$" + rng.choice(FORMULAS) + "$$")
    elif kind < 0.55:
        parts.append("\n".join(f"- {_sentence(rng, rng.randint(3, 9))} $x_{i}$" for i in range(rng.randint(2, 5))))
    elif kind < 0.65:
        parts.append("| pojęcie | opis |\n|---|---|\n" + "\n".join(
            f"| {rng.choice(WORDS)} | {_sentence(rng, 4)} |" for _ in range(3)))
    elif kind < 0.8:
        parts.append(_sentence(rng, rng.randint(20, 45)) + f" Wzór: ${rng.choice(FORMULAS[:4])}$.")
    return "\n\n".join(parts)


def synthetic_deck(cards: int = 1000, seed: int = 42) -> str:
    rng = random.Random(seed)
    lines = ["---", "title: Talia syntetyczna", "lang: pl", "---", ""]
    per_section = -(-cards // len(SECTIONS))
    for i in range(cards):
        if i % per_section == 0:
            lines += [f"# {SECTIONS[i // per_section]}", ""]
        question = _sentence(rng, rng.randint(4, 12)).rstrip(".") + "?"
        lines += [f"## {question} {{#c{i + 1}}}", _answer(rng), ""]
    return "\n".join(lines)
