"""The demo organisation loads once, completely, and a second load changes nothing."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from crm import org as svc
from crm.models import Department, Role, User, user_roles
from db.session import Database
from demo.org import DEFAULT_PASSWORD, PASSWORD_ENV, load_demo


def _snapshot(db: Database) -> dict[str, Any]:
    with db.uow() as s:
        return {
            "roles": sorted((r.id, r.key, r.name) for r in s.scalars(select(Role))),
            "departments": sorted((d.id, d.name, d.parent_id, d.head_id) for d in s.scalars(select(Department))),
            "users": sorted((u.id, u.username, u.display_name, u.password_hash, u.active, u.department_id,
                             u.supervisor_id) for u in s.scalars(select(User))),
            "user_roles": sorted(tuple(row) for row in s.execute(select(user_roles))),
        }


def test_load_demo__second_run_changes_nothing(any_db, monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    first = load_demo(any_db)
    before = _snapshot(any_db)
    second = load_demo(any_db)
    assert second == first
    assert _snapshot(any_db) == before


def test_load_demo__believable_company(db, monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    users = load_demo(db)
    names = [u for u, _, _ in users]
    assert 12 <= len(users) <= 18 and len(set(names)) == len(names)
    assert "admin" not in names  # app.py create-admin makes that one
    assert ("zhangsan", "张三", ["sales"]) in users
    with db.uow() as s:
        assert {r.key for r in svc.list_roles(s)} >= {"admin", "process_admin", "hr", "finance", "legal", "gm",
                                                       "service_manager", "technician", "sales"}
        depts = {d.name: d for d in s.scalars(select(Department))}
        assert set(depts) == {"总经办", "销售部", "法务部", "财务部", "人事部", "商务部", "技术支持中心", "客服部"}
        gm = svc.user_by_username(s, "wangjianguo")
        assert gm is not None and gm.role_keys == ["gm"]
        assert depts["总经办"].head is gm
        for name, dept in depts.items():
            assert dept.head is not None, name
            assert dept.head.department is dept
            assert (dept.parent is None) == (name == "总经办")

        # zhangsan (clerk) -> sales team lead -> sales head -> general manager
        zhangsan = svc.user_by_username(s, "zhangsan")
        chain = svc.supervisor_chain(zhangsan)
        assert [u.username for u in chain] == ["zhouqiang", "lijun", "wangjianguo"]
        assert chain[1] is depts["销售部"].head
        # everyone but the general manager has a supervisor chain that ends at the general manager
        for u in s.scalars(select(User)):
            assert u.display_name and all("\u4e00" <= ch <= "\u9fff" for ch in u.display_name)
            if u is not gm:
                assert svc.supervisor_chain(u)[-1] is gm, u.username
        assert len(svc.users_with_roles(s, ["finance"])) == 2
        assert len(svc.users_with_roles(s, ["hr"])) == 1
        assert svc.users_with_roles(s, ["admin"]) == []
        assert svc.authenticate(s, "zhangsan", DEFAULT_PASSWORD) is not None


def test_load_demo__password_from_environment(db, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "another-pass-9")
    load_demo(db)
    with db.uow() as s:
        assert svc.authenticate(s, "lisi", "another-pass-9") is not None
        assert svc.authenticate(s, "lisi", DEFAULT_PASSWORD) is None


def test_load_demo__keeps_existing_records(db, monkeypatch):
    """Records an admin made before the demo load are kept as they are, and completed around."""
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    with db.uow(write=True) as s:
        svc.create_role(s, "sales", "销售")
        svc.create_department(s, "销售部")
    load_demo(db)
    with db.uow() as s:
        sales = svc.department_by_name(s, "销售部")
        assert sales.parent is None  # the admin's choice, not overwritten
        assert sales.head is not None and sales.head.username == "lijun"
