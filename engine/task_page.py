"""The task page's one read (/tasks/<id>): everything the page shows, in one transaction.

`task_page` reads, for the task's assignee or an admin (engine/task_reads.py), the task and its
context, the form as this node shows it (hidden fields removed, the fields this assignee may
change), the options of the form's CRM pickers, the CRM records the instance is about as cards
(crm/records/cards.py, as far as the viewer may see them), the people one may transfer to or add
as signers, and the node's vote in numbers (engine/nodes/approval.py). The face only words and
renders it.
"""
from __future__ import annotations

from typing import Any

from crm import pickers
from crm.records.cards import Viewer
from db.session import Database
from engine.figures import key_figures
from engine.nodes import approval
from engine.opinions import earlier_opinions
from engine.task_reads import TaskRead, context_view, task_view
from forms import validate as form_validation
from forms.components import components


def task_page(db: Database, actor_id: int, task_id: int, submitted: dict[str, Any] | None = None
              ) -> dict[str, Any]:
    """The page of task `task_id` for `actor_id`; `submitted`: form data sent with a refused action,
    shown again (its picker values labelled) instead of the stored data.

    Returns {task, context, schema, editable, data, options, records, people, vote, opinions}: `task` and
    `context` as `get_task` / `task_context`; `data` the task's data with `submitted` over it;
    `options` the picker options by valuesKey; `people` the active users to pick (open task only);
    `vote` the numbers of the node's rule (`approval.vote_summary`); `opinions` every signer's
    opinion at the earlier approval nodes (engine/opinions.py); `figures` what the approver decides
    on, for the top of the page (engine/figures.py)."""
    with db.uow() as s:
        r = TaskRead(s, actor_id, task_id)
        r.mark_read()  # 已阅: one UPDATE the first time the assignee opens it
        task, context = task_view(r), context_view(r)
        form = task["form"]
        hidden = r.hidden.paths  # the node's hidden fields and the viewer's (engine/redaction.py)
        schema = form_validation.redact_schema(form["schema"] or context["start_form"], hidden)
        data = {**task["data"], **(submitted or {})}
        parts = components(schema)
        editable = [c["key"] for c in parts if c.get("key") in form["editable"]] \
            if task["actions"] and form["schema"] else []
        viewer = Viewer(s, actor_id)
        pickers_of_form = [(c["valuesKey"], c["key"]) for c in parts if c.get("valuesKey") and c.get("key")]
        options = pickers.form_options(s, actor_id, pickers_of_form, data, editable, viewer.label) if schema else {}
        return {
            "task": task, "context": context, "schema": schema, "editable": editable, "data": data,
            "options": options, "records": viewer.cards(task["data"], task["instance_id"], sorted(hidden)),
            "people": pickers.options(s, actor_id, "users") if task["actions"] else [],
            "vote": approval.vote_summary(task["vote"]),
            "opinions": earlier_opinions(s, r.d, task["data"], task["node_id"]),
            "figures": key_figures(task["data"], hidden),
        }
