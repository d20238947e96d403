"""Verifies a Siyu webhook signature the way docs/webhooks.md tells a receiver to, with Python's standard library only.

Usage: python verify_webhook.py SECRET SIGNATURE_HEADER BODY_FILE [NOW]
Exits 0 when the signature is valid and fresh, 1 otherwise. The webhook tests run it on what their receiver got.
"""
import hashlib
import hmac
import sys
import time

TOLERANCE = 300  # seconds: the replay window


def verify(secret: bytes, header: str, body: bytes, now: int) -> bool:
    fields = [part.strip().split("=", 1) for part in header.split(",")]
    timestamps = [value for key, value in fields if key == "t"]
    signatures = [value for key, value in fields if key == "v1"]
    if len(timestamps) != 1 or not timestamps[0].isdigit() or not signatures:
        return False
    timestamp = int(timestamps[0])
    if abs(now - timestamp) > TOLERANCE:
        return False  # too old (or from the future): a replay, or a clock that is far off
    expected = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)


if __name__ == "__main__":
    secret, header, body_file = sys.argv[1], sys.argv[2], sys.argv[3]
    now = int(sys.argv[4]) if len(sys.argv) > 4 else int(time.time())
    with open(body_file, "rb") as f:
        body = f.read()
    sys.exit(0 if verify(secret.encode(), header, body, now) else 1)
