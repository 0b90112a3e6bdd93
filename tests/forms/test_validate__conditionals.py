"""conditional.hide is FEEL and is not evaluated: such fields are optional, but checked when sent."""
from tests.forms.helpers import comp, errors, form, ok

SCHEMA = form(
    comp("checkbox", "has_invoice"),
    comp("textfield", "invoice_no", validate={"required": True, "pattern": r"\d{8}"},
         conditional={"hide": "=not(has_invoice)"}),
    {"type": "group", "path": "bank", "conditional": {"hide": "=true"},
     "components": [comp("textfield", "account", validate={"required": True})]},
)


def test_conditionally_hidden_required_field_may_be_absent():
    assert ok(SCHEMA, {"has_invoice": False}) == {"has_invoice": False}


def test_conditional_field_is_still_validated_when_present():
    assert errors(SCHEMA, {"has_invoice": True, "invoice_no": "12"}) == {"invoice_no": r"must match the pattern \d{8}"}


def test_conditional_container_makes_its_children_optional():
    assert ok(SCHEMA, {"bank": {}}) == {"bank": {}}
