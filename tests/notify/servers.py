"""Real local servers for the channel tests: an SMTP server (aiosmtpd) and an HTTP robot endpoint."""
from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Mailbox:
    """`messages`: what the server accepted (answered 250). With `stall_next`, the next message is
    read but not answered until `release` is set (`stalled` tells it arrived), then refused: a
    sender killed meanwhile never heard 250, so the message was not accepted (SMTP's own rule)."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Any]] = []
        self.stall_next = False
        self.stalled, self.release = threading.Event(), threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        if self.stall_next:
            self.stall_next = False
            self.stalled.set()
            for _ in range(600):
                if self.release.is_set():
                    break
                await asyncio.sleep(0.1)
            return "451 4.3.0 not accepted"
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@contextmanager
def smtp_server() -> Iterator[tuple[int, _Mailbox]]:
    box = _Mailbox()
    port = free_port()
    ctl = Controller(box, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        yield port, box
    finally:
        ctl.stop()


class Robot:
    """What the endpoint received: (path with query, JSON body), and the Idempotency-Key header of
    each request in `keys`; `answer` is what it replies. With `stall_next`, the next request is
    received (and recorded) but not answered until `release` is set (`stalled` tells it arrived)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.keys: list[str | None] = []
        self.answer: dict[str, Any] = {"errcode": 0, "errmsg": "ok"}
        self.lock = threading.Lock()
        self.stall_next = False
        self.stalled, self.release = threading.Event(), threading.Event()


@contextmanager
def robot_server() -> Iterator[tuple[int, Robot]]:
    robot = Robot()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with robot.lock:
                robot.received.append((self.path, json.loads(body)))
                robot.keys.append(self.headers.get("Idempotency-Key"))
                stall, robot.stall_next = robot.stall_next, False
            if stall:
                robot.stalled.set()
                robot.release.wait(60)
                return  # no answer: the connection closes
            data = json.dumps(robot.answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], robot
    finally:
        server.shutdown()
        server.server_close()
