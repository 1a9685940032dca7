"""The Python side of the boundary benchmark: the same discovery through the ctypes module,
as JSON (Client.members: the JSON string parsed with json.loads) and as C structs
(Client.discover: the struct array turned into dicts). Usage: bench.py ENDPOINT APPS ITERATIONS"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "python"))
import mesos_discovery as md  # noqa: E402


def main():
    endpoint, apps, iterations = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with md.Client({"MARATHON_ENDPOINT": endpoint, "MARATHON_APPLICATIONS": apps}) as client:
        members = len(client.members(timeout=None))  # warm up
        for name, call in (("python_json", client.members),
                           ("python_structs", lambda timeout: client.discover(timeout)["members"])):
            start = time.perf_counter()
            for _ in range(iterations):
                assert len(call(timeout=None)) == members
            print(f"{name} {(time.perf_counter() - start) * 1e6 / iterations:.1f} {members}")


main()
