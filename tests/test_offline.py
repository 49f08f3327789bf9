"""The offline guard: loopback works, anything else fails the test (also when the error is swallowed)."""

from __future__ import annotations

import socket

import pytest


def test_loopback_is_allowed() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    with server, socket.create_connection(server.getsockname(), timeout=2):
        pass
    assert socket.getaddrinfo("localhost", 80)


def test_other_addresses_are_refused_and_recorded(_offline: list[str]) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with sock, pytest.raises(OSError, match="disallowed"):
        sock.connect(("93.184.215.14", 443))
    with pytest.raises(OSError, match="disallowed"):
        socket.getaddrinfo("api.telegram.org", 443)
    assert _offline == ["connect ('93.184.215.14', 443)", "getaddrinfo 'api.telegram.org'"]
    _offline.clear()  # recorded attempts fail the test at teardown; this test made them on purpose
