"""Live-membership latency through the Python module: the time from a workbench scale-up (the
admin POST, sent from here) to ``Client.on_change``'s callback reporting the new member (the
change already a dict), over CHANGES scale-ups. Prints "python_callback <seconds,...>".
Usage: watch_bench.py WORKBENCH_URL APP INSTANCES CHANGES"""

import http.client
import json
import queue
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "python"))
import mesos_discovery as md  # noqa: E402


def main():
    url, app, instances, changes = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    address = urlparse(url)

    def scale(n):
        conn = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        conn.request("POST", "/_workbench/scale", json.dumps({"app": app, "instances": n}),
                     {"Content-Type": "application/json"})
        assert conn.getresponse().status == 200
        conn.close()

    seen = queue.SimpleQueue()
    with md.Client({"MARATHON_ENDPOINT": url, "MARATHON_APPLICATIONS": app}) as client:
        handle = client.on_change(lambda change: seen.put((time.perf_counter(), len(change["added"]))))
        seen.get(timeout=30)  # the whole set first
        time.sleep(0.3)  # let the event stream attach
        seconds = []
        for _ in range(changes):
            instances += 1
            started = time.perf_counter()
            scale(instances)
            while True:
                at, added = seen.get(timeout=30)
                if added:
                    seconds.append(at - started)
                    break
        handle.cancel()
    print("python_callback " + ",".join(f"{s:.6f}" for s in seconds))


main()
