"""Demo organisation: a small Chinese trading and service company (华信科技), built through crm.org.

`load_demo(database)` is what `python app.py demo` calls. It is idempotent: roles, departments
and users that already exist (matched by key / name / username) are left exactly as they are,
so a second run changes nothing and returns the same list. It never creates the `admin` user
(`python app.py create-admin` does).

Every demo user's password is LIUZHUAN_DEMO_PASSWORD from the environment, default `liuzhuan123`.

    总经办       王建国 wangjianguo (gm, head)        陈静 chenjing (process_admin)
    ├── 销售部   李军 lijun (head) <- 周强 zhouqiang (sales team lead) <- 张三 zhangsan, 李四 lisi
    ├── 法务部   赵敏 zhaomin (legal, head)
    ├── 财务部   钱丽 qianli (finance, head) <- 孙悦 sunyue (finance)
    ├── 人事部   吴芳 wufang (hr, head)
    ├── 商务部   郑涛 zhengtao (head)
    ├── 技术支持中心 冯宇 fengyu (service_manager, head) <- 褚伟 chuwei (technician)
    └── 客服部   蒋娜 jiangna (service_manager, head) <- 韩梅 hanmei
"""
from __future__ import annotations

from dataclasses import dataclass, field

from core.config import DEFAULT_DEMO_PASSWORD, load
from crm import org as svc
from crm.models import Department
from db.session import Database

DEFAULT_PASSWORD = DEFAULT_DEMO_PASSWORD
PASSWORD_ENV = "LIUZHUAN_DEMO_PASSWORD"
COMPANY = "华信科技"

ROLES: list[tuple[str, str]] = [
    ("admin", "管理员"),
    ("process_admin", "流程管理员"),
    ("hr", "人事"),
    ("finance", "财务"),
    ("legal", "法务"),
    ("gm", "总经理"),
    ("service_manager", "服务经理"),
    ("technician", "技术员"),
    ("sales", "销售"),
]

ROOT_DEPARTMENT = "总经办"
# (name, username of the head); every department below hangs off 总经办
DEPARTMENTS: list[tuple[str, str]] = [
    (ROOT_DEPARTMENT, "wangjianguo"),
    ("销售部", "lijun"),
    ("法务部", "zhaomin"),
    ("财务部", "qianli"),
    ("人事部", "wufang"),
    ("商务部", "zhengtao"),
    ("技术支持中心", "fengyu"),
    ("客服部", "jiangna"),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    department: str
    supervisor: str | None  # username; None only for the general manager
    roles: list[str] = field(default_factory=list)


# In creation order: a supervisor always comes before the people who report to them.
USERS: list[DemoUser] = [
    DemoUser("wangjianguo", "王建国", "总经办", None, ["gm"]),
    DemoUser("chenjing", "陈静", "总经办", "wangjianguo", ["process_admin"]),
    DemoUser("lijun", "李军", "销售部", "wangjianguo", ["sales"]),
    DemoUser("zhouqiang", "周强", "销售部", "lijun", ["sales"]),
    DemoUser("zhangsan", "张三", "销售部", "zhouqiang", ["sales"]),
    DemoUser("lisi", "李四", "销售部", "zhouqiang", ["sales"]),
    DemoUser("zhaomin", "赵敏", "法务部", "wangjianguo", ["legal"]),
    DemoUser("qianli", "钱丽", "财务部", "wangjianguo", ["finance"]),
    DemoUser("sunyue", "孙悦", "财务部", "qianli", ["finance"]),
    DemoUser("wufang", "吴芳", "人事部", "wangjianguo", ["hr"]),
    DemoUser("zhengtao", "郑涛", "商务部", "wangjianguo"),
    DemoUser("fengyu", "冯宇", "技术支持中心", "wangjianguo", ["service_manager"]),
    DemoUser("chuwei", "褚伟", "技术支持中心", "fengyu", ["technician"]),
    DemoUser("jiangna", "蒋娜", "客服部", "wangjianguo", ["service_manager"]),
    DemoUser("hanmei", "韩梅", "客服部", "jiangna"),
]


def demo_password() -> str:
    return load().demo_password


def load_demo(database: Database) -> list[tuple[str, str, list[str]]]:
    """Create the demo organisation where missing; return (username, display name, role keys) per demo user."""
    password = demo_password()
    heads = dict(DEPARTMENTS)
    with database.uow(write=True) as s:
        for key, name in ROLES:
            svc.ensure_role(s, key, name)

        depts: dict[str, Department] = {}
        for name, _head in DEPARTMENTS:
            dept = svc.department_by_name(s, name)
            if dept is None:
                parent = None if name == ROOT_DEPARTMENT else depts[ROOT_DEPARTMENT].id
                dept = svc.create_department(s, name, parent=parent)
            depts[name] = dept

        result: list[tuple[str, str, list[str]]] = []
        hashed: str | None = None  # every demo user has the same (published) password: hashed once
        for spec in USERS:
            user = svc.user_by_username(s, spec.username)
            if user is None:
                user = svc.create_user(s, spec.username, spec.display_name, password,
                                       department=depts[spec.department].id, supervisor=spec.supervisor,
                                       roles=list(spec.roles), password_hash=hashed)
                hashed = user.password_hash
            dept = depts[spec.department]
            if heads[spec.department] == spec.username and dept.head_id is None:
                svc.update_department(s, dept.id, {"head": spec.username})
            result.append((user.username, user.display_name, user.role_keys))
    return result
