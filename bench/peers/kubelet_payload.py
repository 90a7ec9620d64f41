#!/usr/bin/env python3
"""A kubelet-like /metrics/cadvisor payload for a node with N pods, for the side-by-side benchmark.

Deterministic (seeded). Every pod has its pod-level cgroup (container=""), its sandbox (container="POD",
the pause image) and one or two application containers, each with the families cAdvisor exposes on a
kubelet (cpu, memory, filesystem and block I/O per device, tasks, spec, ...), with cAdvisor's label set
(container, id, image, name, namespace, pod, plus device/interface/... where the family has them),
HELP and TYPE lines. Samples carry no timestamp: a fixed one would be in the past by the time the payload is
served (and dropped by the receiver); the scrapers stamp them with the scrape time instead. The network families are reported for the pod cgroup
and for the sandbox, as cAdvisor does for the pod's network namespace, and for the node's root cgroup.
Sizes land near what real nodes serve: about 96 KB per pod (10.6 MB at 110 pods, 24 MB at 250).

Usage: kubelet_payload.py PODS OUT_DIR  ->  OUT_DIR/payload.prom, payload.prom.gz, payload.json
"""
import gzip
import json
import random
import sys
from pathlib import Path

NETWORK = ["receive_bytes_total", "receive_packets_total", "receive_errors_total", "receive_packets_dropped_total",
           "transmit_bytes_total", "transmit_packets_total", "transmit_errors_total",
           "transmit_packets_dropped_total"]
CPU = ["container_cpu_usage_seconds_total", "container_cpu_user_seconds_total", "container_cpu_system_seconds_total",
       "container_cpu_cfs_periods_total", "container_cpu_cfs_throttled_periods_total",
       "container_cpu_cfs_throttled_seconds_total", "container_cpu_load_average_10s"]
MEMORY = ["container_memory_cache", "container_memory_rss", "container_memory_swap", "container_memory_usage_bytes",
          "container_memory_working_set_bytes", "container_memory_max_usage_bytes", "container_memory_failcnt",
          "container_memory_mapped_file", "container_oom_events_total"]
FS = ["container_fs_inodes_free", "container_fs_inodes_total", "container_fs_io_current", "container_fs_io_time_seconds_total",
      "container_fs_io_time_weighted_seconds_total", "container_fs_limit_bytes", "container_fs_read_seconds_total",
      "container_fs_reads_bytes_total", "container_fs_reads_total",
      "container_fs_usage_bytes",
      "container_fs_write_seconds_total", "container_fs_writes_bytes_total", "container_fs_writes_total"]
OTHER = ["container_file_descriptors", "container_last_seen", "container_processes", "container_spec_cpu_period", "container_spec_cpu_shares", "container_spec_memory_limit_bytes",
         "container_spec_memory_reservation_limit_bytes", "container_spec_memory_swap_limit_bytes",
         "container_start_time_seconds", "container_threads"]
DEVICES = ["/dev/nvme0n1", "/dev/nvme0n1p1"]
TASK_STATES = ["iowaiting", "running", "sleeping", "stopped", "uninterruptible"]
BLKIO_OPS = ["Async", "Read", "Sync", "Write"]
NAMESPACES = ["checkout", "cart", "payments", "search", "catalog", "game-2048", "monitoring", "kube-system",
              "ingress", "orders"]


def hexid(rng, n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def cgroups(pods, rng):
    """(labels dict, is_network) per cgroup, the node's root first."""
    out = [({"container": "", "id": "/", "image": "", "name": "", "namespace": "", "pod": ""}, True)]
    for i in range(pods):
        ns = NAMESPACES[i % len(NAMESPACES)]
        app = f"{ns}-svc{i // len(NAMESPACES)}"
        pod = f"{app}-{hexid(rng, 9)}-{hexid(rng, 5)}"
        uid = "-".join(hexid(rng, n) for n in (8, 4, 4, 4, 12))
        qos = rng.choice(["burstable", "besteffort"])
        base = f"/kubepods.slice/kubepods-{qos}.slice/kubepods-{qos}-pod{uid.replace('-', '_')}.slice"
        out.append(({"container": "", "id": base, "image": "", "name": "", "namespace": ns, "pod": pod}, True))
        sandbox = hexid(rng, 64)
        out.append(({"container": "POD", "id": f"{base}/cri-containerd-{sandbox}.scope",
                     "image": "602401143452.dkr.ecr.us-east-2.amazonaws.com/eks/pause:3.5", "name": sandbox,
                     "namespace": ns, "pod": pod}, True))
        for c in range(1 + (i % 5 == 0)):
            cid = hexid(rng, 64)
            out.append(({"container": app if c == 0 else "istio-proxy", "id": f"{base}/cri-containerd-{cid}.scope",
                         "image": f"123456789012.dkr.ecr.us-east-2.amazonaws.com/{app}:v1.{i % 17}.{c}",
                         "name": cid, "namespace": ns, "pod": pod}, False))
    return out


def render(labels, extra=None):
    items = dict(labels)
    if extra:
        items.update(extra)
    return "{" + ",".join(f'{k}="{v}"' for k, v in sorted(items.items())) + "}"


def payload(pods, seed=14):
    rng = random.Random(seed)
    groups = cgroups(pods, rng)
    lines = []
    network_series = 0
    sandbox_pods = 0

    def family(name, kind, rows):
        lines.append(f"# HELP {name} cAdvisor metric {name}.")
        lines.append(f"# TYPE {name} {kind}")
        for labels, extra, value in rows:
            lines.append(f"{name}{render(labels, extra)} {value}")

    for suffix in NETWORK:
        rows = []
        for labels, net in groups:
            if net:
                for iface in (["eth0", "ens5", "ens6"] if labels["id"] == "/" else ["eth0"]):
                    rows.append((labels, {"interface": iface}, f"{rng.randint(1, 10**10):.7e}"))
        network_series += len(rows)
        family("container_network_" + suffix, "counter", rows)
    for name in CPU:
        extra = [{"cpu": "total"}] if name == "container_cpu_usage_seconds_total" else [None]
        family(name, "counter" if name.endswith("_total") else "gauge",
               [(l, e, f"{rng.random() * 1e4:.6f}") for l, _ in groups for e in extra])
    for name in MEMORY:
        family(name, "gauge", [(l, None, rng.randint(0, 2 ** 31)) for l, _ in groups])
    family("container_memory_failures_total", "counter",
           [(l, {"failure_type": t, "scope": s}, rng.randint(0, 10**6)) for l, _ in groups
            for t in ("pgfault", "pgmajfault") for s in ("container", "hierarchy")])
    for name in FS:
        family(name, "gauge" if "bytes" not in name or "usage" in name else "counter",
               [(l, {"device": d}, rng.randint(0, 10**9)) for l, _ in groups for d in DEVICES])
    family("container_blkio_device_usage_total", "counter",
           [(l, {"device": d, "major": "259", "minor": str(k), "operation": op}, rng.randint(0, 10**9))
            for l, _ in groups for k, d in enumerate(DEVICES) for op in BLKIO_OPS])
    family("container_tasks_state", "gauge", [(l, {"state": s}, rng.randint(0, 9)) for l, _ in groups for s in TASK_STATES])
    family("container_ulimits_soft", "gauge", [(l, {"ulimit": "max_open_files"}, 1048576) for l, _ in groups])
    for name in OTHER:
        family(name, "gauge", [(l, None, f"{rng.random() * 1e9:.9e}") for l, _ in groups])
    sandbox_pods = pods
    text = "\n".join(lines) + "\n"
    return text, {"pods": pods, "network_series": network_series, "network_series_per_family": network_series // 8,
                  # netcost keeps one series per pod, interface and family (container "" and "POD" are one)
                  "netcost_series_per_family": sandbox_pods}


def main():
    pods = int(sys.argv[1])
    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    text, meta = payload(pods)
    raw = text.encode()
    (out / "payload.prom").write_bytes(raw)
    gz = gzip.compress(raw, compresslevel=6)
    (out / "payload.prom.gz").write_bytes(gz)
    meta.update(bytes=len(raw), gzip_bytes=len(gz))
    (out / "payload.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
