#!/usr/bin/env python3
"""fault_tls: a TLS server that breaks off its own handshake.

    fault_tls.py CERT KEY MODE

Listens on 127.0.0.1 port 0, prints "Listening on 127.0.0.1:PORT" and
serves each connection on a thread. It runs a real TLS server (Python's
ssl module over memory buffers) but puts only part of its first flight on
the wire, so the client is cut off in the middle of a genuine handshake
rather than before it starts:

  head    send the first 5 bytes of the flight (one record header), close
  half    send the first half of the flight, close (a FIN)
  reset   send the first half of the flight, then reset (RST)

Every connection logs "flight N bytes, sent M" to stdout, so a test can
check the cut really fell inside the handshake.
"""
import socket
import ssl
import struct
import sys
import threading


def serve(conn, ctx, mode):
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(inc, out, server_side=True)
    try:
        flight = b""
        # Feed the ClientHello until the server has its answer ready.
        while not flight:
            data = conn.recv(65536)
            if not data:
                return
            inc.write(data)
            try:
                tls.do_handshake()
            except ssl.SSLWantReadError:
                pass
            flight = out.read()
        n = 5 if mode == "head" else len(flight) // 2
        conn.sendall(flight[:n])
        print("flight %d bytes, sent %d" % (len(flight), n), flush=True)
        if mode == "reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack("ii", 1, 0))
        else:
            # Read what the client still sends before closing, so the
            # close is a FIN and not a reset for unread data.
            conn.shutdown(socket.SHUT_WR)
            conn.settimeout(5)
            while conn.recv(65536):
                pass
    except (OSError, ssl.SSLError):
        pass
    finally:
        conn.close()


def main(argv):
    if len(argv) != 4 or argv[3] not in ("head", "half", "reset"):
        print(__doc__, file=sys.stderr)
        return 2
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(argv[1], argv[2])
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    print("Listening on 127.0.0.1:%d" % ls.getsockname()[1], flush=True)
    while True:
        conn, _ = ls.accept()
        threading.Thread(target=serve, args=(conn, ctx, argv[3]),
                         daemon=True).start()


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except KeyboardInterrupt:
        sys.exit(0)
