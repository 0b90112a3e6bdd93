"""The deploy problems of bpmn/ and engine/design/, by code: code -> English msgid.

Every problem the checks report is a core.errors.Msg built here by `pm(code, **params)`: its text is
the msgid with the params filled in (the English the API answers), and it carries the code and params,
so a page shows it in the user's language (web/messages.py holds these msgids too; their Chinese is
in i18n/zh/deploy_problems.po). Element ids, the offending text and numbers are params, never
translated. A param may itself be a Msg (e.g. the reason inside "condition 'x' is not a valid
expression: ..."); it is translated first.
"""
from __future__ import annotations

import re
from typing import Any

from core.errors import Msg

_DOCTYPE = ("the file has a DOCTYPE declaration; DTDs and entities are not allowed in a BPMN file "
            "(remove the <!DOCTYPE ...> part)")
_NO_EQUIVALENT = ("has no Liuzhuan equivalent (remove it, or model it with lz: extensions: lz:call for code, "
                  "lz:form for forms, lz:deadline for due dates)")

TEXTS: dict[str, str] = {
    # the request body and the XML (engine/design/definitions.py, bpmn/xml_checks.py)
    "bpmn_body_empty": "the request body is empty: send the BPMN XML",
    "bpmn_too_large": "the BPMN file is larger than %(kb)s KB",
    "bpmn_not_utf8": "the BPMN file must be encoded as UTF-8 (save it as UTF-8 and upload it again)",
    "bpmn_nul": "the BPMN file contains a NUL character",
    "bpmn_unparsable": "the file could not be parsed",
    "xml_not_bytes": "expected the BPMN file as bytes, got %(type)s",
    "xml_empty": "the file is empty",
    "xml_doctype": _DOCTYPE,
    "xml_doctype_stopped": _DOCTYPE + " (parsing stopped: %(detail)s)",
    "xml_not_well_formed": "not well-formed XML: %(detail)s",
    "xml_unreadable": "not readable as XML: %(detail)s",
    "xml_no_root": "not well-formed XML: no root element",
    "xml_dmn": "this is a DMN decision table file, not a BPMN process (deploy the BPMN file that uses it)",
    "xml_namespace": "the root element is definitions in namespace %(namespace)s; a BPMN 2.0 file uses "
                     "namespace %(expected)s",
    "xml_root": "the root element is <%(root)s>, not a BPMN file: expected bpmn:definitions in namespace "
                "%(expected)s",
    # the BPMN schema (bpmn/xml_checks.py): the common libxml2 messages, recognised
    "xsd_id": "%(attr)s '%(value)s' is not a valid XML id (it must start with a letter or '_' and contain no "
              "spaces or ':')",
    "xsd_expected_one_of": "%(element)s: this element is not allowed here; expected one of: %(expected)s.",
    "xsd_expected": "%(element)s: this element is not allowed here; expected: %(expected)s.",
    "xsd_not_allowed": "%(element)s: this element is not allowed here.",
    "xsd_attr_not_allowed": "%(element)s attribute %(attr)s: The attribute '%(attr)s' is not allowed.",
    "xsd_attr_missing": "%(element)s: The attribute '%(attr)s' is required but missing.",
    "xsd_attr_value": "%(element)s attribute %(attr)s: '%(value)s' is not a valid value of the %(kind)s type "
                      "'%(type)s'.",
    "xsd_missing_child_one_of": "%(element)s: Missing child element(s). Expected is one of ( %(expected)s.",
    "xsd_missing_child": "%(element)s: Missing child element(s). Expected is ( %(expected)s.",
    # the lz: extensions (bpmn/lz.py, bpmn/countersign.py)
    "lz_strategy_unknown": "%(what)s: unknown assignee strategy '%(strategy)s' (expected one of %(expected)s)",
    "lz_strategy_value": "%(what)s: strategy '%(strategy)s' needs a value",
    "lz_strategy_level": "%(what)s: strategy 'supervisor' takes a level >= 1, got '%(value)s'",
    "lz_weights": "%(what)s weights '%(raw)s' on node '%(node)s': %(detail)s, e.g. weights=\"zhaomin:3,qianli:1\"",
    "lz_weights_format": "each entry is user:weight",
    "lz_weights_user": "a user name is malformed",
    "lz_weights_weight": "a weight is a whole number from 1 to %(max)s",
    "lz_weights_duplicate": "a user is listed twice",
    "lz_mode_unknown": "unknown lz:approval mode '%(mode)s' (expected one of %(expected)s)",
    "lz_threshold_missing": "mode 'ratio' needs a threshold in (0, 1], got '%(raw)s'",
    "lz_threshold_unused": "threshold is only used with mode 'ratio' (mode is '%(mode)s')",
    "lz_approval_placement": "lz:approval is only allowed on a bpmn:userTask",
    "lz_assignees_missing": "an approval node needs lz:assignees",
    "lz_duplicate": "lz:%(name)s appears more than once",
    "lz_deadline_duration": "lz:deadline duration '%(duration)s' is not an ISO-8601 duration such as P2D or PT4H",
    "lz_deadline_range": "lz:deadline duration '%(duration)s' is longer than %(years)s years (the limit; "
                         "LIUZHUAN_MAX_TIMER_YEARS)",
    "lz_deadline_action": "lz:deadline action '%(action)s' is not one of %(expected)s",
    "lz_call_function": "lz:call function '%(function)s' is not a dotted function name",
    "lz_arg": "lz:arg needs a name (identifier) and an expr",
    "lz_call_placement": "lz:call belongs on a bpmn:serviceTask",
    "lz_chosen": "strategy 'chosen' needs lz:process mode='predefined'",
    "lz_process_mode": "lz:process mode '%(mode)s' is not one of %(expected)s",
    "lz_process_prefix": "lz:process prefix '%(prefix)s' must be 1-10 letters or digits",
    "either": "%(first)s or %(second)s",
    "lz_end": "lz:end belongs on an end event and declares outcome %(expected)s, got '%(outcome)s'",
    "lz_shared_fields": "a countersign (mode '%(mode)s') with several approvers should not list editable fields "
                        "(%(fields)s): each signer would overwrite the others; every signer's comment is kept in "
                        "<node>.votes and shown to the next steps",
    "lz_service_call": "a service task needs <lz:call function=...> naming a registered function (Liuzhuan runs "
                       "no other service implementations)",
    # the lint rules (bpmn/checks.py)
    "no_process": "the file contains no bpmn:process",
    "not_executable": 'no executable process (isExecutable="false" on every process)',
    "check_crashed": "check '%(name)s' could not run: %(error)s",
    "not_checked": "could not be checked (%(error)s)",
    "what_condition": "condition",
    "what_event_condition": "event condition",
    "expr_empty": "%(what)s is empty",
    "expr_juel": "%(what)s '%(text)s' looks like a JUEL/EL expression (${...}); Liuzhuan expressions are Python "
                 "expressions over the process data, e.g. amount > 5000",
    "expr_invalid": "%(what)s '%(text)s' is not a valid expression: %(why)s",
    "cond_language": "%(why)s (language '%(lang)s' is not supported; conditions are Python)",
    "script_format": "script format '%(format)s' is not supported; Liuzhuan scripts are Python",
    "script_missing": "script task has no script",
    "script_refused": "script is not allowed: %(why)s",
    "timer_missing": "timer has no timeDuration, timeDate or timeCycle",
    "timer_quote": '%(kind)s %(text)s must be a Python expression: write the value in quotes, "%(text)s"',
    "limit_nodes": "the process has %(count)s flow nodes; the limit is %(max)s (LIUZHUAN_MAX_NODES)",
    "limit_loop": "loopMaximum %(raw)s is over the limit of %(max)s (LIUZHUAN_MAX_LOOP)",
    "gateway_bare_exclusive": "exclusive gateway '%(gateway)s' has %(count)s outgoing flows; flow(s) %(flows)s "
                              "have no condition and are not the gateway's default flow",
    "gateway_bare_inclusive": "inclusive gateway '%(gateway)s' has %(count)s outgoing flows; flow(s) %(flows)s "
                              "have no condition and are not the gateway's default flow",
    "gateway_default": "default flow '%(default)s' of gateway '%(gateway)s' is not one of its outgoing flows "
                       "(%(flows)s)",
    "gateway_default_none": "default flow '%(default)s' of gateway '%(gateway)s' is not one of its outgoing "
                            "flows (none)",
    "ref_missing": "sequence flow %(attr)s '%(ref)s' points to no element",
    "ref_other_process": "sequence flow %(attr)s '%(ref)s' is in another process or sub-process than the flow",
    "ref_boundary": "boundary event attachedToRef '%(ref)s' points to no element",
    "duplicate_id": "id '%(id)s' is used by %(count)s elements (%(kinds)s)",
    "no_start": "process '%(process)s' has no start event",
    "call_cycle": "call activity calls process '%(called)s', which leads back to '%(start)s': this would "
                  "recurse forever",
    # timers and sizes (bpmn/limits.py); `what` is the BPMN element's name (timeDuration, ...)
    "limit_duration_format": "%(what)s %(text)s is not an ISO-8601 duration such as P2D or PT4H",
    "limit_duration_years": "%(what)s %(text)s is longer than %(years)s years (the limit; LIUZHUAN_MAX_TIMER_YEARS)",
    "limit_date_years": "%(what)s %(text)s is more than %(years)s years away (the limit; LIUZHUAN_MAX_TIMER_YEARS)",
    "limit_cycle_format": "timeCycle %(text)s is not an ISO-8601 repeating interval such as R3/PT10M",
    "limit_cycle_count": "timeCycle %(text)s must repeat a fixed number of times, R1 to R%(max)s (the limit; "
                         "LIUZHUAN_MAX_CYCLE_REPETITIONS)",
    "limit_cycle_interval": "timeCycle %(text)s needs one interval duration such as PT10M",
    "limit_cycle_often": "timeCycle %(text)s repeats more often than every %(min)s s (the limit; "
                         "LIUZHUAN_MIN_CYCLE_SECONDS)",
    "limit_timer_text": "%(kind)s must be a text value",
    "limit_cardinality": "multi-instance cardinality %(value)s is over the limit of %(max)s "
                         "(LIUZHUAN_MAX_CARDINALITY)",
    "limit_collection": "multi-instance input collection of %(size)s items is over the limit of %(max)s "
                        "(LIUZHUAN_MAX_CARDINALITY)",
    # service tasks (engine/functions.py) and the SpiffWorkflow parser (engine/spiff/parsing.py)
    "fn_unwired": "no registered function '%(name)s' (no function is registered: the engine is not wired, see "
                  "app.wire())",
    "fn_unknown": "no registered function '%(name)s'",
    "fn_unknown_known": "no registered function '%(name)s' (known: %(known)s)",
    "fn_extra_args": "function '%(name)s' has no argument(s) %(args)s",
    "fn_missing_args": "function '%(name)s' needs argument(s) %(args)s",
    "parser_crash": "the BPMN parser could not read this file: %(error)s",
    "parser_build_crash": "the BPMN parser could not build process '%(process)s': %(error)s",
    "parser_no_process": "no executable process in this file",
    # SpiffWorkflow's own parser messages, recognised by their exact text (engine/spiff/parsing.py)
    "spiff_flow_without_condition": "Non-default exclusive outgoing sequence flow without condition",
    "spiff_service_operator": "A Service Task must have an operator",
    "spiff_timer_unknown": "Time Specification Error. Unknown Time Specification.",
    "spiff_mi_shape": "A multiinstance task must specify a cardinality or a loop input data reference",
    "spiff_no_start": "No start event found",
    "spiff_no_support": "There is no support implemented for this task type.",
    "spiff_subworkflow_end": "A SubWorkflow Must contain an End event",
    "spiff_conditional_missing": "Conditional event definition with missing condition",
    "spiff_called_element": "No \"calledElement\" attribute for Call Activity.",
    "spiff_script_missing": "Invalid Script Task.  No Script Provided.",
    "spiff_error_id": "Error identifier is missing from bpmn xml",
    "spiff_escalation_id": "Escalation identifier is missing from bpmn xml",
    "spiff_signal_id": "Signal identifier is missing from bpmn xml",
    "spiff_message_id": "Message identifier is missing from bpmn xml",
    "spiff_not_executable": "Process %(process)s is not executable.",
    "spiff_duplicate_process": "Duplicate process ID: %(process)s",
    "spiff_subworkflow_start": "Exactly one start event is required in a SubWorkflow Task; found %(count)s.",
    "spiff_message_ref": "Could not find messageRef from message event definition: %(ref)s",
    # why an expression or a script is refused (engine/sandbox.py), recognised by their text
    "sandbox_line": "line %(line)s: %(why)s",
    "sandbox_more": "%(why)s (and %(more)s more problem(s))",
    "sandbox_expression_too_long": "expression is too long (%(count)s characters; the limit is %(max)s)",
    "sandbox_script_too_long": "script is too long (%(count)s characters; the limit is %(max)s)",
    "sandbox_expression_not_compiled": "expression could not be compiled: %(error)s",
    "sandbox_script_not_compiled": "script could not be compiled: %(error)s",
    "sandbox_underscore_name": "name '%(name)s' is not allowed: names starting with '_' are refused",
    "sandbox_underscore_attribute": "attribute '%(name)s' is not allowed: names starting with '_' are refused",
    "sandbox_introspection": "attribute '%(name)s' is not allowed: frame and code introspection is refused",
    "sandbox_name": "name '%(name)s' is not allowed",
    "sandbox_exec": "Exec calls are not allowed.",
    "sandbox_eval": "Eval calls are not allowed.",
    "sandbox_import": "import statements are not allowed",
    "sandbox_class": "class definitions are not allowed",
    "sandbox_syntax_invalid": "SyntaxError: invalid syntax",
    "sandbox_syntax_comma": "SyntaxError: invalid syntax. Perhaps you forgot a comma?",
    "sandbox_syntax_not_closed": "SyntaxError: '%(bracket)s' was never closed",
    "sandbox_syntax_unmatched": "SyntaxError: unmatched '%(bracket)s'",
    "sandbox_syntax_else": "SyntaxError: expected 'else' after 'if' expression",
    "sandbox_syntax_string": "SyntaxError: unterminated string literal (detected at line %(line)s)",
    "sandbox_syntax_eof": "SyntaxError: unexpected EOF while parsing",
    "sandbox_syntax": "SyntaxError: %(detail)s",  # any other: Python's own words after a translated heading
    # drafts of the designer (engine/design/drafts.py): the error and its field
    "draft_key": "invalid process key",
    "draft_key_format": "must start with a letter or '_' and contain only letters, digits, '_', '.', '-' (at most 200)",
    "draft_xml_not_well_formed": "the BPMN XML is not well-formed",
    "draft_not_bpmn": "not a BPMN document",
    "draft_root": "the root element must be bpmn:definitions",
    "draft_xml_missing": "the BPMN XML is missing",
    "draft_xml_required": "required: the BPMN XML as a string",
    "draft_xml_too_large": "the BPMN XML is too large",
    "draft_larger": "larger than %(kb)s KB",
    "draft_key_not_in_xml": "the draft's key is not the id of a process in the XML",
    "draft_key_not_a_process": "'%(key)s' is not the id of a bpmn:process in the XML (found: %(found)s)",
    "draft_key_not_a_process_none": "'%(key)s' is not the id of a bpmn:process in the XML (found: none)",
    "draft_forms_object": "forms must be an object",
    "draft_forms_object_field": "must be an object {form key: form-js schema}",
    "draft_forms_unusable": "%(count)s form(s) cannot be used",
    "draft_none_save_first": "no draft and no deployed process '%(key)s': save the diagram first",
    "draft_none_field": "no draft and no deployed version",
    "draft_none": "no draft and no deployed process '%(key)s'",
    "draft_form_key": "invalid form key",
    "draft_form_key_format": "must be 1-100 letters, digits, '_' or '-'",
    "draft_nothing_to_deploy": "no draft of '%(key)s' to deploy",
    "draft_no_draft": "no draft",
    # forms given with the file (engine/design/definitions.py)
    "forms_not_object": "forms must be an object mapping form keys to form-js schemas",
    "form_key": "form key '%(key)s' must be letters, digits, '_' or '-'",
    "form_problem": "form '%(key)s': %(why)s",
    # Camunda / Flowable files (bpmn/foreign.py, bpmn/juel.py)
    "foreign_people_several": "a task with more than one of assignee / candidateUsers / candidateGroups has no "
                              "single Liuzhuan assignee rule; keep one of them",
    "foreign_groups_variable": "candidateGroups '%(value)s' read from a variable: Liuzhuan's role rule names the "
                               "roles in the file",
    "foreign_people_el": "%(what)s '%(value)s' is an expression; only a plain ${variable} or literal names are "
                         "translated",
    "foreign_people_empty": "%(what)s is empty",
    "foreign_user_name": "%(what)s: '%(name)s' is not a user name",
    "foreign_mi_approval": "a multi-instance task that already has lz:approval: keep one of the two rules",
    "foreign_mi_shape": "a multi-instance task needs either a collection of approvers (camunda:collection + "
                        "elementVariable, each instance assigned ${element}) or a literal loopCardinality with the "
                        "approvers named in the file (candidateUsers), not both and not neither",
    "foreign_mi_element": "each instance must be assigned the collection's element (${%(element)s}); nothing else "
                          "is translated on a multi-instance task",
    "foreign_card_literal": "loopCardinality '%(raw)s' is not a literal number (it is known only at run time); "
                            "Liuzhuan translates a literal loopCardinality with the approvers named in the file, "
                            "or a collection of user names",
    "foreign_card_names": "loopCardinality %(m)s with %(count)s different named approvers (%(names)s): name "
                          "exactly %(m)s, one for each instance",
    "foreign_card_runtime": "loopCardinality %(m)s with %(what)s=\"%(value)s\": who the %(m)s approvers are is only "
                            "known at run time; name them (candidateUsers=\"u1,u2,...\"), or use a collection of "
                            "user names",
    "foreign_card_unnamed": "loopCardinality %(m)s makes %(m)s copies of one task and names no approver (or names "
                            "them only at run time); name the %(m)s approvers in the file, one for each instance: "
                            "camunda:candidateUsers=\"u1,u2,...\" or lz:assignees strategy=\"users\"",
    "foreign_completion": "completion condition %(why)s",
    "foreign_completion_sequential": "completion condition '%(cond)s' on a sequential task: Liuzhuan's sequential "
                                     "rule asks every approver in turn",
    "foreign_condition": "condition '%(text)s': %(why)s",
    "foreign_element": "%(name)s " + _NO_EQUIVALENT,
    "foreign_attribute": '%(name)s="%(value)s" ' + _NO_EQUIVALENT,
    "juel_single": "only one ${...} expression, with nothing around it, can be translated",
    "juel_empty": "the expression is empty",
    "juel_operator": "%(what)s has no faithful Python translation; write the condition as a Python expression",
    "juel_arithmetic": "arithmetic has no faithful Python translation; write the condition as a Python expression",
    "juel_ternary": "the ?: operator has no faithful Python translation; write the condition as a Python "
                    "expression",
    "juel_property": "property access has no faithful Python translation; write the condition as a Python "
                     "expression",
    "juel_indexing": "indexing has no faithful Python translation; write the condition as a Python expression",
    "juel_el_operator": "the EL operator '%(name)s' has no faithful Python translation",
    "juel_object": "'%(name)s' is used as an object or a function; only plain process variables are translated",
    "juel_keyword": "'%(name)s' is a Python keyword and cannot be a process variable here",
    "juel_completion_single": "only a single ${...} completion condition can be translated",
    "juel_ratio_majority": "'%(body)s': a ratio rule approves at a share >= r; only '> 0.5' (a majority) is "
                           "translated",
    "juel_ratio_range": "'%(body)s': the ratio must be between 0 and 1",
    "juel_completion_unknown": "'%(body)s' is not one of the completion conditions Liuzhuan translates "
                               "(nrOfCompletedInstances >= n, == nrOfInstances, nrOfCompletedInstances/nrOfInstances "
                               ">= r)",
    "juel_completion_zero": "'%(body)s' holds before anyone has decided; write nrOfCompletedInstances >= 1 (the "
                            "first decides)",
    "juel_completion_runtime": "'%(body)s' needs %(n)s approvals, but the number of approvers is only known at run "
                               "time (a collection variable), so no share of them can be fixed at deploy; write "
                               "nrOfCompletedInstances/nrOfInstances >= r (a ratio), or == nrOfInstances (all), or "
                               "name the approvers in the file (a literal loopCardinality with candidateUsers)",
    "juel_completion_unreachable": "'%(body)s' needs %(n)s approvals of %(m)s approvers: it can never be reached",
    # the translations list of a Camunda / Flowable file (bpmn/foreign.py)
    "foreign_initiator": "the initiator is known to every step",
    "foreign_housekeeping": "nothing (engine housekeeping)",
    "foreign_mi_collection": "multi-instance over %(collection)s (%(how)s), %(who)s",
    "foreign_mi_counted": "multi-instance x %(m)s (%(how)s), %(who)s",
    "foreign_how_parallel": "parallel",
    "foreign_how_sequential": "sequential",
    "foreign_how_parallel_completion": "parallel, completion %(cond)s",
    "foreign_how_sequential_completion": "sequential, completion %(cond)s",
}


def recognised(text: str, prefix: str) -> str:
    """A library's message as a coded Msg when it is one of the texts above whose code starts with
    `prefix` (spiff_, sandbox_: the first that matches, in the order above), else as it is."""
    for code, pattern in _PATTERNS:
        if code.startswith(prefix) and (found := pattern.fullmatch(text)):
            return pm(code, **found.groupdict())
    return text


def spiff_message(text: str) -> str:
    """A SpiffWorkflow parser message as a coded Msg when it is one of the `spiff_` texts above, else as it is."""
    return recognised(text, "spiff_")


def pm(code: str, **params: Any) -> Msg:
    """The problem `code` as a Msg: its English text (the msgid filled in) with its code and params."""
    message = Msg(code, TEXTS[code] % {k: str(v) for k, v in params.items()} if params else TEXTS[code])
    message.params = params  # (set here: a param may be called `text` or `code`, as Msg's own arguments are)
    return message


_ESCAPED_PARAM = re.compile(r"%\\\((\w+)\\\)s")  # %(name)s as re.escape writes it
_PATTERNS = [(code, re.compile(_ESCAPED_PARAM.sub(lambda m: f"(?P<{m.group(1)}>.+?)", re.escape(text)), re.S))
             for code, text in TEXTS.items() if code.startswith(("spiff_", "sandbox_"))]
