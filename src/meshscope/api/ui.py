"""The web UI: files built from ``web/`` served at ``/``, any unknown page answered with index.html."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

_API_PREFIXES = ("/api/", "/loki/", "/v1/", "/metrics", "/ready", "/_")
_NOT_BUILT = """<!doctype html><title>meshscope</title><body style="font-family:sans-serif">
<h1>meshscope</h1><p>The web UI is not built. Run <code>make demo</code> or
<code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>. The APIs work without it.</p></body>"""


def static_dir() -> Path:
    return Path(str(resources.files("meshscope"))) / "web" / "static"


def mount_ui(app: FastAPI) -> None:
    root = static_dir()

    @app.get("/{path:path}", include_in_schema=False)
    async def ui(path: str, request: Request) -> Response:
        if request.url.path.startswith(_API_PREFIXES):
            return JSONResponse({"error": f"no such endpoint: {request.url.path}"}, 404)
        candidate = (root / path).resolve()
        if path and candidate.is_file() and root.resolve() in candidate.parents:
            return FileResponse(candidate)
        return index_response()


def index_response() -> Response:
    """The UI's page (also for ``GET /`` from a browser, which the Elasticsearch door shares)."""
    index = static_dir() / "index.html"
    if index.is_file():
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
    return HTMLResponse(_NOT_BUILT)
