"""web/static_files.py: the faces' own stylesheets and scripts are named with a hash of their content
and cached for a year under that name; without it (or with an old one) they are revalidated as
before, and a changed file is named anew."""
from __future__ import annotations

import os
import re

from tests.web.conftest import signed_in
from web.assets import file_version
from worklist import bp as worklist_bp

YEAR = 365 * 24 * 3600


def _static_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/(?!dist/)[^"]+)"', html)


def test_a_page_names_its_static_files_with_their_content_hash(client, org):
    signed_in(client, "clerk")
    urls = _static_urls(client.get("/start").get_data(as_text=True))
    assert any(u.startswith("/static/worklist/app.css?v=") for u in urls), urls
    for url in urls:
        assert re.search(r"\?v=[0-9a-f]{12}$", url), url
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.cache_control.max_age == YEAR and r.cache_control.immutable and r.cache_control.public
        assert not r.cache_control.no_cache


def test_without_the_hash_or_with_an_old_one_the_file_is_revalidated(client):
    plain = client.get("/static/worklist/app.css")
    assert plain.status_code == 200 and plain.cache_control.no_cache and not plain.cache_control.immutable
    old = client.get("/static/worklist/app.css?v=000000000000")
    assert old.status_code == 200 and not old.cache_control.immutable and old.cache_control.max_age != YEAR
    assert client.get("/static/worklist/nope.css?v=000000000000").status_code == 404


def test_a_changed_file_gets_a_new_url(app, tmp_path, monkeypatch):
    (tmp_path / "x.css").write_text("a{}")
    monkeypatch.setattr(worklist_bp, "static_folder", str(tmp_path))
    with app.test_request_context():
        from flask import url_for
        first = url_for("worklist.static", filename="x.css")
        (tmp_path / "x.css").write_text("a{color:red}")
        os.utime(tmp_path / "x.css", ns=(1_000_000_000, 1_000_000_000))  # a new mtime even within one clock tick
        second = url_for("worklist.static", filename="x.css")
    assert first != second and second.endswith("v=" + file_version(tmp_path / "x.css"))
