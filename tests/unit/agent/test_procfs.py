"""Host metrics from a /proc written by the test, so the values are known."""

from pathlib import Path

from meshscope.agent.config import HostMetrics
from meshscope.agent.hostmetrics import collect, metrics_request
from meshscope.agent.procfs import USER_HZ

STAT = """cpu  10 0 10 100 0 0 0 0 0 0
cpu0 200 1 30 400 5 0 2 0 0 0
intr 1 2 3
btime 1700000000
processes 12345
procs_running 3
procs_blocked 1
"""
MEMINFO = "MemTotal:        1000 kB\nMemAvailable:     600 kB\nHugePages_Total:       0\n"
NETDEV = """Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier
  eth0: 1000 10 1 0 0 0 0 0 2000 20 2 0 0 0 0 0
"""
DISKSTATS = "   8       0 sda 100 0 800 50 200 0 1600 70 0 3000 120 0 0 0 0\n   7 0 loop0 1 0 2 0 0 0 0 0 0 0 0 0\n"


def _proc(tmp_path: Path) -> Path:
    (tmp_path / "net").mkdir()
    (tmp_path / "stat").write_text(STAT)
    (tmp_path / "meminfo").write_text(MEMINFO)
    (tmp_path / "loadavg").write_text("0.50 0.25 0.10 1/100 999\n")
    (tmp_path / "uptime").write_text("3600.5 7000.0\n")
    (tmp_path / "net" / "dev").write_text(NETDEV)
    (tmp_path / "diskstats").write_text(DISKSTATS)
    (tmp_path / "mounts").write_text(f"tmpfs {tmp_path} tmpfs rw 0 0\nproc /proc proc rw 0 0\n")
    return tmp_path


def test_node_exporter_names_and_values(tmp_path: Path) -> None:
    samples = {(s.name, tuple(sorted(s.labels.items()))): s for s in collect(HostMetrics(proc_root=_proc(tmp_path)))}
    assert samples[("node_cpu_seconds_total", (("cpu", "0"), ("mode", "user")))].value == 200 / USER_HZ
    assert samples[("node_cpu_seconds_total", (("cpu", "0"), ("mode", "idle")))].counter
    assert samples[("node_memory_MemAvailable_bytes", ())].value == 600 * 1024
    assert ("node_memory_HugePages_Total", ()) in samples
    assert samples[("node_load1", ())].value == 0.5 and samples[("node_load15", ())].value == 0.1
    assert samples[("node_boot_time_seconds", ())].value == 1700000000
    assert samples[("node_uptime_seconds", ())].value == 3600.5
    assert samples[("node_procs_running", ())].value == 3 and samples[("node_procs_blocked", ())].value == 1
    assert samples[("node_network_receive_bytes_total", (("device", "eth0"),))].value == 1000
    assert samples[("node_network_transmit_errs_total", (("device", "eth0"),))].value == 2
    assert samples[("node_disk_read_bytes_total", (("device", "sda"),))].value == 800 * 512
    assert not any(name.startswith("node_disk") and dict(labels).get("device") == "loop0" for name, labels in samples)
    fs = [k for k in samples if k[0] == "node_filesystem_avail_bytes"]
    assert len(fs) == 1 and dict(fs[0][1])["mountpoint"] == str(tmp_path)


def test_metrics_request_types(tmp_path: Path) -> None:
    from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest

    body = metrics_request(collect(HostMetrics(proc_root=_proc(tmp_path), collectors=["cpu", "load"])),
                           {"host.name": "h"}, 2_000, 1_000)
    scope = ExportMetricsServiceRequest.FromString(body).resource_metrics[0].scope_metrics[0]
    metrics = {m.name: m for m in scope.metrics}
    cpu = metrics["node_cpu_seconds_total"]
    assert cpu.sum.is_monotonic and cpu.sum.aggregation_temporality == 2 and len(cpu.sum.data_points) == 8
    assert cpu.sum.data_points[0].start_time_unix_nano == 1_000
    assert metrics["node_load1"].gauge.data_points[0].as_double == 0.5
