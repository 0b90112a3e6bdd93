"""The names and operators of one expression or script, checked against what exists at run time.

`check_source(source, mode, scope, builtins)` walks Python's `ast` of a condition, an `lz:arg`
expression or a script and returns every `Finding` (a `core.errors.Msg` with its code):

- a name that is neither in `scope` (what the process data can hold at that point: form fields,
  node results, script results, data objects), nor a sandbox builtin, nor bound inside the source
  (comprehension variables, lambda parameters, names a script assigns) — `expr_unknown_name`,
  with the closest known name as a hint (`expr_unknown_name_hint`);
- a string key read from a value whose keys are known (`supervisor["outcom"]`, a line of a
  dynamic list) that is not one of them — `expr_unknown_key`;
- attribute access on process data (`supervisor.outcome`): the data are dictionaries, so this
  fails at run time — `expr_attribute`, suggesting `supervisor["outcome"]`;
- operators that make no sense on form values: `<<`, `>>`, `@`, `~` always; `&`, `|`, `^` when
  an operand is a comparison, a number or a number field (`amount > 1 & x` is not "and") —
  `expr_operator`;
- ordering or equality between a number field and a text literal (`amount > "30000"`) —
  `expr_compare_text`.

`scope` maps a name to its `Shape`: `None` (any value), `NUMBER` (a number field), `Record`
(a dictionary with known keys, e.g. `{"outcome", "votes"}` of an approval node) or `Items`
(a list of records, e.g. a dynamic list's lines). Pure: no database, no SpiffWorkflow.
"""
from __future__ import annotations

import ast
import difflib
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Union

from core.errors import Msg


@dataclass(frozen=True)
class Record:
    """A dictionary whose keys are known; `what` words it in messages ("approval node", "form group")."""

    keys: Mapping[str, Shape] = field(default_factory=dict)
    what: str = "value"


@dataclass(frozen=True)
class Items:
    """A list whose items have the shape `item` (a dynamic list's lines)."""

    item: Shape = None


NUMBER = "number"
Shape = Union[Record, Items, str, None]  # noqa: UP007 (a runtime alias; `|` on a str literal fails)

DICT_METHODS = frozenset({"get", "keys", "values", "items"})
_ALWAYS_REFUSED = {ast.LShift: "<<", ast.RShift: ">>", ast.MatMult: "@"}
_BITWISE = {ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^"}
_HINT = {">>": ">=", "<<": "<=", "&": "and", "|": "or", "^": "!=", "~": "not", "@": "*"}


def check_source(source: str, mode: str, scope: Mapping[str, Shape], builtins: Collection[str]) -> list[Msg]:
    """Every finding in `source` ("eval" for an expression, "exec" for a script); [] when it is
    clean or does not parse (the sandbox check reports syntax errors)."""
    try:
        tree = ast.parse(source.strip() if mode == "eval" else source, mode=mode)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    walker = _Walker(scope, frozenset(builtins), _stored_names(tree) if mode == "exec" else frozenset())
    walker.visit(tree)
    return _unique(walker.findings)


def _stored_names(tree: ast.AST) -> frozenset[str]:
    """Names a script binds anywhere (assignments, loops, imports, defs, except ... as)."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            out.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            out.add(node.name)
        elif isinstance(node, ast.arg):
            out.add(node.arg)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            out.update(node.names)
    return frozenset(out)


def _targets(node: ast.AST) -> Iterator[ast.Name]:
    if isinstance(node, ast.Name):
        yield node
    elif isinstance(node, (ast.Tuple, ast.List)):
        for elt in node.elts:
            yield from _targets(elt)
    elif isinstance(node, ast.Starred):
        yield from _targets(node.value)


def _unique(findings: list[Msg]) -> list[Msg]:
    seen: set[str] = set()
    return [f for f in findings if not (str(f) in seen or seen.add(str(f)))]  # type: ignore[func-returns-value]


class _Walker(ast.NodeVisitor):
    def __init__(self, scope: Mapping[str, Shape], builtins: frozenset[str], stored: frozenset[str]):
        self.scope = scope
        self.builtins = builtins
        self.locals: list[dict[str, Shape]] = [{name: None for name in stored}]
        self.findings: list[Msg] = []

    # ---- names and their shapes

    def lookup(self, name: str) -> tuple[bool, Shape]:
        for frame in reversed(self.locals):
            if name in frame:
                return True, frame[name]
        if name in self.scope:
            return True, self.scope[name]
        return name in self.builtins, None

    def shape(self, node: ast.AST) -> Shape:
        """What is known of the value of `node` (None: anything)."""
        if isinstance(node, ast.Name):
            return self.lookup(node.id)[1]
        if isinstance(node, ast.Subscript):
            base = self.shape(node.value)
            if isinstance(base, Items):
                return base.item
            key = _const_str(node.slice)
            if isinstance(base, Record) and key is not None:
                return base.keys.get(key)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
            base = self.shape(node.func.value)
            key = _const_str(node.args[0]) if node.args else None
            if isinstance(base, Record) and key is not None:
                return base.keys.get(key)
        return None

    def visit_Name(self, node: ast.Name) -> None:
        if not isinstance(node.ctx, ast.Load):
            return
        known, _ = self.lookup(node.id)
        if not known:
            names = sorted({*self.scope, *(n for f in self.locals for n in f)})
            close = difflib.get_close_matches(node.id, names, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            self.findings.append(Msg(
                "expr_unknown_name_hint" if close else "expr_unknown_name",
                f"'{node.id}' is not known at this point: it is not a field of the start form, nor set by "
                f"a step before this one, nor an allowed function{hint}",
                name=node.id, suggestion=close[0] if close else ""))

    # ---- keys and attributes of known dictionaries

    def _check_key(self, base_node: ast.AST, key: str | None) -> None:
        base = self.shape(base_node)
        if key is None or not isinstance(base, Record) or key in base.keys:
            return
        shown = ast.unparse(base_node)
        close = difflib.get_close_matches(key, list(base.keys), n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        self.findings.append(Msg(
            "expr_unknown_key",
            f"{shown}[\"{key}\"]: {shown} ({base.what}) has no key '{key}'; its keys are "
            f"{', '.join(sorted(base.keys)) or 'none'}{hint}",
            expr=shown, key=key, keys=", ".join(sorted(base.keys))))

    def visit_Subscript(self, node: ast.Subscript) -> None:
        self.generic_visit(node)
        self._check_key(node.value, _const_str(node.slice))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.generic_visit(node)
        base = self.shape(node.value)
        if isinstance(base, Record) and node.attr not in DICT_METHODS:
            shown = ast.unparse(node.value)
            self.findings.append(Msg(
                "expr_attribute",
                f"{shown}.{node.attr}: process data are dictionaries; write {shown}[\"{node.attr}\"]",
                expr=shown, attr=node.attr))

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        if isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args:
            self._check_key(node.func.value, _const_str(node.args[0]))

    # ---- operators

    def _operator(self, op: str, node: ast.AST) -> None:
        self.findings.append(Msg(
            "expr_operator",
            f"operator '{op}' in '{ast.unparse(node)}' makes no sense on form values (it works on the bits "
            f"of a number); did you mean '{_HINT[op]}'?",
            operator=op, expr=ast.unparse(node), hint=_HINT[op]))

    def _numeric(self, node: ast.AST) -> bool:
        if isinstance(node, (ast.Compare, ast.BoolOp)):
            return True
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return True
        return self.shape(node) == NUMBER

    def visit_BinOp(self, node: ast.BinOp) -> None:
        self.generic_visit(node)
        op = _ALWAYS_REFUSED.get(type(node.op))
        if op is None and type(node.op) in _BITWISE and (self._numeric(node.left) or self._numeric(node.right)):
            op = _BITWISE[type(node.op)]
        if op is not None:
            self._operator(op, node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        self.generic_visit(node)
        if isinstance(node.op, ast.Invert):
            self._operator("~", node)

    def visit_Compare(self, node: ast.Compare) -> None:
        self.generic_visit(node)
        sides = [node.left, *node.comparators]
        for (a, b), op in zip(zip(sides, sides[1:], strict=False), node.ops, strict=False):
            if isinstance(op, (ast.In, ast.NotIn, ast.Is, ast.IsNot)):
                continue
            for num, other in ((a, b), (b, a)):
                if self.shape(num) == NUMBER and isinstance(other, ast.Constant) and isinstance(other.value, str):
                    self.findings.append(Msg(
                        "expr_compare_text",
                        f"'{ast.unparse(num)}' is a number field compared with the text {other.value!r}; "
                        "write the number without quotes",
                        expr=ast.unparse(num), literal=other.value))

    # ---- local scopes: comprehensions and lambdas

    def _comprehension(self, node: ast.AST, generators: list[ast.comprehension], results: list[ast.AST]) -> None:
        frame: dict[str, Shape] = {}
        self.locals.append(frame)
        for gen in generators:
            self.visit(gen.iter)
            item = self.shape(gen.iter)
            for name in _targets(gen.target):
                frame[name.id] = item.item if isinstance(item, Items) and isinstance(gen.target, ast.Name) else None
            for cond in gen.ifs:
                self.visit(cond)
        for r in results:
            self.visit(r)
        self.locals.pop()

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._comprehension(node, node.generators, [node.elt])

    visit_SetComp = visit_ListComp  # type: ignore[assignment]
    visit_GeneratorExp = visit_ListComp  # type: ignore[assignment]

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._comprehension(node, node.generators, [node.key, node.value])

    def visit_Lambda(self, node: ast.Lambda) -> None:
        a = node.args
        names = [x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)]
        names += [x.arg for x in (a.vararg, a.kwarg) if x is not None]
        for d in (*a.defaults, *a.kw_defaults):
            if d is not None:
                self.visit(d)
        self.locals.append(dict.fromkeys(names))
        self.visit(node.body)
        self.locals.pop()

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        self.locals[0][node.target.id] = self.shape(node.value)


def _const_str(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
