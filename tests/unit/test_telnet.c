/* Unit tests of the telnet state machine: negotiation byte for byte, the
 * Q method against looping peers, NVT data rules, and every split of the
 * input giving the same result. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nk/telnet.h"

#define NK_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define IAC  NK_TELNET_IAC
#define WILL NK_TELNET_WILL
#define WONT NK_TELNET_WONT
#define DO   NK_TELNET_DO
#define DONT NK_TELNET_DONT
#define SB   NK_TELNET_SB
#define SE   NK_TELNET_SE
#define ECHO NK_TELNET_OPT_ECHO
#define SGA  NK_TELNET_OPT_SGA
#define TTYPE NK_TELNET_OPT_TTYPE
#define NAWS NK_TELNET_OPT_NAWS
#define BINARY NK_TELNET_OPT_BINARY

/* What a run of the machine produced, drained the way a tool drains it. */
struct result {
	unsigned char data[65536];
	size_t ndata;
	unsigned char out[65536];
	size_t nout;
	nk_telnet_event ev[4096];
	size_t nev;
};

static void
drain(nk_telnet *t, struct result *r)
{
	size_t len;
	const unsigned char *o = nk_telnet_output(t, &len);
	assert_true(r->nout + len <= sizeof r->out);
	memcpy(r->out + r->nout, o, len);
	r->nout += len;
	nk_telnet_output_done(t, len);
	nk_telnet_event ev;
	while (nk_telnet_next_event(t, &ev)) {
		if (r->nev < NK_ARRAY_LEN(r->ev))
			r->ev[r->nev++] = ev;
	}
	/* A report owed by flush_pending may have been queued just now. */
	o = nk_telnet_output(t, &len);
	if (len) {
		memcpy(r->out + r->nout, o, len);
		r->nout += len;
		nk_telnet_output_done(t, len);
	}
}

/* Feeds everything, draining whenever the machine stops early. */
static void
feed(nk_telnet *t, const void *in, size_t len, struct result *r)
{
	const unsigned char *p = in;
	unsigned char *buf = malloc(len + 1);
	assert_non_null(buf);
	size_t guard = 0;
	while (len > 0) {
		size_t nd, used = nk_telnet_recv(t, p, len, buf, &nd);
		assert_true(r->ndata + nd <= sizeof r->data);
		memcpy(r->data + r->ndata, buf, nd);
		r->ndata += nd;
		p += used;
		len -= used;
		drain(t, r);
		/* Each call after a drain must make progress. */
		assert_true(used > 0 || len == 0);
		assert_true(++guard < 1000000);
	}
	drain(t, r);
	free(buf);
}

static nk_telnet *
mk(const char *term, int naws, unsigned w, unsigned h, int binary, int autod)
{
	nk_telnet_config cfg = { 0 };
	cfg.term = term;
	cfg.naws = naws;
	cfg.width = w;
	cfg.height = h;
	cfg.binary = binary;
	cfg.auto_detect = autod;
	nk_telnet *t = NULL;
	char err[256] = "";
	assert_int_equal(nk_telnet_new(&cfg, &t, err), NK_OK);
	assert_non_null(t);
	return t;
}

static void
hexdump(const char *what, const unsigned char *p, size_t n)
{
	fprintf(stderr, "# %s (%zu):", what, n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %02x", p[i]);
	fprintf(stderr, "\n");
}

/* Compares bytes and prints both in hex on a mismatch. */
static void
expect_bytes(const unsigned char *got, size_t ngot, const unsigned char *want,
             size_t nwant)
{
	if (ngot != nwant || memcmp(got, want, nwant) != 0) {
		hexdump("got", got, ngot);
		hexdump("want", want, nwant);
		fail_msg("bytes differ");
	}
}

#define EXPECT_OUT(r, ...) do { \
	static const unsigned char w_[] = { __VA_ARGS__ }; \
	expect_bytes((r)->out, (r)->nout, w_, sizeof w_); \
} while (0)
#define EXPECT_DATA(r, ...) do { \
	static const unsigned char w_[] = { __VA_ARGS__ }; \
	expect_bytes((r)->data, (r)->ndata, w_, sizeof w_); \
} while (0)
#define FEED(t, r, ...) do { \
	static const unsigned char i_[] = { __VA_ARGS__ }; \
	feed((t), i_, sizeof i_, (r)); \
} while (0)

static int
has_event(const struct result *r, nk_telnet_event_type type, int cmd, int opt,
          int remote, int on)
{
	for (size_t i = 0; i < r->nev; i++) {
		const nk_telnet_event *e = &r->ev[i];
		if (e->type != type || e->opt != opt)
			continue;
		if ((type == NK_TELNET_EV_RECV || type == NK_TELNET_EV_SEND ||
		     type == NK_TELNET_EV_COMMAND) && e->cmd != cmd)
			continue;
		if (type == NK_TELNET_EV_OPTION &&
		    (e->remote != remote || e->on != on))
			continue;
		return 1;
	}
	return 0;
}

static struct result *
res(void)
{
	struct result *r = calloc(1, sizeof *r);
	assert_non_null(r);
	return r;
}

static void
will_echo(void **state)
{
	(void)state;
	nk_telnet *t = mk(NULL, 0, 0, 0, 0, 0);
	struct result *r = res();
	FEED(t, r, IAC, WILL, ECHO);
	EXPECT_OUT(r, IAC, DO, ECHO);
	assert_int_equal(r->ndata, 0);
	assert_true(has_event(r, NK_TELNET_EV_RECV, WILL, ECHO, 0, 0));
	assert_true(has_event(r, NK_TELNET_EV_SEND, DO, ECHO, 0, 0));
	assert_true(has_event(r, NK_TELNET_EV_OPTION, 0, ECHO, 1, 1));
	assert_int_equal(nk_telnet_enabled(t, 1, ECHO), 1);
	assert_int_equal(nk_telnet_enabled(t, 0, ECHO), 0);

	/* WONT ECHO turns it off, acknowledged with DONT. */
	memset(r, 0, sizeof *r);
	FEED(t, r, IAC, WONT, ECHO);
	EXPECT_OUT(r, IAC, DONT, ECHO);
	assert_true(has_event(r, NK_TELNET_EV_OPTION, 0, ECHO, 1, 0));
	assert_int_equal(nk_telnet_enabled(t, 1, ECHO), 0);
	free(r);
	nk_telnet_free(t);
}

static void
do_echo_refused(void **state)
{
	(void)state;
	nk_telnet *t = mk(NULL, 0, 0, 0, 0, 0);
	struct result *r = res();
	FEED(t, r, IAC, DO, ECHO, IAC, WILL, SGA, IAC, DO, SGA);
	EXPECT_OUT(r, IAC, WONT, ECHO, IAC, DO, SGA, IAC, WILL, SGA);
	assert_int_equal(nk_telnet_enabled(t, 1, SGA), 1);
	assert_int_equal(nk_telnet_enabled(t, 0, SGA), 1);
	free(r);
	nk_telnet_free(t);
}

static void
ttype(void **state)
{
	(void)state;
	nk_telnet *t = mk("xterm", 0, 0, 0, 0, 0);
	struct result *r = res();
	FEED(t, r, IAC, DO, TTYPE);
	EXPECT_OUT(r, IAC, WILL, TTYPE);
	memset(r, 0, sizeof *r);
	FEED(t, r, IAC, SB, TTYPE, 1, IAC, SE);
	EXPECT_OUT(r, IAC, SB, TTYPE, 0, 'x', 't', 'e', 'r', 'm', IAC, SE);
	assert_true(has_event(r, NK_TELNET_EV_SB_RECV, 0, TTYPE, 0, 0));
	assert_true(has_event(r, NK_TELNET_EV_SB_SEND, 0, TTYPE, 0, 0));
	/* Asked again: the same name, which ends the list (RFC 1091). */
	memset(r, 0, sizeof *r);
	FEED(t, r, IAC, SB, TTYPE, 1, IAC, SE);
	EXPECT_OUT(r, IAC, SB, TTYPE, 0, 'x', 't', 'e', 'r', 'm', IAC, SE);
	free(r);
	nk_telnet_free(t);
}

static void
ttype_refused(void **state)
{
	(void)state;
	nk_telnet *t = mk(NULL, 0, 0, 0, 0, 0);
	struct result *r = res();
	/* No terminal name: WONT, and a SEND anyway gets nothing. */
	FEED(t, r, IAC, DO, TTYPE, IAC, SB, TTYPE, 1, IAC, SE, 'k');
	EXPECT_OUT(r, IAC, WONT, TTYPE);
	EXPECT_DATA(r, 'k');
	free(r);
	nk_telnet_free(t);
}

static void
naws(void **state)
{
	(void)state;
	nk_telnet *t = mk(NULL, 1, 255, 24, 0, 0);
	struct result *r = res();
	FEED(t, r, IAC, DO, NAWS);
	EXPECT_OUT(r, IAC, WILL, NAWS, IAC, SB, NAWS, 0, 255, 255, 0, 24, IAC, SE);
	assert_true(has_event(r, NK_TELNET_EV_OPTION, 0, NAWS, 0, 1));

	/* A resize reports at once; the same size again reports nothing. */
	memset(r, 0, sizeof *r);
	nk_telnet_set_size(t, 80, 0xffff);
	nk_telnet_set_size(t, 80, 0xffff);
	drain(t, r);
	EXPECT_OUT(r, IAC, SB, NAWS, 0, 80, 255, 255, 255, 255, IAC, SE);

	/* Sizes beyond 16 bits are clamped. */
	memset(r, 0, sizeof *r);
	nk_telnet_set_size(t, 100000, 300);
	drain(t, r);
	EXPECT_OUT(r, IAC, SB, NAWS, 255, 255, 255, 255, 1, 44, IAC, SE);

	/* After DONT NAWS a resize sends nothing. */
	memset(r, 0, sizeof *r);
	FEED(t, r, IAC, DONT, NAWS);
	nk_telnet_set_size(t, 10, 10);
	drain(t, r);
	EXPECT_OUT(r, IAC, WONT, NAWS);
	free(r);
	nk_telnet_free(t);
}

static void
naws_refused(void **state)
{
	(void)state;
	nk_telnet *t = mk("vt100", 0, 0, 0, 0, 0);
	struct result *r = res();
	FEED(t, r, IAC, DO, NAWS);
	EXPECT_OUT(r, IAC, WONT, NAWS);
	nk_telnet_set_size(t, 10, 10);
	drain(t, r);
	EXPECT_OUT(r, IAC, WONT, NAWS);
	free(r);
	nk_telnet_free(t);
}

static void
unknown_options(void **state)
{
	(void)state;
	nk_telnet *t = mk("xterm", 1, 80, 24, 0, 0);
	struct result *r = res();
	FEED(t, r, IAC, DO, 99, IAC, WILL, 99, IAC, DO, 34, IAC, WILL, 200);
	EXPECT_OUT(r, IAC, WONT, 99, IAC, DONT, 99, IAC, WONT, 34,
	           IAC, DONT, 200);
	assert_int_equal(nk_telnet_enabled(t, 0, 99), 0);
	assert_int_equal(nk_telnet_enabled(t, 1, 99), 0);
	free(r);
	nk_telnet_free(t);
}

static void
repeated_will_one_answer(void **state)
{
	(void)state;
	nk_telnet *t = mk(NULL, 0, 0, 0, 0, 0);
	struct result *r = res();
	unsigned char in[3 * 2000];
	for (size_t i = 0; i < sizeof in; i += 3) {
		in[i] = IAC;
		in[i + 1] = WILL;
		in[i + 2] = ECHO;
	}
	feed(t, in, sizeof in, r);
	EXPECT_OUT(r, IAC, DO, ECHO);
	free(r);
	nk_telnet_free(t);
}

static void
dont_never_enabled(void **state)
{
	(void)state;
	nk_telnet *t = mk("xterm", 1, 80, 24, 1, 0);
	struct result *r = res();
	FEED(t, r, IAC, DONT, NAWS, IAC, DONT, 99, IAC, WONT, ECHO,
	     IAC, WONT, 77, IAC, DONT, BINARY, IAC, DONT, TTYPE);
	assert_int_equal(r->nout, 0);
	assert_true(has_event(r, NK_TELNET_EV_RECV, DONT, NAWS, 0, 0));
	free(r);
	nk_telnet_free(t);
}

/* Our own requests (port 23): each answered once, and answers to them are
 * not answered again. */
static void
offer(void **state)
{
	(void)state;
	nk_telnet *t = mk("xterm", 1, 80, 24, 0, 1);
	struct result *r = res();
	assert_int_equal(nk_telnet_offer(t), NK_OK);
	assert_int_equal(nk_telnet_active(t), 1);
	drain(t, r);
	EXPECT_OUT(r, IAC, DO, SGA, IAC, WILL, TTYPE, IAC, WILL, NAWS);

	memset(r, 0, sizeof *r);
	FEED(t, r, IAC, WILL, SGA, IAC, DO, TTYPE, IAC, DO, NAWS);
	/* WANTYES -> YES without a reply; NAWS agreed: the size follows. */
	EXPECT_OUT(r, IAC, SB, NAWS, 0, 80, 0, 24, IAC, SE);
	assert_int_equal(nk_telnet_enabled(t, 1, SGA), 1);
	assert_int_equal(nk_telnet_enabled(t, 0, TTYPE), 1);
	assert_int_equal(nk_telnet_enabled(t, 0, NAWS), 1);

	/* Turned off by the server: acknowledged once. */
	memset(r, 0, sizeof *r);
	FEED(t, r, IAC, DONT, TTYPE, IAC, DONT, TTYPE, IAC, WONT, SGA);
	EXPECT_OUT(r, IAC, WONT, TTYPE, IAC, DONT, SGA);
	free(r);
	nk_telnet_free(t);
}

static void
offer_refused(void **state)
{
	(void)state;
	nk_telnet *t = mk("xterm", 1, 80, 24, 0, 0);
	struct result *r = res();
	assert_int_equal(nk_telnet_offer(t), NK_OK);
	drain(t, r);
	memset(r, 0, sizeof *r);
	/* Refusals of our requests are final and unanswered (WANTYES ->
	 * NO); a second refusal is ignored too. */
	FEED(t, r, IAC, WONT, SGA, IAC, DONT, TTYPE, IAC, DONT, NAWS,
	     IAC, DONT, NAWS, IAC, WONT, SGA);
	assert_int_equal(r->nout, 0);
	assert_int_equal(nk_telnet_enabled(t, 0, NAWS), 0);
	/* A later DO NAWS is a fresh request, agreed to. */
	FEED(t, r, IAC, DO, NAWS);
	EXPECT_OUT(r, IAC, WILL, NAWS, IAC, SB, NAWS, 0, 80, 0, 24, IAC, SE);
	free(r);
	nk_telnet_free(t);
}

/* Two peers both running the machine never loop: each answers the other
 * until neither has anything left to say, within a few rounds. */
static size_t
take_output(nk_telnet *t, unsigned char *buf)
{
	struct result *r = res();
	drain(t, r);
	size_t n = r->nout;
	memcpy(buf, r->out, n);
	free(r);
	return n;
}

static void
two_machines_settle(void **state)
{
	(void)state;
	nk_telnet *a = mk("xterm", 1, 80, 24, 1, 0);
	nk_telnet *b = mk("vt100", 1, 100, 50, 1, 0);
	struct result *ra = res(), *rb = res();
	unsigned char ab[4096], ba[4096];
	assert_int_equal(nk_telnet_offer(a), NK_OK);
	assert_int_equal(nk_telnet_offer(b), NK_OK);
	size_t nab = take_output(a, ab), nba = take_output(b, ba);
	int rounds = 0;
	while (nab || nba) {
		assert_true(++rounds < 5);
		memset(ra, 0, sizeof *ra);
		memset(rb, 0, sizeof *rb);
		feed(b, ab, nab, rb);
		feed(a, ba, nba, ra);
		memcpy(ab, ra->out, nab = ra->nout);
		memcpy(ba, rb->out, nba = rb->nout);
	}
	/* Both asked DO SGA and both agree to WILL SGA. */
	assert_int_equal(nk_telnet_enabled(a, 1, SGA), 1);
	assert_int_equal(nk_telnet_enabled(b, 1, SGA), 1);
	/* Neither agrees to the other doing TTYPE or NAWS. */
	assert_int_equal(nk_telnet_enabled(a, 0, TTYPE), 0);
	assert_int_equal(nk_telnet_enabled(a, 0, NAWS), 0);
	free(ra);
	free(rb);
	nk_telnet_free(a);
	nk_telnet_free(b);
}

static void
iac_iac_data(void **state)
{
	(void)state;
	nk_telnet *t = mk(NULL, 0, 0, 0, 0, 0);
	struct result *r = res();
	FEED(t, r, 'a', IAC, IAC, 'b', IAC, IAC, IAC, IAC, 'c');
	EXPECT_DATA(r, 'a', 0xff, 'b', 0xff, 0xff, 'c');
	assert_int_equal(r->nout, 0);
	free(r);
	nk_telnet_free(t);
}

static void
nvt_cr(void **state)
{
	(void)state;
	nk_telnet *t = mk(NULL, 0, 0, 0, 1, 0);
	struct result *r = res();
	FEED(t, r, 'a', '\r', 0, 'b', '\r', '\n', '\r', '\r', 0, 0, '\r', 'x');
	EXPECT_DATA(r, 'a', '\r', 'b', '\r', '\n', '\r', '\r', 0, '\r', 'x');
	/* In BINARY the NUL after CR is data. */
	memset(r, 0, sizeof *r);
	FEED(t, r, IAC, WILL, BINARY, '\r', 0, 'z');
	EXPECT_OUT(r, IAC, DO, BINARY);
	EXPECT_DATA(r, '\r', 0, 'z');
	free(r);
	nk_telnet_free(t);
}

static void
commands_ignored(void **state)
{
	(void)state;
	nk_telnet *t = mk(NULL, 0, 0, 0, 0, 0);
	struct result *r = res();
	FEED(t, r, 'a', IAC, NK_TELNET_NOP, 'b', IAC, NK_TELNET_GA, IAC,
	     NK_TELNET_AYT, IAC, SE, IAC, NK_TELNET_DM, 'c', IAC, 7, 'd');
	EXPECT_DATA(r, 'a', 'b', 'c', 'd');
	assert_int_equal(r->nout, 0);
	assert_true(has_event(r, NK_TELNET_EV_COMMAND, NK_TELNET_GA, 0, 0, 0));
	assert_true(has_event(r, NK_TELNET_EV_COMMAND, NK_TELNET_AYT, 0, 0, 0));
	free(r);
	nk_telnet_free(t);
}

static void
sb_too_long(void **state)
{
	(void)state;
	nk_telnet *t = mk("xterm", 0, 0, 0, 0, 0);
	struct result *r = res();
	FEED(t, r, IAC, DO, TTYPE);
	memset(r, 0, sizeof *r);
	/* A SEND followed by far too much: dropped whole, no answer. */
	unsigned char in[5000];
	size_t n = 0;
	in[n++] = IAC;
	in[n++] = SB;
	in[n++] = TTYPE;
	in[n++] = 1;
	while (n < 4000)
		in[n++] = 'z';
	in[n++] = IAC;
	in[n++] = IAC;   /* doubled 255 inside SB data */
	in[n++] = IAC;
	in[n++] = SE;
	in[n++] = 'o';
	in[n++] = 'k';
	feed(t, in, n, r);
	assert_int_equal(r->nout, 0);
	EXPECT_DATA(r, 'o', 'k');
	assert_true(has_event(r, NK_TELNET_EV_SB_DROPPED, 0, TTYPE, 0, 0));
	assert_false(has_event(r, NK_TELNET_EV_SB_RECV, 0, TTYPE, 0, 0));
	/* The machine is fine afterwards. */
	memset(r, 0, sizeof *r);
	FEED(t, r, IAC, SB, TTYPE, 1, IAC, SE);
	EXPECT_OUT(r, IAC, SB, TTYPE, 0, 'x', 't', 'e', 'r', 'm', IAC, SE);
	/* Exactly NK_TELNET_SB_MAX bytes still count. */
	memset(r, 0, sizeof *r);
	n = 0;
	in[n++] = IAC;
	in[n++] = SB;
	in[n++] = TTYPE;
	in[n++] = 1;
	while (n < 3 + NK_TELNET_SB_MAX)
		in[n++] = 0;
	in[n++] = IAC;
	in[n++] = SE;
	feed(t, in, n, r);
	EXPECT_OUT(r, IAC, SB, TTYPE, 0, 'x', 't', 'e', 'r', 'm', IAC, SE);
	free(r);
	nk_telnet_free(t);
}

static void
sb_broken_by_command(void **state)
{
	(void)state;
	nk_telnet *t = mk("xterm", 0, 0, 0, 0, 0);
	struct result *r = res();
	FEED(t, r, IAC, DO, TTYPE);
	memset(r, 0, sizeof *r);
	FEED(t, r, IAC, SB, TTYPE, 1, IAC, WILL, ECHO, 'q');
	EXPECT_OUT(r, IAC, DO, ECHO);
	EXPECT_DATA(r, 'q');
	assert_true(has_event(r, NK_TELNET_EV_SB_DROPPED, 0, TTYPE, 0, 0));
	free(r);
	nk_telnet_free(t);
}

/* One stream with everything in it, fed whole, then cut in two at every
 * position, then cut in three at many, then byte by byte: the data, the
 * replies and the events must be identical every time. */
static const unsigned char mixed[] = {
	'h', 'i', '\r', 0, IAC, WILL, ECHO, 'x', IAC, IAC, 'y', '\r', '\n',
	IAC, DO, TTYPE, IAC, DO, NAWS, IAC, SB, TTYPE, 1, IAC, SE,
	IAC, DO, 99, IAC, WILL, 98, IAC, NK_TELNET_NOP, 'z', '\r',
	IAC, SB, 99, 1, 2, IAC, IAC, 3, IAC, SE, 0, 'w', IAC, WILL, ECHO,
	IAC, DONT, NAWS, IAC, WILL, BINARY, '\r', 0, IAC, WONT, ECHO, 0xfe,
	IAC, WONT, ECHO, IAC, DO, ECHO, IAC, SB, TTYPE, 1, IAC, SE, 'e',
};

static void
same_result(const struct result *a, const struct result *b)
{
	expect_bytes(b->data, b->ndata, a->data, a->ndata);
	expect_bytes(b->out, b->nout, a->out, a->nout);
	assert_int_equal(b->nev, a->nev);
	assert_memory_equal(b->ev, a->ev, a->nev * sizeof a->ev[0]);
}

static void
every_split(void **state)
{
	(void)state;
	for (int autod = 0; autod <= 1; autod++) {
		struct result *whole = res(), *r = res();
		nk_telnet *t = mk("xterm", 1, 80, 255, 1, autod);
		feed(t, mixed, sizeof mixed, whole);
		nk_telnet_free(t);
		if (autod) {
			/* It starts with data: no telnet, every byte as is. */
			expect_bytes(whole->data, whole->ndata, mixed, sizeof mixed);
			assert_int_equal(whole->nout, 0);
		} else {
			EXPECT_OUT(whole, IAC, DO, ECHO, IAC, WILL, TTYPE, IAC, WILL,
			           NAWS, IAC, SB, NAWS, 0, 80, 0, 255, 255, IAC, SE,
			           IAC, SB, TTYPE, 0, 'x', 't', 'e', 'r', 'm', IAC, SE,
			           IAC, WONT, 99, IAC, DONT, 98, IAC, WONT, NAWS,
			           IAC, DO, BINARY, IAC, DONT, ECHO, IAC, WONT, ECHO,
			           IAC, SB, TTYPE, 0, 'x', 't', 'e', 'r', 'm', IAC, SE);
			EXPECT_DATA(whole, 'h', 'i', '\r', 'x', 0xff, 'y', '\r',
			            '\n', 'z', '\r', 'w', '\r', 0, 0xfe, 'e');
		}

		for (size_t i = 0; i <= sizeof mixed; i++) {
			memset(r, 0, sizeof *r);
			t = mk("xterm", 1, 80, 255, 1, autod);
			feed(t, mixed, i, r);
			feed(t, mixed + i, sizeof mixed - i, r);
			nk_telnet_free(t);
			same_result(whole, r);
			for (size_t j = i; j <= sizeof mixed; j += 3) {
				memset(r, 0, sizeof *r);
				t = mk("xterm", 1, 80, 255, 1, autod);
				feed(t, mixed, i, r);
				feed(t, mixed + i, j - i, r);
				feed(t, mixed + j, sizeof mixed - j, r);
				nk_telnet_free(t);
				same_result(whole, r);
			}
		}
		memset(r, 0, sizeof *r);
		t = mk("xterm", 1, 80, 255, 1, autod);
		for (size_t i = 0; i < sizeof mixed; i++)
			feed(t, mixed + i, 1, r);
		nk_telnet_free(t);
		same_result(whole, r);
		free(whole);
		free(r);
	}
}

/* Random bytes (rich in IAC and command codes), cut at random places,
 * give the same result as in one piece; nothing crashes or runs away. */
static void
random_splits(void **state)
{
	(void)state;
	uint32_t seed = 12345;
	unsigned char *in = malloc(20000);
	assert_non_null(in);
	for (int round = 0; round < 40; round++) {
		size_t n = 20000;
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			unsigned v = (seed >> 16) & 0xff;
			/* Half the bytes from the command range, so
			 * sequences are common. */
			in[i] = (unsigned char)(v & 1 ? 240 + (v >> 1) % 16 : v);
		}
		struct result *whole = res(), *r = res();
		nk_telnet *t = mk("xterm", 1, 80, 24, round & 1, round & 2);
		if (round & 4)
			assert_int_equal(nk_telnet_offer(t), NK_OK);
		feed(t, in, n, whole);
		nk_telnet_free(t);
		t = mk("xterm", 1, 80, 24, round & 1, round & 2);
		if (round & 4)
			assert_int_equal(nk_telnet_offer(t), NK_OK);
		size_t off = 0;
		while (off < n) {
			seed = seed * 1103515245u + 12345u;
			size_t k = 1 + ((seed >> 16) % 37);
			if (k > n - off)
				k = n - off;
			feed(t, in + off, k, r);
			off += k;
		}
		nk_telnet_free(t);
		same_result(whole, r);
		free(whole);
		free(r);
	}
	free(in);
}

/* Without draining, the machine stops early instead of growing; after each
 * drain it goes on, and nothing is lost. */
static void
backpressure(void **state)
{
	(void)state;
	nk_telnet *t = mk(NULL, 0, 0, 0, 0, 0);
	enum { N = 3000 };
	unsigned char *in = malloc(3 * N), data[3 * N + 1];
	assert_non_null(in);
	for (size_t i = 0; i < N; i++) {
		in[3 * i] = IAC;
		in[3 * i + 1] = DO;
		in[3 * i + 2] = (unsigned char)(100 + i % 100);
	}
	size_t nd, used = nk_telnet_recv(t, in, 3 * N, data, &nd);
	assert_true(used > 0);
	assert_true(used < 3 * N);
	/* Not drained: no further progress at all. */
	size_t again = nk_telnet_recv(t, in + used, 3 * N - used, data, &nd);
	assert_int_equal(again, 0);
	struct result *r = res();
	drain(t, r);
	feed(t, in + used, 3 * N - used, r);
	assert_int_equal(r->nout, 3 * N);
	for (size_t i = 0; i < N; i++) {
		assert_int_equal(r->out[3 * i + 1], WONT);
		assert_int_equal(r->out[3 * i + 2], 100 + i % 100);
	}
	free(r);
	free(in);
	nk_telnet_free(t);
}

static void
encode(void **state)
{
	(void)state;
	nk_telnet *t = mk(NULL, 0, 0, 0, 1, 0);
	unsigned char out[64];
	static const unsigned char in[] = { 'a', 0xff, 'b', '\r', '\n', '\r', 'c',
	                                    '\r', 0, 0xff, 0xff, '\r' };
	size_t n = nk_telnet_encode(t, in, sizeof in, out);
	static const unsigned char want[] = {
		'a', 0xff, 0xff, 'b', '\r', '\n', '\r', 0, 'c', '\r', 0,
		0xff, 0xff, 0xff, 0xff, '\r',
	};
	expect_bytes(out, n, want, sizeof want);
	/* The final CR's NUL comes with the next byte or at the end. */
	n = nk_telnet_encode(t, "x", 1, out);
	expect_bytes(out, n, (const unsigned char *)"\0x", 2);
	n = nk_telnet_encode(t, "\r", 1, out);
	n += nk_telnet_encode(t, "\n", 1, out + n);
	expect_bytes(out, n, (const unsigned char *)"\r\n", 2);
	n = nk_telnet_encode(t, "\r", 1, out);
	n += nk_telnet_encode_end(t, out + n);
	expect_bytes(out, n, (const unsigned char *)"\r\0", 2);
	assert_int_equal(nk_telnet_encode_end(t, out), 0);

	/* Once we send BINARY, CR goes alone. */
	struct result *r = res();
	FEED(t, r, IAC, DO, BINARY);
	EXPECT_OUT(r, IAC, WILL, BINARY);
	n = nk_telnet_encode(t, "\rz\xff", 3, out);
	expect_bytes(out, n, (const unsigned char *)"\rz\xff\xff", 4);
	free(r);
	nk_telnet_free(t);
}

/* auto_detect: what the server sends first decides, once. */
static void
auto_detect(void **state)
{
	(void)state;
	nk_telnet *t = mk("xterm", 0, 0, 0, 0, 1);
	struct result *r = res();
	unsigned char out[16];
	/* Data first: 0xFF, CR NUL, even a whole negotiation later in the
	 * stream pass through both ways, for good. */
	FEED(t, r, 'a', 0xff, 'b', 0xff, 0xff, 'c', '\r', 0, 0xff, NK_TELNET_NOP,
	     IAC, WILL, ECHO, IAC, DO, SGA, IAC, SB, 24, 1, IAC, SE);
	EXPECT_DATA(r, 'a', 0xff, 'b', 0xff, 0xff, 'c', '\r', 0, 0xff,
	            NK_TELNET_NOP, IAC, WILL, ECHO, IAC, DO, SGA, IAC, SB, 24, 1,
	            IAC, SE);
	assert_int_equal(r->nout, 0);
	assert_int_equal(r->nev, 0);
	assert_int_equal(nk_telnet_active(t), 0);
	size_t n = nk_telnet_encode(t, "\xff\r", 2, out);
	expect_bytes(out, n, (const unsigned char *)"\xff\r", 2);
	memset(r, 0, sizeof *r);
	FEED(t, r, 0xff);
	EXPECT_DATA(r, 0xff);
	assert_int_equal(nk_telnet_recv_end(t, out), 0);
	free(r);
	nk_telnet_free(t);

	/* A first 0xFF that is not IAC and a command: data, for good. */
	t = mk("xterm", 0, 0, 0, 0, 1);
	r = res();
	FEED(t, r, 0xff);
	assert_int_equal(r->ndata, 0);
	FEED(t, r, 'e', IAC, WILL, ECHO);
	EXPECT_DATA(r, 0xff, 'e', IAC, WILL, ECHO);
	assert_int_equal(r->nout, 0);
	free(r);
	nk_telnet_free(t);

	/* A lone 0xFF as the whole stream comes out at its end. */
	t = mk("xterm", 0, 0, 0, 0, 1);
	r = res();
	FEED(t, r, 0xff);
	assert_int_equal(r->ndata, 0);
	n = nk_telnet_recv_end(t, out);
	expect_bytes(out, n, (const unsigned char *)"\xff", 1);
	free(r);
	nk_telnet_free(t);

	/* Our bytes first: what comes back may be their echo, never
	 * negotiation. */
	t = mk("xterm", 0, 0, 0, 0, 1);
	r = res();
	n = nk_telnet_encode(t, "\xff\xfb\x01", 3, out);
	expect_bytes(out, n, (const unsigned char *)"\xff\xfb\x01", 3);
	FEED(t, r, IAC, WILL, ECHO);
	EXPECT_DATA(r, IAC, WILL, ECHO);
	assert_int_equal(r->nout, 0);
	assert_int_equal(nk_telnet_active(t), 0);
	free(r);
	nk_telnet_free(t);

	/* The server opens with a negotiation, its IAC at the end of one
	 * read: telnet from here on, both ways. */
	t = mk("xterm", 0, 0, 0, 0, 1);
	r = res();
	FEED(t, r, IAC);
	assert_int_equal(r->ndata, 0);
	FEED(t, r, WILL, ECHO, 'g', IAC, IAC, '\r', 0);
	EXPECT_DATA(r, 'g', 0xff, '\r');
	EXPECT_OUT(r, IAC, DO, ECHO);
	assert_true(r->nev > 0 && r->ev[0].type == NK_TELNET_EV_START);
	assert_int_equal(nk_telnet_active(t), 1);
	n = nk_telnet_encode(t, "\xff\rq", 3, out);
	expect_bytes(out, n, (const unsigned char *)"\xff\xff\r\0q", 5);
	free(r);
	nk_telnet_free(t);
}

static void
bad_config(void **state)
{
	(void)state;
	nk_telnet *t = (nk_telnet *)&t;
	char err[256] = "";
	nk_telnet_config cfg = { 0 };
	cfg.term = "a-terminal-name-that-is-longer-than-forty-chars";
	assert_int_equal(nk_telnet_new(&cfg, &t, err),
	                 NK_ERR_BAD_FUNCTION_ARGUMENT);
	assert_null(t);
	assert_string_equal(err, "terminal type longer than 40 characters");
	cfg.term = "x\xffterm";
	assert_int_equal(nk_telnet_new(&cfg, &t, err),
	                 NK_ERR_BAD_FUNCTION_ARGUMENT);
	cfg.term = "with space";
	assert_int_equal(nk_telnet_new(&cfg, &t, NULL),
	                 NK_ERR_BAD_FUNCTION_ARGUMENT);
	/* NULL config: refuse everything, telnet from the first byte. */
	assert_int_equal(nk_telnet_new(NULL, &t, err), NK_OK);
	struct result *r = res();
	FEED(t, r, IAC, DO, TTYPE, IAC, DO, NAWS, IAC, WILL, BINARY);
	EXPECT_OUT(r, IAC, WONT, TTYPE, IAC, WONT, NAWS, IAC, DONT, BINARY);
	free(r);
	nk_telnet_free(t);
	nk_telnet_free(NULL);
}

static void
names(void **state)
{
	(void)state;
	assert_string_equal(nk_telnet_cmd_name(WILL), "WILL");
	assert_string_equal(nk_telnet_cmd_name(SE), "SE");
	assert_string_equal(nk_telnet_cmd_name(IAC), "IAC");
	assert_null(nk_telnet_cmd_name(239));
	assert_string_equal(nk_telnet_opt_name(ECHO), "ECHO");
	assert_string_equal(nk_telnet_opt_name(NAWS), "NAWS");
	assert_string_equal(nk_telnet_opt_name(SGA), "SUPPRESS-GO-AHEAD");
	assert_null(nk_telnet_opt_name(99));
	nk_telnet *t = mk(NULL, 0, 0, 0, 0, 0);
	assert_int_equal(nk_telnet_enabled(t, 1, 300), 0);
	assert_int_equal(nk_telnet_enabled(t, 0, -1), 0);
	nk_telnet_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(will_echo),
		cmocka_unit_test(do_echo_refused),
		cmocka_unit_test(ttype),
		cmocka_unit_test(ttype_refused),
		cmocka_unit_test(naws),
		cmocka_unit_test(naws_refused),
		cmocka_unit_test(unknown_options),
		cmocka_unit_test(repeated_will_one_answer),
		cmocka_unit_test(dont_never_enabled),
		cmocka_unit_test(offer),
		cmocka_unit_test(offer_refused),
		cmocka_unit_test(two_machines_settle),
		cmocka_unit_test(iac_iac_data),
		cmocka_unit_test(nvt_cr),
		cmocka_unit_test(commands_ignored),
		cmocka_unit_test(sb_too_long),
		cmocka_unit_test(sb_broken_by_command),
		cmocka_unit_test(every_split),
		cmocka_unit_test(random_splits),
		cmocka_unit_test(backpressure),
		cmocka_unit_test(encode),
		cmocka_unit_test(auto_detect),
		cmocka_unit_test(bad_config),
		cmocka_unit_test(names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
