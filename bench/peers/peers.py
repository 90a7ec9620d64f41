#!/usr/bin/env python3
"""Side by side: netcost, Prometheus in agent mode and vmagent scrape the same kubelet-like payload.

For each payload size (pods), each agent runs alone for --duration seconds: it scrapes a local
kubelet-like endpoint serving kubelet_payload.py's /metrics/cadvisor (gzip when asked for) every
--interval, keeps only container_network_* and remote-writes to one VictoriaMetrics. The script samples
the agent's /proc/PID/stat (user+system CPU) and /proc/PID/status (VmRSS, VmHWM) twice a second, counts
the scrapes the endpoint answered, and afterwards asks VictoriaMetrics what arrived: the network series
(each agent must deliver every series it keeps) and the scrape outcomes (`up` for the peers,
`netcost_agent_exporter_success{exporter="cadvisor"}` for netcost), so a missed cycle shows.

CPU per scrape = CPU time after the warm-up / scrapes answered after the warm-up. Steady RSS = the
median VmRSS after the warm-up. Peak = VmHWM at the end (the process's lifetime peak).

Everything listens on 127.0.0.1 on free ports; every process is started here and stopped here.
Usage: python3 bench/peers/peers.py --jar agent/target/netcost-agent.jar [--pods 30,110,250]
       [--duration 60] [--warmup 15] [--interval 1s] [--agents netcost,prometheus,vmagent]
       [--netcost-flags '-Xmx154m ...'] [--label NAME] [--json OUT.json]
"""
import argparse
import gzip
import http.server
import json
import os
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import kubelet_payload  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Kubelet:
    """Serves one payload at /metrics/cadvisor, gzip-compressed when the client accepts it; counts answers."""

    def __init__(self):
        self.raw = b""
        self.gz = b""
        self.answered = []  # monotonic times of complete answers
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802
                if self.path.split("?")[0] != "/metrics/cadvisor":
                    self.send_error(404)
                    return
                gz = "gzip" in (self.headers.get("Accept-Encoding") or "")
                body = outer.gz if gz else outer.raw
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                if gz:
                    self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    return
                with outer.lock:
                    outer.answered.append(time.monotonic())

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def serve(self, raw):
        self.raw = raw
        self.gz = gzip.compress(raw, compresslevel=6)
        with self.lock:
            self.answered = []

    def answered_between(self, t0, t1):
        with self.lock:
            return sum(1 for t in self.answered if t0 <= t < t1)

    def close(self):
        self.server.shutdown()


class Victoria:
    def __init__(self, work):
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["victoria-metrics", f"-storageDataPath={work}/vm", f"-httpListenAddr=127.0.0.1:{self.port}",
             "-retentionPeriod=1d", "-search.latencyOffset=1s", "-loggerLevel=ERROR"],
            stdout=subprocess.DEVNULL, stderr=open(f"{work}/vm.log", "w"))
        wait_http(f"http://127.0.0.1:{self.port}/health")
        self.write_url = f"http://127.0.0.1:{self.port}/api/v1/write"

    def query(self, q, at):
        url = f"http://127.0.0.1:{self.port}/api/v1/query?" + urllib.parse.urlencode({"query": q, "time": f"{at:.3f}"})
        with urllib.request.urlopen(url, timeout=30) as r:
            data = json.load(r)["data"]["result"]
        return [float(x["value"][1]) for x in data]

    def close(self):
        stop(self.proc)


def wait_http(url, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def stop(proc, grace=15):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def scrape_config(job, port, interval):
    return f"""global:
  scrape_interval: {interval}
  scrape_timeout: {interval}
scrape_configs:
  - job_name: {job}
    metrics_path: /metrics/cadvisor
    static_configs: [{{targets: ['127.0.0.1:{port}']}}]
    metric_relabel_configs:
      - {{source_labels: [__name__], regex: 'container_network_.*', action: keep}}
"""


def start_agent(name, args, work, kubelet, vm):
    d = Path(work) / name
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    log = open(d / "agent.log", "w")
    port = free_port()
    if name == "prometheus":
        cfg = d / "prometheus.yml"
        cfg.write_text(scrape_config("prometheus-agent", kubelet.port, args.interval)
                       + f"remote_write:\n  - url: {vm.write_url}\n")
        cmd = ["prometheus", "--enable-feature=agent", f"--config.file={cfg}", f"--storage.agent.path={d}/data",
               f"--web.listen-address=127.0.0.1:{port}"]
    elif name == "vmagent":
        cfg = d / "scrape.yml"
        cfg.write_text(scrape_config("vmagent", kubelet.port, args.interval))
        cmd = ["vmagent", f"-promscrape.config={cfg}", f"-remoteWrite.url={vm.write_url}",
               f"-remoteWrite.tmpDataPath={d}/data", f"-httpListenAddr=127.0.0.1:{port}", "-loggerLevel=WARN",
               "-promscrape.maxScrapeSize=256MB"]  # its default, 16 MiB, rejects a 110-pod payload
    else:
        cfg = d / "netcost.yaml"
        cfg.write_text(f"""nodeName: bench-node
interval: {args.interval}
kubernetes: {{enabled: false}}
debug: {{listen: "127.0.0.1:{port}"}}
iptables: {{enabled: false}}
cadvisor:
  url: http://127.0.0.1:{kubelet.port}/metrics/cadvisor
  bearerTokenFile: ""
  caFile: ""
remoteWrite:
  - url: {vm.write_url}
{args.netcost_endpoint_yaml}""")
        cmd = ["java"] + shlex.split(args.netcost_flags) + ["-jar", args.jar, "node", "--config", str(cfg)]
    env = dict(os.environ)
    if name == "netcost":
        env.update(kv.split("=", 1) for kv in args.netcost_env.split())
    return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=d, env=env), cmd


def proc_sample(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime
    status = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            status[k] = v.strip()
    return cpu, int(status["VmRSS"].split()[0]), int(status["VmHWM"].split()[0]), int(status["Threads"])


def thread_cpu(pid):
    """CPU seconds by thread name (threads of one name summed)."""
    out = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat.rsplit(")", 1)[1].split()
        out[name] = out.get(name, 0) + (int(fields[11]) + int(fields[12])) / CLK_TCK
    return out


def run_one(name, pods, meta, args, work, kubelet, vm):
    proc, cmd = start_agent(name, args, work, kubelet, vm)
    t_start_wall = time.time()
    t_start = time.monotonic()
    samples = []
    threads_at_warmup = None
    try:
        while time.monotonic() - t_start < args.duration:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}; see {work}/{name}/agent.log")
            samples.append((time.monotonic(),) + proc_sample(proc.pid))
            if threads_at_warmup is None and samples[-1][0] - t_start >= args.warmup:
                threads_at_warmup = thread_cpu(proc.pid)
            time.sleep(0.5)
        t_end_wall = time.time()
        threads_at_end = thread_cpu(proc.pid)
    finally:
        stop(proc)
    steady = [s for s in samples if s[0] - t_start >= args.warmup]
    by_thread = sorted(((n, c - threads_at_warmup.get(n, 0)) for n, c in threads_at_end.items()),
                       key=lambda x: -x[1])
    cpu_steady = steady[-1][1] - steady[0][1]
    scrapes = kubelet.answered_between(steady[0][0], steady[-1][0])
    time.sleep(4)  # VictoriaMetrics makes fresh samples searchable within about a second
    window = f"{int(t_end_wall - t_start_wall) + 2}s"
    at = t_end_wall + 1
    if name == "netcost":
        sel_net = 'container_network_receive_bytes_total{node="bench-node"}'
        outcome = 'netcost_agent_exporter_success{exporter="cadvisor",node="bench-node"}'
        expected = meta["netcost_series_per_family"]
    else:
        job = "prometheus-agent" if name == "prometheus" else "vmagent"
        sel_net = f'container_network_receive_bytes_total{{job="{job}"}}'
        outcome = f'up{{job="{job}"}}'
        expected = meta["network_series_per_family"]
    delivered = len(vm.query(f"last_over_time({sel_net}[{window}])", at))
    attempts = sum(vm.query(f"count_over_time({outcome}[{window}])", at))
    ok = sum(vm.query(f"sum_over_time({outcome}[{window}])", at))
    # Only cycles after the warm-up count as missed (start-up is not steady state).
    steady_window = f"{int(t_end_wall - t_start_wall - args.warmup)}s"
    attempts_steady = sum(vm.query(f"count_over_time({outcome}[{steady_window}])", at - 1))
    ok_steady = sum(vm.query(f"sum_over_time({outcome}[{steady_window}])", at - 1))
    log = (Path(work) / name / "agent.log").read_text(errors="replace").splitlines()
    failures = [line[:300] for line in log if "failed" in line or "ERROR" in line][:3]
    return {
        "agent": name, "pods": pods, "command": (args.netcost_env + " " if name == "netcost" and args.netcost_env else "")
        + " ".join(cmd), "failures": failures,
        "cpu_ms_per_scrape": round(1000 * cpu_steady / max(1, scrapes), 1),
        "scrapes_answered_steady": scrapes,
        "steady_rss_mib": round(statistics.median(s[2] for s in steady) / 1024, 1),
        "peak_rss_mib": round(samples[-1][3] / 1024, 1),
        "threads": samples[-1][4],
        "cpu_ms_per_scrape_by_thread": {n: round(1000 * c / max(1, scrapes), 1) for n, c in by_thread[:6]},
        "network_series_delivered": delivered, "network_series_expected": expected,
        "cycles": int(attempts), "cycles_ok": int(ok),
        "cycles_steady": int(attempts_steady), "cycles_missed_steady": int(attempts_steady - ok_steady),
    }


def version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        text = (out.stdout + out.stderr).strip().splitlines()
        return text[0] if text else "?"
    except OSError:
        return "?"


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next((l.split(":", 1)[1].strip() for l in open("/proc/meminfo") if l.startswith("MemTotal")), "?")
    return {
        "cpu": f"{os.cpu_count()} x {cpu}", "memory": mem, "kernel": os.uname().release,
        "load_average_at_start": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "java": version(["java", "-version"]), "prometheus": version(["prometheus", "--version"]),
        "vmagent": version(["dpkg-query", "-W", "-f=${Version}", "victoria-metrics"]),
    }


def markdown(results, env, args):
    rows = ["| pods (payload) | agent | CPU ms / scrape | peak RSS (VmHWM) MiB | steady RSS MiB | threads |"
            " network series delivered / expected | cycles missed after warm-up |",
            "|---|---|---|---|---|---|---|---|"]
    ratios = ["| pods | netcost peak RSS / vmagent's | netcost CPU per scrape / Prometheus agent's |"
              " netcost / vmagent CPU |", "|---|---|---|---|"]
    for pods in sorted({r["pods"] for r in results}):
        by = {r["agent"]: r for r in results if r["pods"] == pods}
        for name in ("netcost", "prometheus", "vmagent"):
            r = by.get(name)
            if r:
                rows.append(f"| {pods} ({r['payload_bytes'] / 1e6:.1f} MB) | {name} | {r['cpu_ms_per_scrape']}"
                            f" | {r['peak_rss_mib']} | {r['steady_rss_mib']} | {r['threads']}"
                            f" | {r['network_series_delivered']} / {r['network_series_expected']}"
                            f" | {r['cycles_missed_steady']} of {r['cycles_steady']} |")
        n, p, v = by.get("netcost"), by.get("prometheus"), by.get("vmagent")
        if n and p and v:
            ratios.append(f"| {pods} | {n['peak_rss_mib'] / v['peak_rss_mib']:.2f} |"
                          f" {n['cpu_ms_per_scrape'] / p['cpu_ms_per_scrape']:.2f} |"
                          f" {n['cpu_ms_per_scrape'] / v['cpu_ms_per_scrape']:.2f} |")
    cmds = sorted({f"- {r['agent']}: `{r['command']}`" for r in results if r["pods"] == results[0]["pods"]})
    return "\n".join([
        "Machine: " + ", ".join(f"{k} {v}" for k, v in env.items()),
        f"Run: every {args.interval}, {args.duration:.0f} s per agent and size, the first {args.warmup:.0f} s"
        " (start-up, JIT) left out of CPU, steady RSS and missed cycles.",
        "", *rows, "", *ratios, "", "Commands (temporary paths shortened in the raw JSON):", *cmds, ""])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jar", default="agent/target/netcost-agent.jar")
    ap.add_argument("--from-json", default="", help="only write --markdown from a previous --json")
    ap.add_argument("--pods", default="30,110,250")
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--warmup", type=float, default=15)
    ap.add_argument("--interval", default="1s")
    ap.add_argument("--agents", default="netcost,prometheus,vmagent")
    ap.add_argument("--netcost-flags", default="-Xmx154m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError")
    ap.add_argument("--netcost-env", default="", help="NAME=VALUE ... for netcost's environment")
    ap.add_argument("--netcost-endpoint-yaml", default="",
                    help="more keys of netcost's remote-write endpoint, indented YAML (e.g. '    queue: {durable: false}')")
    ap.add_argument("--label", default="")
    ap.add_argument("--json", default="")
    ap.add_argument("--markdown", default="", help="write the tables (Markdown) here")
    args = ap.parse_args()
    if args.from_json:
        data = json.loads(Path(args.from_json).read_text())
        results = data["results"] if isinstance(data, dict) else data
        env = data.get("machine", {}) if isinstance(data, dict) else machine()
        Path(args.markdown).write_text(markdown(results, env, args))
        return
    work = tempfile.mkdtemp(prefix="netcost-peers-")
    kubelet = Kubelet()
    vm = Victoria(work)
    results = []
    try:
        for pods in [int(p) for p in args.pods.split(",")]:
            text, meta = kubelet_payload.payload(pods)
            raw = text.encode()
            kubelet.serve(raw)
            meta.update(bytes=len(raw), gzip_bytes=len(kubelet.gz))
            for name in args.agents.split(","):
                r = run_one(name, pods, meta, args, work, kubelet, vm)
                r.update(payload_bytes=meta["bytes"], payload_gzip_bytes=meta["gzip_bytes"], label=args.label)
                results.append(r)
                print(json.dumps(r), flush=True)
    finally:
        vm.close()
        kubelet.close()
    env = machine()
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": env, "results": results}, indent=2) + "\n")
    if args.markdown:
        Path(args.markdown).write_text(markdown(results, env, args))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
