#!/usr/bin/env python3
"""tls_raw: rawhttp.py's scripted server, over TLS.

    tls_raw.py CERT KEY CASEFILE

Listens on 127.0.0.1 port 0, prints "Listening on 127.0.0.1:PORT", and
plays the case file's scripts (see rawhttp.py) inside a TLS session on
each connection. One directive more:

  notify              send a TLS close_notify, then close the connection

"close" (also the default at the end) drops the TCP connection without a
close_notify: what a truncation attack, or a careless server, does.
"""
import os
import socket
import ssl
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rawhttp  # noqa: E402

# Directives after which rawhttp's script ends.
LAST = ("close", "shutdown", "reset", "hang", "drain")


def serve(raw, ctx, num, script, base):
    try:
        sock = ctx.wrap_socket(raw, server_side=True)
    except (OSError, ssl.SSLError):
        raw.close()
        return
    conn = rawhttp.Conn(sock, num, None)
    try:
        for word, rest in script:
            if word == "notify":
                sock.unwrap().close()
                return
            rawhttp.run_script([(word, rest)], conn, base)
            if word in LAST:
                break
    except (OSError, ssl.SSLError):
        pass
    finally:
        sock.close()


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(argv[1], argv[2])
    scripts, _ = rawhttp.load(argv[3])
    base = os.path.dirname(os.path.abspath(argv[3]))
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    print("Listening on 127.0.0.1:%d" % ls.getsockname()[1], flush=True)
    num = 0
    while True:
        raw, _ = ls.accept()
        num += 1
        script = scripts[min(num, len(scripts)) - 1]
        threading.Thread(target=serve, args=(raw, ctx, num, script, base),
                         daemon=True).start()


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except KeyboardInterrupt:
        sys.exit(0)
