#!/usr/bin/env python3
"""ws_server.py [--tls CERT KEY]: a real WebSocket server for nk telnet's
tests, Debian's python3-websockets (no compression), on 127.0.0.1 port 0.
Prints its port on the first line, then one line per event worth checking.

Paths:
  /echo            each message back as it came (text or binary)
  /proto           "protocol: NAME" (the subprotocol chosen of chat and
                   superchat, or None), then echo
  /headers         "X-Test: VALUE" of the handshake, then echo
  /frag            a text message in three fragments, a binary one in two,
                   then echo
  /big             1 MiB of random bytes as one binary message (its sha256
                   printed), then waits for the close
  /ping            pings with b"srv", says "pong received" once answered
  /close/CODE      closes at once with CODE and the reason "bye now"
"""
import asyncio
import hashlib
import os
import ssl
import sys

import websockets


def log(*a):
    print(*a, flush=True)


async def echo(ws):
    async for msg in ws:
        await ws.send(msg)


async def handler(ws):
    path = ws.path
    if path == "/proto":
        await ws.send("protocol: %s" % ws.subprotocol)
    elif path == "/headers":
        await ws.send("X-Test: %s" % ws.request_headers.get("X-Test", ""))
    elif path == "/frag":
        await ws.send(["Hel", "lo, w", "\u00f6rld"])
        await ws.send([b"\x00\x01", b"\x02\xff"])
    elif path == "/big":
        data = os.urandom(1 << 20)
        log("sha256", hashlib.sha256(data).hexdigest())
        # A client that refuses the message (--max-message) closes while
        # this send is still going: its close code is logged all the same.
        try:
            await ws.send(data)
        except websockets.ConnectionClosed:
            log("closed", ws.close_code, ws.close_reason)
            return
    elif path == "/ping":
        waiter = await ws.ping(b"srv")
        await asyncio.wait_for(waiter, 5)
        await ws.send("pong received")
    elif path.startswith("/close/"):
        await ws.close(code=int(path[7:]), reason="bye now")
        return
    try:
        await echo(ws)
    finally:
        log("closed", ws.close_code, ws.close_reason)


async def main():
    ctx = None
    if len(sys.argv) == 4 and sys.argv[1] == "--tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[2], sys.argv[3])
    async with websockets.serve(handler, "127.0.0.1", 0, ssl=ctx,
                                subprotocols=["chat", "superchat"],
                                compression=None, max_size=None) as srv:
        log(srv.sockets[0].getsockname()[1])
        await asyncio.Future()


asyncio.run(main())
