"""Leader detection through the Python module against a real ZooKeeper and fake masters."""

import ctypes
import threading
import time

import pytest

import mesos_discovery as md
from conftest import wait_until


def test_no_master_yet(zk_url):
    assert md.leader(zk_url) is None
    assert md.masters(zk_url) == []


def test_leader_and_masters(zk_url, masters):
    znode_a = masters.start("master-a", 5051)
    masters.start("master-b", 5052, "protobuf")
    leader = md.leader(zk_url)
    assert leader["id"] == "master-a" and leader["znode"] == znode_a
    assert (leader["ip"], leader["port"], leader["hostname"]) == ("127.0.0.1", 5051, "master-a.example")
    assert (leader["leader"], leader["format"], leader["capabilities"]) == (True, "json", ["AGENT_UPDATE"])
    all_masters = md.masters(zk_url)
    assert [(m["id"], m["leader"], m["format"]) for m in all_masters] == [
        ("master-a", True, "json"), ("master-b", False, "protobuf")]
    assert all_masters[0]["sequence"] < all_masters[1]["sequence"]


def test_master_structs_agree_with_json(zk_url, masters):
    masters.start("master-a", 5051)
    masters.start("master-b", 5052, "upid")
    with md.Detector(zk_url) as detector:
        lib = md._library()
        out = ctypes.POINTER(md.MastersStruct)()
        md._check(lib.mesos_discovery_detector_masters(detector._raw, 10000, ctypes.byref(out)))
        try:
            from_structs = [md._master_dict(out.contents.masters[i]) for i in range(out.contents.len)]
        finally:
            lib.mesos_discovery_masters_free(out)
        assert from_structs == detector.masters()
        assert len(from_structs) == 2


def test_watch_iterator_sees_the_leader_change(zk_url, masters):
    masters.start("master-a", 5051)
    watch = md.watch_leader(zk_url, session_timeout=4)
    first = next(watch)
    assert first["generation"] == 1 and first["leader"]["id"] == "master-a" and first["error"] is None
    masters.start("master-b", 5052)
    masters.stop("master-a")
    second = next(watch)
    assert second["generation"] == 2 and second["leader"]["id"] == "master-b"
    masters.stop("master-b")
    third = next(watch)
    assert third["generation"] == 3 and third["leader"] is None
    watch.close()


def test_callback_sees_every_change_off_the_caller_thread(zk_url, masters):
    seen, threads = [], set()
    with md.Detector(zk_url, session_timeout=4) as detector:
        sub = detector.subscribe(lambda state: (seen.append(state), threads.add(threading.get_ident())))
        wait_until(lambda: seen)
        masters.start("master-a", 5051)
        wait_until(lambda: seen[-1]["leader"] and seen[-1]["leader"]["id"] == "master-a")
        masters.start("master-b", 5052)
        masters.stop("master-a")
        wait_until(lambda: seen[-1]["leader"] and seen[-1]["leader"]["id"] == "master-b")
        detector.unsubscribe(sub)
        count = len(seen)
        masters.stop("master-b")
        assert detector.wait(seen[-1]["generation"], 20)["leader"] is None
        time.sleep(0.3)
        assert len(seen) == count
        with pytest.raises(md.NotFoundError):
            detector.unsubscribe(sub)
    assert [s["leader"]["id"] if s["leader"] else None for s in seen] == [None, "master-a", "master-b"]
    assert [s["generation"] for s in seen] == [1, 2, 3]
    assert threading.get_ident() not in threads


def test_close_wakes_a_blocked_wait():
    detector = md.Detector("zk://127.0.0.1:1/mesos", connect_timeout=0.2)
    outcome = []

    def blocked():
        try:
            detector.wait(0, timeout=None)
        except md.ClosedError as e:
            outcome.append(e)

    t = threading.Thread(target=blocked)
    t.start()
    time.sleep(0.2)
    started = time.monotonic()
    detector.close()
    t.join(10)
    assert not t.is_alive() and len(outcome) == 1
    assert time.monotonic() - started < 5
    with pytest.raises(md.ClosedError):
        detector.leader()


def test_bad_urls_and_unreachable_zookeeper():
    with pytest.raises(md.ConfigError):
        md.Detector("http://127.0.0.1:2181/mesos")
    with pytest.raises(md.ConfigError) as err:
        md.Detector("zk://jo:hunter2@127.0.0.1:99999/mesos")
    assert "hunter2" not in str(err.value)
    with md.Detector("zk://127.0.0.1:1/mesos", connect_timeout=0.3) as detector:
        with pytest.raises((md.DiscoveryTimeoutError, md.NetworkError, md.ZooKeeperError)):
            detector.leader(timeout=5)
        assert detector.wait(0, timeout=0.05) is None
        assert detector.wait(-1, timeout=0)["generation"] == 0
