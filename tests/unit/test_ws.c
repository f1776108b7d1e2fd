/* test_ws: the WebSocket codec and handshake (nk/ws.h): RFC 6455's own
 * examples byte for byte, a stream cut at every point giving the same
 * events, each violation with its close code, the size limit, and the
 * handshake's request and checks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nk/ws.h"

static const unsigned char MASK[4] = { 0x37, 0xfa, 0x21, 0x3d };

/* The events of in[0..n), fed in pieces cut at a and b (a <= b <= n), as
 * "op:len:payload|" lines (close: "8:code:reason|"); "ERR code" at an
 * error. */
static void
events(int client, uint64_t max, const unsigned char *in, size_t n,
       size_t a, size_t b, nk_buf *out)
{
	struct nk_ws_rx rx;
	memset(&rx, 0, sizeof rx);
	rx.client = client;
	rx.max_message = max;
	const size_t cuts[3] = { a, b, n };
	size_t at = 0;
	for (int k = 0; k < 3; k++) {
		while (at < cuts[k]) {
			nk_ws_event ev;
			size_t used;
			char err[NK_ERR_MSG_LEN];
			nk_err e = nk_ws_rx_feed(&rx, in + at, cuts[k] - at, &used,
			                         &ev, err);
			if (e) {
				nk_buf_printf(out, "ERR %d", rx.fail_code);
				nk_ws_rx_free(&rx);
				return;
			}
			assert_true(used > 0 || ev.opcode);
			at += used;
			if (ev.opcode == NK_WS_CLOSE)
				nk_buf_printf(out, "8:%d:", ev.close_code);
			else if (ev.opcode)
				nk_buf_printf(out, "%x:%zu:", ev.opcode, ev.len);
			if (ev.opcode) {
				nk_buf_add(out, ev.data, ev.len);
				nk_buf_addc(out, '|');
			}
		}
	}
	nk_ws_rx_free(&rx);
}

static char *
all_at_once(int client, const void *in, size_t n)
{
	nk_buf b = NK_BUF_INIT(0);
	events(client, 0, in, n, n, n, &b);
	return nk_buf_take(&b);
}

/* Bytes as a client (unmasked) or a server (masked) gets them, and the
 * events they give. */
struct row {
	int client;
	const char *bytes;
	size_t n;
	const char *want;
};

static void
check_rows(const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *got = all_at_once(rows[i].client, rows[i].bytes, rows[i].n);
		if (strcmp(got, rows[i].want) != 0)
			fprintf(stderr, "# row %zu: got '%s'\n", i, got);
		assert_string_equal(got, rows[i].want);
		free(got);
	}
}

/* RFC 6455 §5.7's examples. */
static void
test_rfc_examples(void **state)
{
	static const struct row rows[] = {
		{ 1, "\x81\x05Hello", 7, "1:5:Hello|" },
		{ 0, "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11,
		  "1:5:Hello|" },
		{ 1, "\x01\x03Hel\x80\x02lo", 9, "1:5:Hello|" },
		{ 1, "\x89\x05Hello", 7, "9:5:Hello|" },
		{ 0, "\x8a\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11,
		  "a:5:Hello|" },
		{ 1, "\x88\x00", 2, "8:1005:|" },
		{ 1, "\x88\x05\x03\xe8" "bye", 7, "8:1000:bye|" },
		{ 1, "\x82\x00", 2, "2:0:|" },
	};
	(void)state;
	check_rows(rows, sizeof rows / sizeof rows[0]);
}

/* The builder makes §5.7's bytes, with the 16- and 64-bit lengths. */
static void
test_build(void **state)
{
	nk_buf b = NK_BUF_INIT(0);
	(void)state;
	assert_int_equal(nk_ws_frame(&b, 1, NK_WS_TEXT, "Hello", 5, MASK, NULL),
	                 NK_OK);
	assert_int_equal(b.len, 11);
	assert_memory_equal(b.p, "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58",
	                    11);
	nk_buf_clear(&b);
	assert_int_equal(nk_ws_frame(&b, 0, NK_WS_TEXT, "Hel", 3, NULL, NULL),
	                 NK_OK);
	assert_int_equal(nk_ws_frame(&b, 1, NK_WS_CONT, "lo", 2, NULL, NULL),
	                 NK_OK);
	assert_memory_equal(b.p, "\x01\x03Hel\x80\x02lo", 9);
	static unsigned char big[65536];
	nk_buf_clear(&b);
	assert_int_equal(nk_ws_frame(&b, 1, NK_WS_BINARY, big, 256, NULL, NULL),
	                 NK_OK);
	assert_memory_equal(b.p, "\x82\x7e\x01\x00", 4);
	assert_int_equal(b.len, 4 + 256);
	nk_buf_clear(&b);
	assert_int_equal(nk_ws_frame(&b, 1, NK_WS_BINARY, big, sizeof big, MASK,
	                             NULL), NK_OK);
	assert_memory_equal(b.p, "\x82\xff\0\0\0\0\0\x01\0\0\x37\xfa\x21\x3d",
	                    14);
	assert_int_equal(b.len, 14 + sizeof big);
	/* control frames: final and short only */
	assert_int_equal(nk_ws_frame(&b, 1, NK_WS_PING, big, 126, MASK, NULL),
	                 NK_ERR_BAD_FUNCTION_ARGUMENT);
	assert_int_equal(nk_ws_frame(&b, 0, NK_WS_CLOSE, "", 0, MASK, NULL),
	                 NK_ERR_BAD_FUNCTION_ARGUMENT);
	assert_int_equal(nk_ws_frame(&b, 1, 3, "", 0, MASK, NULL),
	                 NK_ERR_BAD_FUNCTION_ARGUMENT);
	nk_buf_free(&b);
}

/* A stream of everything, masked or not, cut at every pair of points,
 * gives the same events as whole. */
static void
test_every_split(void **state)
{
	(void)state;
	for (int client = 0; client <= 1; client++) {
		const unsigned char *m = client ? NULL : MASK;
		nk_buf s = NK_BUF_INIT(0);
		static unsigned char big[300];
		for (size_t i = 0; i < sizeof big; i++)
			big[i] = (unsigned char)i;
		nk_ws_frame(&s, 0, NK_WS_TEXT, "caf\xc3", 4, m, NULL);
		nk_ws_frame(&s, 1, NK_WS_PING, "p", 1, m, NULL);
		nk_ws_frame(&s, 0, NK_WS_CONT, "", 0, m, NULL);
		nk_ws_frame(&s, 1, NK_WS_CONT, "\xa9!", 2, m, NULL);
		nk_ws_frame(&s, 1, NK_WS_BINARY, big, sizeof big, m, NULL);
		nk_ws_frame(&s, 1, NK_WS_PONG, "", 0, m, NULL);
		nk_ws_frame(&s, 1, NK_WS_CLOSE, "\x0f\xa0\xc3\xa9", 4, m, NULL);
		const unsigned char *in = (const unsigned char *)s.p;
		nk_buf want = NK_BUF_INIT(0);
		events(client, 0, in, s.len, s.len, s.len, &want);
		assert_memory_equal(want.p, "9:1:p|1:6:caf\xc3\xa9!|2:300:", 23);
		assert_int_equal(want.len, 23 + 300 +
		                 sizeof "|a:0:|8:4000:\xc3\xa9|" - 1);
		for (size_t a = 0; a <= s.len; a++) {
			for (size_t b = a; b <= s.len; b += (b < 40 || b > s.len - 40
			                                      ? 1 : 7)) {
				nk_buf got = NK_BUF_INIT(0);
				events(client, 0, in, s.len, a, b, &got);
				assert_int_equal(got.len, want.len);
				assert_memory_equal(got.p, want.p, want.len);
				nk_buf_free(&got);
			}
		}
		nk_buf_free(&want);
		nk_buf_free(&s);
	}
}

/* What a peer must not send, and the close code each gets. */
static void
test_violations(void **state)
{
	static const struct row rows[] = {
		{ 1, "\x81\x81\0\0\0\0a", 7, "ERR 1002" },      /* masked to us */
		{ 0, "\x81\x01" "a", 3, "ERR 1002" },           /* unmasked */
		{ 1, "\xc1\x01" "a", 3, "ERR 1002" },           /* RSV1 */
		{ 1, "\x83\x00", 2, "ERR 1002" },               /* opcode 3 */
		{ 1, "\x8b\x00", 2, "ERR 1002" },               /* opcode 0xb */
		{ 1, "\x09\x00", 2, "ERR 1002" },               /* ping, no FIN */
		{ 1, "\x89\x7e\x00\x7e", 4, "ERR 1002" },       /* long ping */
		{ 1, "\x80\x01" "a", 3, "ERR 1002" },           /* stray cont */
		{ 1, "\x01\x01" "a\x81\x01" "b", 6, "ERR 1002" }, /* interleaved */
		{ 1, "\x82\x7e\x00\x05" "hello", 9, "ERR 1002" }, /* not shortest */
		{ 1, "\x82\x7f\x80\0\0\0\0\0\0\0", 10, "ERR 1002" }, /* 2^63 */
		{ 1, "\x88\x01\x03", 3, "ERR 1002" },           /* close, 1 byte */
		{ 1, "\x88\x02\x03\xed", 4, "ERR 1002" },       /* close 1005 */
		{ 1, "\x88\x02\x03\xe7", 4, "ERR 1002" },       /* close 999 */
		{ 1, "\x88\x00\x81\x00", 4, "8:1005:|ERR 1002" }, /* after close */
		{ 1, "\x81\x02\xc3\x28", 4, "ERR 1007" },       /* bad UTF-8 */
		{ 1, "\x81\x03\xed\xa0\x80", 5, "ERR 1007" },   /* surrogate */
		{ 1, "\x88\x03\x03\xe8\xff", 5, "ERR 1007" },   /* close reason */
		{ 1, "\x82\x7f\0\0\0\0\x01\0\0\x01", 10, "ERR 1009" }, /* 16M+1 */
	};
	(void)state;
	check_rows(rows, sizeof rows / sizeof rows[0]);
}

/* The limit counts a message's fragments together, before the payload. */
static void
test_limit(void **state)
{
	nk_buf in = NK_BUF_INIT(0), got = NK_BUF_INIT(0);
	(void)state;
	nk_ws_frame(&in, 0, NK_WS_BINARY, "123456", 6, NULL, NULL);
	nk_ws_frame(&in, 1, NK_WS_CONT, "7890", 4, NULL, NULL);
	events(1, 10, (const unsigned char *)in.p, in.len, in.len, in.len, &got);
	assert_string_equal(nk_buf_str(&got), "2:10:1234567890|");
	nk_buf_clear(&got);
	events(1, 9, (const unsigned char *)in.p, in.len, in.len, in.len, &got);
	assert_string_equal(nk_buf_str(&got), "ERR 1009");
	/* once failed, no more bytes are taken */
	struct nk_ws_rx rx;
	memset(&rx, 0, sizeof rx);
	rx.client = 1;
	nk_ws_event ev;
	size_t used;
	assert_int_equal(nk_ws_rx_feed(&rx, "\x83\x00", 2, &used, &ev, NULL),
	                 NK_ERR_WEIRD_SERVER_REPLY);
	assert_int_equal(nk_ws_rx_feed(&rx, "\x81\x00", 2, &used, &ev, NULL),
	                 NK_ERR_BAD_FUNCTION_ARGUMENT);
	nk_ws_rx_free(&rx);
	nk_buf_free(&in);
	nk_buf_free(&got);
}

/* §1.3's example key and its accept value. */
static void
test_accept(void **state)
{
	char out[NK_WS_ACCEPT_LEN + 1], key[NK_WS_KEY_LEN + 1], key2[sizeof key];
	(void)state;
	nk_ws_accept("dGhlIHNhbXBsZSBub25jZQ==", out);
	assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	assert_int_equal(nk_ws_key(key, NULL), NK_OK);
	assert_int_equal(nk_ws_key(key2, NULL), NK_OK);
	assert_int_equal(strlen(key), 24);
	assert_string_equal(key + 22, "==");
	assert_string_not_equal(key, key2);
}

static void
test_request(void **state)
{
	static const char *const protos[] = { "chat", "superchat" };
	static const char *const hdrs[] = { "Origin: http://x", "X-A: 1" };
	struct nk_ws_handshake h = {
		"/c?x=1", "h:8080", "dGhlIHNhbXBsZSBub25jZQ==", protos, 2, hdrs, 2,
	};
	char *req;
	size_t len;
	char err[NK_ERR_MSG_LEN];
	(void)state;
	assert_int_equal(nk_ws_request(&h, &req, &len, err), NK_OK);
	assert_non_null(strstr(req, "GET /c?x=1 HTTP/1.1\r\nHost: h:8080\r\n"));
	assert_non_null(strstr(req, "\r\nUpgrade: websocket\r\nConnection: "
	                       "Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25"
	                       "jZQ==\r\nSec-WebSocket-Version: 13\r\n"
	                       "Sec-WebSocket-Protocol: chat, superchat\r\n"
	                       "Origin: http://x\r\nX-A: 1\r\n\r\n"));
	free(req);
	/* the user's header of one of ours replaces it */
	static const char *const mine[] = { "Sec-WebSocket-Version: 8" };
	h.headers = mine;
	h.nheaders = 1;
	assert_int_equal(nk_ws_request(&h, &req, &len, err), NK_OK);
	assert_null(strstr(req, "Version: 13"));
	assert_non_null(strstr(req, "Version: 8"));
	free(req);
	static const char *const bad[] = { "X-A: 1\r\nX-B: 2" };
	h.headers = bad;
	assert_int_equal(nk_ws_request(&h, &req, &len, err), NK_ERR_FAILED_INIT);
	assert_null(req);
	static const char *const badp[] = { "a b" };
	h.headers = NULL;
	h.nheaders = 0;
	h.protocols = badp;
	h.nprotocols = 1;
	assert_int_equal(nk_ws_request(&h, &req, &len, err), NK_ERR_FAILED_INIT);
	assert_non_null(strstr(err, "not a token"));
}

/* A response head through nk_http_parse_response, then the check. */
static nk_err
check(const char *head, char *proto, char *err)
{
	static const char *const protos[] = { "chat", "superchat" };
	struct nk_ws_handshake h = {
		"/", "h", "dGhlIHNhbXBsZSBub25jZQ==", protos, 2, NULL, 0,
	};
	struct nk_http_header hdrs[16];
	struct nk_http_parser p;
	struct nk_http_response res;
	char buf[1024];
	memset(&p, 0, sizeof p);
	memset(&res, 0, sizeof res);
	res.headers = hdrs;
	res.max_headers = 16;
	snprintf(buf, sizeof buf, "%s\r\n", head);
	assert_int_equal(nk_http_parse_response(&p, buf, strlen(buf), &res, err),
	                 NK_OK);
	assert_true(res.head_len > 0);
	const char *pr;
	size_t pl;
	nk_err e = nk_ws_check_response(&h, &res, &pr, &pl, err);
	snprintf(proto, 32, "%.*s", (int)pl, pr ? pr : "");
	return e;
}

static void
test_response(void **state)
{
#define OK101 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\n" \
	"Connection: keep-alive, Upgrade\r\n"
#define ACC "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
	char proto[32], err[NK_ERR_MSG_LEN];
	(void)state;
	assert_int_equal(check(OK101 ACC, proto, err), NK_OK);
	assert_string_equal(proto, "");
	assert_int_equal(check(OK101 ACC "Sec-WebSocket-Protocol: superchat\r\n",
	                       proto, err), NK_OK);
	assert_string_equal(proto, "superchat");
	assert_int_equal(check(OK101 ACC "Sec-WebSocket-Protocol: Chat\r\n",
	                       proto, err), NK_ERR_WEIRD_SERVER_REPLY);
	assert_string_equal(err, "WebSocket handshake: Sec-WebSocket-Protocol "
	                    "is not one offered (\"Chat\")");
	assert_int_equal(check("HTTP/1.1 404 Not\x1b Found\r\n", proto, err),
	                 NK_ERR_HTTP_RETURNED_ERROR);
	assert_string_equal(err, "WebSocket handshake: server answered 404 "
	                    "Not\\x1b Found, not 101 Switching Protocols");
	assert_int_equal(check(OK101 "Sec-WebSocket-Accept: "
	                       "s3pPLMBiTxaQ9kYGzzhZRbK+xOp=\r\n", proto, err),
	                 NK_ERR_WEIRD_SERVER_REPLY);
	assert_string_equal(err, "WebSocket handshake: Sec-WebSocket-Accept does "
	                    "not match the key (\"s3pPLMBiTxaQ9kYGzzhZRbK+xOp=\")");
	assert_int_equal(check(OK101, proto, err), NK_ERR_WEIRD_SERVER_REPLY);
	assert_int_equal(check(OK101 ACC ACC, proto, err),
	                 NK_ERR_WEIRD_SERVER_REPLY);
	assert_int_equal(check("HTTP/1.1 101 X\r\nUpgrade: h2c\r\n"
	                       "Connection: upgrade\r\n" ACC, proto, err),
	                 NK_ERR_WEIRD_SERVER_REPLY);
	assert_int_equal(check("HTTP/1.1 101 X\r\nUpgrade: websocket\r\n" ACC,
	                       proto, err), NK_ERR_WEIRD_SERVER_REPLY);
	assert_int_equal(check(OK101 ACC "Sec-WebSocket-Extensions: "
	                       "permessage-deflate\r\n", proto, err),
	                 NK_ERR_WEIRD_SERVER_REPLY);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc_examples),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_every_split),
		cmocka_unit_test(test_violations),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_accept),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_response),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
