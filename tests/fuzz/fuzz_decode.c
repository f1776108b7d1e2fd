/* Fuzz target: the content decoder (nk_decoder_*: gzip, x-gzip, deflate
 * with and without the zlib wrapper, br, zstd, identity, stacked).
 *
 * Input: 8 bytes of options, then data.
 *   [0] number of codings, modulo 5 (0: pass-through)
 *   [1] the codings, two bits each, first applied first: gzip, deflate,
 *       x-gzip, identity
 *   [2] bit 0: round trip (the data is plain text: compress it here with
 *       zlib by the codings, decode, and demand the text back); bit 1: the
 *       codings as one header-style list (nk_decoder_add_list) instead of
 *       one call each; bit 2: deflate without the zlib wrapper (raw);
 *       bit 3 + i: coding i is the other family's (gzip and x-gzip
 *       become br, deflate becomes zstd)
 *   [3] level for the round trip (modulo 10; br quality and zstd level
 *       too); bit 7 with zstd: a window of 16 MiB, which must be refused
 *   [4..7] seed of the split points
 *
 * The data is decoded whole, byte by byte and in pieces the seed picks;
 * output, error and message must be the same, output pieces at most
 * 16 KiB, and the byte counters right. Output is capped at 1 MiB (the
 * callback refuses more), so a compression bomb ends early but the same
 * way in every run. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include <brotli/encode.h>
#include <zstd.h>

#include "nk/http.h"
#include "fuzz.h"

#define MAX_OUT (1u << 20)
#define MAX_CODINGS 4

struct sink {
	struct fuzz_tr data;
	uint64_t offered;     /* bytes handed to out, refused ones too */
};

static nk_err
sink_out(void *ctx, const char *data, size_t len, char *errmsg)
{
	struct sink *s = ctx;
	FUZZ_CHECK(len > 0 && len <= 16384, "output piece of %zu bytes", len);
	s->offered += len;
	/* keep what fits, byte-exact: how the output was cut into pieces
	 * depends on the input's split, the bytes do not */
	size_t take = MAX_OUT - s->data.len < len ? MAX_OUT - s->data.len : len;
	fuzz_tr_add(&s->data, data, take);
	if (take < len) {
		snprintf(errmsg, NK_ERR_MSG_LEN, "over %u bytes", MAX_OUT);
		return NK_ERR_FILESIZE_EXCEEDED;
	}
	return NK_OK;
}

enum { GZIP, DEFLATE, XGZIP, IDENTITY, BR, ZSTD };
static const char *const names[] = { "gzip", "deflate", "x-gzip",
	                                 "identity", "br", "zstd" };

struct spec {
	int n;
	int kind[MAX_CODINGS];
	int list;
	int raw;
	int level;
	int bigwin;
};

struct result {
	nk_err err;
	char msg[NK_ERR_MSG_LEN];
	struct sink out;
	uint64_t in, outn;
};

static nk_err
add_codings(nk_decoder *d, const struct spec *s, char *msg)
{
	nk_err e;
	if (s->list) {
		char list[64];
		size_t len = 0;
		for (int i = 0; i < s->n; i++)
			len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
			                        i ? ", " : "", names[s->kind[i]]);
		return nk_decoder_add_list(d, list, len, msg);
	}
	for (int i = 0; i < s->n; i++)
		if ((e = nk_decoder_add(d, names[s->kind[i]],
		                        strlen(names[s->kind[i]]), msg)))
			return e;
	return NK_OK;
}

static void
decode(const struct spec *s, const uint8_t *in, size_t n, int mode,
       uint32_t seed, struct result *r)
{
	nk_decoder *d;
	struct fuzz_rng rng = { seed };
	size_t off = 0;

	memset(r, 0, sizeof *r);
	FUZZ_CHECK(nk_decoder_new(&d, r->msg) == NK_OK, "decoder_new");
	r->err = add_codings(d, s, r->msg);
	FUZZ_CHECK(r->err == NK_OK, "adding codings: %s", r->msg);
	int active = 0;
	for (int i = 0; i < s->n; i++)
		active |= s->kind[i] != IDENTITY;
	FUZZ_CHECK(nk_decoder_active(d) == active, "nk_decoder_active %d, "
	           "want %d", nk_decoder_active(d), active);
	while (off < n && !r->err) {
		size_t k = mode == 0 ? n : mode == 1 ? 1 : fuzz_piece(&rng, n - off);
		/* each piece in a buffer of its own size: no read past it */
		char *piece = fuzz_dup(in + off, k);
		r->err = nk_decoder_write(d, piece, k, sink_out, &r->out, r->msg);
		free(piece);
		off += k;
	}
	if (!r->err)
		r->err = nk_decoder_finish(d, sink_out, &r->out, r->msg);
	else {
		/* errors are sticky */
		char msg2[NK_ERR_MSG_LEN];
		nk_err again = nk_decoder_write(d, "x", 1, sink_out, &r->out, msg2);
		FUZZ_CHECK(again == r->err, "error %d not sticky (%d)", r->err,
		           again);
	}
	r->in = nk_decoder_bytes_in(d);
	r->outn = nk_decoder_bytes_out(d);
	nk_decoder_free(d);
	/* "bytes handed to out": a piece out refused counts too */
	FUZZ_CHECK(r->outn == r->out.offered, "bytes_out %llu, handed out %llu",
	           (unsigned long long)r->outn,
	           (unsigned long long)r->out.offered);
	if (!r->err)
		FUZZ_CHECK(r->in == n, "bytes_in %llu of %zu",
		           (unsigned long long)r->in, n);
}

/* lossy: a br stage is in the stack. libbrotli drops what it decoded in
 * the call that finds the data broken, so before such an error the
 * output may stop at a different place for another split (and a stage
 * below may see more, and fail first), but one run's output is always the
 * start of the other's. */
static void
same(const struct result *a, const struct result *b, int lossy,
     const char *what)
{
	lossy = lossy && a->err == NK_ERR_BAD_CONTENT_ENCODING;
	FUZZ_CHECK(a->err == b->err && (lossy || strcmp(a->msg, b->msg) == 0),
	           "%s: %d \"%s\" vs %d \"%s\"", what, a->err, a->msg, b->err,
	           b->msg);
	if (!lossy) {
		fuzz_tr_same(&a->out.data, &b->out.data, what);
		return;
	}
	size_t n = a->out.data.len < b->out.data.len ? a->out.data.len
	                                             : b->out.data.len;
	FUZZ_CHECK(n == 0 || memcmp(a->out.data.p, b->out.data.p, n) == 0,
	           "%s: the outputs differ in their first %zu bytes", what, n);
}

static size_t
brotli(int level, const uint8_t *in, size_t n, uint8_t **out)
{
	size_t m = BrotliEncoderMaxCompressedSize(n) + 64;
	*out = malloc(m);
	FUZZ_CHECK(*out != NULL, "out of memory");
	FUZZ_CHECK(BrotliEncoderCompress(level, 16, BROTLI_MODE_GENERIC, n, in,
	                                 &m, *out), "BrotliEncoderCompress");
	return m;
}

/* One frame, its size not told first: the window stays 1 << wlog. */
static size_t
zstd(int level, int wlog, const uint8_t *in, size_t n, uint8_t **out)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	FUZZ_CHECK(c != NULL, "out of memory");
	ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level);
	ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, wlog);
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	size_t cap = ZSTD_compressBound(n) + 64;
	*out = malloc(cap);
	FUZZ_CHECK(*out != NULL, "out of memory");
	ZSTD_outBuffer ob = { *out, cap, 0 };
	ZSTD_inBuffer ib = { in, n, 0 }, none = { "", 0, 0 };
	FUZZ_CHECK(!ZSTD_isError(ZSTD_compressStream2(c, &ob, &ib,
	                                              ZSTD_e_continue)) &&
	           ZSTD_compressStream2(c, &ob, &none, ZSTD_e_end) == 0,
	           "ZSTD_compressStream2");
	ZSTD_freeCCtx(c);
	return ob.pos;
}

/* Compression of in by one coding: a malloc'd buffer in *out. */
static size_t
squeeze(int kind, const struct spec *s, const uint8_t *in, size_t n,
        uint8_t **out)
{
	if (kind == BR)
		return brotli(s->level, in, n, out);
	if (kind == ZSTD)
		return zstd(s->level + 1, s->bigwin ? 24 : 20, in, n, out);
	int raw = s->raw, level = s->level;
	z_stream z;
	int wbits = kind == DEFLATE ? (raw ? -15 : 15) : 31;
	memset(&z, 0, sizeof z);
	FUZZ_CHECK(deflateInit2(&z, level, Z_DEFLATED, wbits, 8,
	                        Z_DEFAULT_STRATEGY) == Z_OK, "deflateInit2");
	size_t cap = deflateBound(&z, (uLong)n) + 64;
	*out = malloc(cap);
	FUZZ_CHECK(*out != NULL, "out of memory");
	z.next_in = (uint8_t *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = *out;
	z.avail_out = (uInt)cap;
	FUZZ_CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END, "deflate");
	size_t m = cap - z.avail_out;
	deflateEnd(&z);
	return m;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = FUZZ_IN(data, size);
	struct spec s;
	uint8_t b0 = fuzz_u8(&in), b1 = fuzz_u8(&in), b2 = fuzz_u8(&in);
	uint8_t b3 = fuzz_u8(&in);
	uint32_t seed = fuzz_u32(&in);

	s.n = b0 % 5;
	for (int i = 0; i < MAX_CODINGS; i++) {
		s.kind[i] = (b1 >> (2 * i)) & 3;
		if (b2 & (8 << i) && s.kind[i] != IDENTITY)
			s.kind[i] = s.kind[i] == DEFLATE ? ZSTD : BR;
	}
	s.list = (b2 & 2) != 0;
	s.raw = (b2 & 4) != 0;
	s.level = (b3 & 0x7f) % 10;
	s.bigwin = (b3 & 0x80) != 0;

	const uint8_t *bytes = in.p;
	size_t n = in.n;
	uint8_t *owned = NULL;
	if (b2 & 1) {
		/* round trip: apply the codings in order, as a sender does */
		for (int i = 0; i < s.n; i++) {
			if (s.kind[i] == IDENTITY)
				continue;
			uint8_t *c;
			size_t m = squeeze(s.kind[i], &s, bytes, n, &c);
			free(owned);
			owned = c;
			bytes = c;
			n = m;
		}
	}

	struct result whole, ones, pieces;
	decode(&s, bytes, n, 0, seed, &whole);
	decode(&s, bytes, n, 1, seed, &ones);
	decode(&s, bytes, n, 2, seed, &pieces);
	int lossy = 0;
	for (int i = 0; i < s.n; i++)
		lossy |= s.kind[i] == BR;
	same(&whole, &ones, lossy, "whole vs byte by byte");
	same(&whole, &pieces, lossy, "whole vs pieces");
	if (b2 & 1) {
		int big = 0;
		for (int i = 0; i < s.n; i++)
			big |= s.bigwin && s.kind[i] == ZSTD;
		/* a zstd window over 8 MiB is refused, whatever it holds */
		if (big)
			FUZZ_CHECK(whole.err == NK_ERR_BAD_CONTENT_ENCODING &&
			           strstr(whole.msg, "8 MiB") != NULL,
			           "a 16 MiB zstd window gave %d \"%s\"", whole.err,
			           whole.msg);
		/* the text comes back, unless it is over the cap */
		else if (in.n <= MAX_OUT) {
			FUZZ_CHECK(whole.err == NK_OK, "round trip failed: %d \"%s\"",
			           whole.err, whole.msg);
			FUZZ_CHECK(whole.out.data.len == in.n &&
			           (in.n == 0 ||
			            memcmp(whole.out.data.p, in.p, in.n) == 0),
			           "round trip gave %zu bytes, not the %zu sent",
			           whole.out.data.len, in.n);
		}
	}
	fuzz_tr_free(&whole.out.data);
	fuzz_tr_free(&ones.out.data);
	fuzz_tr_free(&pieces.out.data);
	free(owned);
	return 0;
}
