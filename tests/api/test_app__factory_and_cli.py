"""create_app configuration (database, secret key) and the `python app.py` commands."""
from __future__ import annotations

import stat

import pytest

import app as app_module
from app import create_app, main
from crm.models import User
from db.base import Base
from db.session import Database
from engine.design import definitions
from tests.bpmn_factory import chain, user_task

API = "/api/v1"


@pytest.fixture
def empty_db_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    d = Database(url)
    Base.metadata.create_all(d.engine)
    d.dispose()
    return url


def test_secret_key_is_generated_once_with_private_permissions(tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the working directory does not matter: paths follow the instance folder
    monkeypatch.setenv("LIUZHUAN_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.delenv("LIUZHUAN_SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    first = create_app()
    key_file = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.secret_key == key_file.read_text().strip() and len(first.secret_key) >= 32
    assert create_app().secret_key == first.secret_key
    assert first.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'instance' / 'liuzhuan.db'}"
    assert first.extensions["lz_db"].url == f"sqlite:///{tmp_path / 'instance' / 'liuzhuan.db'}"
    # the audit key beside it (engine/audit_anchor.py), also private; no temporary file left
    assert sorted(p.name for p in (tmp_path / "instance").iterdir()) == ["audit_key", "secret_key"]
    assert stat.S_IMODE((tmp_path / "instance" / "audit_key").stat().st_mode) == 0o600
    assert list(elsewhere.iterdir()) == []


def test_environment_settings_win(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LIUZHUAN_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("LIUZHUAN_SECRET_KEY", "from-env")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    a = create_app()
    assert a.secret_key == "from-env" and a.config["DATABASE_URL"].endswith("env.db")
    assert not (tmp_path / "instance" / "secret_key").exists()
    b = create_app({"SECRET_KEY": "explicit", "DATABASE_URL": f"sqlite:///{tmp_path / 'cfg.db'}",
                    "TOKEN_MAX_AGE": 60})
    assert b.secret_key == "explicit" and b.config["DATABASE_URL"].endswith("cfg.db")
    assert b.config["TOKEN_MAX_AGE"] == 60 and a.config["TOKEN_MAX_AGE"] == 12 * 3600


def test_create_admin_generates_a_password_that_logs_in(empty_db_url, monkeypatch, capsys):
    monkeypatch.delenv("LIUZHUAN_ADMIN_PASSWORD", raising=False)
    assert main(["--database-url", empty_db_url, "create-admin"]) == 0
    out = capsys.readouterr().out
    password = out.split("password: ", 1)[1].split()[0]
    client = create_app({"DATABASE_URL": empty_db_url, "SECRET_KEY": "t"}).test_client()
    r = client.post(f"{API}/auth/token", json={"username": "admin", "password": password})
    assert r.status_code == 200
    me = client.get(f"{API}/me", headers={"Authorization": "Bearer " + r.get_json()["token"]}).get_json()
    assert me["roles"] == ["admin", "process_admin"]

    # running it again with a password from the environment resets it; the user is not duplicated
    monkeypatch.setenv("LIUZHUAN_ADMIN_PASSWORD", "from-env-pass")
    assert main(["--database-url", empty_db_url, "create-admin"]) == 0
    assert "from-env-pass" not in capsys.readouterr().out
    assert client.post(f"{API}/auth/token", json={"username": "admin", "password": password}).status_code == 401
    assert client.post(f"{API}/auth/token", json={"username": "admin", "password": "from-env-pass"}).status_code == 200


def test_create_admin_refuses_a_short_password(empty_db_url, monkeypatch, capsys):
    monkeypatch.setenv("LIUZHUAN_ADMIN_PASSWORD", "short")
    assert main(["--database-url", empty_db_url, "create-admin"]) == 1
    assert "at least 8" in capsys.readouterr().err


def test_deploy_all_deploys_each_file_once(empty_db_url, tmp_path, monkeypatch, capsys):
    bpmn_dir = tmp_path / "bpmn"
    bpmn_dir.mkdir()
    (bpmn_dir / "a.bpmn").write_bytes(chain("proc_a", [user_task("t", "any", "initiator")]))
    (bpmn_dir / "b.bpmn").write_bytes(chain("proc_b", [user_task("t", "any", "initiator")]))
    monkeypatch.setattr(app_module, "BPMN_DIR", bpmn_dir)
    assert main(["--database-url", empty_db_url, "deploy-all"]) == 0
    assert capsys.readouterr().out.splitlines() == ["proc_a v1", "proc_b v1"]
    assert main(["--database-url", empty_db_url, "deploy-all"]) == 0
    assert capsys.readouterr().out.splitlines() == ["proc_a v1 unchanged", "proc_b v1 unchanged"]
    (bpmn_dir / "c.bpmn").write_bytes(chain("proc_c", [user_task("t", "bogus", "initiator")]))
    assert main(["--database-url", empty_db_url, "deploy-all"]) == 1
    err = capsys.readouterr().err
    assert "c.bpmn" in err and "t:" in err


def test_deploy_all_never_replaces_a_version_deployed_from_the_designer(empty_db_url, tmp_path, monkeypatch, capsys):
    """make run restarts with deploy-all: a newer version an admin deployed (designer or API) is kept."""
    bpmn_dir = tmp_path / "bpmn"
    bpmn_dir.mkdir()
    shipped = chain("proc_a", [user_task("t", "any", "initiator")])
    (bpmn_dir / "a.bpmn").write_bytes(shipped)
    monkeypatch.setattr(app_module, "BPMN_DIR", bpmn_dir)
    assert main(["--database-url", empty_db_url, "deploy-all"]) == 0
    capsys.readouterr()
    database = Database(empty_db_url)
    with database.uow(write=True) as s:
        s.add(User(username="designer_admin", display_name="Admin", password_hash="x", active=True))
    with database.uow() as s:
        admin_id = s.query(User).filter_by(username="designer_admin").one().id
    designed = chain("proc_a", [user_task("t", "any", "initiator"), user_task("u", "any", "initiator")])
    d, created = definitions.deploy(database, designed, admin_id)
    assert created and d.version == 2
    assert main(["--database-url", empty_db_url, "deploy-all"]) == 0  # kept is not a failure
    out = capsys.readouterr().out
    assert "proc_a v2 kept" in out and "a.bpmn NOT deployed" in out and "designer_admin" in out
    with database.uow() as s:
        assert definitions.latest_version(s, "proc_a").checksum == d.checksum  # the designer's version stays latest
    assert main(["--database-url", empty_db_url, "deploy-all", "--force"]) == 0
    assert capsys.readouterr().out.splitlines() == ["proc_a v3"]
    database.dispose()
