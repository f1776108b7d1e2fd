#!/usr/bin/env python3
"""urltestdata.py JSON OUT: the inputs (and bases) of the WHATWG URL
conformance data, one case per line in the corpus format micro_url reads:
INPUT or INPUT<TAB>BASE, with \\\\ \\t \\n \\r \\xHH escapes, a leading '#'
escaped too (a '#' line is a comment). Comment strings in the JSON are
skipped. Lone surrogates (which JavaScript strings may hold) are written
as their CESU-8 bytes, which the parser reads as invalid UTF-8, that is as
U+FFFD, the same result a browser gets."""
import json
import os
import sys


def esc(s):
    out = bytearray()
    for b in s.encode("utf-8", "surrogatepass"):
        if b == 0x5C:
            out += b"\\\\"
        elif b == 0x09:
            out += b"\\t"
        elif b == 0x0A:
            out += b"\\n"
        elif b == 0x0D:
            out += b"\\r"
        elif b < 0x20 or b == 0x7F:
            out += b"\\x%02x" % b
        else:
            out.append(b)
    if out.startswith(b"#"):
        out[0:1] = b"\\x23"
    return bytes(out)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as f:
        cases = json.load(f)
    lines = []
    for c in cases:
        if not isinstance(c, dict):
            continue
        line = esc(c["input"])
        if c.get("base") is not None:
            line += b"\t" + esc(c["base"])
        lines.append(line + b"\n")
    with open(dst + ".tmp", "wb") as f:
        f.writelines(lines)
    os.replace(dst + ".tmp", dst)


if __name__ == "__main__":
    main()
