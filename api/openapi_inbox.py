"""OpenAPI part: the inbox filters of GET /tasks (engine/inbox.py, engine/inbox_filters.py)."""
from __future__ import annotations

from typing import Any

from api.openapi_parts import op

INT_ID = {"type": "integer", "minimum": 1}


def add_paths(paths: dict[str, Any], parameters: dict[str, Any]) -> None:
    parameters["customer"] = {"name": "customer", "in": "query", "required": False, "schema": INT_ID,
                              "description": "only instances about this customer (its id): the process data "
                                             "names it, or a contract of it"}
    parameters["contract"] = {"name": "contract", "in": "query", "required": False, "schema": INT_ID,
                              "description": "only instances about this contract (its id)"}
    parameters["agent"] = {"name": "agent", "in": "query", "required": False, "schema": INT_ID,
                           "description": "only instances about this agent (its id)"}
    parameters["overdue"] = {"name": "overdue", "in": "query", "required": False,
                             "schema": {"type": "boolean", "default": False},
                             "description": "true: only late rows (todo: past due; done: decided after the due "
                                            "time; started/cc: running with an open task past due)"}
    parameters["cursor"] = {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"},
                            "description": "keyset paging: the next_cursor or prev_cursor of an answer for the same "
                                           "box and sort (other filters as then); page is then not used. A cursor "
                                           "of another box or sort, or not a cursor, is a 422 naming it"}
    paths["/tasks"] = {
        "get": op("The caller's inbox, with the inbox page's filters; q matches the title, the business key "
                  "and the number / name of the contract, customer or agent", "200", "InboxPage", "400", "422",
                  params=("box", "process", "q", "customer", "contract", "agent", "overdue", "from", "to", "sort",
                          "cursor", "page", "per_page"), tag="tasks"),
    }


def add_schemas(schemas: dict[str, Any]) -> None:
    """The inbox page also carries the keyset cursors of its neighbours (null at either end)."""
    page = schemas["InboxPage"]
    for name, text in (("next_cursor", "the page after this one; null on the last page"),
                       ("prev_cursor", "the page before this one; null on the first page")):
        page["properties"][name] = {"type": ["string", "null"], "description": text}
