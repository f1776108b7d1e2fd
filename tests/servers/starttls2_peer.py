#!/usr/bin/env python3
"""A scripted STARTTLS server for the protocols of tests/cli/tls_starttls2.bats
that have no Debian server quick to start unprivileged in a test: LMTP, NNTP,
ManageSieve, IRC and XMPP (client and server-to-server). Each follows its
RFC's exchange (RFC 2033, RFC 4642, RFC 5804, the IRCv3 tls extension,
RFC 6120 section 5.4), then hands the socket to Python's ssl module.

starttls2_peer.py CERT KEY PROTO [--refuse] [--no-offer] [--inject]
listens on 127.0.0.1 port 0, prints "Listening on 127.0.0.1:PORT", serves
one connection. --refuse answers the upgrade with the protocol's refusal,
--no-offer leaves STARTTLS out of the capabilities, --inject sends plain
text right behind the go-ahead, in the same packet. What the client sends
is logged to stderr as "C: line" (XMPP: "C: " and each chunk).
"""
import socket
import ssl
import sys

from tls_peer import lines


def xmpp_until(conn, end):
    """Reads until `end` has arrived; logs what came."""
    got = b""
    while end not in got:
        data = conn.recv(4096)
        if not data:
            return None
        got += data
    print("C: " + got.decode("latin-1"), file=sys.stderr, flush=True)
    return got


def dialogue(conn, proto, refuse, no_offer, inject):
    rd = lines(conn)
    extra = b"injected\r\n" if inject else b""

    def send(s):
        conn.sendall(s.encode("latin-1"))

    if proto == "lmtp":
        send("220 lmtp.test LMTP nk test\r\n")
        if not next(rd, "").upper().startswith("LHLO "):
            return False
        caps = ["lmtp.test", "PIPELINING"] + ([] if no_offer else
                                              ["STARTTLS"]) + ["8BITMIME"]
        send("".join("250-%s\r\n" % c for c in caps[:-1]) +
             "250 %s\r\n" % caps[-1])
        if next(rd, "") != "STARTTLS":
            return False
        if refuse:
            send("454 4.7.0 TLS not available\r\n")
            return False
        conn.sendall(b"220 2.0.0 Ready to start TLS\r\n" + extra)
    elif proto == "nntp":
        send("200 news.test InterNetNews server ready\r\n")
        if next(rd, "") != "CAPABILITIES":
            return False
        caps = ["VERSION 2", "READER"] + ([] if no_offer else ["STARTTLS"])
        send("101 Capability list:\r\n" +
             "".join("%s\r\n" % c for c in caps) + ".\r\n")
        if next(rd, "") != "STARTTLS":
            return False
        if refuse:
            send("580 Can not initiate TLS negotiation\r\n")
            return False
        conn.sendall(b"382 Continue with TLS negotiation\r\n" + extra)
    elif proto == "sieve":
        caps = ['"IMPLEMENTATION" "nk test"', '"SIEVE" "fileinto vacation"',
                '"SASL" ""'] + ([] if no_offer else ['"STARTTLS"']) + \
               ['"VERSION" "1.0"']
        send("".join("%s\r\n" % c for c in caps) + 'OK "ready"\r\n')
        if next(rd, "") != "STARTTLS":
            return False
        if refuse:
            send('NO "TLS not available"\r\n')
            return False
        conn.sendall(b'OK "Begin TLS negotiation now"\r\n' + extra)
    elif proto == "irc":
        send(":irc.test NOTICE * :*** Looking up your hostname...\r\n")
        if next(rd, "") != "STARTTLS":
            return False
        if refuse:
            send(":irc.test 691 * :STARTTLS failed\r\n")
            return False
        conn.sendall(b":irc.test 670 * :STARTTLS successful, go ahead with "
                     b"TLS handshake\r\n" + extra)
    elif proto in ("xmpp", "xmpp-server"):
        ns = "jabber:client" if proto == "xmpp" else "jabber:server"
        head = xmpp_until(conn, b">")
        while head is not None and b"<stream:stream" not in head:
            more = xmpp_until(conn, b">")
            head = None if more is None else head + more
        if head is None or ("xmlns='%s'" % ns).encode() not in head:
            return False
        tls = "" if no_offer else (
            "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
            "<required/></starttls>")
        send("<?xml version='1.0'?><stream:stream xmlns='%s' "
             "xmlns:stream='http://etherx.jabber.org/streams' "
             "id='nk1' from='xmpp.test' version='1.0' xml:lang='en'>"
             "<stream:features>%s<mechanisms "
             "xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN"
             "</mechanism></mechanisms></stream:features>" % (ns, tls))
        if xmpp_until(conn, b"/>") is None:
            return False
        if refuse:
            send("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
                 "</stream:stream>")
            return False
        conn.sendall(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" +
                     (b"<message>injected</message>" if inject else b""))
    return True


def main():
    cert, key, proto = sys.argv[1:4]
    opts = set(sys.argv[4:])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    print("Listening on 127.0.0.1:%d" % srv.getsockname()[1], flush=True)
    conn, _ = srv.accept()
    conn.settimeout(10)
    try:
        if not dialogue(conn, proto, "--refuse" in opts, "--no-offer" in opts,
                        "--inject" in opts):
            conn.close()
            return
        tls = ctx.wrap_socket(conn, server_side=True)
        while tls.recv(65536):
            pass
        tls.unwrap().close()
    except (OSError, ssl.SSLError) as e:
        print("error: %s" % e, file=sys.stderr, flush=True)
        conn.close()


if __name__ == "__main__":
    main()
