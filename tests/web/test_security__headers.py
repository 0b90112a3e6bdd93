"""Security headers on every answer (issue 11): CSP without inline script except this answer's
nonce, no framing, nosniff, Referrer-Policy; no template carries a script the policy would refuse."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.web.conftest import signed_in

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = [p for face in ("web", "worklist", "designer", "workspace", "notify") for p in (ROOT / face).rglob("*.html")]


def _check(r) -> str:
    csp = r.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, csp
    script_src = re.search(r"script-src ([^;]*)", csp)
    assert script_src and "'unsafe-inline'" not in script_src.group(1) and "unsafe-eval" not in script_src.group(1)
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    return csp


@pytest.mark.parametrize("path", ["/login", "/api/v1/openapi.json", "/api/v1/me", "/no-such-page", "/api/v1/nope"])
def test_every_answer_carries_the_headers_signed_out(client, path):
    _check(client.get(path))


def test_pages_api_and_errors_carry_them_signed_in_and_the_nonce_matches(client, org):
    signed_in(client, "clerk")
    for path in ("/", "/?box=done", "/settings", "/api/v1/tasks", "/start", "/crm/contacts"):
        r = client.get(path)
        assert r.status_code == 200, path
        csp = _check(r)
        html = r.get_data(as_text=True)
        for nonce in re.findall(r'<script nonce="([^"]+)"', html):
            assert f"'nonce-{nonce}'" in csp, path
    first = re.search(r"'nonce-([^']+)'", _check(client.get("/")))
    second = re.search(r"'nonce-([^']+)'", _check(client.get("/")))
    assert first and second and first.group(1) != second.group(1), "a nonce is used once"


def test_no_template_has_an_inline_script_without_the_nonce_or_an_inline_handler():
    assert len(TEMPLATES) > 30
    bad = []
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if not ("src=" in tag or 'type="application/json"' in tag or "csp_nonce()" in tag):
                bad.append(f"{path.relative_to(ROOT)}: {tag}")
        bad += [f"{path.relative_to(ROOT)}: {m}" for m in re.findall(r"\son[a-z]+=\"", text)]
        bad += [f"{path.relative_to(ROOT)}: javascript: URL" for _ in re.findall(r"href=\"javascript:", text)]
    assert not bad, bad
