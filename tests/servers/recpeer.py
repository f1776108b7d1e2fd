#!/usr/bin/env python3
"""recpeer: a keep-alive HTTP/1.1 server on 127.0.0.1 that records every
request it gets, for comparing a whole run of a client with another's.

    recpeer.py RECORDFILE       prints "Listening on 127.0.0.1:PORT"

Each request (head and Content-Length body) is appended to RECORDFILE
after a line "== conn N" (N counts connections from 1). The answer is
200 with the body "body TARGET\\n", or 404 for a target with "404" in
it; a target with "setcookie" also gets "Set-Cookie: sid=42; Path=/".
A request with "Expect: 100-continue" gets 100 Continue first."""

import socket
import sys
import threading


def answer(target):
    code = b"404 Not Found" if b"404" in target else b"200 OK"
    extra = b"Set-Cookie: sid=42; Path=/\r\n" if b"setcookie" in target else b""
    body = b"body " + target + b"\n"
    return (b"HTTP/1.1 " + code + b"\r\n" + extra +
            b"Content-Length: %d\r\n\r\n" % len(body) + body)


def serve(conn, num, rec, lock):
    buf = b""
    while True:
        while b"\r\n\r\n" not in buf:
            data = conn.recv(65536)
            if not data:
                conn.close()
                return
            buf += data
        head, buf = buf.split(b"\r\n\r\n", 1)
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"expect":
                conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        while len(buf) < length:
            data = conn.recv(65536)
            if not data:
                break
            buf += data
        body, buf = buf[:length], buf[length:]
        with lock:
            rec.write(b"== conn %d\n" % num + head + b"\r\n\r\n" + body + b"\n")
            rec.flush()
        conn.sendall(answer(head.split(b" ")[1]))


def main():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    print("Listening on 127.0.0.1:%d" % sock.getsockname()[1], flush=True)
    rec = open(sys.argv[1], "ab")
    lock = threading.Lock()
    num = 0
    while True:
        conn, _ = sock.accept()
        num += 1
        threading.Thread(target=serve, args=(conn, num, rec, lock),
                         daemon=True).start()


main()
