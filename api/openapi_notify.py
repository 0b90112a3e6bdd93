"""The notifications part of the OpenAPI document: schemas and paths of api/routes_notify.py."""
from __future__ import annotations

from typing import Any

from api.openapi_parts import BOOL, DATETIME, INT, STR, nullable, obj, op, page_of, path_param
from notify import kinds

_CHANNELS = obj({c: BOOL for c in kinds.CHOOSABLE})


def add_schemas(schemas: dict[str, Any]) -> None:
    schemas["Notification"] = obj({
        "id": INT, "kind": {"type": "string", "enum": list(kinds.KINDS)}, "subject": STR, "text": STR,
        "url": {"type": "string", "description": "path of the page to act on, e.g. /tasks/12"},
        "instance_id": nullable(INT), "task_id": nullable(INT), "created_at": DATETIME,
        "read_at": nullable(DATETIME)}, ["id", "kind", "subject", "text", "url", "created_at", "read_at"])
    page = page_of("Notification")
    page["properties"]["unread"] = INT
    schemas["NotificationPage"] = page
    schemas["ReadAll"] = obj({"read": INT, "unread": INT}, ["read", "unread"])
    prefs = obj({k: _CHANNELS for k in kinds.KINDS})
    schemas["MySettings"] = obj({
        "email": nullable(STR), "mobile": nullable(STR), "language": {"type": "string", "enum": ["zh", "en"]},
        "preferences": prefs, "webhook": BOOL, "feed_token": nullable(STR)},
        ["email", "mobile", "language", "preferences", "webhook", "feed_token"])
    schemas["MySettingsWrite"] = obj({
        "email": nullable({"type": "string", "format": "email"}), "mobile": nullable(STR),
        "language": {"type": "string", "enum": ["zh", "en"]}, "preferences": prefs})
    schemas["Delivery"] = obj({
        "id": INT, "recipient": STR, "kind": STR, "channel": STR, "status": {"enum": ["failed", "dead"]},
        "attempts": INT, "last_error": nullable(STR), "instance_id": nullable(INT), "created_at": DATETIME,
        "next_attempt_at": nullable(DATETIME)}, ["id", "recipient", "kind", "channel", "status", "attempts"])
    schemas["DeliveryPage"] = page_of("Delivery")
    schemas["Retried"] = obj({"id": INT, "sent": BOOL}, ["id", "sent"])


def add_paths(paths: dict[str, Any], parameters: dict[str, Any]) -> None:
    parameters["notification_id"] = path_param("notification_id", INT, "notification id")
    parameters["unread"] = {"name": "unread", "in": "query", "required": False, "schema": {"enum": ["1", "true"]},
                            "description": "only the unread ones"}
    parameters["feed_token"] = {"name": "token", "in": "query", "required": False, "schema": STR,
                                "description": "the personal calendar token (GET /me/settings), instead of a bearer"}
    t = "notifications"
    paths["/notifications"] = {"get": op("The caller's in-app notifications, newest first, with the unread count",
                                         "200", "NotificationPage", "400", params=("unread", "page", "per_page"),
                                         tag=t)}
    paths["/notifications/{notification_id}/read"] = {
        "post": op("Mark one of the caller's notifications read", "200", "Notification", "403", "404",
                   params=("notification_id",), tag=t)}
    paths["/notifications/read-all"] = {"post": op("Mark all the caller's notifications read", "200", "ReadAll",
                                                   tag=t)}
    paths["/me/settings"] = {
        "get": op("The caller's e-mail, mobile, language, preferences per event and channel, calendar token",
                  "200", "MySettings", tag=t),
        "patch": op("Change the caller's own settings; 422 names a bad field", "200", "MySettings", "422",
                    body="MySettingsWrite", tag=t)}
    paths["/me/feed-token"] = {"post": op("A new calendar token (the old feed link stops working)", "200",
                                          "MySettings", tag=t)}
    paths["/me/calendar.ics"] = {"get": op(
        "The caller's open tasks with a due date as an iCalendar feed (bearer, or ?token=)", "200", None,
        params=("feed_token",), tag=t, ok_text="text/calendar", extra={"security": [{"bearer": []}, {}]})}
    paths["/admin/notifications"] = {"get": op("Deliveries that failed or are dead (admins)", "200", "DeliveryPage",
                                               "400", "403", params=("page", "per_page"), tag=t)}
    paths["/admin/notifications/{notification_id}/retry"] = {
        "post": op("Send a dead delivery again (admins)", "200", "Retried", "403", "404", "409",
                   params=("notification_id",), tag=t)}
