"""The client's address and scheme behind a reverse proxy, trusted only from configured proxies.

`X-Forwarded-For` / `X-Forwarded-Proto` are honoured only when the peer (REMOTE_ADDR) is one of
LIUZHUAN_TRUSTED_PROXIES (addresses or networks, comma-separated). The client is then the
right-most address of X-Forwarded-For that is not itself a trusted proxy. From any other peer the
headers are ignored, so a client cannot choose the address the login throttle counts against.
"""
from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(specs: Iterable[str]) -> tuple[Network, ...]:
    """Parsed proxy addresses / networks; ValueError naming a bad one."""
    out = []
    for spec in specs:
        spec = spec.strip()
        if spec:
            try:
                out.append(ipaddress.ip_network(spec, strict=False))
            except ValueError:
                raise ValueError(f"LIUZHUAN_TRUSTED_PROXIES: {spec!r} is not an address or network") from None
    return tuple(out)


def _trusted(addr: str, nets: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(addr.strip())
    except ValueError:
        return False
    return any(ip in net for net in nets)


class TrustedProxies:
    """WSGI middleware: REMOTE_ADDR and wsgi.url_scheme from a trusted proxy's headers."""

    def __init__(self, app: Any, nets: tuple[Network, ...]) -> None:
        self.app, self.nets = app, nets

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        peer = environ.get("REMOTE_ADDR") or ""
        if self.nets and _trusted(peer, self.nets):
            hops = [h.strip() for h in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
            client = peer
            for hop in reversed(hops):
                client = hop
                if not _trusted(hop, self.nets):
                    break
            try:
                environ["REMOTE_ADDR"] = str(ipaddress.ip_address(client))
            except ValueError:
                pass  # a malformed hop: keep the proxy's own address
            proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip().lower()
            if proto in ("http", "https"):
                environ["wsgi.url_scheme"] = proto
        return self.app(environ, start_response)
