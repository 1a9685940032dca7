"""Member discovery through the Python module, against the workbench (tests/c/cluster.json)."""

import ctypes
import json
import re
import socket
import threading
from pathlib import Path

import pytest

import mesos_discovery as md

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


def test_c_structs_agree_with_json(workbench_url):
    """The ctypes Structure declarations match the C layout: the struct answer equals the JSON."""
    lib = md._library()
    client = md.Client(config(workbench_url, "/wso2/am,/nope"))
    out = ctypes.POINTER(md.MembersStruct)()
    md._check(lib.mesos_discovery_client_members(client._raw, 10000, ctypes.byref(out)))
    try:
        got = out.contents
        members = [{
            "host": m.host.decode(), "port": m.port, "app_id": m.app_id.decode(), "task_id": m.task_id.decode(),
            "state": m.state.decode(), "healthy": None if m.healthy == -1 else bool(m.healthy),
        } for m in got.members[:got.len]]
        warnings = [{k: v for k, v in {"app_id": md._text(w.app_id), "task_id": md._text(w.task_id),
                                        "message": md._text(w.message)}.items() if v is not None}
                    for w in got.warnings[:got.warnings_len]]
    finally:
        lib.mesos_discovery_members_free(out)
    assert {"members": members, "warnings": warnings} == client.discover()
    client.close()


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


def test_json_is_the_model_json(workbench_url):
    """The JSON string from the library parses to exactly the documented shape."""
    lib = md._library()
    client = md.Client(config(workbench_url))
    text = ctypes.c_void_p()
    md._check(lib.mesos_discovery_client_members_json(client._raw, 10000, ctypes.byref(text)))
    raw = md._take_string(text)
    client.close()
    assert raw.startswith('{"members":[{"host":"10.0.2.1","port":31001,"app_id":"/wso2/am","task_id":"')
    assert json.loads(raw)["warnings"] == []
