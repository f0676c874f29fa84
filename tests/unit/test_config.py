from pathlib import Path

import pytest

from meshscope.config import load_settings
from meshscope.errors import ConfigError


def test_defaults() -> None:
    s = load_settings(env={})
    assert (s.http.port, s.otlp.grpc_port, s.otlp.http_port) == (8080, 4317, 4318)
    assert s.retention.logs == 7 * 86400 and s.storage.url == ""


def test_yaml_then_env_then_flags(tmp_path: Path) -> None:
    cfg = tmp_path / "m.yaml"
    cfg.write_text("http:\n  port: 9000\nretention:\n  logs: 3d\notlp:\n  max_body_bytes: 1MiB\n")
    s = load_settings(cfg, env={"MESHSCOPE_HTTP__PORT": "9100", "MESHSCOPE_INGEST__FLUSH_INTERVAL": "250ms"},
                      overrides={"http.port": 9200, "data_dir": None})
    assert s.http.port == 9200
    assert s.retention.logs == 3 * 86400
    assert s.otlp.max_body_bytes == 1024 * 1024
    assert s.ingest.flush_interval == 0.25


def test_errors_name_key_and_line(tmp_path: Path) -> None:
    cfg = tmp_path / "m.yaml"
    cfg.write_text("http:\n  port: 8080\nretention:\n  logs: forever\n")
    with pytest.raises(ConfigError) as info:
        load_settings(cfg, env={})
    assert "retention.logs (line 4)" in info.value.message and "invalid duration" in info.value.message
    cfg.write_text("htp:\n  port: 1\n")
    with pytest.raises(ConfigError, match=r"htp \(line 1\): unknown setting"):
        load_settings(cfg, env={})


def test_bad_env_value() -> None:
    with pytest.raises(ConfigError, match="http.port"):
        load_settings(env={"MESHSCOPE_HTTP__PORT": "not-a-port"})
