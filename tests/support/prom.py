"""Remote-write bodies as Prometheus sends them, and a helper to read meshscope's SQL API."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import cramjam
import httpx

from meshscope.decode.prometheus.prompb import WriteRequest

Series = tuple[Sequence[tuple[str, str]], Sequence[tuple[int, float]]]


def write_request(series: Iterable[Series]) -> bytes:
    req = WriteRequest()
    for labels, samples in series:
        ts = req.timeseries.add()
        for k, v in labels:
            ts.labels.add(name=k, value=v)
        for t, v in samples:
            ts.samples.add(timestamp=t, value=v)
    return req.SerializeToString()


def snappy(body: bytes) -> bytes:
    return bytes(cramjam.snappy.compress_raw(body))


def post_write(url: str, body: bytes, compress: bool = True) -> httpx.Response:
    headers = {"content-type": "application/x-protobuf", "content-encoding": "snappy",
               "x-prometheus-remote-write-version": "0.1.0"}
    return httpx.post(f"{url}/api/v1/write", content=snappy(body) if compress else body, headers=headers,
                      timeout=30)


def sql(url: str, query: str) -> list[dict[str, object]]:
    r = httpx.get(f"{url}/api/ms/sql", params={"query": query}, timeout=30)
    assert r.status_code == 200, r.text
    return list(r.json()["data"])
