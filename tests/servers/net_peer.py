#!/usr/bin/env python3
"""net_peer: misbehaving TCP peers for the echo and connect tests.

    net_peer.py MODE [ADDR]

Listens on ADDR (default 127.0.0.1) port 0, prints "Listening on ADDR:PORT"
(flushed) like nk echo --listen, and serves each connection on a thread:

  upper       echo every line back in upper case (a wrong echo)
  close-mid   read one line, send back its first half, close
  silent      accept and read, never answer
  blackhole   never accept, and let no new connection complete: the listen
              backlog is 0 and one connection already fills it, so Linux
              drops further SYNs and connects hang until they time out
  hold        accept and read until the client closes, echoing nothing;
              used as a client that never reads (see 'flood' below)

    net_peer.py flood HOST PORT SECONDS

A client that sends as fast as it can and never reads, for SECONDS, then
prints how many bytes the server took before its buffers filled.
"""
import socket
import sys
import threading
import time


def serve_conn(mode, c):
    f = c.makefile("rb")
    try:
        if mode == "upper":
            for line in f:
                c.sendall(line.upper())
        elif mode == "close-mid":
            line = f.readline()
            c.sendall(line[: len(line) // 2])
        elif mode in ("silent", "hold"):
            while f.read1(65536):
                pass
    except OSError:
        pass
    finally:
        f.close()
        c.close()


def flood(host, port, secs):
    s = socket.create_connection((host, port))
    s.setblocking(False)
    chunk = b"x" * 65536
    total = 0
    end = time.time() + secs
    while time.time() < end:
        try:
            total += s.send(chunk)
        except BlockingIOError:
            time.sleep(0.01)
    print(total, flush=True)
    s.close()


def main():
    mode = sys.argv[1]
    if mode == "flood":
        flood(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
        return
    addr = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.bind((addr, 0))
    port = ls.getsockname()[1]
    shown = "[%s]" % addr if fam == socket.AF_INET6 else addr
    if mode == "blackhole":
        ls.listen(0)
        filler = socket.create_connection((addr, port))
        print("Listening on %s:%d" % (shown, port), flush=True)
        while True:
            time.sleep(3600)
        del filler
    ls.listen(16)
    print("Listening on %s:%d" % (shown, port), flush=True)
    while True:
        c, _ = ls.accept()
        threading.Thread(target=serve_conn, args=(mode, c), daemon=True).start()


if __name__ == "__main__":
    main()
