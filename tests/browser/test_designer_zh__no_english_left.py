"""流程设计 in Chinese: the modeler (palette, context pad, change-element menu, properties panel of
a user task), the form editor (palette and a field's properties) and a start form in the form-js
viewer (select search, date calendar, dynamic list, required message) show no English UI words of
the libraries when the user's language is Chinese. The scan reads every rendered text node and the
placeholder / title / aria-label attributes (what a screen reader says), not user data (input
values, the diagram's labels are the process's own Chinese names)."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from crm import directory
from tests.browser.conftest import LiveServer, login

ADMIN_PASSWORD = "designer-admin-1"

# What bpmn-js, its properties panel, form-js (editor and viewer) and flatpickr print in English.
ENGLISH = {
    "Select", "Search", "Required", "Add", "Remove", "Field", "Label", "Key", "Create", "Delete",
    "Properties", "General", "Documentation", "Name", "Append", "Change", "Connect", "Activate",
    "Toggle", "Open", "Components", "Validation", "Appearance", "Condition", "Description",
    "Options", "Default", "Value", "Values", "Type", "Text", "Number", "Date", "Time", "Input",
    "Output", "Layout", "Columns", "Empty", "Static", "Source", "Task", "Gateway", "Event",
    "Process", "Executable", "Multi", "Loop", "Element", "Start", "End", "Sequence", "Flow",
    "Hand", "Lasso", "Space", "Tool", "Sub", "Data", "Pool", "Group", "Participant",
    "Custom", "Action", "Presentation", "Containers", "Basic", "Selection", "Disabled", "Readonly",
    "Hide", "Prefix", "Suffix", "Serialization", "Decimal", "Increment", "Minimum", "Maximum",
    "Pattern", "Keys", "Item", "Items", "Tag", "Help", "Expression", "Dynamic", "Drag", "Drop",
    "Clear", "Today", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "January", "February",
    "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December", "Week", "Hour", "Minute", "new", "required", "is",
}

SCAN = """(root) => {
  const found = [];
  const skip = (el) => el.closest('textarea, script, style, code, .djs-label, .fjs-form-field-text, '
    + '.djs-visual text, [data-lz-data]');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || skip(el) || !n.data.trim()) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    found.push(n.data.trim());
  }
  root.querySelectorAll('[placeholder], [title], [aria-label]').forEach((el) => {
    if (skip(el)) return;
    ['placeholder', 'title', 'aria-label'].forEach((a) => {
      const v = el.getAttribute(a);
      if (v && v.trim()) found.push(v.trim());
    });
  });
  return found;
}"""


def english_left(page, selector: str = "body") -> list[str]:
    texts = page.locator(selector).first.evaluate(SCAN)
    left = sorted({t for t in texts if set(re.findall(r"[A-Za-z]+", t)) & ENGLISH})
    return left


def open_all(page, selector: str) -> None:
    """Opens every closed group of a properties panel (each opened one leaves the selection)."""
    closed = page.locator(selector)
    for _ in range(40):
        if not closed.count():
            return
        closed.first.click()


def test_modeler_speaks_chinese(page, shot, live_server: LiveServer):
    directory.ensure_admin(live_server.db, ADMIN_PASSWORD)
    login(page, "admin", ADMIN_PASSWORD, to="/designer/expense_reimbursement/edit")
    expect(page.locator("#lz-modeler.lz-ready")).to_be_attached()
    assert english_left(page) == []  # the process panel, the palette
    task = page.evaluate("() => window.lzModeler.get('elementRegistry')"
                         ".find((e) => e.type === 'bpmn:UserTask').id")
    page.evaluate("(id) => { const m = window.lzModeler; m.get('selection').select("
                  "m.get('elementRegistry').get(id)); }", task)
    expect(page.locator("#bio-properties-panel-id")).to_have_value(task)
    expect(page.locator(".djs-context-pad")).to_be_attached()
    open_all(page, ".bio-properties-panel-group-header:not(.open)")
    assert english_left(page) == []  # the user task's panel and context pad
    page.locator('.djs-context-pad [data-action="replace"]').click()
    expect(page.locator(".djs-popup")).to_be_visible()
    shot(page, "change-element")
    assert english_left(page) == []  # the change-element menu


def test_form_editor_speaks_chinese(page, shot, live_server: LiveServer):
    directory.ensure_admin(live_server.db, ADMIN_PASSWORD)
    login(page, "admin", ADMIN_PASSWORD, to="/designer/expense_reimbursement/forms/expense_reimbursement")
    expect(page.locator("#lz-form-designer.lz-ready")).to_be_attached()
    assert english_left(page) == []  # the palette and the form's properties
    for kind in ("select", "datetime", "dynamiclist", "number"):
        page.locator(f".fjs-editor-container .fjs-form-field-{kind}").first.click()
        expect(page.locator(".fjs-properties-panel")).to_be_visible()
        open_all(page, ".fjs-properties-panel .bio-properties-panel-group-header:not(.open)")
        assert english_left(page) == [], kind
    shot(page, "field")


def test_start_form_speaks_chinese(page, shot, live_server: LiveServer):
    login(page, "zhangsan", to="/start/expense_reimbursement")
    expect(page.locator(".fjs-container")).to_be_visible()
    assert english_left(page) == []
    page.get_by_role("button", name="提交").first.click()  # empty: the required messages
    expect(page.locator(".fjs-form-field-error").first).to_be_visible()
    expect(page.get_by_text("此项为必填项。").first).to_be_visible()
    assert english_left(page) == []
    page.locator(".fjs-form-field-datetime input").first.click()
    expect(page.locator(".flatpickr-calendar.open")).to_be_visible()
    expect(page.locator(".flatpickr-calendar.open .flatpickr-weekday").first).to_have_text("周一")
    shot(page, "calendar")
    assert english_left(page) == []
    page.keyboard.press("Escape")
    page.locator(".fjs-form-field-select .fjs-input-group").first.click()
    expect(page.locator(".fjs-dropdownlist").first).to_be_visible()
    assert english_left(page) == []


def test_the_same_form_in_english_keeps_the_libraries_english(page, live_server: LiveServer):
    """The translation follows the user's language: switched to English, form-js speaks English."""
    login(page, "zhangsan", to="/start/expense_reimbursement")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".fjs-container")).to_be_visible()
    page.locator("#start-submit").click()
    expect(page.get_by_text("Field is required.").first).to_be_visible()
    page.locator(".fjs-form-field-datetime input").first.click()
    expect(page.locator(".flatpickr-calendar.open .flatpickr-weekday").first).to_have_text("Sun")
