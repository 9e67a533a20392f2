"""Nothing the library does opens a network connection (import, analysis, drafts, reviews)."""

from __future__ import annotations

import subprocess
import sys

GUARD = """
import socket

def _refuse(*args, **kwargs):
    raise RuntimeError("network access attempted")

socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.create_connection = _refuse
socket.getaddrinfo = _refuse

import empathic_reply as er
er.analyze("Still waiting on my refund, 3 weeks now")
d = er.draft("My order #123 never arrived", customer_name="Sam")
er.review(d.text, message="My order #123 never arrived", channel="public")
er.audit([{"message": "where is my parcel", "reply": "Sorry! DM us."}], progress=False)
print("ok")
"""


def test_no_network_access_at_import_or_run_time():
    result = subprocess.run(
        [sys.executable, "-c", GUARD], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")
