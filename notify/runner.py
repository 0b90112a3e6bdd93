"""After-commit delivery: who sends the rows a transaction wrote, and with which settings.

`configure(settings, mode)` is called by the composition root (app.create_app, the Celery app):
- "inprocess" (the embedded default): a daemon thread in this process delivers the ids each commit
  hands over; the timer tick retries what is due (`notify.deliver.deliver_due`);
- "celery" (LIUZHUAN_BROKER set): each commit's ids become a Celery task (notify/celery_app.py);
- "off" (nothing configured, e.g. engine tests): rows stay pending until a tick or `deliver` sends them.
"""
from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from core.config import NotifySettings, load_notify
from db.session import Database

log = logging.getLogger(__name__)

_state: dict[str, Any] = {"settings": None, "mode": "off", "send": None}
_dbs: dict[int, Database] = {}


def configure(settings: NotifySettings | None = None, mode: str = "inprocess",
              send: Callable[[list[int]], None] | None = None) -> None:
    """Set the settings and the after-commit mode; `send` hands ids to Celery in mode "celery"."""
    _state.update(settings=settings or load_notify(), mode=mode, send=send)


def settings() -> NotifySettings:
    if _state["settings"] is None:
        _state["settings"] = load_notify()
    return _state["settings"]  # type: ignore[no-any-return]


def webhook_configured() -> bool:
    return bool(settings().webhook_url)


def database_for(engine: Any) -> Database:
    base = getattr(engine, "_proxied", engine)
    db = _dbs.get(id(base))
    if db is None or db.engine is not base:
        db = _dbs[id(base)] = Database.for_engine(base)
    return db


def dispatch(engine: Any, ids: list[int]) -> None:
    """Called after a commit with the ids of the rows it wrote to send."""
    mode = _state["mode"]
    if mode == "celery" and _state["send"] is not None:
        try:
            _state["send"](ids)
        except Exception:  # the broker is down: the rows stay pending, the beat's sweep sends them
            log.exception("could not hand notifications %s to the broker", ids)
    elif mode == "inprocess":
        _worker().put(database_for(engine), ids)


class _Worker:
    """One daemon thread delivering what commits hand over, in order."""

    def __init__(self) -> None:
        self.q: queue.Queue[tuple[Database, list[int]]] = queue.Queue()
        threading.Thread(target=self._run, name="liuzhuan-notify", daemon=True).start()

    def put(self, db: Database, ids: list[int]) -> None:
        self.q.put((db, ids))

    def _run(self) -> None:
        from notify import deliver

        while True:
            db, ids = self.q.get()
            try:
                deliver.deliver(db, ids, settings())
            except Exception:  # a broken delivery must not stop the thread; the sweep retries
                log.exception("delivering notifications %s failed", ids)
            finally:
                self.q.task_done()


_lock = threading.Lock()
_the_worker: _Worker | None = None


def _worker() -> _Worker:
    global _the_worker
    with _lock:
        if _the_worker is None:
            _the_worker = _Worker()
        return _the_worker


def wait_idle() -> None:
    """Block until the in-process worker has delivered everything handed to it (tests, shutdown)."""
    if _the_worker is not None:
        _the_worker.q.join()
