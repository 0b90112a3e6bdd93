"""Templates' _() / gettext (web.i18n, one call per string) write what Jinja's newstyle gettext
writes: the translation, escaped as Jinja escapes it, %-formatted with the variables even when
there are none (so "%%" reads "%"), for a page in Chinese and in English."""
from __future__ import annotations

import pytest
from flask import Flask, render_template_string
from flask_babel import Babel, get_translations
from jinja2 import Environment

from web import ROOT
from web.i18n import install_template_gettext

TEMPLATE = ("{{ _('Inbox') }}|{{ _('%(total)s in total', total=total) }}|{{ gettext('Log out') }}|"
            "{{ _('<b>%(n)s</b>', n=tag) }}|{{ _('100%% sure') }}|{{ _('no such message') }}|"
            "{{ _('page %(page)s of %(pages)s', page=2, pages=tag) }}")


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_the_page_gettext_writes_what_jinjas_newstyle_gettext_writes(locale: str) -> None:
    app = Flask(__name__)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "translations")
    Babel(app, locale_selector=lambda: locale)
    install_template_gettext(app)
    values = {"total": 12, "tag": "<i>&</i>"}
    with app.test_request_context("/"):
        ours = render_template_string(TEMPLATE, **values)
        catalogue = get_translations()
        reference = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
        reference.install_gettext_callables(catalogue.ugettext, catalogue.ungettext, newstyle=True)  # type: ignore[attr-defined]
        expected = reference.from_string(TEMPLATE).render(**values)
    assert ours == expected
    assert "&lt;i&gt;&amp;&lt;/i&gt;" in ours and "100% sure" in ours
    assert (ours.split("|")[0] == "Inbox") == (locale == "en"), "the Chinese page is translated"
