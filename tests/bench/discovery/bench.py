#!/usr/bin/env python3
"""Discovery benchmark: mesos-discovery (Rust library in-process, CLI as a fresh process) vs
marathon-python (the `marathon` package: `get_app` per app, and one `list_tasks`) against the
same workbench serving APPS apps x TASKS tasks, in one run; plus the live-membership latency
(workbench scale-up -> watcher callback). Prints a table with medians, spreads and ratios, and
a JSON summary on the last line (for tests/bench/run)."""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

PEER_SCRIPT = r'''
import json, sys, time
from marathon import MarathonClient
url, apps, rounds, mode = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3]), sys.argv[4]
client = MarathonClient(url)
def members_by_app():
    out = []
    for app in apps:
        for t in client.get_app(app).tasks:
            if t.state in ("TASK_STAGING", "TASK_STARTING", "TASK_RUNNING") and t.ports:
                out.append((t.host, t.ports[0]))
    return out
def members_by_tasks():
    wanted = set(apps)
    return [(t.host, t.ports[0]) for t in client.list_tasks()
            if t.app_id in wanted and t.state in ("TASK_STAGING", "TASK_STARTING", "TASK_RUNNING") and t.ports]
fn = members_by_app if mode == "get_app" else members_by_tasks
if rounds == 0:  # cold: one look, whole process
    print(json.dumps({"members": len(fn())}))
    sys.exit(0)
n = len(fn())
secs = []
for _ in range(rounds):
    t = time.perf_counter(); m = fn(); secs.append(time.perf_counter() - t)
    assert len(m) == n
print(json.dumps({"members": n, "seconds": secs}))
'''


def run_measured(cmd):
    """Runs cmd; returns (wall seconds, stdout)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"{cmd[0]} failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    return wall, out.decode()


def peak_rss_mib(cmd):
    """Peak RSS of one run of cmd, from wait4 (the child alone)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        sys.exit(f"{cmd[0]} failed: status {status}")
    return usage.ru_maxrss / 1024.0


def cpu_seconds(cmd):
    """User + system CPU of one run of cmd (the child alone), from wait4."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        sys.exit(f"{cmd[0]} failed: status {status}")
    return usage.ru_utime + usage.ru_stime


def stats(values):
    values = sorted(values)
    def pct(p):
        return values[min(len(values) - 1, int(round(p * (len(values) - 1))))]
    return {"median": statistics.median(values), "p10": pct(0.10), "p90": pct(0.90), "p99": pct(0.99), "n": len(values)}


def total_tasks(a):
    return a.apps * a.tasks


def fmt_ms(s):
    return f"{s * 1000:8.1f} ms"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--discovery-bench", required=True)
    ap.add_argument("--watch-bench", required=True)
    ap.add_argument("--python", default=sys.executable, help="interpreter with marathon installed")
    ap.add_argument("--apps", type=int, default=50)
    ap.add_argument("--tasks", type=int, default=100, help="tasks per app")
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--cold-rounds", type=int, default=7)
    ap.add_argument("--changes", type=int, default=200)
    a = ap.parse_args()

    apps = [f"/bench/app-{i:02d}" for i in range(a.apps)]
    # Enough agents that every task gets its own host ports (a Mesos agent offers ~1000).
    agents = [{"hostname": f"10.1.{i // 200}.{i % 200 + 1}"} for i in range(max(3, total_tasks(a) // 100))]
    cluster = {"seed": 7, "marathon": {"version": "1.10"}, "agents": agents,
               "apps": [{"id": app, "instances": a.tasks, "network": "host",
                         "ports": [{"name": "hazelcast"}, {"name": "https"}]} for app in apps]}
    tmp = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump(cluster, tmp)
    tmp.close()
    wb = subprocess.Popen([a.cli, "workbench", "--cluster", tmp.name, "--stdin-eof-stops"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        url = wb.stdout.readline().strip()
        app_list = ",".join(apps)
        total = a.apps * a.tasks
        rows = []

        # Rust library, in-process (one client, connections reused).
        _, out = run_measured([a.discovery_bench, url, app_list, str(a.rounds)])
        rust_lib = json.loads(out)
        assert rust_lib["members"] == total, rust_lib["members"]
        rust_lib_rss = peak_rss_mib([a.discovery_bench, url, app_list, "1"])
        rows.append(("Rust library, in-process", stats(rust_lib["seconds"]), rust_lib_rss))

        # Peer, in-process: get_app per app, and one /v2/tasks.
        peer = {}
        for mode in ("get_app", "list_tasks"):
            cmd = [a.python, "-c", PEER_SCRIPT, url, app_list, str(a.rounds), mode]
            _, out = run_measured(cmd)
            res = json.loads(out)
            assert res["members"] == total, (mode, res["members"])
            peer[mode] = (stats(res["seconds"]), peak_rss_mib([a.python, "-c", PEER_SCRIPT, url, app_list, "1", mode]))
            rows.append((f"marathon-python {mode}, in-process", *peer[mode]))

        # Whole process, cold: CLI vs a Python process doing the same look once.
        cli_cmd = [a.cli, "members", "--marathon", url, "--apps", app_list, "--format", "hostport"]
        cli_walls = []
        for _ in range(a.cold_rounds):
            wall, out = run_measured(cli_cmd)
            assert len(out.splitlines()) == total
            cli_walls.append(wall)
        cli_rss = peak_rss_mib(cli_cmd)
        rows.append(("mesos-discovery CLI, whole process", stats(cli_walls), cli_rss))
        cli_cpu = stats([cpu_seconds(cli_cmd) for _ in range(a.cold_rounds)])
        py_walls = []
        py_cmd = [a.python, "-c", PEER_SCRIPT, url, app_list, "0", "get_app"]
        for _ in range(a.cold_rounds):
            wall, _ = run_measured(py_cmd)
            py_walls.append(wall)
        py_rss = peak_rss_mib(py_cmd)
        rows.append(("marathon-python get_app, whole process", stats(py_walls), py_rss))
    finally:
        wb.stdin.close()
        wb.wait(timeout=10)
        os.unlink(tmp.name)

    # Live membership: events applied at once, and the debounce-only path side by side.
    watch = {}
    for mode, extra in (("fast path", []), ("debounce only", ["--no-apply-events"])):
        _, out = run_measured([a.watch_bench, str(a.changes), *extra])
        watch[mode] = json.loads(out)

    print(f"\nDiscovery of {total} tasks across {a.apps} apps (workbench on loopback; {a.rounds} rounds in-process, {a.cold_rounds} cold)")
    print(f"{'':44} {'median':>11} {'p10':>11} {'p90':>11} {'peak RSS':>10}")
    for name, s, rss in rows:
        print(f"{name:44} {fmt_ms(s['median'])} {fmt_ms(s['p10'])} {fmt_ms(s['p90'])} {rss:7.1f} MiB")
    lib = rows[0][1]["median"]
    print("\nRatios (peer median / ours):")
    ratios = {
        "in_process_vs_get_app": peer["get_app"][0]["median"] / lib,
        "in_process_vs_list_tasks": peer["list_tasks"][0]["median"] / lib,
        "cold_cli_vs_cold_python": statistics.median(py_walls) / statistics.median(cli_walls),
        "rss_cli_vs_python": py_rss / cli_rss,
    }
    for k, v in ratios.items():
        print(f"  {k:32} {v:6.1f}x")
    print(f"\nFirst refresh (one-shot discovery) of {total} tasks in {a.apps} apps, CPU of the whole CLI "
          f"process (user + system, {cli_cpu['n']} runs): median {fmt_ms(cli_cpu['median']).strip()}, "
          f"p90 {fmt_ms(cli_cpu['p90']).strip()}")
    print(f"\nLive membership (Rust core, in-process workbench; {a.changes} scale-ups and {a.changes} kills, "
          f"each paced until its refetch is done; requests = app fetches, the stream excluded):")
    print(f"{'':16} {'scale-up -> callback':>24} {'kill -> callback':>24} {'requests':>9} "
          f"{'40-task burst':>22}")
    print(f"{'':16} {'p50':>11} {'p99':>12} {'p50':>11} {'p99':>12} {'/change':>9} {'requests':>9} {'final set':>12}")
    summary = {}
    for mode, w in watch.items():
        up, kill = stats(w["scale_up"]), stats(w["kill"])
        print(f"{mode:16} {fmt_ms(up['median'])} {fmt_ms(up['p99']):>12} {fmt_ms(kill['median'])} "
              f"{fmt_ms(kill['p99']):>12} {w['requests_per_change']:9.2f} {w['burst']['requests']:9d} "
              f"{fmt_ms(w['burst']['seconds']):>12}")
        summary[mode] = {"scale_up": up, "kill": kill, "requests_per_change": w["requests_per_change"],
                         "burst": w["burst"]}
    print(json.dumps({"rows": [(n, s, r) for n, s, r in rows], "ratios": ratios, "cli_cpu": cli_cpu,
                      "watch": summary}))


if __name__ == "__main__":
    main()
