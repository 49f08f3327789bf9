"""Shared fixtures."""

import ipaddress
import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from tests.db import db_url, engine, session  # noqa: F401
from tests.fakes.fixtures import *  # noqa

# The suite is a landing gate: property tests run a fixed (derandomized) set of examples there.
# Explore new ones locally with ANJU_FUZZ=random.
hypothesis_settings.register_profile("gate", derandomize=True, database=None)
hypothesis_settings.register_profile("random")
hypothesis_settings.load_profile("random" if os.environ.get("ANJU_FUZZ") == "random" else "gate")


# --- no traffic beyond this machine ---------------------------------------------------------------
# Every platform is a fake on 127.0.0.1. A test whose code opens a connection to any other address, or
# looks up any other host name, fails, even when the code under test swallows the error we raise.
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class NetworkAccessDisallowed(OSError):
    """A test tried to reach beyond the loopback interface."""


def _is_loopback(host: object) -> bool:
    if host is None or host == "":  # bind-style lookups (the local wildcard)
        return True
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    name = str(host).strip("[]").lower()
    if name in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Refuse (and fail the test on) any connection or name lookup that is not loopback."""
    attempts: list[str] = []
    real_connect, real_connect_ex, real_getaddrinfo = socket.socket.connect, socket.socket.connect_ex, \
        socket.getaddrinfo

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            attempts.append(f"connect {address!r}")
            raise NetworkAccessDisallowed(f"network access disallowed in tests: {address!r}")

    def connect(sock: socket.socket, address: Any) -> None:
        check(sock, address)
        real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        check(sock, address)
        return real_connect_ex(sock, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_loopback(host):
            attempts.append(f"getaddrinfo {host!r}")
            raise NetworkAccessDisallowed(f"name lookup disallowed in tests: {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield attempts
    if attempts:
        pytest.fail(f"the test tried to leave the machine: {attempts}")
