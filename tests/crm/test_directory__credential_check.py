"""crm.directory.active_user, asked on every API request: one Core statement through
Database.first (autocommit on PostgreSQL), with the same answers as the unit-of-work read it
replaced, and the pooled connection it used still runs transactions afterwards."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.errors import Unauthenticated
from crm import directory
from crm import org as crm_org
from crm.models import User


def _version(db, uid: int) -> int:
    with db.uow() as s:
        return s.get(User, uid).token_version or 0


def test_the_check_answers_active_revoked_deactivated_and_unknown(any_org):
    db, uid = any_org.db, any_org["clerk"]
    version = _version(db, uid)
    assert directory.active_user(db, uid, version) == uid

    with pytest.raises(Unauthenticated, match="signed out"):
        directory.active_user(db, uid, version + 1)
    with pytest.raises(Unauthenticated, match="invalid credentials"):
        directory.active_user(db, "1", version)
    with pytest.raises(Unauthenticated, match="unknown or deactivated"):
        directory.active_user(db, 10**9, 0)

    with db.uow(write=True) as s:
        crm_org.revoke_sessions(s.get(User, uid))
    with pytest.raises(Unauthenticated, match="signed out"):
        directory.active_user(db, uid, version)
    assert directory.active_user(db, uid, version + 1) == uid

    with db.uow(write=True) as s:
        s.get(User, uid).active = False
    with pytest.raises(Unauthenticated, match="unknown or deactivated"):
        directory.active_user(db, uid, version + 1)


def test_a_unit_of_work_after_the_check_still_rolls_back(any_org):
    """The autocommit the check runs in is the check's alone: the pooled connection goes back to
    transactions, so a failed write leaves nothing behind."""
    db, uid = any_org.db, any_org["clerk"]
    for _ in range(3):  # the pool hands the same connection back
        directory.active_user(db, uid, _version(db, uid))
    with pytest.raises(RuntimeError), db.uow(write=True) as s:
        s.get(User, uid).display_name = "changed, then rolled back"
        s.flush()
        raise RuntimeError("the use case fails after its write")
    with db.uow() as s:
        assert s.scalar(select(User.display_name).where(User.id == uid)) != "changed, then rolled back"
