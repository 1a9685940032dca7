"""Live membership through the Python module: the change iterator and ``Client.on_change``
follow an app of the test's own (created and deleted through the workbench's admin API) as it
is scaled up and down; cancel, close and exceptions in callbacks."""

import itertools
import json
import logging
import os
import queue
import threading
import time
import urllib.request

import pytest

import mesos_discovery as md
from conftest import wait_until

_apps = itertools.count()


def admin(workbench_url, path, body):
    request = urllib.request.Request(workbench_url + "/_workbench/" + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        assert reply.status == 200


@pytest.fixture
def app(workbench_url):
    """A host-network app with one task, only this test's."""
    app_id = f"/live/py{os.getpid()}-{next(_apps)}"
    admin(workbench_url, "apps", {"id": app_id, "instances": 1, "network": "host", "ports": [{"name": "hazelcast"}]})
    yield app_id
    admin(workbench_url, "apps/delete", {"app": app_id})


def scale(workbench_url, app_id, instances):
    admin(workbench_url, "scale", {"app": app_id, "instances": instances})


def config(workbench_url, app_id):
    return {"MARATHON_ENDPOINT": workbench_url, "MARATHON_APPLICATIONS": app_id}


def check_sequence(changes):
    """Generations 1, 2, 3, … with no gap, each change consistent with the set before it."""
    members = []
    for i, change in enumerate(changes):
        assert set(change) == {"generation", "added", "removed", "members"}
        assert change["generation"] == i + 1
        key = lambda m: (m["host"], m["port"], m["task_id"])  # noqa: E731
        expected = sorted({key(m) for m in members} - {key(m) for m in change["removed"]}
                          | {key(m) for m in change["added"]})
        assert sorted(key(m) for m in change["members"]) == expected
        members = change["members"]


def test_on_change_sees_scale_up_and_down_off_the_caller_thread(workbench_url, app):
    seen, threads = [], set()

    def record(change):
        threads.add(threading.get_ident())
        seen.append(change)

    with md.Client(config(workbench_url, app)) as client:
        handle = client.on_change(record)
        assert handle.active and isinstance(handle.id, int)
        wait_until(lambda: seen)
        first = seen[0]
        assert first["generation"] == 1 and first["removed"] == [] and len(first["added"]) == 1
        assert first["added"] == first["members"]
        member = first["added"][0]
        assert member["app_id"] == app and member["state"] == "TASK_RUNNING" and member["port"] > 0
        scale(workbench_url, app, 3)
        wait_until(lambda: len(seen[-1]["members"]) == 3)
        scale(workbench_url, app, 1)
        wait_until(lambda: len(seen[-1]["members"]) == 1)
        check_sequence(seen)
        assert sum(len(c["added"]) for c in seen) == 3 and sum(len(c["removed"]) for c in seen) == 2
        assert client.snapshot()["generation"] == seen[-1]["generation"]
        assert client.snapshot()["members"] == seen[-1]["members"]

        handle.cancel()
        handle.cancel()  # idempotent
        assert not handle.active
        count = len(seen)
        scale(workbench_url, app, 2)
        assert len(client.wait(seen[-1]["generation"], 20)["members"]) == 2
        time.sleep(0.3)
        assert len(seen) == count
    assert threading.get_ident() not in threads and len(threads) == 1


def test_watch_changes_iterator_follows_scaling(workbench_url, app):
    changes = md.watch_member_changes(config(workbench_url, app), poll=0.2)
    first = next(changes)
    assert first["generation"] == 1 and len(first["added"]) == 1 and first["removed"] == []
    seen = [first]
    scale(workbench_url, app, 3)
    while len(seen[-1]["members"]) != 3:
        seen.append(next(changes))
    scale(workbench_url, app, 1)
    while len(seen[-1]["members"]) != 1:
        seen.append(next(changes))
    check_sequence(seen)
    removed = [m for c in seen for m in c["removed"]]
    assert len(removed) == 2 and all(m["app_id"] == app for m in removed)
    changes.close()


def test_client_iterator_ends_when_the_client_closes(workbench_url, app):
    client = md.Client(config(workbench_url, app))
    changes = client.watch_changes(poll=0.1)
    assert len(next(changes)["added"]) == 1
    assert len(client._subscriptions) == 1
    client.close()
    assert list(changes) == []
    assert client._subscriptions == {}


def test_closing_the_iterator_cancels_its_subscription(workbench_url, app):
    with md.Client(config(workbench_url, app)) as client:
        changes = client.watch_changes(poll=0.1)
        next(changes)
        assert len(client._subscriptions) == 1
        changes.close()
        assert client._subscriptions == {}


def test_snapshot_never_starts_the_watcher():
    # Nothing listens on port 1, and the snapshot does not even try.
    with md.Client({"MARATHON_ENDPOINT": "http://127.0.0.1:1", "MARATHON_APPLICATIONS": "/a"}) as client:
        started = time.monotonic()
        assert client.snapshot() == {"generation": 0, "members": [], "warnings": [], "error": None}
        assert time.monotonic() - started < 1
    with pytest.raises(md.ClosedError):
        client.snapshot()


def test_callbacks_may_cancel_themselves_and_close_the_client(workbench_url, app):
    calls = []
    with md.Client(config(workbench_url, app)) as client:
        holder = {}

        def once(change):
            calls.append(change)
            holder["handle"].cancel()

        holder["handle"] = client.on_change(once)
        wait_until(lambda: calls)
        wait_until(lambda: not holder["handle"].active)
        scale(workbench_url, app, 2)
        assert client.wait(calls[0]["generation"], 20) is not None
        time.sleep(0.3)
        assert len(calls) == 1

    closer = md.Client(config(workbench_url, app))
    closed = threading.Event()

    def close_it(change):
        closer.close()
        closed.set()

    handle = closer.on_change(close_it)
    assert closed.wait(20)
    wait_until(lambda: not handle.active)
    handle.cancel()  # a no-op once the client is closed
    with pytest.raises(md.ClosedError):
        closer.members()


def test_an_exception_in_a_callback_is_logged_and_later_changes_still_arrive(workbench_url, app, caplog):
    got = queue.SimpleQueue()

    def fragile(change):
        got.put(change)
        raise RuntimeError("callback bug")

    with caplog.at_level(logging.ERROR, logger="mesos_discovery"):
        with md.Client(config(workbench_url, app)) as client:
            client.on_change(fragile)
            assert got.get(timeout=20)["generation"] == 1
            scale(workbench_url, app, 2)
            assert got.get(timeout=20)["generation"] == 2
    assert any("member-change callback failed" in r.getMessage() for r in caplog.records)


def test_closed_clients_refuse_subscriptions(workbench_url, app):
    client = md.Client(config(workbench_url, app))
    client.close()
    with pytest.raises(md.ClosedError):
        client.on_change(print)
