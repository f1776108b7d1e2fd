/* Unit tests of the request serializer: the exact bytes of each head, and
 * every refusal (CR, LF or another control byte in the method, a header
 * name or value, the target or Host) with its code and message. The API
 * takes C strings, so a NUL cannot be passed in at all. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nk/http.h"

#define NK_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define UA "User-Agent: nk/" NK_VERSION "\r\n"

struct row {
	const char *name;
	struct nk_http_request rq;
	const char *hdrs[8];     /* user headers, up to the first NULL */
	const char *want;        /* the exact head, or NULL when err */
	nk_err err;
	const char *msg;
};

static const struct row rows[] = {
	{ "minimal GET", { .target = "/", .host = "example.com" }, { NULL },
	  "GET / HTTP/1.1\r\nHost: example.com\r\n" UA "Accept: */*\r\n\r\n", NK_OK, NULL },
	{ "HEAD over HTTP/1.0", { .method = "HEAD", .target = "/x?y=1",
	  .host = "[::1]:8080", .http10 = 1 }, { NULL },
	  "HEAD /x?y=1 HTTP/1.0\r\nHost: [::1]:8080\r\n" UA "Accept: */*\r\n\r\n", NK_OK, NULL },
	{ "HTTP/1.0 without Host", { .target = "/", .http10 = 1 }, { NULL },
	  "GET / HTTP/1.0\r\n" UA "Accept: */*\r\n\r\n", NK_OK, NULL },
	{ "every default", { .method = "POST", .target = "/up", .host = "h",
	  .userpass = "user:pa:ss", .range = "0-99,200-", .referer = "http://r/",
	  .accept_encoding = "deflate, gzip", .has_body = 1, .body_len = 12 },
	  { "X-A: 1", NULL },
	  "POST /up HTTP/1.1\r\nHost: h\r\nAuthorization: Basic dXNlcjpwYTpzcw==\r\n"
	  "Range: bytes=0-99,200-\r\n" UA "Accept: */*\r\n"
	  "Accept-Encoding: deflate, gzip\r\nReferer: http://r/\r\nX-A: 1\r\n"
	  "Content-Length: 12\r\n\r\n", NK_OK, NULL },
	{ "resume", { .target = "/", .host = "h", .resume_from = 100 }, { NULL },
	  "GET / HTTP/1.1\r\nHost: h\r\nRange: bytes=100-\r\n" UA
	  "Accept: */*\r\n\r\n", NK_OK, NULL },
	{ "range wins over resume", { .target = "/", .host = "h", .range = "5-",
	  .resume_from = 100 }, { NULL },
	  "GET / HTTP/1.1\r\nHost: h\r\nRange: bytes=5-\r\n" UA
	  "Accept: */*\r\n\r\n", NK_OK, NULL },
	{ "user headers replace, remove, empty", { .target = "/", .host = "h" },
	  { "X-A: 1", "user-agent:  me/1.0 ", "Accept:", "X-Empty;",
	    "X-Gone:", "Host: other:81", "X-A:\ttwo\t", NULL },
	  "GET / HTTP/1.1\r\nHost: other:81\r\nX-A: 1\r\nuser-agent: me/1.0\r\n"
	  "X-Empty:\r\nX-A: two\r\n\r\n", NK_OK, NULL },
	{ "several Host headers: the first decides", { .target = "/",
	  .host = "h" }, { "Host: one", "X-A: 1", "host: two", "Host: three",
	  NULL }, "GET / HTTP/1.1\r\nHost: one\r\n" UA "Accept: */*\r\n"
	  "X-A: 1\r\n\r\n", NK_OK, NULL },
	{ "a removed Host, then one with a value: that one goes, first",
	  { .target = "/", .host = "h" }, { "X-A: 1", "Host:", "Host: x",
	  NULL }, "GET / HTTP/1.1\r\nHost: x\r\n" UA "Accept: */*\r\n"
	  "X-A: 1\r\n\r\n", NK_OK, NULL },
	{ "remove Host", { .target = "/", .host = "h", .http10 = 1 },
	  { "Host:", NULL }, "GET / HTTP/1.0\r\n" UA "Accept: */*\r\n\r\n", NK_OK, NULL },
	{ "user Host without a URL host", { .target = "*", .method = "OPTIONS" },
	  { "Host: x", NULL },
	  "OPTIONS * HTTP/1.1\r\nHost: x\r\n" UA "Accept: */*\r\n\r\n", NK_OK, NULL },
	{ "user Authorization and Content-Length win",
	  { .target = "/", .host = "h", .userpass = "a:b", .has_body = 1,
	    .body_len = 3 }, { "authorization: Bearer t", "Content-Length: 9",
	    NULL },
	  "GET / HTTP/1.1\r\nHost: h\r\n" UA "Accept: */*\r\n"
	  "authorization: Bearer t\r\nContent-Length: 9\r\n\r\n", NK_OK, NULL },
	{ "a whole Authorization value wins over userpass",
	  { .target = "/", .host = "h", .userpass = "a:b",
	    .authorization = "Digest username=\"a\", nc=00000001" }, { NULL },
	  "GET / HTTP/1.1\r\nHost: h\r\nAuthorization: Digest username=\"a\", "
	  "nc=00000001\r\n" UA "Accept: */*\r\n\r\n", NK_OK, NULL },
	{ "a user Authorization wins over a whole value",
	  { .target = "/", .host = "h", .authorization = "Bearer x" },
	  { "Authorization:", NULL },
	  "GET / HTTP/1.1\r\nHost: h\r\n" UA "Accept: */*\r\n\r\n", NK_OK,
	  NULL },
	{ "CR in an Authorization value",
	  { .target = "/", .host = "h", .authorization = "Bearer x\r\nY: 1" },
	  { NULL }, NULL, NK_ERR_FAILED_INIT,
	  "refused Authorization \"Bearer x\\r\\nY: 1\": control byte \\r at "
	  "offset 8" },
	{ "empty user agent drops it", { .target = "/", .host = "h",
	  .user_agent = "" }, { NULL },
	  "GET / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n", NK_OK, NULL },
	{ "tab and obs-text in a value", { .target = "/", .host = "h" },
	  { "X: a\tb \xc3\xa9", NULL },
	  "GET / HTTP/1.1\r\nHost: h\r\n" UA "Accept: */*\r\nX: a\tb \xc3\xa9\r\n"
	  "\r\n", NK_OK, NULL },
	{ "zero-length body", { .method = "PUT", .target = "/", .host = "h",
	  .has_body = 1 }, { NULL },
	  "PUT / HTTP/1.1\r\nHost: h\r\n" UA "Accept: */*\r\n"
	  "Content-Length: 0\r\n\r\n", NK_OK, NULL },

	/* refusals: methods */
	{ "CRLF in method", { .method = "GE\r\nT", .target = "/", .host = "h" },
	  { NULL }, NULL, NK_ERR_FAILED_INIT,
	  "refused method \"GE\\r\\nT\": \\r at offset 2 is not allowed in a "
	  "method" },
	{ "LF in method", { .method = "GET\n", .target = "/", .host = "h" },
	  { NULL }, NULL, NK_ERR_FAILED_INIT,
	  "refused method \"GET\\n\": \\n at offset 3 is not allowed in a method" },
	{ "space in method", { .method = "GET /", .target = "/", .host = "h" },
	  { NULL }, NULL, NK_ERR_FAILED_INIT,
	  "refused method \"GET /\": \\x20 at offset 3 is not allowed in a "
	  "method" },
	{ "empty method", { .method = "", .target = "/", .host = "h" },
	  { NULL }, NULL, NK_ERR_FAILED_INIT, "refused method \"\": empty" },
	{ "control byte in method", { .method = "G\x01T", .target = "/",
	  .host = "h" }, { NULL }, NULL, NK_ERR_FAILED_INIT,
	  "refused method \"G\\x01T\": \\x01 at offset 1 is not allowed in a "
	  "method" },

	/* refusals: header names */
	{ "CR in header name", { .target = "/", .host = "h" },
	  { "X\r\nEvil: 1", NULL }, NULL, NK_ERR_FAILED_INIT,
	  "refused header \"X\\r\\nEvil: 1\": \\r at offset 1 is not allowed in a "
	  "header name" },
	{ "LF in header name", { .target = "/", .host = "h" },
	  { "X\nY: 1", NULL }, NULL, NK_ERR_FAILED_INIT,
	  "refused header \"X\\nY: 1\": \\n at offset 1 is not allowed in a "
	  "header name" },
	{ "space before colon", { .target = "/", .host = "h" },
	  { "X : 1", NULL }, NULL, NK_ERR_FAILED_INIT,
	  "refused header \"X : 1\": \\x20 at offset 1 is not allowed in a "
	  "header name" },
	{ "empty header name", { .target = "/", .host = "h" },
	  { ": v", NULL }, NULL, NK_ERR_FAILED_INIT,
	  "refused header \": v\": empty name" },
	{ "no colon", { .target = "/", .host = "h" },
	  { "Just text", NULL }, NULL, NK_ERR_FAILED_INIT,
	  "refused header \"Just text\": no colon" },
	{ "semicolon with text after", { .target = "/", .host = "h" },
	  { "X;y", NULL }, NULL, NK_ERR_FAILED_INIT,
	  "refused header \"X;y\": no colon" },

	/* refusals: header values */
	{ "CRLF in header value", { .target = "/", .host = "h" },
	  { "X: a\r\nEvil: 1", NULL }, NULL, NK_ERR_FAILED_INIT,
	  "refused header \"X\": control byte \\r in its value \" a\\r\\nEvil: 1\"" },
	{ "LF in header value", { .target = "/", .host = "h" },
	  { "X: a\nb", NULL }, NULL, NK_ERR_FAILED_INIT,
	  "refused header \"X\": control byte \\n in its value \" a\\nb\"" },
	{ "trailing CR in header value", { .target = "/", .host = "h" },
	  { "X: a\r", NULL }, NULL, NK_ERR_FAILED_INIT,
	  "refused header \"X\": control byte \\r in its value \" a\\r\"" },
	{ "CR in an otherwise empty value", { .target = "/", .host = "h" },
	  { "User-Agent:\r", NULL }, NULL, NK_ERR_FAILED_INIT,
	  "refused header \"User-Agent\": control byte \\r in its value \"\\r\"" },
	{ "escape byte in header value", { .target = "/", .host = "h" },
	  { "X: \x1b[2J", NULL }, NULL, NK_ERR_FAILED_INIT,
	  "refused header \"X\": control byte \\x1b in its value \" \\x1b[2J\"" },
	{ "DEL in header value", { .target = "/", .host = "h" },
	  { "X: a\x7f", NULL }, NULL, NK_ERR_FAILED_INIT,
	  "refused header \"X\": control byte \\x7f in its value \" a\\x7f\"" },
	{ "LF in user agent", { .target = "/", .host = "h",
	  .user_agent = "nk\nX: y" }, { NULL }, NULL, NK_ERR_FAILED_INIT,
	  "refused User-Agent \"nk\\nX: y\": control byte \\n at offset 2" },
	{ "CR in referer", { .target = "/", .host = "h", .referer = "http://a/\r" },
	  { NULL }, NULL, NK_ERR_FAILED_INIT,
	  "refused Referer \"http://a/\\r\": control byte \\r at offset 9" },
	{ "LF in range", { .target = "/", .host = "h", .range = "1-\n" },
	  { NULL }, NULL, NK_ERR_FAILED_INIT,
	  "refused Range \"1-\\n\": control byte \\n at offset 2" },
	{ "CR in accept-encoding", { .target = "/", .host = "h",
	  .accept_encoding = "gzip\r" }, { NULL }, NULL, NK_ERR_FAILED_INIT,
	  "refused Accept-Encoding \"gzip\\r\": control byte \\r at offset 4" },

	/* refusals: target and Host (from the URL) */
	{ "space in target", { .target = "/a b", .host = "h" }, { NULL }, NULL,
	  NK_ERR_URL_MALFORMAT,
	  "refused request target \"/a b\": space at offset 2" },
	{ "CRLF in target", { .target = "/a\r\nX: y", .host = "h" }, { NULL },
	  NULL, NK_ERR_URL_MALFORMAT,
	  "refused request target \"/a\\r\\nX: y\": \\r at offset 2" },
	{ "LF in target", { .target = "/\n", .host = "h" }, { NULL }, NULL,
	  NK_ERR_URL_MALFORMAT, "refused request target \"/\\n\": \\n at offset 1" },
	{ "tab in target", { .target = "/\t", .host = "h" }, { NULL }, NULL,
	  NK_ERR_URL_MALFORMAT, "refused request target \"/\\t\": \\t at offset 1" },
	{ "empty target", { .target = "", .host = "h" }, { NULL }, NULL,
	  NK_ERR_URL_MALFORMAT, "refused request target: empty" },
	{ "CRLF in Host", { .target = "/", .host = "h\r\nX: y" }, { NULL }, NULL,
	  NK_ERR_URL_MALFORMAT, "refused Host \"h\\r\\nX: y\": \\r at offset 1" },
	{ "no target", { .host = "h" }, { NULL }, NULL,
	  NK_ERR_BAD_FUNCTION_ARGUMENT, "HTTP request without a target" },
	{ "HTTP/1.1 without Host", { .target = "/" }, { NULL }, NULL,
	  NK_ERR_BAD_FUNCTION_ARGUMENT, "HTTP/1.1 request without a Host" },
	{ "negative body length", { .target = "/", .host = "h", .has_body = 1,
	  .body_len = -1 }, { NULL }, NULL, NK_ERR_BAD_FUNCTION_ARGUMENT,
	  "negative request body length" },
};

static void
test_row(void **state)
{
	const struct row *r = *state;
	struct nk_http_request rq = r->rq;
	char msg[NK_ERR_MSG_LEN] = "";
	char *out = (char *)1;
	size_t len = 99, n = 0;

	while (n < NK_ARRAY_LEN(r->hdrs) && r->hdrs[n])
		n++;
	rq.headers = r->hdrs;
	rq.nheaders = n;
	nk_err e = nk_http_request_build(&rq, &out, &len, msg);
	if (e != r->err)
		print_error("got %d \"%s\"\n", e, msg);
	assert_int_equal(e, r->err);
	if (r->err) {
		assert_null(out);
		assert_string_equal(msg, r->msg);
		return;
	}
	assert_string_equal(msg, "");
	assert_non_null(out);
	assert_string_equal(out, r->want);
	assert_int_equal(len, strlen(r->want));
	free(out);
}

/* The head is capped at NK_HTTP_MAX_REQUEST; just under it is fine. */
static void
test_cap(void **state)
{
	(void)state;
	char msg[NK_ERR_MSG_LEN];
	const char *base = "GET / HTTP/1.1\r\nHost: h\r\n" UA "Accept: */*\r\n"
	                   "X: \r\n\r\n";
	size_t room = NK_HTTP_MAX_REQUEST - strlen(base);
	char *h = malloc(room + 8);
	assert_non_null(h);
	memcpy(h, "X: ", 3);
	memset(h + 3, 'v', room);
	h[3 + room] = '\0';
	const char *hdrs[] = { h };
	struct nk_http_request rq = { .target = "/", .host = "h",
	                              .headers = hdrs, .nheaders = 1 };
	char *out;
	size_t len;
	assert_int_equal(nk_http_request_build(&rq, &out, &len, msg), NK_OK);
	assert_int_equal(len, NK_HTTP_MAX_REQUEST);
	free(out);
	h[3 + room] = 'v';
	h[4 + room] = '\0';
	assert_int_equal(nk_http_request_build(&rq, &out, &len, msg),
	                 NK_ERR_FAILED_INIT);
	assert_null(out);
	assert_string_equal(msg, "request head longer than 1048576 bytes");
	free(h);
}

static void
test_token(void **state)
{
	(void)state;
	assert_true(nk_http_is_token("GET", 3));
	assert_true(nk_http_is_token("!#$%&'*+-.^_`|~09azAZ", 21));
	assert_false(nk_http_is_token("", 0));
	assert_false(nk_http_is_token(NULL, 0));
	const char bad[] = "\"(),/:;<=>?@[\\]{} \t\r\n\x7f\x80\xff";
	for (size_t i = 0; i < sizeof(bad) - 1; i++)
		assert_false(nk_http_is_token(bad + i, 1));
	assert_false(nk_http_is_token("a\0b", 3));
}

int
main(void)
{
	size_t n = NK_ARRAY_LEN(rows);
	struct CMUnitTest *t = calloc(n + 2, sizeof(*t));
	if (!t)
		return 1;
	for (size_t i = 0; i < n; i++) {
		t[i].name = rows[i].name;
		t[i].test_func = test_row;
		t[i].initial_state = (void *)&rows[i];
	}
	t[n].name = "request head cap";
	t[n].test_func = test_cap;
	t[n + 1].name = "token characters";
	t[n + 1].test_func = test_token;
	int rc = _cmocka_run_group_tests("http_req", t, n + 2, NULL, NULL);
	free(t);
	return rc;
}
