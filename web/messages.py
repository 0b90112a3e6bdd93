"""Messages of the layers below, shown in the user's language by their code.

Field messages and errors carry a code and parameters (core.errors.Msg, DomainError.reason /
params); their text is English, which is what the JSON API answers. A page looks the code up
here and renders the msgid (English, with %(name)s placeholders filled from the params) through
Flask-Babel, so the zh catalogue (i18n/zh/*.po) holds its translation. A message without a code,
or with a code this table does not know, is shown as it is.

`FIELD_MESSAGES` words a code differently for one field (e.g. a missing comment says why it is
needed); it wins over `MESSAGES`.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext

from bpmn.problem_texts import TEXTS as DEPLOY_PROBLEMS
from core.errors import DomainError, Msg
from forms.schema_texts import TEXTS as FORM_PROBLEMS

# code -> msgid. The codes are those of the producers: forms/validate.py (form fields),
# crm/leave.py (leave requests), crm/org.py and crm/directory.py (the organisation),
# engine/ (task actions, withdrawing), designer/versions.py (copying a version).
MESSAGES: dict[str, str] = {
    # form fields (forms/validate.py) and fields named by the use cases
    "required": "This field is required.",
    "not_allowed": "Choose one of the offered values.",
    "number": "Enter a number.",
    "number_format": "Enter a number such as 50000 or 50,000.50 (commas only between groups of three digits).",
    "whole_number": "Enter a whole number.",
    "min_length": "At least %(min)s characters.",
    "max_length": "At most %(max)s characters.",
    "min_value": "Must be at least %(min)s.",
    "max_value": "Must be at most %(max)s.",
    "precision": "At most %(max)s significant digits.",
    "pattern_too_slow": ("This value cannot be checked against the field's pattern in time; ask the process "
                         "administrator to simplify the pattern."),
    "date": "Enter a valid date.",
    "email": "Enter a valid email address.",
    "phone": "Enter a valid phone number.",
    "text": "Must be text.",
    # leave requests (crm/leave.py)
    "leave_end_before_start": "The end must not be before the start.",
    "leave_not_enough": "Not enough leave: %(left)s day(s) of %(label)s left, %(requested)s requested.",
    "leave_too_long": "A request covers at most %(max)s days.",
    # the organisation (crm/org.py, crm/directory.py)
    "exists": "This already exists.",
    "username_format": "2 to 64 letters, digits, _ . or -, starting with a letter.",
    "no_user": "There is no user “%(user)s”.",
    "user_deactivated": "User “%(user)s” is deactivated.",
    "no_department": "Choose a department from the list.",
    "supervisor_cycle": "This would make the user their own supervisor.",
    "department_cycle": "A department cannot be placed under itself.",
    "department_name_taken": "Another department has this name.",
    "deactivate_self": "You cannot deactivate yourself.",
    "successor_required": "Choose a successor: this user has open tasks or owns customers or contracts.",
    "successor_self": "The successor must be someone else.",
    "leaver_active": "This user is still active: a handover is for a deactivated user.",
    "handover_running": "A handover of this user is already running (instance %(instance)s).",
    "unknown_role": "Unknown role: %(roles)s.",
    "role_key_format": "2 to 50 lower-case letters, digits or _, starting with a letter.",
    # CRM records (crm/records/)
    "no_contact": "Choose one of this customer's contacts.",
    # CRM administration (crm/admin/): the data dictionary, field permissions, salesperson codes
    "retired_option": "This value is no longer offered; choose one of the offered values.",
    "field_not_editable": "Your role may not change this field.",
    "export_forbidden": "Your role may not export these records.",
    "pattern": "Use the required format: %(pattern)s.",
    "bool": "Choose yes or no.",
    "range": "Enter a whole number from %(min)s to %(max)s.",
    "no_role": "Choose a role from the list.",
    # withdrawing / urging an instance (engine/instances.py, DomainError.reason)
    "already_acted": "It can no longer be withdrawn: an approver has already acted.",
    "instance_ended": "The process has already ended.",
    # the admin operations on an instance (engine/instance_admin.py, engine/migration.py)
    "instance_suspended": "The process is suspended: nothing can be done until an administrator activates it.",
    "instance_not_suspended": "The process is not suspended.",
    "migration_blocked": "It cannot move to this version: some of its current steps do not exist there.",
    "not_process_admin": "Only administrators and process administrators may do this.",
    # returning, taking back, urging, starting again (engine/returns.py, engine/collab.py)
    "no_previous": "There is no earlier step to return to.",
    "start_not_reachable": "The start of this process is too far back to return to.",
    "resubmit_only": "This is your returned request: correct it and submit it again, or withdraw it.",
    "not_previous_actor": "Only the person who completed the step before the current one can take it back.",
    "next_step_acted": "It can no longer be taken back: someone of the current step has already acted.",
    "bad_characters": "The request contains characters that cannot be stored (a NUL character or an invalid one).",
    "login_throttled": "Too many failed logins for this user name from here. Try again in %(retry_after)s seconds.",
    "login_throttled_address": "Too many failed logins from this address. A user name that has not signed in "
                               "from here before may try again in %(retry_after)s seconds.",
    "urged_recently": "Already urged less than 10 minutes ago. Try again in %(retry_after)s seconds.",
    "not_resubmittable": "Only a rejected or withdrawn request can be submitted again.",
    "already_resubmitted": "This request was already submitted again as %(business_key)s: continue from that one.",
    # the people of an open node (engine/task_ops.py, engine/nodes/approval.py)
    "claim_first": "Claim this task first: it is offered to several people.",
    "read_only_node": "This step only asks you to confirm that you have read it.",
    "not_offered": "This step does not offer that on this task.",
    "already_voted": "Already decided, so they cannot be removed: %(user)s.",
    "no_assignee_left": "At least one approver must remain at this step.",
    # copying a version as a new process (designer/versions.py)
    "key_format": "A key starts with a letter and contains only letters, digits, '_', '-' and '.' (no spaces).",
    "key_taken": "The key '%(key)s' is already used by another process.",
    "name_missing": "Give the new process a name.",
    # expressions checked before deploy (bpmn/expressions.py, bpmn/expression_scope.py)
    "expr_unknown_name": "In “%(source)s”: “%(name)s” does not exist at this point — it is not a field of the "
                         "start form, not set by an earlier step and not an allowed function.",
    "expr_unknown_name_hint": "In “%(source)s”: “%(name)s” does not exist at this point — it is not a field of "
                              "the start form, not set by an earlier step and not an allowed function. "
                              "Did you mean “%(suggestion)s”?",
    "expr_unknown_key": "In “%(source)s”: %(expr)s has no key “%(key)s”; its keys are: %(keys)s.",
    "expr_attribute": "In “%(source)s”: process data are dictionaries: write %(expr)s[\"%(attr)s\"], "
                      "not %(expr)s.%(attr)s.",
    "expr_operator": "In “%(source)s”: the operator “%(operator)s” makes no sense on form values (it works on "
                     "the bits of a number). Did you mean “%(hint)s”?",
    "expr_compare_text": "In “%(source)s”: %(expr)s is a number field compared with the text “%(literal)s”; "
                         "write the number without quotes.",
    # attachments and signatures (forms/files.py, files/service.py, engine/attachments.py, engine/signatures.py)
    "file_ref": "Upload the file again: this is not an uploaded file.",
    "file_unknown": "Upload the file again: it is not one you uploaded.",
    "file_too_large": "The file is too large (at most %(max_mb)s MB).",
    "file_type": "This type of file is not accepted here (allowed: %(accept)s).",
    "too_many_files": "At most %(max)s file(s).",
    "file_empty": "The file is empty.",
    "file_forbidden": "You may not open this file.",
    "signature_required": "Sign in the box before you decide: this step needs your handwritten signature.",
    "signature_format": "The signature could not be read: draw it again.",
    "signature_too_large": "The signature is too large (at most %(max_kb)s KB): clear it and draw it again.",
    # deploying (engine/design/catalog.py)
    "deploy_forbidden": "Only administrators and process administrators may deploy processes.",
    # the office registers (crm/office_registers.py, crm/assets.py)
    "registers_forbidden": "The registers are kept by the office (role hr) and administrators.",
    "asset_tag_taken": "The asset number %(key)s is already used.",
    # reports (engine/reports_scope.py)
    "reports_forbidden": "Reports are for administrators and department heads.",
    "report_date": "Must be a date like 2026-11-30.",
    "report_range": "Must not be before the start date.",
    "report_process": "No such process.",
    "report_department": "No such department.",
    # free flows and saved lists (engine/free_flows.py)
    "free_steps_required": "Add at least one approval step.",
    "free_steps_max": "At most %(max)s steps.",
    "free_step_name": "Name the step (at most %(max)s characters).",
    "free_step_mode": "Choose how the step decides.",
    "free_step_threshold": "The ratio mode needs a share between 0 and 1, e.g. 0.6.",
    "free_step_approvers": "Choose the approvers: people, or one role.",
    "free_step_people": "Choose at most %(max)s people.",
    "free_step_users": "Unknown or deactivated user(s): %(user)s.",
    "free_no_role": "There is no role “%(key)s”.",
    "free_list_name": "Name the list (at most %(max)s characters).",
    "free_lists_max": "At most %(max)s saved lists: delete one first.",
    "unknown_field": "Unknown field.",
    # the deploy checks (bpmn/problem_texts.py: bpmn/, engine/design/), Chinese in i18n/zh/deploy_problems.po
    **DEPLOY_PROBLEMS,
    **FORM_PROBLEMS,  # a form-js schema's problems (forms/schema_texts.py)
    # who may start a process by hand (lz:process starters=: bpmn/starters.py, engine/starters.py)
    "not_starter": "You may not start this process.",
    "lz_starters_empty": "Process “%(process)s”: the starters list nobody; leave it empty to let everyone start "
                         "the process.",
    "lz_starters_entry": "Process “%(process)s”: the starter “%(entry)s” is not role:<role key>, user:<user name> "
                         "or dept:<department name>.",
    # picking a deactivated user (a handover started by hand, crm/pickers.py)
    "leaver_handover_by_admin": "A handover is started for a deactivated user, by an administrator.",
}

# (field, code) -> msgid: the wording for one field of a task action (engine/tasks.py, instances.py)
FIELD_MESSAGES: dict[tuple[str, str], str] = {
    ("comment", "required"): "A comment is required: say why.",
    ("to_node", "required"): "Choose the step to return to.",
    ("to_user", "required"): "Choose the person to hand this task to.",
    ("users", "signers"): "Choose at least one person.",
    ("to_node", "jump_target"): "Choose a user task of this process.",
    ("to_node", "jump_parallel"): "This step lies inside a parallel branch: choose one before the split or after "
                                  "the join.",
}


def _render(msgid: str, params: Mapping[str, Any]) -> str | None:
    """The msgid in the user's language; a param that is itself a coded Msg is translated first."""
    try:
        return gettext(msgid, **{k: translate(v) if isinstance(v, Msg) else str(v) for k, v in params.items()}) \
            if params else gettext(msgid)
    except (KeyError, TypeError, ValueError):  # a msgid (or its translation) naming a missing parameter
        return None


def known(code: str | None, field: str | None = None) -> bool:
    return code is not None and ((field, code) in FIELD_MESSAGES or code in MESSAGES)


def translate(message: str, field: str | None = None) -> str:
    """`message` in the user's language when it carries a known code; else as it is."""
    if not isinstance(message, Msg):
        return message
    msgid = FIELD_MESSAGES.get((field, message.code)) if field is not None else None
    msgid = msgid or MESSAGES.get(message.code)
    if msgid is None:
        return message
    return _render(msgid, message.params) or str(message)


def translate_fields(fields: Mapping[str, str]) -> dict[str, str]:
    """Per-field messages in the user's language (the keys as they are)."""
    return {key: translate(message, key) for key, message in fields.items()}


def translate_error(e: DomainError) -> str | None:
    """The error itself in the user's language, when its precise code (reason) is known; else None."""
    msgid = MESSAGES.get(e.reason)
    return _render(msgid, e.params) if msgid is not None else None
