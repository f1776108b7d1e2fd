#!/usr/bin/env python3
"""socks: a SOCKS4, SOCKS4a and SOCKS5 peer for the nk http tests that
records each handshake and can refuse in every way a client must handle.

    socks.py [--record FILE] [--auth USER:PASS] [--reply N] [--map NAME=ADDR]
             [--method N] [--bad-version] [--hang]

Listens on 127.0.0.1, port 0, and prints "Listening on 127.0.0.1:PORT".
Each connection's handshake is appended to the record file as one line:
the version and the request in words, then every byte the client sent
before the relay began, in hex ("socks5 connect name nk.test 8080 user=u
pass=p | 050100 ..."). Then the peer connects to the target (--map makes
a test name reach an address), replies, and relays until both sides close.

  --auth USER:PASS  SOCKS5: ask for RFC 1929 credentials and refuse others
  --reply N         answer the request with reply code N (SOCKS5 REP, or
                    the SOCKS4 CD, 90 granted) without connecting
  --method N        SOCKS5: select method N (255: none acceptable)
  --bad-version     answer a SOCKS5 greeting with version 4
  --hang            read the greeting and never answer
"""

import socket
import sys
import threading
import time

from proxy import pipe


class Bye(Exception):
    pass


class Conn:
    """The client's socket, and every byte read from it."""

    def __init__(self, sock):
        self.sock = sock
        self.got = b""

    def read(self, n):
        out = b""
        while len(out) < n:
            data = self.sock.recv(n - len(out))
            if not data:
                raise Bye()
            out += data
        self.got += out
        return out

    def read_nul(self):
        out = b""
        while True:
            c = self.read(1)
            if c == b"\0":
                return out
            out += c


class Peer:
    def __init__(self, opts):
        self.o = opts
        self.lock = threading.Lock()

    def log(self, words, c):
        if not self.o["record"]:
            return
        with self.lock, open(self.o["record"], "a") as f:
            f.write("%s | %s\n" % (words, c.got.hex()))

    def target(self, host, port):
        return socket.create_connection((self.o["map"].get(host, host), port),
                                        timeout=5)

    def socks4(self, c):
        cmd = c.read(1)[0]
        port = int.from_bytes(c.read(2), "big")
        ip = c.read(4)
        user = c.read_nul().decode("latin-1")
        if ip[:3] == b"\0\0\0" and ip[3] != 0:
            host = c.read_nul().decode("latin-1")
            words = "socks4a cmd=%d name %s %d user=%s" % (cmd, host, port,
                                                          user)
        else:
            host = socket.inet_ntoa(ip)
            words = "socks4 cmd=%d ip %s %d user=%s" % (cmd, host, port, user)
        self.log(words, c)
        cd = self.o["reply"] if self.o["reply"] is not None else 90
        up = None
        if cd == 90:
            try:
                up = self.target(host, port)
            except OSError:
                cd = 91
        c.sock.sendall(bytes([0, cd]) + port.to_bytes(2, "big") + ip)
        return up

    def socks5(self, c):
        n = c.read(1)[0]
        methods = c.read(n)
        if self.o["hang"]:
            self.log("socks5 hang", c)
            time.sleep(60)
            raise Bye()
        if self.o["bad_version"]:
            self.log("socks5 bad-version", c)
            c.sock.sendall(b"\x04\x00")
            raise Bye()
        want = 2 if self.o["auth"] else 0
        m = self.o["method"]
        if m is None:
            m = want if want in methods else 255
        c.sock.sendall(bytes([5, m]))
        cred = ""
        if m == 255:
            self.log("socks5 no-method", c)
            raise Bye()
        if m == 2:
            c.read(1)
            user = c.read(c.read(1)[0]).decode("latin-1")
            pw = c.read(c.read(1)[0]).decode("latin-1")
            cred = " user=%s pass=%s" % (user, pw)
            ok = "%s:%s" % (user, pw) == self.o["auth"]
            c.sock.sendall(b"\x01" + (b"\x00" if ok else b"\x01"))
            if not ok:
                self.log("socks5 auth-refused" + cred, c)
                raise Bye()
        ver, cmd, _, atyp = c.read(4)
        if atyp == 1:
            host = socket.inet_ntoa(c.read(4))
            kind = "ip"
        elif atyp == 4:
            host = socket.inet_ntop(socket.AF_INET6, c.read(16))
            kind = "ip6"
        else:
            host = c.read(c.read(1)[0]).decode("latin-1")
            kind = "name"
        port = int.from_bytes(c.read(2), "big")
        self.log("socks5 cmd=%d %s %s %d%s" % (cmd, kind, host, port, cred),
                 c)
        rep = self.o["reply"] if self.o["reply"] is not None else 0
        up = None
        if rep == 0:
            try:
                up = self.target(host, port)
            except OSError:
                rep = 5
        c.sock.sendall(bytes([5, rep, 0, 1]) + bytes(4) + b"\0\0")
        return up

    def handle(self, sock):
        c = Conn(sock)
        up = None
        try:
            v = c.read(1)[0]
            if v == 4:
                up = self.socks4(c)
            elif v == 5:
                up = self.socks5(c)
            else:
                self.log("bad version %d" % v, c)
            if up:
                up.settimeout(None)
                t = threading.Thread(target=pipe, args=(up, sock),
                                     daemon=True)
                t.start()
                pipe(sock, up)
                t.join()
        except (Bye, OSError):
            pass
        finally:
            if up:
                up.close()
            sock.close()


def main(argv):
    o = {"record": None, "auth": None, "reply": None, "map": {},
         "method": None, "bad_version": False, "hang": False}
    args = argv[1:]
    while args:
        a = args.pop(0)
        if a in ("--bad-version", "--hang"):
            o[a[2:].replace("-", "_")] = True
        elif a == "--record" and args:
            o["record"] = args.pop(0)
        elif a == "--auth" and args:
            o["auth"] = args.pop(0)
        elif a in ("--reply", "--method") and args:
            o[a[2:]] = int(args.pop(0))
        elif a == "--map" and args:
            name, _, addr = args.pop(0).partition("=")
            o["map"][name] = addr
        else:
            print(__doc__, file=sys.stderr)
            return 2
    p = Peer(o)
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)
    print("Listening on 127.0.0.1:%d" % lsock.getsockname()[1], flush=True)
    while True:
        s, _ = lsock.accept()
        threading.Thread(target=p.handle, args=(s,), daemon=True).start()


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except KeyboardInterrupt:
        sys.exit(0)
