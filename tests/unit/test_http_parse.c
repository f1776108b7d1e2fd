/* Unit tests of the response parser and the body framer together: each row
 * is the exact bytes a server sends and what must come out (status,
 * headers, body bytes, completion, reuse, leftover bytes, error and its
 * message). Every row runs whole, byte by byte, and split in two at every
 * point; all runs must agree. Inputs end right before a PROT_NONE page, so
 * a read past the given length faults. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "nk/http.h"

#define NK_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the guard page ------------------------------------------------ */

static char *guard_base;
static size_t guard_room;

/* Copies n bytes so that they end exactly at the PROT_NONE page. */
static char *
guard_copy(const char *src, size_t n)
{
	assert_true(n <= guard_room);
	char *p = guard_base + guard_room - n;
	memmove(p, src, n);
	return p;
}

static int
guard_setup(void **state)
{
	(void)state;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	guard_room = 4u << 20;
	char *m = mmap(NULL, guard_room + page, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	if (mprotect(m + guard_room, page, PROT_NONE) != 0)
		return -1;
	guard_base = m;
	return 0;
}

/* ---- rows ---------------------------------------------------------- */

struct row {
	const char *name;
	const char *in;
	size_t in_len;
	const char *method;
	size_t max_line, max_head, max_headers;
	nk_err err;              /* the final result */
	const char *msg;         /* exact message when err, NULL: unchecked */
	int status;
	int minor;
	const char *reason;      /* NULL: unchecked */
	const char *hdrs;        /* "Name: value\n" per field; NULL: unchecked */
	const char *body;        /* NULL: unchecked */
	size_t body_len;
	int done;                /* the body completed before EOF */
	int keep;                /* keep_alive */
	int mode;
	const char *rest;        /* bytes left for the next response */
	size_t rest_len;
	const char *interim;     /* "100,103," */
	int folded;
	int te_and_cl;
	int64_t length;
};

#define IN(s)   .in = (s), .in_len = sizeof(s) - 1
#define BODY(s) .body = (s), .body_len = sizeof(s) - 1
#define REST(s) .rest = (s), .rest_len = sizeof(s) - 1
#define NONE    NK_HTTP_BODY_NONE
#define LENGTH  NK_HTTP_BODY_LENGTH
#define CHUNKED NK_HTTP_BODY_CHUNKED
#define CLOSE   NK_HTTP_BODY_CLOSE
#define TUNNEL  NK_HTTP_BODY_TUNNEL
#define WEIRD   NK_ERR_WEIRD_SERVER_REPLY
#define RECV    NK_ERR_RECV_ERROR

static const struct row rows[] = {
	/* status lines */
	{ "200 with length", IN("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"),
	  .status = 200, .minor = 1, .reason = "OK", .hdrs = "Content-Length: 5\n",
	  BODY("hello"), .done = 1, .keep = 1, .mode = LENGTH, .length = 5 },
	{ "HTTP/1.0 closes", IN("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi"),
	  .status = 200, .minor = 0, BODY("hi"), .done = 1, .keep = 0,
	  .mode = LENGTH, .length = 2 },
	{ "HTTP/1.0 keep-alive", IN("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n"
	  "Content-Length: 2\r\n\r\nhi"), .status = 200, .minor = 0, BODY("hi"),
	  .done = 1, .keep = 1, .mode = LENGTH, .length = 2 },
	{ "HTTP/1.1 Connection close", IN("HTTP/1.1 200 OK\r\nConnection: "
	  "keep-alive, Close\r\nContent-Length: 0\r\n\r\n"), .status = 200,
	  .minor = 1, BODY(""), .done = 1, .keep = 0, .mode = LENGTH, .length = 0 },
	{ "no reason phrase", IN("HTTP/1.1 204\r\n\r\n"), .status = 204,
	  .minor = 1, .reason = "", .hdrs = "", BODY(""), .done = 1, .keep = 1,
	  .mode = NONE, .length = -1 },
	{ "empty reason phrase", IN("HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n"),
	  .status = 404, .minor = 1, .reason = "", BODY(""), .done = 1, .keep = 1,
	  .mode = LENGTH },
	{ "reason with obs-text and tab", IN("HTTP/1.1 404 Nicht gef\xc3\xbcnden\t!"
	  "  \r\nContent-Length: 0\r\n\r\n"), .status = 404, .minor = 1,
	  .reason = "Nicht gef\xc3\xbcnden\t!  ", BODY(""), .done = 1, .keep = 1,
	  .mode = LENGTH },
	{ "HTTP/1.2 is 1.x", IN("HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n"),
	  .status = 200, .minor = 2, .done = 1, .keep = 1, .mode = LENGTH },
	{ "999 status", IN("HTTP/1.1 999 Odd\r\nContent-Length: 1\r\n\r\nx"),
	  .status = 999, .minor = 1, BODY("x"), .done = 1, .keep = 1,
	  .mode = LENGTH, .length = 1 },
	{ "not HTTP at all", IN("SSH-2.0-OpenSSH_9.2\r\n"), .err = WEIRD,
	  .msg = "reply is not HTTP/1.x: it starts \"S\"" },
	{ "lower-case http", IN("http/1.1 200 OK\r\n\r\n"), .err = WEIRD,
	  .msg = "reply is not HTTP/1.x: it starts \"h\"" },
	{ "HTTP/2 status line", IN("HTTP/2 200\r\n\r\n"), .err = WEIRD,
	  .msg = "reply is not HTTP/1.x: it starts \"HTTP/2\"" },
	{ "HTTP/1.x", IN("HTTP/1.x 200 OK\r\n\r\n"), .err = WEIRD,
	  .msg = "reply is not HTTP/1.x: it starts \"HTTP/1.x\"" },
	{ "two-digit status", IN("HTTP/1.1 20 OK\r\n\r\n"), .err = WEIRD,
	  .msg = "malformed status line \"HTTP/1.1 20 OK\"" },
	{ "four-digit status", IN("HTTP/1.1 2000 OK\r\n\r\n"), .err = WEIRD,
	  .msg = "malformed status line \"HTTP/1.1 2000 OK\"" },
	{ "status 099", IN("HTTP/1.1 099 x\r\n\r\n"), .err = WEIRD },
	{ "two spaces", IN("HTTP/1.1  200 OK\r\n\r\n"), .err = WEIRD },
	{ "no space after code", IN("HTTP/1.1 200OK\r\n\r\n"), .err = WEIRD },
	{ "status line only, cut", IN("HTTP/1.1 200"), .err = WEIRD,
	  .msg = "connection closed after 12 bytes, in the response head" },
	{ "NUL in reason", IN("HTTP/1.1 200 O\0K\r\n\r\n"), .err = WEIRD,
	  .msg = "malformed status line \"HTTP/1.1 200 O\\0K\"" },
	{ "bad status line fails before the head ends",
	  IN("HTTP/1.1 abc\r\nX: y\r\n"), .err = WEIRD,
	  .msg = "malformed status line \"HTTP/1.1 abc\"" },
	{ "empty reply", .in = "", .in_len = 0, .err = NK_ERR_GOT_NOTHING,
	  .msg = "empty reply from server" },
	{ "head cut short", IN("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"),
	  .err = WEIRD,
	  .msg = "connection closed after 36 bytes, in the response head" },

	/* line ends, folding, header syntax */
	{ "LF only", IN("HTTP/1.1 200 OK\nA: b\nContent-Length: 3\n\nabcHTTP"),
	  .status = 200, .minor = 1, .reason = "OK",
	  .hdrs = "A: b\nContent-Length: 3\n", BODY("abc"), .done = 1, .keep = 1,
	  .mode = LENGTH, .length = 3, REST("HTTP") },
	{ "mixed line ends", IN("HTTP/1.1 200 OK\r\nA: b\nC:d\r\n\nxyz"),
	  .status = 200, .hdrs = "A: b\nC: d\n", BODY("xyz"), .done = 0,
	  .keep = 0, .mode = CLOSE },
	{ "OWS trimmed", IN("HTTP/1.1 200 OK\r\nA: \t b c \t\r\nB:\r\nC:   \r\n"
	  "Content-Length: 0\r\n\r\n"), .status = 200,
	  .hdrs = "A: b c\nB: \nC: \nContent-Length: 0\n", .done = 1, .keep = 1,
	  .mode = LENGTH },
	{ "obs-fold", IN("HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\tc\r\nY: z\r\n"
	  "Content-Length: 0\r\n\r\n"), .status = 200,
	  .hdrs = "X: a   b  \tc\nY: z\nContent-Length: 0\n", .folded = 1,
	  .done = 1, .keep = 1, .mode = LENGTH },
	{ "obs-fold of an empty value, LF only", IN("HTTP/1.1 200 OK\nX:\n  v \n"
	  "Content-Length: 0\n\n"), .status = 200,
	  .hdrs = "X: v\nContent-Length: 0\n", .folded = 1, .done = 1, .keep = 1,
	  .mode = LENGTH },
	{ "fold before the first header", IN("HTTP/1.1 200 OK\r\n X: y\r\n\r\n"),
	  .err = WEIRD,
	  .msg = "whitespace before the first response header \" X: y\"" },
	{ "space before colon", IN("HTTP/1.1 200 OK\r\nX : y\r\n\r\n"),
	  .err = WEIRD, .msg = "whitespace before the colon in response header "
	  "line 2 \"X : y\"" },
	{ "name not a token", IN("HTTP/1.1 200 OK\r\nA: b\r\nX@Y: z\r\n\r\n"),
	  .err = WEIRD, .msg = "byte @ in the name of response header line 3 "
	  "\"X@Y: z\"" },
	{ "no colon", IN("HTTP/1.1 200 OK\r\nJunk\r\n\r\n"), .err = WEIRD,
	  .msg = "no colon in response header line 2 \"Junk\"" },
	{ "empty name", IN("HTTP/1.1 200 OK\r\n: x\r\n\r\n"), .err = WEIRD,
	  .msg = "empty name in response header line 2 \": x\"" },
	{ "NUL in value", IN("HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n"), .err = WEIRD,
	  .msg = "NUL in response header line 2 \"X: a\\0b\"" },
	{ "NUL in name", IN("HTTP/1.1 200 OK\r\nX\0: ab\r\n\r\n"), .err = WEIRD,
	  .msg = "NUL in response header line 2 \"X\\0: ab\"" },
	{ "bare CR", IN("HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n"), .err = WEIRD,
	  .msg = "bare CR in response header line 2 \"X: a\\rb\"" },
	{ "too many headers", IN("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"),
	  .max_headers = 2, .err = RECV, .msg = "more than 2 response header "
	  "fields" },
	{ "exactly max headers", IN("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n"),
	  .max_headers = 2, .status = 200, .hdrs = "A: 1\nB: 2\n", .mode = CLOSE },

	/* limits: max_line 32 (content bytes, without CRLF), max_head 64 */
	{ "line of exactly max_line", IN("HTTP/1.1 200 OK\r\n"
	  "X: 45678901234567890123456789012\r\n\r\n"), .max_line = 32,
	  .status = 200, .hdrs = "X: 45678901234567890123456789012\n",
	  .mode = CLOSE },
	{ "line of exactly max_line, LF", IN("HTTP/1.1 200 OK\n"
	  "X: 45678901234567890123456789012\n\n"), .max_line = 32,
	  .status = 200, .mode = CLOSE },
	{ "line one over max_line", IN("HTTP/1.1 200 OK\r\n"
	  "X: 456789012345678901234567890123\r\n\r\n"), .max_line = 32,
	  .err = RECV, .msg = "response header line longer than 32 bytes" },
	{ "line one over max_line, LF", IN("HTTP/1.1 200 OK\n"
	  "X: 456789012345678901234567890123\n\n"), .max_line = 32,
	  .err = RECV, .msg = "response header line longer than 32 bytes" },
	{ "line over max_line, CR then more", IN("HTTP/1.1 200 OK\n"
	  "X: 45678901234567890123456789012\rx\n\n"), .max_line = 32,
	  .err = RECV, .msg = "response header line longer than 32 bytes" },
	{ "long line fails before its end", IN("HTTP/1.1 200 OK\n"
	  "X: 4567890123456789012345678901234567890"), .max_line = 32,
	  .err = RECV, .msg = "response header line longer than 32 bytes" },
	{ "status line over max_line", IN("HTTP/1.1 200 OK 12345678901234567\r\n"
	  "\r\n"), .max_line = 32, .err = RECV,
	  .msg = "response header line longer than 32 bytes" },
	{ "head of exactly max_head", IN("HTTP/1.1 200 OK\r\n"
	  "X: 4567890123456789012345678901\r\nY: 6789012\r\n\r\n"), .max_head = 64,
	  .status = 200, .mode = CLOSE },
	{ "head of max_head + 1", IN("HTTP/1.1 200 OK\r\n"
	  "X: 4567890123456789012345678901\r\nY: 67890123\r\n\r\n"), .max_head = 64,
	  .err = RECV, .msg = "response head longer than 64 bytes" },
	{ "head over max_head fails early", IN("HTTP/1.1 200 OK\r\n"
	  "X: 4567890123456789012345678901\r\nY: 678901234567890"),
	  .max_head = 64, .err = RECV,
	  .msg = "response head longer than 64 bytes" },

	/* Content-Length */
	{ "leading zeros", IN("HTTP/1.1 200 OK\r\nContent-Length: 007\r\n\r\n"
	  "1234567"), .status = 200, BODY("1234567"), .done = 1, .keep = 1,
	  .mode = LENGTH, .length = 7 },
	{ "duplicate equal fields", IN("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
	  "Content-Length: 3\r\n\r\nabcdef"), .status = 200, BODY("abc"),
	  .done = 1, .keep = 1, .mode = LENGTH, .length = 3, REST("def") },
	{ "equal comma list", IN("HTTP/1.1 200 OK\r\nContent-Length: 3, 3,3\r\n"
	  "\r\nabc"), BODY("abc"), .status = 200, .done = 1, .keep = 1,
	  .mode = LENGTH, .length = 3 },
	{ "list with empty elements", IN("HTTP/1.1 200 OK\r\nContent-Length: ,3,,"
	  "\r\n\r\nabc"), BODY("abc"), .status = 200, .done = 1, .keep = 1,
	  .mode = LENGTH, .length = 3 },
	{ "conflicting fields", IN("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
	  "Content-Length: 4\r\n\r\nabcd"), .err = WEIRD,
	  .msg = "conflicting Content-Length values 3 and 4" },
	{ "conflicting list", IN("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n"),
	  .err = WEIRD, .msg = "conflicting Content-Length values 5 and 6" },
	{ "plus sign", IN("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n"),
	  .err = WEIRD, .msg = "invalid Content-Length \"+5\"" },
	{ "minus sign", IN("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"),
	  .err = WEIRD, .msg = "invalid Content-Length \"-1\"" },
	{ "inner space", IN("HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n"),
	  .err = WEIRD, .msg = "invalid Content-Length \"1 2\"" },
	{ "empty value", IN("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n"),
	  .err = WEIRD, .msg = "invalid Content-Length \"\"" },
	{ "only commas", IN("HTTP/1.1 200 OK\r\nContent-Length: , ,\r\n\r\n"),
	  .err = WEIRD, .msg = "invalid Content-Length \", ,\"" },
	{ "hex length", IN("HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n"),
	  .err = WEIRD, .msg = "invalid Content-Length \"0x10\"" },
	{ "int64 overflow", IN("HTTP/1.1 200 OK\r\nContent-Length: "
	  "9223372036854775808\r\n\r\n"), .err = WEIRD,
	  .msg = "invalid Content-Length \"9223372036854775808\"" },
	{ "INT64_MAX, cut short", IN("HTTP/1.1 200 OK\r\nContent-Length: "
	  "9223372036854775807\r\n\r\nab"), .err = NK_ERR_PARTIAL_FILE,
	  .msg = "transfer closed with 9223372036854775805 bytes remaining to read" },
	{ "body cut short", IN("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"
	  "hello"), .err = NK_ERR_PARTIAL_FILE,
	  .msg = "transfer closed with 5 bytes remaining to read" },
	{ "pipelined next response", IN("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
	  "\r\nokHTTP/1.1 404 No\r\n\r\n"), .status = 200, BODY("ok"), .done = 1,
	  .keep = 1, .mode = LENGTH, .length = 2,
	  REST("HTTP/1.1 404 No\r\n\r\n") },

	/* close-delimited */
	{ "close-delimited", IN("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	  "\r\nall of it\r\n0\r\n\r\n"), .status = 200,
	  BODY("all of it\r\n0\r\n\r\n"), .done = 0, .keep = 0, .mode = CLOSE },
	{ "close-delimited empty", IN("HTTP/1.1 200 OK\r\n\r\n"), .status = 200,
	  BODY(""), .done = 0, .keep = 0, .mode = CLOSE },

	/* no body */
	{ "HEAD with length", .method = "HEAD", IN("HTTP/1.1 200 OK\r\n"
	  "Content-Length: 10\r\n\r\nHTTP/1.1 200"), .status = 200, BODY(""),
	  .done = 1, .keep = 1, .mode = NONE, .length = -1,
	  REST("HTTP/1.1 200") },
	{ "HEAD with bad length", .method = "HEAD", IN("HTTP/1.1 200 OK\r\n"
	  "Content-Length: x\r\n\r\n"), .status = 200, .done = 1, .keep = 1,
	  .mode = NONE, .length = -1 },
	{ "204 ignores body bytes", IN("HTTP/1.1 204 No Content\r\n"
	  "Content-Length: 3\r\n\r\nabc"), .status = 204, BODY(""), .done = 1,
	  .keep = 1, .mode = NONE, .length = -1, REST("abc") },
	{ "304", IN("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n"
	  "\r\n"), .status = 304, BODY(""), .done = 1, .keep = 1, .mode = NONE,
	  .length = -1 },
	{ "100 then 200", IN("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"
	  "Content-Length: 2\r\n\r\nok"), .status = 200, .interim = "100,",
	  BODY("ok"), .done = 1, .keep = 1, .mode = LENGTH, .length = 2 },
	{ "100, 103 then 204", IN("HTTP/1.1 100 Continue\r\n\r\n"
	  "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
	  "HTTP/1.1 204 No Content\r\n\r\n"), .status = 204, .hdrs = "",
	  .interim = "100,103,", BODY(""), .done = 1, .keep = 1, .mode = NONE },
	{ "100 then EOF", IN("HTTP/1.1 100 Continue\r\n\r\n"),
	  .interim = "100,", .err = NK_ERR_GOT_NOTHING },
	{ "101 switches protocols", IN("HTTP/1.1 101 Switching Protocols\r\n"
	  "Upgrade: websocket\r\n\r\n\x81\x05hello"), .status = 101, .done = 1,
	  .keep = 0, .mode = TUNNEL, .length = -1, REST("\x81\x05hello") },
	{ "CONNECT 200 is a tunnel", .method = "CONNECT",
	  IN("HTTP/1.1 200 Connection established\r\n\r\nSSH-2.0"),
	  .status = 200, .done = 1, .keep = 0, .mode = TUNNEL, REST("SSH-2.0") },
	{ "CONNECT 407 has a body", .method = "CONNECT",
	  IN("HTTP/1.1 407 Auth\r\nContent-Length: 1\r\n\r\nx"), .status = 407,
	  BODY("x"), .done = 1, .keep = 1, .mode = LENGTH, .length = 1 },

	/* chunked */
	{ "chunked", IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"), .status = 200,
	  BODY("hello world"), .done = 1, .keep = 1, .mode = CHUNKED,
	  .length = -1 },
	{ "chunked hex case", IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked"
	  "\r\n\r\nA\r\n0123456789\r\na\r\nabcdefghij\r\n00\r\n\r\n"),
	  .status = 200, BODY("0123456789abcdefghij"), .done = 1, .keep = 1,
	  .mode = CHUNKED, .length = -1 },
	{ "chunked leading zeros", IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	  "chunked\r\n\r\n0000000000000000000003\r\nabc\r\n0\r\n\r\n"),
	  .status = 200, BODY("abc"), .done = 1, .keep = 1, .mode = CHUNKED },
	{ "chunk extensions", IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
	  "\r\n\r\n3;name=value;x\r\nabc\r\n2 ; q=\"a;b\"\r\nde\r\n0;last\r\n\r\n"),
	  .status = 200, BODY("abcde"), .done = 1, .keep = 1, .mode = CHUNKED },
	{ "trailers", IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "2\r\nab\r\n0\r\nX-Sum: 12\r\nY:\r\n  folded\r\n\r\nNEXT"),
	  .status = 200, BODY("ab"), .done = 1, .keep = 1, .mode = CHUNKED,
	  REST("NEXT") },
	{ "LF-only chunked", IN("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n"
	  "2\nab\n1;x\nc\n0\nT: 1\n\nrest"), .status = 200, BODY("abc"),
	  .done = 1, .keep = 1, .mode = CHUNKED, REST("rest") },
	{ "chunked pipelined", IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
	  "\r\n\r\n1\r\na\r\n0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n"
	  "\r\nb"), .status = 200, BODY("a"), .done = 1, .keep = 1,
	  .mode = CHUNKED, REST("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb") },
	{ "chunk size overflow", IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	  "chunked\r\n\r\n8000000000000000\r\n"), .err = WEIRD,
	  .msg = "chunk size overflows 63 bits" },
	{ "chunk size INT64_MAX, cut", IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	  "chunked\r\n\r\n7fffffffffffffff\r\nabc"), .err = NK_ERR_PARTIAL_FILE,
	  .msg = "transfer closed before the end of the chunked body",
	  BODY("abc") },
	{ "chunk data without CRLF", IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	  "chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n"), .err = WEIRD,
	  .msg = "chunk data not followed by CRLF", BODY("abc") },
	{ "chunk data, CR without LF", IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	  "chunked\r\n\r\n3\r\nabc\rx"), .err = WEIRD,
	  .msg = "chunk data not followed by CRLF" },
	{ "bad chunk size", IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	  "\r\ng\r\n"), .err = WEIRD, .msg = "unexpected byte g in a chunk size" },
	{ "empty chunk size", IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
	  "\r\n\r\n\r\nabc"), .err = WEIRD,
	  .msg = "unexpected byte \\r in a chunk size" },
	{ "junk after chunk size", IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	  "chunked\r\n\r\n3x\r\nabc"), .err = WEIRD,
	  .msg = "unexpected byte x in a chunk size line" },
	{ "CR without LF in size line", IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	  "chunked\r\n\r\n3\rabc"), .err = WEIRD,
	  .msg = "unexpected byte a in a chunk size line" },
	{ "bad trailer name", IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
	  "\r\n\r\n0\r\nX Y: z\r\n\r\n"), .err = WEIRD,
	  .msg = "unexpected byte \\x20 in a trailer field name" },
	{ "NUL in trailer", IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
	  "\r\n\r\n0\r\nX: a\0\r\n\r\n"), .err = WEIRD,
	  .msg = "unexpected byte \\0 in a trailer field value" },
	{ "chunk line at max_line", IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	  "chunked\r\n\r\n1;345678901234567890123456789012\r\nx\r\n0\r\n\r\n"),
	  .max_line = 32, .status = 200, BODY("x"), .done = 1, .keep = 1,
	  .mode = CHUNKED },
	{ "chunk line over max_line", IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	  "chunked\r\n\r\n1;3456789012345678901234567890123\r\nx\r\n0\r\n\r\n"),
	  .max_line = 32, .err = RECV,
	  .msg = "chunk size line longer than 32 bytes" },
	{ "trailer line over max_line", IN("HTTP/1.1 200 OK\r\nTransfer-Encoding:"
	  " chunked\r\n\r\n0\r\nX: 456789012345678901234567890123\r\n\r\n"),
	  .max_line = 32, .err = RECV, .msg = "trailer line longer than 32 bytes" },
	{ "chunked then EOF in trailers", IN("HTTP/1.1 200 OK\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nX: 1\r\n"),
	  BODY("a"), .err = NK_ERR_PARTIAL_FILE },

	/* Transfer-Encoding rules */
	{ "TE and CL: TE wins, no reuse", IN("HTTP/1.1 200 OK\r\n"
	  "Content-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "1\r\nz\r\n0\r\n\r\n"), .status = 200, BODY("z"), .done = 1, .keep = 0,
	  .mode = CHUNKED, .te_and_cl = 1 },
	{ "TE and bad CL", IN("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), .status = 200, BODY(""),
	  .done = 1, .keep = 0, .mode = CHUNKED, .te_and_cl = 1 },
	{ "gzip, chunked", IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n2\r\n\x1f\x8b\r\n0\r\n\r\n"),
	  .status = 200, BODY("\x1f\x8b"), .done = 1, .keep = 1, .mode = CHUNKED },
	{ "TE not ending in chunked", IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	  "gzip\r\nContent-Length: 2\r\n\r\nabc"), .status = 200, BODY("abc"),
	  .done = 0, .keep = 0, .mode = CLOSE, .te_and_cl = 1 },
	{ "chunked twice", IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, "
	  "chunked\r\n\r\n"), .err = WEIRD,
	  .msg = "chunked is not the last transfer coding" },
	{ "unknown transfer coding", IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: br,"
	  " chunked\r\n\r\n"), .err = NK_ERR_BAD_CONTENT_ENCODING,
	  .msg = "unsupported transfer coding \"br\"" },
	{ "chunked in HTTP/1.0", IN("HTTP/1.0 200 OK\r\nTransfer-Encoding: "
	  "chunked\r\nConnection: keep-alive\r\n\r\n1\r\nq\r\n0\r\n\r\n"),
	  .status = 200, .minor = 0, BODY("q"), .done = 1, .keep = 0,
	  .mode = CHUNKED },
};

/* ---- running a row ------------------------------------------------- */

struct result {
	nk_err err;
	char msg[NK_ERR_MSG_LEN];
	char interim[64];
	int status, minor, folded;
	char reason[256];
	char hdrs[4096];
	int mode, keep, te_and_cl;
	int64_t length;
	char body[8192];
	size_t body_len;
	int done;              /* before EOF */
	size_t rest_off;
	uint64_t received;
};

static void
add_str(char *dst, size_t cap, const char *s, size_t n)
{
	size_t l = strlen(dst);
	assert_true(l + n < cap);
	memcpy(dst + l, s, n);
	dst[l + n] = '\0';
}

/* Delivers row->in in pieces ending at cuts[0..ncuts) (the last is
 * in_len), driving the parser and body framer like a tool's read loop. */
static void
run(const struct row *r, const size_t *cuts, size_t ncuts, struct result *out)
{
	struct nk_http_header hdrs[16];
	struct nk_http_parser p;
	struct nk_http_response res;
	struct nk_http_body b;
	size_t base = 0, consumed = 0;
	int in_body = 0;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	p.max_line = r->max_line;
	p.max_head = r->max_head;
	for (size_t c = 0; c < ncuts; c++) {
		size_t received = cuts[c];
		for (;;) {
			if (!in_body) {
				char *g = guard_copy(r->in + base, received - base);
				memset(&res, 0, sizeof(res));
				res.headers = hdrs;
				res.max_headers = r->max_headers ? r->max_headers
				                                 : NK_ARRAY_LEN(hdrs);
				out->err = nk_http_parse_response(&p, g, received - base,
				                                  &res, out->msg);
				if (out->err)
					return;
				if (res.head_len == 0)
					break;
				if (nk_http_is_interim(&res)) {
					char s[8];
					snprintf(s, sizeof(s), "%d,", res.status);
					add_str(out->interim, sizeof(out->interim), s,
					        strlen(s));
					base += res.head_len;
					memset(&p, 0, sizeof(p));
					p.max_line = r->max_line;
					p.max_head = r->max_head;
					continue;
				}
				out->status = res.status;
				out->minor = res.minor_version;
				out->folded = res.folded;
				add_str(out->reason, sizeof(out->reason), res.reason,
				        res.reason_len);
				for (size_t i = 0; i < res.num_headers; i++) {
					add_str(out->hdrs, sizeof(out->hdrs), hdrs[i].name,
					        hdrs[i].name_len);
					add_str(out->hdrs, sizeof(out->hdrs), ": ", 2);
					add_str(out->hdrs, sizeof(out->hdrs), hdrs[i].value,
					        hdrs[i].value_len);
					add_str(out->hdrs, sizeof(out->hdrs), "\n", 1);
				}
				memset(&b, 0, sizeof(b));
				b.max_line = r->max_line;
				out->err = nk_http_body_init(&b, r->method, &res, out->msg);
				if (out->err)
					return;
				out->mode = b.mode;
				out->keep = b.keep_alive;
				out->te_and_cl = b.te_and_cl;
				out->length = b.length;
				in_body = 1;
				consumed = base + res.head_len;
				continue;
			}
			if (b.done || consumed == received)
				break;
			const char *g = guard_copy(r->in + consumed, received - consumed);
			size_t left = received - consumed;
			while (left > 0 && !b.done) {
				size_t used;
				const char *d;
				size_t dn;
				out->err = nk_http_body_feed(&b, g, left, &used, &d, &dn,
				                             out->msg);
				out->received = b.received;
				if (out->err)
					return;
				assert_true(used > 0);
				assert_true(used <= left);
				if (dn) {
					assert_true(d >= g && d + dn <= g + used);
					assert_true(out->body_len + dn <= sizeof(out->body));
					memcpy(out->body + out->body_len, d, dn);
					out->body_len += dn;
				}
				g += used;
				left -= used;
				consumed += used;
			}
			break;
		}
	}
	if (!in_body) {
		out->err = nk_http_parse_eof(&p, r->in_len - base, out->msg);
		return;
	}
	out->done = b.done;
	out->rest_off = consumed;
	if (!b.done) {
		out->err = nk_http_body_eof(&b, out->msg);
		/* a second call gives the same answer */
		char again[NK_ERR_MSG_LEN] = "";
		assert_int_equal(nk_http_body_eof(&b, again), out->err);
	}
}

static void
hexdump(const char *what, const char *s, size_t n)
{
	print_message("%s (%zu bytes):", what, n);
	for (size_t i = 0; i < n; i++)
		print_message(" %02x", (unsigned char)s[i]);
	print_message("\n");
}

static void
same(const struct result *a, const struct result *b, const char *how)
{
	int ok = a->err == b->err && strcmp(a->msg, b->msg) == 0 &&
	         strcmp(a->interim, b->interim) == 0 && a->status == b->status &&
	         a->minor == b->minor && a->folded == b->folded &&
	         strcmp(a->reason, b->reason) == 0 &&
	         strcmp(a->hdrs, b->hdrs) == 0 && a->mode == b->mode &&
	         a->keep == b->keep && a->te_and_cl == b->te_and_cl &&
	         a->length == b->length && a->body_len == b->body_len &&
	         memcmp(a->body, b->body, a->body_len) == 0 &&
	         a->done == b->done && a->rest_off == b->rest_off;
	if (!ok) {
		print_error("%s differs from the whole run\n", how);
		print_error("  err %d \"%s\" vs %d \"%s\"\n", a->err, a->msg,
		            b->err, b->msg);
		print_error("  status %d vs %d, done %d vs %d, rest %zu vs %zu\n",
		            a->status, b->status, a->done, b->done, a->rest_off,
		            b->rest_off);
		hexdump("  whole body", a->body, a->body_len);
		hexdump("  split body", b->body, b->body_len);
		fail();
	}
}

static void
check_row(const struct row *r, const struct result *x)
{
	if (x->err != r->err) {
		print_error("error %d \"%s\", expected %d\n", x->err, x->msg, r->err);
		fail();
	}
	if (r->msg)
		assert_string_equal(x->msg, r->msg);
	if (r->interim || x->interim[0])
		assert_string_equal(x->interim, r->interim ? r->interim : "");
	if (r->body) {
		if (x->body_len != r->body_len ||
		    memcmp(x->body, r->body, r->body_len) != 0) {
			hexdump("body", x->body, x->body_len);
			hexdump("expected", r->body, r->body_len);
			fail();
		}
		assert_int_equal(x->received, r->body_len);
	}
	if (r->err)
		return;
	assert_int_equal(x->status, r->status);
	if (r->minor || x->minor != 1)
		assert_int_equal(x->minor, r->minor);
	if (r->reason)
		assert_string_equal(x->reason, r->reason);
	if (r->hdrs)
		assert_string_equal(x->hdrs, r->hdrs);
	assert_int_equal(x->folded, r->folded);
	assert_int_equal(x->done, r->done);
	assert_int_equal(x->keep, r->keep);
	assert_int_equal(x->mode, r->mode);
	assert_int_equal(x->te_and_cl, r->te_and_cl);
	if (r->mode == LENGTH || r->length)
		assert_int_equal(x->length, r->length);
	else if (r->mode != LENGTH)
		assert_int_equal(x->length, -1);
	size_t rest = r->in_len - x->rest_off;
	if (r->done && (rest != r->rest_len ||
	                (rest && memcmp(r->in + x->rest_off, r->rest, rest)))) {
		hexdump("rest", r->in + x->rest_off, rest);
		hexdump("expected", r->rest, r->rest_len);
		fail();
	}
}

static void
test_row(void **state)
{
	const struct row *r = *state;
	size_t n = r->in_len;
	size_t *cuts = malloc((n + 1) * sizeof(*cuts));
	struct result *whole = malloc(sizeof(*whole));
	struct result *part = malloc(sizeof(*part));
	char how[64];
	assert_non_null(cuts);
	assert_non_null(whole);
	assert_non_null(part);

	cuts[0] = n;
	run(r, cuts, 1, whole);
	check_row(r, whole);

	/* byte by byte */
	for (size_t i = 0; i < n; i++)
		cuts[i] = i + 1;
	if (n > 1) {
		run(r, cuts, n, part);
		same(whole, part, "byte by byte");
	}
	/* two pieces, at every split point */
	for (size_t k = 1; k < n; k++) {
		cuts[0] = k;
		cuts[1] = n;
		run(r, cuts, 2, part);
		snprintf(how, sizeof(how), "split at %zu", k);
		same(whole, part, how);
	}
	free(cuts);
	free(whole);
	free(part);
}

/* Mutated rows (bytes replaced, dropped or doubled): whatever the result,
 * it must be the same whole, byte by byte and in three random pieces, and
 * nothing may read past the input. */
static void
test_mutations(void **state)
{
	(void)state;
	static const char pick[] = "\r\n \t:;0aF\0\x80,";
	struct result *whole = malloc(sizeof(*whole));
	struct result *part = malloc(sizeof(*part));
	char buf[512];
	size_t cuts[512];
	unsigned seed = 12345;
	assert_non_null(whole);
	assert_non_null(part);

	for (int iter = 0; iter < 3000; iter++) {
		struct row r = rows[rand_r(&seed) % NK_ARRAY_LEN(rows)];
		if (r.in_len < 2 || r.in_len > sizeof(buf) - 8)
			continue;
		size_t n = r.in_len;
		memcpy(buf, r.in, n);
		int edits = 1 + rand_r(&seed) % 3;
		for (int k = 0; k < edits && n > 1; k++) {
			size_t at = (size_t)rand_r(&seed) % n;
			switch (rand_r(&seed) % 3) {
			case 0:
				buf[at] = pick[(size_t)rand_r(&seed) % (sizeof(pick) - 1)];
				break;
			case 1:
				memmove(buf + at, buf + at + 1, n - at - 1);
				n--;
				break;
			default:
				memmove(buf + at + 1, buf + at, n - at);
				n++;
				break;
			}
		}
		r.in = buf;
		r.in_len = n;
		cuts[0] = n;
		run(&r, cuts, 1, whole);
		for (size_t i = 0; i < n; i++)
			cuts[i] = i + 1;
		run(&r, cuts, n, part);
		same(whole, part, "mutated, byte by byte");
		size_t a = 1 + (size_t)rand_r(&seed) % (n - 1);
		size_t b = a + (size_t)rand_r(&seed) % (n - a + 1);
		cuts[0] = a;
		cuts[1] = b;
		cuts[2] = n;
		run(&r, cuts, 3, part);
		same(whole, part, "mutated, three pieces");
	}
	free(whole);
	free(part);
}

/* ---- the default limits, on big inputs ----------------------------- */

/* A head whose one header line has `vlen` value bytes. */
static char *
big_head(size_t vlen, size_t *len)
{
	char *s = malloc(vlen + 64);
	assert_non_null(s);
	size_t n = (size_t)sprintf(s, "HTTP/1.1 200 OK\r\nX: ");
	memset(s + n, 'v', vlen);
	n += vlen;
	memcpy(s + n, "\r\n\r\n", 4);
	*len = n + 4;
	return s;
}

static nk_err
parse_split(char *s, size_t len, size_t cut, size_t *head_len, char *msg)
{
	struct nk_http_header h[4];
	struct nk_http_parser p = { 0 };
	struct nk_http_response res = { .headers = h, .max_headers = 4 };
	nk_err e;
	*head_len = 0;
	if (cut) {
		e = nk_http_parse_response(&p, guard_copy(s, cut), cut, &res, msg);
		if (e || res.head_len)
			goto done;
	}
	e = nk_http_parse_response(&p, guard_copy(s, len), len, &res, msg);
done:
	*head_len = res.head_len;
	return e;
}

static void
test_default_line_limit(void **state)
{
	(void)state;
	char msg[NK_ERR_MSG_LEN];
	size_t len, hl;
	/* "X: " + value = exactly 102400 bytes of line content: accepted */
	char *s = big_head(NK_HTTP_MAX_LINE - 3, &len);
	const size_t cuts[] = { 0, 1, 20, 1000, len - 3, len - 1 };
	for (size_t i = 0; i < NK_ARRAY_LEN(cuts); i++) {
		assert_int_equal(parse_split(s, len, cuts[i], &hl, msg), NK_OK);
		assert_int_equal(hl, len);
	}
	free(s);
	s = big_head(NK_HTTP_MAX_LINE - 2, &len);
	const size_t cuts2[] = { 0, 1, 20, 1000, len - 4, len - 3, len - 1 };
	for (size_t i = 0; i < NK_ARRAY_LEN(cuts2); i++) {
		assert_int_equal(parse_split(s, len, cuts2[i], &hl, msg),
		                 NK_ERR_RECV_ERROR);
		assert_string_equal(msg, "response header line longer than 102400 "
		                    "bytes");
	}
	free(s);
}

static void
test_default_head_limit(void **state)
{
	(void)state;
	char msg[NK_ERR_MSG_LEN];
	/* 3 lines of 100000 bytes and more, to reach 307200 exactly */
	size_t total = NK_HTTP_MAX_HEAD + 1;
	char *s = malloc(total + 1);
	assert_non_null(s);
	for (int extra = 0; extra <= 1; extra++) {
		size_t n = (size_t)sprintf(s, "HTTP/1.1 200 OK\r\n");
		size_t want = NK_HTTP_MAX_HEAD + (size_t)extra;
		int k = 0;
		while (n < want) {
			/* each line "Hk: vvv\r\n", the last ends with the blank line */
			size_t room = want - n - 2;   /* keep the final CRLF */
			size_t line = room > 100000 ? 100000 : room;
			int w = sprintf(s + n, "H%d: ", k++);
			size_t v = line - (size_t)w - 2;
			memset(s + n + w, 'v', v);
			memcpy(s + n + w + v, "\r\n", 2);
			n += line;
			if (want - n == 2) {
				memcpy(s + n, "\r\n", 2);
				n += 2;
			}
		}
		assert_int_equal(n, want);
		size_t hl;
		const size_t cuts[] = { 0, 17, 100000, want - 1 };
		for (size_t i = 0; i < NK_ARRAY_LEN(cuts); i++) {
			nk_err e = parse_split(s, want, cuts[i], &hl, msg);
			if (extra) {
				assert_int_equal(e, NK_ERR_RECV_ERROR);
				assert_string_equal(msg, "response head longer than "
				                    "307200 bytes");
			} else {
				assert_int_equal(e, NK_OK);
				assert_int_equal(hl, want);
			}
		}
	}
	free(s);
}

/* Feeding the head a byte at a time stays linear: each call scans only
 * the new byte (a quadratic parser would take minutes here). */
static void
test_linear(void **state)
{
	(void)state;
	size_t len, hl = 0;
	char *s = big_head(NK_HTTP_MAX_LINE - 3, &len);
	char *g = guard_copy(s, len);
	struct nk_http_header h[4];
	struct nk_http_parser p = { 0 };
	struct nk_http_response res = { .headers = h, .max_headers = 4 };
	for (size_t i = 1; i <= len; i++) {
		assert_int_equal(nk_http_parse_response(&p, g, i, &res, NULL), NK_OK);
		hl = res.head_len;
		assert_true(hl == 0 || i == len);
	}
	assert_int_equal(hl, len);
	assert_int_equal(p._pos, len);
	free(s);
}

/* ---- helpers ------------------------------------------------------- */

static void
test_helpers(void **state)
{
	(void)state;
	char in[] = "HTTP/1.1 200 OK\r\nConnection: Upgrade,\tKeep-Alive\r\n"
	            "Content-Type: text/html ; Charset=\"utf-8\"; q=1\r\n"
	            "Set-Cookie: a=1\r\nset-cookie: b=2\r\n"
	            "Connection: ,,foo;x=1 , bar\r\n\r\n";
	struct nk_http_header h[8];
	struct nk_http_parser p = { 0 };
	struct nk_http_response res = { .headers = h, .max_headers = 8 };
	char *g = guard_copy(in, sizeof(in) - 1);
	assert_int_equal(nk_http_parse_response(&p, g, sizeof(in) - 1, &res,
	                                        NULL), NK_OK);
	assert_int_equal(res.num_headers, 5);

	size_t it = 0;
	const struct nk_http_header *x;
	x = nk_http_header_find(&res, "SET-COOKIE", &it);
	assert_non_null(x);
	assert_memory_equal(x->value, "a=1", 3);
	x = nk_http_header_find(&res, "set-cookie", &it);
	assert_non_null(x);
	assert_memory_equal(x->value, "b=2", 3);
	assert_null(nk_http_header_find(&res, "set-cookie", &it));
	assert_null(nk_http_header_find(&res, "Nope", NULL));

	assert_true(nk_http_has_token(&res, "connection", "keep-alive"));
	assert_true(nk_http_has_token(&res, "Connection", "UPGRADE"));
	assert_true(nk_http_has_token(&res, "Connection", "foo"));
	assert_true(nk_http_has_token(&res, "Connection", "bar"));
	assert_false(nk_http_has_token(&res, "Connection", "close"));
	assert_false(nk_http_has_token(&res, "Connection", "x=1"));

	const char *t, *cs;
	size_t tl, csl;
	assert_int_equal(nk_http_content_type(&res, &t, &tl, &cs, &csl), 1);
	assert_int_equal(tl, 9);
	assert_memory_equal(t, "text/html", 9);
	assert_non_null(cs);
	assert_int_equal(csl, 5);
	assert_memory_equal(cs, "utf-8", 5);

	/* the list walker on its own */
	const char list[] = " , gzip ;q=1,, deflate,;x ,identity ";
	const char *lp = list, *el;
	size_t n;
	char got[64] = "";
	while (nk_http_list_next(&lp, list + sizeof(list) - 1, &el, &n)) {
		add_str(got, sizeof(got), el, n);
		add_str(got, sizeof(got), "|", 1);
	}
	assert_string_equal(got, "gzip|deflate|identity|");

	/* no Content-Type; no charset */
	char in2[] = "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n";
	struct nk_http_parser p2 = { 0 };
	g = guard_copy(in2, sizeof(in2) - 1);
	assert_int_equal(nk_http_parse_response(&p2, g, sizeof(in2) - 1, &res,
	                                        NULL), NK_OK);
	assert_int_equal(nk_http_content_type(&res, &t, &tl, &cs, &csl), 1);
	assert_int_equal(tl, 9);
	assert_null(cs);
	res.num_headers = 0;
	assert_int_equal(nk_http_content_type(&res, NULL, NULL, NULL, NULL), 0);

	/* interim */
	res.status = 100;
	assert_true(nk_http_is_interim(&res));
	res.status = 103;
	assert_true(nk_http_is_interim(&res));
	res.status = 101;
	assert_false(nk_http_is_interim(&res));
	res.status = 200;
	assert_false(nk_http_is_interim(&res));

	/* errors stick in the body framer */
	struct nk_http_body b = { 0 };
	char in3[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
	struct nk_http_parser p3 = { 0 };
	g = guard_copy(in3, sizeof(in3) - 1);
	assert_int_equal(nk_http_parse_response(&p3, g, sizeof(in3) - 1, &res,
	                                        NULL), NK_OK);
	assert_int_equal(nk_http_body_init(&b, NULL, &res, NULL), NK_OK);
	size_t used, dn;
	const char *d;
	char msg[NK_ERR_MSG_LEN];
	assert_int_equal(nk_http_body_feed(&b, "z", 1, &used, &d, &dn, msg),
	                 NK_ERR_WEIRD_SERVER_REPLY);
	assert_int_equal(nk_http_body_feed(&b, "0\r\n\r\n", 5, &used, &d, &dn,
	                                   msg), NK_ERR_WEIRD_SERVER_REPLY);
	assert_int_equal(used, 0);
	assert_int_equal(nk_http_body_eof(&b, msg), NK_ERR_WEIRD_SERVER_REPLY);
}

/* feeds in[0..len) one byte at a time to a chunked body whose trailer
 * lines are copied to a buffer of cap bytes; returns the body's state. */
static struct nk_http_body
trailer_run(const char *in, size_t len, char *buf, size_t cap)
{
	struct nk_http_header h[4];
	struct nk_http_parser p = { 0 };
	struct nk_http_response res = { .headers = h, .max_headers = 4 };
	const char head[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
	char msg[NK_ERR_MSG_LEN];
	char *g = guard_copy(head, sizeof(head) - 1);
	assert_int_equal(nk_http_parse_response(&p, g, sizeof(head) - 1, &res,
	                                        msg), NK_OK);
	struct nk_http_body b = { .trailer_buf = buf, .trailer_cap = cap };
	assert_int_equal(nk_http_body_init(&b, NULL, &res, msg), NK_OK);
	for (size_t i = 0; i < len && !b.done; i++) {
		size_t used, dn;
		const char *d;
		assert_int_equal(nk_http_body_feed(&b, in + i, 1, &used, &d, &dn,
		                                   msg), NK_OK);
		assert_int_equal(used, 1);
	}
	assert_true(b.done);
	return b;
}

/* The trailer lines, as received, for a caller that shows them (-i). */
static void
test_trailer_copy(void **state)
{
	(void)state;
	const char in[] = "2\r\nab\r\n0\r\nX-Sum: 12\r\nY:\r\n  folded\nZ: 1\r\n\r\n";
	const char want[] = "X-Sum: 12\r\nY:\r\n  folded\nZ: 1\r\n";
	char buf[64];
	struct nk_http_body b = trailer_run(in, sizeof(in) - 1, buf, sizeof(buf));
	assert_int_equal(b.trailer_len, sizeof(want) - 1);
	assert_memory_equal(buf, want, sizeof(want) - 1);
	/* a small buffer keeps what fits; the body is read all the same */
	b = trailer_run(in, sizeof(in) - 1, buf, 5);
	assert_int_equal(b.trailer_len, 5);
	assert_memory_equal(buf, "X-Sum", 5);
	/* no trailers: nothing copied */
	b = trailer_run("0\r\n\r\n", 5, buf, sizeof(buf));
	assert_int_equal(b.trailer_len, 0);
}

int
main(void)
{
	size_t n = NK_ARRAY_LEN(rows);
	struct CMUnitTest *t = calloc(n + 7, sizeof(*t));
	if (!t)
		return 1;
	for (size_t i = 0; i < n; i++) {
		t[i].name = rows[i].name;
		t[i].test_func = test_row;
		t[i].initial_state = (void *)&rows[i];
	}
	t[n].name = "default line limit 102400";
	t[n].test_func = test_default_line_limit;
	t[n + 1].name = "default head limit 307200";
	t[n + 1].test_func = test_default_head_limit;
	t[n + 2].name = "byte-by-byte parse stays linear";
	t[n + 2].test_func = test_linear;
	t[n + 3].name = "header helpers";
	t[n + 3].test_func = test_helpers;
	t[n + 4].name = "mutated inputs agree however split";
	t[n + 4].test_func = test_mutations;
	t[n + 5].name = "trailer lines copied for the caller";
	t[n + 5].test_func = test_trailer_copy;
	int rc = _cmocka_run_group_tests("http_parse", t, n + 6, guard_setup,
	                                 NULL);
	free(t);
	return rc;
}
