"""Notifications (DESIGN.md §8): the caller's in-app list and read marks, their own settings, the
calendar feed, and the admins' list of deliveries that failed. Parse -> one notify use case -> JSON."""
from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from api import bp, database
from api.auth import current_user_id
from api.errors import json_body
from api.pagination import page_args
from notify import service


@bp.get("/notifications")
def list_notifications() -> Any:
    uid, page = current_user_id(), page_args()
    unread = request.args.get("unread") in ("1", "true")
    items, total, count = service.list_mine(database(), uid, page.offset, page.limit, unread=unread)
    return jsonify({**page.result(items, total), "unread": count})


@bp.post("/notifications/<id:notification_id>/read")
def read_notification(notification_id: int) -> Any:
    return jsonify(service.mark_read(database(), current_user_id(), notification_id))


@bp.post("/notifications/read-all")
def read_all_notifications() -> Any:
    return jsonify(service.mark_all_read(database(), current_user_id()))


@bp.get("/me/settings")
def my_settings() -> Any:
    return jsonify(service.my_settings(database(), current_user_id()))


@bp.patch("/me/settings")
def update_my_settings() -> Any:
    uid = current_user_id()
    return jsonify(service.update_settings(database(), uid, json_body()))


@bp.post("/me/feed-token")
def new_feed_token() -> Any:
    return jsonify(service.new_feed_token(database(), current_user_id()))


@bp.get("/me/calendar.ics")
def my_calendar() -> Any:
    token = request.args.get("token")
    uid = service.user_of_feed_token(database(), token) if token is not None else current_user_id()
    return Response(service.calendar_feed(database(), uid), mimetype="text/calendar",
                    headers={"Content-Disposition": 'inline; filename="liuzhuan.ics"', "Cache-Control": "no-store"})


@bp.get("/admin/notifications")
def failed_notifications() -> Any:
    uid, page = current_user_id(), page_args()
    items, total = service.failed_deliveries(database(), uid, page.offset, page.limit)
    return jsonify(page.result(items, total))


@bp.post("/admin/notifications/<id:notification_id>/retry")
def retry_notification(notification_id: int) -> Any:
    return jsonify(service.retry_delivery(database(), current_user_id(), notification_id))
