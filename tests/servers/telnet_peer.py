#!/usr/bin/env python3
"""telnet_peer: a scripted server for nk telnet's tests.

    telnet_peer.py [options]

Listens on 127.0.0.1 port 0, prints "Listening on 127.0.0.1:PORT" (flushed,
like nk echo --listen), serves one connection, then exits. Everything the
client sends is appended to --record as it arrives, so a test can compare
what nk sent byte for byte.

  --send TEXT        bytes to send as soon as the client connects; Python
                     escapes (\\xff\\xfb\\x01 is IAC WILL ECHO)
  --repeat N         send --send N times (a server that loops)
  --control DIR      a spool directory, polled: each file that appears is
                     sent to the client (in name order; write it elsewhere
                     and rename it in) and removed, also after the client's
                     EOF; a file named "eof" shuts our side down (FIN, or
                     close_notify) instead
  --after-eof TEXT   when the client's EOF arrives, send TEXT, then close
  --close-after SECS close (FIN) SECS after connecting
  --reset-after SECS abort the connection (RST) SECS after connecting
  --tls CERT KEY     speak TLS; with --after-eof, TEXT goes out after the
                     client's close_notify, then our close_notify
  --blackhole        never accept, and let no connection complete: the
                     backlog is 0 and one connection of our own fills it,
                     so Linux drops further SYNs (a connect times out);
                     exits after 60 seconds
"""
import argparse
import os
import select
import socket
import ssl
import struct
import sys
import time


def unescape(text):
    return text.encode("latin-1").decode("unicode_escape").encode("latin-1")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--record")
    ap.add_argument("--send", default="")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--control")
    ap.add_argument("--after-eof")
    ap.add_argument("--close-after", type=float)
    ap.add_argument("--reset-after", type=float)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--blackhole", action="store_true")
    a = ap.parse_args()

    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    if a.blackhole:
        ls.listen(0)
        filler = socket.create_connection(ls.getsockname())
        print("Listening on 127.0.0.1:%d" % ls.getsockname()[1], flush=True)
        time.sleep(60)
        filler.close()
        return
    ls.listen(1)
    print("Listening on 127.0.0.1:%d" % ls.getsockname()[1], flush=True)
    conn, _ = ls.accept()
    ls.close()
    raw = conn
    if a.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        conn = ctx.wrap_socket(conn, server_side=True)
    rec = open(a.record, "ab", buffering=0) if a.record else None
    start = time.monotonic()

    if a.send:
        conn.sendall(unescape(a.send) * a.repeat)

    ctl = a.control
    client_eof = False
    while True:
        now = time.monotonic() - start
        if a.reset_after is not None and now >= a.reset_after:
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                           struct.pack("ii", 1, 0))
            raw.close()
            return
        if a.close_after is not None and now >= a.close_after:
            break
        fds = [] if client_eof else [conn]
        wait = 0.05
        if a.tls and not client_eof and conn.pending():
            wait = 0
        if fds:
            r = select.select(fds, [], [], wait)[0]
        else:
            r = []
            time.sleep(wait)
        if ctl is not None:
            for name in sorted(os.listdir(ctl)):
                path = os.path.join(ctl, name)
                if name == "eof":
                    os.unlink(path)
                    ctl = None
                    break
                with open(path, "rb") as f:
                    data = f.read()
                os.unlink(path)
                try:
                    conn.sendall(data)
                except OSError:
                    return  # the client is gone
            if ctl is None:
                if client_eof:
                    break
                if a.tls:
                    # close_notify; unwrap waits for the client's answer
                    # (or its plain EOF), which is all there is to read.
                    try:
                        conn.unwrap()
                    except (ssl.SSLError, OSError):
                        pass
                    raw.close()
                    return
                conn.shutdown(socket.SHUT_WR)
        if not client_eof and (conn in r or (a.tls and conn.pending())):
            try:
                b = conn.recv(65536)
            except (ssl.SSLError, OSError):
                b = b""
            if b:
                if rec:
                    rec.write(b)
                continue
            # The client's EOF (FIN, or close_notify over TLS). With a
            # control spool still open, keep relaying it.
            client_eof = True
            if a.after_eof is not None:
                time.sleep(0.2)
                conn.sendall(unescape(a.after_eof))
            if ctl is None:
                break
    if a.tls:
        try:
            conn.unwrap()
        except (ssl.SSLError, OSError):
            pass
    try:
        raw.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    raw.close()


if __name__ == "__main__":
    sys.exit(main())
