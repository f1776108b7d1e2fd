#!/usr/bin/env python3
"""closer: a one-shot TCP server that stops reading early.

    closer.py PORT N [DELAY]

Listens on 127.0.0.1 PORT, takes one client, waits DELAY seconds (default
0), closes its sending side (FIN), reads N bytes and then closes for good,
so whatever else the client sends is answered with a reset: the peer that
nk telnet must report as input not sent (telnet_eof.bats, telnet_json.bats).
"""
import socket
import sys
import time

ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", int(sys.argv[1])))
ls.listen(1)
c, _ = ls.accept()
time.sleep(float(sys.argv[3]) if len(sys.argv) > 3 else 0)
c.shutdown(socket.SHUT_WR)
n = int(sys.argv[2])
while n > 0:
    d = c.recv(n)
    if not d:
        break
    n -= len(d)
c.close()
