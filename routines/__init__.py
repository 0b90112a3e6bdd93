"""The CRM's recurring routines, run on the timer tick (engine/timers.py `TimerLoop`'s `also`,
`python app.py tick`): they find what is due and hand it to the engine as process instances or to
notify/ as reminders. This package sits beside app.py's composition: it may import crm, engine and
notify; nothing but app.py imports it.

    churn.py      客户流失预警: one customer_churn instance per customer with no contract for months
    reminders.py  客户关怀 / 首访 / 生日: notifications (and calendar entries) of what is due soon
    care.py       ... and, for the kinds an admin switched on, one customer_care task per reminder
    trials.py     试用账号: activated trial accounts past their end date are deactivated
    runner.py     when the routines last ran; `tick(db, now)` runs those that are due
"""
