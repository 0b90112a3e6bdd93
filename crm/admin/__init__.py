"""CRM administration (issue 15): the data dictionary (数据字典), field permissions per role
(字段权限), the recycle bin (回收站) and the system log of admin actions (系统日志).

    models.py       the tables
    options.py      the option lists: codes stay, labels (zh / en) change; validation of stored codes
    field_rules.py  view / edit / export per role and field, and the checks every surface calls
    process_fields.py  which process data carries which record field (for the engine's redaction and
                    its check of write-backs; handed to the engine by app.wire())
    recycle.py      deleted records kept for a configurable time, restorable by supervisors and admins
    syslog.py       who changed a user, role, permission, dictionary entry or definition

Nothing here imports crm.records at package import time beyond its models (crm/records/fields.py
reads option lists from options.py).
"""
