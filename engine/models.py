"""Engine tables (DESIGN.md §3). Only engine/ writes them."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    DDL,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

import crm.models  # noqa: F401  (user_account must be in the metadata for the foreign keys below)
from db.base import Base, JSONType, utcnow


class ProcessDefinition(Base):
    """An immutable deployed version of one BPMN process."""

    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_process_definition_key_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(100), default="")
    prefix: Mapped[str] = mapped_column(String(10), default="")
    mode: Mapped[str] = mapped_column(String(20), default="fixed")
    bpmn_xml: Mapped[str] = mapped_column(Text)
    spec_json: Mapped[str] = mapped_column(Text)
    config: Mapped[dict[str, Any]] = mapped_column(JSONType)
    forms: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    checksum: Mapped[str] = mapped_column(String(64))
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    deployed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # a free flow's one-instance definition (generated from the initiator's steps): the key of the
    # mode="free" process it was started from; such rows never show in the catalogue
    free_of: Mapped[str | None] = mapped_column(String(200), index=True)


def trigram_available(ddl: Any, target: Any, bind: Any, tables: Any = None, state: Any = None, *,
                      dialect: Any, compiler: Any = None, checkfirst: bool = False) -> bool:
    """pg_trgm can be created here (PostgreSQL with the contrib extensions installed)."""
    return bind is not None and bind.exec_driver_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").first() is not None


class ProcessInstance(Base):
    __tablename__ = "process_instance"
    # The inbox keyword (lower(title / business_key) LIKE '%q%'): trigram indexes on PostgreSQL when
    # pg_trgm is available (migration 0012 too); SQLite keeps a plain LIKE.
    __table_args__ = (*(
        Index(f"ix_process_instance_{col}_trgm", func.lower(literal_column(col)).label(f"lower_{col}"),
              postgresql_using="gin", postgresql_ops={f"lower_{col}": "gin_trgm_ops"})
        .ddl_if(dialect="postgresql", callable_=trigram_available) for col in ("title", "business_key")),
        # 我发起的 by due time (earliest first, none last, then newest): the order of the inbox's due sort
        Index("ix_process_instance_started_due", "initiator_id", text("(next_due_at IS NULL)"), "next_due_at",
              text("created_at DESC"), text("id DESC")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(200), index=True)
    business_key: Mapped[str] = mapped_column(String(40), unique=True)
    # engine.lifecycle.InstanceStatus: running <-> suspended; -> completed | withdrawn | cancelled | failed
    status: Mapped[str] = mapped_column(String(20), default="running", index=True)
    end_event: Mapped[str | None] = mapped_column(String(200))
    # engine.lifecycle.Outcome (DESIGN.md §8): None while running, then approved | rejected | withdrawn | terminated
    outcome: Mapped[str | None] = mapped_column(String(20))
    initiator_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    state: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[list[str]] = mapped_column(JSONType, default=list)
    chosen: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    # 再次提交: the rejected or withdrawn instance this one was started again from
    resubmitted_from_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()
    # the earliest due time of its open human tasks (engine/next_due.py keeps it): the inbox's due sort
    next_due_at: Mapped[datetime | None] = mapped_column()
    # the head of its audit chain (engine/audit.py): the last event's seq and hash (0 / None before the
    # first), written with each event under the instance lock, so appending one reads no audit_event row
    audit_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    audit_hash: Mapped[str | None] = mapped_column(String(64))


class NodeActivation(Base):
    """One entry of a human node: who must act, under which rule, and how it ended.

    A node entered again (after a return or a loop) gets a new activation, so its votes
    start fresh.
    """

    __tablename__ = "node_activation"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    node_id: Mapped[str] = mapped_column(String(200))
    node_name: Mapped[str] = mapped_column(String(300))
    spiff_task_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # approval | handle
    mode: Mapped[str] = mapped_column(String(20))  # any|all|majority|ratio|sequential (handle: any)
    threshold: Mapped[str | None] = mapped_column(String(20))
    assignee_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    # 票签: vote weight per assignee, keyed by str(user id); None (or a missing user) = weight 1
    weights: Mapped[dict[str, int] | None] = mapped_column(JSONType)
    # engine.lifecycle.ActivationStatus: open -> approved | rejected | completed | returned | cancelled
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()


class HumanTask(Base):
    """One row per person per open node: the inbox reads only this table."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_inbox", "assignee_id", "status", "created_at"),
        Index("ix_human_task_instance_status", "instance_id", "status"),
        # 已办 sorted by acted_at (issue 12): the decided rows of one assignee, newest first; with
        # status, auto and instance_id in it, the box's count (also joined to a filter's instance)
        # reads only the index
        Index("ix_human_task_done", "assignee_id", "acted_at", "status", "auto", "instance_id",
              postgresql_where=text("status != 'open'"),
              sqlite_where=text("status != 'open'")),
        # 待办 by due time (earliest first, none last, then newest): the order of the inbox's due sort
        Index("ix_human_task_todo_due", "assignee_id", text("(due_at IS NULL)"), "due_at", text("created_at DESC"),
              text("id DESC"), postgresql_where=text("status = 'open'"), sqlite_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    activation_id: Mapped[int] = mapped_column(ForeignKey("node_activation.id", ondelete="CASCADE"), index=True)
    node_id: Mapped[str] = mapped_column(String(200))
    node_name: Mapped[str] = mapped_column(String(300))
    assignee_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # engine.lifecycle.TaskStatus: open -> approved | rejected | done | returned | transferred | cancelled
    status: Mapped[str] = mapped_column(String(20), default="open")
    auto: Mapped[bool] = mapped_column(default=False)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acted_at: Mapped[datetime | None] = mapped_column()
    due_at: Mapped[datetime | None] = mapped_column()
    # 已阅: the first time the assignee opened the task
    read_at: Mapped[datetime | None] = mapped_column()
    # after a return (退回/驳回) to this task's node: {"by": username, "comment": ..., "from_node": node id}
    returned: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # 委派: the delegate's task points to the delegator's waiting task
    delegated_from_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"))


class InstanceReader(Base):
    """Someone who may read an instance without being an assignee or cc'd: e.g. @mentioned in a comment."""

    __tablename__ = "instance_reader"
    __table_args__ = (UniqueConstraint("instance_id", "user_id", "reason",
                                       name="uq_instance_reader_instance_user_reason"),
                      Index("ix_instance_reader_user", "user_id", "instance_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(String(20))  # mention
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CarbonCopy(Base):
    """A read-only copy of an instance for someone (抄送)."""

    __tablename__ = "carbon_copy"
    __table_args__ = (UniqueConstraint("instance_id", "user_id", "node_id", name="uq_carbon_copy_instance_user_node"),
                      Index("ix_carbon_copy_user", "user_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    node_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column()


class AuditEvent(Base):
    """Append-only; each row carries the hash of the previous row of its instance."""

    __tablename__ = "audit_event"
    __table_args__ = (UniqueConstraint("instance_id", "seq", name="uq_audit_event_instance_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(40))
    node_id: Mapped[str | None] = mapped_column(String(200))
    task_id: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # HMAC of "<instance_id>:<seq>:<hash>" with the audit key kept outside the database
    # (engine/audit_anchor.py); None only on events written before migration 0009
    mac: Mapped[str | None] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """A signed snapshot of one instance's audit chain head (engine/audit_anchor.py): a tail removed
    after it no longer reaches `head`. Append-only like audit_event."""

    __tablename__ = "audit_checkpoint"
    __table_args__ = (Index("ix_audit_checkpoint_instance", "instance_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    head: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column()
    mac: Mapped[str] = mapped_column(String(64))


# PostgreSQL refuses UPDATE and DELETE on the audit tables (migration 0009; here for create_all).
APPEND_ONLY_FUNCTION = (
    "CREATE OR REPLACE FUNCTION lz_append_only() RETURNS trigger AS $$ BEGIN "
    "RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege'; "
    "END $$ LANGUAGE plpgsql")


def append_only_trigger(table: str) -> str:
    return (f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION lz_append_only()")


for _model in (AuditEvent, AuditCheckpoint):
    event.listen(_model.__table__, "after_create",  # (DDL formats with %: the function's own % doubled)
                 DDL(APPEND_ONLY_FUNCTION.replace("%", "%%")).execute_if(dialect="postgresql"))
    event.listen(_model.__table__, "after_create",
                 DDL(append_only_trigger(_model.__tablename__)).execute_if(dialect="postgresql"))


class Timer(Base):
    """A due deadline, reminder or BPMN timer event."""

    __tablename__ = "timer"
    __table_args__ = (Index("ix_timer_due", "fired_at", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # deadline | bpmn | continue (engine/continuation.py)
    node_id: Mapped[str | None] = mapped_column(String(200))
    activation_id: Mapped[int | None] = mapped_column(ForeignKey("node_activation.id", ondelete="CASCADE"))
    action: Mapped[str | None] = mapped_column(String(20))
    due_at: Mapped[datetime] = mapped_column()
    fired_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the claim and retry of a tick (engine/timers.py): not taken again before `not_before` (a
    # claim's lease, then the backoff after a failure); `failed_at` after MAX_ATTEMPTS (admins see it)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    not_before: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    failed_at: Mapped[datetime | None] = mapped_column()


class KeySequence(Base):
    """Per prefix and year counter for business keys (QJ-2026-000123)."""

    __tablename__ = "key_sequence"

    prefix: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class ProcessDraft(Base):
    """The designer's work in progress on one process: BPMN XML and the forms drawn with it.

    Not a version: deploying it makes a new ProcessDefinition (the designer then discards the draft)."""

    __tablename__ = "process_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    bpmn_xml: Mapped[str] = mapped_column(Text)
    forms: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SavedFlowList(Base):
    """A user's own saved list for one process: the approval steps of a free flow (kind "steps", 自定
    流程的个人模板) or the approvers chosen at start in a predefined flow (kind "approvers", 常用审批人)."""

    __tablename__ = "saved_flow_list"
    __table_args__ = (UniqueConstraint("user_id", "process_key", "kind", "name", name="uq_saved_flow_list_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    payload: Mapped[Any] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


event.listen(ProcessInstance.__table__, "before_create",
             DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql",
                                                                      callable_=trigram_available))
