"""CRM records: customers, contacts, contracts, agents, service tickets, expense claims, leave
balances, service-fee settlements, and the counters behind configurable numbering.

Every record carries 信息添加人 / 信息添加时间 (`created_by_id`, `created_at`), set by the use cases
in crm/records/service.py from the acting user and the clock; clients never send them.
Money is Numeric (exact); the API renders it as a decimal string.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, JSONType, utcnow
from files.models import StoredFile  # noqa: F401  (contract.file_id refers to stored_file)

USER_FK = "user_account.id"
Day = date  # ExpenseLine has a column named `date`; its annotation must not resolve to that attribute

CONTRACT_STATUSES = ("draft", "under_review", "signed", "rejected")
TICKET_STATUSES = ("open", "assigned", "handling", "callback", "closed")
CLAIM_STATUSES = ("draft", "submitted", "approved", "rejected", "paid")
SETTLEMENT_STATUSES = ("draft", "submitted", "approved", "invoiced", "settled", "rejected")
SETTLEMENT_METHODS = ("offset", "refund")
GENDERS = ("male", "female", "unknown")
# 服务授权编号 industries (requirements 004, 三.1)
INDUSTRIES = {"01": "基础平台类", "02": "应用平台类", "03": "国土类", "04": "市政管网类", "05": "电信类"}
# a record a process created, whose instance the initiator withdrew (撤回) before anyone acted
WITHDRAWN = "withdrawn"
# Customer classification (requirements 004 lists 客户级别, 客户类型, 客户状态, 客户阶段 among the
# customer fields and 002 asks for them as drop-down fields; the values are Liuzhuan's, in the
# documents' words: 潜在/成交/流失客户, the sales stages from first contact to after-sales).
CUSTOMER_LEVELS = ("战略客户", "重点客户", "普通客户")  # 客户级别
CUSTOMER_TYPES = ("终端客户", "渠道客户", "合作伙伴", "代理商", "其他")  # 客户类型
CUSTOMER_STATUSES = ("潜在客户", "意向客户", "成交客户", "休眠客户", "流失客户")  # 客户状态
CUSTOMER_STAGES = ("初步接触", "需求确认", "方案报价", "商务谈判", "签约", "售后服务")  # 客户阶段
# 联系方式 of a contact / visit record (联系记录 / 行动记录, requirements 000 §二, 002 §3.3)
CONTACT_WAYS = ("电话", "上门拜访", "来访", "微信", "邮件", "会议", "其他")


def _created_by() -> Mapped[int | None]:
    return mapped_column(ForeignKey(USER_FK), index=True)


class Customer(Base):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # 客户编号
    name: Mapped[str] = mapped_column(String(200), index=True)  # 客户名称
    nature: Mapped[str | None] = mapped_column(String(50))  # 企业性质
    legal_rep: Mapped[str | None] = mapped_column(String(50))  # 法人代表
    address: Mapped[str | None] = mapped_column(String(300))
    postcode: Mapped[str | None] = mapped_column(String(10))
    website: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(200))
    fax: Mapped[str | None] = mapped_column(String(32))
    level: Mapped[str | None] = mapped_column(String(50))  # 客户级别
    type: Mapped[str | None] = mapped_column(String(50))  # 客户类型
    status: Mapped[str | None] = mapped_column(String(50))  # 客户状态
    stage: Mapped[str | None] = mapped_column(String(50))  # 客户阶段
    credit: Mapped[str | None] = mapped_column(String(50))  # 信用评价
    province: Mapped[str | None] = mapped_column(String(50))
    region: Mapped[str | None] = mapped_column(String(50))
    source: Mapped[str | None] = mapped_column(String(100))  # 信息来源
    owner_id: Mapped[int] = mapped_column(ForeignKey(USER_FK), index=True)  # the salesperson (业务员)
    vip: Mapped[bool] = mapped_column(Boolean, default=False)
    custom: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # 服务授权编号 YY AAAA II NNNN, issued from area_code + industry (crm/numbering.py)
    area_code: Mapped[str | None] = mapped_column(String(4))
    industry: Mapped[str | None] = mapped_column(String(2))
    service_auth_no: Mapped[str | None] = mapped_column(String(12), unique=True)
    remark: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = _created_by()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    contacts: Mapped[list[Contact]] = relationship(back_populates="customer", cascade="all, delete-orphan",
                                                   passive_deletes=True)


class CustomerOwnerHistory(Base):
    """Each change of a customer's salesperson (the first row records the owner at creation)."""

    __tablename__ = "customer_owner_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    from_user_id: Mapped[int | None] = mapped_column(ForeignKey(USER_FK))
    to_user_id: Mapped[int] = mapped_column(ForeignKey(USER_FK))
    by_user_id: Mapped[int] = mapped_column(ForeignKey(USER_FK))
    reason: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Contact(Base):
    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    gender: Mapped[str | None] = mapped_column(String(10))
    department: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(100))  # 职务
    phone: Mapped[str | None] = mapped_column(String(32))
    mobile: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(200))
    birthday: Mapped[date | None] = mapped_column(Date)
    address: Mapped[str | None] = mapped_column(String(300))
    hobbies: Mapped[str | None] = mapped_column(String(500))
    remark: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = _created_by()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="contacts")


class Contract(Base):
    __tablename__ = "contract"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    attachment: Mapped[str | None] = mapped_column(String(500))  # file name or URL
    # the contract file (issue 15): a stored file bound to "contract:<id>" (crm/records/contract_file.py)
    file_id: Mapped[str | None] = mapped_column(ForeignKey("stored_file.id", ondelete="SET NULL"))
    owner_id: Mapped[int] = mapped_column(ForeignKey(USER_FK), index=True)
    remark: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = _created_by()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    customer: Mapped[Customer] = relationship()


class Agent(Base):
    """代理商."""

    __tablename__ = "agent"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    region: Mapped[str | None] = mapped_column(String(50))
    contact_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    bank_name: Mapped[str | None] = mapped_column(String(100))
    bank_account: Mapped[str | None] = mapped_column(String(64))
    remark: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = _created_by()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ServiceTicket(Base):
    """A complaint or service call: 投诉信息 (reception) + 投诉处理信息 (handling) in one record."""

    __tablename__ = "service_ticket"

    id: Mapped[int] = mapped_column(primary_key=True)
    complainant: Mapped[str] = mapped_column(String(100))  # 投诉人
    contact_info: Mapped[str | None] = mapped_column(String(200))  # 联系方式
    content: Mapped[str] = mapped_column(Text)  # 投诉内容
    category: Mapped[str | None] = mapped_column(String(50))  # 分类
    expected_at: Mapped[datetime | None] = mapped_column()  # 期待解决时间
    verification: Mapped[str | None] = mapped_column(Text)  # 核实结果
    handling_method: Mapped[str | None] = mapped_column(Text)  # 处理方法
    handler_id: Mapped[int | None] = mapped_column(ForeignKey(USER_FK), index=True)  # 处理人
    result: Mapped[str | None] = mapped_column(Text)  # 处理结果
    satisfaction: Mapped[int | None] = mapped_column(Integer)  # 客户满意度 1..5
    customer_opinion: Mapped[str | None] = mapped_column(Text)  # 客户意见
    status: Mapped[str] = mapped_column(String(20), default="open")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(Integer)
    remark: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = _created_by()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExpenseClaim(Base):
    __tablename__ = "expense_claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    claimant_id: Mapped[int] = mapped_column(ForeignKey(USER_FK), index=True)
    title: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    total: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    instance_id: Mapped[int | None] = mapped_column(Integer)
    remark: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = _created_by()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lines: Mapped[list[ExpenseLine]] = relationship(back_populates="claim", cascade="all, delete-orphan",
                                                    order_by="ExpenseLine.id", passive_deletes=True)


class ExpenseLine(Base):
    __tablename__ = "expense_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("expense_claim.id", ondelete="CASCADE"), index=True)
    date: Mapped[Day] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(50))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    note: Mapped[str | None] = mapped_column(String(500))

    claim: Mapped[ExpenseClaim] = relationship(back_populates="lines")


class LeaveBalance(Base):
    __tablename__ = "leave_balance"
    __table_args__ = (UniqueConstraint("user_id", "leave_type", name="uq_leave_balance_user_id_leave_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey(USER_FK), index=True)
    leave_type: Mapped[str] = mapped_column(String(32))
    days: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    created_by_id: Mapped[int | None] = _created_by()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ServiceFeeSettlement(Base):
    """代理商服务费结算: amount = fees x ratio once the ratio is set."""

    __tablename__ = "service_fee_settlement"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id"), index=True)
    period: Mapped[str] = mapped_column(String(32))
    fees: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    ratio: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    settlement_method: Mapped[str | None] = mapped_column(String(10))
    invoice_received_at: Mapped[datetime | None] = mapped_column()
    instance_id: Mapped[int | None] = mapped_column(Integer)
    remark: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = _created_by()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContactRecord(Base):
    """联系记录 / 行动记录: one contact with or visit to a customer — when, how, with whom, what was
    said, and the next step."""

    __tablename__ = "contact_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    date: Mapped[Day] = mapped_column(Date)
    way: Mapped[str] = mapped_column(String(20))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id", ondelete="SET NULL"))
    content: Mapped[str] = mapped_column(Text)
    next_step: Mapped[str | None] = mapped_column(Text)
    next_date: Mapped[Day | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = _created_by()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SavedFilter(Base):
    """A user's named set of list filters on one page (e.g. "my key customers in 华东")."""

    __tablename__ = "saved_filter"
    __table_args__ = (UniqueConstraint("user_id", "page", "name", name="uq_saved_filter_user_id_page_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey(USER_FK, ondelete="CASCADE"), index=True)
    page: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    query: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NumberSequence(Base):
    """The last number issued for (record type, scope), e.g. ("service_auth", "26053102")."""

    __tablename__ = "number_sequence"
    __table_args__ = (UniqueConstraint("record_type", "scope", name="uq_number_sequence_record_type_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(64))
    value: Mapped[int] = mapped_column(Integer, default=0)


# 销售机会 (requirements 002 §3.1, 004 1.3): 未分配 unassigned -> 已指派 developing (开发中) -> won / lost
OPPORTUNITY_STATUSES = ("unassigned", "developing", "won", "lost")
OPPORTUNITY_STAGES = ("初步接触", "需求确认", "方案报价", "商务谈判", "签约")  # 机会阶段


class Opportunity(Base):
    """A sales opportunity: entered by a salesperson or supervisor, assigned to one salesperson
    (owner) through the sales-opportunity process, developed along a dated plan, then won (a customer
    and a contract draft are created or linked) or lost."""

    __tablename__ = "opportunity"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)  # 编号
    source: Mapped[str | None] = mapped_column(String(100))  # 机会来源
    customer_name: Mapped[str] = mapped_column(String(200))  # 客户名称
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)  # linked / created
    summary: Mapped[str] = mapped_column(String(200))  # 概要
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(Text)  # 机会描述
    probability: Mapped[int] = mapped_column(Integer, default=0)  # 成功机率 0..100
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # 预期金额
    stage: Mapped[str | None] = mapped_column(String(50))  # 机会阶段
    product: Mapped[str | None] = mapped_column(String(200))
    quantity: Mapped[int | None] = mapped_column(Integer)
    due_date: Mapped[Day | None] = mapped_column(Date)  # 机会截止日期
    status: Mapped[str] = mapped_column(String(20), default="unassigned")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey(USER_FK), index=True)  # the assigned salesperson
    assigned_at: Mapped[datetime | None] = mapped_column()
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contract.id"))  # the draft made when won
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    instance_id: Mapped[int | None] = mapped_column(Integer)
    remark: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = _created_by()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OpportunityStep(Base):
    """One dated step of an opportunity's development plan (客户开发计划): what to do, then how it went."""

    __tablename__ = "opportunity_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunity.id", ondelete="CASCADE"), index=True)
    date: Mapped[Day] = mapped_column(Date)
    content: Mapped[str] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)  # 执行效果
    created_by_id: Mapped[int | None] = _created_by()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChurnWatch(Base):
    """客户流失预警 state of one customer: when a warning was last opened, and a snooze (暂缓) until a
    date with its reason. The churn routine skips a customer snoozed or with an open warning."""

    __tablename__ = "churn_watch"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), unique=True)
    warned_at: Mapped[datetime | None] = mapped_column()
    instance_id: Mapped[int | None] = mapped_column(Integer)
    snoozed_until: Mapped[Day | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)


class CareTask(Base):
    """客户关怀 / 首访 / 生日 as a task (crm/care.py): one row per reminder that opened a customer_care
    process — its `ref` is unique, so a reminder never opens two tasks — and how the task ended."""

    __tablename__ = "care_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(120), unique=True)  # the reminder (kind:record:date) or manual:i<id>
    kind: Mapped[str] = mapped_column(String(20))  # birthday | first_visit | next_contact | care
    user_id: Mapped[int] = mapped_column(ForeignKey(USER_FK), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[Day | None] = mapped_column(Date)
    instance_id: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(20))  # done | dismissed
    note: Mapped[str | None] = mapped_column(Text)
    contact_record_id: Mapped[int | None] = mapped_column(ForeignKey("contact_record.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column()
