"""create_app starts the in-process timer loop only when asked to (make run does)."""
from __future__ import annotations

from app import create_app


def test_timer_loop_runs_in_process_when_configured(org):
    app = create_app({"DATABASE": org.db, "SECRET_KEY": "t", "TIMERS": "inprocess", "TIMER_INTERVAL": 0.05})
    loop = app.extensions["lz_timers"]
    try:
        assert loop._thread.is_alive()
    finally:
        loop.stop()
    assert not loop._thread.is_alive()


def test_no_timer_loop_by_default(org, monkeypatch):
    monkeypatch.delenv("LIUZHUAN_TIMERS", raising=False)
    app = create_app({"DATABASE": org.db, "SECRET_KEY": "t"})
    assert "lz_timers" not in app.extensions
