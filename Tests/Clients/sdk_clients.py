"""Sends events to a Siyu server with the official Segment and RudderStack Python SDKs, unmodified.

Usage: python sdk_clients.py http://127.0.0.1:PORT WRITE_KEY
Prints a JSON summary and exits 1 if either SDK reported an error.
"""
import json
import sys

from rudderstack.analytics.client import Client as RudderClient
from segment.analytics import Client as SegmentClient

VIEWS = 250  # more than one SDK batch (100 events), so the SDKs' own batching is exercised


def send(client, prefix):
    """The same story through one SDK: an anonymous visitor views products, signs up, buys."""
    anon = prefix + "-anon"
    user = prefix + "-user"
    for i in range(VIEWS):
        client.track(anonymous_id=anon, event="Product Viewed", properties={"product_id": "sku-%d" % (i % 7), "i": i},
                     context={"channel": "douyin"}, message_id="%s-view-%d" % (prefix, i))
    client.identify(user, {"name": prefix + " 测试", "email": prefix + "@example.com", "city": "上海"}, anonymous_id=anon,
                    message_id=prefix + "-identify")
    client.track(user, "Order Completed", {"order_id": prefix + "-o1", "revenue": 88.8, "currency": "CNY"}, message_id=prefix + "-order")
    client.page(user, name="Home", properties={"path": "/"}, message_id=prefix + "-page")
    client.screen(user, name="Cart", message_id=prefix + "-screen")
    client.group(user, prefix + "-team", {"name": "Team"}, message_id=prefix + "-group")
    client.alias(prefix + "-old-id", user, message_id=prefix + "-alias")


def main():
    host, write_key = sys.argv[1], sys.argv[2]
    errors = []

    def on_error(error, batch):
        errors.append(repr(error))

    segment = SegmentClient(write_key, host=host, on_error=on_error, max_retries=8)  # plain JSON, Segment's default
    send(segment, "seg")
    segment.flush()
    segment.shutdown()

    rudder = RudderClient(write_key, host=host, on_error=on_error, max_retries=8)  # gzip, RudderStack's default
    send(rudder, "rud")
    rudder.flush()
    rudder.shutdown()

    print(json.dumps({"errors": errors, "sent_per_sdk": VIEWS + 6}))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
