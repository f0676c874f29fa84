"""The agent installs without chDB: importing it never touches storage, chDB, pyarrow, server or API."""

import subprocess
import sys

BLOCKED = ["chdb", "pyarrow", "clickhouse_connect", "meshscope.storage", "meshscope.server", "meshscope.api",
           "fastapi", "uvicorn", "grpc"]


def test_agent_imports_without_server_modules() -> None:
    code = "import sys\n" + "".join(f"sys.modules[{m!r}] = None\n" for m in BLOCKED) + (
        "import pkgutil, importlib, meshscope.agent\n"
        "for m in pkgutil.iter_modules(meshscope.agent.__path__):\n"
        "    importlib.import_module('meshscope.agent.' + m.name)\n"
        "import meshscope.cli.agent\n"
        "from meshscope.cli.main import app\n"
        "print('ok')\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr
