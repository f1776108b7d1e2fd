#!/usr/bin/env python3
"""h2peer: a scripted HTTP/2 server (cleartext, prior knowledge) that
misbehaves on purpose, for tests/cli/http_h2.bats. Frames are written by
hand here (RFC 9113 section 4.1 layout; HPACK, RFC 7541, only as literal
fields without indexing and the static ":status: 200" entry), so the
bytes are exactly the ones each case needs, broken ones included.

    h2peer.py MODE      prints "Listening on 127.0.0.1:PORT", serves
                        connections one after another until killed

MODE, what happens after the client's first request HEADERS:
  ok        200 with "ok\\n" (a well-behaved stream, for comparison)
  rst       RST_STREAM INTERNAL_ERROR on the stream
  goaway    GOAWAY (last stream 0, NO_ERROR) on the first connection, then
            close; later connections answer as "ok" (a refused stream)
  refuse    RST_STREAM REFUSED_STREAM on the first connection; later
            connections answer as "ok"
  ok-goaway   "ok", then GOAWAY (last stream 1, NO_ERROR) and close: the
            connection may not carry the next request
  goaway-mid  200, 3 bytes of a 10-byte body, GOAWAY (last stream 1,
            INTERNAL_ERROR), close
  badframe  a SETTINGS frame 5 bytes long (FRAME_SIZE_ERROR)
  bighead   a response head of 100 fields of 4000 bytes (400 KiB) in
            one small HEADERS frame: the first field indexed, the others
            references to it (HPACK's dynamic table)
  eof       200, 3 bytes of a 10-byte body, close without GOAWAY
  eof-head  close without a response
  together  waits for 3 requests open at once on the connection, then
            answers each with "sN\\n" (N its stream id): only a client
            that multiplexes gets an answer
  early     103 (link: </s.css>), then 200 with "ok\\n" and a trailer
            field (x-sum: 42) in a last HEADERS frame
  rst-one   waits for 3 requests, answers streams 1 and 5, resets 3
            (INTERNAL_ERROR)
  goaway-multi  on the first connection, waits for 4 requests, answers
            streams 1 and 3, then GOAWAY (last stream 3, NO_ERROR) and
            close: streams 5 and 7 were refused; later connections
            answer every request as it comes
"""
import socket
import struct
import sys

DATA, HEADERS, RST, SETTINGS, GOAWAY = 0, 1, 3, 4, 7


def frame(ftype, flags, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + \
        struct.pack(">I", sid) + payload


def hint(n, prefix):
    """An HPACK integer with a prefix of `prefix` bits (RFC 7541 5.1)."""
    top = (1 << prefix) - 1
    if n < top:
        return bytes([n])
    out = [top]
    n -= top
    while n >= 128:
        out.append(n % 128 + 128)
        n //= 128
    out.append(n)
    return bytes(out)


def literal(name, value):
    """A literal field without indexing, new name, no Huffman."""
    return b"\x00" + hint(len(name), 7) + name + hint(len(value), 7) + value


def head_block(fields):
    return b"\x88" + b"".join(literal(n, v) for n, v in fields)


def read_frame(c, buf):
    while len(buf) < 9:
        d = c.recv(65536)
        if not d:
            return None, buf
        buf += d
    n = int.from_bytes(buf[:3], "big")
    while len(buf) < 9 + n:
        d = c.recv(65536)
        if not d:
            return None, buf
        buf += d
    return (buf[3], buf[4], int.from_bytes(buf[5:9], "big") & 0x7fffffff,
            buf[9:9 + n]), buf[9 + n:]


def requests(c):
    """Reads the preface, then yields the stream id of each complete
    request as it comes, until the client closes."""
    buf = b""
    while len(buf) < 24:
        d = c.recv(65536)
        if not d:
            return
        buf += d
    buf = buf[24:]
    while True:
        f, buf = read_frame(c, buf)
        if f is None:
            return
        ftype, flags, sid, _ = f
        if ftype == SETTINGS and not flags & 1:
            c.sendall(frame(SETTINGS, 1, 0))
        # END_STREAM on HEADERS, or on the body's last DATA frame
        if ftype in (HEADERS, DATA) and flags & 1:
            yield sid


def until_request(c):
    """Reads the preface and frames up to the first complete request."""
    return next(requests(c), None)


def answer(sid, text):
    return frame(HEADERS, 4, sid, head_block(
        [(b"content-length", str(len(text)).encode())])) + \
        frame(DATA, 1, sid, text)


def serve_many(c, mode, nconn):
    c.sendall(frame(SETTINGS, 0, 0))
    if mode == "goaway-multi" and nconn == 1:
        got = []
        for sid in requests(c):
            got.append(sid)
            if len(got) == 4:
                c.sendall(answer(1, b"s1\n") + answer(3, b"s3\n") +
                          frame(GOAWAY, 0, 0, struct.pack(">II", 3, 0)))
                close_clean(c)
                return
        return
    if mode == "rst-one":
        got = []
        for sid in requests(c):
            got.append(sid)
            if len(got) == 3:
                c.sendall(answer(1, b"s1\n") +
                          frame(RST, 0, 3, struct.pack(">I", 2)) +
                          answer(5, b"s5\n"))
        return
    if mode == "together" and nconn == 1:
        got = []
        for sid in requests(c):
            got.append(sid)
            if len(got) == 3:
                c.sendall(b"".join(answer(i, b"s%d\n" % i) for i in got))
        return
    for sid in requests(c):
        c.sendall(answer(sid, b"s%d\n" % sid))


def close_clean(c):
    """FIN, then read until the client closes: a close with unread bytes
    (its WINDOW_UPDATE, say) would be an RST that can destroy what was
    sent before it."""
    try:
        c.shutdown(socket.SHUT_WR)
        c.settimeout(2)
        while c.recv(65536):
            pass
    except OSError:
        pass


def serve(c, mode, nconn):
    if mode in ("together", "goaway-multi", "rst-one"):
        serve_many(c, mode, nconn)
        return
    c.sendall(frame(SETTINGS, 0, 0))
    sid = until_request(c)
    if sid is None:
        return
    body_start = frame(HEADERS, 4, sid,
                       head_block([(b"content-length", b"10")])) + \
        frame(DATA, 0, sid, b"abc")
    ok = frame(HEADERS, 4, sid, head_block([(b"content-length", b"3")])) + \
        frame(DATA, 1, sid, b"ok\n")
    if mode == "ok" or (mode in ("goaway", "refuse") and nconn > 1):
        c.sendall(ok)
    elif mode == "refuse":
        c.sendall(frame(RST, 0, sid, struct.pack(">I", 7)))
    elif mode == "ok-goaway":
        c.sendall(ok + frame(GOAWAY, 0, 0, struct.pack(">II", sid, 0)))
        close_clean(c)
        return
    elif mode == "early":
        c.sendall(frame(HEADERS, 4, sid, b"\x08\x03103" +
                        literal(b"link", b"</s.css>")) +
                  frame(HEADERS, 4, sid, head_block([])) +
                  frame(DATA, 0, sid, b"ok\n") +
                  frame(HEADERS, 5, sid, literal(b"x-sum", b"42")))
    elif mode == "rst":
        c.sendall(frame(RST, 0, sid, struct.pack(">I", 2)))
    elif mode == "goaway":
        c.sendall(frame(GOAWAY, 0, 0, struct.pack(">II", 0, 0)))
        close_clean(c)
        return
    elif mode == "goaway-mid":
        c.sendall(body_start + frame(GOAWAY, 0, 0, struct.pack(">II", 1, 2)))
        close_clean(c)
        return
    elif mode == "badframe":
        c.sendall(frame(SETTINGS, 0, 0, b"\x00\x01\x00\x00\x10"))
    elif mode == "bighead":
        name, value = b"x-big", b"v" * 4000
        # literal with incremental indexing: dynamic entry 62 (0xbe)
        block = b"\x88\x40" + hint(len(name), 7) + name + \
            hint(len(value), 7) + value + b"\xbe" * 99
        c.sendall(frame(HEADERS, 5, sid, block))
    elif mode == "eof":
        c.sendall(body_start)
        close_clean(c)
        return
    elif mode == "eof-head":
        close_clean(c)
        return
    # Keep the connection until the client is done with it.
    try:
        while c.recv(65536):
            pass
    except OSError:
        pass


def main():
    mode = sys.argv[1]
    s = socket.create_server(("127.0.0.1", 0), backlog=8)
    print("Listening on 127.0.0.1:%d" % s.getsockname()[1], flush=True)
    n = 0
    while True:
        c, _ = s.accept()
        n += 1
        c.settimeout(10)
        try:
            serve(c, mode, n)
        except OSError:
            pass
        c.close()


if __name__ == "__main__":
    main()
