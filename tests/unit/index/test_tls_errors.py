"""Which TLS failures are tried again: a connection lost midway, not a refused
certificate or a server that does not speak TLS."""

from __future__ import annotations

import ssl

import pytest
from urllib3.exceptions import SSLError

from tether.index.http import transient_tls


@pytest.mark.parametrize(
    "cause",
    [
        ssl.SSLEOFError(
            8, "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol"
        ),
        ssl.SSLError(
            1, "[SSL: DECRYPTION_FAILED_OR_BAD_RECORD_MAC] decryption failed or bad record mac"
        ),
        ssl.SSLZeroReturnError(6, "TLS/SSL connection has been closed (EOF)"),
    ],
)
def test_a_connection_lost_midway_is_tried_again(cause: ssl.SSLError) -> None:
    assert transient_tls(SSLError(cause))


@pytest.mark.parametrize(
    "cause",
    [
        ssl.SSLCertVerificationError(
            1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed"
        ),
        ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"),
    ],
)
def test_a_refused_certificate_or_plain_http_is_final(cause: ssl.SSLError) -> None:
    assert not transient_tls(SSLError(cause))
    assert not transient_tls(SSLError(str(cause)))  # only the message left: still final
