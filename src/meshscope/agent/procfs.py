"""Host metrics read from ``/proc`` (and ``statvfs``), named as node_exporter names them."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import NamedTuple

USER_HZ = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
CPU_MODES = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")
_FS_SKIP = {"proc", "sysfs", "cgroup", "cgroup2", "devpts", "mqueue", "debugfs", "tracefs", "securityfs",
            "pstore", "bpf", "configfs", "fusectl", "hugetlbfs", "autofs", "binfmt_misc", "nsfs", "rpc_pipefs",
            "devtmpfs", "squashfs"}


class Sample(NamedTuple):
    """One point: counters are cumulative (OTLP monotonic sums), the rest gauges."""

    name: str
    labels: dict[str, str]
    value: float
    counter: bool = False


def cpu(proc: Path) -> list[Sample]:
    out = []
    stat = (proc / "stat").read_text().splitlines()
    for line in stat:
        parts = line.split()
        if parts and parts[0].startswith("cpu") and parts[0] != "cpu":
            for mode, ticks in zip(CPU_MODES, parts[1:9], strict=False):
                out.append(Sample("node_cpu_seconds_total", {"cpu": parts[0][3:], "mode": mode},
                                  int(ticks) / USER_HZ, True))
    return out


def processes(proc: Path) -> list[Sample]:
    out = []
    for line in (proc / "stat").read_text().splitlines():
        key, _, value = line.partition(" ")
        if key == "procs_running":
            out.append(Sample("node_procs_running", {}, float(value)))
        elif key == "procs_blocked":
            out.append(Sample("node_procs_blocked", {}, float(value)))
        elif key == "processes":
            out.append(Sample("node_forks_total", {}, float(value), True))
    return out


def uptime(proc: Path) -> list[Sample]:
    out = []
    for line in (proc / "stat").read_text().splitlines():
        if line.startswith("btime "):
            out.append(Sample("node_boot_time_seconds", {}, float(line.split()[1])))
    out.append(Sample("node_uptime_seconds", {}, float((proc / "uptime").read_text().split()[0])))
    out.append(Sample("node_time_seconds", {}, time.time()))  # for time() - node_boot_time_seconds
    return out


def memory(proc: Path) -> list[Sample]:
    out = []
    for line in (proc / "meminfo").read_text().splitlines():
        key, _, rest = line.partition(":")
        parts = rest.split()
        if not parts:
            continue
        in_kb = len(parts) > 1 and parts[1] == "kB"  # counts (HugePages_Total) get no _bytes, as node_exporter
        name = key.replace("(", "_").replace(")", "")
        out.append(Sample(f"node_memory_{name}" + ("_bytes" if in_kb else ""), {},
                          float(parts[0]) * (1024 if in_kb else 1)))
    return out


def load(proc: Path) -> list[Sample]:
    one, five, fifteen = (proc / "loadavg").read_text().split()[:3]
    return [Sample("node_load1", {}, float(one)), Sample("node_load5", {}, float(five)),
            Sample("node_load15", {}, float(fifteen))]


def filesystem(proc: Path) -> list[Sample]:
    out = []
    seen = set()
    for line in (proc / "mounts").read_text().splitlines():
        device, mountpoint, fstype = line.split()[:3]
        if fstype in _FS_SKIP or mountpoint in seen:
            continue
        seen.add(mountpoint)
        try:
            st = os.statvfs(mountpoint)
        except OSError:
            continue
        labels = {"device": device, "mountpoint": mountpoint, "fstype": fstype}
        out += [Sample("node_filesystem_size_bytes", labels, float(st.f_blocks * st.f_frsize)),
                Sample("node_filesystem_free_bytes", labels, float(st.f_bfree * st.f_frsize)),
                Sample("node_filesystem_avail_bytes", labels, float(st.f_bavail * st.f_frsize)),
                Sample("node_filesystem_files", labels, float(st.f_files)),
                Sample("node_filesystem_files_free", labels, float(st.f_ffree))]
    return out


def disk(proc: Path) -> list[Sample]:
    out = []
    for line in (proc / "diskstats").read_text().splitlines():
        f = line.split()
        if len(f) < 14 or f[2].startswith(("loop", "ram")):
            continue
        labels = {"device": f[2]}
        out += [Sample("node_disk_reads_completed_total", labels, float(f[3]), True),
                Sample("node_disk_read_bytes_total", labels, float(f[5]) * 512, True),
                Sample("node_disk_writes_completed_total", labels, float(f[7]), True),
                Sample("node_disk_written_bytes_total", labels, float(f[9]) * 512, True),
                Sample("node_disk_io_time_seconds_total", labels, float(f[12]) / 1000, True)]
    return out


def network(proc: Path) -> list[Sample]:
    out = []
    for line in (proc / "net" / "dev").read_text().splitlines()[2:]:
        name, _, rest = line.partition(":")
        f = rest.split()
        labels = {"device": name.strip()}
        out += [Sample("node_network_receive_bytes_total", labels, float(f[0]), True),
                Sample("node_network_receive_packets_total", labels, float(f[1]), True),
                Sample("node_network_receive_errs_total", labels, float(f[2]), True),
                Sample("node_network_transmit_bytes_total", labels, float(f[8]), True),
                Sample("node_network_transmit_packets_total", labels, float(f[9]), True),
                Sample("node_network_transmit_errs_total", labels, float(f[10]), True)]
    return out


COLLECTORS = {"cpu": cpu, "memory": memory, "load": load, "filesystem": filesystem, "disk": disk,
              "network": network, "uptime": uptime, "processes": processes}
