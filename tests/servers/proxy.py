#!/usr/bin/env python3
"""proxy: a small HTTP proxy for the nk http tests.

    proxy.py [--record FILE] [--auth USER:PASS] [--map NAME=ADDR]...

Listens on 127.0.0.1, port 0, and prints "Listening on 127.0.0.1:PORT".
An absolute-form request ("GET http://host:port/p HTTP/1.1") is sent on to
the origin in origin form, with "Connection: close", and the answer relayed
until the origin closes. "CONNECT host:port" opens a tunnel. With --auth a
request without the right Proxy-Authorization gets 407. --map makes a test
name (nk.test) reach an address. Each request line and its headers are
appended to the record file, with a blank line after each request.
"""

import base64
import socket
import sys
import threading


def read_head(sock):
    buf = b""
    while b"\r\n\r\n" not in buf:
        data = sock.recv(65536)
        if not data:
            return None, b""
        buf += data
    end = buf.index(b"\r\n\r\n") + 4
    return buf[:end], buf[end:]


def pipe(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    try:
        b.shutdown(socket.SHUT_WR)
    except OSError:
        pass


class Proxy:
    def __init__(self, record, auth, mapping):
        self.record = record
        self.auth = auth
        self.mapping = mapping
        self.lock = threading.Lock()

    def addr(self, hostport):
        host, _, port = hostport.rpartition(":")
        host = host.strip("[]")
        return self.mapping.get(host, host), int(port)

    def log(self, head):
        if not self.record:
            return
        with self.lock, open(self.record, "ab") as f:
            f.write(head)

    def handle(self, client):
        try:
            head, rest = read_head(client)
            if head is None:
                return
            self.log(head)
            lines = head.split(b"\r\n")
            method, target, version = lines[0].decode().split(" ")
            headers = [l for l in lines[1:] if l]
            if self.auth:
                want = b"Basic " + base64.b64encode(self.auth.encode())
                got = [l.split(b":", 1)[1].strip() for l in headers
                       if l.lower().startswith(b"proxy-authorization:")]
                if got != [want]:
                    client.sendall(b"HTTP/1.1 407 Proxy Authentication Required"
                                   b"\r\nProxy-Authenticate: Basic realm=t\r\n"
                                   b"Content-Length: 0\r\nConnection: close"
                                   b"\r\n\r\n")
                    return
            if method == "CONNECT":
                up = socket.create_connection(self.addr(target))
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                t = threading.Thread(target=pipe, args=(up, client),
                                     daemon=True)
                t.start()
                if rest:
                    up.sendall(rest)
                pipe(client, up)
                t.join()
                up.close()
                return
            if not target.startswith("http://"):
                client.sendall(b"HTTP/1.1 400 Bad Request\r\n"
                               b"Content-Length: 0\r\n\r\n")
                return
            hostport, _, path = target[7:].partition("/")
            if ":" not in hostport.rsplit("]", 1)[-1]:
                hostport += ":80"
            up = socket.create_connection(self.addr(hostport))
            keep = [l for l in headers
                    if not l.lower().startswith((b"proxy-", b"connection:"))]
            out = ("%s /%s %s\r\n" % (method, path, version)).encode()
            out += b"\r\n".join(keep) + b"\r\nConnection: close\r\n\r\n"
            up.sendall(out + rest)
            pipe(up, client)
            up.close()
        except (OSError, ValueError) as e:
            print("proxy: %s" % e, file=sys.stderr, flush=True)
        finally:
            client.close()


def main(argv):
    record = auth = None
    mapping = {}
    args = argv[1:]
    while args:
        if args[0] == "--record":
            record = args[1]
        elif args[0] == "--auth":
            auth = args[1]
        elif args[0] == "--map":
            name, _, addr = args[1].partition("=")
            mapping[name] = addr
        else:
            print(__doc__, file=sys.stderr)
            return 2
        args = args[2:]
    p = Proxy(record, auth, mapping)
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)
    print("Listening on 127.0.0.1:%d" % lsock.getsockname()[1], flush=True)
    while True:
        c, _ = lsock.accept()
        threading.Thread(target=p.handle, args=(c,), daemon=True).start()


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except KeyboardInterrupt:
        sys.exit(0)
