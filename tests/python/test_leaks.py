"""Many calls, steady memory: every answer the module gets is freed."""

import os

import mesos_discovery as md


def rss_kib():
    """Resident set size of this process (Linux)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def churn(workbench_url, zk_url, rounds):
    config = {"MARATHON_ENDPOINT": workbench_url, "MARATHON_APPLICATIONS": "/wso2/am,/wso2/is,/nope"}
    with md.Client(config) as client, md.Detector(zk_url) as detector:
        for i in range(rounds):
            assert len(client.members()) == 3
            if i % 10 == 0:
                assert len(md.members(config)) == 3  # a new client each time
                assert detector.wait(-1, 0)["generation"] >= 0
            if i % 50 == 0:
                assert detector.leader() is None
            try:
                md.Client({"MARATHON_APPLICATIONS": "Bad_Id"})
            except md.ConfigError:
                pass


def test_steady_rss_over_many_calls(workbench_url, zk_url):
    churn(workbench_url, zk_url, 200)  # warm up: pools, runtime threads, allocator arenas
    before = rss_kib()
    churn(workbench_url, zk_url, 1500)
    grown = rss_kib() - before
    # 1,500 discoveries (~1 KiB of JSON each), 150 fresh clients, 30 ZooKeeper sessions: a leak
    # of one answer per call would be several MiB. Allocator noise stays well under 4 MiB.
    print(f"RSS before {before} KiB, growth over 1500 rounds {grown} KiB")
    assert grown < 4096, f"RSS grew by {grown} KiB over 1500 rounds"


def change_churn(config, rounds):
    """Per round: a client, a callback and the change iterator (each gets the first change),
    snapshots, cancel, close."""
    import queue

    for _ in range(rounds):
        with md.Client(config) as client:
            got = queue.SimpleQueue()
            handle = client.on_change(got.put)
            assert len(got.get(timeout=20)["added"]) == 3
            changes = client.watch_changes(poll=0.1)
            assert next(changes)["generation"] == client.snapshot()["generation"]
            changes.close()
            handle.cancel()


def test_steady_rss_over_many_subscriptions(workbench_url):
    config = {"MARATHON_ENDPOINT": workbench_url, "MARATHON_APPLICATIONS": "/wso2/am,/wso2/is"}
    change_churn(config, 30)  # warm up
    before = rss_kib()
    change_churn(config, 250)
    grown = rss_kib() - before
    # 250 clients and watchers (HTTP pools, event streams, callback threads), 500 registrations
    # with their ctypes thunks, 750 change documents: a leaked watcher or client per round
    # would show as MiBs; allocator noise stays well under 4 MiB (measured: < 100 KiB).
    print(f"RSS before {before} KiB, growth over 250 subscription rounds {grown} KiB")
    assert grown < 4096, f"RSS grew by {grown} KiB over 250 subscription rounds"


def test_steady_rss_over_ten_thousand_changes(workbench_url):
    """One client follows an app of its own through 10,000 changes (the workbench scales it
    between one and two tasks; each step is one change, applied from its event): the process's
    RSS stays flat. MD_LEAK_CHANGES sets another count (for a quick look)."""
    import http.client
    import json
    import threading
    import urllib.parse

    url = urllib.parse.urlsplit(workbench_url)
    admin = http.client.HTTPConnection(url.hostname, url.port, timeout=10)

    def post(path, body):
        admin.request("POST", "/_workbench/" + path, json.dumps(body), {"Content-Type": "application/json"})
        reply = admin.getresponse()
        reply.read()
        assert reply.status == 200, f"{path}: {reply.status}"

    total = int(os.environ.get("MD_LEAK_CHANGES", "10000"))
    app_id = f"/leak/changes{os.getpid()}"
    post("apps", {"id": app_id, "instances": 1, "network": "host", "ports": [{"name": "hazelcast"}]})
    seen = {"changes": 0, "members": 0}
    changed = threading.Condition()

    def on_change(change):
        with changed:
            seen["changes"] += 1
            seen["members"] = len(change["members"])
            changed.notify_all()

    def step(instances):
        with changed:
            before = seen["changes"]
        post("scale", {"app": app_id, "instances": instances})
        with changed:
            if not changed.wait_for(lambda: seen["changes"] > before and seen["members"] == instances, 30):
                raise AssertionError(f"no change to {instances} member(s) within 30 s: {seen}")

    try:
        with md.Client({"MARATHON_ENDPOINT": workbench_url, "MARATHON_APPLICATIONS": app_id}) as client:
            client.on_change(on_change)
            with changed:
                assert changed.wait_for(lambda: seen["changes"] >= 1, 30)
            for i in range(500):  # warm up: pools, queues, allocator arenas
                step(2 if i % 2 == 0 else 1)
            before, first = rss_kib(), seen["changes"]
            for i in range(total):
                step(2 if i % 2 == 0 else 1)
            grown = rss_kib() - before
            changes = seen["changes"] - first
    finally:
        post("apps/delete", {"app": app_id})
        admin.close()
    print(f"RSS before {before} KiB, change over {changes} changes {grown} KiB")
    assert changes >= total
    assert abs(grown) <= 2048, f"RSS moved by {grown} KiB over {changes} changes"
