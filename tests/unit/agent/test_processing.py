import pytest

from meshscope.agent.config import FieldMatch, Parser, Redaction
from meshscope.agent.enrich import file_resource, kubernetes_attributes
from meshscope.agent.parsers import parse_logfmt
from meshscope.agent.pipeline import Pipeline, PipelineSpec
from meshscope.agent.records import Line
from meshscope.agent.redact import Redactor, luhn_ok


def _run(spec: PipelineSpec, *texts: str, redact: Redaction | None = None):
    p = Pipeline(spec, Redactor(redact or Redaction()), 1 << 16)
    entries, end = p.feed([Line(t, n + 1) for n, t in enumerate(texts)])
    return entries, end, p


def test_json_parser_fields_and_severity() -> None:
    (e,), _, _ = _run(PipelineSpec(parser=Parser(type="json", message_field="msg", time_field="ts")),
                      '{"msg": "paid", "level": "warn", "ts": "2024-01-02T03:04:05Z", "order": {"id": 7}}')
    assert (e.body, e.severity_text, e.severity_number) == ("paid", "warn", 13)
    assert e.attributes == {"order.id": "7"} and e.time_ns == 1704164645 * 10**9


def test_logfmt_and_regex_parsers() -> None:
    assert parse_logfmt('a=1 msg="hello \\"x\\"" b=') == {"a": "1", "msg": 'hello "x"', "b": ""}
    spec = PipelineSpec(parser=Parser(type="regex", pattern=r"^(?P<ip>\S+) (?P<message>.*)$"))
    (e,), _, _ = _run(spec, "10.0.0.1 GET /")
    assert e.body == "GET /" and e.attributes["ip"] == "10.0.0.1"


@pytest.mark.parametrize("text,level,number", [("12:00 ERROR boom", "ERROR", 17), ("[warn] x", "WARN", 13),
                                               ("nothing here", "", 0)])
def test_severity_detection(text: str, level: str, number: int) -> None:
    (e,), _, _ = _run(PipelineSpec(), text)
    assert (e.severity_text, e.severity_number) == (level, number)


def test_filters_keep_the_offset_moving() -> None:
    spec = PipelineSpec(include=[FieldMatch(regex="keep")], exclude=[FieldMatch(regex="secret")])
    entries, end, p = _run(spec, "keep 1", "drop 2", "keep secret 3", "keep 4")
    assert [e.body for e in entries] == ["keep 1", "keep 4"] and end == 4 and p.filtered == 2


def test_drop_and_rename_fields() -> None:
    spec = PipelineSpec(parser=Parser(type="logfmt"), drop_fields=["pw"], rename_fields={"u": "user"})
    (e,), _, _ = _run(spec, "message=hi u=bob pw=x")
    assert e.attributes == {"user": "bob"}


def test_redaction_masks_secrets_but_not_order_ids() -> None:
    r = Redactor(Redaction(patterns=[r"ssn=\d+"]))
    text = ("mail bob@example.com card 4111 1111 1111 1111 order 1234567890123 "
            "Authorization: Bearer eyJhbGciOi.abc.def token=abcd1234efgh ssn=123456")
    out = r.text(text)
    for secret in ("bob@example.com", "4111 1111 1111 1111", "eyJhbGciOi", "abcd1234efgh", "ssn=123456"):
        assert secret not in out
    assert "1234567890123" in out and luhn_ok("4111111111111111") and not luhn_ok("1234567890123")


def test_kubernetes_and_service_from_path() -> None:
    path = "/var/log/containers/cart-7d9f_shop_cart-api-" + "a" * 64 + ".log"
    assert kubernetes_attributes(path)["k8s.namespace.name"] == "shop"
    res = file_resource(path, "node-1", "", "", {})
    assert res["service.name"] == "cart-api" and res["k8s.pod.name"] == "cart-7d9f"
    pods = kubernetes_attributes("/var/log/pods/shop_cart-7d9f_uid-1/cart-api/0.log")
    assert pods["k8s.container.name"] == "cart-api" and pods["k8s.pod.uid"] == "uid-1"
    assert file_resource("/srv/billing/logs/out.log", "h", "", r"/srv/(?P<service>[^/]+)/", {})[
        "service.name"] == "billing"
    assert file_resource("/x/y.log", "h", "configured", "", {"env": "prod"})["env"] == "prod"
