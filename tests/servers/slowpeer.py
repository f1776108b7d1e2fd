#!/usr/bin/env python3
"""slowpeer: a one-request HTTP server that records when a request body
arrives, for --limit-rate tests.

    slowpeer.py OUTFILE     prints "Listening on 127.0.0.1:PORT"

It reads one request (head, then a Content-Length or chunked body),
answers 200 with an empty body, and writes to OUTFILE one line per read:
"SECONDS BYTES" (seconds since the first body byte, bytes so far)."""

import socket
import sys
import time


def main():
    out = sys.argv[1]
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    print("Listening on 127.0.0.1:%d" % srv.getsockname()[1], flush=True)
    srv.settimeout(30)
    conn, _ = srv.accept()
    conn.settimeout(30)
    # Small reads, so arrival times are fine-grained.
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    length = None
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
        if name.strip().lower() == b"expect":
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
    got = len(rest)
    marks = []
    start = time.monotonic()
    if got:
        marks.append((0.0, got))
    while length is None or got < length:
        chunk = conn.recv(16384)
        if not chunk:
            break
        got += len(chunk)
        marks.append((time.monotonic() - start, got))
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
                 b"Connection: close\r\n\r\n")
    conn.close()
    with open(out, "w") as f:
        for t, n in marks:
            f.write("%.4f %d\n" % (t, n))


main()
