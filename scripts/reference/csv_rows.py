#!/usr/bin/env python3
"""The reference CSV reader for the message log export test
(Tests/SMSWebTests/MessageLogExportTests.swift): Python's standard `csv` module reads back a file
the export wrote.

Usage: csv_rows.py FILE.csv
Prints a JSON array of rows, each an array of cells, read with the RFC 4180 dialect (`excel`,
strict: a malformed quote is an error, exit status 1).
"""
import csv
import json
import sys

with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f, dialect="excel", strict=True))
json.dump(rows, sys.stdout)
