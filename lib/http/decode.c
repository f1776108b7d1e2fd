/* decode: streaming content decoding (gzip, deflate) over zlib.
 *
 * Codings form a stack: bytes go through the stage of the coding the
 * sender applied last, then the one before, and so on, to the caller's
 * output callback. Each stage owns one fixed output buffer, so memory does
 * not grow with the data or the compression ratio. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "http/http_int.h"
#include "core/internal.h"

#define OUT_CHUNK  16384
#define MAX_STAGES 5      /* curl's limit on stacked codings too */

enum { K_GZIP, K_DEFLATE };

struct stage {
	int kind;
	const char *name;        /* for messages: "gzip", "deflate" */
	z_stream z;
	int inited;              /* inflateInit2 done */
	int ended;               /* Z_STREAM_END seen for the current stream */
	int got;                 /* any input at all */
	unsigned char hdr[2];    /* deflate: first bytes, to detect zlib */
	int nhdr;
	unsigned char out[OUT_CHUNK];
};

struct nk_decoder {
	struct stage *st[MAX_STAGES];   /* in the order the sender applied */
	size_t n;
	int started;
	nk_err err;
	uint64_t bytes_in, bytes_out;
};

nk_err
nk_decoder_new(nk_decoder **out, char *errmsg)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	return NK_OK;
}

void
nk_decoder_free(nk_decoder *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		if (d->st[i]->inited)
			inflateEnd(&d->st[i]->z);
		free(d->st[i]);
	}
	free(d);
}

nk_err
nk_decoder_add(nk_decoder *d, const char *coding, size_t len, char *errmsg)
{
	int kind;
	const char *name;

	if (d->started)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT, "decoder "
		               "codings added after decoding started");
	/* "none" is no registered coding, but servers send it meaning
	 * identity, and curl takes it so. */
	if (nk_http_eq(coding, len, "identity") || nk_http_eq(coding, len, "none"))
		return NK_OK;
	if (nk_http_eq(coding, len, "gzip") || nk_http_eq(coding, len, "x-gzip")) {
		kind = K_GZIP;
		name = "gzip";
	} else if (nk_http_eq(coding, len, "deflate")) {
		kind = K_DEFLATE;
		name = "deflate";
	} else {
		char shown[64];
		nk_http_escape(shown, sizeof(shown), coding, len);
		return nk_fail(errmsg, NK_ERR_BAD_CONTENT_ENCODING, "unsupported "
		               "content encoding \"%s\"", shown);
	}
	if (d->n == MAX_STAGES)
		return nk_fail(errmsg, NK_ERR_BAD_CONTENT_ENCODING, "more than %d "
		               "stacked content encodings", MAX_STAGES);
	struct stage *s = calloc(1, sizeof(*s));
	if (!s)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	s->kind = kind;
	s->name = name;
	d->st[d->n++] = s;
	return NK_OK;
}

nk_err
nk_decoder_add_list(nk_decoder *d, const char *list, size_t len,
                    char *errmsg)
{
	const char *p = list, *el;
	size_t n;
	nk_err e;
	while (nk_http_list_next(&p, list + len, &el, &n))
		if ((e = nk_decoder_add(d, el, n, errmsg)))
			return e;
	return NK_OK;
}

nk_err
nk_decoder_add_response(nk_decoder *d, const struct nk_http_response *res,
                        unsigned flags, char *errmsg)
{
	const struct nk_http_header *h;
	size_t it = 0;
	nk_err e;

	/* A sender applies content codings first, transfer codings after. */
	if (flags & NK_DECODE_CONTENT)
		while ((h = nk_http_header_find(res, "Content-Encoding", &it)))
			if ((e = nk_decoder_add_list(d, h->value, h->value_len, errmsg)))
				return e;
	it = 0;
	if (flags & NK_DECODE_TRANSFER)
		while ((h = nk_http_header_find(res, "Transfer-Encoding", &it))) {
			const char *p = h->value, *el;
			size_t n;
			while (nk_http_list_next(&p, h->value + h->value_len, &el, &n)) {
				if (nk_http_eq(el, n, "chunked"))
					continue;   /* undone by the body framer */
				if ((e = nk_decoder_add(d, el, n, errmsg)))
					return e;
			}
		}
	return NK_OK;
}

int
nk_decoder_active(const nk_decoder *d)
{
	return d && d->n > 0;
}

uint64_t
nk_decoder_bytes_in(const nk_decoder *d)
{
	return d->bytes_in;
}

uint64_t
nk_decoder_bytes_out(const nk_decoder *d)
{
	return d->bytes_out;
}

static nk_err
broken(struct stage *s, const char *why, char *errmsg)
{
	return nk_fail(errmsg, NK_ERR_BAD_CONTENT_ENCODING, "broken %s data: %s",
	               s->name, why ? why : "invalid");
}

static nk_err push(nk_decoder *d, size_t idx, const unsigned char *in,
                   size_t len, nk_decode_out out, void *ctx, char *errmsg);

/* The zlib stream header (RFC 1950 §2.2): CM 8, CINFO at most 7, and the
 * two bytes a multiple of 31. A "deflate" body without it is raw deflate
 * (RFC 1951), which many servers send. */
static int
looks_zlib(const unsigned char h[2])
{
	return (h[0] & 0x0f) == 8 && (h[0] >> 4) <= 7 &&
	       ((unsigned)h[0] * 256 + h[1]) % 31 == 0;
}

static nk_err
start(struct stage *s, char *errmsg)
{
	int wbits;
	if (s->kind == K_GZIP)
		wbits = 15 + 16;
	else
		wbits = looks_zlib(s->hdr) ? 15 : -15;
	if (inflateInit2(&s->z, wbits) != Z_OK)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "zlib: out of memory");
	s->inited = 1;
	return NK_OK;
}

static nk_err
inflate_some(nk_decoder *d, size_t idx, const unsigned char *in, size_t len,
             nk_decode_out out, void *ctx, char *errmsg)
{
	struct stage *s = d->st[idx];
	nk_err e;

	s->z.next_in = (unsigned char *)(uintptr_t)in;
	s->z.avail_in = (uInt)len;
	for (;;) {
		if (s->ended) {
			if (s->z.avail_in == 0)
				return NK_OK;
			/* More after the end: a gzip body may hold several
			 * members (RFC 1952 §2.2); a deflate stream may not. */
			if (s->kind != K_GZIP)
				return broken(s, "data after the end of the stream", errmsg);
			if (inflateReset(&s->z) != Z_OK)
				return broken(s, s->z.msg, errmsg);
			s->ended = 0;
		}
		s->z.next_out = s->out;
		s->z.avail_out = OUT_CHUNK;
		int r = inflate(&s->z, Z_NO_FLUSH);
		size_t made = OUT_CHUNK - s->z.avail_out;
		/* What came out before a failure goes out first, so the output
		 * does not depend on where the input was split. */
		if (made && (e = push(d, idx, s->out, made, out, ctx, errmsg)))
			return e;
		if (r == Z_STREAM_END)
			s->ended = 1;
		else if (r == Z_MEM_ERROR)
			return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "zlib: out of memory");
		else if (r != Z_OK && r != Z_BUF_ERROR)
			return broken(s, s->z.msg, errmsg);
		if (r == Z_BUF_ERROR || (r == Z_OK && s->z.avail_in == 0 &&
		                         s->z.avail_out != 0))
			return NK_OK;
	}
}

/* Feeds stage idx - 1 (or the output when idx is 0): stages run from the
 * last applied coding down to the first. */
static nk_err
push(nk_decoder *d, size_t idx, const unsigned char *in, size_t len,
     nk_decode_out out, void *ctx, char *errmsg)
{
	if (idx == 0) {
		d->bytes_out += len;
		return out(ctx, (const char *)in, len, errmsg);
	}
	struct stage *s = d->st[idx - 1];
	nk_err e;

	/* uInt is 32 bits: feed very large inputs in slices */
	while (len > 0) {
		size_t n = len > (1u << 30) ? (1u << 30) : len;
		s->got = 1;
		if (!s->inited && s->kind == K_DEFLATE) {
			/* wait for two bytes to tell zlib from raw deflate */
			while (s->nhdr < 2 && n > 0) {
				s->hdr[s->nhdr++] = *in++;
				n--;
				len--;
			}
			if (s->nhdr < 2)
				return NK_OK;
			if ((e = start(s, errmsg)))
				return e;
			if ((e = inflate_some(d, idx - 1, s->hdr, 2, out, ctx, errmsg)))
				return e;
		} else if (!s->inited && (e = start(s, errmsg))) {
			return e;
		}
		if (n && (e = inflate_some(d, idx - 1, in, n, out, ctx, errmsg)))
			return e;
		in += n;
		len -= n;
	}
	return NK_OK;
}

nk_err
nk_decoder_write(nk_decoder *d, const void *in, size_t len,
                 nk_decode_out out, void *ctx, char *errmsg)
{
	if (d->err)
		return nk_fail(errmsg, d->err, "content decoding failed earlier");
	d->started = 1;
	if (len == 0)
		return NK_OK;
	d->bytes_in += len;
	nk_err e = push(d, d->n, in, len, out, ctx, errmsg);
	if (e)
		d->err = e;
	return e;
}

nk_err
nk_decoder_finish(nk_decoder *d, nk_decode_out out, void *ctx, char *errmsg)
{
	(void)out;
	(void)ctx;
	if (d->err)
		return nk_fail(errmsg, d->err, "content decoding failed earlier");
	d->started = 1;
	/* Every stage drains its output as it goes, so all that is left is to
	 * check that each stream that began also ended. */
	for (size_t i = d->n; i-- > 0;) {
		struct stage *s = d->st[i];
		if (s->got && !s->ended) {
			d->err = NK_ERR_BAD_CONTENT_ENCODING;
			return broken(s, "the stream is truncated", errmsg);
		}
	}
	return NK_OK;
}
