"""Demo process instances for the demo organisation (华信科技), so every demo user who logs in
finds a populated inbox: requests waiting at a supervisor, a contract countersign approved by
part of the department heads, one at the general manager, one signed, one rejected, one withdrawn.

`load_demo_instances(database)` is what `python app.py demo-data` calls, after `demo` (the
organisation), `deploy-all` (the processes) and demo/records.py (the contracts). Everything
goes through the use cases (engine.instances.start_process, engine.tasks.approve / reject /
add_signer, engine.instances.withdraw) as the demo user who would act. It is idempotent in the
simplest way: when any process instance exists it does nothing. A scenario whose process is not
deployed (or whose draft contract is missing) is skipped. Prints nothing; returns how many
instances it started.

Who acts where (supervisors: zhangsan, lisi -> zhouqiang -> lijun -> wangjianguo; countersigners:
法务 zhaomin, 财务 qianli, 销售 lijun; general manager wangjianguo):

    通用审批 general_approval (supervisor; above 10,000 also the department head)
      zhangsan  客户拜访差旅费预支 3,000      waiting at zhouqiang
      lisi      深圳展会展位费 25,000          zhouqiang approved, waiting at lijun
      zhangsan  演示用笔记本电脑 8,000         approved by zhouqiang (completed)
      lisi      客户答谢宴请 6,800             rejected by zhouqiang
      zhangsan  团队建设活动 2,000             withdrawn by zhangsan
      zhouqiang 销售团队培训 12,000            waiting at lijun
      hanmei    客服中心耳机采购 1,500          waiting at jiangna
      sunyue    财务软件年费 9,000             waiting at qianli
      chuwei    测试设备采购 18,000            approved by fengyu (completed)
      wufang    新员工培训教材印制 3,500        waiting at wangjianguo
      zhengtao  客户接待用车租赁 4,000          approved by wangjianguo (completed)
      chenjing  流程平台培训场地费 2,500        waiting at wangjianguo
    合同会签 contract_countersign (on the owner's draft contracts)
      zhangsan  contract 1   lijun added lisi; waiting for all four
      lisi      contract 1   zhaomin and qianli approved, lijun added zhangsan: both waiting
      zhouqiang contract 1   countersigned (lijun added zhangsan and lisi, who approved), waiting at wangjianguo
      zhangsan  contract 2   countersigned and approved: signed
      lisi      contract 2   rejected by zhaomin
"""
from __future__ import annotations

from sqlalchemy import func, select

from crm.models import User
from crm.records import Contract
from db.session import Database
from engine import instances, tasks
from engine.design import definitions
from engine.models import HumanTask, ProcessInstance

GENERAL = "general_approval"
COUNTERSIGN = "contract_countersign"

# initiator, title, amount, reason, what happens after the start
GENERAL_REQUESTS: list[tuple[str, str, int, str, str]] = [
    ("zhangsan", "客户拜访差旅费预支", 3000, "下周赴杭州、苏州拜访三家重点客户，预支差旅费。", "wait"),
    ("lisi", "深圳展会展位费", 25000, "参加深圳国际智慧城市博览会，标准展位两个。", "head"),
    ("zhangsan", "演示用笔记本电脑采购", 8000, "现有演示机性能不足，客户现场演示GIS平台卡顿。", "approve"),
    ("lisi", "客户答谢宴请", 6800, "年底答谢重点客户，约二十人。", "reject"),
    ("zhangsan", "团队建设活动费用", 2000, "销售一组季度团建。", "withdraw"),
    ("zhouqiang", "销售团队培训费用", 12000, "邀请外部讲师进行大客户销售培训，两天。", "wait"),
    ("hanmei", "客服中心耳机采购", 1500, "客服坐席耳机老化，更换十副。", "wait"),
    ("sunyue", "财务软件年费", 9000, "财务软件年度服务费续费。", "wait"),
    ("chuwei", "测试设备采购", 18000, "采购管网监测传感器测试仪一台。", "approve"),
    ("wufang", "新员工培训教材印制", 3500, "下月新员工入职培训，教材印制一百套。", "wait"),
    ("zhengtao", "客户接待用车租赁", 4000, "接待来访客户考察团，租用商务车三天。", "approve"),
    ("chenjing", "流程平台培训场地费", 2500, "组织各部门流程平台使用培训。", "wait"),
]
# contract owner, which of their draft contracts (0-based, by id), what happens after the start
COUNTERSIGNS: list[tuple[str, int, str]] = [
    ("zhangsan", 0, "wait"),
    ("lisi", 0, "partial"),
    ("zhouqiang", 0, "at_gm"),
    ("zhangsan", 1, "signed"),
    ("lisi", 1, "reject"),
]
COUNTERSIGNERS = ("zhaomin", "qianli", "lijun")
GM = "wangjianguo"
# the sales head adds the salespeople who know the customer as extra countersigners (加签)


def _open_task(database: Database, instance_id: int, user_id: int) -> int:
    with database.uow() as s:
        task_id = s.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance_id,
                                                      HumanTask.assignee_id == user_id, HumanTask.status == "open")
                           .order_by(HumanTask.id))
    if task_id is None:
        raise LookupError(f"demo: no open task for user {user_id} on instance {instance_id}")
    return task_id


def load_demo_instances(database: Database) -> int:
    """Start and advance the demo instances unless any instance exists; return how many were started."""
    with database.uow() as s:
        if s.scalar(select(func.count()).select_from(ProcessInstance)):
            return 0
        deployed = {key for key in (GENERAL, COUNTERSIGN) if definitions.latest_version(s, key) is not None}
        uid = {u.username: u.id for u in s.scalars(select(User))}
        username = {v: k for k, v in uid.items()}
        drafts: dict[str, list[int]] = {}
        for cid, owner_id in s.execute(select(Contract.id, Contract.owner_id).where(Contract.status == "draft")
                                       .order_by(Contract.id)):
            drafts.setdefault(username.get(owner_id, ""), []).append(cid)

    def approve(instance_id: int, username: str, comment: str | None = None) -> None:
        tasks.approve(database, uid[username], _open_task(database, instance_id, uid[username]), comment)

    def reject(instance_id: int, username: str, comment: str) -> None:
        tasks.reject(database, uid[username], _open_task(database, instance_id, uid[username]), comment)

    def add_signers(instance_id: int, usernames: list[str], comment: str) -> None:
        names = [n for n in usernames if n in uid]
        if names:
            task = _open_task(database, instance_id, uid["lijun"])
            tasks.add_signer(database, uid["lijun"], task, names, comment)

    started = 0
    if GENERAL in deployed:
        for initiator, title, amount, reason, then in GENERAL_REQUESTS:
            if initiator not in uid:
                continue
            inst = instances.start_process(database, uid[initiator], GENERAL,
                                           {"title": title, "amount": amount, "reason": reason})
            started += 1
            sup = _supervisor(database, uid[initiator])
            if then == "head":
                approve(inst["id"], sup, "同意，请部门负责人审批。")
            elif then == "approve":
                approve(inst["id"], sup, "同意。")
            elif then == "reject":
                reject(inst["id"], sup, "预算已超支，请压缩规模后重新提交。")
            elif then == "withdraw":
                instances.withdraw(database, uid[initiator], inst["id"], "时间改期，先撤回。")

    if COUNTERSIGN in deployed:
        for owner, n, then in COUNTERSIGNS:
            mine = drafts.get(owner, [])
            if len(mine) <= n:
                continue
            inst = instances.start_process(database, uid[owner], COUNTERSIGN,
                                           {"contract_id": mine[n], "reason": "客户已确认合同条款，请各部门会签。"})
            started += 1
            i = inst["id"]
            if then == "wait":
                add_signers(i, ["lisi"], "李四之前跟进过该客户，请一并会签。")
            elif then == "partial":
                approve(i, "zhaomin", "法律条款无异议。")
                approve(i, "qianli", "付款节点合理。")
                add_signers(i, ["zhangsan"], "张三熟悉该客户，请协助确认交付范围。")
            elif then in ("at_gm", "signed"):
                approve(i, "zhaomin", "法律条款无异议。")
                approve(i, "qianli", "付款节点合理。")
                if then == "at_gm":
                    add_signers(i, ["zhangsan", "lisi"], "请张三、李四确认实施人员安排。")
                    approve(i, "zhangsan", "实施人员已落实。")
                    approve(i, "lisi", "同意。")
                approve(i, "lijun", "同意。")
                if then == "signed":
                    approve(i, GM, "同意签订。")
            elif then == "reject":
                reject(i, "zhaomin", "违约责任条款对我方不利，请与客户重新协商后再提交。")
    return started


def _supervisor(database: Database, user_id: int) -> str:
    with database.uow() as s:
        user = s.get(User, user_id)
        sup = s.get(User, user.supervisor_id) if user is not None and user.supervisor_id else None
        return sup.username if sup is not None else ""
