"""Member discovery through the Python module, against the workbench (tests/c/cluster.json)."""

import ctypes
import json
import re
import socket
import subprocess
import threading
import urllib.request
from pathlib import Path

import pytest

import mesos_discovery as md
from conftest import BIN_DIR

ROOT = Path(__file__).resolve().parents[2]

# tests/c/cluster.json, sorted by (host, port).
EXPECTED = [
    ("10.0.2.1", 31001, "/wso2/am", True),
    ("10.0.2.2", 31002, "/wso2/am", False),
    ("10.0.2.2", 31003, "/wso2/is", None),
]


def config(url, apps="/wso2/am,/wso2/is", **extra):
    return {"MARATHON_ENDPOINT": url, "MARATHON_APPLICATIONS": apps, **extra}


def test_version_matches_cargo_toml():
    text = (ROOT / "Cargo.toml").read_text()
    workspace_version = re.search(r'\[workspace\.package\][^\[]*?version\s*=\s*"([^"]+)"', text, re.S).group(1)
    assert md.version() == workspace_version


def test_members_are_exact(workbench_url):
    found = md.members(config(workbench_url))
    assert [(m["host"], m["port"], m["app_id"], m["healthy"]) for m in found] == EXPECTED
    for m in found:
        assert set(m) == {"host", "port", "app_id", "task_id", "state", "healthy"}
        assert m["state"] == "TASK_RUNNING"
        assert m["task_id"].startswith(m["app_id"][1:].replace("/", "_") + ".")


def test_mesos_dns_scheme(workbench_url):
    found = md.members({
        "MESOS_MEMBER_DISCOVERY_SCHEME": "MesosDNS",
        "MESOS_DNS_ENDPOINT": workbench_url,
        "MARATHON_APPLICATIONS": "/wso2/am,/wso2/is",
    })
    assert sorted(m["port"] for m in found) == [31001, 31002, 31003]
    assert all(m["healthy"] is None for m in found)


def test_warnings_and_not_found(workbench_url):
    answer = md.discover(config(workbench_url, "/wso2/am,/nope"))
    assert [m["port"] for m in answer["members"]] == [31001, 31002]
    assert any(w.get("app_id") == "/nope" for w in answer["warnings"])
    with pytest.raises(md.NotFoundError) as err:
        md.members(config(workbench_url, "/nope"))
    assert isinstance(err.value, LookupError) and err.value.code == 6
    assert "/nope" in str(err.value)


def test_config_errors_name_the_key_and_hide_secrets():
    with pytest.raises(md.ConfigError) as err:
        md.members({"MARATHON_APPLICATIONS": "/a", "MARATHON_ENDPIONT": "http://x"})
    assert "MARATHON_ENDPIONT" in str(err.value) and isinstance(err.value, ValueError)
    with pytest.raises(md.ConfigError) as err:
        md.Client({"MARATHON_APPLICATIONS": "/a", "MARATHON_AUTH_TOKEN": "hunter2\x01x"})
    assert "hunter2" not in str(err.value)
    with pytest.raises(md.ConfigError):
        md.Client({})
    with pytest.raises(ValueError):
        md.Client({"MARATHON_APPLICATIONS": "/a"}, env="sometimes")
    with pytest.raises(ValueError):
        md.Client({"MARATHON_APPLICATIONS": "/a"}).discover(timeout=-1)


def test_env_overlay(workbench_url, monkeypatch):
    monkeypatch.setenv("MARATHON_APPLICATIONS", "/wso2/is")
    assert [m["app_id"] for m in md.members(config(workbench_url, "/wso2/am"), env="env_wins")] == ["/wso2/is"]
    assert {m["app_id"] for m in md.members(config(workbench_url, "/wso2/am"), env="env_fills")} == {"/wso2/am"}
    assert [m["app_id"] for m in md.members({"MARATHON_ENDPOINT": workbench_url}, env="env_fills")] == ["/wso2/is"]


def test_unreachable_endpoint_is_a_network_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(md.NetworkError) as err:
        md.members({"MARATHON_ENDPOINT": f"http://127.0.0.1:{port}", "MARATHON_APPLICATIONS": "/a",
                    "MESOS_DISCOVERY_RETRIES": "0"})
    assert isinstance(err.value, ConnectionError)


def test_silent_endpoint_times_out_at_the_call_timeout():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(16)  # accepts connections into the backlog, never answers
        port = s.getsockname()[1]
        client = md.Client({"MARATHON_ENDPOINT": f"http://127.0.0.1:{port}", "MARATHON_APPLICATIONS": "/a",
                            "MESOS_DISCOVERY_REQUEST_TIMEOUT": "60", "MESOS_DISCOVERY_DEADLINE": "60"})
        with pytest.raises(md.DiscoveryTimeoutError) as err:
            client.discover(timeout=0.3)
        assert isinstance(err.value, TimeoutError) and "300 ms" in str(err.value)
        client.close()


def test_closed_client_raises_and_close_is_idempotent(workbench_url):
    client = md.Client(config(workbench_url))
    with client:
        assert len(client.members()) == 3
    client.close()
    with pytest.raises(md.ClosedError):
        client.members()


def test_one_client_many_threads(workbench_url):
    client = md.Client(config(workbench_url))
    errors = []

    def work():
        try:
            for _ in range(25):
                assert [m["port"] for m in client.members()] == [31001, 31002, 31003]
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    client.close()
    assert errors == []


def test_structs_and_json_agree(workbench_url):
    """discover() reads the C structs (ctypes Structures), members() the JSON: same members."""
    with md.Client(config(workbench_url, "/wso2/am,/nope")) as client:
        answer = client.discover()
        assert answer["members"] == client.members()
        assert answer["warnings"] and all(set(w) <= {"app_id", "task_id", "message"} for w in answer["warnings"])


def test_logging_reaches_python(workbench_url, caplog):
    caplog.set_level("DEBUG", logger="mesos_discovery")
    md.use_python_logging(level="debug")
    try:
        md.members(config(workbench_url, "/wso2/am,/nope", ENABLE_MARATHON_BASIC_AUTH="true",
                          MARATHON_USERNAME="admin", MARATHON_PASSWORD="hunter2"))
    finally:
        md.set_log_handler(None)
    records = [r for r in caplog.records if r.name == "mesos_discovery"]
    assert any(r.levelname == "WARNING" and "/nope" in r.getMessage() for r in records)
    assert not any("hunter2" in r.getMessage() for r in records)
    seen = len(caplog.records)
    md.members(config(workbench_url, "/wso2/am,/nope"))
    assert len(caplog.records) == seen
    with pytest.raises(ValueError):
        md.set_log_handler(print, level="loud")


def test_json_is_the_cli_json(workbench_url):
    """The library's JSON string is the member list `mesos-discovery members --format json`
    prints (there pretty-printed)."""
    cli = BIN_DIR / "mesos-discovery"
    lib = md._library()
    with md.Client(config(workbench_url)) as client:
        text = ctypes.c_void_p()
        md._check(lib.mesos_discovery_client_members_json(client._raw, 10000, ctypes.byref(text)))
        raw = md._take_string(text)
    assert raw.startswith('[{"host":"10.0.2.1","port":31001,"app_id":"/wso2/am","task_id":"')
    if cli.exists():
        printed = subprocess.run(
            [str(cli), "members", "--format", "json", "--set", f"MARATHON_ENDPOINT={workbench_url}",
             "--set", "MARATHON_APPLICATIONS=/wso2/am,/wso2/is"],
            check=True, capture_output=True, text=True, env={"PATH": md.os.environ.get("PATH", "")},
        ).stdout
        assert json.loads(printed) == json.loads(raw)


def test_member_set_watch_sees_scaling(workbench_url):
    """The member-set wait follows Marathon's events: scale /wso2/watch up, then back."""

    def scale(instances):
        body = json.dumps({"app": "/wso2/watch", "instances": instances}).encode()
        request = urllib.request.Request(workbench_url + "/_workbench/scale", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as reply:
            assert reply.status == 200

    watch = md.watch_members(config(workbench_url, "/wso2/watch"))
    first = next(watch)
    start = len(first["members"])
    assert first["generation"] >= 1 and start >= 1 and first["error"] is None
    scale(start + 1)
    second = next(watch)
    assert second["generation"] > first["generation"] and len(second["members"]) == start + 1
    scale(start)
    third = next(watch)
    assert third["generation"] > second["generation"] and len(third["members"]) == start
    watch.close()
