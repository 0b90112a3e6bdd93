"""The shipped general approval form is a clean form-js schema that validates a sample submission."""
import json
from pathlib import Path

from forms.validate import check_schema, defaults, validate
from tests.forms.helpers import errors

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "forms" / "schemas" / "general_approval.json").read_text("utf-8"))


def test_passes_check_schema():
    assert check_schema(SCHEMA) == []
    assert SCHEMA["type"] == "default" and isinstance(SCHEMA["schemaVersion"], int)
    labels = [c["label"] for c in SCHEMA["components"] if "key" in c]
    assert labels == ["标题", "金额（元）", "申请理由"]
    assert defaults(SCHEMA) == {}


def test_validates_a_sample():
    sample = {"title": "采购办公椅 10 把", "amount": 4999.5, "reason": "新员工入职，现有座椅不足。"}
    assert validate(SCHEMA, sample) == sample


def test_reports_each_broken_field():
    assert errors(SCHEMA, {"title": "x" * 101, "amount": -1, "reason": "y" * 2001}) == {
        "title": "must be at most 100 characters",
        "amount": "must be at least 0",
        "reason": "must be at most 2000 characters",
    }
    assert errors(SCHEMA, {}) == {"title": "is required", "amount": "is required"}
