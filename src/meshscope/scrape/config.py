"""``scrape_configs`` with Prometheus' YAML keys and defaults (interval 1m, timeout 10s, /metrics).

Pure settings models; :mod:`meshscope.config` holds a list of :class:`ScrapeConfig`.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from meshscope.model.durations import parse_duration

Action = Literal["replace", "keep", "drop", "keepequal", "dropequal", "labelmap", "labeldrop", "labelkeep",
                 "hashmod", "lowercase", "uppercase"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class RelabelConfig(_Model):
    source_labels: list[str] = []
    separator: str = ";"
    target_label: str = ""
    regex: str = "(.*)"
    modulus: int = 0
    replacement: str = "$1"
    action: Action = "replace"

    @field_validator("action", mode="before")
    @classmethod
    def _lower(cls, v: Any) -> Any:
        return v.lower() if isinstance(v, str) else v

    @field_validator("regex")
    @classmethod
    def _regex(cls, v: str) -> str:
        from meshscope.promql.regex import translate

        try:
            re.compile(translate(v))
        except re.error as exc:
            raise ValueError(f"invalid regex {v!r}: {exc}") from None
        return v

    @model_validator(mode="after")
    def _needs(self) -> RelabelConfig:
        if self.action in ("replace", "hashmod", "lowercase", "uppercase", "keepequal", "dropequal") \
                and not self.target_label:
            raise ValueError(f"relabel action {self.action} requires target_label")
        if self.action == "hashmod" and self.modulus <= 0:
            raise ValueError("relabel action hashmod requires a positive modulus")
        return self


class BasicAuth(_Model):
    username: str = ""
    password: str = ""
    password_file: str = ""


class Authorization(_Model):
    type: str = "Bearer"
    credentials: str = ""
    credentials_file: str = ""


class TlsConfig(_Model):
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""
    server_name: str = ""
    insecure_skip_verify: bool = False


class StaticConfig(_Model):
    targets: list[str] = []
    labels: dict[str, str] = {}


class FileSdConfig(_Model):
    files: list[str]
    refresh_interval: float = 300.0

    @field_validator("refresh_interval", mode="before")
    @classmethod
    def _dur(cls, v: Any) -> float:
        return parse_duration(v)


class ScrapeConfig(_Model):
    job_name: str
    scrape_interval: float = 60.0
    scrape_timeout: float = 10.0
    metrics_path: str = "/metrics"
    scheme: Literal["http", "https"] = "http"
    params: dict[str, list[str]] = {}
    honor_labels: bool = False
    honor_timestamps: bool = True
    sample_limit: int = Field(0, ge=0)
    label_limit: int = Field(0, ge=0)
    label_name_length_limit: int = Field(0, ge=0)
    label_value_length_limit: int = Field(0, ge=0)
    basic_auth: BasicAuth | None = None
    authorization: Authorization | None = None
    bearer_token: str = ""
    bearer_token_file: str = ""
    tls_config: TlsConfig = TlsConfig()
    static_configs: list[StaticConfig] = []
    file_sd_configs: list[FileSdConfig] = []
    relabel_configs: list[RelabelConfig] = []
    metric_relabel_configs: list[RelabelConfig] = []

    @field_validator("scrape_interval", "scrape_timeout", mode="before")
    @classmethod
    def _dur(cls, v: Any) -> float:
        return parse_duration(v)

    @model_validator(mode="after")
    def _check(self) -> ScrapeConfig:
        if self.scrape_timeout > self.scrape_interval:
            self.scrape_timeout = self.scrape_interval if "scrape_timeout" not in self.model_fields_set else \
                _fail(f"scrape timeout greater than scrape interval for scrape config with job name "
                      f"{self.job_name!r}")
        if self.basic_auth and (self.authorization or self.bearer_token or self.bearer_token_file):
            _fail(f"job {self.job_name!r}: at most one of basic_auth, authorization, bearer_token may be set")
        return self


def _fail(message: str) -> float:
    raise ValueError(message)
