"""The API documentation in headless Chromium, under the service's own Content-Security-Policy:
ReDoc at /redoc draws every operation of the API, styled, from the service's files alone.

Needs Debian's chromium (CI installs it); skipped, saying so, without it.
"""

from __future__ import annotations

import pytest

from tests.fixtures.browser import serve


@pytest.fixture
def live_url(app):
    yield from serve(app)


def test_redoc_draws_the_whole_api_from_the_services_files(client, live_url, chromium):
    spec = client.get("/openapi.json").json()
    summaries = [operation["summary"] for item in spec["paths"].values()
                 for operation in item.values() if "summary" in operation]
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    answered: list[str] = []
    page.on("response", lambda response: answered.append(response.url))
    page.goto(f"{live_url}/redoc")
    page.wait_for_selector("h1", timeout=60_000)
    assert page.inner_text("h1").startswith(spec["info"]["title"])  # not "Something went wrong"
    headings = page.evaluate("() => Array.from(document.querySelectorAll('h2'), h => h.innerText)")
    assert len(summaries) > 40 and not [s for s in summaries if s not in headings]
    # ReDoc's own theme applied: its styles were not refused by the policy
    assert "Montserrat" in page.evaluate("() => getComputedStyle(document.querySelector('h1'))"
                                         ".fontFamily")
    elsewhere = [url for url in answered if not url.startswith(live_url)]
    assert answered and not elsewhere, elsewhere
