/* Fuzz target: the HTTP/2 receive path (lib/fetch/h2.c over libnghttp2):
 * what a server sends on a connection where nk opened two streams (1
 * with a small request body, 3 without), fed in pieces.
 *
 * Input: 4 bytes of the split seed, then the server's bytes (its
 * SETTINGS first, then any frames). Before a piece, a sink of a size
 * the seed picks is set on one of the streams, or none; after it, body
 * data is taken from both (all of the sink, or small amounts of what is
 * held), one stream is sometimes closed early (as a task that gives up
 * does), and the session's output drained, as the driver (h2x.c) does.
 * Checks: the session never hands out more data than the fed bytes
 * held, a head once complete is "HTTP/2 NNN \r\n" ... ending in
 * "\r\n\r\n" within its limit, a closed stream stays closed, and a
 * failed feed says why. */
#include <stdint.h>
#include <string.h>

#include "fetch/fetch_int.h"
#include "fetch/h2_int.h"
#include "fuzz.h"

#define MAX_HEAD 16384   /* over h2.c's first 4 KiB: the head grows */

static void
drain(struct h2 *h)
{
	const uint8_t *p;
	size_t n;
	char msg[NK_ERR_MSG_LEN];
	for (int i = 0; i < 64; i++)
		if (h2_out(h, &p, &n, msg) || !n)
			return;
}

static void
check_head(const struct h2_stream *st)
{
	size_t len;
	const char *head = h2_head(st, &len);
	if (!st->head_done)
		return;
	FUZZ_CHECK(len >= 15 && len <= MAX_HEAD, "head length %zu", len);
	FUZZ_CHECK(memcmp(head, "HTTP/2 ", 7) == 0, "head start");
	FUZZ_CHECK(memcmp(head + len - 4, "\r\n\r\n", 4) == 0, "head end");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = FUZZ_IN(data, size);
	struct fuzz_rng rng = { fuzz_u32(&in) };
	struct h2 *h;
	char msg[NK_ERR_MSG_LEN];
	if (h2_new(&h, MAX_HEAD, msg))
		return 0;
	static const nk_fetch_body body = { .data = "abc", .len = 3, .fd = -1 };
	struct src sr;
	src_init(&sr, &body);
	nghttp2_nv nva[] = {
		{ (uint8_t *)":method", (uint8_t *)"POST", 7, 4, 0 },
		{ (uint8_t *)":path", (uint8_t *)"/", 5, 1, 0 },
		{ (uint8_t *)":scheme", (uint8_t *)"https", 7, 5, 0 },
		{ (uint8_t *)":authority", (uint8_t *)"nk.test", 10, 7, 0 },
	};
	struct h2_stream *st[2] = { NULL, NULL };
	if (h2_request(h, nva, 4, &sr, NULL, &st[0], msg) == NK_OK &&
	    h2_request(h, nva, 4, NULL, NULL, &st[1], msg) == NK_OK) {
		drain(h);
		uint64_t taken = 0;
		char out[100];
		int closed[2] = { 0, 0 };
		while (in.n > 0) {
			size_t n = fuzz_piece(&rng, in.n);
			uint64_t r = fuzz_rand(&rng);
			struct h2_stream *sk = st[(r >> 4) & 1];
			if ((r & 1) && sk)
				h2_sink(sk, out, 1 + (r >> 8) % sizeof out);
			if (h2_feed(h, in.p, n, msg) != NK_OK) {
				FUZZ_CHECK(msg[0] != '\0', "a failed feed says why");
				break;
			}
			for (int i = 0; i < 2; i++) {
				if (!st[i])
					continue;
				while (h2_has_data(st[i])) {
					size_t k = h2_take(st[i], out,
					                   1 + fuzz_rand(&rng) % sizeof out);
					FUZZ_CHECK(k > 0 && k <= sizeof out, "took %zu", k);
					taken += k;
				}
				h2_sink(st[i], NULL, 0);
				check_head(st[i]);
				FUZZ_CHECK(!closed[i] || st[i]->closed, "reopened");
				closed[i] = st[i]->closed;
			}
			if ((r >> 12) % 16 == 0 && st[1]) {
				h2_close(st[1]);
				st[1] = NULL;
			}
			in.p += n;
			in.n -= n;
			drain(h);
		}
		FUZZ_CHECK(taken <= size, "took %llu of %zu bytes",
		           (unsigned long long)taken, size);
		(void)h2_reusable(h);
		(void)h2_conn_error(h);
	}
	h2_close(st[0]);
	h2_close(st[1]);
	h2_free(h);
	return 0;
}
