#!/usr/bin/env python3
"""ws_raw.py MODE: a scripted WebSocket server on a raw socket, for what a
real server never does. On 127.0.0.1 port 0: prints its port, answers one
client's handshake, sends what MODE says, then prints the close code the
client sent ("client close: CODE", or "client close: none").

MODE: masked (a masked text frame), opcode (opcode 0x3), utf8 (text that
is not UTF-8), big (a binary frame header announcing 2 MiB), badaccept (a
wrong Sec-WebSocket-Accept), status404 (no upgrade at all), hello (a
text message "hello", then the close it is sent echoed), mute (never
answers the close; "client gone" once the client hangs up).
"""
import base64
import hashlib
import socket
import sys

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def read_head(c):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = c.recv(4096)
        if not chunk:
            sys.exit(0)
        data += chunk
    return data


def recv_exact(c, n):
    data = b""
    while len(data) < n:
        chunk = c.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def client_close(c):
    """The client's frames up to its close; its code, or None."""
    while True:
        h = recv_exact(c, 2)
        if h is None:
            return None
        n = h[1] & 0x7f
        if n == 126:
            n = int.from_bytes(recv_exact(c, 2), "big")
        elif n == 127:
            n = int.from_bytes(recv_exact(c, 8), "big")
        mask = recv_exact(c, 4) if h[1] & 0x80 else b"\0\0\0\0"
        p = bytes(b ^ mask[i % 4] for i, b in enumerate(recv_exact(c, n)))
        if h[0] & 0x0f == 8:
            return (p, int.from_bytes(p[:2], "big") if len(p) >= 2 else 1005)


def main():
    mode = sys.argv[1]
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    print(s.getsockname()[1], flush=True)
    c, _ = s.accept()
    c.settimeout(5)
    head = read_head(c).decode("latin-1")
    key = [l.split(":", 1)[1].strip() for l in head.split("\r\n")
           if l.lower().startswith("sec-websocket-key:")][0]
    accept = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest())
    if mode == "badaccept":
        accept = base64.b64encode(b"x" * 20)
    if mode == "status404":
        c.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        c.close()
        return
    c.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
              b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept +
              b"\r\n\r\n")
    frames = {
        "masked": b"\x81\x82\x01\x02\x03\x04" + bytes([ord("h") ^ 1,
                                                         ord("i") ^ 2]),
        "opcode": b"\x83\x00",
        "utf8": b"\x81\x02\xc3\x28",
        "big": b"\x82\x7f" + (2 << 20).to_bytes(8, "big"),
        "hello": b"\x81\x05hello",
    }
    c.sendall(frames.get(mode, b""))
    got = client_close(c)
    print("client close: %s" % (got[1] if got else "none"), flush=True)
    if mode == "hello" and got:
        c.sendall(b"\x88" + bytes([len(got[0])]) + got[0])
    if mode == "mute":
        while c.recv(4096):
            pass
        print("client gone", flush=True)
    c.close()


main()
