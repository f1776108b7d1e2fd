/* Fuzz target: the whole response read loop of nk/http.h, as its header
 * comment shows it: head parser, interim responses, body framing
 * (nk_http_body_*: length, chunked with trailers, close, tunnel),
 * transfer and content decoding (nk_decoder_*), and keep-alive responses
 * following each other on one connection.
 *
 * Input: 8 bytes of options, then what the server sends.
 *   [0] flags: bits 0-1 the method (GET, HEAD, CONNECT, POST); bit 2 small
 *       body limits from [1], [2]; bit 3 undo content codings too
 *   [1] body max_line - 1, [2] max_trailer / 4
 *   [3] unused, [4..7] seed of the read sizes
 *
 * The bytes arrive in one read, one byte per read, and in reads of sizes
 * the seed picks. Each run writes a transcript of everything it saw
 * (statuses, framing decisions, body and decoded bytes, completion,
 * errors and their messages); the three transcripts must be identical.
 * On the way, the contract of each call is checked: spans inside the
 * input, progress whenever the body is not done, the counts. */
#include <stdint.h>
#include <string.h>

#include "nk/http.h"
#include "fuzz.h"

#define MAX_RESPONSES 16
#define MAX_HEADERS 64
#define MAX_OUT (1u << 20)   /* decoded bytes kept per response */

struct opts {
	const char *method;
	size_t max_line, max_trailer;
	int content;
};

struct net {
	const char *in;
	size_t n, off;
	int mode;                /* 0 whole, 1 bytes, 2 pieces */
	struct fuzz_rng rng;
};

/* Reads into buf[len..cap): the next piece of the stream; 0 at EOF. */
static size_t
net_read(struct net *nt, char *buf, size_t len, size_t cap)
{
	size_t left = nt->n - nt->off, k;
	if (nt->mode == 0)
		k = left;
	else if (nt->mode == 1)
		k = left > 0;
	else
		k = fuzz_piece(&nt->rng, left);
	FUZZ_CHECK(len + k <= cap, "buffer too small");
	memcpy(buf + len, nt->in + nt->off, k);
	nt->off += k;
	return k;
}

struct sink {
	struct fuzz_tr data;
	size_t calls;
};

static nk_err
sink_out(void *ctx, const char *data, size_t len, char *errmsg)
{
	struct sink *s = ctx;
	FUZZ_CHECK(len > 0 && len <= 16384, "decoder output of %zu bytes", len);
	/* keep what fits, byte-exact: the pieces depend on the reads,
	 * the bytes do not */
	size_t take = MAX_OUT - s->data.len < len ? MAX_OUT - s->data.len : len;
	fuzz_tr_add(&s->data, data, take);
	if (take < len) {
		snprintf(errmsg, NK_ERR_MSG_LEN, "over %u decoded bytes", MAX_OUT);
		return NK_ERR_FILESIZE_EXCEEDED;
	}
	s->calls++;
	return NK_OK;
}

static void
tr_err(struct fuzz_tr *tr, char tag, nk_err e, const char *msg)
{
	fuzz_tr_ev(tr, tag, (uint64_t)e);
	if (e)
		fuzz_tr_add(tr, msg, strlen(msg) + 1);
}

/* One body, after its head: returns 0 to go on with the next response on
 * this connection, 1 when the connection is done. */
static int
body(const struct opts *o, struct net *nt, char *buf, size_t *lenp,
     size_t cap, const struct nk_http_response *res, struct fuzz_tr *tr)
{
	char msg[NK_ERR_MSG_LEN] = "";
	struct nk_http_body b = { 0 };
	nk_decoder *dec = NULL;
	struct sink raw = { { 0 }, 0 }, out = { { 0 }, 0 };
	size_t len = *lenp;
	int stop = 1;

	b.max_line = o->max_line;
	b.max_trailer = o->max_trailer;
	nk_err e = nk_http_body_init(&b, o->method, res, msg);
	tr_err(tr, 'i', e, msg);
	if (e)
		goto out;
	fuzz_tr_ev(tr, 'm', (uint64_t)b.mode);
	fuzz_tr_ev(tr, 'l', (uint64_t)b.length);
	fuzz_tr_ev(tr, 'k', (uint64_t)(b.keep_alive * 4 + b.te_and_cl * 2 +
	                                b.done));
	fuzz_tr_ev(tr, 't', (uint64_t)b.te_codings);
	FUZZ_CHECK(b.mode != NK_HTTP_BODY_LENGTH || b.length >= 0,
	           "LENGTH with length %lld", (long long)b.length);
	FUZZ_CHECK(b.mode == NK_HTTP_BODY_LENGTH || b.length == -1,
	           "length %lld outside LENGTH", (long long)b.length);
	if (b.mode == NK_HTTP_BODY_TUNNEL)
		goto out;            /* what follows is not HTTP */
	e = nk_decoder_new(&dec, msg);
	FUZZ_CHECK(!e, "nk_decoder_new: %s", msg);
	e = nk_decoder_add_response(dec, res, NK_DECODE_TRANSFER |
	                            (o->content ? NK_DECODE_CONTENT : 0u), msg);
	tr_err(tr, 'a', e, msg);
	if (e)
		goto out;
	/* the header views point into buf: the head goes now */
	memmove(buf, buf + res->head_len, len - res->head_len);
	len -= res->head_len;

	for (;;) {
		const char *q = buf;
		size_t left = len;
		while (left > 0 && !b.done) {
			size_t used;
			const char *d;
			size_t dn;
			uint64_t before = b.received;
			e = nk_http_body_feed(&b, q, left, &used, &d, &dn, msg);
			FUZZ_CHECK(used <= left, "used %zu of %zu", used, left);
			FUZZ_CHECK(dn == 0 || (d >= q && d + dn <= q + used),
			           "data span outside the bytes used");
			FUZZ_CHECK(b.received == before + dn, "received counts "
			           "%llu, not %llu + %zu", (unsigned long long)b.received,
			           (unsigned long long)before, dn);
			if (e) {
				tr_err(tr, 'f', e, msg);
				goto out;
			}
			FUZZ_CHECK(used > 0 || b.done, "no progress on %zu bytes "
			           "of an unfinished body", left);
			if (dn) {
				fuzz_tr_add(&raw.data, d, dn);
				e = nk_decoder_write(dec, d, dn, sink_out, &out, msg);
				if (e) {
					/* how much framed body was read by then depends
					 * on the reads; the decoded output does not */
					tr_err(tr, 'w', e, msg);
					raw.data.len = 0;
					goto out;
				}
			}
			q += used;
			left -= used;
		}
		memmove(buf, q, left);
		len = left;
		if (b.done)
			break;
		size_t k = net_read(nt, buf, len, cap);
		if (k == 0) {
			e = nk_http_body_eof(&b, msg);
			tr_err(tr, 'e', e, msg);
			if (e)
				goto out;
			FUZZ_CHECK(b.done, "body_eof succeeded but not done");
			break;
		}
		len += k;
	}
	fuzz_tr_ev(tr, 'r', b.received);
	fuzz_tr_ev(tr, 'T', b.trailers);
	FUZZ_CHECK(b.mode != NK_HTTP_BODY_LENGTH ||
	           b.received == (uint64_t)b.length,
	           "LENGTH body done with %llu of %lld bytes",
	           (unsigned long long)b.received, (long long)b.length);
	e = nk_decoder_finish(dec, sink_out, &out, msg);
	tr_err(tr, 'z', e, msg);
	if (e)
		goto out;
	FUZZ_CHECK(nk_decoder_bytes_in(dec) == b.received, "decoder took "
	           "%llu bytes of %llu",
	           (unsigned long long)nk_decoder_bytes_in(dec),
	           (unsigned long long)b.received);
	FUZZ_CHECK(nk_decoder_bytes_out(dec) == out.data.len, "decoder "
	           "counts %llu bytes out, gave %zu",
	           (unsigned long long)nk_decoder_bytes_out(dec), out.data.len);
	stop = !b.keep_alive;
	FUZZ_CHECK(b.mode != NK_HTTP_BODY_CLOSE || !b.keep_alive,
	           "keep-alive after a CLOSE body");
out:
	/* the bytes, whatever the pieces were */
	fuzz_tr_ev(tr, 'B', raw.data.len);
	fuzz_tr_add(tr, raw.data.p, raw.data.len);
	fuzz_tr_ev(tr, 'D', out.data.len);
	fuzz_tr_add(tr, out.data.p, out.data.len);
	fuzz_tr_free(&raw.data);
	fuzz_tr_free(&out.data);
	nk_decoder_free(dec);
	*lenp = len;
	return stop;
}

static void
run(const struct opts *o, const char *in, size_t n, int mode, uint32_t seed,
    struct fuzz_tr *tr)
{
	struct net nt = { in, n, 0, mode, { seed } };
	size_t cap = n + 1, len = 0;
	char *buf = malloc(cap);
	struct nk_http_header *hdrs = calloc(MAX_HEADERS, sizeof *hdrs);
	char msg[NK_ERR_MSG_LEN] = "";

	FUZZ_CHECK(buf && hdrs, "out of memory");
	for (int r = 0; r < MAX_RESPONSES; r++) {
		struct nk_http_parser p = { 0 };
		struct nk_http_response res = { .headers = hdrs,
		                                .max_headers = MAX_HEADERS };
		nk_err e;
		while (!(e = nk_http_parse_response(&p, buf, len, &res, msg)) &&
		       res.head_len == 0) {
			size_t k = net_read(&nt, buf, len, cap);
			if (k == 0) {
				/* a closed connection between responses is the
				 * normal end once one response was read */
				if (r > 0 && len == 0) {
					fuzz_tr_ev(tr, 'c', 0);
					goto done;
				}
				e = nk_http_parse_eof(&p, len, msg);
				break;
			}
			len += k;
		}
		tr_err(tr, 'h', e, msg);
		if (e)
			break;
		fuzz_tr_ev(tr, 's', (uint64_t)res.status);
		fuzz_tr_ev(tr, 'n', res.num_headers);
		fuzz_tr_ev(tr, 'L', res.head_len);
		if (nk_http_is_interim(&res)) {
			memmove(buf, buf + res.head_len, len - res.head_len);
			len -= res.head_len;
			continue;
		}
		if (body(o, &nt, buf, &len, cap, &res, tr))
			break;
	}
done:
	free(hdrs);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = { NULL, "HEAD", "CONNECT", "POST" };
	struct fuzz_in in = FUZZ_IN(data, size);
	struct opts o;
	uint8_t flags = fuzz_u8(&in), l1 = fuzz_u8(&in), l2 = fuzz_u8(&in);
	(void)fuzz_u8(&in);
	uint32_t seed = fuzz_u32(&in);

	o.method = methods[flags & 3];
	o.max_line = flags & 4 ? 1 + (size_t)l1 : 0;
	o.max_trailer = flags & 4 ? 4 * (size_t)l2 : 0;
	o.content = (flags & 8) != 0;

	struct fuzz_tr whole = { 0 }, bytes = { 0 }, pieces = { 0 };
	run(&o, (const char *)in.p, in.n, 0, seed, &whole);
	run(&o, (const char *)in.p, in.n, 1, seed, &bytes);
	run(&o, (const char *)in.p, in.n, 2, seed, &pieces);
	fuzz_tr_same(&whole, &bytes, "whole vs byte by byte");
	fuzz_tr_same(&whole, &pieces, "whole vs pieces");
	fuzz_tr_free(&whole);
	fuzz_tr_free(&bytes);
	fuzz_tr_free(&pieces);
	return 0;
}
