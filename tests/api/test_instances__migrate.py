"""迁移 migrate through HTTP (DESIGN.md §8): a running instance moves to another version of its
process when every node it stands at exists there, keeping its data, its open tasks (same people,
votes so far) and its waiting joins; a dry run says what would move and what blocks; 409 lists the
blocking nodes, 422 an unknown version, 403 anyone but admins and process admins. One instance, or
every instance of a version."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.conftest import API, act, assert_error, deploy, login, start
from tests.engine.helpers import assert_inbox_matches_engine, open_assignees

V1 = (Path(__file__).parents[1] / "engine" / "data" / "countersign_return.bpmn").read_bytes()
# v2: an archive step after the GM's approval
V2 = V1.replace(b'<bpmn:sequenceFlow id="f_gm_ok" sourceRef="gw_gm" targetRef="end">',
                b'<bpmn:userTask id="archive" name="archive"><bpmn:extensionElements>'
                b'<lz:assignees strategy="users" value="hr1"/></bpmn:extensionElements></bpmn:userTask>'
                b'<bpmn:sequenceFlow id="f_archive" sourceRef="archive" targetRef="end"/>'
                b'<bpmn:sequenceFlow id="f_gm_ok" sourceRef="gw_gm" targetRef="archive">')
# v3: the legal countersign is replaced by another node
V3 = V2.replace(b'"legal"', b'"legal_review"').replace(b'legal["outcome"]', b'legal_review["outcome"]')


def migrate(client, iid, body, user="admin"):
    return client.post(f"{API}/process-instances/{iid}/migrate", json=body, headers=login(client, user))


def get(client, iid):
    return client.get(f"{API}/process-instances/{iid}", headers=login(client, "admin")).get_json()


def start_v1(client, org, to_parallel=True):
    """An instance on version 1 (deployed first; starting takes the latest, so v2/v3 come after)."""
    iid = start(client, "clerk", "countersign_return", {"amount": 100})
    if to_parallel:
        act(client, "clerk", iid)
        act(client, "sales_lead", iid)
    return iid


@pytest.fixture
def on_v1(client, org):
    assert deploy(client, V1).status_code == 201
    ids = [start_v1(client, org), start_v1(client, org, to_parallel=False)]
    assert deploy(client, V2).status_code == 201
    assert deploy(client, V3).status_code == 201
    return ids


def test_migrate_keeps_data_open_tasks_and_votes_and_runs_the_new_version(client, org, on_v1):
    iid = on_v1[0]
    act(client, "v01", iid)                      # one legal vote before the move
    before = get(client, iid)
    r = migrate(client, iid, {"to_version": 2})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["migrated"], body["from_version"], body["to_version"]) == (True, 1, 2)
    assert body["nodes"] == ["finance", "legal"] and body["blocked"] == {}
    after = get(client, iid)
    assert after["version"] == 2 and after["data"] == before["data"]
    assert after["open_tasks"] == before["open_tasks"], "the same tasks, the same people"
    assert_inbox_matches_engine(org, iid)
    act(client, "v02", iid)                      # v01's earlier vote still counts: legal decides
    assert open_assignees(org, iid) == {"finance": {"v03", "v04", "v05"}}
    act(client, "v03", iid)
    act(client, "v04", iid)
    assert_inbox_matches_engine(org, iid)
    act(client, "gm", iid)
    assert open_assignees(org, iid) == {"archive": {"hr1"}}, "the new version's step"
    act(client, "hr1", iid)
    assert get(client, iid)["outcome"] == "approved"
    event = [e for e in get(client, iid)["history"] if e["action"] == "migrate"][0]
    assert event["actor"] == "admin" and event["detail"]["from_version"] == 1 and event["detail"]["to_version"] == 2


def test_migrate_keeps_a_branch_waiting_at_the_join(client, org, on_v1):
    iid = on_v1[0]
    act(client, "v03", iid)
    act(client, "v04", iid)                      # finance decided and waits at the join
    assert migrate(client, iid, {"to_version": 2}).status_code == 200
    assert open_assignees(org, iid) == {"legal": {"v01", "v02"}}
    assert_inbox_matches_engine(org, iid)
    act(client, "v01", iid)
    act(client, "v02", iid)
    assert open_assignees(org, iid) == {"gm": {"gm"}}, "the join fires with the branch that arrived before"


def test_dry_run_says_what_would_move_and_changes_nothing(client, org, on_v1):
    iid = on_v1[0]
    r = migrate(client, iid, {"to_version": 3, "dry_run": True})
    assert r.status_code == 200
    body = r.get_json()
    assert (body["can_migrate"], body["migrated"], body["dry_run"]) == (False, False, True)
    assert list(body["blocked"]) == ["legal"] and "3" in body["blocked"]["legal"]
    ok = migrate(client, iid, {"to_version": 2, "dry_run": True}).get_json()
    assert (ok["can_migrate"], ok["migrated"], ok["blocked"]) == (True, False, {})
    assert get(client, iid)["version"] == 1
    assert "migrate" not in {e["action"] for e in get(client, iid)["history"]}


def test_a_blocked_migration_is_409_listing_the_nodes_and_changes_nothing(client, org, on_v1):
    iid = on_v1[0]
    before = get(client, iid)
    err = assert_error(migrate(client, iid, {"to_version": 3}), 409, "conflict")
    assert err["reason"] == "migration_blocked" and list(err["fields"]) == ["legal"]
    after = get(client, iid)
    assert (after["version"], after["open_tasks"], after["history"]) == (1, before["open_tasks"], before["history"])
    assert_inbox_matches_engine(org, iid)


@pytest.mark.parametrize("body, field", [({"to_version": 99}, "to_version"), ({"to_version": "2"}, "to_version"),
                                         ({}, "to_version"), ({"to_version": 1}, "to_version"),
                                         ({"to_version": 2, "dry_run": "yes"}, "dry_run")])
def test_a_version_that_does_not_exist_is_422(client, org, on_v1, body, field):
    iid = on_v1[0]
    err = assert_error(migrate(client, iid, body), 422, "validation_failed")
    assert field in err["fields"]
    assert get(client, iid)["version"] == 1


@pytest.mark.parametrize("user", ["clerk", "sales_lead", "v01"])
def test_migrate_by_anyone_else_is_403(client, org, on_v1, user):
    iid = on_v1[0]
    assert_error(migrate(client, iid, {"to_version": 2}, user=user), 403, "forbidden")
    assert_error(migrate(client, iid, {"to_version": 2, "dry_run": True}, user=user), 403, "forbidden")
    assert get(client, iid)["version"] == 1


def test_an_ended_instance_does_not_move(client, org, on_v1):
    iid = on_v1[1]
    assert client.post(f"{API}/process-instances/{iid}/withdraw", json={},
                       headers=login(client, "clerk")).status_code == 200
    assert_error(migrate(client, iid, {"to_version": 2}), 409, "conflict")
    assert get(client, iid)["version"] == 1


# ---------------------------------------------------------------- all instances of a version


def migrate_all(client, body, version=1, user="admin", key="countersign_return"):
    return client.post(f"{API}/process-definitions/{key}/versions/{version}/migrate", json=body,
                       headers=login(client, user))


def test_migrate_a_whole_version_answers_per_instance(client, org, on_v1):
    at_legal, at_draft = on_v1
    dry = migrate_all(client, {"to_version": 3, "dry_run": True})
    assert dry.status_code == 200
    items = {i["id"]: i for i in dry.get_json()["items"]}
    assert items[at_legal]["can_migrate"] is False and items[at_draft]["can_migrate"] is True
    assert {get(client, i)["version"] for i in on_v1} == {1}, "a dry run moves nothing"
    r = migrate_all(client, {"to_version": 3})
    assert r.status_code == 200
    body = r.get_json()
    assert (body["total"], body["migrated"]) == (2, 1)
    items = {i["id"]: i for i in body["items"]}
    assert items[at_draft]["migrated"] is True
    assert items[at_legal]["migrated"] is False and list(items[at_legal]["blocked"]) == ["legal"]
    assert (get(client, at_draft)["version"], get(client, at_legal)["version"]) == (3, 1)
    for iid in on_v1:
        assert_inbox_matches_engine(org, iid)


def test_migrate_a_whole_version_refusals(client, org, on_v1):
    assert_error(migrate_all(client, {"to_version": 2}, user="clerk"), 403, "forbidden")
    assert_error(migrate_all(client, {"to_version": 2}, version=42), 404)
    assert_error(migrate_all(client, {"to_version": 2}, key="nope"), 404)
    err = assert_error(migrate_all(client, {"to_version": 42}), 422, "validation_failed")
    assert "to_version" in err["fields"]
    assert {get(client, i)["version"] for i in on_v1} == {1}
