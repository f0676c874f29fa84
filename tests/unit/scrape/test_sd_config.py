"""Discovery settings errors name the key path and the YAML line, like every other setting."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from meshscope.config import load_settings
from meshscope.errors import ConfigError


@pytest.mark.parametrize("yaml_text, expected", [
    ("""\
     scrape_configs:
       - job_name: a
         dns_sd_configs:
           - names: [x]
             type: A
     """, "scrape_configs.0.dns_sd_configs.0 (line 4): a port is required"),
    ("""\
     scrape_configs:
       - job_name: a
       - job_name: b
         http_sd_configs:
           - url: ftp://x/
     """, "scrape_configs.1.http_sd_configs.0.url (line 5): URL scheme must be 'http' or 'https'"),
    ("""\
     scrape_configs:
       - job_name: k
         kubernetes_sd_configs:
           - role: pods
     """, "scrape_configs.0.kubernetes_sd_configs.0.role (line 4): Input should be 'node'"),
    ("""\
     scrape_configs:
       - job_name: k
         kubernetes_sd_configs:
           - role: pod
             api_server: https://k8s:6443
             kubeconfig_file: /etc/kube.yaml
     """, "scrape_configs.0.kubernetes_sd_configs.0 (line 4): cannot use 'kubeconfig_file' and 'api_server'"),
    ("""\
     scrape_configs:
       - job_name: k
         kubernetes_sd_configs:
           - role: pod
             selectors: [{role: service, label: "app=x"}]
     """, "(line 4): pod role supports only node, pod selectors"),
    ("""\
     scrape_configs:
       - job_name: k
         kubernetes_sd_configs:
           - role: endpoints
             selectors: [{role: pod}, {role: pod}]
     """, "duplicated selector role: pod"),
    ("""\
     scrape_configs:
       - job_name: k
         kubernetes_sd_configs:
           - role: node
             bearer_token: abc
     """, "please provide the 'api_server' URL explicitly"),
    ("""\
     scrape_configs:
       - job_name: k
         kubernetes_sd_configs:
           - role: node
             namespace: [a]
     """, "scrape_configs.0.kubernetes_sd_configs.0.namespace (line 5): unknown setting"),
])
def test_errors_name_key_and_line(tmp_path: Path, yaml_text: str, expected: str) -> None:
    path = tmp_path / "meshscope.yaml"
    path.write_text(textwrap.dedent(yaml_text))
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert expected in info.value.message, info.value.message


def test_prometheus_http_client_keys_load(tmp_path: Path) -> None:
    path = tmp_path / "meshscope.yaml"
    path.write_text(textwrap.dedent("""\
        scrape_configs:
          - job_name: pods
            scheme: https
            follow_redirects: false
            enable_http2: false
            proxy_url: http://proxy:3128
            tls_config: {ca_file: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt}
            authorization: {credentials_file: /var/run/secrets/kubernetes.io/serviceaccount/token}
            kubernetes_sd_configs:
              - role: pod
                attach_metadata: {node: true}
                selectors: [{role: node, label: "pool=web"}]
            http_sd_configs: [{url: "http://sd/targets", enable_http2: false, follow_redirects: true}]
        """))
    (job,) = load_settings(path, env={}).scrape_configs
    assert job.proxy_url == "http://proxy:3128" and not job.follow_redirects
    assert job.kubernetes_sd_configs[0].attach_metadata.node
    assert job.kubernetes_sd_configs[0].selectors[0].role == "node"
