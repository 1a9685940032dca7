"""mesos_discovery: Carbon/Hazelcast cluster members on Apache Mesos (Marathon, Mesos-DNS) and the
leading Mesos master (ZooKeeper), through the C ABI of ``libmesos_discovery.so`` (ctypes).

The library is found, in order: ``$MESOS_DISCOVERY_LIBRARY`` (a path), the copy inside this
package (a wheel puts it there), then the system's library path (see ``_library.py``).

    import mesos_discovery as md

    md.members({"MARATHON_ENDPOINT": "http://marathon.mesos:8080",
                "MARATHON_APPLICATIONS": "/wso2/am"})        # -> [{"host": ..., "port": ...}, ...]
    md.leader("zk://127.0.0.1:2181/mesos", timeout=5)    # -> {"id": ..., "ip": ...} or None
    for state in md.watch_leader("zk://127.0.0.1:2181/mesos"):
        print(state["generation"], state["leader"])
    for state in md.watch_members({...}):                 # the member set, on every change
        print(state["generation"], len(state["members"]))
    for change in md.watch_member_changes({...}):         # what changed: the whole set first
        print(change["generation"], change["added"], change["removed"])
    with md.Client({...}) as client:
        handle = client.on_change(lambda change: print(change["added"], change["removed"]))
        ...
        handle.cancel()

Answers are the CLI's JSON documents as Python objects. Errors raise a subclass of
:class:`MesosDiscoveryError` chosen by the C result code. Handles (:class:`Client`,
:class:`Detector`) are thread-safe and free themselves on ``close()``, on leaving a ``with`` block,
or when garbage-collected.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import atexit
import logging
import os
import queue
import threading
import weakref
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional

from ._library import candidates as _library_candidates

__all__ = [
    "AuthError",
    "Client",
    "ClosedError",
    "ConfigError",
    "Detector",
    "DiscoveryTimeoutError",
    "InternalError",
    "InvalidArgumentError",
    "MesosDiscoveryError",
    "NetworkError",
    "NotFoundError",
    "PanicError",
    "ProtocolError",
    "Subscription",
    "UnavailableError",
    "ZooKeeperError",
    "discover",
    "leader",
    "masters",
    "members",
    "set_log_handler",
    "use_python_logging",
    "version",
    "watch_leader",
    "watch_member_changes",
    "watch_members",
]


# --- errors -------------------------------------------------------------------------------------


class MesosDiscoveryError(Exception):
    """A failed call. ``code`` is the C result code, ``name`` its stable name."""

    code = -1
    name = "unknown"

    def __init__(self, message: str, code: Optional[int] = None):
        super().__init__(message)
        if code is not None:
            self.code = code


class InvalidArgumentError(MesosDiscoveryError, ValueError):
    code, name = 1, "invalid_argument"


class ConfigError(MesosDiscoveryError, ValueError):
    code, name = 2, "config"


class NetworkError(MesosDiscoveryError, ConnectionError):
    code, name = 3, "network"


class DiscoveryTimeoutError(MesosDiscoveryError, TimeoutError):
    code, name = 4, "timeout"


class AuthError(MesosDiscoveryError, PermissionError):
    code, name = 5, "auth"


class NotFoundError(MesosDiscoveryError, LookupError):
    code, name = 6, "not_found"


class ProtocolError(MesosDiscoveryError):
    code, name = 7, "protocol"


class UnavailableError(MesosDiscoveryError):
    code, name = 8, "unavailable"


class ZooKeeperError(MesosDiscoveryError):
    code, name = 9, "zookeeper"


class ClosedError(MesosDiscoveryError):
    code, name = 10, "closed"


class InternalError(MesosDiscoveryError):
    code, name = 11, "internal"


class PanicError(MesosDiscoveryError):
    code, name = 12, "panic"


_OK = 0
_UNCHANGED = 13
_ERRORS = {
    cls.code: cls
    for cls in (
        InvalidArgumentError,
        ConfigError,
        NetworkError,
        DiscoveryTimeoutError,
        AuthError,
        NotFoundError,
        ProtocolError,
        UnavailableError,
        ZooKeeperError,
        ClosedError,
        InternalError,
        PanicError,
    )
}

_ENV_OVERLAY = {"ignore": 0, "env_wins": 1, "env_fills": 2}
_LOG_LEVELS = {"off": 0, "error": 1, "warn": 2, "warning": 2, "info": 3, "debug": 4, "trace": 5}
_PY_LEVELS = {1: logging.ERROR, 2: logging.WARNING, 3: logging.INFO, 4: logging.DEBUG, 5: 5}
_U32_MAX = 0xFFFFFFFF
_U64_MAX = 0xFFFFFFFFFFFFFFFF


# --- C declarations (include/mesos_discovery.h) -----------------------------------------------


class KeyValue(ctypes.Structure):
    _fields_ = [("key", ctypes.c_char_p), ("value", ctypes.c_char_p)]


class MemberStruct(ctypes.Structure):
    _fields_ = [
        ("host", ctypes.c_char_p),
        ("port", ctypes.c_uint16),
        ("app_id", ctypes.c_char_p),
        ("task_id", ctypes.c_char_p),
        ("state", ctypes.c_char_p),
        ("healthy", ctypes.c_int8),
    ]


class WarningStruct(ctypes.Structure):
    _fields_ = [("app_id", ctypes.c_char_p), ("task_id", ctypes.c_char_p), ("message", ctypes.c_char_p)]


class MembersStruct(ctypes.Structure):
    _fields_ = [
        ("members", ctypes.POINTER(MemberStruct)),
        ("len", ctypes.c_size_t),
        ("warnings", ctypes.POINTER(WarningStruct)),
        ("warnings_len", ctypes.c_size_t),
    ]


class MasterStruct(ctypes.Structure):
    _fields_ = [
        ("id", ctypes.c_char_p),
        ("hostname", ctypes.c_char_p),
        ("ip", ctypes.c_char_p),
        ("port", ctypes.c_uint16),
        ("pid", ctypes.c_char_p),
        ("version", ctypes.c_char_p),
        ("domain_region", ctypes.c_char_p),
        ("domain_zone", ctypes.c_char_p),
        ("capabilities", ctypes.POINTER(ctypes.c_char_p)),
        ("capabilities_len", ctypes.c_size_t),
        ("znode", ctypes.c_char_p),
        ("sequence", ctypes.c_uint64),
        ("format", ctypes.c_char_p),
        ("leader", ctypes.c_bool),
    ]


class MastersStruct(ctypes.Structure):
    _fields_ = [("masters", ctypes.POINTER(MasterStruct)), ("len", ctypes.c_size_t)]


class LeaderStateStruct(ctypes.Structure):
    _fields_ = [
        ("generation", ctypes.c_uint64),
        ("leader", ctypes.POINTER(MasterStruct)),
        ("error_code", ctypes.c_int),
        ("error", ctypes.c_char_p),
    ]


class MemberChangeStruct(ctypes.Structure):
    _fields_ = [
        ("generation", ctypes.c_uint64),
        ("added", ctypes.POINTER(MemberStruct)),
        ("added_len", ctypes.c_size_t),
        ("removed", ctypes.POINTER(MemberStruct)),
        ("removed_len", ctypes.c_size_t),
        ("members", ctypes.POINTER(MemberStruct)),
        ("members_len", ctypes.c_size_t),
    ]


MEMBER_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(MemberChangeStruct))
MEMBER_JSON_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_char_p)
LEADER_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(LeaderStateStruct))
LOG_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint32, ctypes.c_char_p, ctypes.c_char_p)

_P = ctypes.c_void_p  # opaque handles
_RESULT = ctypes.c_int
_OUT_STR = ctypes.POINTER(ctypes.c_void_p)  # char ** (kept as an address, freed by us)

_SIGNATURES: Dict[str, tuple] = {
    "mesos_discovery_version": (ctypes.c_char_p, []),
    "mesos_discovery_result_name": (ctypes.c_char_p, [ctypes.c_int32]),
    "mesos_discovery_last_error": (ctypes.c_char_p, []),
    "mesos_discovery_string_free": (None, [ctypes.c_void_p]),
    "mesos_discovery_set_logger": (_RESULT, [LOG_CALLBACK, ctypes.c_void_p, ctypes.c_uint32]),
    "mesos_discovery_client_new": (
        _RESULT,
        [ctypes.POINTER(KeyValue), ctypes.c_size_t, ctypes.c_uint32, ctypes.POINTER(_P)],
    ),
    "mesos_discovery_client_free": (None, [_P]),
    "mesos_discovery_client_members": (
        _RESULT,
        [_P, ctypes.c_uint32, ctypes.POINTER(ctypes.POINTER(MembersStruct))],
    ),
    "mesos_discovery_client_members_json": (_RESULT, [_P, ctypes.c_uint32, _OUT_STR]),
    "mesos_discovery_members_free": (None, [ctypes.POINTER(MembersStruct)]),
    "mesos_discovery_client_wait": (
        _RESULT,
        [_P, ctypes.c_uint64, ctypes.c_uint32, ctypes.POINTER(ctypes.c_uint64),
         ctypes.POINTER(ctypes.POINTER(MembersStruct))],
    ),
    "mesos_discovery_client_wait_json": (_RESULT, [_P, ctypes.c_uint64, ctypes.c_uint32, _OUT_STR]),
    "mesos_discovery_client_close": (_RESULT, [_P]),
    "mesos_discovery_client_subscribe": (
        _RESULT,
        [_P, MEMBER_CALLBACK, ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint64)],
    ),
    "mesos_discovery_client_subscribe_json": (
        _RESULT,
        [_P, MEMBER_JSON_CALLBACK, ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint64)],
    ),
    "mesos_discovery_client_unsubscribe": (_RESULT, [_P, ctypes.c_uint64]),
    "mesos_discovery_client_snapshot": (
        _RESULT,
        [_P, ctypes.POINTER(ctypes.c_uint64), ctypes.POINTER(ctypes.POINTER(MembersStruct))],
    ),
    "mesos_discovery_client_snapshot_json": (_RESULT, [_P, _OUT_STR]),
    "mesos_discovery_detector_new": (
        _RESULT,
        [ctypes.c_char_p, ctypes.c_uint32, ctypes.c_uint32, ctypes.POINTER(_P)],
    ),
    "mesos_discovery_detector_free": (None, [_P]),
    "mesos_discovery_detector_close": (_RESULT, [_P]),
    "mesos_discovery_detector_leader": (
        _RESULT,
        [_P, ctypes.c_uint32, ctypes.POINTER(ctypes.POINTER(MasterStruct))],
    ),
    "mesos_discovery_detector_leader_json": (_RESULT, [_P, ctypes.c_uint32, _OUT_STR]),
    "mesos_discovery_detector_masters": (
        _RESULT,
        [_P, ctypes.c_uint32, ctypes.POINTER(ctypes.POINTER(MastersStruct))],
    ),
    "mesos_discovery_detector_masters_json": (_RESULT, [_P, ctypes.c_uint32, _OUT_STR]),
    "mesos_discovery_master_free": (None, [ctypes.POINTER(MasterStruct)]),
    "mesos_discovery_masters_free": (None, [ctypes.POINTER(MastersStruct)]),
    "mesos_discovery_detector_wait": (
        _RESULT,
        [_P, ctypes.c_uint64, ctypes.c_uint32, ctypes.POINTER(ctypes.POINTER(LeaderStateStruct))],
    ),
    "mesos_discovery_detector_wait_json": (_RESULT, [_P, ctypes.c_uint64, ctypes.c_uint32, _OUT_STR]),
    "mesos_discovery_leader_state_free": (None, [ctypes.POINTER(LeaderStateStruct)]),
    "mesos_discovery_detector_subscribe": (
        _RESULT,
        [_P, LEADER_CALLBACK, ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint64)],
    ),
    "mesos_discovery_detector_unsubscribe": (_RESULT, [_P, ctypes.c_uint64]),
}

_lib: Optional[ctypes.CDLL] = None
_lib_lock = threading.Lock()


def _library() -> ctypes.CDLL:
    """Loads the shared library once and declares every function's signature."""
    global _lib
    if _lib is not None:
        return _lib
    with _lib_lock:
        if _lib is None:
            errors = []
            for path in _library_candidates():
                try:
                    lib = ctypes.CDLL(path)
                    break
                except OSError as e:
                    errors.append(f"{path}: {e}")
            else:
                raise OSError(
                    "cannot load libmesos_discovery.so (set MESOS_DISCOVERY_LIBRARY to its path): "
                    + "; ".join(errors)
                )
            for name, (restype, argtypes) in _SIGNATURES.items():
                fn = getattr(lib, name)
                fn.restype = restype
                fn.argtypes = argtypes
            _lib = lib
    return _lib


def _check(code: int) -> int:
    """Raises for an error code; returns OK or UNCHANGED."""
    if code in (_OK, _UNCHANGED):
        return code
    lib = _library()
    message = (lib.mesos_discovery_last_error() or b"").decode("utf-8", "replace")
    cls = _ERRORS.get(code, MesosDiscoveryError)
    raise cls(message or f"mesos-discovery call failed with code {code}", code)


def _timeout_ms(timeout: Optional[float], *, zero_means_default: bool = True) -> int:
    """Seconds (float) to the C milliseconds; ``None`` is the library's own bound (0)."""
    if timeout is None:
        return 0
    if timeout < 0:
        raise ValueError(f"timeout must not be negative, got {timeout!r}")
    ms = int(round(timeout * 1000))
    if ms == 0 and timeout > 0 and zero_means_default:
        ms = 1  # a tiny positive timeout stays a timeout, not "no bound"
    return min(ms, _U32_MAX)


def _take_string(address: ctypes.c_void_p) -> str:
    """Copies a library-owned string and frees it."""
    lib = _library()
    try:
        return ctypes.string_at(address.value).decode("utf-8")
    finally:
        lib.mesos_discovery_string_free(address)


def _json_call(fn, *args) -> Any:
    out = ctypes.c_void_p()
    _check(fn(*args, ctypes.byref(out)))
    return json.loads(_take_string(out))


def _text(raw: Optional[bytes]) -> Optional[str]:
    return None if raw is None else raw.decode("utf-8")


def _master_dict(m: MasterStruct) -> Dict[str, Any]:
    """A C master struct as the same dict its JSON gives."""
    domain = None
    if m.domain_region is not None or m.domain_zone is not None:
        domain = {"region": _text(m.domain_region), "zone": _text(m.domain_zone)}
    return {
        "id": _text(m.id),
        "hostname": _text(m.hostname),
        "ip": _text(m.ip),
        "port": m.port,
        "pid": _text(m.pid),
        "version": _text(m.version),
        "domain": domain,
        "capabilities": [_text(m.capabilities[i]) for i in range(m.capabilities_len)],
        "znode": _text(m.znode),
        "sequence": m.sequence,
        "format": _text(m.format),
        "leader": bool(m.leader),
    }


def _state_dict(state: LeaderStateStruct) -> Dict[str, Any]:
    error = None
    if state.error_code != _OK:
        error = {"kind": _ERRORS.get(state.error_code, MesosDiscoveryError).name, "message": _text(state.error)}
    return {
        "generation": state.generation,
        "leader": _master_dict(state.leader.contents) if state.leader else None,
        "error": error,
    }


class _Handle:
    """An owned C handle: calls count themselves in, ``close`` waits for them, then frees."""

    _free_name = ""

    def __init__(self, raw: ctypes.c_void_p):
        self._raw = raw
        self._cond = threading.Condition()
        self._calls = 0
        self._closing = False

    def _enter(self) -> ctypes.c_void_p:
        with self._cond:
            if self._closing or not self._raw:
                raise ClosedError(f"this {type(self).__name__} is closed", ClosedError.code)
            self._calls += 1
            return self._raw

    def _leave(self) -> None:
        with self._cond:
            self._calls -= 1
            self._cond.notify_all()

    def _call(self, fn: Callable[[ctypes.c_void_p], Any]) -> Any:
        raw = self._enter()
        try:
            return fn(raw)
        finally:
            self._leave()

    def _wait(self, c_function: str, known_generation: int, timeout: Optional[float]) -> Optional[Dict[str, Any]]:
        """A ``_wait_json`` call: the new state, or ``None`` when ``timeout`` passed first
        (``None``: no limit). ``known_generation < 0`` reads the current state at once."""
        known = _U64_MAX if known_generation < 0 else known_generation
        ms = _U32_MAX if timeout is None else _timeout_ms(timeout, zero_means_default=False)

        def call(raw):
            out = ctypes.c_void_p()
            code = _check(getattr(_library(), c_function)(raw, known, ms, ctypes.byref(out)))
            return None if code == _UNCHANGED else json.loads(_take_string(out))

        return self._call(call)

    def _wake(self, raw: ctypes.c_void_p) -> None:
        """Lets calls in flight end early before the handle is freed (``_close`` in C)."""

    def close(self) -> None:
        """Frees the handle once calls in flight on other threads are done. Idempotent."""
        with self._cond:
            if self._closing:
                return
            self._closing = True
            raw = self._raw
        if not raw:
            return
        self._wake(raw)
        with self._cond:
            while self._calls:
                self._cond.wait()
            self._raw = None
        getattr(_library(), self._free_name)(raw)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            if getattr(self, "_raw", None) and _lib is not None:
                self.close()
        except Exception:  # interpreter shutdown: nothing sensible to do
            pass


class Client(_Handle):
    """Member discovery for one configuration (the flat ``KEY -> value`` vocabulary: the same keys
    as the CLI and the Carbon scheme). Reuses its HTTP connections; safe to share across threads.

    ``env`` is ``"ignore"`` (default), ``"env_wins"`` (environment variables with the same names win,
    the Carbon order) or ``"env_fills"`` (the map wins, the environment fills gaps, the CLI order).
    """

    _free_name = "mesos_discovery_client_free"

    def __init__(self, config: Mapping[str, Any], env: str = "ignore"):
        if env not in _ENV_OVERLAY:
            raise ValueError(f"env must be one of {sorted(_ENV_OVERLAY)}, got {env!r}")
        lib = _library()
        items = [(str(k).encode("utf-8"), _config_value(v)) for k, v in config.items()]
        array = (KeyValue * max(len(items), 1))(*[KeyValue(k, v) for k, v in items])
        raw = ctypes.c_void_p()
        _check(lib.mesos_discovery_client_new(array, len(items), _ENV_OVERLAY[env], ctypes.byref(raw)))
        super().__init__(raw)
        self._subscriptions: Dict[int, Subscription] = {}
        self._subscriptions_lock = threading.Lock()

    def discover(self, timeout: Optional[float] = 30.0) -> Dict[str, Any]:
        """One discovery: ``{"members": [...], "warnings": [...]}`` (the members as
        :meth:`members` returns them). ``timeout`` in seconds (``None``: the configuration's
        ``MESOS_DISCOVERY_DEADLINE``)."""
        ms = _timeout_ms(timeout)

        def call(raw):
            lib = _library()
            out = ctypes.POINTER(MembersStruct)()
            _check(lib.mesos_discovery_client_members(raw, ms, ctypes.byref(out)))
            try:
                return _members_dict(out.contents)
            finally:
                lib.mesos_discovery_members_free(out)

        return self._call(call)

    def members(self, timeout: Optional[float] = 30.0) -> List[Dict[str, Any]]:
        """The members of one discovery: the list ``mesos-discovery members --format json``
        prints (warnings go to the log)."""
        ms = _timeout_ms(timeout)
        return self._call(lambda raw: _json_call(_library().mesos_discovery_client_members_json, raw, ms))

    def wait(self, known_generation: int = 0, timeout: Optional[float] = 30.0) -> Optional[Dict[str, Any]]:
        """Blocks until the member set's generation differs from ``known_generation`` (0 at
        first); returns ``{"generation", "members", "warnings", "error"}``, or ``None`` when
        ``timeout`` passes first. The first wait starts the client's watcher (Marathon's event
        stream, or Mesos-DNS polling). Pass ``-1`` to read the current state at once."""
        return self._wait("mesos_discovery_client_wait_json", known_generation, timeout)

    def watch(self, poll: float = 1.0) -> Iterator[Dict[str, Any]]:
        """Yields the member state once known and after every change, until the client is
        closed. ``poll`` bounds each blocking wait, so the iterator stays interruptible."""
        return _watch(self.wait, poll)

    def snapshot(self) -> Dict[str, Any]:
        """The member state the client knows now, as :meth:`wait` returns it, without any I/O
        and without starting the watcher. One-shot discoveries (:meth:`members`,
        :meth:`discover`) and the watcher feed the same set (one core membership per client):
        generation 0 and no members before the first of them completes."""
        return self._call(lambda raw: _json_call(_library().mesos_discovery_client_snapshot_json, raw))

    def on_change(self, callback: Callable[[Dict[str, Any]], None]) -> "Subscription":
        """Calls ``callback(change)`` with every change of the member set, starting with the
        whole set as ``added``, where ``change`` is ``{"generation", "added", "removed",
        "members"}`` (member dicts as :meth:`members` returns them; ``members`` is the whole set
        after the change). Starts the client's watcher if needed.

        The callback runs on the client's callback thread (never the caller's), one call at a
        time, in generation order, without skipping a change; it should return quickly. It may
        call the client (even :meth:`close`) and cancel its own subscription. Exceptions in it
        are logged (logger ``mesos_discovery``), never raised into the library. The registration
        lives until :meth:`Subscription.cancel` or :meth:`close` (keep the client referenced:
        a garbage-collected client closes). Returns the :class:`Subscription`."""
        return Subscription(self, callback)

    def watch_changes(self, poll: float = 1.0) -> Iterator[Dict[str, Any]]:
        """Yields every change of the member set as :meth:`on_change` passes it (the whole set
        first as ``added``), until the client is closed or the iterator is closed.
        ``poll`` bounds each wait for the next change, so the iterator stays interruptible.
        Changes are queued as they happen: none is lost while the consumer is busy."""
        changes: "queue.SimpleQueue[Dict[str, Any]]" = queue.SimpleQueue()
        subscription = self.on_change(changes.put)
        try:
            while True:
                try:
                    change = changes.get(timeout=poll)
                except queue.Empty:
                    if not subscription.active:
                        return
                    continue
                yield change
        finally:
            subscription.cancel()

    def _wake(self, raw: ctypes.c_void_p) -> None:
        try:
            _check(_library().mesos_discovery_client_close(raw))
        finally:
            # Closing ended every registration in C: mark them (their thunks stay alive until
            # the handle is freed, see close()).
            with self._subscriptions_lock:
                for subscription in self._subscriptions.values():
                    subscription._ended()

    def close(self) -> None:
        super().close()
        # The handle is freed: no callback can run any more, so the C thunks may go.
        with self._subscriptions_lock:
            self._subscriptions.clear()
        _live_clients.discard(self)


class Subscription:
    """A member-change callback registered with :meth:`Client.on_change`. :meth:`cancel` ends
    it; also usable as a context manager (cancels on exit)."""

    def __init__(self, client: Client, callback: Callable[[Dict[str, Any]], None]):
        self._client = client
        self._callback = callback
        self._lock = threading.Lock()
        self._active = False
        self.id: Optional[int] = None

        def trampoline(_userdata, _generation, text):
            # `self` (and through it the thunk) stays referenced while a call runs, even if the
            # callback cancels, closes or drops everything: ctypes must not free a running thunk.
            try:
                self._callback(json.loads(text))
            except BaseException:  # noqa: BLE001 - nothing may unwind into C
                logging.getLogger("mesos_discovery").exception("member-change callback failed")

        # Referenced by this object, and by the client until cancelled or the handle is freed:
        # the library calls it only until then.
        self._thunk = MEMBER_JSON_CALLBACK(trampoline)
        out = ctypes.c_uint64()
        client._call(
            lambda raw: _check(
                _library().mesos_discovery_client_subscribe_json(raw, self._thunk, None, ctypes.byref(out))
            )
        )
        self.id = out.value
        self._active = True
        with client._subscriptions_lock:
            client._subscriptions[self.id] = self
        _live_clients.add(client)

    @property
    def active(self) -> bool:
        """``False`` once cancelled or once the client was closed."""
        return self._active

    def _ended(self) -> None:
        self._active = False

    def cancel(self) -> None:
        """Ends the subscription: once this returns, the callback is not running and never runs
        again (called from inside the callback itself, once that call returns). Idempotent; a
        no-op after the client was closed."""
        with self._lock:
            if not self._active:
                return
            self._active = False
        client = self._client
        try:
            client._call(lambda raw: _check(_library().mesos_discovery_client_unsubscribe(raw, self.id)))
        except (ClosedError, NotFoundError):
            pass  # the client's close already ended it
        with client._subscriptions_lock:
            client._subscriptions.pop(self.id, None)

    def __enter__(self) -> "Subscription":
        return self

    def __exit__(self, *exc) -> None:
        self.cancel()

    def __repr__(self) -> str:
        return f"<mesos_discovery.Subscription id={self.id} active={self._active}>"


# Clients with callbacks registered: closed at interpreter exit, so no library thread calls into
# a finalizing interpreter.
_live_clients: "weakref.WeakSet[Client]" = weakref.WeakSet()


@atexit.register
def _close_live_clients() -> None:
    for client in list(_live_clients):
        try:
            client.close()
        except Exception:  # noqa: BLE001 - exiting anyway
            pass


def _watch(wait: Callable[[int, float], Optional[Dict[str, Any]]], poll: float) -> Iterator[Dict[str, Any]]:
    generation = 0
    while True:
        try:
            state = wait(generation, poll)
        except ClosedError:
            return
        if state is not None:
            generation = state["generation"]
            yield state


def _members_dict(found: MembersStruct) -> Dict[str, Any]:
    """A C members struct as ``{"members": [...], "warnings": [...]}`` with the JSON's keys."""
    health = {-1: None, 0: False, 1: True}
    members = [
        {
            "host": _text(m.host),
            "port": m.port,
            "app_id": _text(m.app_id),
            "task_id": _text(m.task_id),
            "state": _text(m.state),
            "healthy": health[m.healthy],
        }
        for m in found.members[: found.len]
    ]
    warnings = []
    for w in found.warnings[: found.warnings_len]:
        warning = {"app_id": _text(w.app_id), "task_id": _text(w.task_id), "message": _text(w.message)}
        warnings.append({k: v for k, v in warning.items() if v is not None})
    return {"members": members, "warnings": warnings}


def _config_value(value: Any) -> bytes:
    if isinstance(value, bool):
        value = "true" if value else "false"
    return str(value).encode("utf-8")


class Detector(_Handle):
    """Mesos master detection for one ``zk://`` URL; safe to share across threads.

    One-shot reads (:meth:`leader`, :meth:`masters`) open a ZooKeeper session each; watching
    (:meth:`wait`, :meth:`watch`, :meth:`subscribe`) shares one session per detector.
    """

    _free_name = "mesos_discovery_detector_free"

    def __init__(self, zk_url: str, session_timeout: Optional[float] = None, connect_timeout: Optional[float] = None):
        lib = _library()
        raw = ctypes.c_void_p()
        _check(
            lib.mesos_discovery_detector_new(
                zk_url.encode("utf-8"),
                _timeout_ms(session_timeout),
                _timeout_ms(connect_timeout),
                ctypes.byref(raw),
            )
        )
        super().__init__(raw)
        self._callbacks: Dict[int, Any] = {}
        self._callbacks_lock = threading.Lock()

    def leader(self, timeout: Optional[float] = 30.0) -> Optional[Dict[str, Any]]:
        """The leading master, or ``None`` when no master is registered."""
        ms = _timeout_ms(timeout)
        return self._call(lambda raw: _json_call(_library().mesos_discovery_detector_leader_json, raw, ms))

    def masters(self, timeout: Optional[float] = 30.0) -> List[Dict[str, Any]]:
        """Every registered master, leader first."""
        ms = _timeout_ms(timeout)
        return self._call(lambda raw: _json_call(_library().mesos_discovery_detector_masters_json, raw, ms))

    def wait(self, known_generation: int = 0, timeout: Optional[float] = 30.0) -> Optional[Dict[str, Any]]:
        """Blocks until the leader state's generation differs from ``known_generation`` (0 at
        first); returns ``{"generation", "leader", "error"}``, or ``None`` when ``timeout``
        passes first (``0``: do not block). Pass ``-1`` to read the current state at once."""
        return self._wait("mesos_discovery_detector_wait_json", known_generation, timeout)

    def watch(self, poll: float = 1.0) -> Iterator[Dict[str, Any]]:
        """Yields the leader state now (once known) and after every change, until the detector
        is closed. ``poll`` bounds each blocking wait, so the iterator stays interruptible."""
        return _watch(self.wait, poll)

    def subscribe(self, callback: Callable[[Dict[str, Any]], None]) -> int:
        """Calls ``callback(state)`` on the detector's callback thread (never the caller's) with
        the current state once known and after every change. Returns an id for
        :meth:`unsubscribe`. Exceptions in the callback are logged, not raised."""

        keep: List[Any] = []

        def trampoline(_userdata, state_ptr):
            # `keep` holds the thunk while a call runs, even if the callback unsubscribes itself
            # (ctypes must not free a running thunk).
            if not keep:  # always set before the first call
                return
            try:
                callback(_state_dict(state_ptr.contents))
            except BaseException:  # noqa: BLE001 - must not unwind into C
                logging.getLogger("mesos_discovery").exception("leader callback failed")

        c_callback = LEADER_CALLBACK(trampoline)
        keep.append(c_callback)
        out = ctypes.c_uint64()
        with self._callbacks_lock:
            self._call(
                lambda raw: _check(
                    _library().mesos_discovery_detector_subscribe(raw, c_callback, None, ctypes.byref(out))
                )
            )
            self._callbacks[out.value] = c_callback  # keep the C thunk alive
        return out.value

    def unsubscribe(self, subscription: int) -> None:
        """Ends a subscription; once this returns its callback is not running and never runs again."""
        self._call(lambda raw: _check(_library().mesos_discovery_detector_unsubscribe(raw, subscription)))
        with self._callbacks_lock:
            self._callbacks.pop(subscription, None)

    def _wake(self, raw: ctypes.c_void_p) -> None:
        _check(_library().mesos_discovery_detector_close(raw))


# --- one-shot helpers -----------------------------------------------------------------------------


def discover(config: Mapping[str, Any], timeout: Optional[float] = 30.0, env: str = "ignore") -> Dict[str, Any]:
    """One discovery: ``{"members": [...], "warnings": [...]}``."""
    with Client(config, env) as client:
        return client.discover(timeout)


def members(config: Mapping[str, Any], timeout: Optional[float] = 30.0, env: str = "ignore") -> List[Dict[str, Any]]:
    """The cluster members for ``config`` (a dict of the flat configuration keys)."""
    return discover(config, timeout, env)["members"]


def watch_members(config: Mapping[str, Any], env: str = "ignore", poll: float = 1.0) -> Iterator[Dict[str, Any]]:
    """Yields ``{"generation", "members", "warnings", "error"}`` once known and on every change
    of the member set; the watch ends when the iterator is closed or garbage-collected."""
    client = Client(config, env)
    try:
        yield from client.watch(poll)
    finally:
        client.close()


def watch_member_changes(config: Mapping[str, Any], env: str = "ignore", poll: float = 1.0) -> Iterator[Dict[str, Any]]:
    """Yields ``{"generation", "added", "removed", "members"}`` for every change of the member
    set, the whole set first as ``added``; the watch ends when the iterator is closed or
    garbage-collected."""
    client = Client(config, env)
    try:
        yield from client.watch_changes(poll)
    finally:
        client.close()


def leader(zk_url: str, timeout: Optional[float] = 30.0) -> Optional[Dict[str, Any]]:
    """The leading Mesos master registered under ``zk_url``, or ``None``."""
    with Detector(zk_url) as detector:
        return detector.leader(timeout)


def masters(zk_url: str, timeout: Optional[float] = 30.0) -> List[Dict[str, Any]]:
    """Every Mesos master registered under ``zk_url``, leader first."""
    with Detector(zk_url) as detector:
        return detector.masters(timeout)


def watch_leader(zk_url: str, session_timeout: Optional[float] = None, poll: float = 1.0) -> Iterator[Dict[str, Any]]:
    """Yields ``{"generation", "leader", "error"}`` now (once known) and on every leader change;
    the ZooKeeper session ends when the iterator is closed or garbage-collected."""
    detector = Detector(zk_url, session_timeout=session_timeout)
    try:
        yield from detector.watch(poll)
    finally:
        detector.close()


def version() -> str:
    """The loaded library's version."""
    return _library().mesos_discovery_version().decode("utf-8")


# --- logging --------------------------------------------------------------------------------------

_log_callback = None  # keeps the current C thunk alive
_log_lock = threading.Lock()


def set_log_handler(handler: Optional[Callable[[int, str, str], None]], level: str = "info") -> None:
    """Sends the library's log lines up to ``level`` (off, error, warn, info, debug, trace) to
    ``handler(level_number, target, message)`` (1 = error … 5 = trace), on whichever thread
    logged; ``None`` turns logging off. When this returns the previous handler is not running."""
    global _log_callback
    if level not in _LOG_LEVELS:
        raise ValueError(f"level must be one of {sorted(_LOG_LEVELS)}, got {level!r}")
    lib = _library()
    with _log_lock:
        if handler is None:
            _check(lib.mesos_discovery_set_logger(LOG_CALLBACK(), None, 0))
            _log_callback = None
            return

        def trampoline(_userdata, lvl, target, message):
            try:
                handler(lvl, target.decode("utf-8", "replace"), message.decode("utf-8", "replace"))
            except Exception:  # noqa: BLE001 - must not unwind into C
                pass

        thunk = LOG_CALLBACK(trampoline)
        _check(lib.mesos_discovery_set_logger(thunk, None, _LOG_LEVELS[level]))
        _log_callback = thunk


def use_python_logging(logger: Optional[logging.Logger] = None, level: str = "info") -> None:
    """Forwards the library's log lines to ``logger`` (default ``logging.getLogger("mesos_discovery")``)."""
    target_logger = logger or logging.getLogger("mesos_discovery")

    def forward(lvl: int, target: str, message: str) -> None:
        target_logger.log(_PY_LEVELS.get(lvl, logging.DEBUG), "%s: %s", target, message)

    set_log_handler(forward, level)
