"""schemathesis over /api/v1/openapi.json (issue 11): generated requests, valid and invalid, against
the Flask app (WSGI, no server), signed in as a normal user, with a bounded number of examples per
operation and a fixed seed (derandomized hypothesis). No answer is a 5xx, and every status answered
is one the document lists for that operation."""
from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, status_code_conformance

from tests.api.conftest import API, login

EXAMPLES = {GenerationMode.POSITIVE: 3, GenerationMode.NEGATIVE: 3}  # per operation: about 600 requests
SKIP = {("POST", "/auth/logout")}  # would revoke the token the run signs in with (tested on its own)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]  # ~40 s alone; more on a loaded machine


def _run(op: Any, mode: GenerationMode, headers: dict[str, str], failures: list[str], seen: Counter[int]) -> None:
    @settings(max_examples=EXAMPLES[mode], derandomize=True, database=None, deadline=None, print_blob=False,
              phases=[Phase.explicit, Phase.generate],  # no shrinking: the failure is reported as found
              suppress_health_check=list(HealthCheck))
    @given(case=op.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        response = case.call(headers=headers)
        seen[response.status_code] += 1
        try:
            case.validate_response(response, checks=[not_a_server_error, status_code_conformance])
        except Exception as e:  # a FailureGroup of the checks: collected, the run goes on
            failures.append(f"{op.method.upper()} {op.path} [{mode.value}] -> {response.status_code}: "
                            f"{str(e).splitlines()[0][:200]}\n    {case.as_curl_command()[:400]}")
            raise

    try:
        run()
    except Exception:
        pass  # recorded in `failures` (hypothesis re-raises the first failing, shrunk example)


def test_no_5xx_and_only_documented_statuses(app, client, org):
    headers = login(client, "clerk")
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", app)
    failures: list[str] = []
    seen: Counter[int] = Counter()
    operations = 0
    for result in schema.get_all_operations():
        op = result.ok()
        if (op.method.upper(), op.path) in SKIP:
            continue
        operations += 1
        for mode in EXAMPLES:
            _run(op, mode, headers, failures, seen)
    assert operations > 60
    assert seen[200] > operations // 2 and sum(seen.values()) > 4 * operations, seen  # signed in, really run
    assert client.get(f"{API}/me", headers=headers).status_code == 200, "the run's token still works"
    assert not failures, "\n".join(dict.fromkeys(failures))
