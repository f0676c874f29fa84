"""``agent.yaml``: what the agent reads, how it processes lines and where it ships them.

Sections are mappings (inputs are named, not listed) so that every validation error names the
key path and the YAML line, through the same helpers the server's settings use.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from meshscope.config import _describe, _read_yaml
from meshscope.errors import ConfigError
from meshscope.model.durations import parse_duration, parse_size


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _units(cls, v: Any, info: Any) -> Any:
        """Fields named like durations and sizes accept ``500ms``/``1MiB`` as well as numbers."""
        name = info.field_name or ""
        if isinstance(v, str) and name in _DURATIONS:
            return parse_duration(v)
        if isinstance(v, str) and name in _SIZES:
            return parse_size(v)
        return v


_DURATIONS = {"flush_timeout", "interval", "batch_timeout", "timeout", "initial_backoff", "max_backoff",
              "poll_interval", "rotate_wait", "shutdown_timeout", "forget_after"}
_SIZES = {"batch_max_bytes", "max_bytes", "max_line_bytes", "fingerprint_bytes"}


def _regex(v: str) -> str:
    try:
        re.compile(v)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {v!r}: {exc}") from None
    return v


Regex = Annotated[str, AfterValidator(lambda v: _regex(v) if v else v)]


class Multiline(_Section):
    """Group lines into one record: a line matching ``start`` begins a record; with
    ``continuation``, only matching lines are appended (else every non-start line is)."""

    preset: Literal["java", "python", ""] = ""
    start: Regex = ""
    continuation: Regex = ""
    flush_timeout: float = Field(default=1.0, gt=0)
    max_lines: int = Field(default=500, ge=1)



class Parser(_Section):
    type: Literal["json", "logfmt", "regex"]
    pattern: Regex = ""
    message_field: str = "message"
    time_field: str = ""
    severity_field: str = "level"



class FieldMatch(_Section):
    """A record matches when ``field`` (``body`` or an attribute) matches ``regex``."""

    field: str = "body"
    regex: Regex



class Redaction(_Section):
    emails: bool = True
    card_numbers: bool = True
    bearer_tokens: bool = True
    patterns: list[Regex] = []
    replacement: str = "[REDACTED]"



class FileInput(_Section):
    """Tail files matching ``paths`` (globs) but not ``exclude``."""

    paths: list[str] = Field(min_length=1)
    exclude: list[str] = []
    format: Literal["plain", "docker", "cri", "auto"] = "plain"
    read_from: Literal["end", "beginning"] = "end"
    service_name: str = ""
    service_from_path: Regex = ""
    attributes: dict[str, str] = {}
    multiline: Multiline | None = None
    parser: Parser | None = None
    include: list[FieldMatch] = []
    exclude_lines: list[FieldMatch] = []
    drop_fields: list[str] = []
    rename_fields: dict[str, str] = {}



class StdinInput(_Section):
    enabled: bool = False
    service_name: str = "stdin"
    multiline: Multiline | None = None
    parser: Parser | None = None


class HostMetrics(_Section):
    enabled: bool = False
    interval: float = Field(default=15.0, gt=0)
    proc_root: Path = Path("/proc")
    collectors: list[Literal["cpu", "memory", "load", "filesystem", "disk", "network", "uptime",
                             "processes"]] = ["cpu", "memory", "load", "filesystem", "disk", "network",
                                              "uptime", "processes"]


class Output(_Section):
    endpoint: str = "http://localhost:4318"
    headers: dict[str, str] = {}
    gzip: bool = True
    batch_max_records: int = Field(default=5000, ge=1)
    batch_max_bytes: int = Field(default=1024 * 1024, ge=1024)
    batch_timeout: float = Field(default=1.0, gt=0)
    timeout: float = Field(default=10.0, gt=0)
    initial_backoff: float = Field(default=0.5, gt=0)
    max_backoff: float = Field(default=30.0, gt=0)
    concurrency: int = Field(default=2, ge=1, le=16)


class Spool(_Section):
    max_bytes: int = Field(default=256 * 1024 * 1024, ge=4096)
    fsync: bool = True


class Tailing(_Section):
    poll_interval: float = Field(default=0.25, gt=0)
    max_line_bytes: int = Field(default=64 * 1024, ge=64)
    long_lines: Literal["split", "truncate"] = "split"
    rotate_wait: float = Field(default=5.0, ge=0)
    fingerprint_bytes: int = Field(default=1024, ge=16)
    forget_after: float = Field(default=86400.0, gt=0)


class Observability(_Section):
    listen: str = "127.0.0.1:9101"


class AgentConfig(_Section):
    data_dir: Path = Path("./agent-data")
    host_name: str = Field(default_factory=socket.gethostname)
    files: dict[str, FileInput] = {}
    stdin: StdinInput = StdinInput()
    host_metrics: HostMetrics = HostMetrics()
    redact: Redaction = Redaction()
    output: Output = Output()
    spool: Spool = Spool()
    tailing: Tailing = Tailing()
    observability: Observability = Observability()
    shutdown_timeout: float = Field(default=10.0, ge=0)

    @property
    def positions_path(self) -> Path:
        return self.data_dir / "positions.json"

    @property
    def spool_dir(self) -> Path:
        return self.data_dir / "spool"


def load_agent_config(path: Path) -> AgentConfig:
    """The validated config in ``path``; a :class:`ConfigError` names the key and line otherwise."""
    tree = _read_yaml(path)
    try:
        return AgentConfig.model_validate(tree)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path)) from None
