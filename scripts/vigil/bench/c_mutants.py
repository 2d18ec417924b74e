"""Mutants of a C source file: one small change each (a comparison, an operator, a constant, an
off-by-one), found by tokenizing the C (comments, strings, characters and preprocessor lines are
never touched)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

# Longest first, so ">>=" is one token and "->" never reads as "-" then ">".
_TOKEN = re.compile(
    r"""
    (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<string>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  | (?P<float>(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?[fF]?|\d+[eE][+-]?\d+[fF]?)
  | (?P<int>0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*)
  | (?P<name>[A-Za-z_]\w*)
  | (?P<op><<=|>>=|->|\+\+|--|<=|>=|==|!=|&&|\|\||<<|>>|\+=|-=|\*=|/=|%=|&=|\|=|\^=|[-+*/%<>=!&|^~?:;,.(){}\[\]])
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.S | re.X,
)

# operator -> what it becomes
SWAPS = {
    "<": ("<=",),
    "<=": ("<",),
    ">": (">=",),
    ">=": (">",),
    "==": ("!=",),
    "!=": ("==",),
    "&&": ("||",),
    "||": ("&&",),
    "+": ("-",),
    "-": ("+",),
    "*": ("/",),
    "/": ("*",),
    "%": ("/",),
    "<<": (">>",),
    ">>": ("<<",),
    "&": ("|",),
    "|": ("&",),
    "^": ("|",),
    "+=": ("-=",),
    "-=": ("+=",),
    "++": ("--",),
    "--": ("++",),
}
BINARY_ONLY = {"+", "-", "*", "&"}  # unary forms (sign, dereference, address-of) are left alone
NAME_SWAPS = {"true": "false", "false": "true"}
_OPERAND_END = {"name", "int", "float"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    offset: int


@dataclass(frozen=True)
class Mutant:
    file: str  # relative to the repository
    line: int
    column: int  # 1-based, in the original line
    operator: str  # comparison, arithmetic, logical, bitwise, constant, boolean, negation
    original: str
    replacement: str
    source_line: str  # the original line, stripped
    indent: int = 0  # characters before source_line in the original line
    occurrence: int = 0  # the same change on an identical line earlier in the file

    @property
    def key(self) -> str:
        """Stable across edits elsewhere in the file: the line's text, not its number."""
        again = f" #{self.occurrence + 1}" if self.occurrence else ""
        change = f"{self.original} -> {self.replacement}{again}"
        return f"{self.file}: {self.source_line} @{self.column - 1 - self.indent}: {change}"

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def apply(self, text: str) -> str:
        offset = _offset(text, self.line, self.column)
        if text[offset : offset + len(self.original)] != self.original:
            raise ValueError(f"{self.where}: expected {self.original!r}")
        return text[:offset] + self.replacement + text[offset + len(self.original) :]


def tokens(text: str) -> list[Token]:
    """Code tokens in order; comments, whitespace and preprocessor lines are dropped."""
    out, preprocessor = [], False
    for m in _TOKEN.finditer(text):
        kind, value = m.lastgroup, m.group()
        if kind == "other" and value == "#" and _only_space_before(text, m.start()):
            preprocessor = True
        if preprocessor:
            newline = value.find("\n")
            if newline >= 0 and not text[: m.start() + newline].endswith("\\"):
                preprocessor = False
            continue
        if kind not in ("space", "comment"):
            out.append(Token(kind, value, m.start()))
    return out


def _only_space_before(text: str, offset: int) -> bool:
    line_start = text.rfind("\n", 0, offset) + 1
    return text[line_start:offset].strip() == ""


def _offset(text: str, line: int, column: int) -> int:
    start = 0
    for _ in range(line - 1):
        start = text.index("\n", start) + 1
    return start + column - 1


def _int_mutations(literal: str) -> list[str]:
    m = re.fullmatch(r"(0[xX][0-9a-fA-F]+|\d+)([uUlL]*)", literal)
    digits, suffix = m.group(1), m.group(2)
    value = int(digits, 0)
    fmt = (lambda v: f"0x{v:x}{suffix}") if digits[:2].lower() == "0x" else (lambda v: f"{v}{suffix}")
    out = [fmt(value + 1)]
    if value > 0:
        out.append(fmt(value - 1))
    return out


def _float_mutation(literal: str) -> str:
    suffix = "f" if literal[-1] in "fF" else ""
    value = float(literal.rstrip("fF"))
    return f"{value + 1.0!r}{suffix}" if value != 0.0 else f"1.0{suffix}"


def mutants_of(path: Path, relative: str) -> list[Mutant]:
    text = path.read_text()
    toks = tokens(text)
    lines = text.splitlines()
    found = []

    def add(tok: Token, operator: str, replacement: str, original: str | None = None) -> None:
        line = text.count("\n", 0, tok.offset) + 1
        column = tok.offset - (text.rfind("\n", 0, tok.offset) + 1) + 1
        raw = lines[line - 1]
        indent = len(raw) - len(raw.lstrip())
        mutant = Mutant(relative, line, column, operator, original or tok.text, replacement, raw.strip(), indent)
        seen = sum(replace(m, occurrence=0).key == mutant.key for m in found)
        found.append(replace(mutant, occurrence=seen) if seen else mutant)

    for i, tok in enumerate(toks):
        prev = toks[i - 1] if i > 0 else None
        if tok.kind == "op" and tok.text in SWAPS:
            binary = prev is not None and (prev.kind in _OPERAND_END or prev.text in (")", "]"))
            if tok.text in BINARY_ONLY and not binary:
                continue
            if tok.text == "*" and prev is not None and prev.kind == "name" and _declares(toks, i):
                continue  # a pointer declarator, not a multiplication
            for replacement in SWAPS[tok.text]:
                add(tok, _family(tok.text), replacement)
        elif tok.kind == "op" and tok.text == "!" and (i + 1 < len(toks)) and toks[i + 1].text != "=":
            add(tok, "negation", "")
        elif tok.kind == "int" and not _in_array_size(toks, i):
            for replacement in _int_mutations(tok.text):
                add(tok, "constant", replacement)
        elif tok.kind == "float":
            add(tok, "constant", _float_mutation(tok.text))
        elif tok.kind == "name" and tok.text in NAME_SWAPS:
            add(tok, "boolean", NAME_SWAPS[tok.text])
    return found


def _family(op: str) -> str:
    if op in ("<", "<=", ">", ">=", "==", "!="):
        return "comparison"
    if op in ("&&", "||"):
        return "logical"
    if op in ("&", "|", "^", "<<", ">>"):
        return "bitwise"
    return "arithmetic"


_TYPE_WORDS = {"const", "struct", "enum", "static", "unsigned", "signed", "volatile"}


def _declares(toks: list[Token], i: int) -> bool:
    """`name *` starts a declaration when the name is a type: a known C type, *_t, or it follows
    struct/enum/const or a statement boundary and the token after `*` is a name then `=`, `,`, `;`
    or `)`/`[`."""
    prev = toks[i - 1]
    if prev.text.endswith("_t") or prev.text in {"char", "int", "float", "double", "void", "bool", "size_t"}:
        return True
    before = toks[i - 2] if i >= 2 else None
    if before is not None and before.text in _TYPE_WORDS:
        return True
    after = toks[i + 1] if i + 1 < len(toks) else None
    nxt = toks[i + 2] if i + 2 < len(toks) else None
    return (
        before is not None
        and before.text in ("(", ",", ";", "{", "}")
        and after is not None
        and after.kind == "name"
        and nxt is not None
        and nxt.text in ("=", ",", ";", ")", "[")
    )


def _in_array_size(toks: list[Token], i: int) -> bool:
    """A literal that sizes an array declaration or a case label: changing it never reaches a test."""
    prev = toks[i - 1] if i > 0 else None
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    return prev is not None and prev.text == "[" and nxt is not None and nxt.text == "]" and _is_declaration(toks, i)


def _is_declaration(toks: list[Token], i: int) -> bool:
    j = i - 2
    while j >= 0 and toks[j].text == "]":
        j -= 3
    return j >= 1 and toks[j].kind == "name" and (toks[j - 1].kind == "name" or toks[j - 1].text in ("*", ","))
