/* ws_frame: the WebSocket frame codec of RFC 6455 §5: the receiving state
 * machine (headers, masking, fragments joined into messages, control
 * frames, the checks a peer's bytes must pass) and the frame builder. */
#include <string.h>

#include "nk/text.h"
#include "nk/ws.h"
#include "core/internal.h"

static nk_err
fail(struct nk_ws_rx *rx, int code, nk_err e, char *errmsg, const char *why)
{
	rx->fail_code = code;
	return nk_fail(errmsg, e, "WebSocket: %s", why);
}

static int
is_control(int op)
{
	return op >= 0x8;
}

static int
known_opcode(int op)
{
	return op <= NK_WS_BINARY || (op >= NK_WS_CLOSE && op <= NK_WS_PONG);
}

/* The header's size once its first two bytes are in. */
static size_t
header_len(const unsigned char *h)
{
	size_t len7 = h[1] & 0x7f;
	return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (h[1] & 0x80 ? 4 : 0);
}

/* The first two bytes: what can be refused before the rest comes. */
static nk_err
check_start(struct nk_ws_rx *rx, char *errmsg)
{
	const unsigned char *h = rx->_hdr;
	int op = h[0] & 0x0f, masked = (h[1] & 0x80) != 0;
	if (h[0] & 0x70)
		return fail(rx, NK_WS_CLOSE_PROTOCOL, NK_ERR_WEIRD_SERVER_REPLY,
		            errmsg, "a reserved bit is set (no extension was "
		            "agreed)");
	if (!known_opcode(op))
		return nk_fail(errmsg, (rx->fail_code = NK_WS_CLOSE_PROTOCOL,
		               NK_ERR_WEIRD_SERVER_REPLY), "WebSocket: unknown "
		               "opcode 0x%x", op);
	if (is_control(op) && (!(h[0] & 0x80) || (h[1] & 0x7f) > 125))
		return fail(rx, NK_WS_CLOSE_PROTOCOL, NK_ERR_WEIRD_SERVER_REPLY,
		            errmsg, "a control frame fragmented or over 125 "
		            "bytes");
	if (masked == rx->client)
		return fail(rx, NK_WS_CLOSE_PROTOCOL, NK_ERR_WEIRD_SERVER_REPLY,
		            errmsg, masked ? "a masked frame from the server" :
		            "an unmasked frame from the client");
	return NK_OK;
}

/* The whole header: the length, the fragment order and the limit. */
static nk_err
take_header(struct nk_ws_rx *rx, char *errmsg)
{
	const unsigned char *h = rx->_hdr;
	uint64_t len = h[1] & 0x7f;
	size_t at = 2;
	if (len == 126) {
		len = (uint64_t)h[2] << 8 | h[3];
		at = 4;
		if (len < 126)
			goto long_form;
	} else if (len == 127) {
		len = 0;
		for (at = 2; at < 10; at++)
			len = len << 8 | h[at];
		if (len >> 63)
			return fail(rx, NK_WS_CLOSE_PROTOCOL,
			            NK_ERR_WEIRD_SERVER_REPLY, errmsg,
			            "a frame length over 2^63");
		if (len <= 0xffff)
			goto long_form;
	}
	rx->_masked = (h[1] & 0x80) != 0;
	if (rx->_masked)
		memcpy(rx->_mask, h + at, 4);
	rx->_fin = (h[0] & 0x80) != 0;
	rx->_op = h[0] & 0x0f;
	rx->_len = len;
	rx->_got = 0;
	if (is_control(rx->_op))
		return NK_OK;
	if (rx->_op == NK_WS_CONT && !rx->_msg_op)
		return fail(rx, NK_WS_CLOSE_PROTOCOL, NK_ERR_WEIRD_SERVER_REPLY,
		            errmsg, "a continuation frame with no message "
		            "begun");
	if (rx->_op != NK_WS_CONT && rx->_msg_op)
		return fail(rx, NK_WS_CLOSE_PROTOCOL, NK_ERR_WEIRD_SERVER_REPLY,
		            errmsg, "a new message before the last one ended");
	if (rx->_op != NK_WS_CONT)
		rx->_msg_op = rx->_op;
	uint64_t max = rx->max_message ? rx->max_message : NK_WS_MAX_MESSAGE;
	if (len > max || rx->_msg.len > max - len) {
		rx->fail_code = NK_WS_CLOSE_TOO_BIG;
		return nk_fail(errmsg, NK_ERR_FILESIZE_EXCEEDED, "WebSocket: a "
		               "message over the limit of %llu bytes",
		               (unsigned long long)max);
	}
	return NK_OK;
long_form:
	return fail(rx, NK_WS_CLOSE_PROTOCOL, NK_ERR_WEIRD_SERVER_REPLY, errmsg,
	            "a frame length not in its shortest form");
}

/* Close codes an endpoint may send (§7.4.1, §7.4.2, and 1012..1014 that
 * IANA registered since). */
static int
sendable_code(int c)
{
	return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) ||
	       (c >= 3000 && c <= 4999);
}

static int
utf8_ok(const unsigned char *p, size_t n)
{
	return nk_utf8_valid((const char *)p, n) == n;
}

static nk_err
control_event(struct nk_ws_rx *rx, nk_ws_event *ev, char *errmsg)
{
	ev->opcode = rx->_op;
	ev->data = rx->_ctl;
	ev->len = (size_t)rx->_len;
	if (rx->_op != NK_WS_CLOSE)
		return NK_OK;
	rx->_closed = 1;
	if (ev->len == 0) {
		ev->close_code = NK_WS_CLOSE_NO_STATUS;
		return NK_OK;
	}
	if (ev->len == 1)
		return fail(rx, NK_WS_CLOSE_PROTOCOL, NK_ERR_WEIRD_SERVER_REPLY,
		            errmsg, "a close frame of one byte");
	ev->close_code = rx->_ctl[0] << 8 | rx->_ctl[1];
	ev->data += 2;
	ev->len -= 2;
	if (!sendable_code(ev->close_code))
		return nk_fail(errmsg, (rx->fail_code = NK_WS_CLOSE_PROTOCOL,
		               NK_ERR_WEIRD_SERVER_REPLY), "WebSocket: close "
		               "code %d is not one to send", ev->close_code);
	if (!utf8_ok(ev->data, ev->len))
		return fail(rx, NK_WS_CLOSE_BAD_DATA, NK_ERR_WEIRD_SERVER_REPLY,
		            errmsg, "a close reason that is not UTF-8");
	return NK_OK;
}

/* A frame's payload is all in: an event when it ends a message or is a
 * control frame. */
static nk_err
end_frame(struct nk_ws_rx *rx, nk_ws_event *ev, char *errmsg)
{
	rx->_hlen = 0;
	if (is_control(rx->_op))
		return control_event(rx, ev, errmsg);
	if (!rx->_fin)
		return NK_OK;
	const unsigned char *p = (const unsigned char *)rx->_msg.p;
	if (rx->_msg_op == NK_WS_TEXT && !utf8_ok(p, rx->_msg.len))
		return fail(rx, NK_WS_CLOSE_BAD_DATA, NK_ERR_WEIRD_SERVER_REPLY,
		            errmsg, "a text message that is not UTF-8");
	ev->opcode = rx->_msg_op;
	ev->data = p ? p : rx->_ctl;
	ev->len = rx->_msg.len;
	rx->_msg_op = 0;
	rx->_clear = 1;
	return NK_OK;
}

/* Payload bytes in[0..n) of the current frame, unmasked into place. */
static nk_err
take_payload(struct nk_ws_rx *rx, const unsigned char *in, size_t n,
             char *errmsg)
{
	unsigned char *dst;
	if (is_control(rx->_op)) {
		dst = rx->_ctl + rx->_got;
		memcpy(dst, in, n);
	} else {
		if (nk_buf_add(&rx->_msg, in, n) != 0) {
			rx->fail_code = NK_WS_CLOSE_TOO_BIG;
			return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "WebSocket: "
			               "out of memory for a message");
		}
		dst = (unsigned char *)rx->_msg.p + rx->_msg.len - n;
	}
	if (rx->_masked)
		for (size_t i = 0; i < n; i++)
			dst[i] ^= rx->_mask[(rx->_got + i) & 3];
	rx->_got += n;
	return NK_OK;
}

nk_err
nk_ws_rx_feed(struct nk_ws_rx *rx, const void *in, size_t n, size_t *used,
              nk_ws_event *ev, char *errmsg)
{
	const unsigned char *p = in;
	size_t i = 0;
	nk_err e = NK_OK;

	memset(ev, 0, sizeof *ev);
	*used = 0;
	if (rx->fail_code)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT, "WebSocket: "
		               "the connection already failed");
	if (rx->_clear) {
		nk_buf_clear(&rx->_msg);
		rx->_clear = 0;
	}
	if (n > 0 && rx->_closed)
		return fail(rx, NK_WS_CLOSE_PROTOCOL, NK_ERR_WEIRD_SERVER_REPLY,
		            errmsg, "data after the close frame");
	while (i < n && !ev->opcode && !e) {
		size_t need = rx->_hlen < 2 ? 2 : header_len(rx->_hdr);
		if (rx->_hlen < need) {
			rx->_hdr[rx->_hlen++] = p[i++];
			if (rx->_hlen == 2)
				e = check_start(rx, errmsg);
			if (!e && rx->_hlen >= 2 && rx->_hlen == header_len(rx->_hdr)) {
				e = take_header(rx, errmsg);
				if (!e && rx->_len == 0)
					e = end_frame(rx, ev, errmsg);
			}
			continue;
		}
		size_t take = n - i;
		if (take > rx->_len - rx->_got)
			take = (size_t)(rx->_len - rx->_got);
		e = take_payload(rx, p + i, take, errmsg);
		i += take;
		if (!e && rx->_got == rx->_len)
			e = end_frame(rx, ev, errmsg);
	}
	*used = i;
	if (e)
		memset(ev, 0, sizeof *ev);
	return e;
}

void
nk_ws_rx_free(struct nk_ws_rx *rx)
{
	nk_buf_free(&rx->_msg);
}

nk_err
nk_ws_frame(nk_buf *out, int fin, int opcode, const void *p, size_t n,
            const unsigned char *mask, char *errmsg)
{
	unsigned char h[14];
	size_t hl = 2;

	if (opcode < 0 || opcode > 0xf || !known_opcode(opcode) ||
	    (is_control(opcode) && (n > NK_WS_MAX_CONTROL || !fin)))
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT, "WebSocket: "
		               "no frame of opcode 0x%x, %zu bytes%s", opcode, n,
		               fin ? "" : ", not final");
	h[0] = (unsigned char)((fin ? 0x80 : 0) | opcode);
	if (n < 126) {
		h[1] = (unsigned char)n;
	} else if (n <= 0xffff) {
		h[1] = 126;
		h[2] = (unsigned char)(n >> 8);
		h[3] = (unsigned char)n;
		hl = 4;
	} else {
		h[1] = 127;
		for (int k = 0; k < 8; k++)
			h[2 + k] = (unsigned char)((uint64_t)n >> (56 - 8 * k));
		hl = 10;
	}
	if (mask) {
		h[1] |= 0x80;
		memcpy(h + hl, mask, 4);
		hl += 4;
	}
	size_t at = out->len;
	if (nk_buf_add(out, h, hl) != 0 || nk_buf_add(out, p, n) != 0) {
		nk_buf_cut(out, out->len - at);
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "WebSocket: out of "
		               "memory for a frame of %zu bytes", n);
	}
	if (mask) {
		unsigned char *d = (unsigned char *)out->p + at + hl;
		for (size_t i = 0; i < n; i++)
			d[i] ^= mask[i & 3];
	}
	return NK_OK;
}
