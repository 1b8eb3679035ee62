"""schemathesis (v4) against the app's own OpenAPI schema: every operation, with examples
generated from its parameters and bodies (JSON and multipart; valid and invalid ones), sent with
a valid admin token and with a valid operator token, never gets a 5xx. Bounded: a few dozen
examples per operation and mode.

The operations are driven through schemathesis' hypothesis strategies inside one ordinary test:
``schemathesis.pytest.from_fixture`` reads ``Function._nodeid``, which pytest 9 no longer has.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

EXAMPLES = 15


@pytest.mark.parametrize("mode", [schemathesis.GenerationMode.POSITIVE,
                                  schemathesis.GenerationMode.NEGATIVE], ids=str)
def test_no_server_error(app, world, mode):
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20  # every operation of the API, not a few
    headers = {role: {"Authorization": f"Bearer {world.tokens[role]}"}
               for role in ("admin", "operator")}
    tried = 0
    skipped: list[str] = []

    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def no_5xx(case):
            nonlocal tried
            for role, auth in headers.items():
                response = case.call(headers=auth)
                tried += 1
                assert response.status_code < 500, (
                    role, case.method, case.formatted_path, case.query, case.body,
                    response.status_code, response.text[:500])
                if response.status_code >= 400:  # refusals say why, as JSON
                    assert response.json()["error"]["message"], response.text[:500]

        try:
            no_5xx()
        except Unsatisfiable:
            # nothing invalid to send: the operation takes no parameters and no body
            assert mode is schemathesis.GenerationMode.NEGATIVE, operation.label
            skipped.append(operation.label)
    assert tried >= 2 * (len(operations) - len(skipped))
    assert len(skipped) < len(operations) / 2
