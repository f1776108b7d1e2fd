#!/usr/bin/env python3
"""rawhttp: a scripted TCP server for HTTP client tests.

It serves canned, exact bytes per connection from a case file, so tests can
play broken and hostile servers (bad framing, truncation, trickling, resets,
silence) and record exactly what the client sent.

    rawhttp.py [--record DIR] [--bind ADDR] CASEFILE
                                serve; prints "Listening on ADDR:PORT"
                                (ADDR 127.0.0.1 unless --bind ::1, say)
    rawhttp.py --meta KEY CASEFILE          print a metadata value (decoded)

Case file: one directive per line; '#' starts a comment line. Arguments that
are bytes use backslash escapes: \\r \\n \\t \\0 \\\\ \\xNN, and \\s for a
space at the end of a line.

  conn                start the script of the next connection (the first
                      connection's script needs no 'conn' line); connections
                      beyond the last script get the last one again
  recv                read one request head (up to the blank line) and its
                      body, if any (Content-Length or chunked)
  recvhead            read one request head only (a client that sent
                      "Expect: 100-continue" waits before its body)
  recvbody            read the body of the head recvhead read
  send BYTES          send the bytes
  sendfile PATH       send a file's contents (relative to the case file)
  repeat N BYTES      send the bytes N times
  pause MS            sleep
  trickle MS BYTES    send the bytes one at a time, MS apart
  close               close normally (FIN); also the default at the end
  shutdown            half-close (FIN) and wait until the client closes
  reset               close with an RST (SO_LINGER 0)
  hang                never answer: keep the connection open until the
                      client closes it or the server is stopped
  drain               read until the client closes
  slowread N MS       read N bytes every MS milliseconds until the client
                      closes (a slow reader)
  stall               stop reading (and sending): wait until the server is
                      stopped, so the client's writes fill the buffers

Metadata for the test harness (ignored by the server):
  exit N              the exit status the client should have
  body BYTES          (may repeat: the pieces are concatenated) the body the
                      client should output
  args ...            extra command-line arguments for the client
  error TEXT          a substring the client's error line should contain

With --record DIR every byte received on connection N (1, 2, ...) is
appended to DIR/conn-N, so a test can compare the exact request bytes.
"""

import os
import socket
import struct
import sys
import threading
import time


def unescape(s):
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        i += 1
        if i >= len(s):
            raise ValueError("trailing backslash")
        e = s[i]
        i += 1
        simple = {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0",
                  "\\": b"\\", "s": b" "}
        if e in simple:
            out += simple[e]
        elif e == "x":
            out.append(int(s[i:i + 2], 16))
            i += 2
        else:
            raise ValueError("unknown escape \\" + e)
    return bytes(out)


META = ("exit", "body", "args", "error")


def load(path):
    """Returns (scripts, meta): a list of directive lists, and a dict."""
    scripts = [[]]
    meta = {}
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            word, _, rest = line.partition(" ")
            if word in META:
                if word == "body":
                    meta["body"] = meta.get("body", b"") + unescape(rest)
                else:
                    meta[word] = rest
                continue
            if word == "conn":
                if scripts[-1]:
                    scripts.append([])
                continue
            scripts[-1].append((word, rest))
    return scripts, meta


class Conn:
    def __init__(self, sock, num, record):
        self.sock = sock
        self.num = num
        self.buf = b""
        self.record = None
        if record:
            self.record = open(os.path.join(record, "conn-%d" % num), "ab")

    def _recv_more(self):
        data = self.sock.recv(65536)
        if data and self.record:
            self.record.write(data)
            self.record.flush()
        return data

    def _fill(self, n):
        while len(self.buf) < n:
            data = self._recv_more()
            if not data:
                return False
            self.buf += data
        return True

    def _line(self):
        while True:
            end = self.buf.find(b"\r\n")
            if end >= 0:
                line = self.buf[:end]
                self.buf = self.buf[end + 2:]
                return line
            data = self._recv_more()
            if not data:
                return None
            self.buf += data

    def recv_body(self):
        if self.chunked:
            while True:
                line = self._line()
                if line is None:
                    return False
                size = int(line.split(b";")[0], 16)
                if size == 0:
                    while True:  # trailers, up to the empty line
                        line = self._line()
                        if line is None:
                            return False
                        if not line:
                            return True
                if not self._fill(size + 2):
                    return False
                self.buf = self.buf[size + 2:]
        if not self._fill(self.length):
            return False
        self.buf = self.buf[self.length:]
        return True

    def recv_request(self):
        return self.recv_head() and self.recv_body()

    def recv_head(self):
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                head = self.buf[:end + 4]
                self.buf = self.buf[end + 4:]
                break
            data = self._recv_more()
            if not data:
                return False
            self.buf += data
        self.length = 0
        self.chunked = False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                self.length = int(value.strip())
            if name.strip().lower() == b"transfer-encoding":
                self.chunked = b"chunked" in value.lower()
        return True

    def drain(self):
        try:
            while self._recv_more():
                pass
        except OSError:
            pass


def run_script(script, conn, base):
    sock = conn.sock
    for word, rest in script:
        if word == "recv":
            if not conn.recv_request():
                return
        elif word == "recvhead":
            if not conn.recv_head():
                return
        elif word == "recvbody":
            if not conn.recv_body():
                return
        elif word == "send":
            sock.sendall(unescape(rest))
        elif word == "sendfile":
            with open(os.path.join(base, rest), "rb") as f:
                sock.sendall(f.read())
        elif word == "repeat":
            n, _, data = rest.partition(" ")
            chunk = unescape(data)
            for _ in range(int(n)):
                sock.sendall(chunk)
        elif word == "pause":
            time.sleep(int(rest) / 1000.0)
        elif word == "trickle":
            ms, _, data = rest.partition(" ")
            for b in unescape(data):
                sock.sendall(bytes([b]))
                time.sleep(int(ms) / 1000.0)
        elif word == "close":
            return
        elif word == "shutdown":
            sock.shutdown(socket.SHUT_WR)
            conn.drain()
            return
        elif word == "reset":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack("ii", 1, 0))
            return
        elif word == "slowread":
            n, _, ms = rest.partition(" ")
            try:
                while conn.sock.recv(int(n)):
                    time.sleep(int(ms) / 1000.0)
            except OSError:
                pass
            return
        elif word == "stall":
            while True:
                time.sleep(3600)
        elif word in ("hang", "drain"):
            conn.drain()
            return
        else:
            raise ValueError("unknown directive " + word)


def serve_one(sock, num, script, record, base):
    conn = Conn(sock, num, record)
    try:
        run_script(script, conn, base)
    except (BrokenPipeError, ConnectionResetError):
        pass
    except Exception as e:  # a broken case file: say so, loudly
        print("rawhttp: connection %d: %s" % (num, e), file=sys.stderr)
    finally:
        try:
            sock.close()
        except OSError:
            pass
        if conn.record:
            conn.record.close()


def main(argv):
    record = None
    args = argv[1:]
    if len(args) == 3 and args[0] == "--meta":
        _, meta = load(args[2])
        value = meta.get(args[1])
        if value is None:
            return 1
        out = value if isinstance(value, bytes) else value.encode()
        sys.stdout.buffer.write(out)
        return 0
    bind = "127.0.0.1"
    while len(args) > 2 and args[0] in ("--record", "--bind"):
        if args[0] == "--record":
            record = args[1]
        else:
            bind = args[1]
        args = args[2:]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    path = args[0]
    scripts, _ = load(path)
    base = os.path.dirname(os.path.abspath(path))
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    lsock = socket.socket(family, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((bind, 0))
    lsock.listen(16)
    print("Listening on %s:%d" % (bind, lsock.getsockname()[1]), flush=True)
    num = 0
    while True:
        sock, _ = lsock.accept()
        num += 1
        script = scripts[min(num, len(scripts)) - 1]
        t = threading.Thread(target=serve_one, daemon=True,
                             args=(sock, num, script, record, base))
        t.start()


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except KeyboardInterrupt:
        sys.exit(0)
