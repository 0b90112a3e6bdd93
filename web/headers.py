"""Security headers on every answer (pages, API, static files), and the per-request script nonce.

Content-Security-Policy: scripts only from this site or an inline <script nonce="{{ csp_nonce() }}">
of the page being answered (no inline event handlers, no eval); styles from this site plus inline
style attributes (the diagram and form editors set them); no plugins; forms post only here; no
framing (frame-ancestors 'none' and X-Frame-Options DENY). Plus nosniff and Referrer-Policy
same-origin (links out of the site carry no path or query: ids, filters, search terms stay here).
"""
from __future__ import annotations

import secrets

from flask import Flask, Response, g

POLICY = ("default-src 'self'; script-src 'self'{nonce}; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
          "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def csp_nonce() -> str:
    """This answer's script nonce (made on first use): `<script nonce="{{ csp_nonce() }}">`."""
    nonce = g.get("lz_csp_nonce")
    if nonce is None:
        nonce = g.lz_csp_nonce = secrets.token_urlsafe(16)
    return nonce


def _secure(response: Response) -> Response:
    nonce = g.get("lz_csp_nonce")
    response.headers["Content-Security-Policy"] = POLICY.format(nonce=f" 'nonce-{nonce}'" if nonce else "")
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def install(app: Flask) -> None:
    app.after_request(_secure)
    app.add_template_global(csp_nonce)
