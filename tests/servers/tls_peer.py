#!/usr/bin/env python3
"""A TLS peer for nk's tests, for what openssl s_server cannot do.

tls_peer.py CERT KEY [options]: listens on 127.0.0.1 port 0, prints
"Listening on 127.0.0.1:PORT", serves --count connections, then exits.

Modes (--mode):
  echo-after-eof  read until the client's close_notify, then send
                  "got: " + everything read, then close_notify: a reply that
                  only starts after the client closed its side.
  abrupt          send "partial" and drop the TCP connection without
                  close_notify.
  hold            complete the handshake, then read until EOF and close.
  notify-first    send "bye" and close_notify at once, keep the TCP
                  connection open until the client's close_notify.

--starttls smtp|imap|pop3|ftp runs the plain-text dialogue first (then the
mode). --refuse answers the upgrade command with a refusal, --no-offer
leaves STARTTLS out of the SMTP capabilities, --inject sends a plain-text
line right behind the go-ahead (in the same packet). Every plain-text line
received is logged to stderr as "C: line".
"""
import argparse
import socket
import ssl
import sys


def lines(conn):
    buf = b""
    while True:
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            line = line.rstrip(b"\r").decode("latin-1")
            print("C: " + line, file=sys.stderr, flush=True)
            yield line
        data = conn.recv(4096)
        if not data:
            return
        buf += data


def starttls(conn, proto, refuse, no_offer, inject):
    """The server side of each dialogue; True when TLS should start."""
    rd = lines(conn)
    extra = b"injected\r\n" if inject else b""

    def send(s):
        conn.sendall(s.encode("latin-1"))

    if proto == "smtp":
        send("220-mail.test ESMTP nk test\r\n220 ready\r\n")
        if not next(rd, "").upper().startswith("EHLO"):
            return False
        caps = ["mail.test", "PIPELINING", "8BITMIME"]
        if not no_offer:
            caps.append("STARTTLS")
        caps.append("SIZE 1000")
        send("".join("250-%s\r\n" % c for c in caps[:-1]) +
             "250 %s\r\n" % caps[-1])
        if next(rd, "").upper() != "STARTTLS":
            return False
        if refuse:
            send("454 4.7.0 TLS not available\r\n")
            return False
        conn.sendall(b"220 2.0.0 go ahead\r\n" + extra)
    elif proto == "imap":
        send("* OK [CAPABILITY IMAP4rev1 STARTTLS] nk test ready\r\n")
        tag = next(rd, "").split(" ")[0]
        if refuse:
            send("%s NO STARTTLS not now\r\n" % tag)
            return False
        conn.sendall(b"* CAPABILITY IMAP4rev1\r\n" +
                     ("%s OK begin TLS\r\n" % tag).encode() + extra)
    elif proto == "pop3":
        send("+OK nk test POP3 ready\r\n")
        if next(rd, "").upper() != "STLS":
            return False
        if refuse:
            send("-ERR not now\r\n")
            return False
        conn.sendall(b"+OK begin TLS\r\n" + extra)
    elif proto == "ftp":
        send("220-nk test FTP\r\n220 ready\r\n")
        if next(rd, "").upper() != "AUTH TLS":
            return False
        if refuse:
            send("534 not now\r\n")
            return False
        conn.sendall(b"234 AUTH TLS ok\r\n" + extra)
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cert")
    ap.add_argument("key")
    ap.add_argument("--mode", default="hold",
                    choices=["echo-after-eof", "abrupt", "hold",
                             "notify-first"])
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--starttls", choices=["smtp", "imap", "pop3", "ftp"])
    ap.add_argument("--refuse", action="store_true")
    ap.add_argument("--no-offer", action="store_true")
    ap.add_argument("--inject", action="store_true")
    a = ap.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    print("Listening on 127.0.0.1:%d" % srv.getsockname()[1], flush=True)
    for _ in range(a.count):
        conn, _ = srv.accept()
        conn.settimeout(10)
        try:
            if a.starttls and not starttls(conn, a.starttls, a.refuse,
                                           a.no_offer, a.inject):
                conn.close()
                continue
            tls = ctx.wrap_socket(conn, server_side=True)
            if a.mode == "abrupt":
                tls.sendall(b"partial")
                # Drops the TLS object: the TCP FIN goes out with no
                # close_notify before it.
                tls.shutdown(socket.SHUT_RDWR)
                tls.close()
                continue
            if a.mode == "notify-first":
                tls.sendall(b"bye")
                # SSL_shutdown twice: sends close_notify, then waits
                # for the client's.
                tls.unwrap().close()
                continue
            got = b""
            while True:
                data = tls.recv(65536)
                if not data:
                    break
                got += data
            if a.mode == "echo-after-eof":
                tls.sendall(b"got: " + got)
            tls.unwrap().close()
        except (OSError, ssl.SSLError) as e:
            print("error: %s" % e, file=sys.stderr, flush=True)
            conn.close()


if __name__ == "__main__":
    main()
