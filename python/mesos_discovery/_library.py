"""Where ``libmesos_discovery`` is loaded from, in order:

1. ``$MESOS_DISCOVERY_LIBRARY``, a path: when set, it is the only candidate;
2. the copy inside this package, under whatever name the wheel's build backend gave it
   (``libmesos_discovery.abi3.so`` from ``pip install``, or a plain ``libmesos_discovery.so``
   put beside the module by hand);
3. the system's library path (``ldconfig``, e.g. a prefix installed by ``scripts/install-c``).
"""

from __future__ import annotations

import ctypes.util
import os
from pathlib import Path
from typing import List

_PACKAGE_DIR = Path(__file__).resolve().parent
_SUFFIXES = (".so", ".dylib")


def candidates() -> List[str]:
    """The paths (or, last, a bare name for the dynamic loader) to try, best first."""
    explicit = os.environ.get("MESOS_DISCOVERY_LIBRARY")
    if explicit:
        return [explicit]
    found = [str(path) for path in bundled()]
    found.append(ctypes.util.find_library("mesos_discovery") or "libmesos_discovery.so")
    return found


def bundled() -> List[Path]:
    """The libraries inside the package; the plain name first, then the backend-named ones."""
    plain = [_PACKAGE_DIR / f"libmesos_discovery{suffix}" for suffix in _SUFFIXES]
    named = sorted(
        path
        for path in _PACKAGE_DIR.glob("libmesos_discovery.*")
        if path.suffix in _SUFFIXES and path not in plain
    )
    return [path for path in plain + named if path.is_file()]
