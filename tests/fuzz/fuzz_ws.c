/* Fuzz target: the WebSocket frame parser (nk_ws_rx_feed, nk/ws.h) and
 * the frame builder it must agree with.
 *
 * Input: 7 bytes of options, then the peer's bytes.
 *   [0] flags: bit 0 we are the client (frames must come unmasked)
 *   [1..2] max_message (big-endian; 0: the 16 MiB default)
 *   [3..6] seed of the split points
 *
 * The peer's bytes go in whole, byte by byte and in pieces the seed picks,
 * each piece in a buffer of its own size (ASan sees a read past it). The
 * events, the error and its close code must be the same in all runs.
 * Also: each call takes bytes or gives an event; text messages and close
 * reasons are UTF-8; no message is over the limit and no control payload
 * over 125 bytes; a close code is one an endpoint may send, or 1005; an
 * error's close code is 1002, 1007 or 1009, and no byte is taken after
 * it; and each message, built again with nk_ws_frame (masked toward a
 * server), parses back to the same event. */
#include <stdint.h>
#include <string.h>

#include "nk/text.h"
#include "nk/ws.h"
#include "fuzz.h"

struct opts {
	int client;
	uint64_t max;
};

static void
check_event(const struct opts *o, const nk_ws_event *ev)
{
	uint64_t max = o->max ? o->max : NK_WS_MAX_MESSAGE;
	if (ev->opcode == NK_WS_TEXT || ev->opcode == NK_WS_CLOSE)
		FUZZ_CHECK(nk_utf8_valid((const char *)ev->data, ev->len) ==
		           ev->len, "text that is not UTF-8 passed");
	if (ev->opcode == NK_WS_TEXT || ev->opcode == NK_WS_BINARY)
		FUZZ_CHECK(ev->len <= max, "a message of %zu over %llu", ev->len,
		           (unsigned long long)max);
	else
		FUZZ_CHECK(ev->len <= NK_WS_MAX_CONTROL, "control payload %zu",
		           ev->len);
	if (ev->opcode == NK_WS_CLOSE) {
		int c = ev->close_code;
		FUZZ_CHECK(c == 1005 || (c >= 1000 && c <= 1003) ||
		           (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999),
		           "close code %d", c);
	}
}

/* A data message built again parses back to itself. */
static void
round_trip(const struct opts *o, const nk_ws_event *ev)
{
	static const unsigned char mask[4] = { 0xa5, 0x00, 0xff, 0x3c };
	nk_buf b = NK_BUF_INIT(0);
	FUZZ_CHECK(nk_ws_frame(&b, 1, ev->opcode, ev->data, ev->len,
	                       o->client ? NULL : mask, NULL) == NK_OK,
	           "nk_ws_frame refused a message it parsed");
	struct nk_ws_rx rx;
	memset(&rx, 0, sizeof rx);
	rx.client = o->client;
	rx.max_message = o->max;
	nk_ws_event back;
	size_t used;
	FUZZ_CHECK(nk_ws_rx_feed(&rx, b.p, b.len, &used, &back, NULL) == NK_OK,
	           "a built frame does not parse");
	FUZZ_CHECK(used == b.len && back.opcode == ev->opcode &&
	           back.len == ev->len && (ev->len == 0 ||
	           !memcmp(back.data, ev->data, ev->len)),
	           "a built frame parses to something else");
	nk_ws_rx_free(&rx);
	nk_buf_free(&b);
}

/* Feeds p[0..n) in pieces (piece 0: all at once; 1: byte by byte; else
 * the rng's), writing what happens to t. */
static void
run(const struct opts *o, const uint8_t *p, size_t n, int mode,
    uint32_t seed, struct fuzz_tr *t)
{
	struct fuzz_rng rng = { seed };
	struct nk_ws_rx rx;
	memset(&rx, 0, sizeof rx);
	rx.client = o->client;
	rx.max_message = o->max;
	size_t at = 0;
	int failed = 0;
	while (at < n && !failed) {
		size_t piece = mode == 0 ? n - at : mode == 1 ? 1 :
		               fuzz_piece(&rng, n - at);
		char *buf = fuzz_dup(p + at, piece);
		size_t off = 0;
		while (off < piece) {
			nk_ws_event ev;
			size_t used;
			char err[NK_ERR_MSG_LEN] = "";
			nk_err e = nk_ws_rx_feed(&rx, buf + off, piece - off, &used,
			                         &ev, err);
			FUZZ_CHECK(used <= piece - off, "took %zu of %zu", used,
			           piece - off);
			if (e) {
				int c = rx.fail_code;
				FUZZ_CHECK(c == 1002 || c == 1007 || c == 1009,
				           "close code %d after an error", c);
				fuzz_tr_ev(t, 'E', (uint64_t)e << 16 | (uint64_t)c);
				fuzz_tr_add(t, err, strlen(err));
				FUZZ_CHECK(nk_ws_rx_feed(&rx, buf, piece, &used, &ev,
				                         NULL) != NK_OK && used == 0,
				           "bytes taken after an error");
				failed = 1;
				break;
			}
			FUZZ_CHECK(used > 0 || ev.opcode, "no progress");
			off += used;
			if (!ev.opcode)
				continue;
			check_event(o, &ev);
			fuzz_tr_ev(t, 'O', (uint64_t)ev.opcode << 16 |
			           (uint64_t)ev.close_code);
			fuzz_tr_u64(t, ev.len);
			fuzz_tr_add(t, ev.data, ev.len);
			if (mode == 0 && (ev.opcode == NK_WS_TEXT ||
			                  ev.opcode == NK_WS_BINARY))
				round_trip(o, &ev);
		}
		free(buf);
		at += piece;
	}
	nk_ws_rx_free(&rx);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = FUZZ_IN(data, size);
	struct opts o;
	o.client = fuzz_u8(&in) & 1;
	o.max = fuzz_u8(&in);
	o.max = o.max << 8 | fuzz_u8(&in);
	uint32_t seed = fuzz_u32(&in);
	struct fuzz_tr t[3];
	memset(t, 0, sizeof t);
	for (int mode = 0; mode < 3; mode++)
		run(&o, in.p, in.n, mode, seed, &t[mode]);
	fuzz_tr_same(&t[0], &t[1], "whole vs byte by byte");
	fuzz_tr_same(&t[0], &t[2], "whole vs pieces");
	for (int i = 0; i < 3; i++)
		fuzz_tr_free(&t[i]);
	return 0;
}
