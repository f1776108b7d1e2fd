#!/usr/bin/env python3
"""Writes the seed corpora tests/fuzz/corpus/<target>/ from the unit tests'
inputs (tests/unit/test_http_parse.c rows, tests/data/urltestdata.json) and
from inputs made here (compressed bodies, telnet negotiations, certificates
made with the openssl command), each with the option bytes its target reads
first (see the comment at the top of each tests/fuzz/fuzz_*.c).

Run it from anywhere: python3 tests/fuzz/mkcorpus.py. It replaces the
seed files it writes (named seed-*) and leaves any other file alone, so
inputs copied in by hand (minimised crashes, say) stay. Certificates are
made with new keys on every run, so regenerating changes those files."""

import gzip
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import zlib

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")


def c_strings(src, start):
    """Reads adjacent C string literals at src[start:], up to the closing
    parenthesis; returns (bytes, end)."""
    out = bytearray()
    i = start
    while True:
        while src[i] in " \t\r\n":
            i += 1
        if src[i] != '"':
            return bytes(out), i
        i += 1
        while src[i] != '"':
            c = src[i]
            if c != "\\":
                out += c.encode("utf-8")
                i += 1
                continue
            e = src[i + 1]
            i += 2
            simple = {"n": 10, "r": 13, "t": 9, "\\": 92, '"': 34, "'": 39,
                      "a": 7, "b": 8, "f": 12, "v": 11, "?": 63}
            if e in simple:
                out.append(simple[e])
            elif e == "x":
                m = re.match(r"[0-9a-fA-F]+", src[i:])
                out.append(int(m.group(0), 16) & 0xFF)
                i += len(m.group(0))
            elif e in "01234567":
                m = re.match(r"[0-7]{0,2}", src[i:])
                out.append(int(e + m.group(0), 8) & 0xFF)
                i += len(m.group(0))
            else:
                raise ValueError("escape \\%s" % e)
        i += 1


def http_rows():
    """(bytes, method, max_line, max_head, max_headers) per test row."""
    path = os.path.join(ROOT, "tests", "unit", "test_http_parse.c")
    src = open(path, encoding="utf-8").read()
    starts = [m.end() for m in re.finditer(r"\bIN\(", src)]
    rows = []
    for k, s in enumerate(starts):
        data, end = c_strings(src, s)
        rest = src[end:starts[k + 1] if k + 1 < len(starts) else len(src)]
        row = rest.split("},", 1)[0]

        def num(name):
            m = re.search(r"\.%s = (\d+)" % name, row)
            return int(m.group(1)) if m else 0
        m = re.search(r'\.method = "([A-Z]+)"', row)
        rows.append((data, m.group(1) if m else None, num("max_line"),
                     num("max_head"), num("max_headers")))
    return rows


class Writer:
    def __init__(self, target):
        self.dir = os.path.join(CORPUS, target)
        os.makedirs(self.dir, exist_ok=True)
        for f in os.listdir(self.dir):
            if f.startswith("seed-"):
                os.unlink(os.path.join(self.dir, f))
        self.n = 0
        self.seen = set()

    def add(self, name, data):
        if data in self.seen:
            return
        self.seen.add(data)
        self.n += 1
        safe = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")[:40]
        path = os.path.join(self.dir, "seed-%03d-%s" % (self.n, safe))
        with open(path, "wb") as f:
            f.write(data)


METHOD_BITS = {None: 0, "GET": 0, "HEAD": 1, "CONNECT": 2, "POST": 3}


def seed(i):
    return struct.pack(">I", (i * 2654435761) & 0xFFFFFFFF)


def http_response():
    w = Writer("fuzz_http_response")
    for i, (data, method, ml, mh, mhs) in enumerate(http_rows()):
        flags = METHOD_BITS.get(method, 0) << 1
        if ml or mh or mhs:
            # small limits: max_line = 16 + [1], max_head = 16 + 4 * [2]
            l1 = max(0, min(255, ml - 16)) if ml else 255
            l2 = max(0, min(255, (mh - 16) // 4)) if mh else 255
            l3 = mhs if mhs else 64
            w.add("row%d-limits" % i, bytes([flags | 1, l1, l2, l3]) +
                  seed(i) + data)
        w.add("row%d" % i, bytes([flags, 0, 0, 0]) + seed(i) + data)


def gz(b):
    return gzip.compress(b, mtime=0)


def zl(b):
    return zlib.compress(b)


def raw(b):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(b) + c.flush()


def chunked(b, size=7):
    out = b""
    for i in range(0, len(b), size):
        piece = b[i:i + size]
        out += b"%x\r\n" % len(piece) + piece + b"\r\n"
    return out + b"0\r\n\r\n"


TEXT = (b"It was the best of times, it was the worst of times, it was the "
        b"age of wisdom, it was the age of foolishness.\n")


def http_body():
    w = Writer("fuzz_http_body")
    for i, (data, method, ml, mh, mhs) in enumerate(http_rows()):
        if ml or mh or mhs:
            continue
        flags = METHOD_BITS.get(method, 0)
        w.add("row%d" % i, bytes([flags, 0, 0, 0]) + seed(i) + data)
    made = [
        ("gzip-length", 8, b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
         b"Content-Length: %d\r\n\r\n" % len(gz(TEXT)) + gz(TEXT)),
        ("deflate-chunked", 8, b"HTTP/1.1 200 OK\r\nContent-Encoding: "
         b"deflate\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(zl(TEXT))),
        ("raw-deflate-close", 8, b"HTTP/1.0 200 OK\r\nContent-Encoding: "
         b"deflate\r\n\r\n" + raw(TEXT)),
        ("te-gzip-chunked", 0, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, "
         b"chunked\r\n\r\n" + chunked(gz(TEXT), 13)),
        ("gzip-gzip", 8, b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip, gzip\r\n"
         b"Content-Length: %d\r\n\r\n" % len(gz(gz(TEXT))) + gz(gz(TEXT))),
        ("trailers", 0, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
         b"\r\n5;ext=1\r\nhello\r\n0\r\nX-Sum: 1\r\nX-B: 2\r\n\r\n"),
        ("keep-alive-pipeline", 0, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
         b"\r\nhiHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\n"
         b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
         b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nrest"),
        ("continue", 0, b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early\r\n"
         b"Link: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"),
        ("head", 1, b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
         b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"),
        ("connect-tunnel", 2, b"HTTP/1.1 200 Connection established\r\n\r\n"
         b"\x16\x03\x01"),
        ("switching", 0, b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: ws"
         b"\r\n\r\n\x81\x05hello"),
        ("lf-only", 0, b"HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n"
         b"A\nabcdefghij\n0\n\n"),
        ("small-limits", 4 | 0, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: "
         b"chunked\r\n\r\n10;a=bbbbbbbbbbbbbbbbbbbbbbbbb\r\n0123456789abcdef\r\n"
         b"0\r\nT: 1\r\n\r\n"),
    ]
    for i, (name, flags, data) in enumerate(made):
        w.add(name, bytes([flags, 16, 8, 0]) + seed(i) + data)


def decode():
    w = Writer("fuzz_decode")
    kinds = {"gzip": 0, "deflate": 1, "x-gzip": 2, "identity": 3}

    def opts(codings, b2=0, level=6, i=0):
        b1 = 0
        for k, c in enumerate(codings):
            b1 |= kinds[c] << (2 * k)
        return bytes([len(codings), b1, b2, level]) + seed(i)
    w.add("gzip", opts(["gzip"]) + gz(TEXT))
    w.add("gzip-two-members", opts(["gzip"]) + gz(TEXT) + gz(b"more"))
    w.add("x-gzip", opts(["x-gzip"]) + gz(TEXT * 3))
    w.add("deflate-zlib", opts(["deflate"]) + zl(TEXT))
    w.add("deflate-raw", opts(["deflate"]) + raw(TEXT))
    w.add("gzip-then-deflate", opts(["gzip", "deflate"]) + zl(gz(TEXT)))
    w.add("deflate-gzip-list", opts(["deflate", "gzip"], b2=2) +
          gz(zl(TEXT)))
    w.add("identity", opts(["identity"]) + TEXT)
    w.add("none", opts([]) + TEXT)
    w.add("empty-gzip", opts(["gzip"]) + gz(b""))
    w.add("truncated", opts(["gzip"]) + gz(TEXT)[:-5])
    w.add("trailing-garbage", opts(["deflate"]) + zl(TEXT) + b"xx")
    w.add("bomb-ish", opts(["gzip"]) + gz(b"\0" * 200000))
    w.add("stored", opts(["deflate"]) + zlib.compress(TEXT, 0))
    # round trips: plain text, compressed by the target itself
    w.add("rt-gzip", opts(["gzip"], b2=1) + TEXT)
    w.add("rt-three", opts(["deflate", "gzip", "identity"], b2=1 | 2,
                           level=9) + TEXT)
    w.add("rt-raw", opts(["deflate", "deflate"], b2=1 | 4, level=1) + TEXT)


def http_request():
    w = Writer("fuzz_http_request")
    # fields: method, target, host, UA, user:pass, Range, Accept-Encoding,
    # Referer, then header lines; [0] says which of the eight are given
    def req(given, flags, num, fields, headers=()):
        return (bytes([given, flags, 0, 0]) + struct.pack(">i", num) +
                b"\0".join(fields + list(headers)))
    w.add("minimal", req(0b110, 0, 0, [b"", b"/", b"example.com", b"", b"",
                                       b"", b"", b""]))
    w.add("every-default", req(0xFF, 2, 12, [b"POST", b"/up", b"h",
                               b"agent/1", b"user:pa:ss", b"0-99,200-",
                               b"deflate, gzip", b"http://r/"],
                               [b"X-A: 1"]))
    w.add("user-headers", req(0b110, 0, 0, [b"", b"/", b"h", b"", b"", b"",
                              b"", b""], [b"X-A: 1", b"user-agent:  me/1.0 ",
                              b"Accept:", b"X-Empty;", b"X-Gone:",
                              b"Host: other:81", b"X-A:\ttwo\t"]))
    w.add("http10-no-host", req(0b011, 1, 0, [b"HEAD", b"/x?y=1", b"", b"",
                                b"", b"", b"", b""]))
    w.add("resume", req(0b110, 4, 100, [b"", b"/", b"h", b"", b"", b"", b"",
                                        b""]))
    w.add("options-star", req(0b011, 0, 0, [b"OPTIONS", b"*", b"", b"", b"",
                              b"", b"", b""], [b"Host: x"]))
    w.add("crlf-method", req(0b111, 0, 0, [b"GE\r\nT", b"/", b"h", b"", b"",
                             b"", b"", b""]))
    w.add("crlf-header", req(0b110, 0, 0, [b"", b"/", b"h", b"", b"", b"",
                             b"", b""], [b"X: a\r\nInjected: 1"]))
    w.add("space-target", req(0b110, 0, 0, [b"", b"/a b", b"h", b"", b"",
                              b"", b"", b""]))
    w.add("obs-text", req(0b110, 0, 0, [b"", b"/", b"h", b"", b"", b"", b"",
                          b""], [b"X: a\tb \xc3\xa9"]))
    w.add("negative-body", req(0b110, 2, -1, [b"", b"/", b"h", b"", b"",
                               b"", b"", b""]))


IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240


def telnet():
    w = Writer("fuzz_telnet")

    def t(flags, w_, h, term, data, i=0):
        return bytes([flags, w_, h, len(term)]) + seed(i) + term + data
    neg = bytes([IAC, DO, 24, IAC, DO, 31, IAC, WILL, 1, IAC, WILL, 3,
                 IAC, DO, 3, IAC, SB, 24, 1, IAC, SE]) + b"login: "
    w.add("negotiate", t(2 | 8, 80, 24, b"xterm", neg))
    w.add("negotiate-offer-resize", t(2 | 8 | 16, 200, 50, b"vt100", neg))
    w.add("binary", t(4, 0, 0, b"", bytes([IAC, WILL, 0, IAC, DO, 0]) +
                      b"a\r\0b\r\nc\xff\xff"))
    w.add("auto-detect-plain", t(1, 0, 0, b"", b"SSH-2.0-x\r\n\xff\x01"))
    w.add("auto-detect-start", t(1 | 2, 80, 24, b"xterm", b"hello\xff" +
                                 bytes([WILL, 1, IAC, DO, 31])))
    w.add("commands", t(0, 0, 0, b"", bytes([IAC, 241, IAC, 246, IAC, 249,
                                              IAC, 242]) + b"x\r\0y"))
    w.add("refusals", t(0, 0, 0, b"", bytes([IAC, WILL, 5, IAC, DO, 36,
                                              IAC, WONT, 1, IAC, DONT, 3,
                                              IAC, WILL, 1, IAC, WILL, 1])))
    w.add("long-sb", t(2, 255, 255, b"ansi", bytes([IAC, SB, 24]) +
                       b"x" * 100 + bytes([IAC, SE, IAC, SB, 31, IAC, IAC,
                                           IAC, WILL, 1])))
    w.add("bad-term", t(0, 0, 0, b"a b", b"x"))


def ws():
    w = Writer("fuzz_ws")

    def frame(op, data, fin=True, mask=None):
        h = bytes([(0x80 if fin else 0) | op])
        m = 0x80 if mask else 0
        if len(data) < 126:
            h += bytes([m | len(data)])
        elif len(data) < 65536:
            h += bytes([m | 126]) + struct.pack(">H", len(data))
        else:
            h += bytes([m | 127]) + struct.pack(">Q", len(data))
        if mask:
            data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            h += mask
        return h + data

    def t(client, max_, data, i=0):
        return bytes([client]) + struct.pack(">H", max_) + seed(i) + data
    mk = b"\x37\xfa\x21\x3d"
    stream = (frame(1, b"caf\xc3", fin=False) + frame(9, b"ping") +
              frame(0, "\u00e9 ok".encode()[1:]) + frame(2, bytes(range(200))) +
              frame(10, b"") + frame(8, b"\x03\xe8bye"))
    w.add("client-stream", t(1, 0, stream, 1))
    masked = (frame(1, b"Hello", mask=mk) + frame(9, b"", mask=mk) +
              frame(2, b"x" * 300, mask=mk) + frame(8, b"", mask=mk))
    w.add("server-stream", t(0, 0, masked, 2))
    w.add("limit", t(1, 10, frame(2, b"123456", fin=False) +
                     frame(0, b"7890") + frame(2, b"12345678901"), 3))
    for name, data in [("masked-to-client", frame(1, b"hi", mask=mk)),
                       ("rsv", b"\xc1\x01a"), ("opcode3", b"\x83\x00"),
                       ("bad-utf8", frame(1, b"\xc3\x28")),
                       ("long-ping", b"\x89\x7e\x00\x7e" + b"p" * 126),
                       ("not-shortest", b"\x82\x7e\x00\x05hello"),
                       ("close-1005", frame(8, b"\x03\xed")),
                       ("after-close", frame(8, b"") + frame(1, b"x"))]:
        w.add(name, t(1, 0, data, 5))


def url():
    w = Writer("fuzz_url")
    cases = json.load(open(os.path.join(ROOT, "tests", "data",
                                        "urltestdata.json"), encoding="utf-8"))
    i = 0
    for c in cases:
        if not isinstance(c, dict):
            continue
        inp = c["input"].encode("utf-8", "surrogatepass")
        base = c.get("base")
        if base is None:
            w.add("wpt%d" % i, bytes([0, 0, 0, 0]) + inp)
        else:
            b = base.encode("utf-8", "surrogatepass")
            w.add("wpt%d" % i, bytes([1]) + struct.pack(">H", len(b)) +
                  b"\0" + b + inp)
        i += 1


def x509_host():
    w = Writer("fuzz_x509_host")

    def cert(sans, host, cn=None, nokey=False):
        flags = len(sans) | (16 if cn is not None else 0) | (32 if nokey
                                                              else 0)
        out = bytes([flags, 0, 0, 0])
        for ip, b in sans:
            out += bytes([1 if ip else 0, len(b)]) + b
        if cn is not None:
            out += bytes([len(cn)]) + cn
        return out + host
    lo4 = bytes([127, 0, 0, 1])
    lo6 = bytes(15) + b"\x01"
    w.add("exact", cert([(0, b"example.com")], b"example.com"))
    w.add("case-dot", cert([(0, b"Example.COM")], b"example.com."))
    w.add("wildcard", cert([(0, b"*.example.com")], b"a.example.com"))
    w.add("wildcard-deep", cert([(0, b"*.example.com")], b"a.b.example.com"))
    w.add("wildcard-bare", cert([(0, b"*.example.com")], b"example.com"))
    w.add("partial", cert([(0, b"a*.example.com")], b"ab.example.com"))
    w.add("cn-only", cert([], b"example.com", cn=b"example.com"))
    w.add("ip4", cert([(1, lo4), (0, b"localhost")], b"127.0.0.1"))
    w.add("ip6", cert([(1, lo6)], b"[::1]"))
    w.add("ip-vs-dns", cert([(0, b"127.0.0.1")], b"127.0.0.1"))
    w.add("nul-in-san", cert([(0, b"example.com\0.evil")], b"example.com"))
    w.add("idna", cert([(0, b"*.xn--bcher-kva.example")],
                       b"xn--a.xn--bcher-kva.example"))
    w.add("nokey", cert([(0, b"a.b"), (1, b"\1\2\3")], b"a.b", nokey=True))


def x509_cert():
    w = Writer("fuzz_x509_cert")
    w.add("text-utf8", bytes([1, 40, 0, 0]) + "caf\u00e9 \u2603 \U0001F600"
          .encode() + b"\x1b[31m\xc2\x85\xed\xa0\x80\xff")
    w.add("text-cut", bytes([1, 6, 0, 0]) + b"ab\xe2\x98\x83\x01")
    with tempfile.TemporaryDirectory() as d:
        specs = [
            ("rsa", ["-newkey", "rsa:2048"],
             "/CN=example.com/O=Org/C=US",
             "subjectAltName=DNS:example.com,DNS:*.example.com,"
             "IP:127.0.0.1,IP:::1"),
            ("ec", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
             "/CN=ec.example", "subjectAltName=DNS:ec.example"),
            ("ed25519", ["-newkey", "ed25519"], "/CN=ed.example/O=Caf\u00e9",
             "basicConstraints=critical,CA:TRUE"),
            ("brainpool", ["-newkey", "ec", "-pkeyopt",
                           "ec_paramgen_curve:brainpoolP256r1"],
             "/CN=bp.example", "subjectAltName=email:a@b.example,"
             "URI:http://x/,DNS:bp.example"),
        ]
        for name, key, subj, ext in specs:
            der = os.path.join(d, name + ".der")
            r = subprocess.run(
                ["openssl", "req", "-x509", "-nodes", "-days", "30",
                 "-keyout", os.path.join(d, name + ".key"), "-subj", subj,
                 "-addext", ext, "-outform", "DER", "-out", der,
                 "-utf8", "-set_serial", "0x0123456789abcdef0123"] + key,
                capture_output=True)
            if r.returncode != 0:
                sys.stderr.write(r.stderr.decode())
                continue
            w.add("der-" + name, bytes([0, 0, 0, 0]) + open(der, "rb").read())


def writeout():
    w = Writer("fuzz_writeout")
    head = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            b"Set-Cookie: a=1\r\nset-cookie: b=\"2\"\r\nX-Bin: \x01\xe9\x7f\r\n"
            b"Content-Length: 5\r\n\r\n")
    formats = [
        (0, b"%{http_code}\\n"),
        (1, b""),
        (2, b""),
        (4 | 8 | 16 | 32, b"%{json}"),
        (0, b"%header{content-type} %header{set-cookie} %header{nope}"),
        (4, b"%{onerror}failed: %{errormsg} (%{exitcode})\\n"),
        (0, b"%{stderr}to stderr%{stdout} %{url_effective} %{num_redirects}"),
        (8, b"%{time_total} %{time_redirect} %{speed_download} "
            b"%{size_header} %{content_type} %{scheme} %{remote_ip}:"
            b"%{remote_port} %{http_version} %{bogus} 100%% \\t\\r\\\\ %"),
        (16, b"%{ssl_verify_result} %{time_appconnect} %{method} "
             b"%{redirect_url} %{filename_effective} %{urlnum} %{header_json}"),
        (0, b"plain text only"),
        (0, b"%{unterminated"),
    ]
    for i, (flags, fmt) in enumerate(formats):
        w.add("fmt%d" % i, bytes([flags, 0, 0, 0]) + fmt + b"\0" +
              b"http://example.com/a\"b\\c\x01" + b"\0" + b"Connection refused"
              + b"\0" + head)


def starttls():
    w = Writer("fuzz_starttls")
    # [0] protocol: smtp, imap, pop3, ftp
    w.add("smtp", b"\0\0\0\0220 mail.example ESMTP\r\n250-mail.example\r\n"
          b"250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n"
          b"220 2.0.0 Ready to start TLS\r\n")
    w.add("smtp-no-starttls", b"\0\0\0\0220-first\r\n220 second\r\n"
          b"250-x\r\n250 SIZE 100\r\n")
    w.add("smtp-smuggled", b"\0\0\0\0220 x\r\n250 STARTTLS\r\n220 go\r\n"
          b"250 injected\r\n")
    w.add("imap", b"\1\0\0\0* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n"
          b"* CAPABILITY IMAP4rev1\r\na001 OK Begin TLS\r\n")
    w.add("imap-no", b"\1\0\0\0* OK hi\r\na001 NO go away\r\n")
    w.add("pop3", b"\2\0\0\0+OK POP3 ready\r\n+OK Begin TLS\r\n")
    w.add("pop3-err", b"\2\0\0\0+OK\n-ERR no\n")
    w.add("ftp", b"\3\0\0\0220-Welcome\r\nsome text\r\n220 ready\r\n"
          b"234 AUTH TLS OK\r\n")
    w.add("ftp-refused", b"\3\0\0\0220 ready\r\n500 what\r\n")


def multipart():
    """The -F arguments of tests/data/multipart/cases, a case a seed, plus
    errors; flags 1 (files of unknown size) and 2 (--form-string) on
    some."""
    w = Writer("fuzz_multipart")
    path = os.path.join(ROOT, "tests", "data", "multipart", "cases")
    cases, args = [], []
    for line in open(path, encoding="utf-8").read().split("\n") + [""]:
        if line.startswith("#"):
            continue
        if not line:
            if args:
                cases.append(args)
            args = []
            continue
        arg = line[2:].encode().decode("unicode_escape").encode("latin-1")
        args.append(arg)
    for i, args in enumerate(cases):
        w.add("case%d" % (i + 1), bytes([i % 4, 0, 0, 0, i]) +
              b"\0".join(args))
    w.add("errors", b"\0\0\0\0\0" + b"\0".join([
        b"noeq", b"a=@f;type=bad", b"a=(", b"=)", b"a=@x,y",
        b"a=v;encoder=base64", b"a=v;headers=\"X: 1\nY: 2\"", b"ok=1"]))
    w.add("headers", b"\1\0\0\0\0" + b"\0".join([
        b"a=v;headers=@X: 1\n# c\n  cont\r\nY: 2",
        b"b=@f.txt;headers=<\"Content-Type: a/b\";type=c/d",
        b"=<x.gif;headers=Content-Disposition: inline"]))


def netrc():
    """The netrc texts of tests/unit/test_netrc.c's kinds: machines,
    default, quoting, comments, macros, a login asked for, an error."""
    w = Writer("fuzz_netrc")
    texts = [
        (0, b"a", b"machine a login al password ap\nmachine b login bo "
         b"password bp\n"),
        (0, b"x", b"machine a login al password ap\ndefault login d "
         b"password dp\n"),
        (1, b"a\0al", b"machine a login bo password bp\nmachine a login "
         b"al password ap\n"),
        (0, b"a", b"machine a login \"a b\" password \"q\\\"\\n\"\n"),
        (0, b"a", b"# c\nmacdef m\nmachine a login m\n\nmachine a "
         b"login u #x\npassword p account z"),
        (0, b"a", b"machine a login \"x\npassword y"),
        (0, b"a", b"machine a login x\nmachine a login y password yp"),
    ]
    for i, (flags, host, text) in enumerate(texts):
        if b"\0" not in host:
            host += b"\0"
        w.add("netrc%d" % (i + 1), bytes([flags]) + host + b"\0" + text)


def chain():
    w = Writer("fuzz_chain")
    w.add("junk", bytes([1]) + b"this is no certificate\n")
    with tempfile.TemporaryDirectory() as d:
        key = os.path.join(d, "k.pem")
        pem = os.path.join(d, "c.pem")
        r = subprocess.run(
            ["openssl", "req", "-x509", "-nodes", "-days", "30", "-newkey",
             "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-keyout", key,
             "-subj", "/CN=nk Fuzz CA", "-addext",
             "authorityInfoAccess=caIssuers;URI:http://ca.example/ca.der,"
             "caIssuers;URI:ldap://ca.example/cn=ca", "-addext",
             "authorityKeyIdentifier=keyid:always", "-out", pem],
            capture_output=True)
        if r.returncode != 0:
            sys.stderr.write(r.stderr.decode())
            return
        der = subprocess.run(["openssl", "x509", "-in", pem, "-outform",
                              "DER"], capture_output=True).stdout
        p7 = subprocess.run(["openssl", "crl2pkcs7", "-nocrl", "-certfile",
                             pem, "-outform", "DER"],
                            capture_output=True).stdout
        p7pem = subprocess.run(["openssl", "crl2pkcs7", "-nocrl",
                                "-certfile", pem],
                               capture_output=True).stdout
        text = open(pem, "rb").read()
        w.add("der", bytes([1]) + der)
        w.add("pkcs7-der", bytes([0]) + p7)
        w.add("pkcs7-pem", bytes([0]) + p7pem)
        w.add("pem-two", bytes([0]) + text + text)


def main():
    http_response()
    http_body()
    decode()
    http_request()
    telnet()
    ws()
    url()
    x509_host()
    x509_cert()
    chain()
    writeout()
    starttls()
    multipart()
    netrc()


if __name__ == "__main__":
    main()
