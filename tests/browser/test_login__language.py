"""Logging in, a wrong password, the language switch remembered per user."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import login_form, sign_out


def test_wrong_password_says_so_then_login_reaches_the_inbox(page, shot):
    page.goto("/")
    expect(page).to_have_url("/login?next=/")  # pages need a login
    page.fill("input[name=username]", "zhangsan")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_have_text("用户名或密码错误。")
    expect(page.locator("input[name=username]")).to_have_value("zhangsan")
    shot(page, "wrong-password")
    page.fill("input[name=password]", "liuzhuan123")
    page.click("button[type=submit]")
    expect(page.locator(".usermenu .who")).to_have_text("张三")
    expect(page.locator(".tabs a.active")).to_contain_text("待办")
    shot(page, "inbox")


def test_language_switch_is_remembered_at_the_next_login(page, shot):
    login_form(page, "lisi")
    expect(page.locator(".tabs a.active")).to_contain_text("待办")
    page.get_by_role("button", name="English").click()
    expect(page.locator(".tabs a.active")).to_contain_text("To do")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    shot(page, "english")
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url("/login")
    # a new browser session: the choice comes from the user, not the cookie
    sign_out(page)
    login_form(page, "lisi")
    expect(page.locator(".tabs a.active")).to_contain_text("To do")
    page.get_by_role("button", name="中文").click()
    expect(page.locator(".tabs a.active")).to_contain_text("待办")
