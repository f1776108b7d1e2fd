/* telnet: RFC 854/855 as a byte-at-a-time state machine, with RFC 1143's
 * Q method for option negotiation. All state lives in one fixed-size struct:
 * the reply queue and the event ring are bounded, and nk_telnet_recv stops
 * consuming input before either could overflow, so a hostile server can
 * neither grow memory nor make the machine loop. */
#include <stdlib.h>
#include <string.h>

#include "nk/telnet.h"
#include "core/internal.h"

/* Bytes from the server: where we are in a command sequence. */
enum rstate {
	S_DATA,         /* plain data */
	S_IAC,          /* after IAC */
	S_OPT,          /* after IAC WILL/WONT/DO/DONT: the option byte next */
	S_SB_OPT,       /* after IAC SB: the option byte next */
	S_SB,           /* inside a subnegotiation */
	S_SB_IAC,       /* IAC inside a subnegotiation */
	S_AUTO,         /* auto_detect: nothing received or sent yet */
	S_AUTO_IAC,     /* auto_detect: a first 0xFF held back, maybe IAC */
	S_PASS,         /* auto_detect decided: not telnet, ever */
};

/* RFC 1143 option states; Q_OPPOSITE is the "queue" bit. */
#define Q_NO       0
#define Q_YES      1
#define Q_WANTNO   2
#define Q_WANTYES  3
#define Q_STATE    3
#define Q_OPPOSITE 4

#define OUT_CAP 1024
/* The most one input byte can queue: IAC SB TTYPE IS <40 bytes> IAC SE
 * is 46; WILL NAWS plus a report with every byte doubled is 16. */
#define OUT_RESERVE 64
/* A report: IAC SB NAWS, four bytes each maybe doubled, IAC SE. */
#define NAWS_MAX 13

#define EV_CAP 32
/* The most one input byte can record: START, RECV, SEND, OPTION, SB_SEND. */
#define EV_RESERVE 6

#define TTYPE_IS   0
#define TTYPE_SEND 1

struct nk_telnet {
	unsigned char rs;                 /* enum rstate */
	unsigned char cmd;                /* WILL..DONT awaiting its option */
	unsigned char cr;                 /* last data byte in was a bare CR */
	unsigned char ecr;                /* last byte encoded out was CR */
	unsigned char active;             /* telnet processing is on */
	unsigned char sb_opt;
	unsigned char sb_over;            /* this subnegotiation overflowed */
	unsigned char naws_dirty;         /* a size report is owed */
	size_t sb_len;
	unsigned char sb[NK_TELNET_SB_MAX];

	/* q[0][opt]: our side (WILL/WONT we send); q[1][opt]: the server's. */
	unsigned char q[2][256];

	unsigned char out[OUT_CAP];
	size_t out_off, out_end;          /* queued bytes are out[off, end) */

	nk_telnet_event ev[EV_CAP];
	size_t ev_head, ev_count;

	char term[NK_TELNET_TERM_MAX + 1];
	int naws, binary;
	unsigned width, height;
};

static size_t
out_free(const nk_telnet *t)
{
	return OUT_CAP - (t->out_end - t->out_off);
}

/* Appends to the reply queue. Callers have checked the room (OUT_RESERVE);
 * the test here only keeps a mistake from becoming an overflow. */
static void
put(nk_telnet *t, const unsigned char *p, size_t n)
{
	if (n > out_free(t))
		return;
	if (t->out_end + n > OUT_CAP) {
		memmove(t->out, t->out + t->out_off, t->out_end - t->out_off);
		t->out_end -= t->out_off;
		t->out_off = 0;
	}
	memcpy(t->out + t->out_end, p, n);
	t->out_end += n;
}

static void
event(nk_telnet *t, nk_telnet_event_type type, int cmd, int opt, int remote,
      int on)
{
	if (t->ev_count == EV_CAP)
		return;
	nk_telnet_event *e = &t->ev[(t->ev_head + t->ev_count) % EV_CAP];
	e->type = type;
	e->cmd = (unsigned char)cmd;
	e->opt = (unsigned char)opt;
	e->remote = (unsigned char)remote;
	e->on = (unsigned char)on;
	t->ev_count++;
}

static void
send_cmd(nk_telnet *t, int cmd, int opt)
{
	unsigned char b[3] = { NK_TELNET_IAC, (unsigned char)cmd,
	                       (unsigned char)opt };
	put(t, b, sizeof b);
	event(t, NK_TELNET_EV_SEND, cmd, opt, 0, 0);
}

/* RFC 1073: IAC SB NAWS WIDTH[1] WIDTH[0] HEIGHT[1] HEIGHT[0] IAC SE, with
 * any 255 among the four size bytes doubled as in all SB data. */
static void
send_naws(nk_telnet *t)
{
	const unsigned char v[4] = {
		(unsigned char)(t->width >> 8), (unsigned char)t->width,
		(unsigned char)(t->height >> 8), (unsigned char)t->height,
	};
	unsigned char b[NAWS_MAX];
	size_t n = 0;
	b[n++] = NK_TELNET_IAC;
	b[n++] = NK_TELNET_SB;
	b[n++] = NK_TELNET_OPT_NAWS;
	for (int i = 0; i < 4; i++) {
		b[n++] = v[i];
		if (v[i] == NK_TELNET_IAC)
			b[n++] = NK_TELNET_IAC;
	}
	b[n++] = NK_TELNET_IAC;
	b[n++] = NK_TELNET_SE;
	put(t, b, n);
	event(t, NK_TELNET_EV_SB_SEND, 0, NK_TELNET_OPT_NAWS, 0, 0);
	t->naws_dirty = 0;
}

/* A size report owed from nk_telnet_set_size goes out once there is room;
 * a caller that drains the queue regularly never waits. */
static void
flush_pending(nk_telnet *t)
{
	if (t->naws_dirty && out_free(t) >= OUT_RESERVE &&
	    t->ev_count < EV_CAP)
		send_naws(t);
}

/* Would we agree to opt on this side? The policy of the module header. */
static int
agree(const nk_telnet *t, int remote, int opt)
{
	switch (opt) {
	case NK_TELNET_OPT_SGA:
		return 1;
	case NK_TELNET_OPT_BINARY:
		return t->binary;
	case NK_TELNET_OPT_ECHO:
		/* The server may echo; we never echo back to it. */
		return remote;
	case NK_TELNET_OPT_TTYPE:
		return !remote && t->term[0];
	case NK_TELNET_OPT_NAWS:
		return !remote && t->naws;
	}
	return 0;
}

/* Moves opt to state s and reports a change of on/off (on means YES). */
static void
set_q(nk_telnet *t, int remote, int opt, unsigned char s)
{
	int was = (t->q[remote][opt] & Q_STATE) == Q_YES;
	int now = (s & Q_STATE) == Q_YES;
	t->q[remote][opt] = s;
	if (was == now)
		return;
	event(t, NK_TELNET_EV_OPTION, 0, opt, remote, now);
	if (remote && opt == NK_TELNET_OPT_BINARY)
		t->cr = 0;
	if (!remote && opt == NK_TELNET_OPT_NAWS) {
		if (now)
			send_naws(t);
		else
			t->naws_dirty = 0;
	}
}

/* One step of RFC 1143 section 7 on a received answer: what we send
 * back (nothing, our yes or our no for the side) and, when set, the state
 * the option moves to. */
enum { SEND_NOTHING, SEND_YES, SEND_NO };
struct q_step {
	unsigned char send, set, next;
};
#define Q_GO(send, next) { (send), 1, (next) }

/* RFC 1143 section 7 as its table: [0] for WONT (remote) or DONT (local)
 * received, [1] for WILL or DO; by the option's state. The states with
 * Q_OPPOSITE on Q_NO or Q_YES never occur: nothing happens there. */
static const struct q_step q_recv[2][8] = {
	[0] = {
		/* Already off: answering would start a loop. */
		[Q_NO] = { SEND_NOTHING, 0, 0 },
		[Q_YES] = Q_GO(SEND_NO, Q_NO),
		[Q_WANTNO] = Q_GO(SEND_NOTHING, Q_NO),
		[Q_WANTNO | Q_OPPOSITE] = Q_GO(SEND_YES, Q_WANTYES),
		[Q_WANTYES] = Q_GO(SEND_NOTHING, Q_NO),
		[Q_WANTYES | Q_OPPOSITE] = Q_GO(SEND_NOTHING, Q_NO),
	},
	[1] = {
		/* Policy decides: see got_answer. */
		[Q_NO] = Q_GO(SEND_YES, Q_YES),
		[Q_YES] = { SEND_NOTHING, 0, 0 },
		/* The peer answered our refusal with consent: an error the
		 * RFC resolves as "disabled" without a reply. */
		[Q_WANTNO] = Q_GO(SEND_NOTHING, Q_NO),
		/* WILL answering our DONT after we wanted the option back
		 * (RFC 1143 resolves that error as enabled); or the answer
		 * to our DO. */
		[Q_WANTNO | Q_OPPOSITE] = Q_GO(SEND_NOTHING, Q_YES),
		[Q_WANTYES] = Q_GO(SEND_NOTHING, Q_YES),
		[Q_WANTYES | Q_OPPOSITE] = Q_GO(SEND_NO, Q_WANTNO),
	},
};

/* WILL or WONT (remote), DO or DONT (local) received: yes for WILL and
 * DO. */
static void
got_answer(nk_telnet *t, int remote, int opt, int yes)
{
	struct q_step step = q_recv[yes][t->q[remote][opt]];
	/* An offer from the peer: refused, it stays off. */
	if (yes && t->q[remote][opt] == Q_NO && !agree(t, remote, opt))
		step = (struct q_step){ SEND_NO, 0, 0 };
	if (step.send == SEND_YES)
		send_cmd(t, remote ? NK_TELNET_DO : NK_TELNET_WILL, opt);
	else if (step.send == SEND_NO)
		send_cmd(t, remote ? NK_TELNET_DONT : NK_TELNET_WONT, opt);
	if (step.set)
		set_q(t, remote, opt, step.next);
}

/* RFC 1143 section 7: we ask for opt on a side. */
static void
ask_yes(nk_telnet *t, int remote, int opt)
{
	switch (t->q[remote][opt]) {
	case Q_NO:
		send_cmd(t, remote ? NK_TELNET_DO : NK_TELNET_WILL, opt);
		set_q(t, remote, opt, Q_WANTYES);
		break;
	case Q_WANTNO:
		t->q[remote][opt] = Q_WANTNO | Q_OPPOSITE;
		break;
	case Q_WANTYES | Q_OPPOSITE:
		t->q[remote][opt] = Q_WANTYES;
		break;
	}
}

static void
got_option(nk_telnet *t, int cmd, int opt)
{
	event(t, NK_TELNET_EV_RECV, cmd, opt, 0, 0);
	switch (cmd) {
	case NK_TELNET_WILL:
		got_answer(t, 1, opt, 1);
		break;
	case NK_TELNET_WONT:
		got_answer(t, 1, opt, 0);
		break;
	case NK_TELNET_DO:
		got_answer(t, 0, opt, 1);
		break;
	case NK_TELNET_DONT:
		got_answer(t, 0, opt, 0);
		break;
	}
}

/* A whole subnegotiation arrived (IAC SE seen). */
static void
got_sb(nk_telnet *t)
{
	if (t->sb_over) {
		event(t, NK_TELNET_EV_SB_DROPPED, 0, t->sb_opt, 0, 0);
		return;
	}
	event(t, NK_TELNET_EV_SB_RECV, 0, t->sb_opt, 0, 0);
	/* RFC 1091: SEND is only valid once we agreed to WILL TTYPE. With one
	 * name to offer, every SEND gets the same answer, which tells the
	 * server the list has ended. */
	if (t->sb_opt == NK_TELNET_OPT_TTYPE && t->sb_len >= 1 &&
	    t->sb[0] == TTYPE_SEND &&
	    (t->q[0][NK_TELNET_OPT_TTYPE] & Q_STATE) == Q_YES) {
		unsigned char b[6 + NK_TELNET_TERM_MAX];
		size_t tl = strlen(t->term), n = 0;
		b[n++] = NK_TELNET_IAC;
		b[n++] = NK_TELNET_SB;
		b[n++] = NK_TELNET_OPT_TTYPE;
		b[n++] = TTYPE_IS;
		memcpy(b + n, t->term, tl);  /* printable: nothing to double */
		n += tl;
		b[n++] = NK_TELNET_IAC;
		b[n++] = NK_TELNET_SE;
		put(t, b, n);
		event(t, NK_TELNET_EV_SB_SEND, 0, NK_TELNET_OPT_TTYPE, 0, 0);
	}
}

static void
sb_byte(nk_telnet *t, unsigned char c)
{
	if (t->sb_len < NK_TELNET_SB_MAX)
		t->sb[t->sb_len++] = c;
	else
		t->sb_over = 1;
}

/* The byte after an IAC in telnet mode; returns the data byte count. */
static size_t
after_iac(nk_telnet *t, unsigned char c, unsigned char *d)
{
	t->rs = S_DATA;
	switch (c) {
	case NK_TELNET_IAC:
		t->cr = 0;
		*d = NK_TELNET_IAC;
		return 1;
	case NK_TELNET_WILL:
	case NK_TELNET_WONT:
	case NK_TELNET_DO:
	case NK_TELNET_DONT:
		t->cmd = c;
		t->rs = S_OPT;
		return 0;
	case NK_TELNET_SB:
		t->rs = S_SB_OPT;
		return 0;
	}
	/* NOP, DM, GA, AYT, ...: nothing a line-oriented client acts on; an
	 * SE outside a subnegotiation lands here too and is ignored. */
	event(t, NK_TELNET_EV_COMMAND, c, 0, 0, 0);
	return 0;
}

nk_err
nk_telnet_new(const nk_telnet_config *cfg, nk_telnet **out, char *errmsg)
{
	nk_telnet_config zero = { 0 };
	*out = NULL;
	if (!cfg)
		cfg = &zero;
	size_t tl = cfg->term ? strlen(cfg->term) : 0;
	if (tl > NK_TELNET_TERM_MAX)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "terminal type longer than %d characters",
		               NK_TELNET_TERM_MAX);
	for (size_t i = 0; i < tl; i++)
		if (cfg->term[i] <= ' ' || cfg->term[i] > '~')
			return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
			               "terminal type is not printable ASCII");
	nk_telnet *t = calloc(1, sizeof *t);
	if (!t)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	memcpy(t->term, cfg->term ? cfg->term : "", tl);
	t->naws = cfg->naws != 0;
	t->binary = cfg->binary != 0;
	t->width = cfg->width > 0xffff ? 0xffff : cfg->width;
	t->height = cfg->height > 0xffff ? 0xffff : cfg->height;
	t->rs = cfg->auto_detect ? S_AUTO : S_DATA;
	t->active = !cfg->auto_detect;
	*out = t;
	return NK_OK;
}

void
nk_telnet_free(nk_telnet *t)
{
	free(t);
}

nk_err
nk_telnet_offer(nk_telnet *t)
{
	if (out_free(t) < OUT_RESERVE || EV_CAP - t->ev_count < 3)
		return NK_ERR_BAD_FUNCTION_ARGUMENT;
	if (t->rs == S_AUTO || t->rs == S_PASS)
		t->rs = S_DATA;
	else if (t->rs == S_AUTO_IAC)
		t->rs = S_IAC;
	t->active = 1;
	ask_yes(t, 1, NK_TELNET_OPT_SGA);
	if (t->term[0])
		ask_yes(t, 0, NK_TELNET_OPT_TTYPE);
	if (t->naws)
		ask_yes(t, 0, NK_TELNET_OPT_NAWS);
	return NK_OK;
}

size_t
nk_telnet_recv(nk_telnet *t, const void *in, size_t len, void *data,
               size_t *ndata)
{
	const unsigned char *p = in;
	unsigned char *d = data;
	size_t i, n = 0;

	flush_pending(t);
	for (i = 0; i < len; i++) {
		/* Stop while every sequence the next byte could complete still
		 * fits: nothing is ever lost, and the caller drains. */
		if (out_free(t) < OUT_RESERVE || EV_CAP - t->ev_count < EV_RESERVE)
			break;
		unsigned char c = p[i];
		switch (t->rs) {
		case S_DATA:
			if (c == NK_TELNET_IAC) {
				t->rs = S_IAC;
				break;
			}
			/* NVT: CR NUL is a bare carriage return (RFC 854). */
			if (t->cr) {
				t->cr = 0;
				if (c == 0)
					break;
			}
			if (c == '\r' &&
			    (t->q[1][NK_TELNET_OPT_BINARY] & Q_STATE) != Q_YES)
				t->cr = 1;
			d[n++] = c;
			break;
		case S_IAC:
			n += after_iac(t, c, d + n);
			break;
		case S_OPT:
			got_option(t, t->cmd, c);
			t->rs = S_DATA;
			break;
		case S_SB_OPT:
			t->sb_opt = c;
			t->sb_len = 0;
			t->sb_over = 0;
			t->rs = S_SB;
			break;
		case S_SB:
			if (c == NK_TELNET_IAC)
				t->rs = S_SB_IAC;
			else
				sb_byte(t, c);
			break;
		case S_SB_IAC:
			if (c == NK_TELNET_SE) {
				got_sb(t);
				t->rs = S_DATA;
			} else if (c == NK_TELNET_IAC) {
				sb_byte(t, c);
				t->rs = S_SB;
			} else {
				/* IAC and a command inside SB: the peer broke
				 * the subnegotiation off; drop it and obey
				 * the command. */
				event(t, NK_TELNET_EV_SB_DROPPED, 0, t->sb_opt, 0, 0);
				n += after_iac(t, c, d + n);
			}
			break;
		case S_AUTO:
			if (c == NK_TELNET_IAC) {
				t->rs = S_AUTO_IAC;
				break;
			}
			t->rs = S_PASS;
			d[n++] = c;
			break;
		case S_AUTO_IAC:
			if (c >= NK_TELNET_SB && c <= NK_TELNET_DONT) {
				t->active = 1;
				event(t, NK_TELNET_EV_START, 0, 0, 0, 0);
				n += after_iac(t, c, d + n);
				break;
			}
			/* Not a negotiation: the held byte was data. */
			t->rs = S_PASS;
			d[n++] = NK_TELNET_IAC;
			d[n++] = c;
			break;
		case S_PASS:
			/* Data whatever it holds: bytes that look like telnet
			 * in the middle of a stream (a binary file, an echo of
			 * ours) are not the server negotiating. */
			memcpy(d + n, p + i, len - i);
			n += len - i;
			i = len - 1;
			break;
		}
	}
	*ndata = n;
	return i;
}

size_t
nk_telnet_recv_end(nk_telnet *t, void *data)
{
	unsigned char *d = data;
	size_t n = 0;
	if (t->rs == S_AUTO_IAC)
		d[n++] = NK_TELNET_IAC;
	t->rs = t->active ? S_DATA : S_PASS;
	return n;
}

const unsigned char *
nk_telnet_output(const nk_telnet *t, size_t *len)
{
	*len = t->out_end - t->out_off;
	return t->out + t->out_off;
}

void
nk_telnet_output_done(nk_telnet *t, size_t n)
{
	size_t have = t->out_end - t->out_off;
	t->out_off += n < have ? n : have;
	if (t->out_off == t->out_end)
		t->out_off = t->out_end = 0;
	flush_pending(t);
}

int
nk_telnet_next_event(nk_telnet *t, nk_telnet_event *ev)
{
	if (t->ev_count == 0)
		return 0;
	*ev = t->ev[t->ev_head];
	t->ev_head = (t->ev_head + 1) % EV_CAP;
	t->ev_count--;
	flush_pending(t);
	return 1;
}

size_t
nk_telnet_encode(nk_telnet *t, const void *in, size_t len, void *out)
{
	const unsigned char *p = in;
	unsigned char *o = out;
	size_t n = 0;

	if (!t->active) {
		/* Our bytes went first: whatever comes back may be their echo,
		 * so the server can no longer turn telnet on. */
		if (len > 0 && t->rs == S_AUTO)
			t->rs = S_PASS;
		memcpy(o, p, len);
		return len;
	}
	int binary = (t->q[0][NK_TELNET_OPT_BINARY] & Q_STATE) == Q_YES;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];
		/* NVT: CR must be followed by LF or NUL (RFC 854); a CR
		 * NUL the user already wrote is left alone. */
		if (t->ecr) {
			t->ecr = 0;
			if (c != '\n' && c != 0)
				o[n++] = 0;
		}
		o[n++] = c;
		if (c == NK_TELNET_IAC)
			o[n++] = NK_TELNET_IAC;
		else if (c == '\r' && !binary)
			t->ecr = 1;
	}
	return n;
}

size_t
nk_telnet_encode_end(nk_telnet *t, void *out)
{
	if (!t->ecr)
		return 0;
	t->ecr = 0;
	*(unsigned char *)out = 0;
	return 1;
}

void
nk_telnet_set_size(nk_telnet *t, unsigned width, unsigned height)
{
	width = width > 0xffff ? 0xffff : width;
	height = height > 0xffff ? 0xffff : height;
	if (width == t->width && height == t->height)
		return;
	t->width = width;
	t->height = height;
	if ((t->q[0][NK_TELNET_OPT_NAWS] & Q_STATE) == Q_YES) {
		t->naws_dirty = 1;
		flush_pending(t);
	}
}

int
nk_telnet_enabled(const nk_telnet *t, int remote, int opt)
{
	if (opt < 0 || opt > 255)
		return 0;
	return (t->q[remote ? 1 : 0][opt] & Q_STATE) == Q_YES;
}

int
nk_telnet_active(const nk_telnet *t)
{
	return t->active;
}

const char *
nk_telnet_cmd_name(int cmd)
{
	static const char *const names[] = {
		"SE", "NOP", "DM", "BRK", "IP", "AO", "AYT", "EC", "EL", "GA",
		"SB", "WILL", "WONT", "DO", "DONT", "IAC",
	};
	if (cmd < NK_TELNET_SE || cmd > NK_TELNET_IAC)
		return NULL;
	return names[cmd - NK_TELNET_SE];
}

const char *
nk_telnet_opt_name(int opt)
{
	/* The IANA registry's names for options a server is likely to ask. */
	static const struct {
		int opt;
		const char *name;
	} names[] = {
		{ 0, "BINARY" }, { 1, "ECHO" }, { 3, "SUPPRESS-GO-AHEAD" },
		{ 5, "STATUS" }, { 6, "TIMING-MARK" }, { 24, "TERMINAL-TYPE" },
		{ 25, "END-OF-RECORD" }, { 31, "NAWS" }, { 32, "TERMINAL-SPEED" },
		{ 33, "TOGGLE-FLOW-CONTROL" }, { 34, "LINEMODE" },
		{ 35, "X-DISPLAY-LOCATION" }, { 36, "ENVIRON" },
		{ 37, "AUTHENTICATION" }, { 38, "ENCRYPT" }, { 39, "NEW-ENVIRON" },
		{ 42, "CHARSET" }, { 46, "START-TLS" }, { 255, "EXOPL" },
	};
	for (size_t i = 0; i < NK_ARRAY_LEN(names); i++)
		if (names[i].opt == opt)
			return names[i].name;
	return NULL;
}
