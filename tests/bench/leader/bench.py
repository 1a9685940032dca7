#!/usr/bin/env python3
"""Leader detection: mesos-discovery (Rust core) vs a kazoo-based detector, same server, one run.

The kazoo side does what seed 004 and pymesos do: KazooClient, get_children, read the leader's
json.info znode (one-shot); a ChildrenWatch that re-reads the leader on every change (watch) -
with the leader chosen correctly (smallest sequence) so both sides do the same work.

Driven by ./run, which builds the Rust binaries, starts ZooKeeper and a throwaway venv.
"""
import argparse
import json
import statistics
import subprocess
import sys
import threading
import time

from kazoo.client import KazooClient

PATH = "/mesos"


def seq(name):
    return int(name.rsplit("_", 1)[-1])


def contenders(children):
    return sorted((c for c in children if c.rsplit("_", 1)[-1].isdigit()), key=seq)


def master_info(i):
    ip = "10.0.%d.%d" % (i // 250, i % 250 + 1)
    packed = int.from_bytes(bytes(int(p) for p in ip.split(".")), "little")
    return json.dumps({
        "id": "master-%d" % i, "ip": packed, "port": 5050, "pid": "master@%s:5050" % ip,
        "hostname": "m%d" % i, "version": "1.11.0",
        "address": {"ip": ip, "port": 5050, "hostname": "m%d" % i},
        "capabilities": [{"type": "AGENT_UPDATE"}],
    }).encode()


class Master:
    """A fake master: its own session and ephemeral sequential json.info_ node, like Mesos."""

    def __init__(self, hosts, i):
        self.id = "master-%d" % i
        self.zk = KazooClient(hosts=hosts, timeout=30)
        self.zk.start(timeout=30)
        self.zk.create(PATH + "/json.info_", master_info(i), ephemeral=True, sequence=True, makepath=True)

    def leave(self):
        self.zk.stop()  # closeSession: the znode goes at once
        self.zk.close()


def kazoo_oneshot(hosts):
    zk = KazooClient(hosts=hosts, timeout=10)
    zk.start(timeout=10)
    try:
        found = contenders(zk.get_children(PATH))
        if not found:
            return None
        data, _ = zk.get(PATH + "/" + found[0])
        return json.loads(data)["id"]
    finally:
        zk.stop()
        zk.close()


class KazooWatcher:
    def __init__(self, hosts):
        self.events = []  # (unix ns, leader id)
        self.lock = threading.Condition()
        self.current = None
        self.zk = KazooClient(hosts=hosts, timeout=10)
        self.zk.start(timeout=10)
        self.zk.ChildrenWatch(PATH, self.changed)

    def changed(self, children):
        found = contenders(children)
        leader = None
        if found:
            try:
                data, _ = self.zk.get(PATH + "/" + found[0])
                leader = json.loads(data)["id"]
            except Exception:  # vanished meanwhile: the next event re-reads
                return True
        if leader != self.current:
            now = time.time_ns()
            with self.lock:
                self.current = leader
                self.events.append((now, leader))
                self.lock.notify_all()
        return True

    def stop(self):
        self.zk.stop()
        self.zk.close()


class RustWatcher:
    def __init__(self, binary, url):
        self.events = []
        self.lock = threading.Condition()
        self.proc = subprocess.Popen([binary, "watch", url], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        for line in self.proc.stdout:
            stamp, leader = line.split()
            with self.lock:
                self.events.append((int(stamp), None if leader == "-" else leader))
                self.lock.notify_all()

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def wait_for(watcher, leader, after_ns, timeout=20):
    deadline = time.time() + timeout
    with watcher.lock:
        while True:
            for stamp, who in watcher.events:
                if who == leader and stamp >= after_ns:
                    return stamp
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError("%s did not report %s" % (type(watcher).__name__, leader))
            watcher.lock.wait(left)


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


PYMESOS_ONESHOT = r"""
import importlib.util, sys, threading, site
path = None
for d in site.getsitepackages():
    import os
    if os.path.exists(os.path.join(d, "pymesos", "detector.py")):
        path = os.path.join(d, "pymesos", "detector.py")
spec = importlib.util.spec_from_file_location("pymesos_detector", path)
detector = importlib.util.module_from_spec(spec)
spec.loader.exec_module(detector)
found = threading.Event()
class Agent:
    def onNewMasterDetectedMessage(self, data):
        print(data[:40]); found.set()
    def onNoMasterDetectedMessage(self):
        print("none"); found.set()
d = detector.MasterDetector(sys.argv[1], Agent())
d.start()
ok = found.wait(30)
d.stop()
sys.exit(0 if ok else 1)
"""


def row(name, rust, kazoo):
    cells = []
    for stat in ("p50", "p90", "mean"):
        f = {"p50": lambda v: pct(v, 50), "p90": lambda v: pct(v, 90), "mean": statistics.mean}[stat]
        r, k = f(rust), f(kazoo)
        cells.append((stat, r, k, k / r if r else float("inf")))
    return name, cells


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rust-bench", required=True)
    ap.add_argument("--cli", required=True)
    ap.add_argument("--zk-server", required=True)
    ap.add_argument("--rounds", type=int, default=30)
    args = ap.parse_args()

    server = subprocess.Popen([args.zk_server], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        hosts = server.stdout.readline().strip()
        if not hosts:
            sys.exit("ZooKeeper did not start")
        url = "zk://%s%s" % (hosts, PATH)
        masters = [Master(hosts, i) for i in range(3)]
        next_id = 3

        # One-shot, in-process: connect, list, read the leader, close. The two sides alternate
        # (after a warm-up of both) so neither gets a colder or busier server.
        rust_oneshot = subprocess.Popen([args.rust_bench, "oneshot", url], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)

        def rust_once():
            rust_oneshot.stdin.write("\n")
            rust_oneshot.stdin.flush()
            ms, leader = rust_oneshot.stdout.readline().split()
            assert leader == masters[0].id, leader
            return float(ms)

        def kazoo_once():
            t = time.perf_counter()
            assert kazoo_oneshot(hosts) == masters[0].id
            return (time.perf_counter() - t) * 1000

        for _ in range(20):
            rust_once()
            kazoo_once()
        rust_oneshot_ms, kazoo_oneshot_ms = [], []
        for _ in range(args.rounds):
            rust_oneshot_ms.append(rust_once())
            kazoo_oneshot_ms.append(kazoo_once())
        rust_oneshot.stdin.close()
        rust_oneshot.wait(timeout=30)

        # One-shot as users run it: a fresh process each time (CLI vs a kazoo script).
        script = ("import sys; sys.path.insert(0, %r); import bench; print(bench.kazoo_oneshot(%r))"
                  % (sys.path[0], hosts))
        cli_ms, py_ms, pymesos_ms = [], [], []
        for _ in range(max(10, args.rounds // 2)):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", PYMESOS_ONESHOT, hosts + PATH], check=True, capture_output=True)
            pymesos_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            subprocess.run([args.cli, "leader", "--zk", url], check=True, capture_output=True)
            cli_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", script], check=True, capture_output=True)
            py_ms.append((time.perf_counter() - t) * 1000)

        # Leader change: both watchers follow the same group; the leader's session closes.
        rust, kazoo = RustWatcher(args.rust_bench, url), KazooWatcher(hosts)
        wait_for(rust, masters[0].id, 0)
        wait_for(kazoo, masters[0].id, 0)
        rust_change, kazoo_change = [], []
        for round_ in range(args.rounds + 5):
            leaving, successor = masters.pop(0), masters[0].id
            t0 = time.time_ns()
            leaving.leave()
            rust_ms = (wait_for(rust, successor, t0) - t0) / 1e6
            kazoo_ms = (wait_for(kazoo, successor, t0) - t0) / 1e6
            if round_ >= 5:  # the first failovers warm both up
                rust_change.append(rust_ms)
                kazoo_change.append(kazoo_ms)
            masters.append(Master(hosts, next_id))
            next_id += 1
            time.sleep(0.05)
        rust.stop()
        kazoo.stop()
        for m in masters:
            m.leave()
    finally:
        server.stdin.close()
        server.wait(timeout=30)

    rows = [
        row("one-shot detection, in-process (ms)", rust_oneshot_ms, kazoo_oneshot_ms),
        row("one-shot detection, fresh process (ms)", cli_ms, py_ms),
        row("  ... vs pymesos MasterDetector (ms)", cli_ms, pymesos_ms),
        row("leader-change notification (ms)", rust_change, kazoo_change),
    ]
    print("\nLeader detection against one ZooKeeper %s, %d rounds (lower is better)\n"
          % (hosts, args.rounds))
    print("%-40s %-5s %12s %12s %14s" % ("measure", "stat", "rust core", "kazoo", "kazoo / rust"))
    for name, cells in rows:
        for stat, r, k, ratio in cells:
            print("%-40s %-5s %12.2f %12.2f %13.1fx" % (name, stat, r, k, ratio))
            name = ""
    print("\nfresh process: `mesos-discovery leader --zk URL` vs `python3 -c 'import kazoo ...'`"
          " and vs a process running pymesos' MasterDetector until its first answer")
    summary = {name.strip(" .").replace(" ", "_"): {stat: {"rust": r, "peer": k, "ratio": ratio} for stat, r, k, ratio in cells}
               for name, cells in rows}
    print(json.dumps({"leader": summary}))


if __name__ == "__main__":
    main()
