/* Fuzz target: the telnet state machine (nk/telnet.h): RFC 854 commands,
 * RFC 855 / RFC 1143 negotiation, subnegotiation, auto-detection, and the
 * encoder for what the user types.
 *
 * Input: 8 bytes of options, the terminal name, then the server's bytes.
 *   [0] flags: bit 0 auto_detect, bit 1 naws, bit 2 binary, bit 3 call
 *       nk_telnet_offer first, bit 4 change the window size half-way
 *   [1] width, [2] height (the second size is their swap)
 *   [3] length of the terminal name that follows (0..63: over 40, or a
 *       byte outside 0x21..0x7e, must make nk_telnet_new refuse it)
 *   [4..7] seed of the split points
 *
 * The server's bytes go in whole, byte by byte and in pieces the seed
 * picks (each run cut at the half-way point too, where the size may
 * change); every queued reply and event is drained after each call. The
 * data, the replies and the events must be the same in all runs. Also:
 * a call makes progress once the queues are drained, replies are
 * well-formed commands, every reply answers something (no loops), and the
 * user's bytes encode with 0xFF doubled and CR followed by LF or NUL. */
#include <stdint.h>
#include <string.h>

#include "nk/telnet.h"
#include "fuzz.h"

struct out {
	struct fuzz_tr data, replies, events;
	size_t recv_events, send_events;
};

static void
drain(nk_telnet *t, struct out *o)
{
	size_t n;
	const unsigned char *q = nk_telnet_output(t, &n);
	fuzz_tr_add(&o->replies, q, n);
	nk_telnet_output_done(t, n);
	nk_telnet_event ev;
	size_t guard = 0;
	while (nk_telnet_next_event(t, &ev)) {
		unsigned char e[5] = { (unsigned char)ev.type, ev.cmd, ev.opt,
		                       ev.remote, ev.on };
		fuzz_tr_add(&o->events, e, sizeof e);
		o->recv_events += ev.type == NK_TELNET_EV_RECV;
		o->send_events += ev.type == NK_TELNET_EV_SEND;
		FUZZ_CHECK(++guard < 1000, "events never end");
		/* taking an event may queue an owed size report */
		q = nk_telnet_output(t, &n);
		fuzz_tr_add(&o->replies, q, n);
		nk_telnet_output_done(t, n);
	}
}

static void
feed(nk_telnet *t, const uint8_t *in, size_t n, int mode,
     struct fuzz_rng *rng, struct out *o)
{
	size_t off = 0;
	while (off < n) {
		size_t k = mode == 0 ? n - off : mode == 1 ? 1
		           : fuzz_piece(rng, n - off);
		/* exact sizes: data may be len + 1 bytes, no more */
		char *piece = fuzz_dup(in + off, k);
		unsigned char *data = malloc(k + 1);
		FUZZ_CHECK(data != NULL, "out of memory");
		size_t nd = 12345;
		size_t c = nk_telnet_recv(t, piece, k, data, &nd);
		FUZZ_CHECK(c <= k && nd <= k + 1, "recv consumed %zu of %zu, "
		           "gave %zu bytes", c, k, nd);
		FUZZ_CHECK(c > 0, "recv consumed nothing with the queues empty");
		fuzz_tr_add(&o->data, data, nd);
		free(piece);
		free(data);
		drain(t, o);
		off += c;
	}
}

/* Replies are IAC WILL/WONT/DO/DONT opt, or IAC SB opt ... IAC SE with
 * every 0xFF inside doubled. */
static void
check_replies(const struct fuzz_tr *r)
{
	if (r->len == 0)
		return;
	const unsigned char *p = r->p, *end = r->p + r->len;
	while (p < end) {
		FUZZ_CHECK(p[0] == NK_TELNET_IAC && p + 1 < end, "reply does not "
		           "start with IAC at %zu", (size_t)(p - r->p));
		if (p[1] >= NK_TELNET_WILL && p[1] <= NK_TELNET_DONT) {
			FUZZ_CHECK(p + 2 < end, "cut option reply");
			p += 3;
			continue;
		}
		FUZZ_CHECK(p[1] == NK_TELNET_SB && p + 2 < end, "reply command %d",
		           p[1]);
		p += 3;
		for (;;) {
			FUZZ_CHECK(p < end, "subnegotiation without IAC SE");
			if (*p != NK_TELNET_IAC) {
				p++;
				continue;
			}
			FUZZ_CHECK(p + 1 < end, "lone IAC at the end");
			if (p[1] == NK_TELNET_SE) {
				p += 2;
				break;
			}
			FUZZ_CHECK(p[1] == NK_TELNET_IAC, "IAC %d inside a "
			           "subnegotiation reply", p[1]);
			p += 2;
		}
	}
}

/* The user's bytes, encoded whole and in pieces, must agree and follow
 * the NVT rules. */
static void
check_encode(nk_telnet *t, const uint8_t *in, size_t n, uint32_t seed)
{
	struct fuzz_tr enc[2] = { { 0 }, { 0 } };
	struct fuzz_rng rng = { seed ^ 0x5a5a5a5au };
	int active = nk_telnet_active(t);
	int binary = nk_telnet_enabled(t, 0, NK_TELNET_OPT_BINARY);

	for (int run = 0; run < 2; run++) {
		size_t off = 0;
		while (off < n) {
			size_t k = run == 0 ? n : fuzz_piece(&rng, n - off);
			unsigned char *o = malloc(2 * k + 1);
			FUZZ_CHECK(o != NULL, "out of memory");
			size_t m = nk_telnet_encode(t, in + off, k, o);
			FUZZ_CHECK(m <= 2 * k + 1, "encode wrote %zu for %zu", m, k);
			fuzz_tr_add(&enc[run], o, m);
			free(o);
			off += k;
		}
		unsigned char z[1];
		size_t m = nk_telnet_encode_end(t, z);
		FUZZ_CHECK(m <= 1, "encode_end wrote %zu", m);
		fuzz_tr_add(&enc[run], z, m);
	}
	fuzz_tr_same(&enc[0], &enc[1], "encode whole vs pieces");

	const unsigned char *e = enc[0].p;
	size_t m = enc[0].len;
	if (!active) {
		FUZZ_CHECK(m == n && (n == 0 || memcmp(e, in, n) == 0),
		           "encode changed bytes before telnet started");
	} else {
		/* undo: IAC IAC -> IAC, and a NUL after CR is dropped (on both
		 * sides, since the user may type CR NUL) */
		size_t i = 0, j = 0;
		while (i < m || j < n) {
			if (j < n && in[j] == 0 && j > 0 && in[j - 1] == '\r') {
				j++;
				continue;
			}
			if (i < m && e[i] == 0 && i > 0 && e[i - 1] == '\r') {
				i++;
				continue;
			}
			FUZZ_CHECK(i < m && j < n && e[i] == in[j], "encoded byte "
			           "%zu differs from input byte %zu", i, j);
			if (e[i] == NK_TELNET_IAC) {
				FUZZ_CHECK(i + 1 < m && e[i + 1] == NK_TELNET_IAC,
				           "0xFF not doubled at %zu", i);
				i++;
			}
			if (e[i] == '\r' && !binary)
				FUZZ_CHECK(i + 1 < m && (e[i + 1] == '\n' ||
				                         e[i + 1] == 0),
				           "CR at %zu not followed by LF or NUL", i);
			i++;
			j++;
		}
	}
	fuzz_tr_free(&enc[0]);
	fuzz_tr_free(&enc[1]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = FUZZ_IN(data, size);
	uint8_t flags = fuzz_u8(&in), w = fuzz_u8(&in), h = fuzz_u8(&in);
	size_t tl = fuzz_u8(&in) % 64;
	uint32_t seed = fuzz_u32(&in);
	if (tl > in.n)
		tl = in.n;
	/* a NUL in it ends the name the machine sees */
	char *term = fuzz_strdup(in.p, tl);
	size_t tn = strlen(term);
	int term_ok = tn <= NK_TELNET_TERM_MAX;
	for (size_t i = 0; i < tn; i++)
		term_ok &= term[i] > ' ' && term[i] <= '~';
	in.p += tl;
	in.n -= tl;

	nk_telnet_config cfg = { 0 };
	cfg.term = term;
	cfg.naws = flags & 2;
	cfg.width = w;
	cfg.height = h;
	cfg.binary = (flags & 4) != 0;
	cfg.auto_detect = flags & 1;

	struct out o[3];
	memset(o, 0, sizeof o);
	for (int mode = 0; mode < 3; mode++) {
		nk_telnet *t;
		char msg[NK_ERR_MSG_LEN];
		struct fuzz_rng rng = { seed };
		nk_err e = nk_telnet_new(&cfg, &t, msg);
		if (!term_ok) {
			FUZZ_CHECK(e == NK_ERR_BAD_FUNCTION_ARGUMENT && !t,
			           "accepted the terminal name \"%s\"", term);
			free(term);
			return 0;
		}
		FUZZ_CHECK(e == NK_OK && t, "nk_telnet_new: %d %s", e, msg);
		size_t offers = 0;
		if (flags & 8) {
			FUZZ_CHECK(nk_telnet_offer(t) == NK_OK, "offer refused");
			offers = 3;
			drain(t, &o[mode]);
		}
		size_t half = in.n / 2;
		feed(t, in.p, half, mode, &rng, &o[mode]);
		if (flags & 16) {
			nk_telnet_set_size(t, h, w);
			drain(t, &o[mode]);
		}
		feed(t, in.p + half, in.n - half, mode, &rng, &o[mode]);
		unsigned char last[1];
		size_t m = nk_telnet_recv_end(t, last);
		FUZZ_CHECK(m <= 1, "recv_end gave %zu bytes", m);
		fuzz_tr_add(&o[mode].data, last, m);
		drain(t, &o[mode]);
		check_replies(&o[mode].replies);
		FUZZ_CHECK(o[mode].send_events <= o[mode].recv_events + offers,
		           "%zu replies to %zu requests", o[mode].send_events,
		           o[mode].recv_events);
		FUZZ_CHECK(o[mode].data.len <= in.n + 1, "more data than input");
		if (mode == 0)
			check_encode(t, in.p, in.n, seed);
		(void)nk_telnet_cmd_name(in.n ? in.p[0] : 0);
		(void)nk_telnet_opt_name(in.n ? in.p[0] : 0);
		nk_telnet_free(t);
	}
	for (int mode = 1; mode < 3; mode++) {
		const char *how = mode == 1 ? "byte by byte" : "pieces";
		fuzz_tr_same(&o[0].data, &o[mode].data, how);
		fuzz_tr_same(&o[0].replies, &o[mode].replies, how);
		fuzz_tr_same(&o[0].events, &o[mode].events, how);
	}
	for (int mode = 0; mode < 3; mode++) {
		fuzz_tr_free(&o[mode].data);
		fuzz_tr_free(&o[mode].replies);
		fuzz_tr_free(&o[mode].events);
	}
	free(term);
	return 0;
}
