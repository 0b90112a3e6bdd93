"""Settings are read in one place, checked once, and paths follow the instance folder."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.config import PROJECT_ROOT, ConfigError, load


def test_defaults_live_in_the_project_instance_folder_whatever_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load({})
    assert s.instance_dir == PROJECT_ROOT / "instance"
    assert s.database_url == f"sqlite:///{PROJECT_ROOT / 'instance' / 'liuzhuan.db'}"
    assert s.secret_key_file == PROJECT_ROOT / "instance" / "secret_key"
    assert (s.timers, s.timer_interval, s.ratelimit_storage) == ("off", 15.0, "memory://")
    assert s.secret_key is None and s.admin_password is None and s.demo_password == "liuzhuan123"


def test_the_environment_and_explicit_overrides(tmp_path):
    env = {"LIUZHUAN_INSTANCE_DIR": str(tmp_path), "LIUZHUAN_TIMERS": "inprocess",
           "LIUZHUAN_TIMER_INTERVAL": "2.5", "DATABASE_URL": "postgresql://x@h/db"}
    s = load(env)
    assert s.instance_dir == tmp_path and s.outbox_dir == tmp_path / "outbox"
    assert (s.timers, s.timer_interval, s.database_url) == ("inprocess", 2.5, "postgresql://x@h/db")
    assert load(env, database_url="sqlite:///other.db", timers=None).database_url == "sqlite:///other.db"
    assert load({"LIUZHUAN_INSTANCE_DIR": str(tmp_path)}).database_url == f"sqlite:///{Path(tmp_path) / 'liuzhuan.db'}"


@pytest.mark.parametrize(("name", "value"), [("LIUZHUAN_TIMERS", "sometimes"), ("LIUZHUAN_TIMER_INTERVAL", "soon"),
                                             ("LIUZHUAN_TIMER_INTERVAL", "0"), ("LIUZHUAN_TIMER_INTERVAL", "nan")])
def test_a_bad_value_names_its_variable(name, value):
    with pytest.raises(ConfigError, match=name):
        load({name: value})


def test_an_unknown_override_is_refused():
    with pytest.raises(TypeError, match="colour"):
        load({}, colour="red")
