"""DC/OS strict mode through the Python module (the C ABI): a workbench whose Marathon and
Mesos-DNS need a token from its ACS login endpoint; the service-account credential
(DCOS_SERVICE_ACCOUNT_CREDENTIAL) as a config key and from the environment, a revoked token
(one fresh login), a live client across token expiries, a refused login, a malformed
credential. The RSA key pair is made here with openssl; no private key is committed."""

import json
import os
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

import mesos_discovery as md
from conftest import BIN_DIR, CLUSTER, _start, _stop

LOGIN_PATH = "/acs/api/v1/auth/login"
UID = "carbon-py"
APPS = "/wso2/am,/wso2/is"


def openssl(*args, data=None):
    return subprocess.run(["openssl", *args], input=data, capture_output=True, text=True, check=True).stdout


def key_pair(pkcs1=False):
    pkcs8 = openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048")
    public = openssl("pkey", "-pubout", data=pkcs8)
    private = openssl("rsa", "-traditional", data=pkcs8) if pkcs1 else pkcs8
    return private, public


@pytest.fixture(scope="module")
def keys():
    return key_pair(pkcs1=True)


@pytest.fixture(scope="module")
def strict_url(keys, tmp_path_factory):
    """A workbench in strict mode (tokens live 3 s) serving tests/c/cluster.json's apps."""
    cluster = json.loads(Path(CLUSTER).read_text())
    cluster["auth"] = {
        "acs": {"service_accounts": [{"uid": UID, "public_key": keys[1]}], "token_lifetime_secs": 3}
    }
    path = tmp_path_factory.mktemp("strict") / "cluster.json"
    path.write_text(json.dumps(cluster))
    binary = os.environ.get("MD_WORKBENCH_BIN") or str(BIN_DIR / "mesos-discovery")
    proc, url = _start([binary, "workbench", "--cluster", str(path)], "the strict-mode workbench")
    yield url
    _stop(proc)


def admin(url, path, body=None):
    request = urllib.request.Request(url + path, data=json.dumps(body or {}).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"{}")


def logins(url):
    with urllib.request.urlopen(url + "/_workbench/stats", timeout=10) as response:
        return json.loads(response.read())["requests"].get(LOGIN_PATH, 0)


def credential(private_pem, url):
    return json.dumps({"uid": UID, "private_key": private_pem, "login_endpoint": url + LOGIN_PATH, "scheme": "RS256"})


def config(url, cred, **extra):
    return {"MARATHON_ENDPOINT": url, "MESOS_DNS_ENDPOINT": url, "MARATHON_APPLICATIONS": APPS,
            "DCOS_SERVICE_ACCOUNT_CREDENTIAL": cred, **extra}


def test_login_then_members_from_marathon_and_mesos_dns(strict_url, keys):
    before = logins(strict_url)
    cred = credential(keys[0], strict_url)
    assert len(md.members(config(strict_url, cred))) == 3
    assert len(md.members(config(strict_url, cred, MESOS_MEMBER_DISCOVERY_SCHEME="MesosDNS"))) >= 1
    assert logins(strict_url) == before + 2
    with pytest.raises(md.AuthError):
        md.members({"MARATHON_ENDPOINT": strict_url, "MARATHON_APPLICATIONS": APPS})


def test_credential_from_the_environment(strict_url, keys, monkeypatch):
    monkeypatch.setenv("DCOS_SERVICE_ACCOUNT_CREDENTIAL", credential(keys[0], strict_url))
    found = md.members({"MARATHON_ENDPOINT": strict_url, "MARATHON_APPLICATIONS": APPS}, env="env_fills")
    assert len(found) == 3


def test_a_revoked_token_earns_a_fresh_login(strict_url, keys):
    with md.Client(config(strict_url, credential(keys[0], strict_url))) as client:
        assert len(client.members()) == 3
        before = logins(strict_url)
        admin(strict_url, "/_workbench/acs/revoke")
        assert len(client.members()) == 3
        assert logins(strict_url) == before + 1


def test_a_live_client_outlives_its_tokens(strict_url, keys):
    with md.Client(config(strict_url, credential(keys[0], strict_url))) as client:
        state = client.wait(0, timeout=20)
        assert state is not None and len(state["members"]) == 3
        time.sleep(7)  # two token lifetimes
        admin(strict_url, "/_workbench/scale", {"app": "/wso2/is", "instances": 2})
        deadline = time.monotonic() + 20
        while len(state["members"]) != 4:
            assert time.monotonic() < deadline, state
            state = client.wait(state["generation"], timeout=20) or state
        assert state.get("error") is None
        admin(strict_url, "/_workbench/scale", {"app": "/wso2/is", "instances": 1})


def test_a_refused_login_names_the_login_endpoint(strict_url):
    other_private, _ = key_pair()
    with pytest.raises(md.AuthError) as refused:
        md.members(config(strict_url, credential(other_private, strict_url)))
    assert strict_url + LOGIN_PATH in str(refused.value)
    assert "eyJ" not in str(refused.value)
    assert other_private.splitlines()[1] not in str(refused.value)


def test_a_malformed_credential_is_a_config_error_naming_the_field(strict_url, keys):
    cred = json.loads(credential(keys[0], strict_url))
    cred["scheme"] = "HS256"
    with pytest.raises(md.ConfigError) as bad:
        md.members(config(strict_url, json.dumps(cred)))
    assert '"scheme"' in str(bad.value)
    assert keys[0].splitlines()[1] not in str(bad.value)
    with pytest.raises(md.ConfigError) as bad:
        md.members(config(strict_url, "{not json"))
    assert "DCOS_SERVICE_ACCOUNT_CREDENTIAL" in str(bad.value)
