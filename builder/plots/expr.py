"""The expressions of a plot's `f:` (and its numbers): a small grammar, parsed into a tree.

    expression := sum [comparison sum]          comparison: <  <=  >  >=   (true 1, false 0)
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/") unary)*
    unary      := ("-" | "+") unary | power
    power      := atom ["^" unary]               right to left: 2^3^2 = 2^9, -x^2 = -(x^2)
    atom       := number | "x" | "pi" | "e" | function "(" expression ("," expression)* ")"
                | "(" expression ")"

Functions: exp, ln, log (the natural logarithm too, as in the course's softplus log(1 + exp(x));
base 10 is ln(x)/ln(10)), sqrt, abs, sin, cos, tan, tanh, and min, max of two or more. Nothing of
the text reaches TeX: the tree is evaluated here, in floating point, and only numbers are drawn.
Where a function is undefined (ln of a negative, a division by zero, an overflow) it is NaN.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable, Union

MAX_LENGTH = 500  # characters of one expression: a formula, not a program
MAX_DEPTH = 40  # nested parentheses, calls and unary signs (the parser recurses)

FUNCTIONS: dict[str, tuple[int, Callable[..., float]]] = {}  # name → (arity, 0 = two or more; function)
CONSTANTS = {"pi": math.pi, "e": math.e}
COMPARISONS = ("<=", ">=", "<", ">")


class ExprError(ValueError):
    """A mistake in an expression, at `offset` (0-based) in its text."""

    def __init__(self, message: str, offset: int = 0, hint: str | None = None):
        super().__init__(message)
        self.message, self.offset, self.hint = message, offset, hint


# --- the tree ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Var:
    pass


@dataclass(frozen=True)
class Unary:
    op: str  # "-" ("+" is dropped while parsing)
    arg: Node


@dataclass(frozen=True)
class Binary:
    op: str  # + - * / ^ < <= > >=
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


Node = Union[Num, Var, Unary, Binary, Call]


def show(node: Node) -> str:
    """The tree as text, every operation in parentheses (for tests and messages)."""
    if isinstance(node, Num):
        return repr(node.value)
    if isinstance(node, Var):
        return "x"
    if isinstance(node, Unary):
        return f"(-{show(node.arg)})"
    if isinstance(node, Binary):
        return f"({show(node.left)} {node.op} {show(node.right)})"
    return f"{node.name}({', '.join(show(a) for a in node.args)})"


def uses_x(node: Node) -> bool:
    if isinstance(node, Var):
        return True
    if isinstance(node, Unary):
        return uses_x(node.arg)
    if isinstance(node, Binary):
        return uses_x(node.left) or uses_x(node.right)
    if isinstance(node, Call):
        return any(uses_x(a) for a in node.args)
    return False


# --- the parser -------------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
                       r"|(?P<op><=|>=|==|!=|\*\*|[-+*/^()<>,=]))")


@dataclass
class _Token:
    kind: str  # num, name, op, end
    text: str
    offset: int


def _tokens(text: str) -> list[_Token]:
    out, pos = [], 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            out.append(_Token("end", "", len(text)))
            return out
        m = _TOKEN_RE.match(text, pos)
        if not m:
            raise ExprError(f"unexpected character {text[pos]!r}", pos,
                            "expressions use numbers, x, + - * / ^, parentheses, < <= > >= and functions")
        kind = m.lastgroup or "op"
        out.append(_Token(kind, m.group(kind), m.start(kind)))
        pos = m.end()


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = _tokens(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> _Token:
        return self.toks[self.i]

    def take(self) -> _Token:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expect(self, op: str, what: str) -> None:
        if self.tok.text != op or self.tok.kind != "op":
            raise ExprError(f"expected {what}, found {self._found()}", self.tok.offset)
        self.take()

    def _found(self) -> str:
        return "the end" if self.tok.kind == "end" else repr(self.tok.text)

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(f"nested more than {MAX_DEPTH} levels deep", self.tok.offset)

    def parse(self) -> Node:
        node = self.expression()
        if self.tok.kind != "end":
            hint = None
            if self.tok.kind in ("name", "num") or self.tok.text == "(":
                hint = "write multiplication with * (2*x, not 2x)"
            raise ExprError(f"unexpected {self._found()}", self.tok.offset, hint)
        return node

    def expression(self) -> Node:
        left = self.sum()
        if self.tok.kind == "op" and self.tok.text in COMPARISONS:
            op = self.take().text
            right = self.sum()
            if self.tok.kind == "op" and self.tok.text in COMPARISONS:
                raise ExprError("comparisons cannot be chained", self.tok.offset,
                                "write (x > 0)*(x < 1) for 0 < x < 1")
            return Binary(op, left, right)
        if self.tok.kind == "op" and self.tok.text in ("=", "==", "!="):
            raise ExprError(f"'{self.tok.text}' is not an operator here", self.tok.offset,
                            "compare with < <= > >= (two real numbers are rarely exactly equal)")
        return left

    def sum(self) -> Node:
        node = self.product()
        while self.tok.kind == "op" and self.tok.text in "+-":
            op = self.take().text
            node = Binary(op, node, self.product())
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.tok.kind == "op" and self.tok.text in ("*", "/"):
            op = self.take().text
            node = Binary(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.tok.kind == "op" and self.tok.text in "+-":
            op = self.take().text
            self.deeper()
            arg = self.unary()
            self.depth -= 1
            return Unary("-", arg) if op == "-" else arg
        return self.power()

    def power(self) -> Node:
        base = self.atom()
        if self.tok.kind == "op" and self.tok.text in ("^", "**"):
            if self.tok.text == "**":
                raise ExprError("'**' is written ^ here", self.tok.offset)
            self.take()
            self.deeper()
            exponent = self.unary()
            self.depth -= 1
            return Binary("^", base, exponent)
        return base

    def atom(self) -> Node:
        tok = self.take()
        if tok.kind == "num":
            return Num(float(tok.text))
        if tok.kind == "name":
            return self.name(tok)
        if tok.kind == "op" and tok.text == "(":
            self.deeper()
            node = self.expression()
            self.depth -= 1
            self.expect(")", "')'")
            return node
        self.i -= 1
        raise ExprError(f"expected a number, x, a function or '(', found {self._found()}", tok.offset)

    def name(self, tok: _Token) -> Node:
        name = tok.text
        calling = self.tok.kind == "op" and self.tok.text == "("
        if name in FUNCTIONS:
            if not calling:
                raise ExprError(f"'{name}' is a function: write {name}(…)", tok.offset)
            return self.call(tok)
        if calling:
            raise ExprError(f"unknown function '{name}' (known: {', '.join(sorted(FUNCTIONS))})", tok.offset,
                            _suggestion(name, FUNCTIONS))
        if name == "x":
            return Var()
        if name in CONSTANTS:
            return Num(CONSTANTS[name])
        raise ExprError(f"unknown name '{name}': the variable is x, the constants pi and e", tok.offset,
                        "name the axis with xlabel (xlabel: $z$) and write the function of x")

    def call(self, tok: _Token) -> Node:
        arity = FUNCTIONS[tok.text][0]
        self.take()  # (
        self.deeper()
        args = [self.expression()]
        while self.tok.kind == "op" and self.tok.text == ",":
            self.take()
            args.append(self.expression())
        self.depth -= 1
        self.expect(")", f"',' or ')' in {tok.text}(…)")
        if arity and len(args) != arity:
            raise ExprError(f"{tok.text}(…) takes {arity} argument{'s' if arity > 1 else ''}, not {len(args)}",
                            tok.offset)
        if not arity and len(args) < 2:
            raise ExprError(f"{tok.text}(…) takes two or more arguments", tok.offset)
        return Call(tok.text, tuple(args))


def _suggestion(name: str, known) -> str | None:
    import difflib

    close = difflib.get_close_matches(name.lower(), list(known), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def parse(text: str) -> Node:
    """The tree of `text`, or ExprError saying what is wrong and where."""
    if len(text) > MAX_LENGTH:
        raise ExprError(f"expression is {len(text)} characters long; at most {MAX_LENGTH}", MAX_LENGTH)
    if not text.strip():
        raise ExprError("empty expression")
    return _Parser(text).parse()


# --- evaluation -------------------------------------------------------------------------------

NAN = math.nan


def _guard(fn: Callable[..., float]) -> Callable[..., float]:
    """A math function that answers NaN where it is undefined, and ±inf where it overflows."""
    def safe(*args: float) -> float:
        try:
            return fn(*args)
        except (ValueError, ZeroDivisionError):
            return NAN
        except OverflowError:
            return math.inf
    return safe


def _ln(v: float) -> float:
    return math.log(v) if v > 0 else NAN


def _power(a: float, b: float) -> float:
    if a == 0 and b < 0:
        return NAN
    result = math.pow(a, b)  # ValueError for a negative base and a fractional exponent
    return result


FUNCTIONS.update({
    "exp": (1, _guard(math.exp)), "ln": (1, _ln), "log": (1, _ln), "sqrt": (1, _guard(math.sqrt)),
    "abs": (1, abs), "sin": (1, _guard(math.sin)), "cos": (1, _guard(math.cos)),
    "tan": (1, _guard(math.tan)), "tanh": (1, math.tanh), "min": (0, min), "max": (0, max),
})

_BINARY: dict[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: a / b if b else NAN, "^": _guard(_power),
    "<": lambda a, b: float(a < b), "<=": lambda a, b: float(a <= b),
    ">": lambda a, b: float(a > b), ">=": lambda a, b: float(a >= b),
}


def compile_tree(node: Node) -> Callable[[float], float]:
    """The tree as a Python function of x (closures, no eval): NaN where undefined."""
    if isinstance(node, Num):
        value = node.value
        return lambda x: value
    if isinstance(node, Var):
        return lambda x: x
    if isinstance(node, Unary):
        arg = compile_tree(node.arg)
        return lambda x: -arg(x)
    if isinstance(node, Binary):
        op, left, right = _BINARY[node.op], compile_tree(node.left), compile_tree(node.right)
        return lambda x: _nan_safe(op, left(x), right(x))
    fn = FUNCTIONS[node.name][1]
    args = [compile_tree(a) for a in node.args]
    if len(args) == 1:
        only = args[0]
        return lambda x: _nan_safe(fn, only(x))
    return lambda x: _nan_safe(fn, *(a(x) for a in args))


def _nan_safe(fn: Callable[..., float], *values: float) -> float:
    """NaN in, NaN out (min and max would drop it; a comparison would make it 0)."""
    for v in values:
        if v != v:
            return NAN
    try:
        result = fn(*values)
    except OverflowError:
        return math.inf
    return float(result)


def constant(text: str) -> float:
    """A number written as an expression without x (`-2*pi`, `1e-3`, `ln(2)`)."""
    node = parse(text)
    if uses_x(node):
        raise ExprError("a number cannot depend on x here", 0)
    value = compile_tree(node)(0.0)
    if not math.isfinite(value):
        raise ExprError(f"'{text}' is not a finite number", 0)
    return value
