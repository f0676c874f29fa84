from pathlib import Path

import pytest

from meshscope.agent.config import load_agent_config
from meshscope.errors import ConfigError

FULL = Path(__file__).parents[3] / "docs" / "agent.md"


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "agent.yaml"
    p.write_text(text)
    return p


def test_units_and_defaults(tmp_path: Path) -> None:
    cfg = load_agent_config(_write(tmp_path, "files:\n  app:\n    paths: [/var/log/*.log]\n"
                                             "output:\n  batch_max_bytes: 2MiB\n  batch_timeout: 500ms\n"))
    assert cfg.output.batch_max_bytes == 2 * 1024 * 1024 and cfg.output.batch_timeout == 0.5
    assert cfg.files["app"].read_from == "end" and cfg.spool.max_bytes == 256 * 1024 * 1024
    assert cfg.host_name


@pytest.mark.parametrize("text,expected", [
    ("files:\n  app:\n    paths: [a]\n    read_from: middle\n", r"files.app.read_from \(line 4\)"),
    ("output:\n  endpoint: http://x\n  batch_timeout: soon\n", r"output.batch_timeout \(line 3\): invalid duration"),
    ("spool:\n  max_bytes: lots\n", r"spool.max_bytes \(line 2\): invalid size"),
    ("files:\n  app:\n    paths: [a]\n    multiline:\n      start: '('\n",
     r"files.app.multiline.start \(line 5\): invalid regular expression"),
    ("outptu:\n  gzip: true\n", r"outptu \(line 1\): unknown setting"),
    ("files:\n  app:\n    paths: []\n", r"files.app.paths \(line 3\)"),
])
def test_errors_name_key_and_line(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        load_agent_config(_write(tmp_path, text))


def test_documented_config_is_complete_and_valid(tmp_path: Path) -> None:
    """docs/agent.md carries a complete config: it loads, and names every setting there is."""
    text = FULL.read_text()
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    cfg = load_agent_config(_write(tmp_path, block))
    assert cfg.files and cfg.stdin.enabled is False and cfg.host_metrics.enabled

    from meshscope.agent import config as c
    for section in (c.AgentConfig, c.FileInput, c.Multiline, c.Parser, c.Redaction, c.StdinInput,
                    c.HostMetrics, c.Output, c.Spool, c.Tailing, c.Observability, c.FieldMatch):
        for name in section.model_fields:
            assert f"{name}:" in block, f"{section.__name__}.{name} is not in the documented config"
