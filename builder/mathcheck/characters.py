"""Characters in math: the Unicode ones that have a TeX macro (μ → \\mu, ≤ → \\le, ² → ^{2}),
the ones the text font has inside \\text{...}, and the ASCII ones TeX reads specially."""

from __future__ import annotations

# Characters that work inside \text{...} with T1 + utf8 (verified with pdflatex).
TEXT_SAFE = (frozenset(map(chr, range(0xA0, 0x180)))
             - set("ĦħĸĿŀŉŦŧſ")) | set("–—„”“‘’…•")

MATH_UNICODE: dict[str, str] = {
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta",
    "ε": r"\varepsilon", "ϵ": r"\epsilon", "ζ": r"\zeta", "η": r"\eta",
    "θ": r"\theta", "ϑ": r"\vartheta", "ι": r"\iota", "κ": r"\kappa",
    "λ": r"\lambda", "μ": r"\mu", "µ": r"\mu", "ν": r"\nu", "ξ": r"\xi",
    "ο": "o", "π": r"\pi", "ρ": r"\rho", "σ": r"\sigma", "ς": r"\varsigma",
    "τ": r"\tau", "υ": r"\upsilon", "φ": r"\varphi", "ϕ": r"\phi",
    "χ": r"\chi", "ψ": r"\psi", "ω": r"\omega",
    "Γ": r"\Gamma", "Δ": r"\Delta", "Θ": r"\Theta", "Λ": r"\Lambda",
    "Ξ": r"\Xi", "Π": r"\Pi", "Σ": r"\Sigma", "Υ": r"\Upsilon",
    "Φ": r"\Phi", "Ψ": r"\Psi", "Ω": r"\Omega",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K",
    "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Χ": "X",
    "≤": r"\le", "≥": r"\ge", "≠": r"\ne", "≈": r"\approx", "≡": r"\equiv",
    "∼": r"\sim", "≃": r"\simeq", "≅": r"\cong", "∝": r"\propto",
    "≪": r"\ll", "≫": r"\gg", "≺": r"\prec", "≻": r"\succ",
    "×": r"\times", "·": r"\cdot", "⋅": r"\cdot", "∙": r"\bullet",
    "•": r"\bullet", "−": "-", "–": "-", "±": r"\pm", "∓": r"\mp",
    "÷": r"\div", "∗": r"\ast", "∘": r"\circ", "★": r"\star",
    "†": r"\dagger", "⊕": r"\oplus", "⊗": r"\otimes", "⊙": r"\odot",
    "→": r"\to", "←": r"\leftarrow", "↔": r"\leftrightarrow",
    "⇒": r"\Rightarrow", "⇐": r"\Leftarrow", "⇔": r"\Leftrightarrow",
    "⟹": r"\implies", "⟸": r"\impliedby", "⟺": r"\iff", "↦": r"\mapsto",
    "⟶": r"\longrightarrow", "↑": r"\uparrow", "↓": r"\downarrow",
    "∞": r"\infty", "∂": r"\partial", "∇": r"\nabla", "∀": r"\forall",
    "∃": r"\exists", "∄": r"\nexists", "∅": r"\emptyset", "¬": r"\neg",
    "∧": r"\land", "∨": r"\lor", "∈": r"\in", "∉": r"\notin", "∋": r"\ni",
    "⊂": r"\subset", "⊃": r"\supset", "⊆": r"\subseteq",
    "⊇": r"\supseteq", "∪": r"\cup", "∩": r"\cap", "∖": r"\setminus",
    "∑": r"\sum", "∏": r"\prod", "∫": r"\int", "∬": r"\iint",
    "∭": r"\iiint", "∮": r"\oint", "√": r"\surd", "⊥": r"\perp",
    "∥": r"\parallel", "∣": r"\mid", "∠": r"\angle", "△": r"\triangle",
    "⊤": r"\top", "…": r"\ldots", "⋯": r"\cdots", "⋮": r"\vdots",
    "⋱": r"\ddots", "′": "'", "″": "''", "°": r"^{\circ}", "¹": "^{1}",
    "²": "^{2}", "³": "^{3}", "ℓ": r"\ell", "ℏ": r"\hbar", "ℵ": r"\aleph",
    "ℝ": r"\mathbb{R}", "ℕ": r"\mathbb{N}", "ℤ": r"\mathbb{Z}",
    "ℚ": r"\mathbb{Q}", "ℂ": r"\mathbb{C}", "⟨": r"\langle",
    "⟩": r"\rangle", "⌊": r"\lfloor", "⌋": r"\rfloor", "⌈": r"\lceil",
    "⌉": r"\rceil", "‖": r"\|", "≔": r"\coloneqq", "\u00a0": "~",
    "\u2009": r"\,", "\u202f": r"\,",
}

# ASCII characters that mean something else to TeX: what would go wrong, and what to write.
CHAR_PROBLEMS = {
    "$": "$ would end the math early; write \\$ for a dollar sign",
    "%": "% starts a TeX comment and would swallow the rest of the line; "
         "write \\% for a percent sign",
    "#": "# is TeX's macro parameter character; write \\# for a hash sign",
    "&": "& only separates columns inside environments such as aligned, "
         "cases or matrix; write \\& for an ampersand",
    '"': '" is a command in Polish TeX (babel); write \'\' for a double prime '
         "or „...” inside \\text{...} for quotes",
}
