"""A small organisation for tests, built through the crm services.

    总经办 (head gm)            roles: admin, process_admin, hr, finance, legal, gm
    ├── 销售部 sales (head sales_head)   clerk -> sales_lead -> sales_head -> gm
    ├── 法务部 legal (head legal_head)
    ├── 财务部 finance (head fin_head)   fin1, fin2 (role finance)
    └── 人事部 hr (head hr_head)         hr1 (role hr)
    voters v01..v30 (role voter) for vote-rule tests; admin (role admin, process_admin)
"""
from __future__ import annotations

from dataclasses import dataclass

from crm import org as svc
from db.session import Database

PASSWORD = "secret-pass-1"


@dataclass
class Org:
    db: Database
    ids: dict[str, int]
    depts: dict[str, int]

    def __getitem__(self, username: str) -> int:
        return self.ids[username]

    def name_of(self, user_id: int) -> str:
        return next(k for k, v in self.ids.items() if v == user_id)


def build_org(db: Database) -> Org:
    ids: dict[str, int] = {}
    depts: dict[str, int] = {}
    with db.uow(write=True) as s:
        for key, name in [("admin", "管理员"), ("process_admin", "流程管理员"), ("hr", "人事"), ("finance", "财务"),
                          ("legal", "法务"), ("gm", "总经理"), ("voter", "投票人")]:
            svc.create_role(s, key, name)

        def user(username: str, display: str, dept: str | None = None, sup: str | None = None,
                 roles: list[str] | None = None) -> None:
            u = svc.create_user(s, username, display, PASSWORD, department=depts.get(dept) if dept else None,
                                supervisor=sup, roles=roles or [])
            ids[username] = u.id

        user("admin", "系统管理员", roles=["admin", "process_admin"])
        depts["总经办"] = svc.create_department(s, "总经办").id
        user("gm", "王总", "总经办", roles=["gm"])
        svc.update_department(s, depts["总经办"], {"head": "gm"})
        for dept, head, display in [("销售部", "sales_head", "李销售总监"), ("法务部", "legal_head", "赵法务"),
                                    ("财务部", "fin_head", "钱财务"), ("人事部", "hr_head", "孙人事")]:
            depts[dept] = svc.create_department(s, dept, parent=depts["总经办"]).id
            user(head, display, dept, "gm")
            svc.update_department(s, depts[dept], {"head": head})
        user("sales_lead", "周组长", "销售部", "sales_head")
        user("clerk", "张三", "销售部", "sales_lead")
        user("clerk2", "李四", "销售部", "sales_lead")
        user("fin1", "吴会计", "财务部", "fin_head", ["finance"])
        user("fin2", "郑出纳", "财务部", "fin_head", ["finance"])
        user("hr1", "冯人事", "人事部", "hr_head", ["hr"])
        user("outsider", "陈外人", "法务部", "legal_head")
        for i in range(1, 31):
            user(f"v{i:02d}", f"投票人{i:02d}", "法务部", "legal_head", ["voter"])
    return Org(db, ids, depts)
