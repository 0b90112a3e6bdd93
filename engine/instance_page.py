"""The instance page's read: one transaction for what the page shows of the instance (restructuring
move 7, as engine/task_page.py for the task page). The viewer and the instance are read and the
permission checked once; the view (instances.view_of), the diagram and progress (progress.progress_of),
the approver chain (record.approver_chain), the admin operations (instance_admin.panel_for) and
whether 拿回 is offered (collab.take_back_offered) are read in that same transaction. Before, each
opened its own and checked the viewer again: 7 transactions and 42 statements for a running
two-step request."""
from __future__ import annotations

from typing import Any

from db.session import Database
from engine import collab, instance_admin, instances, progress, record
from engine.lifecycle import InstanceStatus


def instance_page(db: Database, actor_id: int, instance_id: int) -> dict[str, Any]:
    """{view, progress, chain, admin, can_take_back} for a viewer of the instance (NotFound / Forbidden)."""
    with db.uow() as s:
        viewer, inst = instances.viewed(s, actor_id, instance_id)
        running = inst.status == InstanceStatus.RUNNING
        return {
            "view": instances.view_of(s, viewer, inst),
            "progress": progress.progress_of(s, viewer, inst),
            "chain": record.approver_chain(s, inst),
            "admin": instance_admin.panel_for(s, viewer, instance_id),
            "can_take_back": running and collab.take_back_offered(s, actor_id, instance_id),
        }
