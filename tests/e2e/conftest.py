"""Browser tests drive Debian's Chromium through pytest-playwright (no browser download, ever)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page

# Without the background-networking flags Chromium floods the closed network with refused connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed: apt-get install -y --no-install-recommends chromium")
    return {**browser_type_launch_args, "executable_path": executable, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture
def ui(page: Page) -> Iterator[Page]:
    """The page, failing the test on any uncaught error in it."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(20_000)
    page.set_viewport_size({"width": 1400, "height": 900})
    yield page
    assert errors == [], f"uncaught errors in the page: {errors}"


JsonCheck = Callable[[Any], bool]


@pytest.fixture(scope="session")
def wait_json() -> Callable[[str, dict[str, Any], JsonCheck], Any]:
    """Polls a JSON GET until ``ready(body)`` holds (data is queryable once its insert finished); returns the body."""

    def wait(url: str, params: dict[str, Any], ready: JsonCheck, timeout: float = 30.0) -> Any:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            reply = httpx.get(url, params=params, timeout=10)
            if reply.status_code == 200 and ready(reply.json()):
                return reply.json()
            last = f"{reply.status_code} {reply.text[:300]}"
            time.sleep(0.2)
        raise AssertionError(f"{url} {params} not ready after {timeout}s: {last}")

    return wait


Drag = Callable[[Page, Locator, float, float], None]


@pytest.fixture(scope="session")
def drag_across() -> Drag:
    """Drags the mouse across the middle of an element, from one fraction of its width to another."""

    def drag(page: Page, target: Locator, start: float, end: float) -> None:
        box = target.bounding_box()
        assert box is not None, "the element to drag across is not visible"
        y = box["y"] + box["height"] / 2
        page.mouse.move(box["x"] + box["width"] * start, y)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * end, y, steps=5)
        page.mouse.up()

    return drag
