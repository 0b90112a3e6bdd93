"""An admin manages the organisation in the browser: a new user with a mistake, corrected, then
found in the list with their department and supervisor; the new user can log in. Also at 375 px."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from crm import directory, org_pages
from tests.browser.conftest import login

ADMIN_PASSWORD = "admin-pass-42"
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def test_an_admin_creates_a_user_after_fixing_a_mistake(page, shot, live_server):
    directory.ensure_admin(live_server.db, ADMIN_PASSWORD)
    login(page, "admin", ADMIN_PASSWORD)
    page.locator(".mainnav").get_by_role("link", name="组织架构").click()
    expect(page.locator("#users")).to_contain_text("张三")
    expect(page.locator('tr[data-username="zhangsan"]')).to_contain_text("销售部")
    expect(page.locator('tr[data-username="zhangsan"]')).to_contain_text("周强")
    shot(page, "users")

    page.get_by_role("link", name="新建用户").click()
    page.get_by_label("用户名").fill("xiaoming")
    page.get_by_label("姓名").fill("王小明")
    page.get_by_label("密码").fill("short")
    page.get_by_label("部门").select_option(label="　销售部")
    page.get_by_label("直属上级").select_option("zhouqiang")
    page.get_by_role("button", name="创建用户").click()
    expect(page.get_by_role("alert")).to_contain_text("未保存任何内容")
    expect(page.locator("#err-password")).to_have_text("至少 8 个字符。")
    expect(page.get_by_label("姓名")).to_have_value("王小明")
    expect(page.get_by_label("直属上级")).to_have_value("zhouqiang")
    shot(page, "user-error")
    assert org_pages.search_users(live_server.db, _admin_id(live_server), q="xiaoming")[1] == 0

    page.get_by_label("密码").fill("xiaoming-pass-1")
    page.get_by_role("button", name="创建用户").click()
    expect(page.locator(".flash-success")).to_contain_text("王小明")
    row = page.locator('tr[data-username="xiaoming"]')
    expect(row).to_contain_text("销售部")
    expect(row).to_contain_text("周强")
    expect(row).to_contain_text("启用")
    shot(page, "user-created")

    # deactivate them from their page
    row.get_by_role("link", name="王小明").click()
    expect(page).to_have_url(re.compile(r"/admin/users/\d+$"))
    page.get_by_label("启用（可登录、可接收任务）").uncheck()
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".flash-success")).to_contain_text("已停用")
    page.goto("/admin/users?state=inactive")
    expect(page.locator('tr[data-username="xiaoming"]')).to_contain_text("已停用")


def test_org_pages_fit_a_phone(page, shot, live_server):
    directory.ensure_admin(live_server.db, ADMIN_PASSWORD)
    page.set_viewport_size({"width": 375, "height": 740})
    login(page, "admin", ADMIN_PASSWORD)
    for url, name in (("/admin/users", "users-375"), ("/admin/users/new", "new-user-375"),
                      ("/admin/departments", "departments-375"), ("/admin/roles", "roles-375")):
        page.goto(url)
        expect(page.locator(".tabs a.active")).to_be_visible()
        assert page.evaluate(NO_SIDEWAYS_SCROLL), url
        shot(page, name)


def _admin_id(live_server):
    from crm import org

    with live_server.db.uow() as s:
        return org.user_by_username(s, "admin").id
