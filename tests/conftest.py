"""Fixtures shared by every test directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.server import ServerProcess


@pytest.fixture(scope="module")
def meshscope_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A real server process for the module: ``.http_url``, ``.otlp_http_url``, ``.otlp_grpc_endpoint``."""
    server = ServerProcess(tmp_path_factory.mktemp("server") / "data").start()
    yield server
    server.stop()


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[type[ServerProcess]]:
    """Start servers of one's own (restarts, kills); all are stopped at the end of the test."""
    started: list[ServerProcess] = []

    class _Factory(ServerProcess):
        def start(self, timeout: float = 60.0) -> ServerProcess:
            if self not in started:
                started.append(self)
            return super().start(timeout)

    yield _Factory
    for server in started:
        server.stop()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI every real peer is installed by `make test`, so a skipped test means a missing part: fail."""
    import os

    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if os.environ.get("CI") and skipped and exitstatus == 0:
        reporter.write_line(f"{len(skipped)} test(s) skipped in CI: a peer the suite needs is missing", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
