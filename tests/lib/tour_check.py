#!/usr/bin/env python3
"""Checks that the README's tour is real: every "$ command" in the code
blocks of README.md's "A tour" section, and the output shown under it, is
what `make demo` (scripts/demo.sh) printed for the same command.

Usage: tour_check.py README.md DEMO-OUTPUT

The parts that vary between runs are normalised on both sides first:
ports, times, dates, days left, and the hashes, serials, pins and ETags
of the certificates and files the demo generates. A line "..." in the
README stands for any number of lines of the demo's output."""
import re
import sys

RULES = [
    (re.compile(r"\x1b\[[0-9;]*m"), ""),
    (re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC"), "DATE"),
    (re.compile(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT"), "DATE"),
    (re.compile(r"\(\d+ days left\)"), "(N days left)"),
    (re.compile(r"[\d./]+ ms\b"), "T ms"),
    (re.compile(r"\b[0-9A-F]{2}(?::[0-9A-F]{2})+\b"), "HEX"),
    (re.compile(r"sha256//\S+"), "sha256//PIN"),
    (re.compile(r'"[0-9a-f]+-[0-9a-f]+"'), '"ETAG"'),
    (re.compile(r"\b\d{4,5}\b"), "PORT"),
]


def norm(line):
    for rx, to in RULES:
        line = rx.sub(to, line)
    return line.rstrip()


def commands(lines):
    """[(command, [output lines])] from lines with "$ " prompts."""
    out = []
    for line in lines:
        if line.startswith("$ "):
            out.append((norm(line[2:]), []))
        elif out:
            out[-1][1].append(norm(line))
    return out


def demo_blocks(text):
    # A "# heading" line (say) starts a new step; its blank line before it
    # is not output.
    lines = []
    for line in text.split("\n"):
        if line.startswith("# ") or line.startswith("Done."):
            if lines and lines[-1] == "":
                lines.pop()
            lines.append("$ (step)")
            continue
        lines.append(line)
    return {cmd: out for cmd, out in commands(lines)}


def readme_blocks(text):
    m = re.search(r"^## A tour\n(.*?)^## ", text, re.S | re.M)
    if not m:
        sys.exit("README.md has no '## A tour' section")
    blocks = re.findall(r"^```\n(.*?)^```", m.group(1), re.S | re.M)
    out = []
    for b in blocks:
        out.extend(commands(b.rstrip("\n").split("\n")))
    return out


def matches(want, got):
    """want (README lines, "..." any lines) against all of got."""
    if not want:
        return not got
    if want[0] == "...":
        return any(matches(want[1:], got[i:]) for i in range(len(got) + 1))
    return bool(got) and want[0] == got[0] and matches(want[1:], got[1:])


def main():
    readme = open(sys.argv[1], encoding="utf-8").read()
    demo = demo_blocks(open(sys.argv[2], encoding="utf-8").read())
    tour = readme_blocks(readme)
    if not tour:
        sys.exit("no commands in the README's tour")
    bad = 0
    for cmd, want in tour:
        if cmd not in demo:
            print("not in the demo: $ " + cmd)
            bad += 1
        elif not matches(want, demo[cmd]):
            print("differs: $ " + cmd)
            print("  README (normalised):\n    " + "\n    ".join(want))
            print("  demo (normalised):\n    " + "\n    ".join(demo[cmd]))
            bad += 1
    print("%d commands checked, %d wrong" % (len(tour), bad))
    sys.exit(1 if bad else 0)


main()
