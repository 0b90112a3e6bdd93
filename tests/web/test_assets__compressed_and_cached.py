"""web/assets.py: the bundles are served pre-compressed in the best encoding the browser accepts,
under URLs that carry their content hash and may be cached for a year; the task page does not load
the diagram viewer. (The browser tests load these same responses in chromium, which asks for br.)"""
from __future__ import annotations

import gzip
import re

from tests.web.conftest import signed_in
from tests.web.test_task__page_and_actions import EITHER, deploy, open_task, start
from web.assets import DIST, version


def _asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/dist/[^"]+)"', html)


def test_brotli_when_accepted_then_gzip_then_plain(client):
    raw = (DIST / "worklist.js").read_bytes()
    br = client.get("/static/dist/worklist.js", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert br.status_code == 200 and br.headers["Content-Encoding"] == "br"
    assert br.data == (DIST / "worklist.js.br").read_bytes() and len(br.data) < len(raw) / 3
    assert br.headers["Content-Type"].startswith(("application/javascript", "text/javascript"))
    assert br.headers["Vary"] == "Accept-Encoding"

    gz = client.get("/static/dist/worklist.js", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip" and gzip.decompress(gz.data) == raw

    plain = client.get("/static/dist/worklist.js", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and plain.data == raw
    css = client.get("/static/dist/worklist.css", headers={"Accept-Encoding": "br"})
    assert css.headers["Content-Type"].startswith("text/css") and css.headers["Content-Encoding"] == "br"


def test_hashed_urls_are_immutable_for_a_year_others_for_an_hour(client):
    v = version("worklist.js")
    assert re.fullmatch(r"[0-9a-f]{12}", v)
    current = client.get(f"/static/dist/worklist.js?v={v}")
    assert current.cache_control.max_age == 365 * 24 * 3600 and current.cache_control.immutable
    assert not current.cache_control.no_cache  # not revalidated at every page load
    stale = client.get("/static/dist/worklist.js?v=000000000000")
    assert stale.cache_control.max_age == 3600 and not stale.cache_control.immutable
    assert not stale.cache_control.no_cache


def test_unknown_or_escaping_names_are_404(client):
    assert client.get("/static/dist/nope.js").status_code == 404
    assert client.get("/static/dist/../app.py").status_code == 404
    assert client.get("/static/dist/%2e%2e/app.py").status_code == 404


def test_the_task_page_loads_forms_but_not_the_diagram_viewer(client, org):
    deploy(org, EITHER)
    iid = start(org, "clerk", "either")
    tid = open_task(org, "sales_lead", iid)
    signed_in(client, "sales_lead")
    task_urls = _asset_urls(client.get(f"/tasks/{tid}").get_data(as_text=True))
    assert any("/worklist.js?v=" in u for u in task_urls)
    assert not any("diagram" in u for u in task_urls)
    instance_urls = _asset_urls(client.get(f"/instances/{iid}").get_data(as_text=True))
    assert any("/diagram.js?v=" in u for u in instance_urls) and any("/diagram.css?v=" in u for u in instance_urls)
    for url in task_urls:  # every URL the page names is served, compressed
        r = client.get(url, headers={"Accept-Encoding": "br"})
        assert r.status_code == 200 and r.headers["Content-Encoding"] == "br"
