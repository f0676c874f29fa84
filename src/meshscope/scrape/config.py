"""``scrape_configs`` with Prometheus' YAML keys and defaults (interval 1m, timeout 10s, /metrics).

Pure settings models; :mod:`meshscope.config` holds a list of :class:`ScrapeConfig`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from meshscope.model.durations import parse_duration

Action = Literal["replace", "keep", "drop", "keepequal", "dropequal", "labelmap", "labeldrop", "labelkeep",
                 "hashmod", "lowercase", "uppercase"]

Duration = Annotated[float, BeforeValidator(parse_duration)]  # Prometheus duration text or seconds


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
    refresh_interval: Duration = 300.0


class OAuth2(_Model):
    """OAuth 2.0 client credentials: a token from ``token_url``, sent as a bearer token."""

    client_id: str
    client_secret: str = ""
    client_secret_file: str = ""
    scopes: list[str] = []
    token_url: str
    endpoint_params: dict[str, str] = {}
    tls_config: TlsConfig = TlsConfig()
    proxy_url: str = ""

    @model_validator(mode="after")
    def _secret(self) -> OAuth2:
        if self.client_secret and self.client_secret_file:
            raise ValueError("at most one of oauth2 client_secret & client_secret_file must be configured")
        return self


class HttpClientConfig(_Model):
    """Prometheus' HTTP client keys, shared by scrapes and the HTTP-based discoveries.

    ``enable_http2`` is accepted so Prometheus files load unchanged; requests use HTTP/1.1.
    """

    basic_auth: BasicAuth | None = None
    authorization: Authorization | None = None
    oauth2: OAuth2 | None = None
    bearer_token: str = ""
    bearer_token_file: str = ""
    tls_config: TlsConfig = TlsConfig()
    proxy_url: str = ""
    follow_redirects: bool = True
    enable_http2: bool = True

    @field_validator("proxy_url")
    @classmethod
    def _proxy(cls, v: str) -> str:
        if v and not re.match(r"^https?://[^/]", v):
            raise ValueError(f"proxy_url must be an http or https URL: {v!r}")
        return v

    @model_validator(mode="after")
    def _one_auth(self) -> HttpClientConfig:
        given = [self.basic_auth is not None, self.authorization is not None, self.oauth2 is not None,
                 bool(self.bearer_token or self.bearer_token_file)]
        if sum(given) > 1:
            raise ValueError(f"{self._owner()}at most one of basic_auth, oauth2, bearer_token & bearer_token_file, "
                             "authorization may be set")
        return self

    def _owner(self) -> str:
        return ""


class HttpSdConfig(HttpClientConfig):
    url: str
    refresh_interval: Duration = 60.0

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not re.match(r"^https?://[^/]", v):
            raise ValueError(f"URL scheme must be 'http' or 'https': {v!r}")
        return v


class DnsSdConfig(_Model):
    names: list[str]
    type: Literal["SRV", "A", "AAAA", "MX"] = "SRV"
    port: int = Field(0, ge=0, le=65535)
    refresh_interval: Duration = 30.0

    @field_validator("type", mode="before")
    @classmethod
    def _upper(cls, v: Any) -> Any:
        return v.upper() if isinstance(v, str) else v

    @model_validator(mode="after")
    def _check(self) -> DnsSdConfig:
        if not self.names:
            raise ValueError("DNS-SD config must contain at least one SRV record name")
        if self.type != "SRV" and self.port == 0:
            raise ValueError("a port is required in DNS-SD configs for all record types except SRV")
        return self


KubeRole = Literal["node", "service", "pod", "endpoints", "endpointslice", "ingress"]
# which selector roles each discovery role accepts (Prometheus' validation)
SELECTOR_ROLES: dict[str, set[str]] = {
    "endpoints": {"pod", "service", "endpoints"}, "endpointslice": {"pod", "service", "endpointslice"},
    "pod": {"pod", "node"}}


class KubeNamespaces(_Model):
    names: list[str] = []
    own_namespace: bool = False


class KubeAttachMetadata(_Model):
    node: bool = False  # pod, endpoints and endpointslice roles: add the node's name and labels


class KubeSelector(_Model):
    role: KubeRole
    label: str = ""
    field: str = ""


class KubernetesSdConfig(HttpClientConfig):
    role: KubeRole
    api_server: str = ""
    kubeconfig_file: str = ""
    namespaces: KubeNamespaces = KubeNamespaces()
    selectors: list[KubeSelector] = []
    attach_metadata: KubeAttachMetadata = KubeAttachMetadata()

    @model_validator(mode="after")
    def _check(self) -> KubernetesSdConfig:
        if self.api_server and self.kubeconfig_file:
            raise ValueError("cannot use 'kubeconfig_file' and 'api_server' simultaneously")
        custom = self.basic_auth or self.authorization or self.oauth2 or self.bearer_token \
            or self.bearer_token_file or self.tls_config != TlsConfig() or self.proxy_url
        if self.kubeconfig_file and custom:
            raise ValueError("cannot use a custom HTTP client configuration together with 'kubeconfig_file'")
        if not self.api_server and not self.kubeconfig_file and custom:
            raise ValueError("to use custom HTTP client configuration please provide the 'api_server' URL explicitly")
        if self.api_server and not re.match(r"^https?://[^/]", self.api_server):
            raise ValueError(f"api_server must be an http or https URL: {self.api_server!r}")
        allowed = SELECTOR_ROLES.get(self.role, {self.role})
        seen: set[str] = set()
        for sel in self.selectors:
            if sel.role not in allowed:
                raise ValueError(f"{self.role} role supports only {', '.join(sorted(allowed))} selectors")
            if sel.role in seen:
                raise ValueError(f"duplicated selector role: {sel.role}")
            seen.add(sel.role)
        return self


class ScrapeConfig(HttpClientConfig):
    job_name: str
    scrape_interval: Duration = 60.0
    scrape_timeout: Duration = 10.0
    metrics_path: str = "/metrics"
    scheme: Literal["http", "https"] = "http"
    params: dict[str, list[str]] = {}
    honor_labels: bool = False
    honor_timestamps: bool = True
    sample_limit: int = Field(0, ge=0)
    label_limit: int = Field(0, ge=0)
    label_name_length_limit: int = Field(0, ge=0)
    label_value_length_limit: int = Field(0, ge=0)
    static_configs: list[StaticConfig] = []
    file_sd_configs: list[FileSdConfig] = []
    http_sd_configs: list[HttpSdConfig] = []
    dns_sd_configs: list[DnsSdConfig] = []
    kubernetes_sd_configs: list[KubernetesSdConfig] = []
    relabel_configs: list[RelabelConfig] = []
    metric_relabel_configs: list[RelabelConfig] = []

    @model_validator(mode="after")
    def _check(self) -> ScrapeConfig:
        if self.scrape_timeout > self.scrape_interval:
            self.scrape_timeout = self.scrape_interval if "scrape_timeout" not in self.model_fields_set else \
                _fail(f"scrape timeout greater than scrape interval for scrape config with job name "
                      f"{self.job_name!r}")
        return self

    def _owner(self) -> str:
        return f"job {self.job_name!r}: "


def _fail(message: str) -> float:
    raise ValueError(message)
