"""Live-membership latency through the Python module, for one mode of the core (``fast``: Marathon
events applied at once; ``debounce``: MESOS_DISCOVERY_APPLY_EVENTS=false, every event a
debounced refetch). Over CHANGES rounds: a workbench scale-up (the admin POST, sent from here)
until ``Client.on_change`` reports the new member, then a scale-down until it reports one gone;
the Marathon requests the watcher made for those changes (workbench stats, confirmations
included); then a burst of 40 tasks at once: the time until the set holds all of them and the
requests it cost. Prints
  python_up_MODE <seconds,...>
  python_down_MODE <seconds,...>
  python_requests_MODE <requests> <changes>
  python_burst_MODE <seconds> <requests>
Usage: watch_bench.py WORKBENCH_URL APP INSTANCES CHANGES MODE"""

import http.client
import json
import queue
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "python"))
import mesos_discovery as md  # noqa: E402

BURST = 40
SETTLE = 1.0  # longer than the confirmation delay (0.5 s): its refetches are counted too


def main():
    url, app, instances, changes, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    address = urlparse(url)

    def admin(method, path, body=None):
        conn = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        conn.request(method, path, None if body is None else json.dumps(body), {"Content-Type": "application/json"})
        reply = conn.getresponse()
        data = reply.read()
        assert reply.status == 200, (path, reply.status, data)
        conn.close()
        return json.loads(data) if data else None

    def scale(n):
        admin("POST", "/_workbench/scale", {"app": app, "instances": n})

    def requests():
        return admin("GET", "/_workbench/stats")["total"]

    config = {"MARATHON_ENDPOINT": url, "MARATHON_APPLICATIONS": app,
              "MESOS_DISCOVERY_APPLY_EVENTS": "true" if mode == "fast" else "false"}
    seen = queue.SimpleQueue()
    with md.Client(config) as client:
        handle = client.on_change(lambda c: seen.put((time.perf_counter(), len(c["added"]), len(c["removed"]),
                                                      len(c["members"]))))
        seen.get(timeout=30)  # the whole set first
        time.sleep(0.5)  # let the event stream attach

        def await_change(want):
            while True:
                at, added, removed, size = seen.get(timeout=30)
                if want(added, removed, size):
                    return at

        up, down = [], []
        time.sleep(SETTLE)
        admin("POST", "/_workbench/stats/reset", {})
        for _ in range(changes):
            started = time.perf_counter()
            scale(instances + 1)
            up.append(await_change(lambda a, r, s: a > 0) - started)
            started = time.perf_counter()
            scale(instances)
            down.append(await_change(lambda a, r, s: r > 0) - started)
        time.sleep(SETTLE)
        spent = requests()

        admin("POST", "/_workbench/stats/reset", {})
        started = time.perf_counter()
        scale(instances + BURST)
        burst = await_change(lambda a, r, s: s == instances + BURST) - started
        time.sleep(SETTLE)
        burst_requests = requests()
        scale(instances)
        await_change(lambda a, r, s: s == instances)
        handle.cancel()
    print(f"python_up_{mode} " + ",".join(f"{s:.6f}" for s in up))
    print(f"python_down_{mode} " + ",".join(f"{s:.6f}" for s in down))
    print(f"python_requests_{mode} {spent} {2 * changes}")
    print(f"python_burst_{mode} {burst:.6f} {burst_requests}")


main()
