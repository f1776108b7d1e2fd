/* http_body: how a response body is delimited (RFC 9112 §6.3) and the
 * streaming walk over it. Chunked framing is a byte-at-a-time state
 * machine, so its result cannot depend on how the input was split; data
 * runs are handed back as spans of the caller's buffer, never copied. */
#include <stdint.h>
#include <string.h>

#include "http/http_int.h"
#include "core/internal.h"

enum {
	C_SIZE = 0,     /* chunk-size: hex digits */
	C_SIZE_WS,      /* BWS after the size, before ";" or the line end */
	C_EXT,          /* chunk-ext: skipped up to the line end */
	C_SIZE_LF,      /* CR seen: LF must follow */
	C_DATA,         /* _left data bytes */
	C_DATA_CR,      /* after the data: CR or LF */
	C_DATA_LF,      /* after the data and CR: LF */
	C_TR_START,     /* start of a trailer line, or of the final line */
	C_TR_NAME,      /* a trailer field name */
	C_TR_VALUE,     /* a trailer field value */
	C_TR_LF,        /* CR in a trailer line: LF must follow */
	C_END_LF,       /* CR of the final empty line: LF must follow */
	C_DONE,
};

static size_t
lim_line(const struct nk_http_body *b)
{
	return b->max_line ? b->max_line : NK_HTTP_MAX_LINE;
}

static size_t
lim_trailer(const struct nk_http_body *b)
{
	return b->max_trailer ? b->max_trailer : NK_HTTP_MAX_HEAD;
}

/* Content-Length = 1*DIGIT (RFC 9110 §8.6), possibly a list of equal
 * values or several fields with equal values. */
static nk_err
content_length(const struct nk_http_response *res, int *found, int64_t *out,
               char *errmsg)
{
	size_t it = 0;
	const struct nk_http_header *h;
	char shown[96];
	int have = 0;
	int64_t v = 0;

	*found = 0;
	while ((h = nk_http_header_find(res, "Content-Length", &it))) {
		const char *s = h->value, *end = s + h->value_len;
		int any = 0;
		*found = 1;
		while (s < end) {
			while (s < end && (nk_http_ows(*s) || *s == ','))
				s++;
			if (s == end)
				break;
			const char *e = s;
			while (e < end && *e != ',')
				e++;
			const char *t = e;
			while (t > s && nk_http_ows(t[-1]))
				t--;
			int64_t n = 0;
			for (const char *q = s; q < t; q++) {
				if (*q < '0' || *q > '9')
					goto invalid;
				if (n > (INT64_MAX - (*q - '0')) / 10)
					goto invalid;
				n = n * 10 + (*q - '0');
			}
			if (have && n != v)
				return nk_fail(errmsg, NK_ERR_WEIRD_SERVER_REPLY,
				               "conflicting Content-Length values %lld "
				               "and %lld", (long long)v, (long long)n);
			v = n;
			have = any = 1;
			s = e;
		}
		if (!any)
			goto invalid;
		continue;
invalid:
		nk_http_escape(shown, sizeof(shown), h->value, h->value_len);
		return nk_fail(errmsg, NK_ERR_WEIRD_SERVER_REPLY, "invalid "
		               "Content-Length \"%s\"", shown);
	}
	*out = v;
	return NK_OK;
}

/* Transfer-Encoding, over every field in order: chunked must be last and
 * only once; the other codings must be ones the decoder can undo. */
static nk_err
transfer_encoding(struct nk_http_body *b, const struct nk_http_response *res,
                  int *chunked_last, char *errmsg)
{
	size_t it = 0;
	const struct nk_http_header *h;
	int chunked = 0;

	*chunked_last = 0;
	while ((h = nk_http_header_find(res, "Transfer-Encoding", &it))) {
		const char *p = h->value, *el;
		size_t n;
		while (nk_http_list_next(&p, h->value + h->value_len, &el, &n)) {
			if (chunked)
				return nk_fail(errmsg, NK_ERR_WEIRD_SERVER_REPLY, "chunked "
				               "is not the last transfer coding");
			if (nk_http_eq(el, n, "chunked")) {
				chunked = 1;
				continue;
			}
			if (nk_http_eq(el, n, "identity"))
				continue;
			if (nk_http_eq(el, n, "gzip") || nk_http_eq(el, n, "x-gzip") ||
			    nk_http_eq(el, n, "deflate")) {
				b->te_codings++;
				continue;
			}
			char shown[64];
			nk_http_escape(shown, sizeof(shown), el, n);
			return nk_fail(errmsg, NK_ERR_BAD_CONTENT_ENCODING,
			               "unsupported transfer coding \"%s\"", shown);
		}
	}
	*chunked_last = chunked;
	return NK_OK;
}

nk_err
nk_http_body_init(struct nk_http_body *b, const char *method,
                  const struct nk_http_response *res, char *errmsg)
{
	size_t max_line = b->max_line, max_trailer = b->max_trailer;
	size_t trailer_cap = b->trailer_cap;
	char *trailer_buf = b->trailer_buf;
	int st = res->status;
	nk_err e;

	memset(b, 0, sizeof(*b));
	b->max_line = max_line;
	b->max_trailer = max_trailer;
	b->trailer_buf = trailer_buf;
	b->trailer_cap = trailer_cap;
	b->length = -1;
	if (!method)
		method = "GET";

	if (res->minor_version >= 1)
		b->keep_alive = !nk_http_has_token(res, "Connection", "close");
	else
		b->keep_alive = nk_http_has_token(res, "Connection", "keep-alive") &&
		                !nk_http_has_token(res, "Connection", "close");

	/* 1. responses that never have a body (RFC 9112 §6.3 rules 1, 2) */
	if (st == 101 || (strcmp(method, "CONNECT") == 0 && st >= 200 &&
	                  st <= 299)) {
		b->mode = NK_HTTP_BODY_TUNNEL;
		b->keep_alive = 0;
		b->done = 1;
		return NK_OK;
	}
	if (strcmp(method, "HEAD") == 0 || (st >= 100 && st <= 199) ||
	    st == 204 || st == 304) {
		b->mode = NK_HTTP_BODY_NONE;
		b->done = 1;
		return NK_OK;
	}

	/* 2. Transfer-Encoding overrides Content-Length (rule 3) */
	if (nk_http_header_find(res, "Transfer-Encoding", NULL)) {
		int chunked;
		if ((e = transfer_encoding(b, res, &chunked, errmsg)))
			return e;
		/* A Content-Length beside it may be an attempt at smuggling:
		 * ignore it, and do not trust this connection any further. */
		if (nk_http_header_find(res, "Content-Length", NULL)) {
			b->te_and_cl = 1;
			b->keep_alive = 0;
		}
		/* HTTP/1.0 has no Transfer-Encoding: faulty framing, close
		 * after it (RFC 9112 §6.1). */
		if (res->minor_version == 0)
			b->keep_alive = 0;
		if (chunked) {
			b->mode = NK_HTTP_BODY_CHUNKED;
			b->_state = C_SIZE;
		} else {
			b->mode = NK_HTTP_BODY_CLOSE;
			b->keep_alive = 0;
		}
		return NK_OK;
	}

	/* 3. Content-Length (rules 5, 6) */
	int found;
	int64_t len = 0;
	if ((e = content_length(res, &found, &len, errmsg)))
		return e;
	if (found) {
		b->mode = NK_HTTP_BODY_LENGTH;
		b->length = len;
		b->_left = (uint64_t)len;
		b->done = len == 0;
		return NK_OK;
	}

	/* 4. read until the server closes (rule 8) */
	b->mode = NK_HTTP_BODY_CLOSE;
	b->keep_alive = 0;
	return NK_OK;
}

/* Errors are sticky: a framing error means later bytes cannot be trusted. */
static nk_err
stick(struct nk_http_body *b, nk_err e)
{
	b->_state = C_DONE;
	b->_err = (int)e;
	return e;
}

static nk_err
bad_byte(struct nk_http_body *b, const char *where, unsigned char c,
         char *errmsg)
{
	char e[5];
	nk_http_escape_byte(e, c);
	return stick(b, nk_fail(errmsg, NK_ERR_WEIRD_SERVER_REPLY,
	                        "unexpected byte %s in %s", e, where));
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One byte of the trailer section that ends a chunked body (RFC 9112
 * §7.1.2), kept in trailer_buf as far as it holds them. A state machine:
 * C_TR_START, C_TR_NAME, C_TR_VALUE, C_TR_LF and C_END_LF are its cases;
 * every byte of a field counts against the line limit, every byte of the
 * section against the trailer limit. */
static nk_err
trailer_byte(struct nk_http_body *b, unsigned char c, char *errmsg)
{
	size_t max_line = lim_line(b);

	switch (b->_state) {
	case C_TR_START:
		if (c == '\r') {
			b->_state = C_END_LF;
			break;
		}
		if (c == '\n') {
			b->_state = C_DONE;
			b->done = 1;
			break;
		}
		if (nk_http_ows((char)c)) {
			/* obs-fold continues the previous trailer field */
			if (!b->trailers)
				return bad_byte(b, "the trailer section", c, errmsg);
			b->_state = C_TR_VALUE;
		} else if (nk_http_tchar[c]) {
			b->_state = C_TR_NAME;
			b->trailers++;
		} else {
			return bad_byte(b, "a trailer field name", c, errmsg);
		}
		goto count;
	case C_TR_NAME:
		if (c == ':')
			b->_state = C_TR_VALUE;
		else if (!nk_http_tchar[c])
			return bad_byte(b, "a trailer field name", c, errmsg);
		goto count;
	case C_TR_VALUE:
		if (c == '\r') {
			b->_state = C_TR_LF;
			goto total;
		}
		if (c == '\n') {
			b->_state = C_TR_START;
			b->_line = 0;
			goto total;
		}
		if (c == '\0')
			return bad_byte(b, "a trailer field value", c, errmsg);
		goto count;
	case C_TR_LF:
		if (c != '\n')
			return bad_byte(b, "a trailer field (bare CR)", c, errmsg);
		b->_state = C_TR_START;
		b->_line = 0;
		goto total;
	case C_END_LF:
		if (c != '\n')
			return bad_byte(b, "the end of the trailer section", c, errmsg);
		b->_state = C_DONE;
		b->done = 1;
		break;
	}
	return NK_OK;
count:
	if (++b->_line > max_line)
		return stick(b, nk_fail(errmsg, NK_ERR_RECV_ERROR, "trailer line "
		                        "longer than %zu bytes", max_line));
total:
	if (++b->_total > lim_trailer(b))
		return stick(b, nk_fail(errmsg, NK_ERR_RECV_ERROR, "trailer section "
		                        "longer than %zu bytes", lim_trailer(b)));
	if (b->trailer_len < b->trailer_cap)
		b->trailer_buf[b->trailer_len++] = (char)c;
	return NK_OK;
}

/* One framing byte of a chunked body: the chunk size line, the line end
 * after the data, or (through trailer_byte) the trailer section. A state
 * machine whose states are its cases. */
static nk_err
chunk_byte(struct nk_http_body *b, unsigned char c, char *errmsg)
{
	size_t max_line = lim_line(b);
	int h;

	switch (b->_state) {
	case C_SIZE:
		if ((h = hexval(c)) >= 0) {
			if (b->_left > ((uint64_t)INT64_MAX - (uint64_t)h) / 16)
				return stick(b, nk_fail(errmsg, NK_ERR_WEIRD_SERVER_REPLY,
				                        "chunk size overflows 63 bits"));
			b->_left = b->_left * 16 + (uint64_t)h;
			if (++b->_line > max_line)
				goto long_size;
			break;
		}
		if (b->_line == 0)
			return bad_byte(b, "a chunk size", c, errmsg);
		/* FALLTHROUGH */
	case C_SIZE_WS:
	case C_EXT:
		if (c == '\r') {
			b->_state = C_SIZE_LF;
			break;
		}
		if (c == '\n')
			goto size_done;
		if (b->_state != C_EXT) {
			if (nk_http_ows((char)c))
				b->_state = C_SIZE_WS;
			else if (c == ';')
				b->_state = C_EXT;
			else
				return bad_byte(b, "a chunk size line", c, errmsg);
		} else if (c == '\0') {
			return bad_byte(b, "a chunk extension", c, errmsg);
		}
		if (++b->_line > max_line)
			goto long_size;
		break;
	case C_SIZE_LF:
		if (c != '\n')
			return bad_byte(b, "a chunk size line", c, errmsg);
size_done:
		b->_line = 0;
		b->_state = b->_left ? C_DATA : C_TR_START;
		break;
	case C_DATA_CR:
		if (c == '\r') {
			b->_state = C_DATA_LF;
			break;
		}
		/* FALLTHROUGH */
	case C_DATA_LF:
		if (c != '\n')
			return stick(b, nk_fail(errmsg, NK_ERR_WEIRD_SERVER_REPLY,
			                        "chunk data not followed by CRLF"));
		b->_state = C_SIZE;
		break;
	case C_TR_START:
	case C_TR_NAME:
	case C_TR_VALUE:
	case C_TR_LF:
	case C_END_LF:
		return trailer_byte(b, c, errmsg);
	}
	return NK_OK;
long_size:
	return stick(b, nk_fail(errmsg, NK_ERR_RECV_ERROR, "chunk size line "
	                        "longer than %zu bytes", max_line));
}

nk_err
nk_http_body_feed(struct nk_http_body *b, const char *in, size_t len,
                  size_t *used, const char **data, size_t *data_len,
                  char *errmsg)
{
	*used = 0;
	*data = NULL;
	*data_len = 0;
	if (b->_err)
		return nk_fail(errmsg, (nk_err)b->_err, "response body framing "
		               "failed earlier");
	if (b->done || len == 0)
		return NK_OK;

	switch (b->mode) {
	case NK_HTTP_BODY_LENGTH: {
		size_t n = len;
		if ((uint64_t)n > b->_left)
			n = (size_t)b->_left;
		b->_left -= n;
		b->received += n;
		b->done = b->_left == 0;
		*data = in;
		*data_len = *used = n;
		return NK_OK;
	}
	case NK_HTTP_BODY_CLOSE:
		b->received += len;
		*data = in;
		*data_len = *used = len;
		return NK_OK;
	case NK_HTTP_BODY_CHUNKED:
		break;
	default:
		return NK_OK;
	}

	for (size_t i = 0; i < len; i++) {
		if (b->_state == C_DATA) {
			size_t n = len - i;
			if ((uint64_t)n > b->_left)
				n = (size_t)b->_left;
			b->_left -= n;
			b->received += n;
			if (b->_left == 0)
				b->_state = C_DATA_CR;
			*data = in + i;
			*data_len = n;
			*used = i + n;
			return NK_OK;
		}
		nk_err e = chunk_byte(b, (unsigned char)in[i], errmsg);
		if (e)
			return e;
		if (b->done) {
			*used = i + 1;
			return NK_OK;
		}
	}
	*used = len;
	return NK_OK;
}

uint64_t
nk_http_body_raw_left(const struct nk_http_body *b)
{
	if (b->done || b->_err)
		return 0;
	if (b->mode == NK_HTTP_BODY_LENGTH)
		return b->_left;
	return b->mode == NK_HTTP_BODY_CLOSE ? UINT64_MAX : 0;
}

void
nk_http_body_passed(struct nk_http_body *b, uint64_t n)
{
	b->received += n;
	if (b->mode == NK_HTTP_BODY_LENGTH) {
		b->_left -= n;
		b->done = b->_left == 0;
	}
}

nk_err
nk_http_body_eof(struct nk_http_body *b, char *errmsg)
{
	if (b->_err)
		return nk_fail(errmsg, (nk_err)b->_err, "response body framing "
		               "failed earlier");
	if (b->done)
		return NK_OK;
	switch (b->mode) {
	case NK_HTTP_BODY_CLOSE:
		b->done = 1;
		return NK_OK;
	case NK_HTTP_BODY_LENGTH:
		return nk_fail(errmsg, NK_ERR_PARTIAL_FILE, "transfer closed with "
		               "%llu bytes remaining to read",
		               (unsigned long long)b->_left);
	case NK_HTTP_BODY_CHUNKED:
		return nk_fail(errmsg, NK_ERR_PARTIAL_FILE, "transfer closed "
		               "before the end of the chunked body");
	default:
		return NK_OK;
	}
}
