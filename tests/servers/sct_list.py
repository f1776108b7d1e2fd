#!/usr/bin/env python3
"""sct_list.py: Signed Certificate Timestamps (RFC 6962 3.2, 3.3) made up
for nk tls's tests, since no CT log runs here and OpenSSL cannot mint
one. The signatures are dummies: nk reports SCTs and does not validate
them (no log list), so only the structure must be right.

  sct_list.py ext LOGBYTE MS [LOGBYTE MS...]
      prints the X.509 extension value (an OCTET STRING holding the
      SignedCertificateTimestampList) as hex, for an openssl config line
      "1.3.6.1.4.1.11129.2.4.2 = DER:<hex>"
  sct_list.py serverinfo LOGBYTE MS [...]
      prints an s_server -serverinfo PEM file (SERVERINFOV2) that sends
      the list in the signed_certificate_timestamp extension of the
      TLS 1.2 ServerHello and of the TLS 1.3 leaf's Certificate entry

Each log ID is 32 times LOGBYTE (hex, "aa"); MS is the timestamp in
milliseconds since the epoch."""
import base64
import struct
import sys


def sct(log_byte, ms):
    sig = bytes.fromhex("3006020101020101")   # an ECDSA-shaped dummy
    return (b"\x00" + bytes([log_byte]) * 32 + struct.pack(">Q", ms) +
            struct.pack(">H", 0) +             # no extensions
            b"\x04\x03" +                       # sha256, ecdsa
            struct.pack(">H", len(sig)) + sig)


def sct_list(pairs):
    body = b"".join(struct.pack(">H", len(s)) + s
                    for s in (sct(b, ms) for b, ms in pairs))
    return struct.pack(">H", len(body)) + body


def der_octets(data):
    n = len(data)
    if n < 0x80:
        head = bytes([n])
    elif n < 0x100:
        head = b"\x81" + bytes([n])
    else:
        head = b"\x82" + struct.pack(">H", n)
    return b"\x04" + head + data


def main():
    kind, args = sys.argv[1], sys.argv[2:]
    pairs = [(int(args[i], 16), int(args[i + 1]))
             for i in range(0, len(args), 2)]
    lst = sct_list(pairs)
    if kind == "ext":
        print(der_octets(lst).hex())
        return
    # SSL_EXT_CLIENT_HELLO | SSL_EXT_TLS1_2_SERVER_HELLO |
    # SSL_EXT_TLS1_3_CERTIFICATE: where OpenSSL's own SCT extension lives.
    context = 0x0080 | 0x0100 | 0x1000
    blob = (struct.pack(">I", context) + struct.pack(">HH", 18, len(lst)) +
            lst)
    b64 = base64.b64encode(blob).decode()
    print("-----BEGIN SERVERINFOV2 FOR CT-----")
    for i in range(0, len(b64), 64):
        print(b64[i:i + 64])
    print("-----END SERVERINFOV2 FOR CT-----")


if __name__ == "__main__":
    main()
