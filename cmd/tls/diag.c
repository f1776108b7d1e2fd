/* diag: the analysis behind nk tls's diagnosis (see diag.h): the order
 * of the sent chain, the missing issuer and its AIA URL, the fetch of
 * that URL with nk's own fetcher (--fetch-aia), and the warnings. The
 * text and JSON forms are in diagout.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag.h"
#include "text.h"
#include "tool.h"

/* ---- the order of what was sent ------------------------------------- */

static int
order(struct report *r, struct diag *d)
{
	const nk_x509_chain *sent = r->info.sent;
	size_t n = r->ns;
	d->root_sent = -1;
	d->issuing = calloc(n + 1, sizeof *d->issuing);
	d->dup_of = calloc(n + 1, sizeof *d->dup_of);
	d->unrelated = calloc(n + 1, sizeof *d->unrelated);
	if (!d->issuing || !d->dup_of || !d->unrelated)
		return -1;
	for (size_t i = 0; i < n; i++) {
		d->dup_of[i] = -1;
		for (size_t j = 0; j < i && d->dup_of[i] < 0; j++)
			if (nk_x509_equal(nk_x509_chain_get(sent, i),
			                  nk_x509_chain_get(sent, j)))
				d->dup_of[i] = (int)j;
	}
	/* From the leaf up, each step to the sent certificate that issued
	 * the last one, until a root or nothing: what a client that reads
	 * the chain in order needs to find, in that order. */
	int *used = d->unrelated;   /* borrowed as "seen" flags for now */
	size_t cur = 0;
	d->issuing[d->nissuing++] = 0;
	used[0] = 1;
	while (n > 0 && !r->sf[cur].self_signed) {
		size_t k;
		for (k = 0; k < n; k++)
			if (!used[k] && d->dup_of[k] < 0 &&
			    nk_chain_issued(nk_x509_chain_get(sent, k),
			                    nk_x509_chain_get(sent, cur)))
				break;
		if (k == n)
			break;
		used[k] = 1;
		d->issuing[d->nissuing++] = (int)k;
		cur = k;
	}
	for (size_t m = 1; m < d->nissuing; m++) {
		if (d->issuing[m] < d->issuing[m - 1])
			d->out_of_order = 1;
		if (r->sf[d->issuing[m]].self_signed)
			d->root_sent = d->issuing[m];
	}
	for (size_t i = 0; i < n; i++)
		used[i] = !used[i] && d->dup_of[i] < 0;
	return 0;
}

/* ---- verification anew, and the missing issuer ----------------------- */

static const nk_x509 *
chain_top(const nk_x509_chain *ch)
{
	size_t n = nk_x509_chain_len(ch);
	return n ? nk_x509_chain_get(ch, n - 1) : NULL;
}

/* 1 when v's path stops at a certificate that is not self-issued: its
 * issuer is nowhere, neither sent nor trusted. */
static int
issuer_missing(const nk_chain_verdict *v, int64_t now)
{
	const nk_x509 *top = chain_top(v->path);
	struct nk_x509_facts f;
	if (v->ok || !top)
		return 0;
	memset(&f, 0, sizeof f);
	int missing = nk_x509_facts_get(top, now, &f, NULL) == NK_OK &&
	              !f.self_signed;
	nk_x509_facts_clear(&f);
	return missing;
}

static void
note_missing(struct report *r, struct diag *d)
{
	const nk_x509 *top = chain_top(d->sent_v.path);
	struct nk_x509_facts f;
	memset(&f, 0, sizeof f);
	d->missing = 1;
	if (nk_x509_facts_get(top, r->now, &f, NULL) == NK_OK) {
		snprintf(d->missing_subject, sizeof d->missing_subject, "%s",
		         f.issuer);
		snprintf(d->missing_for, sizeof d->missing_for, "%s", f.subject);
	}
	nk_x509_facts_clear(&f);
	nk_chain_links_get(top, &d->top);
}

/* ---- --fetch-aia ----------------------------------------------------- */

static nk_err
take_body(void *ctx, const char *data, size_t len, char *errmsg)
{
	nk_buf *b = ctx;
	if (!data || nk_buf_add(b, data, len) == 0)
		return NK_OK;
	if (b->err == NK_ERR_FILESIZE_EXCEEDED)
		snprintf(errmsg, NK_ERR_MSG_LEN, "more than %d bytes: no "
		         "certificate is that big", DIAG_MAX_AIA_BYTES);
	else
		snprintf(errmsg, NK_ERR_MSG_LEN, "out of memory");
	return b->err;
}

/* Fetches one URL into fe (and its certificates onto d->fetched). */
static void
fetch_one(nk_fetch *f, struct diag *d, struct diag_fetch *fe,
          nk_time deadline)
{
	nk_buf body = NK_BUF_INIT(DIAG_MAX_AIA_BYTES);
	nk_fetch_request rq;
	nk_fetch_callbacks cb;
	nk_fetch_result res;
	memset(&rq, 0, sizeof rq);
	memset(&cb, 0, sizeof cb);
	memset(&res, 0, sizeof res);
	int left = nk_deadline_poll_ms(deadline);
	rq.url = fe->url;
	rq.follow = 1;
	rq.max_redirs = 3;
	rq.fail = 1;
	rq.max_filesize = DIAG_MAX_AIA_BYTES;
	rq.max_time_ms = left >= 0 && left < DIAG_FETCH_MS ? left + 1
	                                                   : DIAG_FETCH_MS;
	cb.ctx = &body;
	cb.body = take_body;
	fe->err = nk_fetch_run(f, &rq, &cb, &res, fe->errmsg);
	const nk_fetch_hop *hop = nk_fetch_result_final(&res);
	fe->status = hop ? hop->status : 0;
	fe->bytes = body.len;
	nk_fetch_result_clear(&res);
	nk_x509_chain *got = NULL, *all = NULL;
	if (!fe->err)
		fe->err = nk_chain_parse(body.p, body.len, &got, fe->errmsg);
	if (!fe->err) {
		fe->ncerts = nk_x509_chain_len(got);
		fe->err = nk_chain_join(d->fetched, got, &all, fe->errmsg);
	}
	if (!fe->err) {
		nk_x509_chain_free(d->fetched);
		d->fetched = all;
	}
	nk_x509_chain_free(got);
	nk_buf_free(&body);
}

/* The first http:// CA Issuers URL of l not fetched yet, or NULL. */
static const char *
next_url(const struct diag *d, const struct nk_chain_links *l)
{
	for (size_t i = 0; i < l->nca_issuers; i++) {
		const char *u = l->ca_issuers[i];
		int seen = 0;
		if (strncasecmp(u, "http://", 7) != 0)
			continue;
		for (size_t k = 0; k < d->nfetch; k++)
			seen |= strcmp(d->fetch[k].url, u) == 0;
		if (!seen)
			return u;
	}
	return NULL;
}

/* Fetches the missing issuer from the AIA URL of the certificate that
 * lacks it, verifies again with it, and goes on up while the path still
 * stops below a root and a new URL names the next issuer. */
static int
fetch_aia(struct report *r, struct diag *d, nk_tls_ctx *ctx,
          nk_time deadline)
{
	nk_fetch_config fc;
	nk_fetch *f = NULL;
	char err[NK_ERR_MSG_LEN];
	memset(&fc, 0, sizeof fc);
	fc.net.connect_timeout_ms = DIAG_FETCH_MS;
	if (nk_fetch_new(&fc, &f, err) != NK_OK)
		return -1;
	struct nk_chain_links l = d->top;
	const char *url;
	while (d->nfetch < DIAG_MAX_FETCH && (url = next_url(d, &l)) &&
	       nk_deadline_poll_ms(deadline) != 0) {
		struct diag_fetch *fe = &d->fetch[d->nfetch++];
		snprintf(fe->url, sizeof fe->url, "%s", url);
		if (r->a->verbose)
			tool_msg("fetching %s (--fetch-aia)", fe->url);
		fetch_one(f, d, fe, deadline);
		if (fe->err) {
			if (r->a->verbose)
				tool_msg("%s: %s", fe->url, text_safe_buf(fe->errmsg, err,
				                                          sizeof err));
			continue;
		}
		nk_x509_chain *all = NULL;
		if (nk_chain_join(r->info.sent, d->fetched, &all, err) != NK_OK)
			break;
		nk_chain_verdict_clear(&d->aia_v);
		nk_err e = nk_chain_verify(ctx, all, r->name, &d->aia_v, err);
		nk_x509_chain_free(all);
		if (e)
			break;
		d->aia_ran = 1;
		if (!issuer_missing(&d->aia_v, r->now))
			break;
		nk_chain_links_get(chain_top(d->aia_v.path), &l);
	}
	nk_fetch_free(f);
	return 0;
}

/* ---- warnings -------------------------------------------------------- */

static struct diag_warning *
warn(struct diag *d, const char *code)
{
	struct diag_warning *w = realloc(d->warn, (d->nwarn + 1) * sizeof *w);
	if (!w)
		return NULL;
	d->warn = w;
	w = &d->warn[d->nwarn++];
	w->code = code;
	w->text[0] = '\0';
	return w;
}

/* The wildcard SAN that covers name when no exact DNS SAN does; "" when
 * an exact one does, or the name is an address. */
static void
wildcard_only(const struct nk_x509_facts *leaf, const char *name,
              char *out, size_t len)
{
	size_t nl = strlen(name);
	out[0] = '\0';
	if (nl && name[nl - 1] == '.')
		nl--;
	const char *dot = memchr(name, '.', nl);
	for (size_t i = 0; i < leaf->nsan; i++) {
		const char *v = leaf->san[i].value;
		if (leaf->san[i].type != NK_SAN_DNS)
			continue;
		if (strlen(v) == nl && strncasecmp(v, name, nl) == 0) {
			out[0] = '\0';
			return;
		}
		if (!out[0] && v[0] == '*' && v[1] == '.' && dot &&
		    strlen(v + 1) == nl - (size_t)(dot - name) &&
		    strncasecmp(v + 1, dot, strlen(v + 1)) == 0)
			snprintf(out, len, "%s", v);
	}
}

static int
weak_key(const struct nk_x509_facts *f)
{
	if (!strcmp(f->key_type, "RSA") || !strcmp(f->key_type, "RSA-PSS") ||
	    !strcmp(f->key_type, "DSA"))
		return f->key_bits < 2048;
	if (!strcmp(f->key_type, "EC"))
		return f->key_bits < 256;
	return 0;
}

static int
expiry_warning(struct report *r, struct diag *d)
{
	const struct nk_x509_facts *leaf = &d->wf[0];
	d->expires_first = -1;
	for (size_t i = 1; i < d->nw; i++)
		if (d->wf[i].not_after < leaf->not_after &&
		    (d->expires_first < 0 ||
		     d->wf[i].not_after < d->wf[d->expires_first].not_after))
			d->expires_first = (long)i;
	if (d->expires_first < 0)
		return 0;
	const struct nk_x509_facts *f = &d->wf[d->expires_first];
	struct diag_warning *w = warn(d, "chain-expires-before-leaf");
	if (!w)
		return -1;
	snprintf(w->text, sizeof w->text, "%.300s expires on %s, %lld days "
	         "before the server's certificate (%s): the chain stops "
	         "verifying then", f->subject, f->not_after_str,
	         (long long)((leaf->not_after - f->not_after) / 86400),
	         leaf->not_after_str);
	(void)r;
	return 0;
}

static int
cert_warnings(struct diag *d)
{
	d->weak_key = calloc(d->nw + 1, sizeof *d->weak_key);
	d->weak_sig = calloc(d->nw + 1, sizeof *d->weak_sig);
	if (!d->weak_key || !d->weak_sig)
		return -1;
	for (size_t i = 0; i < d->nw; i++) {
		const struct nk_x509_facts *f = &d->wf[i];
		struct nk_chain_links l;
		struct diag_warning *w;
		nk_chain_links_get(nk_x509_chain_get(d->wchain, i), &l);
		if (weak_key(f)) {
			d->weak_key[i] = 1;
			if (!(w = warn(d, "weak-key")))
				return -1;
			snprintf(w->text, sizeof w->text, "%.400s has a weak key: %s "
			         "(under %s)", f->subject, f->key_desc,
			         strcmp(f->key_type, "EC") ? "2048 bits" : "256 bits");
		}
		/* A root's own signature is not checked by anyone. */
		if (l.sig_weak && !f->self_signed) {
			d->weak_sig[i] = 1;
			if (!(w = warn(d, "weak-signature")))
				return -1;
			snprintf(w->text, sizeof w->text, "%.400s is signed with %s "
			         "(%s is broken for signatures)", f->subject, f->sig_alg,
			         l.sig_hash);
		}
	}
	return 0;
}

static int
name_warnings(struct report *r, struct diag *d)
{
	const struct nk_x509_facts *leaf = &d->wf[0];
	struct diag_warning *w;
	if (leaf->nsan == 0) {
		d->no_san = 1;
		if (!(w = warn(d, "no-san")))
			return -1;
		snprintf(w->text, sizeof w->text, "the server's certificate has no "
		         "subject alternative names: clients match names only "
		         "there, not in its subject");
	}
	if (!r->sni)
		return 0;
	if (!nk_x509_covers_host(nk_x509_chain_get(d->wchain, 0), r->name))
		return 0;
	wildcard_only(leaf, r->name, d->wildcard, sizeof d->wildcard);
	if (!d->wildcard[0])
		return 0;
	if (!(w = warn(d, "wildcard-match")))
		return -1;
	snprintf(w->text, sizeof w->text, "%s matches only through the "
	         "wildcard %s", r->name, d->wildcard);
	return 0;
}

static int
order_warnings(struct report *r, struct diag *d)
{
	struct diag_warning *w;
	if (d->out_of_order) {
		if (!(w = warn(d, "out-of-order")))
			return -1;
		size_t o = (size_t)snprintf(w->text, sizeof w->text, "the server "
		                            "sent its chain out of order: the "
		                            "issuing order is sent");
		for (size_t m = 0; m < d->nissuing && o < sizeof w->text; m++)
			o += (size_t)snprintf(w->text + o, sizeof w->text - o, "%s [%d]",
			                      m ? "," : "", d->issuing[m]);
	}
	for (size_t i = 0; i < r->ns; i++) {
		if (d->dup_of[i] >= 0) {
			if (!(w = warn(d, "duplicate-certificate")))
				return -1;
			snprintf(w->text, sizeof w->text, "sent [%zu] repeats sent "
			         "[%d] (%.400s)", i, d->dup_of[i], r->sf[i].subject);
		} else if (d->unrelated[i]) {
			if (!(w = warn(d, "unrelated-certificate")))
				return -1;
			snprintf(w->text, sizeof w->text, "sent [%zu] %.400s is not "
			         "part of the chain", i, r->sf[i].subject);
		}
	}
	if (d->root_sent >= 0) {
		if (!(w = warn(d, "root-sent")))
			return -1;
		snprintf(w->text, sizeof w->text, "sent [%d] %.400s is a root: a "
		         "client must have it already, sending it is needless",
		         d->root_sent, r->sf[d->root_sent].subject);
	}
	return 0;
}

/* Which chain the warnings are about: the path with the fetched
 * certificates when it verifies, else the handshake's, else as sent. */
static int
warnings(struct report *r, struct diag *d)
{
	d->wchain = d->aia_ran && d->aia_v.ok ? d->aia_v.path
	            : r->info.verify_ok ? r->info.verified
	            : d->sent_v.path ? d->sent_v.path : r->info.sent;
	d->nw = nk_x509_chain_len(d->wchain);
	if (d->nw == 0)
		return 0;
	if (d->wchain == r->info.verified && r->vf) {
		d->wf = r->vf;     /* the report's facts of that path */
	} else {
		d->wf = d->wf_own = calloc(d->nw, sizeof *d->wf);
		if (!d->wf) {
			d->nw = 0;
			return -1;
		}
		for (size_t i = 0; i < d->nw; i++)
			if (nk_x509_facts_get(nk_x509_chain_get(d->wchain, i), r->now,
			                      &d->wf_own[i], NULL) != NK_OK)
				return -1;
	}
	if (order_warnings(r, d) || expiry_warning(r, d) || cert_warnings(d) ||
	    name_warnings(r, d))
		return -1;
	return 0;
}

/* ---- the whole diagnosis --------------------------------------------- */

int
diag_run(struct report *r, nk_tls_ctx *ctx, nk_time deadline)
{
	char err[NK_ERR_MSG_LEN];
	if (!r->handshake_done || r->ns == 0)
		return 0;
	struct diag *d = calloc(1, sizeof *d);
	if (!d)
		return -1;
	r->diag = d;
	d->expires_first = -1;
	if (order(r, d) != 0)
		return -1;
	/* A verified handshake has the whole path already; a failed one
	 * stopped building it at the first failure, so build it again. */
	if (!r->info.verify_ok) {
		if (nk_chain_verify(ctx, r->info.sent, r->name, &d->sent_v,
		                    err) != NK_OK)
			return -1;
		if (issuer_missing(&d->sent_v, r->now))
			note_missing(r, d);
	}
	if (d->missing && r->a->fetch_aia && fetch_aia(r, d, ctx, deadline) != 0)
		return -1;
	return warnings(r, d);
}

void
diag_free(struct report *r)
{
	struct diag *d = r->diag;
	if (!d)
		return;
	free(d->issuing);
	free(d->dup_of);
	free(d->unrelated);
	nk_chain_verdict_clear(&d->sent_v);
	nk_chain_verdict_clear(&d->aia_v);
	nk_x509_chain_free(d->fetched);
	for (size_t i = 0; d->wf_own && i < d->nw; i++)
		nk_x509_facts_clear(&d->wf_own[i]);
	free(d->wf_own);
	free(d->weak_key);
	free(d->weak_sig);
	free(d->warn);
	free(d);
	r->diag = NULL;
}

char *
diag_pem(const struct report *r, size_t *len)
{
	const struct diag *d = r->diag;
	const nk_x509_chain *path = !d ? NULL
	                            : d->aia_ran && d->aia_v.ok ? d->aia_v.path
	                            : r->info.verify_ok ? r->info.verified : NULL;
	char *pem = NULL;
	if (!path || nk_x509_chain_pem(path, &pem, len, NULL) != NK_OK)
		return NULL;
	/* The server sends everything but the trust anchor, which a client
	 * has: the path's last certificate, its last PEM block. */
	if (nk_x509_chain_len(path) > 1) {
		const char *mark = "-----BEGIN CERTIFICATE-----", *p = pem, *last = pem;
		while ((p = strstr(p, mark))) {
			last = p;
			p += strlen(mark);
		}
		*len = (size_t)(last - pem);
		pem[*len] = '\0';
	}
	return pem;
}
