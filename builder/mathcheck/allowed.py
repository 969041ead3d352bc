"""What math may hold: the allowed commands and their arguments, the allowed environments,
and the commands refused with the reason why (the allowlist refuses them anyway; the reason
makes the message clearer). The tables assume this preamble:
``\\usepackage[T1]{fontenc}\\usepackage[utf8]{inputenc}``
``\\usepackage{amsmath,amssymb,mathtools}``, ``\\usepackage{bm,cancel,mathrsfs}``
and display math emitted as
``\\[...\\]`` (``\\tag`` and ``split`` fail inside ``$$...$$``).
"""

from __future__ import annotations


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

