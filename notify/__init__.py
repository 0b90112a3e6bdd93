"""Notifications (DESIGN.md §8): who is told what, through which channel, and its delivery.

    notify/models.py    the `notification` outbox table
    notify/kinds.py     event kinds, channels, default preferences
    notify/derive.py    audit events and new tasks -> outbox rows, in the action's transaction
    notify/messages.py  the text of a message in the recipient's language, with the link
    notify/channels/    e-mail (SMTP or .eml files), webhook (DingTalk, Feishu, WeCom, any URL)
    notify/deliver.py   claim, send, retry with backoff, dead letters
    notify/runner.py    after-commit delivery in-process (or handed to Celery in scaled mode)
    notify/service.py   the use cases of the faces: the list, read marks, settings, the calendar

Layering: notify sits beside the faces' use cases, on engine/, crm/, db/ and core/; the engine
never imports it (app.wire subscribes it to engine.events).
"""
