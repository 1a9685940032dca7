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
