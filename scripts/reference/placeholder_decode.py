#!/usr/bin/env python3
"""The reference decoding for the placeholder round-trip test
(Tests/SMSCoreTests/Provider/PlaceholderRoundTripTests.swift): Python's standard library reads back
what a `$$V` placeholder rendered into each place of a provider request.

Usage: placeholder_decode.py CASES.json
  CASES.json: [{"path": "<url>", "query": "<url>", "form": "<body>", "json": "<body>"}, ...], where
  `path` holds the value as the third segment (`https://h/v1/<value>/messages?x=1`), `query` and
  `form` hold it as the field `v`, and `json` as the string of key `v`.
Prints a JSON array, one object per case: the value each place decodes to, read the way a server
reads it: urllib.parse.urlsplit + unquote for the path segment, parse_qsl (form decoding, `+` is a
space) for the query and the form body, json.loads for the JSON body.
"""
import json
import sys
from urllib.parse import parse_qsl, unquote, urlsplit


def field(pairs, name):
    values = [value for key, value in pairs if key == name]
    return values[0] if len(values) == 1 else None


def decode(case):
    segments = urlsplit(case["path"]).path.split("/")
    query = parse_qsl(urlsplit(case["query"]).query, keep_blank_values=True, errors="strict")
    form = parse_qsl(case["form"], keep_blank_values=True, errors="strict")
    return {
        "path": unquote(segments[2], errors="strict") if len(segments) == 4 else None,
        "query": field(query, "v"),
        "form": field(form, "v"),
        "json": json.loads(case["json"]).get("v"),
    }


with open(sys.argv[1], encoding="utf-8") as source:
    cases = json.load(source)
json.dump([decode(case) for case in cases], sys.stdout, ensure_ascii=True)
