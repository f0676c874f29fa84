"""Docs are tested: every setting, HTTP endpoint and CLI command is written down somewhere in the docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from meshscope.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def docs_text() -> str:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return "\n".join(f.read_text() for f in files if f.exists())


def setting_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    paths = []
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            paths.extend(setting_paths(ann, f"{prefix}{name}."))
        else:
            paths.append(f"{prefix}{name}")
    return paths


@pytest.mark.parametrize("path", setting_paths(Settings))
def test_every_setting_is_documented(path: str) -> None:
    text = docs_text()
    leaf = path.rsplit(".", 1)[-1]
    section = path.split(".")[0]
    assert f"`{path}`" in text or (section in text and f"`{leaf}`" in text) or f".{leaf}`" in text, \
        f"setting {path} is not in README.md or docs/*.md"


def _routes() -> list[str]:
    from meshscope.api.app import create_app, create_otlp_app
    from meshscope.config import load_settings
    from meshscope.server import Meshscope

    ms = Meshscope(load_settings(env={}))
    paths: set[str] = set()
    for app in (create_app(ms), create_otlp_app(ms)):
        paths.update(app.openapi()["paths"])
    return sorted(paths)


@pytest.mark.parametrize("path", _routes())
def test_every_endpoint_is_documented(path: str) -> None:
    text = docs_text()
    pattern = re.escape(path).replace(r"\{", "{").replace(r"\}", "}")
    def generic(p: str) -> str:  # {name}, <name> and <index> are the same placeholder
        return re.sub(r"\{[^}]+\}|<[^>]+>", "{", p)

    assert re.search(pattern, text) or any(
        generic(m) == generic(path) for m in re.findall(r"/[\w/{}.<>:-]+", text)
    ), f"endpoint {path} is not in README.md or docs/*.md"


def _commands() -> list[str]:
    import typer.main

    from meshscope.cli.main import app

    group = typer.main.get_command(app)
    names = []
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        names.append(name)
        for sub in getattr(cmd, "commands", {}):
            names.append(f"{name} {sub}")
    return sorted(names)


@pytest.mark.parametrize("command", _commands())
def test_every_cli_command_is_documented(command: str) -> None:
    assert f"meshscope {command}" in docs_text(), f"`meshscope {command}` is not in the docs"


def test_openapi_operation_ids_are_unique() -> None:
    from meshscope.api.app import create_app
    from meshscope.config import load_settings
    from meshscope.server import Meshscope

    schema = create_app(Meshscope(load_settings(env={}))).openapi()
    ids = [op["operationId"] for ops in schema["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids)) and len(ids) > 40
