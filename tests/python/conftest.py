"""Fixtures for the Python suite: the library under test, the workbench (emulated Marathon +
Mesos-DNS serving tests/c/cluster.json), a real ZooKeeper and fake Mesos masters.

Every server is reused from the environment when tests/run-c-python already started it
(MD_WORKBENCH_URL, MD_ZK), else started here and stopped at the end of the session.
Binaries: $MD_BIN_DIR (default $CARGO_TARGET_DIR/debug or target/debug)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("MD_BIN_DIR") or Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target") / "debug")
CLUSTER = ROOT / "tests" / "c" / "cluster.json"

# MD_PYTHON_INSTALLED=1 (tests/run-install): the package installed in the running interpreter is
# tested as a user gets it, so neither the source tree nor a library path is put in front of it.
if os.environ.get("MD_PYTHON_INSTALLED") != "1":
    os.environ.setdefault("MESOS_DISCOVERY_LIBRARY", str(BIN_DIR / "libmesos_discovery.so"))
    sys.path.insert(0, str(ROOT / "python"))


def _start(cmd, what):
    """Starts a server that prints its address on the first stdout line and stops on stdin EOF
    or SIGTERM."""
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    if not line:
        proc.kill()
        pytest.fail(f"{what} did not start: {' '.join(map(str, cmd))}")
    return proc, line


def _stop(proc):
    try:
        proc.stdin.close()
    except OSError:
        pass
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def workbench_url():
    url = os.environ.get("MD_WORKBENCH_URL")
    if url:
        yield url
        return
    binary = os.environ.get("MD_WORKBENCH_BIN") or str(BIN_DIR / "mesos-discovery")
    proc, url = _start([binary, "workbench", "--cluster", str(CLUSTER)], "the workbench")
    yield url
    _stop(proc)


@pytest.fixture(scope="session")
def zk_address():
    address = os.environ.get("MD_ZK")
    if address:
        yield address
        return
    proc, address = _start([str(ROOT / "tests" / "support" / "zk-server")], "ZooKeeper")
    yield address
    _stop(proc)


@pytest.fixture
def zk_url(zk_address, request):
    """A zk:// URL under a path of this test's own."""
    return f"zk://{zk_address}/mesos-py-{os.getpid()}-{request.node.name[:40]}"


class Masters:
    """Starts fake Mesos masters (mesos-master-sim) and stops them (stdin EOF: a clean leave)."""

    def __init__(self, url):
        self.url = url
        self.procs = {}

    def start(self, master_id, port, fmt="json"):
        binary = os.environ.get("MD_MASTER_SIM") or str(BIN_DIR / "mesos-master-sim")
        cmd = [binary, "--zk", self.url, "--id", master_id, "--ip", "127.0.0.1", "--port", str(port),
               "--hostname", f"{master_id}.example", "--capability", "AGENT_UPDATE", "--format", fmt]
        proc, znode = _start(cmd, "mesos-master-sim")
        self.procs[master_id] = proc
        return znode

    def stop(self, master_id):
        _stop(self.procs.pop(master_id))

    def stop_all(self):
        for master_id in list(self.procs):
            self.stop(master_id)


@pytest.fixture
def masters(zk_url):
    m = Masters(zk_url)
    yield m
    m.stop_all()


def wait_until(predicate, timeout=20.0, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("condition not met in time")
