#!/usr/bin/env python3
"""Verifies webhook deliveries with the Standard Webhooks reference library (PyPI `standardwebhooks`).

Usage: standardwebhooks_verify.py DELIVERIES.json, a JSON array: [{"secret": "whsec_...", "id": ..., "timestamp": ..., "signature": ..., "body": "<text>"}].
Prints one line per delivery: "ok" when Webhook(secret).verify(body, headers) accepts it, else "bad <error>".
"""
import json, sys
from standardwebhooks.webhooks import Webhook

with open(sys.argv[1]) as f:
    deliveries = json.load(f)
for d in deliveries:
    headers = {"webhook-id": d["id"], "webhook-timestamp": str(d["timestamp"]), "webhook-signature": d["signature"]}
    try:
        Webhook(d["secret"]).verify(d["body"], headers)
        print("ok")
    except Exception as e:  # the library's WebhookVerificationError, or a malformed input
        print("bad " + type(e).__name__ + ": " + str(e))
