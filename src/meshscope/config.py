"""Settings from a YAML file, then environment variables, then command-line flags.

Environment variables are ``MESHSCOPE_`` plus the key path in capitals joined by ``__``:
``MESHSCOPE_HTTP__PORT=9000`` sets ``http.port``. A bad value is a :class:`ConfigError`
naming the key (and the file line when it came from YAML).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from meshscope.errors import ConfigError
from meshscope.model.durations import parse_duration, parse_size
from meshscope.scrape.config import ScrapeConfig

ENV_PREFIX = "MESHSCOPE_"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class HttpSettings(_Section):
    """The one HTTP port for the UI, the query APIs and the JSON API."""

    host: str = "0.0.0.0"
    port: int = Field(8080, ge=0, le=65535)


class OtlpSettings(_Section):
    host: str = "0.0.0.0"
    grpc_port: int = Field(4317, ge=0, le=65535)
    http_port: int = Field(4318, ge=0, le=65535)
    max_body_bytes: int = 16 * 1024 * 1024
    enabled: bool = True

    @field_validator("max_body_bytes", mode="before")
    @classmethod
    def _size(cls, v: Any) -> int:
        return parse_size(v)


class StorageSettings(_Section):
    """Where data lives: empty ``url`` means embedded chDB under ``data_dir``."""

    url: str = ""
    database: str = "meshscope"
    cluster: str = ""
    username: str = "default"
    password: str = ""
    uncompressed_cache_mb: int = Field(256, ge=0)


class RetentionSettings(_Section):
    """How long each signal is kept, in seconds (written as ``7d``, ``30d``...)."""

    traces: float = 7 * 86400
    logs: float = 7 * 86400
    metrics: float = 30 * 86400

    @field_validator("traces", "logs", "metrics", mode="before")
    @classmethod
    def _dur(cls, v: Any) -> float:
        return parse_duration(v)


class IngestSettings(_Section):
    """The write path: how requests are coalesced into inserts and how much may wait."""

    flush_rows: int = Field(10_000, ge=1)
    batch_max_rows: int = Field(500_000, ge=1)
    flush_interval: float = 0.25
    queue_max_rows: int = Field(1_000_000, ge=1)
    queue_max_bytes: int = 512 * 1024 * 1024
    dedup_window: int = Field(100_000, ge=0)

    @field_validator("flush_interval", mode="before")
    @classmethod
    def _dur(cls, v: Any) -> float:
        return parse_duration(v)

    @field_validator("queue_max_bytes", mode="before")
    @classmethod
    def _size(cls, v: Any) -> int:
        return parse_size(v)


class SyslogSettings(_Section):
    """syslog listeners (RFC 5424 and 3164): TCP with octet-counted or newline framing, UDP, and TLS
    (RFC 5425) on ``tls_port`` once a certificate is set; a client CA makes it mutual TLS."""

    enabled: bool = True
    host: str = "0.0.0.0"
    tcp_port: int = Field(5514, ge=0, le=65535)
    udp_port: int = Field(5514, ge=0, le=65535)
    tls_port: int = Field(6514, ge=0, le=65535)
    tls_cert_file: Path | None = None  # PEM certificate (chain); the key too unless tls_key_file is set
    tls_key_file: Path | None = None
    tls_client_ca_file: Path | None = None  # PEM CAs; clients must present a certificate one of them signed


class LogsSettings(_Section):
    """The log doors (Loki push, Elasticsearch bulk, JSON lines, syslog)."""

    max_body_bytes: int = 64 * 1024 * 1024
    max_line_bytes: int = 1024 * 1024
    service_fields: list[str] = []
    es_id_window: int = Field(200_000, ge=0)

    @field_validator("max_body_bytes", "max_line_bytes", mode="before")
    @classmethod
    def _size(cls, v: Any) -> int:
        return parse_size(v)

    @field_validator("service_fields", mode="before")
    @classmethod
    def _list(cls, v: Any) -> Any:
        return [p.strip() for p in v.split(",") if p.strip()] if isinstance(v, str) else v


class Settings(_Section):
    data_dir: Path = Path("./data")
    http: HttpSettings = HttpSettings()
    otlp: OtlpSettings = OtlpSettings()
    storage: StorageSettings = StorageSettings()
    retention: RetentionSettings = RetentionSettings()
    ingest: IngestSettings = IngestSettings()
    syslog: SyslogSettings = SyslogSettings()
    logs: LogsSettings = LogsSettings()
    log_level: str = "info"
    scrape_configs: list[ScrapeConfig] = []  # Prometheus' scrape_configs, same keys

    @property
    def chdb_path(self) -> Path:
        return self.data_dir / "chdb"

    @property
    def spool_dir(self) -> Path:
        return self.data_dir / "spool"


def load_settings(path: Path | None = None, env: Mapping[str, str] | None = None,
                  overrides: Mapping[str, Any] | None = None) -> Settings:
    """Build settings from a YAML file, environment and flag overrides (dotted keys), in that order."""
    tree: dict[str, Any] = {}
    if path is not None:
        tree = _read_yaml(path)
    for dotted, value in _env_items(os.environ if env is None else env):
        _set_dotted(tree, dotted, value)
    for dotted, value in (overrides or {}).items():
        if value is not None:
            _set_dotted(tree, dotted, value)
    try:
        return Settings.model_validate(tree)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path)) from None


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of settings")
    return data


def _env_items(env: Mapping[str, str]) -> list[tuple[str, str]]:
    items = []
    for key, value in env.items():
        if key.startswith(ENV_PREFIX) and not key.startswith(ENV_PREFIX + "TEST_"):
            items.append((key[len(ENV_PREFIX):].lower().replace("__", "."), value))
    return items


def _set_dotted(tree: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node = tree
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"setting {dotted!r}: {part!r} is not a section")
        node = child
    node[parts[-1]] = value


def _describe(exc: ValidationError, path: Path | None) -> str:
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        where = f"{path}: " if path else ""
        line = _yaml_line(path, err["loc"]) if path else None
        at = f" (line {line})" if line else ""
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown setting"
        lines.append(f"{where}{key}{at}: {msg}")
    return "invalid configuration: " + "; ".join(lines)


def _yaml_line(path: Path, loc: tuple[Any, ...]) -> int | None:
    """Line number of the key at ``loc`` in the YAML file, so errors point at it."""
    try:
        node = yaml.compose(path.read_text())
    except (OSError, yaml.YAMLError):
        return None
    line = None
    for part in loc:
        if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
            continue
        if not isinstance(node, yaml.MappingNode):
            break
        for k, v in node.value:
            if k.value == str(part):
                line, node = k.start_mark.line + 1, v
                break
        else:
            break
    return line
