"""How the version pages present a version diff (bpmn.diff): the names of the compared fields
and of the BPMN element types, in the reader's language. The reads themselves are use cases in
engine/design/versions.py."""
from __future__ import annotations

from flask_babel import gettext


def diff_fields() -> dict[str, str]:
    return {"type": gettext("Type"), "name": gettext("Name"), "mode": gettext("Approval mode"),
            "threshold": gettext("Threshold"), "skip": gettext("Auto-approval"), "assignees": gettext("Assignees"),
            "deadline": gettext("Deadline"), "form": gettext("Form"), "editable": gettext("Editable fields"),
            "hidden": gettext("Hidden fields"), "cc": gettext("Copy to"), "call": gettext("Function"),
            "condition": gettext("Enter when"), "category": gettext("Category"),
            "prefix": gettext("Business key prefix"), "name_en": gettext("English name"),
            "start_form": gettext("Start form")}


def element_types() -> dict[str, str]:
    return {"userTask": gettext("User task"), "serviceTask": gettext("Service task"),
            "scriptTask": gettext("Script task"), "exclusiveGateway": gettext("Exclusive gateway"),
            "parallelGateway": gettext("Parallel gateway"), "inclusiveGateway": gettext("Inclusive gateway"),
            "startEvent": gettext("Start event"), "endEvent": gettext("End event")}
