/* libnk ws: the WebSocket protocol (RFC 6455) without sockets.
 *
 * Two pieces, each a pure function of the bytes it is given:
 *   - the frame codec: nk_ws_rx_feed takes the peer's bytes however they
 *     were split and gives whole messages and control frames, checked
 *     (masking, opcodes, reserved bits, control frame rules, UTF-8 of text
 *     and close reasons, a size limit); nk_ws_frame builds one frame;
 *   - the opening handshake over nk/http.h: the GET with Upgrade and a
 *     random Sec-WebSocket-Key, and the check of the 101 answer.
 *
 * No extension is ever negotiated, so every RSV bit must be 0. Nothing here
 * blocks, prints or reads the environment; the random bytes of keys and
 * masks come from OpenSSL's RAND_bytes. */
#ifndef NK_WS_H
#define NK_WS_H

#include <stdint.h>

#include "nk/buf.h"
#include "nk/defs.h"
#include "nk/err.h"
#include "nk/http.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opcodes (RFC 6455 §5.2). */
#define NK_WS_CONT   0x0
#define NK_WS_TEXT   0x1
#define NK_WS_BINARY 0x2
#define NK_WS_CLOSE  0x8
#define NK_WS_PING   0x9
#define NK_WS_PONG   0xA

/* Close codes (§7.4.1) nk sends or reports. */
#define NK_WS_CLOSE_NORMAL    1000
#define NK_WS_CLOSE_PROTOCOL  1002
#define NK_WS_CLOSE_NO_STATUS 1005 /* reported for a close without code */
#define NK_WS_CLOSE_BAD_DATA  1007 /* text that is not UTF-8 */
#define NK_WS_CLOSE_TOO_BIG   1009

/* The largest message nk_ws_rx_feed assembles when max_message is 0. */
#define NK_WS_MAX_MESSAGE (16u * 1024 * 1024)

/* The largest control frame payload (§5.5). */
#define NK_WS_MAX_CONTROL 125

/* The receiving side of one connection. Zero it, set client (and
 * max_message), feed it; free it with nk_ws_rx_free. Fields starting
 * with _ are private. */
struct nk_ws_rx {
	int client;             /* 1: we are the client, so a masked frame is
	                           an error; 0: the server, every frame must
	                           be masked */
	uint64_t max_message;   /* a message's bytes (its fragments together);
	                           0: NK_WS_MAX_MESSAGE */
	int fail_code;          /* out, after an error: the close code to send
	                           the peer (1002, 1007 or 1009) */
	unsigned char _hdr[14];
	size_t _hlen;
	int _op, _fin, _masked;
	unsigned char _mask[4];
	uint64_t _len, _got;
	int _msg_op;            /* the data message being assembled, or 0 */
	int _closed;            /* a close frame came: nothing may follow */
	int _clear;             /* the last event was a message: drop it */
	nk_buf _msg;
	unsigned char _ctl[NK_WS_MAX_CONTROL];
};

/* What one nk_ws_rx_feed call found. */
typedef struct nk_ws_event {
	int opcode;             /* 0: nothing yet; NK_WS_TEXT, NK_WS_BINARY
	                           (a whole message, fragments joined),
	                           NK_WS_PING, NK_WS_PONG or NK_WS_CLOSE */
	const unsigned char *data; /* the message or control payload (for
	                           CLOSE the reason, after the code); owned by
	                           rx, valid until the next call */
	size_t len;
	int close_code;         /* CLOSE: its code, or NK_WS_CLOSE_NO_STATUS */
} nk_ws_event;

/* Takes bytes from in[0..n) until the end of the next message or control
 * frame, or until in runs out; *used says how many it took, and ev what
 * ended (opcode 0 when in ran out first: call again with more). Call it
 * again with the rest of in after each event. The events are the same
 * however the bytes were split across calls.
 *
 * Errors, after which rx takes no more bytes and fail_code is set:
 *   NK_ERR_WEIRD_SERVER_REPLY (fail_code 1002): a masked frame to a
 *     client or an unmasked one to a server, an RSV bit set, an unknown
 *     opcode, a control frame fragmented or over 125 bytes, a continuation
 *     with no message begun or a new message before the last one ended, a
 *     length not in its shortest form or over 2^63, a close payload of one
 *     byte or with a code no endpoint may send, any byte after a close;
 *   NK_ERR_WEIRD_SERVER_REPLY (fail_code 1007): a text message or close
 *     reason that is not UTF-8;
 *   NK_ERR_FILESIZE_EXCEEDED (fail_code 1009): a message over
 *     max_message, found from the frame header before its payload comes;
 *   NK_ERR_OUT_OF_MEMORY (fail_code 1009). */
NK_API nk_err nk_ws_rx_feed(struct nk_ws_rx *rx, const void *in, size_t n,
                            size_t *used, nk_ws_event *ev, char *errmsg);

/* Frees the message being assembled; rx may be zeroed and used again. */
NK_API void nk_ws_rx_free(struct nk_ws_rx *rx);

/* Appends one frame to out: FIN when fin is nonzero, the opcode, the
 * length in its shortest form, and payload p[0..n) masked with mask[0..4)
 * (a client's frames), or unmasked when mask is NULL (a server's).
 * Errors: NK_ERR_BAD_FUNCTION_ARGUMENT (an opcode not in §5.2, a control
 * frame over 125 bytes or not final), NK_ERR_OUT_OF_MEMORY. */
NK_API nk_err nk_ws_frame(nk_buf *out, int fin, int opcode, const void *p,
                          size_t n, const unsigned char *mask, char *errmsg);

/* n random bytes (a mask, a key's nonce) from OpenSSL's generator.
 * Errors: NK_ERR_FAILED_INIT when it has no entropy. */
NK_API nk_err nk_ws_random(void *p, size_t n, char *errmsg);

/* The Sec-WebSocket-Key: 16 random bytes in base64, 24 characters. */
#define NK_WS_KEY_LEN 24
NK_API nk_err nk_ws_key(char key[NK_WS_KEY_LEN + 1], char *errmsg);

/* The Sec-WebSocket-Accept a server answers key with: base64 of the SHA-1
 * of key and the GUID of §1.3, 28 characters. */
#define NK_WS_ACCEPT_LEN 28
NK_API void nk_ws_accept(const char *key, char out[NK_WS_ACCEPT_LEN + 1]);

/* The opening handshake. Strings are borrowed for each call. */
struct nk_ws_handshake {
	const char *target;     /* request-target: "/chat?x=1"; required */
	const char *host;       /* Host value "name[:port]"; required */
	const char *key;        /* from nk_ws_key */
	const char *const *protocols; /* Sec-WebSocket-Protocol offers, each
	                           an RFC 9110 token, in order of preference */
	size_t nprotocols;
	const char *const *headers; /* more header lines, as
	                           nk_http_request's headers */
	size_t nheaders;
};

/* The GET request head (nk_http_request_build) with Upgrade: websocket,
 * Connection: Upgrade, Sec-WebSocket-Key, Sec-WebSocket-Version: 13 and
 * the protocols offered. *out is malloc'd (free()). Errors: those of
 * nk_http_request_build (a header with CR, LF or NUL is refused),
 * NK_ERR_FAILED_INIT for a protocol name that is not a token. */
NK_API nk_err nk_ws_request(const struct nk_ws_handshake *h, char **out,
                            size_t *outlen, char *errmsg);

/* Checks a parsed response head against the request h made: status 101,
 * Upgrade: websocket, Connection: upgrade, the Sec-WebSocket-Accept of
 * h->key, no extension, and a Sec-WebSocket-Protocol that is one of
 * h->protocols (or none). *proto (may be NULL) is then the protocol
 * chosen, a view into the response's buffer, or NULL; *proto_len its
 * length. Errors: NK_ERR_HTTP_RETURNED_ERROR for a status other than 101
 * ("server answered 404 Not Found, not 101"), NK_ERR_WEIRD_SERVER_REPLY
 * for the rest, errmsg naming the field and showing its value escaped. */
NK_API nk_err nk_ws_check_response(const struct nk_ws_handshake *h,
                                   const struct nk_http_response *res,
                                   const char **proto, size_t *proto_len,
                                   char *errmsg);

#ifdef __cplusplus
}
#endif

#endif
