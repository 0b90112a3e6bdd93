"""The JUEL/EL expressions of Camunda and Flowable files that have a faithful Python meaning.

Two kinds, nothing else:

- `condition(text)`: `${...}` / `#{...}` that is a plain comparison of process variables — names,
  numbers, quoted strings, `true` / `false` / `null`, the comparisons (`==` `!=` `<` `<=` `>` `>=`
  and `eq ne lt le gt ge`), `&&` `||` `!` (`and or not`) and parentheses — becomes the same
  Python expression (`${amount > 1000 && type == 'A'}` -> `amount > 1000 and type == 'A'`).
  Property access, method calls, `empty`, arithmetic, the ternary operator and anything else
  are refused: their meaning in EL (null-safe navigation, coercions) is not Python's.
- `completion(text, instances)`: the usual N-of-M completion conditions of a multi-instance user
  task, as the `lz:approval` rule with the same result (DESIGN.md §2): `nrOfCompletedInstances >= 1`
  (or `> 0`) -> any; `nrOfCompletedInstances == nrOfInstances` (or `>=`, or a ratio of 1) -> all;
  `nrOfCompletedInstances/nrOfInstances >= r` -> ratio r; `... > 0.5` -> majority;
  `nrOfCompletedInstances >= n` (or `== n`, `> n-1`) with n > 1 -> ratio n/M (exactly n approvals
  of M decide), only when M is fixed in the file — else refused: no share can be fixed at deploy.

Each returns (result, None) or (None, why) with why in English for the deploy report.
"""
from __future__ import annotations

import re
from fractions import Fraction

from bpmn.problem_texts import pm

_WRAPPED = re.compile(r"^\s*[$#]\{(?P<body>.*)\}\s*$", re.S)
_TOKEN = re.compile(r"""\s*(?:
    (?P<num>\d+(?:\.\d+)?)
  | (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<op>==|!=|<=|>=|&&|\|\||[<>!()])
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>\S)
)""", re.X)
_WORD_OPS = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=",
             "and": "and", "or": "or", "not": "not"}
_SYMBOL_OPS = {"&&": "and", "||": "or", "!": "not"}
_LITERALS = {"true": "True", "false": "False", "null": "None"}
_REFUSED_WORDS = ("empty", "div", "mod", "instanceof", "new")
PYTHON_KEYWORDS = frozenset({"None", "True", "False", "and", "or", "not", "in", "is", "if", "else", "lambda",
                             "import", "for", "while", "def", "class", "return", "yield", "with", "as",
                             "pass", "del", "global", "nonlocal", "assert", "break", "continue", "try",
                             "except", "finally", "raise", "from", "await", "async"})


def unwrap(text: str | None) -> str | None:
    """The body of a single `${...}` / `#{...}`, or None when `text` is not one."""
    m = _WRAPPED.match(text or "")
    if not m or re.search(r"[$#]\{", m.group("body")):
        return None
    return m.group("body").strip()


def is_el(text: str | None) -> bool:
    return bool(re.search(r"[$#]\{", text or ""))


def variable(text: str | None) -> str | None:
    """`${name}` -> "name" (a plain process variable), else None."""
    body = unwrap(text)
    return body if body is not None and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", body) \
        and body not in PYTHON_KEYWORDS and body not in _LITERALS else None


def condition(text: str) -> tuple[str | None, str | None]:
    """(python, None) for a plain comparison of process variables, else (None, why)."""
    body = unwrap(text)
    if body is None:
        return None, pm("juel_single")
    if not body:
        return None, pm("juel_empty")
    out: list[str] = []
    pos = 0
    while pos < len(body):
        m = _TOKEN.match(body, pos)
        if m is None or m.end() == pos:
            break
        pos = m.end()
        kind = m.lastgroup
        tok = m.group(kind or "other")
        if kind == "num" or kind == "str":
            out.append(tok)
        elif kind == "op":
            out.append(_SYMBOL_OPS.get(tok, tok))
        elif kind == "name":
            why = _name_problem(tok, body[pos:])
            if why:
                return None, why
            out.append(_LITERALS.get(tok) or _WORD_OPS.get(tok) or tok)
        else:
            code = {"+": "juel_arithmetic", "-": "juel_arithmetic", "*": "juel_arithmetic", "/": "juel_arithmetic",
                    "%": "juel_arithmetic", "?": "juel_ternary", ":": "juel_ternary", ".": "juel_property",
                    "[": "juel_indexing"}.get(tok)
            return None, pm(code) if code else pm("juel_operator", what=f"'{tok}'")
    python = " ".join(out).replace("( ", "(").replace(" )", ")")
    return python, None


def _name_problem(name: str, rest: str) -> str | None:
    if name in _REFUSED_WORDS:
        return pm("juel_el_operator", name=name)
    if rest.lstrip().startswith(("(", ".", "[")) and name not in _WORD_OPS:
        return pm("juel_object", name=name)
    if name in PYTHON_KEYWORDS and name not in _WORD_OPS:
        return pm("juel_keyword", name=name)
    return None


_COUNT = re.compile(r"^nrOfCompletedInstances(?P<op>>=|>|==)(?P<n>\d+)$")
_COUNT_REVERSED = re.compile(r"^(?P<n>\d+)(?P<op><=|<|==)nrOfCompletedInstances$")
_ALL = re.compile(r"^nrOfCompletedInstances(?:>=|==)nrOfInstances$|^nrOfInstances(?:<=|==)nrOfCompletedInstances$")
_RATIO = re.compile(r"^\(?nrOfCompletedInstances/nrOfInstances\)?(?P<op>>=|>)(?P<r>\d+(?:\.\d+)?)$")
_FLIP = {"<=": ">=", "<": ">", "==": "=="}
Rule = tuple[str, Fraction | None]


def completions_needed(text: str) -> int | None:
    """n for `nrOfCompletedInstances >= n` (also `> n-1`, `== n` and `n <= nrOfCompletedInstances`), else None.

    The engines evaluate a completion condition each time an instance completes, so `== n` holds
    first (and ends the task) exactly when `>= n` does."""
    body = unwrap(text)
    if body is None:
        return None
    m = _COUNT.match(_flat(body))
    op = m.group("op") if m else None
    if m is None:
        m = _COUNT_REVERSED.match(_flat(body))
        op = _FLIP[m.group("op")] if m else None
    if m is None:
        return None
    return int(m.group("n")) + (1 if op == ">" else 0)


def _flat(body: str) -> str:
    for word, op in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<"), ("eq", "==")):
        body = re.sub(rf"\b{word}\b", op, body)
    return re.sub(r"\s+", "", body)


def count_rule(n: int, instances: int) -> Rule:
    """The lz rule under which exactly `n` approvals of `instances` (M, 1 <= n <= M) decide: the first
    decision for n == 1 (any, as `>= 1` always was), all for n == M, else ratio with the exact
    threshold n/M — the vote rule compares Fraction(a, M) >= n/M, i.e. a >= n (engine/nodes/rules.py)."""
    if not 1 <= n <= instances:
        raise ValueError(f"{n} of {instances}")
    if n == 1:
        return ("any", None)
    if n == instances:
        return ("all", None)
    return ("ratio", Fraction(n, instances))


def completion(text: str, instances: int | None = None) -> tuple[Rule | None, str | None]:
    """((mode, threshold), None) for the usual N-of-M completion conditions, else (None, why).

    `instances`: M, the number of instances when the file fixes it (a literal loopCardinality with
    the approvers named in the file); None when it is known only at run time (a collection variable).
    `nrOfCompletedInstances >= n` needs it for n > 1."""
    body = unwrap(text)
    if body is None:
        return None, pm("juel_completion_single")
    flat = _flat(body)
    if _ALL.match(flat):
        return ("all", None), None
    n = completions_needed(text)
    if n is not None:
        return _count(body, n, instances)
    m = _RATIO.match(flat)
    if m:
        r = Fraction(m.group("r"))
        if m.group("op") == ">":
            if r == Fraction(1, 2):
                return ("majority", None), None
            return None, pm("juel_ratio_majority", body=body)
        if r == 1:
            return ("all", None), None
        if 0 < r < 1:
            return ("ratio", r), None
        return None, pm("juel_ratio_range", body=body)
    return None, pm("juel_completion_unknown", body=body)


def _count(body: str, n: int, instances: int | None) -> tuple[Rule | None, str | None]:
    if n < 1:
        return None, pm("juel_completion_zero", body=body)
    if n == 1:
        return ("any", None), None
    if instances is None:
        return None, pm("juel_completion_runtime", body=body, n=n)
    if n > instances:
        return None, pm("juel_completion_unreachable", body=body, n=n, m=instances)
    return count_rule(n, instances), None
