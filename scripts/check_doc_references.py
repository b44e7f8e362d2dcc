#!/usr/bin/env python3
"""Checks that every reference to the contract documents resolves inside the repository.

References look like this in code comments, test names and scripts:

    `docs/DOMAIN.md` §3 "Other dialects"        a section, then a heading or a quoted phrase of it
    `docs/DOMAIN.md` §2: "5xx, 429, timeout: …"  a quote: every part between "…" / "..." must occur
    docs/DOMAIN.md §4–6, docs/DOMAIN.md section 3
    `docs/PITFALLS.md` #4, PITFALLS.md #8–11 and 19, `docs/PITFALLS.md` "Delivery receipts"

A reference resolves when `docs/DOMAIN.md` has a section `## N.` (1–6), when a quoted phrase after
`§N` occurs in section N (headings and text, compared case-insensitively with Markdown emphasis,
backticks and line breaks removed), when `docs/PITFALLS.md` has a numbered item `N.`, and when a
quoted phrase after `PITFALLS.md` occurs in that file. Old spellings that point outside the
repository (`domain.md`, `pitfall 13`, `pitfalls 1–7`) are refused.

Usage: scripts/check_doc_references.py [--self-test] [ROOT]
Exit status 0 when everything resolves, 1 otherwise (each problem printed as path:line: message).
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass

# Where references are looked for.
SCANNED_DIRS = ["Sources", "Tests", "Benchmarks", "scripts"]
SCANNED_FILES = ["README.md", "BENCHMARKS.md", "docs/ARCHITECTURE.md"]
SCANNED_EXTENSIONS = {".swift", ".py", ".sh", ".json", ".md", ".yml", ".yaml", ".txt", ".mustache", ".html"}
# Spellings that point outside the repository; case-sensitive like the grep (`DOMAIN.md` is fine).
STALE = re.compile(r"domain\.md|[Pp]itfalls? [0-9]")
DASHES = "\u2013\u2014-"
# How many references were checked (printed, so a checker that silently matches nothing shows).
COUNTS = {"sections": 0, "quotes": 0, "pitfalls": 0}


@dataclass
class Section:
    number: int
    text: str  # normalised heading + body


def normalise(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[*`_]", "", text)
    text = text.replace("\\", "")
    return re.sub(r"\s+", " ", text).strip().lower()


def read(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def domain_sections(domain_text: str) -> dict[int, Section]:
    sections: dict[int, Section] = {}
    current: int | None = None
    lines: list[str] = []
    for line in domain_text.splitlines():
        m = re.match(r"^## (\d+)\. ", line)
        if m:
            if current is not None:
                sections[current] = Section(current, normalise("\n".join(lines)))
            current = int(m.group(1))
            lines = [line[3:]]
        elif line.startswith("## "):
            if current is not None:
                sections[current] = Section(current, normalise("\n".join(lines)))
            current = None
            lines = []
        elif current is not None:
            lines.append(line)
    if current is not None:
        sections[current] = Section(current, normalise("\n".join(lines)))
    return sections


def pitfall_items(pitfalls_text: str) -> set[int]:
    return {int(m.group(1)) for m in re.finditer(r"^(\d+)\. ", pitfalls_text, re.MULTILINE)}


def comment_prefixes(path: str) -> tuple[str, ...]:
    ext = os.path.splitext(path)[1]
    if ext in (".py", ".sh", ".yml", ".yaml", ".txt"):
        return ("#",)
    if ext == ".md":
        return ()
    return ("///", "//", "*")


def flatten(text: str, prefixes: tuple[str, ...] = ("///", "//", "*")) -> tuple[str, list[int]]:
    """Joins comment continuation lines into one text; returns it with each character's line number."""
    out: list[str] = []
    lines_of: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip()
        for prefix in prefixes:
            if stripped.startswith(prefix):
                stripped = stripped[len(prefix):]
                break
        piece = stripped.strip() + " "
        out.append(piece)
        lines_of.extend([number] * len(piece))
    return "".join(out), lines_of


def quote_parts(quote: str) -> list[str]:
    parts = re.split(r"\u2026|\.\.\.", quote)
    return [normalise(p) for p in parts if normalise(p)]


NUMBER_LIST = r"\d+(?:\s*[" + DASHES + r"]\s*\d+)?(?:\s*(?:,|and)\s*\d+(?:\s*[" + DASHES + r"]\s*\d+)?)*"
DOMAIN_REF = re.compile(r"DOMAIN\.md`?")
SECTION = re.compile(
    r"\s*(?:[:,;]|and|or)?\s*(?:§|section\s+)(\d+)(?:\s*[" + DASHES + r"]\s*(\d+))?"
)
QUOTE = re.compile(r'\s*:?\s*"([^"]{1,400})"')
PITFALL_REF = re.compile(r"PITFALLS\.md`?\s*(?:#(" + NUMBER_LIST + r")|\"([^\"]{1,200})\"|(\d+)\b)?")


def numbers(spec: str) -> list[int]:
    result: list[int] = []
    for part in re.split(r"\s*(?:,|and)\s*", spec.strip()):
        m = re.match(r"(\d+)\s*[" + DASHES + r"]\s*(\d+)$", part)
        if m:
            result.extend(range(int(m.group(1)), int(m.group(2)) + 1))
        elif part.isdigit():
            result.append(int(part))
    return result


def check_text(path: str, text: str, sections: dict[int, Section], pitfalls: set[int], pitfalls_text: str) -> list[str]:
    problems: list[str] = []
    counts = COUNTS
    flat, line_of = flatten(text, comment_prefixes(path))

    def where(offset: int) -> str:
        return f"{path}:{line_of[min(offset, len(line_of) - 1)]}"

    for m in STALE.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        problems.append(f"{path}:{line}: '{m.group(0)}' points outside the repository; cite `docs/DOMAIN.md` §N or `docs/PITFALLS.md` #N")

    for m in DOMAIN_REF.finditer(flat):
        pos = m.end()
        while True:
            s = SECTION.match(flat, pos)
            if not s:
                break
            first = int(s.group(1))
            last = int(s.group(2)) if s.group(2) else first
            pos = s.end()
            for n in range(first, last + 1):
                counts["sections"] += 1
                if n not in sections:
                    problems.append(f"{where(s.start())}: `docs/DOMAIN.md` §{n} does not exist (sections {min(sections)}–{max(sections)})")
            while True:
                q = QUOTE.match(flat, pos)
                if not q:
                    break
                pos = q.end()
                counts["quotes"] += 1
                if first in sections:
                    for part in quote_parts(q.group(1)):
                        if part not in sections[first].text:
                            problems.append(f'{where(q.start())}: "{part}" is not in `docs/DOMAIN.md` §{first}')

    for m in PITFALL_REF.finditer(flat):
        spec, quote, bare = m.group(1), m.group(2), m.group(3)
        if bare:
            problems.append(f"{where(m.start())}: write `docs/PITFALLS.md` #{bare} (with #)")
        for n in numbers(spec or ""):
            counts["pitfalls"] += 1
            if n not in pitfalls:
                problems.append(f"{where(m.start())}: `docs/PITFALLS.md` #{n} does not exist (items {min(pitfalls)}–{max(pitfalls)})")
        if quote:
            for part in quote_parts(quote):
                if part not in normalise(pitfalls_text):
                    problems.append(f'{where(m.start())}: "{part}" is not in `docs/PITFALLS.md`')
    return problems


def scanned_files(root: str):
    for d in SCANNED_DIRS:
        for base, dirs, files in os.walk(os.path.join(root, d)):
            dirs[:] = [x for x in dirs if not x.startswith(".") and x not in ("__pycache__",)]
            for name in sorted(files):
                if os.path.splitext(name)[1] in SCANNED_EXTENSIONS:
                    yield os.path.join(base, name)
    for f in SCANNED_FILES:
        p = os.path.join(root, f)
        if os.path.exists(p):
            yield p


def check(root: str) -> list[str]:
    domain_path = os.path.join(root, "docs/DOMAIN.md")
    pitfalls_path = os.path.join(root, "docs/PITFALLS.md")
    problems: list[str] = []
    for p in (domain_path, pitfalls_path):
        if not os.path.exists(p):
            return [f"{os.path.relpath(p, root)} is missing"]
    sections = domain_sections(read(domain_path))
    pitfalls_text = read(pitfalls_path)
    pitfalls = pitfall_items(pitfalls_text)
    if sorted(sections) != list(range(1, 7)):
        problems.append(f"docs/DOMAIN.md: sections must be numbered 1–6, found {sorted(sections)}")
    if not set(range(1, 21)) <= pitfalls:
        problems.append(f"docs/PITFALLS.md: items 1–20 must exist, missing {sorted(set(range(1, 21)) - pitfalls)}")
    this = os.path.abspath(__file__)
    for path in scanned_files(root):
        if os.path.abspath(path) == this:
            continue
        problems.extend(check_text(os.path.relpath(path, root), read(path), sections, pitfalls, pitfalls_text))
    return problems


def self_test() -> int:
    """The checker must refuse each kind of broken reference and accept the good ones."""
    domain = "# D\n## 1. Words\n- **Segment**: one part.\n## 2. Sending\nRetries: 5xx, 429, timeout: backoff.\n"
    domain += "".join(f"## {n}. S{n}\ntext\n" for n in range(3, 7))
    pitfalls_text = "## Delivery receipts\n" + "".join(f"{n}. item\n" for n in range(1, 21))
    sections = domain_sections(domain)
    pits = pitfall_items(pitfalls_text)
    good = [
        '/// (`docs/DOMAIN.md` §1 "Segment"; `docs/PITFALLS.md` #4, 12–14, 20)',
        '/// `docs/DOMAIN.md` §2: "5xx, 429,\n/// timeout: backoff").',
        '@Suite("Stats (docs/DOMAIN.md §6)")',
        '/// PITFALLS.md #1–7 and 19 (`docs/PITFALLS.md` "Delivery receipts")',
        '/// (`docs/DOMAIN.md` §4–6 directly, docs/DOMAIN.md section 3)',
    ]
    bad = [
        ('/// `docs/DOMAIN.md` §7', "§7 does not exist"),
        ('/// `docs/DOMAIN.md` §1 "Segments of UCS-2"', "is not in"),
        ('/// `docs/DOMAIN.md` §2: "5xx … jitter"', "is not in"),
        ('/// PITFALLS.md #21', "#21 does not exist"),
        ('/// PITFALLS.md #3–22', "#22 does not exist"),
        ('/// `docs/PITFALLS.md` 5', "with #"),
        ('/// (`domain.md` §4)', "outside the repository"),
        ('/// (pitfall 13)', "outside the repository"),
        ('/// `docs/PITFALLS.md` "Clicks"', "is not in"),
    ]
    failures = 0
    for text in good:
        found = check_text("good.swift", text, sections, pits, pitfalls_text)
        if found:
            print(f"self-test: accepted reference refused: {text!r}: {found}")
            failures += 1
    for text, expected in bad:
        found = check_text("bad.swift", text, sections, pits, pitfalls_text)
        if not any(expected in f for f in found):
            print(f"self-test: broken reference not refused ({expected!r} expected): {text!r}: {found}")
            failures += 1
    print(f"self-test: {len(good)} good and {len(bad)} broken references, {failures} failure(s)")
    return 1 if failures else 0


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    if "--self-test" in argv:
        return self_test()
    root = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    problems = check(root)
    for p in problems:
        print(p)
    print(
        f"doc references: {COUNTS['sections']} DOMAIN.md sections, {COUNTS['quotes']} quoted headings/phrases, "
        f"{COUNTS['pitfalls']} PITFALLS.md items checked; {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
