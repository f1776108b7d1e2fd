/* decode: streaming content decoding, the stack of codings. The codings
 * themselves are nk_codec steps: gzip and deflate (decode_zlib.c), br
 * (decode_br.c), zstd (decode_zstd.c).
 *
 * Codings form a stack: bytes go through the stage of the coding the
 * sender applied last, then the one before, and so on, to the caller's
 * output callback. Each stage owns one fixed output buffer, so memory does
 * not grow with the data or the compression ratio (beyond what a coding's
 * own window needs: 32 KiB for deflate, at most 16 MiB for br, at most
 * 8 MiB for zstd). */
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "core/internal.h"

#define OUT_CHUNK  16384
#define MAX_STAGES 5      /* curl's limit on stacked codings too */

struct stage {
	const struct nk_codec *c;
	void *st;                /* the codec's state, opened on first input */
	int ended;               /* the current stream ended */
	int got;                 /* any input at all */
	int pending;             /* out came back full: more may be waiting */
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
		if (d->st[i]->st)
			d->st[i]->c->close(d->st[i]->st);
		free(d->st[i]);
	}
	free(d);
}

nk_err
nk_decoder_add(nk_decoder *d, const char *coding, size_t len, char *errmsg)
{
	const struct nk_codec *c;

	if (d->started)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT, "decoder "
		               "codings added after decoding started");
	/* "none" is no registered coding, but servers send it meaning
	 * identity, and curl takes it so. */
	if (nk_http_eq(coding, len, "identity") || nk_http_eq(coding, len, "none"))
		return NK_OK;
	if (nk_http_eq(coding, len, "gzip") || nk_http_eq(coding, len, "x-gzip")) {
		c = &nk_codec_gzip;
	} else if (nk_http_eq(coding, len, "deflate")) {
		c = &nk_codec_deflate;
	} else if (nk_http_eq(coding, len, "br")) {
		c = &nk_codec_br;
	} else if (nk_http_eq(coding, len, "zstd")) {
		c = &nk_codec_zstd;
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
	s->c = c;
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
	               s->c->name, why ? why : "invalid");
}

static nk_err
no_memory(struct stage *s, char *errmsg)
{
	return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "%s decoder: out of memory",
	               s->c->name);
}

static nk_err push(nk_decoder *d, size_t idx, const unsigned char *in,
                   size_t len, nk_decode_out out, void *ctx, char *errmsg);

/* Runs stage idx over in[0..len) until the input is used up and nothing
 * is pending, handing each piece of output on as it comes. */
static nk_err
run_stage(nk_decoder *d, size_t idx, const unsigned char *in, size_t len,
          nk_decode_out out, void *ctx, char *errmsg)
{
	struct stage *s = d->st[idx];
	nk_err e;

	if (!s->st && !(s->st = s->c->open()))
		return no_memory(s, errmsg);
	for (;;) {
		if (s->ended) {
			if (len == 0)
				return NK_OK;
			/* More after the end: another gzip member or zstd frame,
			 * where the coding has them; an error where not. */
			if (!s->c->again)
				return broken(s, "data after the end of the stream", errmsg);
			if (s->c->reset(s->st))
				return no_memory(s, errmsg);
			s->ended = 0;
		}
		if (len == 0 && !s->pending)
			return NK_OK;
		size_t before = len, made = OUT_CHUNK;
		const char *why = NULL;
		int r = s->c->step(s->st, &in, &len, s->out, &made, &why);
		/* What came out before a failure goes out first, so the output
		 * does not depend on where the input was split. */
		if (made && (e = push(d, idx, s->out, made, out, ctx, errmsg)))
			return e;
		if (r == NK_CODEC_NOMEM)
			return no_memory(s, errmsg);
		if (r == NK_CODEC_BROKEN)
			return broken(s, why, errmsg);
		s->ended = r == NK_CODEC_END;
		s->pending = !s->ended && made == OUT_CHUNK;
		/* a step that takes input and makes nothing, or the reverse, is
		 * progress; one that does neither would loop for ever */
		if (!s->ended && made == 0 && len == before && len > 0)
			return broken(s, "the decoder made no progress", errmsg);
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
	d->st[idx - 1]->got = 1;
	return run_stage(d, idx - 1, in, len, out, ctx, errmsg);
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
