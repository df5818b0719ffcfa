"""The client address the sign-in throttle counts under: the connection's peer, unless trusted reverse proxies
stand in between; a forged X-Forwarded-For never picks the key."""

from __future__ import annotations

import pytest

from replycoach.ui.clients import client_address, is_trusted_proxy

PROXY = "10.0.0.5"


def test_without_trusted_proxies_the_header_is_ignored():
    assert client_address("203.0.113.9", ["198.51.100.1"], []) == "203.0.113.9"
    assert client_address(None, ["198.51.100.1"], []) == "127.0.0.1"  # Streamlit's "this machine"


def test_behind_a_trusted_proxy_the_nearest_untrusted_hop_counts():
    # the client wrote a fake hop at the left; the proxy appended the address it really saw
    assert client_address(PROXY, ["6.6.6.6, 198.51.100.1"], [PROXY]) == "198.51.100.1"
    assert client_address(PROXY, ["198.51.100.1", "10.0.0.7"], ["10.0.0.0/24"]) == "198.51.100.1"
    assert client_address(None, ["198.51.100.1"], ["127.0.0.1"]) == "198.51.100.1"  # a proxy on this machine


def test_a_peer_that_is_no_trusted_proxy_is_the_client_whatever_it_sends():
    assert client_address("203.0.113.9", ["198.51.100.1"], [PROXY]) == "203.0.113.9"
    assert is_trusted_proxy(PROXY, ["10.0.0.0/8"]) and not is_trusted_proxy("11.0.0.1", ["10.0.0.0/8"])


def test_a_mistyped_proxy_setting_says_what_is_wrong():
    with pytest.raises(ValueError, match="REPLYCOACH_TRUSTED_PROXIES: 'proxy.local' is not an address"):
        client_address(PROXY, [], ["proxy.local"])
