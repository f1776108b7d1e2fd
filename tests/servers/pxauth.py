#!/usr/bin/env python3
"""pxauth: a scripted HTTP proxy peer that demands authentication (407).

    pxauth.py RECORD USER:PASS [basic|digest|both] [close]

Listens on 127.0.0.1, port 0, prints "Listening on 127.0.0.1:PORT". It
answers itself: a forwarded request or a CONNECT without the right
Proxy-Authorization gets a 407 (Proxy-Authenticate per the mode, body
"denied\\n", kept open unless "close"); a right one gets "200 ok\\n", or
for CONNECT a tunnel in which one request gets "tunnel ok\\n". Every head
is appended to RECORD, and after each Proxy-Authorization a line
"check: ok" or "check: bad" (the Digest response computed with hashlib).
"""
import base64
import hashlib
import os
import re
import socket
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from proxy import read_head  # noqa: E402  (head, bytes after it)

RECORD, CRED = sys.argv[1], sys.argv[2]
MODE = sys.argv[3] if len(sys.argv) > 3 else "digest"
CLOSE = "close" in sys.argv[4:]
USER, PASS = CRED.split(":", 1)
REALM, NONCE = "px", "n0nce1234"
lock = threading.Lock()


def log(text):
    with lock, open(RECORD, "a", encoding="latin-1") as f:
        f.write(text)


def h(s):
    return hashlib.md5(s.encode("latin-1")).hexdigest()


def check(method, value):
    if value.startswith("Basic "):
        ok = MODE != "digest" and base64.b64decode(value[6:]).decode(
            "latin-1") == CRED
        return ok
    if not value.startswith("Digest ") or MODE == "basic":
        return False
    p = dict((m.group(1), m.group(2) if m.group(2) is not None else
              m.group(3)) for m in re.finditer(
                  r'(\w+)=(?:"([^"]*)"|([^,\s]+))', value[7:]))
    if p.get("username") != USER or p.get("nonce") != NONCE:
        return False
    ha1 = h("%s:%s:%s" % (USER, REALM, PASS))
    ha2 = h("%s:%s" % (method, p["uri"]))
    want = h("%s:%s:%s:%s:%s:%s" % (ha1, NONCE, p.get("nc"), p.get("cnonce"),
                                    p.get("qop"), ha2))
    return p.get("response") == want


def challenge():
    lines = []
    if MODE in ("digest", "both"):
        lines.append('Proxy-Authenticate: Digest realm="%s", nonce="%s", '
                     'qop="auth"\r\n' % (REALM, NONCE))
    if MODE in ("basic", "both"):
        lines.append('Proxy-Authenticate: Basic realm="%s"\r\n' % REALM)
    return "".join(lines)


def serve(conn):
    try:
        while True:
            # the client waits for each answer: nothing comes after a head
            head, _ = read_head(conn)
            if head is None:
                return
            text = head.decode("latin-1")
            log(text)
            method = text.split(" ", 1)[0]
            m = re.search(r"^Proxy-Authorization: (.*?)\r$", text, re.M | re.I)
            ok = bool(m) and check(method, m.group(1))
            if m:
                log("check: %s\n\n" % ("ok" if ok else "bad"))
            if not ok:
                conn.sendall(("HTTP/1.1 407 Proxy Authentication Required\r\n"
                              + challenge() + "Content-Length: 7\r\n" +
                              ("Connection: close\r\n" if CLOSE else "") +
                              "\r\ndenied\n").encode())
                if CLOSE:
                    return
                continue
            if method == "CONNECT":
                conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                head, _ = read_head(conn)
                if head is None:
                    return
                log(head.decode("latin-1"))
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n"
                             b"Connection: close\r\n\r\ntunnel ok\n")
                return
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n")
    except OSError:
        pass
    finally:
        conn.close()


def main():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    print("Listening on 127.0.0.1:%d" % s.getsockname()[1], flush=True)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


main()
