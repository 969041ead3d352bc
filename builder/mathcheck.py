"""Validate TeX math from untrusted decks before pdflatex ever sees it.

``check_math`` tokenizes the source of one formula (the text between ``$...$``
or ``$$...$$``) and walks it once with a stack.  Every control sequence must be
on an allowlist, so file access, shell escape, macro (re)definition and
catcode tricks are refused by construction; the explicit refusal table below
only exists to give a clearer message.  Structural mistakes that would make
TeX stop (unbalanced braces, ``\\left`` without ``\\right``, mismatched
environments, missing arguments, double superscripts, ...) are reported with
the character offset where they happen.

Non-ASCII characters that have a math equivalent (``μ``, ``≤``, ``²`` ...) are
accepted; emit ``normalize_math(src)`` instead of ``src`` so TeX gets macros.
The tables assume this preamble:
``\\usepackage[T1]{fontenc}\\usepackage[utf8]{inputenc}``
``\\usepackage{amsmath,amssymb,mathtools}``, ``\\usepackage{bm,cancel,mathrsfs}``
and display math emitted as
``\\[...\\]`` (``\\tag`` and ``split`` fail inside ``$$...$$``).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Iterator, NamedTuple

from builder import mathlimits

# --------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


GREEK = _words("""
    alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota
    kappa varkappa lambda mu nu xi omicron pi varpi rho varrho sigma varsigma
    tau upsilon phi varphi chi psi omega digamma
    Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega
    varGamma varDelta varTheta varLambda varXi varPi varSigma varUpsilon
    varPhi varPsi varOmega
""") - {"omicron"}  # \omicron does not exist; write o

SYMBOLS = _words("""
    pm mp times div cdot cdotp ast star circ bullet setminus smallsetminus
    cap cup sqcap sqcup Cap Cup uplus wedge vee land lor barwedge veebar
    doublebarwedge curlywedge curlyvee oplus ominus otimes oslash odot
    circledast circledcirc circleddash boxplus boxminus boxtimes boxdot
    dagger ddagger amalg wr diamond bigtriangleup bigtriangledown
    triangleleft triangleright lhd rhd unlhd unrhd ltimes rtimes
    leftthreetimes rightthreetimes dotplus divideontimes intercal centerdot
    le leq ge geq ne neq leqq geqq leqslant geqslant eqslantless
    eqslantgtr ll gg lll ggg lessdot gtrdot lesssim gtrsim lessapprox
    gtrapprox lessgtr gtrless lesseqgtr gtreqless lesseqqgtr gtreqqless
    nless ngtr nleq ngeq nleqq ngeqq nleqslant ngeqslant lneq gneq lneqq
    gneqq lvertneqq gvertneqq lnsim gnsim lnapprox gnapprox
    equiv approx approxeq sim simeq backsim backsimeq thicksim thickapprox
    cong ncong nsim asymp doteq doteqdot fallingdotseq risingdotseq eqcirc
    circeq triangleq bumpeq Bumpeq eqsim propto varpropto
    prec succ preceq succeq precsim succsim precapprox succapprox
    preccurlyeq succcurlyeq curlyeqprec curlyeqsucc nprec nsucc npreceq
    nsucceq precneqq succneqq precnsim succnsim precnapprox succnapprox
    subset supset subseteq supseteq subseteqq supseteqq Subset Supset
    sqsubset sqsupset sqsubseteq sqsupseteq subsetneq supsetneq subsetneqq
    supsetneqq varsubsetneq varsupsetneq varsubsetneqq varsupsetneqq
    nsubseteq nsupseteq nsubseteqq nsupseteqq
    in ni notin owns mid nmid parallel nparallel shortmid nshortmid
    shortparallel nshortparallel perp models vdash dashv Vdash vDash Vvdash
    nvdash nvDash nVdash nVDash smile frown smallsmile smallfrown
    bowtie Join pitchfork between because therefore backepsilon
    vartriangleleft vartriangleright trianglelefteq trianglerighteq
    ntriangleleft ntriangleright ntrianglelefteq ntrianglerighteq
    to gets leftarrow rightarrow leftrightarrow Leftarrow Rightarrow
    Leftrightarrow longleftarrow longrightarrow longleftrightarrow
    Longleftarrow Longrightarrow Longleftrightarrow mapsto longmapsto
    hookleftarrow hookrightarrow leftharpoonup leftharpoondown
    rightharpoonup rightharpoondown rightleftharpoons leftrightharpoons
    uparrow downarrow updownarrow Uparrow Downarrow Updownarrow nearrow
    searrow swarrow nwarrow implies impliedby iff leadsto
    leftleftarrows rightrightarrows leftrightarrows rightleftarrows
    upuparrows downdownarrows Lleftarrow Rrightarrow twoheadleftarrow
    twoheadrightarrow leftarrowtail rightarrowtail looparrowleft
    looparrowright curvearrowleft curvearrowright circlearrowleft
    circlearrowright Lsh Rsh upharpoonleft upharpoonright downharpoonleft
    downharpoonright multimap rightsquigarrow leftrightsquigarrow
    nleftarrow nrightarrow nLeftarrow nRightarrow nleftrightarrow
    nLeftrightarrow
    infty partial nabla forall exists nexists emptyset varnothing neg lnot
    prime backprime ell hbar hslash imath jmath wp Re Im aleph beth gimel
    daleth mho eth Finv Game Bbbk complement angle measuredangle
    sphericalangle triangle vartriangle triangledown blacktriangle
    blacktriangledown blacktriangleleft blacktriangleright square Box
    blacksquare Diamond lozenge blacklozenge bigstar diagup diagdown
    clubsuit diamondsuit heartsuit spadesuit flat natural sharp top bot
    surd checkmark maltese yen circledR circledS And bmod
    mathdollar mathsterling mathsection mathparagraph mathellipsis
    ldots cdots vdots ddots dots dotsc dotsb dotsm dotsi dotso colon
    coloneqq Coloneqq eqqcolon Eqqcolon vcentcolon dblcolon
    langle rangle lfloor rfloor lceil rceil lbrace rbrace lbrack rbrack
    lvert rvert lVert rVert vert Vert lgroup rgroup lmoustache rmoustache
    ulcorner urcorner llcorner lrcorner backslash arrowvert Arrowvert
    bracevert
""")

BIG_OPERATORS = _words("""
    sum prod coprod int iint iiint iiiint idotsint oint smallint
    bigcup bigcap bigsqcup biguplus bigvee bigwedge bigodot bigoplus
    bigotimes
    lim liminf limsup varliminf varlimsup injlim projlim varinjlim
    varprojlim max min sup inf arg det exp log ln lg sin cos tan cot sec csc
    arcsin arccos arctan sinh cosh tanh coth dim ker hom deg gcd Pr
""")

# Text accents (\'e, \"o, \k{a}): only inside \text{...}.
TEXT_ONLY = _words(r"""' ` " ^ ~ = . u v H c k r""")

# Commands with mandatory arguments: name -> how many.
ARITY: dict[str, int] = {
    **dict.fromkeys("""hat widehat bar overline underline tilde widetilde vec
        dot ddot dddot ddddot check breve acute grave mathring overrightarrow
        overleftarrow overleftrightarrow underrightarrow underleftarrow
        underleftrightarrow mathrm mathbf mathit mathsf mathtt mathcal mathbb
        mathfrak mathnormal boldsymbol pmb operatorname sqrt underbrace
        overbrace underbracket overbracket phantom hphantom vphantom smash
        substack boxed mathop mathbin mathrel mathord mathopen mathclose
        mathpunct mathinner not mod pmod pod xrightarrow xleftarrow
        xleftrightarrow xLeftarrow xRightarrow xLeftrightarrow xmapsto
        xhookrightarrow xhookleftarrow mathclap mathllap mathrlap cramped
        text textrm textbf textit textsf texttt textnormal textup textmd
        textsc emph mbox ensuremath tag hspace mspace
        bm cancel bcancel xcancel mathscr""".split(), 1),
    **dict.fromkeys(TEXT_ONLY, 1),
    **dict.fromkeys("""frac dfrac tfrac cfrac binom dbinom tbinom stackrel
        overset underset cancelto""".split(), 2),
}

OPTIONAL_ARG = _words("sqrt cfrac smash xrightarrow xleftarrow xleftrightarrow "
                      "xLeftarrow xRightarrow xLeftrightarrow xmapsto "
                      "xhookrightarrow xhookleftarrow underbracket overbracket")
STARRED = _words("operatorname hspace tag")
TEXT_ARGUMENT = _words("text textrm textbf textit textsf texttt textnormal "
                       "textup textmd textsc emph mbox tag")

DELIMITER_TAKERS = _words("""left right middle big Big bigg Bigg bigl Bigl
    biggl Biggl bigr Bigr biggr Biggr bigm Bigm biggm Biggm""")
DELIMITER_COMMANDS = _words("""{ } | langle rangle lfloor rfloor lceil rceil
    lbrace rbrace lbrack rbrack vert Vert lvert rvert lVert rVert uparrow
    downarrow updownarrow Uparrow Downarrow Updownarrow backslash lgroup
    rgroup lmoustache rmoustache ulcorner urcorner llcorner lrcorner
    arrowvert Arrowvert bracevert""")
DELIMITER_CHARS = "()[]|/.<>"

# Usable in both math and \text{...}.
SHARED = _words(r"""
    text textrm textbf textit textsf texttt textnormal textup textmd textsc
    emph mbox ensuremath hspace , ; : ! quad qquad enspace thinspace
    % & # _ { } $ ldots dots \
""") | {" "}
MATH_ONLY = (GREEK | SYMBOLS | BIG_OPERATORS | DELIMITER_TAKERS
             | DELIMITER_COMMANDS | set(ARITY) - SHARED - TEXT_ONLY | _words(r"""
    begin end limits nolimits displaylimits displaystyle textstyle scriptstyle
    scriptscriptstyle nonumber notag negthinspace negmedspace hline
    negthickspace thickspace medspace""")) - SHARED
MATH_COMMANDS = MATH_ONLY | SHARED
TEXT_COMMANDS = TEXT_ONLY | SHARED
ALLOWED_COMMANDS: frozenset[str] = frozenset(MATH_COMMANDS | TEXT_COMMANDS)

ALLOWED_ENVIRONMENTS: frozenset[str] = _words("""
    matrix pmatrix bmatrix Bmatrix vmatrix Vmatrix smallmatrix matrix*
    pmatrix* bmatrix* Bmatrix* vmatrix* Vmatrix* cases dcases dcases* rcases cases*
    aligned alignedat gathered split array subarray multlined
""")
ENV_ARGUMENTS = {"array": "{cc}", "subarray": "{l}", "alignedat": "{2}"}
# Most columns a row may have (TeX stops at an extra &); array counts its spec.
COLUMN_LIMITS = {**dict.fromkeys("cases cases* dcases dcases* rcases split"
                                 .split(), 2), "gathered": 1, "subarray": 1, "multlined": 1,
                 **{m + s: 10 for m in "p b B v V".split() + [""]
                    for s in ("matrix", "matrix*")}}
# Control sequences that work as an unbraced argument of ^ or _ (x^\alpha);
# the rest expand to several tokens and TeX stops with "Missing { inserted".
SCRIPT_SAFE = (GREEK | SYMBOLS | DELIMITER_COMMANDS) - _words("""And Join
    Coloneqq coloneqq dblcolon colon Longrightarrow longrightarrow bowtie
    cong doteq models notin iff implies impliedby ldots cdots ddots dots
    dotsb dotsc dotsi dotsm dotso mathellipsis bmod""") | _words(r"""frac
    mathbb mathbf mathcal mathfrak mathit mathnormal mathrm mathsf mathtt
    text textbf textit textmd textnormal textrm textsc textsf texttt textup
    emph ensuremath not dddot ddddot smallint varinjlim
    varliminf varlimsup varprojlim # $ % & _""")

DISPLAY_ENVIRONMENTS = _words("""align align* equation equation* gather
    gather* multline multline* eqnarray eqnarray* flalign flalign* alignat
    alignat* displaymath math""")
# Display environments as MathJax and Obsidian accept them inside $$…$$: typeset as the forms
# made for inside math (normalize_math renames them); equation's lines need no environment.
INNER_FORMS = {**dict.fromkeys("align align* flalign flalign*".split(), "aligned"),
               **dict.fromkeys("gather gather*".split(), "gathered"),
               **dict.fromkeys("alignat alignat*".split(), "alignedat"),
               **dict.fromkeys("multline multline*".split(), "multlined"),
               **dict.fromkeys("equation equation*".split(), "")}
UNWRAPPED = _words("equation equation*")
_INNER_FORM_RE = re.compile(r"\\(?:begin|end)\s*\{\s*(?:align|gather|equation|multline|flalign)")
# What an unknown command most likely meant, from packages and macros fiszki does not load.
HINTS = {name: f"write {what}" for name, what in {
    "argmax": r"\operatorname*{arg\,max}", "argmin": r"\operatorname*{arg\,min}", "R": r"\mathbb{R}",
    "N": r"\mathbb{N}", "Z": r"\mathbb{Z}", "E": r"\mathbb{E}", "choose": r"\binom{n}{k}", "over": r"\frac{a}{b}",
    "degree": r"^\circ", "hdots": r"\ldots", "dv": r"\frac{d f}{d x}", "pdv": r"\frac{\partial f}{\partial x}",
    "mathds": r"\mathbb", "mathbbm": r"\mathbb", "sgn": r"\operatorname{sgn}", "tr": r"\operatorname{tr}",
    "diag": r"\operatorname{diag}"}.items()} | {"intertext": "end the display, write the text, start another"}

_READS = "it reads files"
_WRITES = "it writes files"
_SHELL = "it runs shell commands"
_DEFINES = "it defines or redefines macros"
_CATCODES = "it changes how TeX reads characters"
_INTERNALS = "it exposes or manipulates TeX internals"
_SETUP = "it changes the document setup"
_OUTPUT = "it changes the page output"
REFUSED: dict[str, str] = {
    **dict.fromkeys("""input include includeonly InputIfFileExists
        IfFileExists openin read readline closein endinput includegraphics
        verbatiminput lstinputlisting bibliography""".split(), _READS),
    **dict.fromkeys("write immediate openout closeout typeout message "
                    "errmessage".split(), _WRITES),
    **dict.fromkeys("ShellEscape directlua luaexec latelua luadirect "
                    "ExplSyntaxOn".split(), _SHELL),
    **dict.fromkeys("""def edef gdef xdef let futurelet newcommand renewcommand
        providecommand DeclareRobustCommand DeclareMathOperator newenvironment
        renewenvironment NewDocumentCommand RenewDocumentCommand
        ProvideDocumentCommand DeclareDocumentCommand NewDocumentEnvironment
        newif global long outer protected chardef mathchardef countdef
        dimendef skipdef toksdef newcount newdimen newtoks newlength
        setlength addtolength newcounter setcounter addtocounter stepcounter
        everypar everymath everydisplay everyhbox everyvbox everyjob
        everycr everyeof afterassignment aftergroup begingroup endgroup
        bgroup egroup""".split(), _DEFINES),
    **dict.fromkeys("""catcode uccode lccode mathcode delcode sfcode
        makeatletter makeatother""".split(), _CATCODES),
    **dict.fromkeys("""csname endcsname expandafter noexpand unexpanded
        detokenize string meaning scantokens lowercase uppercase romannumeral
        number the showthe show showbox showlists jobname fontname
        errhelp relax""".split(), _INTERNALS),
    **dict.fromkeys("""usepackage RequirePackage documentclass NeedsTeXFormat
        AtBeginDocument AtEndDocument stop dump batchmode nonstopmode
        scrollmode errorstopmode""".split(), _SETUP),
    **dict.fromkeys("shipout output special vsplit".split(), _OUTPUT),
}
UNSUPPORTED = _words("label ref eqref pageref cite footnote color textcolor "
                     "newline par")

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

_CHAR_PROBLEMS = {
    "$": "$ would end the math early; write \\$ for a dollar sign",
    "%": "% starts a TeX comment and would swallow the rest of the line; "
         "write \\% for a percent sign",
    "#": "# is TeX's macro parameter character; write \\# for a hash sign",
    "&": "& only separates columns inside environments such as aligned, "
         "cases or matrix; write \\& for an ampersand",
    '"': '" is a command in Polish TeX (babel); write \'\' for a double prime '
         "or „...” inside \\text{...} for quotes",
}
MAX_LENGTH = 10_000  # far beyond any flashcard; keeps the checker cheap


@dataclass(frozen=True)
class MathProblem:
    message: str  # user-facing, one line
    offset: int   # 0-based character offset into the math source


def check_math(src: str, display: bool = False) -> list[MathProblem]:
    """Return the problems in one formula; an empty list means it is safe."""
    return _Scanner(src, display).run()


def normalize_math(src: str) -> str:
    """Replace Unicode math characters (μ, ≤, ², ...) with TeX macros.

    Inside text arguments, characters the text font has are kept and the
    rest are wrapped in ``\\ensuremath``.  Meant for formulas that passed
    ``check_math``; other characters are left alone.
    """
    if src.isascii() and not _INNER_FORM_RE.search(src):  # nothing to replace
        return src
    return _normalize_scanned(src)


def _normalize_scanned(src: str) -> str:
    scanner = _Scanner(src, False)
    scanner.run()
    word_ends = {t.off + 1 + len(t.val) for t in scanner.toks
                 if t.kind == "cs" and not t.uni and t.val[:1].isalpha()}
    out: list[str] = []
    for k, ch in enumerate(src):
        rep = scanner.subs.get(k, ch)
        if re.match(r"[A-Za-z@]", rep) and (k in word_ends or k - 1 in scanner.subs
                                            and re.search(r"\\[A-Za-z]+$", out[-1])):
            rep = " " + rep  # "μx" -> "\mu x", not "\mux"
        out.append(rep)
    return "".join(out)


def line_col(src: str, offset: int) -> tuple[int, int]:
    """0-based line and 1-based column of ``offset`` in ``src``."""
    offset = max(0, min(offset, len(src)))
    return src.count("\n", 0, offset), offset - src.rfind("\n", 0, offset)


class _Tok(NamedTuple):
    kind: str   # "cs" (control sequence), "sp" (white space), "ch" (other)
    val: str    # control sequence name without the backslash, or the text
    off: int
    uni: bool = False  # produced from a MATH_UNICODE replacement


_TOKEN = re.compile(r"\\([A-Za-z@]+|[^A-Za-z@]?)|([ \t\r\n]+)|(.)", re.S)


def _tokenize(src: str) -> Iterator[_Tok]:
    for m in _TOKEN.finditer(src):
        cs, sp, ch = m.groups()
        if ch in MATH_UNICODE:
            for t in _tokenize(MATH_UNICODE[ch]):
                yield t._replace(off=m.start(), uni=True)
        elif cs is not None:  # "\ " and "\<newline>" are both a control space
            yield _Tok("cs", " " if cs and cs in " \t\r\n" else cs, m.start())
        else:
            yield _Tok("sp" if sp else "ch", sp or ch, m.start())


@dataclass(eq=False)
class _Frame:
    kind: str   # "{", "left" or "env"
    off: int
    mode: str   # "math" or "text" inside this group
    name: str = ""
    columns: int = 0  # allowed columns per row (0: no limit) of an env
    op: bool = False  # argument of \mathop or \operatorname
    rows: bool = False  # argument of \substack: \\ breaks its lines
    column: int = 1   # current column of the current row


_LENGTH = re.compile(r"\s*[-+]?\s*(\d+\.?\d*|\.\d+)\s*"
                     r"(pt|mm|cm|in|ex|em|mu|bp|pc|dd|cc|sp)\s*")
_ENV_ARGUMENT = {  # what the argument of ENV_ARGUMENTS may look like
    "array": re.compile(r"(?:[lcr| ]|[pmb]\{%s\}|@\{[^{}]*\}|\*\{\d+\}\{[lcr| ]+\})+"
                        % _LENGTH.pattern),
    "subarray": re.compile(r"\s*[lcr]\s*"),
    "alignedat": re.compile(r"\s*[1-9]\d*\s*"),
}
# Tokens that cannot start a macro argument (TeX would grab them and fail).
_STOPS = {("ch", c) for c in "}&^_$#%'~"} | {
    ("cs", c) for c in ("\\", "right", "end", "middle")}
_DELIMITERS = {("ch", c) for c in DELIMITER_CHARS} | {
    ("cs", c) for c in DELIMITER_COMMANDS}


def _suggest(word: str, pool: frozenset[str], cs: str = "\\") -> str:
    words = sorted(w for w in pool if len(w) > 1 and w[0].isalpha())
    close = difflib.get_close_matches(word, words, n=1, cutoff=0.75)
    return f" (did you mean {cs}{close[0]}?)" if close else ""


def _show(text: str) -> str:
    return "".join(c if c.isprintable() else f"U+{ord(c):04X}" for c in text)


class _Scanner:
    """One pass over the tokens with a stack of open groups."""

    def __init__(self, src: str, display: bool) -> None:
        self.src, self.display = src, display
        self.toks = list(_tokenize(src)) if len(src) <= MAX_LENGTH else []
        self.problems: list[MathProblem] = []
        self.stack: list[_Frame] = []
        self.group_mode: dict[int, str] = {}  # index of "{" -> mode inside
        self.subs: dict[int, str] = {}         # offset -> replacement text
        # scripts seen on the current nucleus: (next index, kinds, end of ')
        self.chain: tuple[int, frozenset[str], int] = (-1, frozenset(), -1)
        self.tagged = False
        self.row_start = -1  # token index where the current row of an environment starts
        self.op_at = -1  # index where \limits may appear (after an operator)
        self.op_groups: set[int] = set()  # "{" of \mathop / \operatorname
        self.row_groups: set[int] = set()  # "{" of \substack
        # (end index, copies) of the arguments TeX typesets several times over, innermost last
        self.copies: list[tuple[int, int]] = []
        self.spacing = 0.0  # em, all \\hspace, \\mspace and \\\\[…] so far, either way
        self.pair: dict[int, int] = {}  # "{" / "[" index -> index after match
        opened: dict[str, list[int]] = {"{": [], "[": []}
        for k, t in enumerate(self.toks):
            if t.kind == "ch" and t.val in "{[":
                opened[t.val].append(k)
            elif t.kind == "ch" and t.val in "}]" and opened["{["[t.val == "]"]]:
                self.pair[opened["{["[t.val == "]"]].pop()] = k + 1

    def bad(self, message: str, off: int) -> None:
        self.problems.append(MathProblem(message, off))

    def in_rows(self) -> bool:
        """Inside an environment whose lines \\\\ separates (an unwrapped equation is none)."""
        return any(f.kind == "env" and f.name not in UNWRAPPED for f in self.stack)

    def sig(self, j: int) -> int:
        """Index of the first non-space token at or after j."""
        while j < len(self.toks) and self.toks[j].kind == "sp":
            j += 1
        return j

    def is_ch(self, j: int, c: str) -> bool:
        return j < len(self.toks) and self.toks[j][:2] == ("ch", c)

    def arg_end(self, j: int) -> int | None:
        """Index after the argument starting at/after j; None if missing."""
        j = self.sig(j)
        if j >= len(self.toks) or self.toks[j][:2] in _STOPS:
            return None
        return self.pair.get(j, len(self.toks)) if self.is_ch(j, "{") else j + 1

    def skip_optional(self, j: int, report: bool = True) -> int:
        """Index after an optional [...] at j. TeX ends it at the first ] outside braces, so a [
        inside would cut it short (\\sqrt[\\sqrt[3]{2}]{x}): told, unless in braces."""
        k = self.sig(j)
        if not self.is_ch(k, "["):
            return j
        depth = 0
        for m in range(k + 1, len(self.toks)):
            c = self.toks[m].val if self.toks[m].kind == "ch" else ""
            depth += (c == "{") - (c == "}")
            if depth < 0:
                break
            if depth == 0 and c == "]":
                return m + 1
            if depth == 0 and c == "[" and report:
                self.bad("a [ inside an optional argument [...] ends it early: put braces "
                         "around the argument, e.g. \\sqrt[{\\sqrt[3]{2}}]{x}", self.toks[m].off)
                report = False
        return self.pair.get(k, len(self.toks))

    def raw_group(self, j: int, open_: str = "{") -> tuple[str, int] | None:
        """(text, index after) for a {...} or [...] of plain characters."""
        end = self.pair.get(j) if self.is_ch(j, open_) else None
        if end is None or any(t.kind == "cs" or t.uni or t.val in "{}[]"
                              for t in self.toks[j + 1:end - 1]):
            return None
        return "".join(t.val for t in self.toks[j + 1:end - 1]), end

    def run(self) -> list[MathProblem]:
        if len(self.src) > MAX_LENGTH:
            self.bad(f"formula is too long (over {MAX_LENGTH} characters)", 0)
        for m in re.finditer(r"\^\^", self.src):
            self.bad("^^ character codes are not allowed", m.start())
        if self.problems:  # ^^ rewrites the input before TeX tokenizes it
            return self.problems
        self.rows()
        i = 0
        while i < len(self.toks):
            i = self.step(i)
        for frame in self.stack:
            self.unclosed(frame)
        return sorted(self.problems, key=lambda p: p.offset)

    def rows(self) -> None:
        """Each line of the formula (up to a \\\\ or the end) at most MAX_ROW characters."""
        start, rows = 0, 0
        for t in self.toks + [_Tok("cs", "\\", len(self.src))]:
            if t.kind == "cs" and t.val == "\\":
                rows += 1
                if rows == mathlimits.MAX_ROWS + 1:
                    self.bad(f"the formula has more than {mathlimits.MAX_ROWS} lines", t.off)
                if t.off - start > mathlimits.MAX_ROW:
                    self.bad(f"this line of the formula is {t.off - start} characters long, at most "
                             f"{mathlimits.MAX_ROW}: break it with \\begin{{aligned}} … \\\\ … "
                             "\\end{aligned}", start)
                start = t.off

    def push(self, frame: _Frame) -> None:
        if len(self.stack) == mathlimits.MAX_DEPTH:
            self.bad(f"braces, \\left…\\right and environments nested more than "
                     f"{mathlimits.MAX_DEPTH} deep", frame.off)
        self.stack.append(frame)

    def step(self, i: int) -> int:
        t = self.toks[i]
        mode = self.stack[-1].mode if self.stack else "math"
        while self.copies and self.copies[-1][0] <= i:
            self.copies.pop()
        if t.kind == "sp":
            if len(re.findall(r"\r\n|\r|\n", t.val)) > 1:
                self.bad("blank line inside math (it would end the paragraph)",
                         t.off)
            return i + 1
        if t.uni:
            ch = self.src[t.off]
            if mode == "text":  # keep or \ensuremath-wrap the whole character
                if ch not in TEXT_SAFE:
                    self.subs[t.off] = r"\ensuremath{%s}" % MATH_UNICODE[ch]
                while i < len(self.toks) and self.toks[i].off == t.off:
                    i += 1
                return i
            self.subs.setdefault(t.off, MATH_UNICODE[ch])
        if t.kind == "ch":
            self.char(i, t, mode)
            return i + 1
        return self.command(i, t, mode)

    def char(self, i: int, t: _Tok, mode: str) -> None:
        c, off = t.val, t.off
        if c == "{":
            self.push(_Frame("{", off, self.group_mode.get(i, mode),
                             op=i in self.op_groups, rows=i in self.row_groups))
        elif c == "}":
            top = self.stack[-1] if self.stack else None
            self.close(lambda f: f.kind == "{", "unmatched }", off)
            if top and top.op:  # \mathop{...}\limits is fine
                self.op_at = self.sig(i + 1)
        elif c == "&" and self.stack and self.stack[-1].kind == "env":
            env = self.stack[-1]
            env.column += 1
            if env.columns and env.column == env.columns + 1:
                self.bad(f"too many & in one row of {{{env.name}}} (it has at "
                         f"most {env.columns} column{'s' * (env.columns > 1)})",
                         off)
        elif c in _CHAR_PROBLEMS:
            self.bad(_CHAR_PROBLEMS[c], off)
        elif c in "^_" and mode == "text":
            self.bad(f"{c} only works in math, not inside \\text{{...}}"
                     + ("; write \\_ for an underscore" if c == "_" else ""),
                     off)
        elif c in "^_'" and mode == "math":
            self.script(i, t)
        elif ord(c) < 32 or ord(c) == 127:
            self.bad(f"control character {_show(c)} is not allowed", off)
        elif ord(c) > 127 and mode == "math":
            self.bad(f"character {_show(c)} cannot appear in math; put words "
                     "in \\text{...}", off)
        elif ord(c) > 127 and c not in TEXT_SAFE:
            self.bad(f"character {_show(c)} is not supported here", off)

    def script(self, i: int, t: _Tok) -> None:
        """^ _ ' : catch a missing argument and double super/subscripts."""
        at, seen, prime_end = self.chain
        seen = seen if at == i else frozenset()
        if t.val == "'" and "^" in seen or t.val in seen - {"'"} or \
                t.val in "^'" and "'" in seen and i != prime_end:
            word = "subscript" if t.val == "_" else "superscript"
            self.bad(f"double {word}: use braces, e.g. x^{{a b}} or {{x^a}}^b",
                     t.off)
        end, k = (i + 1, i) if t.val == "'" else (self.arg_end(i + 1),
                                                  self.sig(i + 1))
        if end is None:
            self.bad(f"{t.val} needs something after it", t.off)
        elif k > i and self.toks[k].kind == "cs":
            name = self.toks[k].val
            if name not in SCRIPT_SAFE:
                self.bad(f"{t.val} needs braces here: write {t.val}{{\\{name}"
                         + "{...}" * ARITY.get(name, 0) + "}", t.off)
            for _ in range(ARITY.get(name, 0)):  # x^\frac12: the script is \frac12
                end = self.arg_end(end) or end
        if i == self.op_at and end:  # \sum_{i}\limits is fine
            self.op_at = self.sig(end)
        # after a missing argument start afresh: no "double superscript" echo
        self.chain = (self.sig(end), seen | {t.val},
                      i + 1 if t.val == "'" else prime_end) if end else (-1, seen, -1)

    def refusal(self, name: str, off: int) -> str | None:
        if name.startswith("pdf"):
            return "it is a pdfTeX primitive (file and system access)"
        if "@" in name:
            return "internal @-commands are off limits"
        if name == "write" and re.match(r"\s*18", self.src[off + 6:]):
            return "it runs shell commands"
        if name in ("fi", "else", "or", "unless") or \
                name.startswith("if") and name not in ALLOWED_COMMANDS:
            return "TeX conditionals are not allowed"
        return REFUSED.get(name)

    def command(self, i: int, t: _Tok, mode: str) -> int:
        name, off, j = t.val, t.off, i + 1
        allowed = MATH_COMMANDS if mode == "math" else TEXT_COMMANDS
        reason = self.refusal(name, off)
        if name == "":
            self.bad("lone \\ at the end of the math", off)
        elif reason:
            self.bad(f"\\{name} is not allowed in math: {reason}", off)
        elif name in UNSUPPORTED:
            self.bad(f"\\{name} is not supported on flashcards", off)
        elif name not in allowed and name in ALLOWED_COMMANDS:
            self.bad(f"\\{name} only works inside \\text{{...}}" if mode ==
                     "math" else f"\\{name} only works in math, not inside "
                     "\\text{...}; wrap it in \\ensuremath{...}", off)
        elif name not in allowed:
            self.bad(f"unknown command \\{_show(name)} in math"
                     + (f" ({HINTS[name]})" if name in HINTS else _suggest(name, allowed)), off)
        else:
            if name in STARRED and self.is_ch(j, "*"):
                j += 1
            self.multiply(j, name, mode, off)
            return self.known_command(i, j, name, off)
        return j

    def multiply(self, j: int, name: str, mode: str, off: int) -> None:
        """Count the copies TeX makes of this command's arguments, inside those around it."""
        factor = mathlimits.copies_of(name, mode, self.is_ch(self.sig(j), "["))
        if factor == 1:
            return
        end = self.skip_optional(j, report=False)
        for _ in range(ARITY.get(name, 0)):
            end = self.arg_end(end) or end
        copies = factor * (self.copies[-1][1] if self.copies else 1)
        if copies > mathlimits.MAX_COPIES >= copies // factor:  # told once, where it begins
            self.bad(mathlimits.copies_problem(name, copies), off)
        self.copies.append((end, copies))

    def known_command(self, i: int, j: int, name: str, off: int) -> int:
        if name in ("begin", "end"):
            return self.environment(off, j, name == "begin")
        if name == "\\" and self.stack and self.stack[-1].kind == "env":
            self.stack[-1].column = 1  # a new row
            self.row_start = self.skip_optional(j) if self.is_ch(j, "[") else j
        if name == "hline":
            top = self.stack[-1] if self.stack else None
            if not (top and top.kind == "env" and self.in_rows() and self.sig(self.row_start) == i):
                self.bad("\\hline only works at the start of a row of an array or matrix", off)
            self.row_start = j
        if name in ("limits", "nolimits", "displaylimits") and i != self.op_at:
            self.bad(f"\\{name} must follow an operator such as \\sum or \\int",
                     off)
        if name in BIG_OPERATORS or name.endswith("limits"):
            self.op_at = self.sig(j)
        if name in ("nonumber", "notag") and self.chain[0] == i:
            self.chain = (self.sig(j), *self.chain[1:])  # invisible to ^ and _
        top = self.stack[-1] if self.stack else None
        if name == "\\" and not (top and (top.kind == "env" and top.name not in UNWRAPPED or top.rows)):
            if any(f.kind == "env" and f.name not in UNWRAPPED or f.rows for f in self.stack):
                # TeX: "Missing } inserted"
                self.bad("\\\\ must stand in the row itself, not inside braces, \\left…\\right "
                         "or \\text{…}", off)
            else:  # outside aligned/cases/matrix… TeX stops with "There's no line here to end"
                self.bad("\\\\ only breaks lines inside environments such as aligned or cases; "
                         "write \\begin{aligned} … \\end{aligned} around the lines", off)
        if name in DELIMITER_TAKERS:
            self.delimited(i, name)
        elif name == "\\" and self.is_ch(self.sig(j), "[") or name in (
                "hspace", "mspace"):
            # amsmath's \\ only reads an adjacent [; LaTeX's skips spaces
            ams = self.stack and self.stack[-1].kind == "env" and \
                self.stack[-1].name != "array"
            if name == "\\" and ams and not self.is_ch(j, "["):
                return j
            got = self.raw_group(self.sig(j), "[" if name == "\\" else "{")
            if not got or not _LENGTH.fullmatch(got[0]):
                self.bad("\\\\[ reads a spacing like [2pt]; put {} between "
                         "\\\\ and [" if name == "\\" else
                         f"\\{name} needs a length such as {{1em}}", off)
            elif why := mathlimits.spacing_problem(got[0], "\\\\[…]" if name == "\\" else f"\\{name}"):
                self.bad(why, off)
            else:
                self.spacing += abs(mathlimits.spacing_em(got[0]))
                if self.spacing > mathlimits.MAX_TOTAL_SPACE_EM >= self.spacing - abs(mathlimits.spacing_em(got[0])):
                    self.bad(f"the spacings of this formula add up to more than "
                             f"{mathlimits.MAX_TOTAL_SPACE_EM}em", off)
            return got[1] if got else j
        elif name == "tag":
            if not self.is_ch(self.sig(j), "{"):
                self.bad("\\tag needs its label in braces, e.g. \\tag{1}", off)
            elif not self.display or self.in_rows():
                self.bad("\\tag only works at the top level of display math "
                         "($$...$$)", off)
            elif self.tagged:
                self.bad("only one \\tag per formula", off)
            self.tagged = True
        self.arguments(j, name, off)
        return j

    def arguments(self, j: int, name: str, off: int) -> None:
        """Check that the arguments exist; mark the modes of text arguments."""
        text = name in TEXT_ARGUMENT
        j = self.skip_optional(j) if name in OPTIONAL_ARG else j
        for _ in range(ARITY.get(name, 0)):
            start, end = self.sig(j), self.arg_end(j)
            if end is None:
                n = ARITY[name]
                self.bad(f"\\{name} needs {n} argument{'s' * (n > 1)}", off)
                return
            arg = self.toks[start]
            if arg.kind == "cs" and (arg.val in ARITY or arg.val not in (
                    TEXT_COMMANDS if text else SCRIPT_SAFE)) or \
                    arg.kind == "ch" and ord(arg.val) > 127:
                self.bad(f"\\{name} needs braces around its argument here: "
                         f"\\{name}{{...}}", off)
            if text or name == "ensuremath":
                self.group_mode[start] = "text" if text else "math"
            if name in ("mathop", "operatorname"):
                self.op_groups.add(start)
            if name == "substack":
                self.row_groups.add(start)
            if name in ("mathbb", "mathcal", "mathscr") and not all(
                    t.kind == "sp" or "A" <= t.val <= "Z"
                    for t in self.toks[start:end] if t.val not in "{}"):
                self.bad(f"\\{name} only has capital letters A-Z"
                         + ("; for a bold 1 (indicator) write \\mathbf{1}" if name == "mathbb" else ""), off)
            j = end

    def delimited(self, i: int, name: str) -> None:
        off, k = self.toks[i].off, self.sig(i + 1)
        if k >= len(self.toks) or self.toks[k][:2] not in _DELIMITERS:
            self.bad(f"\\{name} must be followed by a delimiter such as "
                     "( [ \\{ | or .", off)
        if name == "left":
            self.push(_Frame("left", off, "math"))
        elif name == "right":
            self.close(lambda f: f.kind == "left",
                       "\\right has no matching \\left", off)
        elif name == "middle" and not (self.stack and
                                       self.stack[-1].kind == "left"):
            self.bad("\\middle must be between \\left and \\right", off)

    def environment(self, off: int, j: int, begin: bool) -> int:
        got = self.raw_group(self.sig(j))
        env = got[0].strip() if got else ""
        if not re.fullmatch(r"[A-Za-z]+\*?", env):
            self.bad(f"\\{'begin' if begin else 'end'} must be followed by an "
                     "environment name in braces, e.g. {aligned}", off)
            return j
        after = got[1]
        user_env = env
        if env in INNER_FORMS:
            env = self.inner_form(off, j, after, INNER_FORMS[env])
        if begin and user_env in UNWRAPPED:
            self.push(_Frame("env", off, "math", user_env, 1))
            return after
        if begin:
            if env in DISPLAY_ENVIRONMENTS:
                self.bad(f"environment {{{env}}} cannot be used inside math; "
                         "use aligned inside $$...$$", off)
            elif env not in ALLOWED_ENVIRONMENTS:
                self.bad(f"unknown environment {{{env}}}"
                         + _suggest(env, ALLOWED_ENVIRONMENTS, ""), off)
            elif env == "split" and (not self.display or any(f.name not in UNWRAPPED for f in self.stack)):
                self.bad("split only works at the top level of display math; "
                         "use aligned", off)
            columns = COLUMN_LIMITS.get(env, 0)
            if env in ENV_ARGUMENTS:
                k = self.sig(self.skip_optional(after))
                end = self.pair.get(k) if self.is_ch(k, "{") else None
                spec = self.src[self.toks[k].off + 1:self.toks[end - 1].off] \
                    if end else ""
                if not _ENV_ARGUMENT[env].fullmatch(spec):
                    self.bad(f"\\begin{{{env}}} needs an argument like "
                             f"{ENV_ARGUMENTS[env]}", off)
                elif env == "array":
                    columns = mathlimits.array_columns(spec)
                    if columns > mathlimits.MAX_ARRAY_COLUMNS:
                        self.bad(f"\\begin{{array}} declares {columns} columns, at most "
                                 f"{mathlimits.MAX_ARRAY_COLUMNS}", off)
            self.push(_Frame("env", off, "math", user_env, columns))
            self.row_start = self.pair.get(self.sig(self.skip_optional(after)), after) if env in ENV_ARGUMENTS else after
            return after
        envs = [f for f in self.stack if f.kind == "env"]
        if not envs:
            self.bad(f"\\end{{{env}}} has no matching \\begin{{{env}}}", off)
        elif envs[-1].name != user_env:  # wrong nesting: name both environments
            self.bad(f"\\end{{{user_env}}} does not match "
                     f"\\begin{{{envs[-1].name}}}", off)
        target = next((f for f in reversed(envs) if f.name == user_env),
                      envs[-1] if envs else None)
        if target:
            self.close(lambda f: f is target, "", off, quiet=envs[-1])
        return after

    def inner_form(self, off: int, j: int, after: int, inner: str) -> str:
        """\\begin{align} → \\begin{aligned} (and so on) for normalize_math; equation's
        \\begin and \\end become a space. Returns the environment to check it as."""
        if inner:
            name_at = self.toks[self.sig(j)].off + 1
            end = self.toks[after - 1].off  # its }
            self.subs[name_at] = inner
            self.subs.update((k, "") for k in range(name_at + 1, end))
            return inner
        self.subs[off] = " "
        self.subs.update((k, "") for k in range(off + 1, self.toks[after - 1].off + 1))
        return "equation"

    def close(self, is_target, unmatched: str, off: int, quiet=None) -> None:
        """Pop up to the innermost frame satisfying is_target."""
        for k in range(len(self.stack) - 1, -1, -1):
            if is_target(self.stack[k]):
                for frame in self.stack[k + 1:]:
                    if frame is not quiet:
                        self.unclosed(frame)
                del self.stack[k:]
                return
        self.bad(unmatched, off)

    def unclosed(self, frame: _Frame) -> None:
        self.bad({"{": "unclosed { (missing })",
                  "left": "\\left has no matching \\right",
                  "env": f"\\begin{{{frame.name}}} has no matching "
                         f"\\end{{{frame.name}}}"}[frame.kind], frame.off)
