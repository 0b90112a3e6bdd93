"""Domain exceptions raised by every layer below the web faces (engine/, crm/, forms/, bpmn/).

Each error carries a stable `code` (its kind), a precise `reason` and the `params` its message
was built from, so a page or an API client translates it by code, never by matching English
text. Per-field messages are `Msg` strings: a `str` (the English text, what the JSON API
answers) that also carries a code and parameters, e.g.
`Msg("min_length", "must be at least 3 characters", min=3)`.

The web foundation (web/errors.py) maps each class to an HTTP status in one place; nothing here
knows about HTTP.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class Msg(str):
    """An English message that knows its code and parameters (for translation by code).

    It is a `str`, so everything that stores, compares or serialises messages keeps working."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, text: str, **params: Any) -> Msg:
        self = super().__new__(cls, text)
        self.code = code
        self.params = params
        return self

    def __reduce__(self) -> Any:  # pickling (e.g. across processes) keeps code and params
        return (_msg, (self.code, str(self), self.params))


def _msg(code: str, text: str, params: dict[str, Any]) -> Msg:
    message = Msg(code, text)
    message.params = params  # (a param may be called `text` or `code`)
    return message


def code_of(message: str) -> str | None:
    """The code of a message, or None for a plain string."""
    return message.code if isinstance(message, Msg) else None


class DomainError(Exception):
    """Base class. `code` is the stable machine-readable kind (validation_failed, conflict, ...) that
    the API answers; `reason` is a more precise code for translation (e.g. "leave_not_enough"),
    and `params` are the values the message was built from."""

    code = "error"

    def __init__(self, message: str, fields: Mapping[str, str] | None = None, *, reason: str | None = None,
                 **params: Any):
        super().__init__(message)
        self.message = message
        self.fields = dict(fields or {})
        self.reason = reason or (message.code if isinstance(message, Msg) else None) or self.code
        self.params = {**(message.params if isinstance(message, Msg) else {}), **params}


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class Conflict(DomainError):
    """The target is no longer in a state that allows the action (e.g. task already decided)."""

    code = "conflict"


class EngineFailure(Conflict):
    """The engine could not carry out the step (e.g. a gateway condition failed). Nothing changed."""

    code = "engine_error"


class TooManyRequests(DomainError):
    """The action was done too recently (e.g. urging an instance); `retry_after` seconds until allowed."""

    code = "too_many_requests"

    def __init__(self, message: str, retry_after: int, *, reason: str | None = None, **params: Any):
        super().__init__(message, reason=reason, retry_after=retry_after, **params)
        self.retry_after = max(1, int(retry_after))


class ValidationFailed(DomainError):
    """Input did not validate; `fields` names each offending field."""

    code = "validation_failed"


@dataclass(frozen=True)
class Problem:
    """One problem found in a BPMN definition: the element it concerns and why."""

    element_id: str | None
    message: str
    rule: str = "invalid"

    def as_dict(self) -> dict[str, str | None]:
        return {"element_id": self.element_id, "message": self.message, "rule": self.rule}


class DefinitionInvalid(DomainError):
    """A BPMN definition failed validation. `problems` lists every problem found."""

    code = "definition_invalid"

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        fields: dict[str, str] = {}
        for p in self.problems:
            key = p.element_id or "definition"
            fields[key] = (fields[key] + "; " + p.message) if key in fields else p.message
        super().__init__(f"{len(self.problems)} problem(s) in the BPMN definition", fields,
                         count=len(self.problems))


@dataclass
class ProblemList:
    items: list[Problem] = field(default_factory=list)

    def add(self, element_id: str | None, message: str, rule: str = "invalid") -> None:
        self.items.append(Problem(element_id, message, rule))
