"""bpmn/juel.py: which EL expressions have a faithful Python meaning, and what they become."""
from __future__ import annotations

from fractions import Fraction

import pytest

from bpmn import juel


@pytest.mark.parametrize("el, python", [
    ("${amount > 1000}", "amount > 1000"),
    ("${amount gt 1000 && kind eq 'buy'}", "amount > 1000 and kind == 'buy'"),
    ("#{!approved || level >= 3}", "not approved or level >= 3"),
    ("${(a < 1) and not (b ne \"x\")}", "(a < 1) and not (b != \"x\")"),
    ("${done == true && note == null}", "done == True and note == None"),
    ("  ${ approved }  ", "approved"),
])
def test_plain_comparisons_become_the_same_python(el, python):
    assert juel.condition(el) == (python, None)


@pytest.mark.parametrize("el, words", [
    ("${order.amount > 5}", "object"),
    ("${execution.getVariable('x') > 5}", "object"),
    ("${amount * 2 > 5}", "arithmetic"),
    ("${empty list}", "empty"),
    ("${a ? b : c}", "?:"),
    ("amount > 5 ${x}", "only one"),
    ("${a} and ${b}", "only one"),
    ("${import > 1}", "keyword"),
])
def test_everything_else_is_refused_with_the_reason(el, words):
    python, why = juel.condition(el)
    assert python is None and words in why


@pytest.mark.parametrize("el, rule", [
    ("${nrOfCompletedInstances >= 1}", ("any", None)),
    ("${nrOfCompletedInstances > 0}", ("any", None)),
    ("${nrOfCompletedInstances == nrOfInstances}", ("all", None)),
    ("${nrOfCompletedInstances ge nrOfInstances}", ("all", None)),
    ("${nrOfCompletedInstances/nrOfInstances >= 0.6 }", ("ratio", Fraction(3, 5))),
    ("${nrOfCompletedInstances / nrOfInstances >= 1}", ("all", None)),
    ("${nrOfCompletedInstances/nrOfInstances > 0.5}", ("majority", None)),
])
def test_n_of_m_completion_conditions_map_to_the_lz_rule(el, rule):
    assert juel.completion(el) == (rule, None)


@pytest.mark.parametrize("el", ["${nrOfCompletedInstances >= 2}", "${nrOfCompletedInstances/nrOfInstances > 0.7}",
                                "${approvedCount >= 2}", "${nrOfCompletedInstances/nrOfInstances >= 1.5}"])
def test_other_completion_conditions_are_refused(el):
    rule, why = juel.completion(el)
    assert rule is None and why


def test_variable_is_a_plain_name_only():
    assert juel.variable("${reviewer}") == "reviewer"
    assert juel.variable("${user.name}") is None and juel.variable("demo") is None
