/* probe: the handshakes of nk tls --probe and the jobs that run them.
 * A job is one question (is TLS 1.1 accepted? which TLS 1.2 suites, in
 * which order? is X25519 accepted at TLS 1.3?) and may take several
 * handshakes in a row; PROBE_PARALLEL workers (pool.h) take jobs from
 * a list. The questions that need the accepted versions come in a
 * second list, run after the first. Each job writes only its own fields
 * of the result. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nk/nk.h"
#include "pool.h"
#include "probe.h"
#include "starttls.h"
#include "tool.h"

/* The groups TLS 1.2 negotiates in supported_groups (RFC 8422): its
 * finite-field DH parameters are the server's own choice. */
#define TLS12_GROUPS 5

struct prober {
	const struct report *r;
	nk_tls_ctx *ctx;
	nk_time deadline;            /* --max-time */
	struct probe_result *res;
	pthread_mutex_t lock;        /* connections, err */
};

/* One handshake, err saying why it failed: connect, STARTTLS when asked, the offer. A refusal
 * (the server said no to the offer) is an answer; anything else (no
 * connection, a timeout, a STARTTLS dialogue gone wrong) ends the probe,
 * as the answers after it could not be trusted. */
static nk_err
hello_why(struct prober *p, const nk_tls_offer *o, nk_tls_hello *h,
          char *err)
{
	const struct args *a = p->r->a;
	nk_conn *c = NULL;
	int64_t ct = a->na.net.connect_timeout_ms ? a->na.net.connect_timeout_ms
	                                          : 10000;
	nk_time dl = nk_deadline_min(p->deadline, nk_deadline_in_ms(ct));
	memset(h, 0, sizeof *h);
	nk_err e = netargs_connect(&a->na, p->r->host, p->r->port, dl, &c, NULL,
	                           err);
	int hard = e != NK_OK;
	if (!e && a->starttls) {
		e = starttls_run(c, a->starttls, p->r->name, dl,
		                 a->starttls_timeout_ms, NULL, err);
		hard = e != NK_OK;
	}
	if (!e)
		e = nk_tls_probe(p->ctx, c, p->r->name, o, dl, h, err);
	nk_conn_free(c);
	if (e == NK_ERR_OPERATION_TIMEDOUT)
		hard = 1;
	pthread_mutex_lock(&p->lock);
	p->res->connections++;
	if (hard && !p->res->err) {
		p->res->err = e;
		snprintf(p->res->errmsg, sizeof p->res->errmsg, "%s", err);
	}
	pthread_mutex_unlock(&p->lock);
	return e;
}

static nk_err
hello(struct prober *p, const nk_tls_offer *o, nk_tls_hello *h)
{
	char err[NK_ERR_MSG_LEN] = "";
	return hello_why(p, o, h, err);
}

/* ---- the questions ---------------------------------------------------- */

static void
job_version(struct prober *p, int v)
{
	nk_tls_offer o = { .version = probe_version_wire[v] };
	nk_tls_hello h;
	struct probe_version *pv = &p->res->v[v];
	pv->accepted = hello(p, &o, &h) == NK_OK;
	pv->secure_reneg = pv->accepted ? (tri)h.secure_renegotiation : -1;
	nk_tls_hello_clear(&h);
}

/* The default offer with and without SNI; the first also says what a
 * client offering everything gets. */
static void
job_sni(struct prober *p, int unused)
{
	(void)unused;
	struct probe_result *res = p->res;
	nk_tls_offer o = { 0 };
	nk_tls_hello h, h2;
	int with_ok = hello_why(p, &o, &h, res->def_error) == NK_OK;
	if (with_ok) {
		snprintf(res->def_version, sizeof res->def_version, "%s",
		         h.version_name);
		snprintf(res->def_cipher, sizeof res->def_cipher, "%s", h.cipher);
		snprintf(res->def_group, sizeof res->def_group, "%s", h.group);
		snprintf(res->subject_sni, sizeof res->subject_sni, "%s",
		         h.subject);
	}
	res->sni_tested = p->r->sni;
	if (!res->sni_tested) {
		nk_tls_hello_clear(&h);
		return;
	}
	o.no_sni = 1;
	/* The refusal's own words are the answer here. */
	char err[NK_ERR_MSG_LEN] = "";
	nk_err e = hello_why(p, &o, &h2, err);
	if (e == NK_OK) {
		snprintf(res->subject_nosni, sizeof res->subject_nosni, "%s",
		         h2.subject);
		res->sni_differs = with_ok &&
		                   memcmp(h.leaf_sha256, h2.leaf_sha256, 32) != 0;
	} else {
		snprintf(res->nosni_error, sizeof res->nosni_error, "%s", err);
	}
	nk_tls_hello_clear(&h);
	nk_tls_hello_clear(&h2);
}

/* 0, 1: each protocol alone; 2, 3: both, in either order. */
static void
job_alpn(struct prober *p, int which)
{
	static const char *const lists[] = {
		"h2", "http/1.1", "h2,http/1.1", "http/1.1,h2",
	};
	nk_tls_offer o = { .alpn = lists[which] };
	nk_tls_hello h;
	nk_err e = hello(p, &o, &h);
	struct probe_result *res = p->res;
	if (which < PROBE_NALPN)
		res->alpn[which] = e == NK_OK && strcmp(h.alpn, lists[which]) == 0;
	else if (e == NK_OK)
		snprintf(which == 2 ? res->alpn_first : res->alpn_reversed,
		         sizeof res->alpn_first, "%s", h.alpn);
	nk_tls_hello_clear(&h);
}

static void
job_ocsp(struct prober *p, int unused)
{
	(void)unused;
	nk_tls_offer o = { .status_request = 1 };
	nk_tls_hello h;
	p->res->stapling = hello(p, &o, &h) == NK_OK ? (tri)h.stapled : -1;
	nk_tls_hello_clear(&h);
}

static int
suite_found(const struct probe_version *pv, const char *ossl)
{
	for (size_t i = 0; i < pv->nsuites; i++)
		if (strcmp(pv->suites[i].ossl, ossl) == 0)
			return 1;
	return 0;
}

/* Is the order the server's? The suites found, offered in reverse: a
 * server that picks by its own order still picks the first found. */
static void
cipher_order(struct prober *p, int v, struct probe_version *pv)
{
	size_t len = 1;
	for (size_t i = 0; i < pv->nsuites; i++)
		len += strlen(pv->suites[i].ossl) + 1;
	char *list = malloc(len);
	if (!list)
		return;
	size_t n = 0;
	for (size_t i = pv->nsuites; i-- > 0;) {
		size_t l = strlen(pv->suites[i].ossl);
		memcpy(list + n, pv->suites[i].ossl, l);
		n += l;
		if (i)
			list[n++] = ':';
	}
	list[n] = '\0';
	nk_tls_offer o = { .version = probe_version_wire[v] };
	if (v == PV_13)
		o.ciphersuites = list;
	else
		o.ciphers = list;
	nk_tls_hello h;
	if (hello(p, &o, &h) == NK_OK) {
		if (strcmp(h.cipher_openssl, pv->suites[0].ossl) == 0)
			pv->server_order = 1;
		else if (strcmp(h.cipher_openssl,
		                pv->suites[pv->nsuites - 1].ossl) == 0)
			pv->server_order = 0;
	}
	nk_tls_hello_clear(&h);
	free(list);
}

/* Every suite the server accepts at version v: offer all, take out the
 * one it chose, again until it refuses; the order found is the server's
 * when it picks by its own preference. */
static void
job_ciphers(struct prober *p, int v)
{
	struct probe_version *pv = &p->res->v[v];
	const char *exclude[PROBE_MAX_SUITES];
	pv->server_order = -1;
	while (pv->nsuites < PROBE_MAX_SUITES) {
		nk_tls_offer o = { .version = probe_version_wire[v],
		                   .exclude = exclude, .nexclude = pv->nsuites };
		nk_tls_hello h;
		nk_err e = hello(p, &o, &h);
		int fresh = e == NK_OK && h.cipher_openssl[0] &&
		            !suite_found(pv, h.cipher_openssl);
		if (fresh) {
			struct probe_suite *s = &pv->suites[pv->nsuites];
			snprintf(s->iana, sizeof s->iana, "%s", h.cipher);
			snprintf(s->ossl, sizeof s->ossl, "%s", h.cipher_openssl);
			exclude[pv->nsuites] = s->ossl;
			pv->nsuites++;
		}
		nk_tls_hello_clear(&h);
		if (!fresh)
			break;
	}
	if (pv->nsuites >= 2)
		cipher_order(p, v, pv);
}

/* The offer of a group or signature algorithm job: arg is the version's
 * index * 64 + the item's, tls12 the suites to offer at TLS 1.2. */
static nk_tls_offer
item_offer(int arg, int *v, int *item, const char *tls12)
{
	nk_tls_offer o = { 0 };
	*v = arg / 64;
	*item = arg % 64;
	o.version = probe_version_wire[*v];
	if (*v == PV_12)
		o.ciphers = tls12;
	return o;
}

static void
job_group(struct prober *p, int arg)
{
	int v, g;
	/* TLS 1.2 uses a group only for ECDHE: offer nothing else. */
	nk_tls_offer o = item_offer(arg, &v, &g, "kECDHE");
	o.groups = probe_group_names[g];
	nk_tls_hello h;
	nk_err e = hello(p, &o, &h);
	/* In TLS 1.2 the groups also bound an ECDSA certificate's curve
	 * (RFC 8422 section 5.1.1): with the group alone, a server of a
	 * P-256 certificate must refuse. Again with the NIST curves after
	 * it, which a server that lets the client choose passes over. */
	if (v == PV_12 && e != NK_OK) {
		char list[64];
		size_t n = (size_t)snprintf(list, sizeof list, "%s",
		                            probe_group_names[g]);
		for (int k = 2; k <= 4; k++)
			if (k != g)
				n += (size_t)snprintf(list + n, sizeof list - n, ":%s",
				                      probe_group_names[k]);
		o.groups = list;
		e = hello(p, &o, &h);
	}
	p->res->groups[v == PV_13][g] = e == NK_OK &&
		(v == PV_13 || strcmp(h.group, probe_group_names[g]) == 0);
	nk_tls_hello_clear(&h);
}

static void
job_sigalg(struct prober *p, int arg)
{
	int v, s;
	/* TLS 1.2's RSA key exchange signs nothing: only suites that do. */
	nk_tls_offer o = item_offer(arg, &v, &s, "kECDHE:kDHE:!aNULL");
	o.sigalgs = probe_sigalg_names[s];
	nk_tls_hello h;
	p->res->sigalgs[v == PV_13][s] = hello(p, &o, &h) == NK_OK;
	nk_tls_hello_clear(&h);
}

/* 0: session IDs, 1: tickets, both at the highest version up to 1.2;
 * 2: TLS 1.3 tickets. A session is offered again on a new connection. */
static void
job_resume(struct prober *p, int kind)
{
	struct probe_result *res = p->res;
	int v = kind == 2 ? PV_13 : res->v[PV_12].accepted ? PV_12
	        : res->v[PV_11].accepted ? PV_11 : PV_10;
	tri *out = kind == 0 ? &res->resume_id : kind == 1 ? &res->resume_ticket
	                                                   : &res->resume_13;
	*out = -1;
	if (res->v[v].accepted != 1)
		return;
	nk_tls_offer o = { .version = probe_version_wire[v],
	                   .no_ticket = kind == 0, .want_session = 1 };
	nk_tls_hello h, h2;
	*out = 0;
	if (hello(p, &o, &h) != NK_OK)
		return;
	if (h.session && (kind != 1 || h.ticket)) {
		o.resume = h.session;
		o.want_session = 0;
		if (hello(p, &o, &h2) == NK_OK)
			*out = (tri)h2.resumed;
		nk_tls_hello_clear(&h2);
	}
	nk_tls_hello_clear(&h);
}

/* ---- the pool ---------------------------------------------------------- */

struct job {
	void (*fn)(struct prober *p, int arg);
	int arg;
};

struct jobs {
	struct prober *p;
	const struct job *j;
};

static void
run_one(void *ctx, size_t i)
{
	struct jobs *js = ctx;
	js->j[i].fn(js->p, js->j[i].arg);
}

/* After a failure the rest is skipped, not waited for. */
static int
failed(void *ctx)
{
	struct prober *p = ((struct jobs *)ctx)->p;
	pthread_mutex_lock(&p->lock);
	int stop = p->res->err != NK_OK;
	pthread_mutex_unlock(&p->lock);
	return stop;
}

static void
run_jobs(struct prober *p, const struct job *jobs, size_t n)
{
	struct jobs js = { p, jobs };
	pool_run(n, PROBE_PARALLEL, run_one, failed, &js);
}

static size_t
first_jobs(struct job *j)
{
	size_t n = 0;
	for (int v = 0; v < PV_N; v++)
		j[n++] = (struct job){ job_version, v };
	j[n++] = (struct job){ job_sni, 0 };
	for (int i = 0; i < 4; i++)
		j[n++] = (struct job){ job_alpn, i };
	j[n++] = (struct job){ job_ocsp, 0 };
	return n;
}

static size_t
second_jobs(const struct probe_result *res, struct job *j)
{
	size_t n = 0;
	/* The long sequential ones first, so they do not finish last. */
	for (int v = PV_N; v-- > 0;)
		if (res->v[v].accepted == 1)
			j[n++] = (struct job){ job_ciphers, v };
	for (int k = 0; k < 3; k++)
		j[n++] = (struct job){ job_resume, k };
	for (int v = PV_12; v <= PV_13; v++) {
		if (res->v[v].accepted != 1)
			continue;
		int ng = v == PV_12 ? TLS12_GROUPS : PROBE_NGROUPS;
		for (int g = 0; g < ng; g++)
			j[n++] = (struct job){ job_group, v * 64 + g };
		for (int s = 0; s < PROBE_NSIGALGS; s++)
			j[n++] = (struct job){ job_sigalg, v * 64 + s };
	}
	return n;
}

static void
probe_all(struct prober *p)
{
	struct probe_result *res = p->res;
	struct job jobs[8 + 3 + 2 * (PROBE_NGROUPS + PROBE_NSIGALGS) + PV_N];
	memset(res->groups, -1, sizeof res->groups);
	memset(res->sigalgs, -1, sizeof res->sigalgs);
	for (int v = 0; v < PV_N; v++)
		res->v[v].accepted = res->v[v].server_order =
			res->v[v].secure_reneg = -1;
	res->stapling = -1;
	nk_time t0 = nk_now();
	run_jobs(p, jobs, first_jobs(jobs));
	int any = 0;
	for (int v = 0; v < PV_N; v++)
		any |= res->v[v].accepted == 1;
	/* Refusing everything is no TLS server at all (or a port of
	 * something else): the handshake error, as nk tls reports it. */
	if (!res->err && !any && !res->def_version[0]) {
		res->err = NK_ERR_SSL_CONNECT_ERROR;
		snprintf(res->errmsg, sizeof res->errmsg, "no TLS handshake with "
		         "%.64s port %d succeeded: %.150s", p->r->host, p->r->port,
		         res->def_error);
	}
	if (!res->err)
		run_jobs(p, jobs, second_jobs(res, jobs));
	res->seconds = (double)(nk_now() - t0) / 1e6;
}

static int
finish(struct report *r, struct probe_result *res)
{
	const struct args *a = r->a;
	struct probe_verdict vd = { 0 };
	int code = 0;
	if (res->err) {
		code = (int)res->err;
	} else if (probe_rules_judge(a->fail_if, a->policy, res, &vd) != 0) {
		probe_verdict_free(&vd);
		return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
	}
	if (!code && vd.n > 0)
		code = PROBE_EXIT_VIOLATION;
	if (a->json)
		probe_json(stdout, r, res, &vd, code);
	else
		probe_text(stdout, r, res, &vd);
	int fc = tool_flush_stdout();
	for (size_t i = 0; i < vd.n; i++)
		tool_msg("%s: %s", vd.v[i].rule, vd.v[i].what);
	probe_verdict_free(&vd);
	if (fc)
		return fc;
	if (res->err)
		tool_fail(res->err, res->errmsg);
	return code;
}

int
probe_args_check(const struct args *a)
{
	const char *bad = a->pem ? "--pem" : a->alpn ? "--alpn"
	                  : a->expiry_warn >= 0 ? "--expiry-warn" : NULL;
	if (a->probe && bad) {
		tool_msg("%s does not go with --probe", bad);
		return -1;
	}
	if (!a->probe && (a->fail_if || a->policy)) {
		tool_msg("%s judges a probe: it needs --probe",
		         a->fail_if ? "--fail-if" : "--policy");
		return -1;
	}
	return 0;
}

int
probe_run(struct report *r)
{
	static struct probe_result res;
	struct prober p = { r, NULL, 0, &res, PTHREAD_MUTEX_INITIALIZER };
	char err[NK_ERR_MSG_LEN] = "";
	nk_tls_config cfg = r->a->na.tls;
	/* A probe asks; it does not judge the chain (nk tls without --probe
	 * does), so nothing it learns depends on the trust store. */
	cfg.insecure = 1;
	cfg.no_session_cache = 1;
	cfg.alpn = NULL;
	cfg.ocsp = 0;
	nk_err e = nk_tls_ctx_new(&cfg, &p.ctx, err);
	if (e)
		return tool_fail(e, err);
	p.deadline = nk_deadline_in_ms(r->a->max_time_ms);
	probe_all(&p);
	nk_tls_ctx_free(p.ctx);
	return finish(r, &res);
}
