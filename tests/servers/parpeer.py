#!/usr/bin/env python3
"""parpeer: an HTTP/1.1 server for nk http -Z tests, that counts how many
requests it has in hand at once.

    parpeer.py STATSFILE        prints "Listening on 127.0.0.1:PORT"
    parpeer.py body SIZE SEED   prints the body /d/MS/SIZE/SEED serves

GET /d/MS/SIZE/SEED waits MS milliseconds, then answers 200 with SIZE
bytes of a pattern of SEED (Content-Length). GET /fail/MS waits, then
answers 500. After each request STATSFILE is rewritten:
"max N served M" (the most requests in hand at once, and how many came).
Keep-alive, one thread a connection; stops after 60 s idle."""

import socket
import sys
import threading
import time


def body(size, seed):
    line = ("%d-" % seed).encode()
    out = bytearray()
    i = 0
    while len(out) < size:
        out += line + b"%07d\n" % i
        i += 1
    return bytes(out[:size])


class Stats:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.now = self.max = self.served = 0

    def enter(self):
        with self.lock:
            self.now += 1
            self.served += 1
            self.max = max(self.max, self.now)
            self.write()

    def leave(self):
        with self.lock:
            self.now -= 1
            self.write()

    def write(self):
        with open(self.path + ".tmp", "w") as f:
            f.write("max %d served %d\n" % (self.max, self.served))
        import os
        os.replace(self.path + ".tmp", self.path)


def answer(conn, path, stats):
    parts = path.strip("/").split("/")
    stats.enter()
    try:
        if parts[0] == "d" and len(parts) == 4:
            time.sleep(int(parts[1]) / 1000)
            b = body(int(parts[2]), int(parts[3]))
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n"
                         % len(b) + b)
        elif parts[0] == "fail":
            time.sleep(int(parts[1]) / 1000 if len(parts) > 1 else 0)
            conn.sendall(b"HTTP/1.1 500 Oops\r\nContent-Length: 5\r\n\r\noops\n")
        else:
            conn.sendall(b"HTTP/1.1 404 No\r\nContent-Length: 0\r\n\r\n")
    finally:
        stats.leave()


def serve(conn, stats):
    conn.settimeout(60)
    data = b""
    try:
        while True:
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, data = data.split(b"\r\n\r\n", 1)
            path = head.split(b"\r\n")[0].split(b" ")[1].decode()
            answer(conn, path, stats)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    if sys.argv[1] == "body":
        sys.stdout.buffer.write(body(int(sys.argv[2]), int(sys.argv[3])))
        return
    stats = Stats(sys.argv[1])
    stats.write()
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(128)
    print("Listening on 127.0.0.1:%d" % srv.getsockname()[1], flush=True)
    srv.settimeout(60)
    while True:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            return
        threading.Thread(target=serve, args=(conn, stats), daemon=True).start()


main()
