#!/usr/bin/env python3
"""The reference verdicts for the phone corpus test (Tests/SMSCoreTests/Phone/PhoneNumberReferenceTests.swift):
Google's libphonenumber through its Python port `phonenumbers` (scripts/requirements-tools.txt pins
the version the vendored metadata comes from).

Usage: phonenumbers_check.py CORPUS.json
  CORPUS.json: [{"input": "+44 (0)20 7946 0958", "region": null}, {"input": "0151 23456789", "region": "DE"}, ...]
Prints one JSON object: {"version": "9.0.43", "results": [{"valid": true, "e164": "+442079460958"}, ...]},
one result per corpus entry in order: `valid` is is_valid_number(parse(input, region)), `e164` is
format_number(..., E164) of the parsed number (also for a parsed but invalid number), `error` is the
NumberParseException when parsing failed, `region` is region_code_for_number of a valid number
(the `country` of a profile, issue 15).
"""
import json
import sys

import phonenumbers


def check(entry):
    try:
        number = phonenumbers.parse(entry["input"], entry.get("region"))
    except phonenumbers.NumberParseException as error:
        return {"valid": False, "e164": None, "error": str(error)}
    valid = phonenumbers.is_valid_number(number)
    return {
        "valid": valid,
        "e164": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        "region": phonenumbers.region_code_for_number(number) if valid else None,
    }


def main(path):
    with open(path, encoding="utf-8") as f:
        corpus = json.load(f)
    results = [check(entry) for entry in corpus]
    json.dump({"version": phonenumbers.__version__, "results": results}, sys.stdout, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
