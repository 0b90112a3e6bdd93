"""Domain exceptions raised by engine/ and crm/.

api/ maps each class to an HTTP status in one place; nothing here knows about HTTP.
"""
from __future__ import annotations

from dataclasses import dataclass, field


class DomainError(Exception):
    """Base class. `code` is a stable machine-readable string."""

    code = "error"

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = dict(fields or {})


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
        super().__init__(f"{len(self.problems)} problem(s) in the BPMN definition", fields)


@dataclass
class ProblemList:
    items: list[Problem] = field(default_factory=list)

    def add(self, element_id: str | None, message: str, rule: str = "invalid") -> None:
        self.items.append(Problem(element_id, message, rule))
