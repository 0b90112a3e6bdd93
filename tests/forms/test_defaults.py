"""defaults(schema): each component's defaultValue, placed where its data lives."""
from forms.validate import defaults
from tests.forms.helpers import comp, form


def test_defaults_nest_like_the_data():
    schema = form(
        comp("textfield", "title", defaultValue="无标题"),
        comp("number", "amount"),
        comp("checkbox", "urgent", defaultValue=False),
        {"type": "group", "path": "applicant", "components": [comp("textfield", "dept", defaultValue="销售部")]},
        {"type": "group", "components": [comp("select", "level", defaultValue="b", values=[{"label": "B", "value": "b"}])]},
        {"type": "dynamiclist", "path": "lines", "defaultValue": [{"amount": 0}],
         "components": [comp("number", "amount", defaultValue=1)]},
        {"type": "dynamiclist", "path": "others", "components": [comp("number", "amount", defaultValue=1)]},
        {"type": "text", "text": "x"},
    )
    assert defaults(schema) == {
        "title": "无标题",
        "urgent": False,
        "applicant": {"dept": "销售部"},
        "level": "b",
        "lines": [{"amount": 0}],
    }
