/* Unit tests of the content decoder: gzip, x-gzip, deflate with and without
 * the zlib wrapper, br, zstd, identity and stacks of codings, with inputs
 * made here by zlib, libbrotlienc and libzstd; corrupt, truncated and trailing data; the output callback's
 * contract (chunks of at most 16 KiB, errors stop decoding). Every case
 * runs whole, byte by byte and split in two at every point. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <brotli/encode.h>
#include <zstd.h>
#include <cmocka.h>

#include "nk/http.h"

#define NK_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

enum { GZIP = 31, ZLIB = 15, RAW = -15 };

struct bytes {
	unsigned char *p;
	size_t n;
};

/* Compresses with zlib: wbits GZIP, ZLIB or RAW. */
static struct bytes
squeeze(int wbits, const void *in, size_t n)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, wbits, 8,
	                              Z_DEFAULT_STRATEGY), Z_OK);
	struct bytes out;
	size_t cap = deflateBound(&z, (uLong)n) + 64;
	out.p = malloc(cap);
	assert_non_null(out.p);
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = out.p;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	out.n = cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

static struct bytes
squeeze_b(int wbits, struct bytes in)
{
	struct bytes o = squeeze(wbits, in.p, in.n);
	free(in.p);
	return o;
}

static struct bytes
dup_bytes(const void *p, size_t n)
{
	struct bytes b = { malloc(n + 1), n };
	assert_non_null(b.p);
	memcpy(b.p, p, n);
	return b;
}

static struct bytes
cat(struct bytes a, const void *p, size_t n)
{
	a.p = realloc(a.p, a.n + n + 1);
	assert_non_null(a.p);
	memcpy(a.p + a.n, p, n);
	a.n += n;
	return a;
}

/* ---- the sink ------------------------------------------------------ */

struct sink {
	unsigned char *p;
	size_t n, cap;
	size_t calls, biggest;
	size_t limit;          /* 0: none; else fail past it */
};

static nk_err
sink_out(void *ctx, const char *data, size_t len, char *errmsg)
{
	struct sink *s = ctx;
	assert_true(len > 0);
	s->calls++;
	if (len > s->biggest)
		s->biggest = len;
	if (s->limit && s->n + len > s->limit) {
		snprintf(errmsg, NK_ERR_MSG_LEN, "more than %zu bytes", s->limit);
		return NK_ERR_FILESIZE_EXCEEDED;
	}
	if (s->n + len > s->cap) {
		s->cap = (s->n + len) * 2;
		s->p = realloc(s->p, s->cap);
		assert_non_null(s->p);
	}
	memcpy(s->p + s->n, data, len);
	s->n += len;
	return NK_OK;
}

struct run {
	nk_err err;
	char msg[NK_ERR_MSG_LEN];
	struct sink out;
	uint64_t in, outn;
};

/* Decodes `in` given as pieces ending at cuts[], codings as a header. */
static void
decode(const char *codings, struct bytes in, const size_t *cuts,
       size_t ncuts, size_t limit, struct run *r)
{
	nk_decoder *d;
	memset(r, 0, sizeof(*r));
	r->out.limit = limit;
	assert_int_equal(nk_decoder_new(&d, r->msg), NK_OK);
	r->err = nk_decoder_add_list(d, codings, strlen(codings), r->msg);
	size_t at = 0;
	for (size_t i = 0; !r->err && i < ncuts; i++) {
		r->err = nk_decoder_write(d, in.p + at, cuts[i] - at, sink_out,
		                          &r->out, r->msg);
		at = cuts[i];
	}
	if (!r->err)
		r->err = nk_decoder_finish(d, sink_out, &r->out, r->msg);
	r->in = nk_decoder_bytes_in(d);
	r->outn = nk_decoder_bytes_out(d);
	nk_decoder_free(d);
}

static void
free_run(struct run *r)
{
	free(r->out.p);
}

/* Runs whole, byte by byte (if small) and at every split point (if
 * small), checks all agree, and returns the whole run in *whole. */
static void
decode_all(const char *codings, struct bytes in, struct run *whole)
{
	size_t cut = in.n;
	struct run part;
	decode(codings, in, &cut, 1, 0, whole);
	assert_int_equal(whole->outn, whole->out.n);
	if (!whole->err)
		assert_int_equal(whole->in, in.n);
	assert_true(whole->out.biggest <= 16384);
	if (in.n > 4096)
		return;
	size_t *cuts = malloc((in.n + 1) * sizeof(*cuts));
	assert_non_null(cuts);
	for (size_t i = 0; i < in.n; i++)
		cuts[i] = i + 1;
	for (int pass = 0; pass <= (int)in.n; pass++) {
		size_t nc;
		char how[48];
		if (pass == 0) {
			if (in.n < 2)
				continue;
			nc = in.n;
			snprintf(how, sizeof(how), "byte by byte");
		} else {
			size_t k = (size_t)pass;
			if (k >= in.n)
				break;
			cuts[0] = k;
			cuts[1] = in.n;
			nc = 2;
			snprintf(how, sizeof(how), "split at %zu", k);
		}
		decode(codings, in, cuts, nc, 0, &part);
		if (part.err != whole->err || strcmp(part.msg, whole->msg) != 0 ||
		    part.out.n != whole->out.n ||
		    (part.out.n && memcmp(part.out.p, whole->out.p, part.out.n) != 0)) {
			print_error("%s: %d \"%s\" (%zu bytes) vs whole %d \"%s\" "
			            "(%zu bytes)\n", how, part.err, part.msg,
			            part.out.n, whole->err, whole->msg, whole->out.n);
			fail();
		}
		free_run(&part);
		if (pass == 0) {
			/* restore for the split passes */
			for (size_t i = 0; i < in.n; i++)
				cuts[i] = i + 1;
		}
	}
	free(cuts);
}

static const char text[] =
	"It was the best of times, it was the worst of times, it was the age "
	"of wisdom, it was the age of foolishness, it was the epoch of belief.";

static void
expect_text(struct run *r)
{
	if (r->err)
		print_error("error %d \"%s\"\n", r->err, r->msg);
	assert_int_equal(r->err, NK_OK);
	assert_int_equal(r->out.n, sizeof(text) - 1);
	assert_memory_equal(r->out.p, text, sizeof(text) - 1);
}

/* ---- cases --------------------------------------------------------- */

static void
test_gzip(void **state)
{
	(void)state;
	struct run r;
	struct bytes z = squeeze(GZIP, text, sizeof(text) - 1);
	decode_all("gzip", z, &r);
	expect_text(&r);
	free_run(&r);
	decode_all("X-GZIP", z, &r);
	expect_text(&r);
	free_run(&r);
	free(z.p);
}

static void
test_deflate_zlib(void **state)
{
	(void)state;
	struct run r;
	struct bytes z = squeeze(ZLIB, text, sizeof(text) - 1);
	assert_int_equal(z.p[0], 0x78);
	decode_all("deflate", z, &r);
	expect_text(&r);
	free_run(&r);
	free(z.p);
}

static void
test_deflate_raw(void **state)
{
	(void)state;
	struct run r;
	struct bytes z = squeeze(RAW, text, sizeof(text) - 1);
	decode_all("Deflate", z, &r);
	expect_text(&r);
	free_run(&r);
	free(z.p);
}

static void
test_identity(void **state)
{
	(void)state;
	struct run r;
	struct bytes b = dup_bytes(text, sizeof(text) - 1);
	decode_all("identity", b, &r);
	expect_text(&r);
	free_run(&r);
	decode_all("", b, &r);
	expect_text(&r);
	free_run(&r);
	/* what some servers send for identity, and curl accepts */
	decode_all("None", b, &r);
	expect_text(&r);
	free_run(&r);
	free(b.p);
}

/* "Content-Encoding: gzip, deflate": gzip was applied first. */
static void
test_stacked(void **state)
{
	(void)state;
	struct run r;
	struct bytes z = squeeze_b(ZLIB, squeeze(GZIP, text, sizeof(text) - 1));
	decode_all("gzip, identity, deflate", z, &r);
	expect_text(&r);
	free_run(&r);
	/* the wrong order does not decode */
	decode_all("deflate, gzip", z, &r);
	assert_int_equal(r.err, NK_ERR_BAD_CONTENT_ENCODING);
	assert_string_equal(r.msg, "broken gzip data: incorrect header check");
	free_run(&r);
	free(z.p);
}

static void
test_gzip_members(void **state)
{
	(void)state;
	struct run r;
	size_t half = 60;
	struct bytes a = squeeze(GZIP, text, half);
	struct bytes b = squeeze(GZIP, text + half, sizeof(text) - 1 - half);
	a = cat(a, b.p, b.n);
	decode_all("gzip", a, &r);
	expect_text(&r);
	free_run(&r);
	/* and garbage after the last member */
	a = cat(a, "junk", 4);
	decode_all("gzip", a, &r);
	assert_int_equal(r.err, NK_ERR_BAD_CONTENT_ENCODING);
	assert_string_equal(r.msg, "broken gzip data: incorrect header check");
	free_run(&r);
	free(a.p);
	free(b.p);
}

static void
test_deflate_trailing(void **state)
{
	(void)state;
	struct run r;
	struct bytes z = squeeze(ZLIB, text, sizeof(text) - 1);
	z = cat(z, "x", 1);
	decode_all("deflate", z, &r);
	assert_int_equal(r.err, NK_ERR_BAD_CONTENT_ENCODING);
	assert_string_equal(r.msg, "broken deflate data: data after the end of "
	                    "the stream");
	assert_memory_equal(r.out.p, text, sizeof(text) - 1);
	free_run(&r);
	free(z.p);
}

static void
test_corrupt(void **state)
{
	(void)state;
	struct run r;
	struct bytes z = squeeze(GZIP, text, sizeof(text) - 1);

	/* a wrong CRC-32 in the trailer */
	z.p[z.n - 8] ^= 0x55;
	decode_all("gzip", z, &r);
	assert_int_equal(r.err, NK_ERR_BAD_CONTENT_ENCODING);
	assert_string_equal(r.msg, "broken gzip data: incorrect data check");
	free_run(&r);
	z.p[z.n - 8] ^= 0x55;

	/* a wrong length in the trailer */
	z.p[z.n - 1] ^= 0x01;
	decode_all("gzip", z, &r);
	assert_int_equal(r.err, NK_ERR_BAD_CONTENT_ENCODING);
	assert_string_equal(r.msg, "broken gzip data: incorrect length check");
	free_run(&r);
	z.p[z.n - 1] ^= 0x01;

	/* not gzip at all */
	struct bytes plain = dup_bytes(text, sizeof(text) - 1);
	decode_all("gzip", plain, &r);
	assert_int_equal(r.err, NK_ERR_BAD_CONTENT_ENCODING);
	assert_string_equal(r.msg, "broken gzip data: incorrect header check");
	free_run(&r);

	/* a bad block type in raw deflate (BTYPE 11) */
	struct bytes bad = dup_bytes("\x07\x00\x00\x00", 4);
	decode_all("deflate", bad, &r);
	assert_int_equal(r.err, NK_ERR_BAD_CONTENT_ENCODING);
	assert_string_equal(r.msg, "broken deflate data: invalid block type");
	free_run(&r);
	free(bad.p);
	free(plain.p);
	free(z.p);
}

static void
test_truncated(void **state)
{
	(void)state;
	struct run r;
	struct bytes z = squeeze(GZIP, text, sizeof(text) - 1);
	const char *codings[] = { "gzip", "deflate" };
	for (size_t c = 0; c < 2; c++) {
		if (c == 1) {
			free(z.p);
			z = squeeze(ZLIB, text, sizeof(text) - 1);
		}
		size_t full = z.n;
		const size_t cut[] = { 1, 2, 10, full / 2, full - 1 };
		for (size_t i = 0; i < NK_ARRAY_LEN(cut); i++) {
			z.n = cut[i];
			decode_all(codings[c], z, &r);
			assert_int_equal(r.err, NK_ERR_BAD_CONTENT_ENCODING);
			char want[64];
			snprintf(want, sizeof(want), "broken %s data: the stream is "
			         "truncated", codings[c]);
			assert_string_equal(r.msg, want);
			free_run(&r);
		}
		z.n = full;
	}
	free(z.p);
}

static void
test_empty(void **state)
{
	(void)state;
	struct run r;
	struct bytes none = dup_bytes("", 0);
	decode_all("gzip", none, &r);
	assert_int_equal(r.err, NK_OK);
	assert_int_equal(r.out.n, 0);
	assert_int_equal(r.out.calls, 0);
	free_run(&r);
	free(none.p);
}

static void
test_unknown(void **state)
{
	(void)state;
	char msg[NK_ERR_MSG_LEN];
	nk_decoder *d;
	assert_int_equal(nk_decoder_new(&d, msg), NK_OK);
	assert_int_equal(nk_decoder_add_list(d, "gzip, lzma", 10, msg),
	                 NK_ERR_BAD_CONTENT_ENCODING);
	assert_string_equal(msg, "unsupported content encoding \"lzma\"");
	assert_int_equal(nk_decoder_add(d, "compress", 8, msg),
	                 NK_ERR_BAD_CONTENT_ENCODING);
	assert_string_equal(msg, "unsupported content encoding \"compress\"");
	assert_int_equal(nk_decoder_add(d, "gzip\r\n", 6, msg),
	                 NK_ERR_BAD_CONTENT_ENCODING);
	assert_string_equal(msg, "unsupported content encoding \"gzip\\r\\n\"");
	nk_decoder_free(d);

	/* at most 5 stacked codings */
	assert_int_equal(nk_decoder_new(&d, msg), NK_OK);
	assert_int_equal(nk_decoder_add_list(d, "gzip,gzip,gzip,gzip,gzip", 24,
	                                     msg), NK_OK);
	assert_true(nk_decoder_active(d));
	assert_int_equal(nk_decoder_add(d, "deflate", 7, msg),
	                 NK_ERR_BAD_CONTENT_ENCODING);
	assert_string_equal(msg, "more than 5 stacked content encodings");
	nk_decoder_free(d);
	nk_decoder_free(NULL);

	/* no codings after the first write */
	struct sink s = { 0 };
	assert_int_equal(nk_decoder_new(&d, msg), NK_OK);
	assert_false(nk_decoder_active(d));
	assert_int_equal(nk_decoder_write(d, "ab", 2, sink_out, &s, msg), NK_OK);
	assert_int_equal(nk_decoder_add(d, "gzip", 4, msg),
	                 NK_ERR_BAD_FUNCTION_ARGUMENT);
	assert_int_equal(nk_decoder_finish(d, sink_out, &s, msg), NK_OK);
	assert_int_equal(s.n, 2);
	assert_memory_equal(s.p, "ab", 2);
	free(s.p);
	nk_decoder_free(d);
}

/* 8 MiB of zeros is a few KiB of gzip: output comes in 16 KiB pieces, and
 * the callback can stop it (how --max-filesize guards against bombs). */
static void
test_big_and_limit(void **state)
{
	(void)state;
	size_t n = 8u << 20;
	unsigned char *zeros = calloc(1, n);
	assert_non_null(zeros);
	/* some text in it too, so it is not just one repeated byte */
	for (size_t i = 0; i < n; i += 4096)
		memcpy(zeros + i, text, 40);
	struct bytes z = squeeze(GZIP, zeros, n);
	assert_true(z.n < n / 50);
	struct run r;
	decode_all("gzip", z, &r);
	assert_int_equal(r.err, NK_OK);
	assert_int_equal(r.out.n, n);
	assert_memory_equal(r.out.p, zeros, n);
	assert_int_equal(r.out.biggest, 16384);
	assert_int_equal(r.in, z.n);
	assert_int_equal(r.outn, n);
	free_run(&r);

	/* in 1000-byte reads */
	size_t nc = (z.n + 999) / 1000, *cuts = malloc(nc * sizeof(*cuts));
	assert_non_null(cuts);
	for (size_t i = 0; i < nc; i++)
		cuts[i] = (i + 1) * 1000 < z.n ? (i + 1) * 1000 : z.n;
	decode("gzip", z, cuts, nc, 0, &r);
	assert_int_equal(r.err, NK_OK);
	assert_int_equal(r.out.n, n);
	assert_memory_equal(r.out.p, zeros, n);
	free_run(&r);

	/* the callback's limit stops decoding, and the error sticks */
	decode("gzip", z, cuts, nc, 1000000, &r);
	assert_int_equal(r.err, NK_ERR_FILESIZE_EXCEEDED);
	assert_string_equal(r.msg, "more than 1000000 bytes");
	assert_true(r.out.n <= 1000000);
	assert_true(r.out.n > 1000000 - 16384);
	free_run(&r);
	free(cuts);

	nk_decoder *d;
	char msg[NK_ERR_MSG_LEN];
	struct sink s = { .limit = 10 };
	assert_int_equal(nk_decoder_new(&d, msg), NK_OK);
	assert_int_equal(nk_decoder_add(d, "gzip", 4, msg), NK_OK);
	assert_int_equal(nk_decoder_write(d, z.p, z.n, sink_out, &s, msg),
	                 NK_ERR_FILESIZE_EXCEEDED);
	assert_int_equal(nk_decoder_write(d, "x", 1, sink_out, &s, msg),
	                 NK_ERR_FILESIZE_EXCEEDED);
	assert_string_equal(msg, "content decoding failed earlier");
	assert_int_equal(nk_decoder_finish(d, sink_out, &s, msg),
	                 NK_ERR_FILESIZE_EXCEEDED);
	nk_decoder_free(d);
	free(s.p);
	free(z.p);
	free(zeros);
}

/* The codings of a response: Content-Encoding, then Transfer-Encoding
 * without chunked. */
static void
test_add_response(void **state)
{
	(void)state;
	struct bytes z = squeeze_b(GZIP, squeeze(ZLIB, text, sizeof(text) - 1));
	char head[] = "HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n"
	              "Transfer-Encoding: gzip, chunked\r\n\r\n";
	struct nk_http_header h[8];
	struct nk_http_parser p = { 0 };
	struct nk_http_response res = { .headers = h, .max_headers = 8 };
	char msg[NK_ERR_MSG_LEN];
	assert_int_equal(nk_http_parse_response(&p, head, sizeof(head) - 1, &res,
	                                        msg), NK_OK);
	struct nk_http_body b = { 0 };
	assert_int_equal(nk_http_body_init(&b, "GET", &res, msg), NK_OK);
	assert_int_equal(b.mode, NK_HTTP_BODY_CHUNKED);
	assert_int_equal(b.te_codings, 1);

	nk_decoder *d;
	struct sink s = { 0 };
	assert_int_equal(nk_decoder_new(&d, msg), NK_OK);
	assert_int_equal(nk_decoder_add_response(d, &res, NK_DECODE_TRANSFER |
	                                         NK_DECODE_CONTENT, msg), NK_OK);
	assert_int_equal(nk_decoder_write(d, z.p, z.n, sink_out, &s, msg), NK_OK);
	assert_int_equal(nk_decoder_finish(d, sink_out, &s, msg), NK_OK);
	assert_int_equal(s.n, sizeof(text) - 1);
	assert_memory_equal(s.p, text, s.n);
	nk_decoder_free(d);
	free(s.p);

	/* transfer codings only: the content coding stays */
	memset(&s, 0, sizeof(s));
	assert_int_equal(nk_decoder_new(&d, msg), NK_OK);
	assert_int_equal(nk_decoder_add_response(d, &res, NK_DECODE_TRANSFER,
	                                         msg), NK_OK);
	assert_int_equal(nk_decoder_write(d, z.p, z.n, sink_out, &s, msg), NK_OK);
	assert_int_equal(nk_decoder_finish(d, sink_out, &s, msg), NK_OK);
	assert_int_equal(s.p[0], 0x78);
	nk_decoder_free(d);
	free(s.p);
	free(z.p);

	/* an unknown content coding */
	char head2[] = "HTTP/1.1 200 OK\r\nContent-Encoding: lzma\r\n\r\n";
	struct nk_http_parser p2 = { 0 };
	assert_int_equal(nk_http_parse_response(&p2, head2, sizeof(head2) - 1,
	                                        &res, msg), NK_OK);
	assert_int_equal(nk_decoder_new(&d, msg), NK_OK);
	assert_int_equal(nk_decoder_add_response(d, &res, NK_DECODE_TRANSFER,
	                                         msg), NK_OK);
	assert_false(nk_decoder_active(d));
	assert_int_equal(nk_decoder_add_response(d, &res, NK_DECODE_CONTENT,
	                                         msg),
	                 NK_ERR_BAD_CONTENT_ENCODING);
	assert_string_equal(msg, "unsupported content encoding \"lzma\"");
	nk_decoder_free(d);
}

/* ---- br and zstd ---------------------------------------------------- */

static struct bytes
brotli(const void *in, size_t n)
{
	size_t cap = BrotliEncoderMaxCompressedSize(n) + 64, len = cap;
	unsigned char *p = malloc(cap);
	assert_non_null(p);
	/* the encoder fails only on a bad argument: a bug here, not a result */
	if (!BrotliEncoderCompress(5, 22, BROTLI_MODE_GENERIC, n, in, &len, p)) {
		free(p);
		abort();
	}
	struct bytes out = { p, len };
	return out;
}

/* A zstd frame of in[0..n) with the window 1 << wlog, checksummed. The
 * size is not told in advance, so the frame keeps that window however
 * small the data. */
static struct bytes
zstd(const void *in, size_t n, int wlog)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	assert_non_null(c);
	assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog,
	                                                 wlog)));
	/* a checksum, as the zstd command puts */
	assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag,
	                                                 1)));
	struct bytes out;
	size_t cap = ZSTD_compressBound(n) + 64;
	out.p = malloc(cap);
	assert_non_null(out.p);
	ZSTD_outBuffer ob = { out.p, cap, 0 };
	ZSTD_inBuffer ib = { in, n, 0 };
	assert_false(ZSTD_isError(ZSTD_compressStream2(c, &ob, &ib,
	                                               ZSTD_e_continue)));
	ZSTD_inBuffer none = { "", 0, 0 };
	assert_int_equal(ZSTD_compressStream2(c, &ob, &none, ZSTD_e_end), 0);
	out.n = ob.pos;
	ZSTD_freeCCtx(c);
	return out;
}

static void
expect_error(struct run *r, const char *msg)
{
	assert_int_equal(r->err, NK_ERR_BAD_CONTENT_ENCODING);
	assert_string_equal(r->msg, msg);
}

static void
test_br(void **state)
{
	(void)state;
	struct run r;
	struct bytes z = brotli(text, sizeof(text) - 1);
	decode_all("br", z, &r);
	expect_text(&r);
	free_run(&r);
	decode_all("BR", z, &r);
	expect_text(&r);
	free_run(&r);

	/* nothing may follow the one stream */
	z = cat(z, "x", 1);
	decode_all("br", z, &r);
	expect_error(&r, "broken br data: data after the end of the stream");
	assert_memory_equal(r.out.p, text, sizeof(text) - 1);
	free_run(&r);
	z.n--;

	/* cut anywhere */
	size_t full = z.n;
	for (size_t cut = 1; cut < full; cut++) {
		z.n = cut;
		decode_all("br", z, &r);
		expect_error(&r, "broken br data: the stream is truncated");
		free_run(&r);
	}

	/* not br */
	struct bytes plain = dup_bytes(text, sizeof(text) - 1);
	decode_all("br", plain, &r);
	expect_error(&r, "broken br data: invalid data");
	free_run(&r);
	free(plain.p);
	free(z.p);
}

static void
test_zstd(void **state)
{
	(void)state;
	struct run r;
	struct bytes z = zstd(text, sizeof(text) - 1, 20);
	decode_all("zstd", z, &r);
	expect_text(&r);
	free_run(&r);

	size_t full = z.n;
	for (size_t cut = 1; cut < full; cut++) {
		z.n = cut;
		decode_all("zstd", z, &r);
		expect_error(&r, "broken zstd data: the stream is truncated");
		free_run(&r);
	}
	z.n = full;

	/* what follows a frame must be a frame */
	z = cat(z, "junk", 4);
	decode_all("zstd", z, &r);
	expect_error(&r, "broken zstd data: unknown frame descriptor");
	assert_memory_equal(r.out.p, text, sizeof(text) - 1);
	free_run(&r);

	/* a wrong checksum */
	z.n = full;
	z.p[z.n - 1] ^= 0x40;
	decode_all("zstd", z, &r);
	expect_error(&r, "broken zstd data: restored data doesn't match "
	             "checksum");
	free_run(&r);
	free(z.p);
}

/* Frames one after another, a skippable one (RFC 8878 §3.1.2) among them,
 * are one body; the cut between two frames is a clean end. */
static void
test_zstd_frames(void **state)
{
	(void)state;
	struct run r;
	size_t half = 50;
	struct bytes a = zstd(text, half, 18);
	struct bytes b = zstd(text + half, sizeof(text) - 1 - half, 19);
	static const unsigned char skip[] = { 0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0,
	                                      'n', 'k', '!' };
	size_t first = a.n;
	a = cat(a, skip, sizeof(skip));
	a = cat(a, b.p, b.n);
	decode_all("zstd", a, &r);
	expect_text(&r);
	free_run(&r);

	a.n = first;
	decode_all("zstd", a, &r);
	assert_int_equal(r.err, NK_OK);
	assert_int_equal(r.out.n, half);
	free_run(&r);
	a.n = first + 5;
	decode_all("zstd", a, &r);
	expect_error(&r, "broken zstd data: the stream is truncated");
	free_run(&r);
	free(a.p);
	free(b.p);
}

/* A block longer than one 16 KiB piece of output, then a bad block
 * header: all of the block comes out before the error, however the input
 * was split (libzstd, given both in one call, drops the block's output). */
static void
test_zstd_bad_header_after_block(void **state)
{
	(void)state;
	static const unsigned char frame[] = {
		0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58,   /* magic; checksum, 2 MiB */
		0x1a, 0x69, 0x02, 0x1f,               /* RLE block: 19747 x 0x1f */
		0x6d, 0x81, 0x81,                     /* a block of over 1 MiB */
	};
	struct run r;
	struct bytes z = dup_bytes(frame, sizeof(frame));
	decode_all("zstd", z, &r);
	expect_error(&r, "broken zstd data: data corruption detected");
	assert_int_equal(r.out.n, 19747);
	for (size_t i = 0; i < r.out.n; i++)
		assert_int_equal(r.out.p[i], 0x1f);
	free_run(&r);
	free(z.p);
}

/* A window of 8 MiB decodes; 16 MiB is refused before anything is
 * allocated for it (RFC 9659 §3). */
static void
test_zstd_window(void **state)
{
	(void)state;
	struct run r;
	struct bytes z = zstd(text, sizeof(text) - 1, 23);
	decode_all("zstd", z, &r);
	expect_text(&r);
	free_run(&r);
	free(z.p);
	z = zstd(text, sizeof(text) - 1, 24);
	decode_all("zstd", z, &r);
	expect_error(&r, "broken zstd data: the window is over the 8 MiB limit");
	assert_int_equal(r.out.n, 0);
	free_run(&r);
	free(z.p);
}

/* "Content-Encoding: gzip, br": gzip first, br over it; and every other
 * pair of the four. */
static void
test_stacked_new(void **state)
{
	(void)state;
	struct run r;
	struct bytes g = squeeze(GZIP, text, sizeof(text) - 1);
	struct bytes z = brotli(g.p, g.n);
	decode_all("gzip, br", z, &r);
	expect_text(&r);
	free_run(&r);
	decode_all("br, gzip", z, &r);
	expect_error(&r, "broken gzip data: incorrect header check");
	free_run(&r);
	free(z.p);

	struct bytes b = brotli(text, sizeof(text) - 1);
	z = zstd(b.p, b.n, 20);
	struct bytes d = squeeze(ZLIB, z.p, z.n);
	decode_all("br, zstd, deflate", d, &r);
	expect_text(&r);
	free_run(&r);
	/* the inner br cut short: its error, through two stages */
	free(z.p);
	free(d.p);
	z = zstd(b.p, b.n - 1, 20);
	d = squeeze(ZLIB, z.p, z.n);
	decode_all("br, zstd, deflate", d, &r);
	expect_error(&r, "broken br data: the stream is truncated");
	free_run(&r);
	free(z.p);
	free(d.p);
	free(b.p);
	free(g.p);
}

/* 8 MiB out of each, in 16 KiB pieces, whole and in 1000-byte reads. */
static void
test_new_big(void **state)
{
	(void)state;
	size_t n = 8u << 20;
	unsigned char *data = calloc(1, n);
	assert_non_null(data);
	for (size_t i = 0; i < n; i += 4096)
		memcpy(data + i, text, 40 + i % 64);
	struct bytes zs[2] = { brotli(data, n), zstd(data, n, 23) };
	const char *names[2] = { "br", "zstd" };
	for (int k = 0; k < 2; k++) {
		struct run r;
		decode_all(names[k], zs[k], &r);
		assert_int_equal(r.err, NK_OK);
		assert_int_equal(r.out.n, n);
		assert_memory_equal(r.out.p, data, n);
		assert_int_equal(r.out.biggest, 16384);
		free_run(&r);
		size_t nc = (zs[k].n + 999) / 1000;
		size_t *cuts = malloc(nc * sizeof(*cuts));
		assert_non_null(cuts);
		for (size_t i = 0; i < nc; i++)
			cuts[i] = (i + 1) * 1000 < zs[k].n ? (i + 1) * 1000 : zs[k].n;
		decode(names[k], zs[k], cuts, nc, 1000000, &r);
		assert_int_equal(r.err, NK_ERR_FILESIZE_EXCEEDED);
		assert_true(r.out.n > 1000000 - 16384);
		free_run(&r);
		decode(names[k], zs[k], cuts, nc, 0, &r);
		assert_int_equal(r.err, NK_OK);
		assert_int_equal(r.out.n, n);
		assert_memory_equal(r.out.p, data, n);
		free_run(&r);
		free(cuts);
		free(zs[k].p);
	}
	free(data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_deflate_zlib),
		cmocka_unit_test(test_deflate_raw),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_stacked),
		cmocka_unit_test(test_gzip_members),
		cmocka_unit_test(test_deflate_trailing),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_big_and_limit),
		cmocka_unit_test(test_add_response),
		cmocka_unit_test(test_br),
		cmocka_unit_test(test_zstd),
		cmocka_unit_test(test_zstd_frames),
		cmocka_unit_test(test_zstd_bad_header_after_block),
		cmocka_unit_test(test_zstd_window),
		cmocka_unit_test(test_stacked_new),
		cmocka_unit_test(test_new_big),
	};
	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
