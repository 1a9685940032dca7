"""Type-checked by tests/run-install with mypy against the installed wheel: mypy reads the
package's own annotations only because it ships py.typed (else: "missing library stubs or
py.typed marker"), and they must describe this ordinary use without an error."""

from typing import Any, Dict, List, Optional

import mesos_discovery as md

config = {"MARATHON_ENDPOINT": "http://127.0.0.1:8080", "MARATHON_APPLICATIONS": "/wso2/am"}
members: List[Dict[str, Any]] = md.members(config)
leader: Optional[Dict[str, Any]] = md.leader("zk://127.0.0.1:2181/mesos", timeout=5)
with md.Client(config) as client:
    snapshot: Dict[str, Any] = client.snapshot()
error: type = md.MesosDiscoveryError
