/* revcheck: nk tls --ocsp and --crl, and the SCT lines of the report; see
 * revcheck.h. The bytes move with nk_fetch over plain http (as RFC 6960
 * and RFC 5280 publish them), bounded in size and time; OpenSSL, through
 * nk/revoke.h, builds and judges them. */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "revcheck.h"
#include "text.h"

#define OCSP_MAX (64 * 1024)          /* a response is a few KiB */
#define CRL_MAX (8 * 1024 * 1024)     /* big CAs publish MiBs */
#define FETCH_MS 10000                /* each fetch, within --max-time */

struct sink {
	char *data;
	size_t len, max;
};

static nk_err
take_body(void *ctx, const char *data, size_t len, char *errmsg)
{
	struct sink *s = ctx;
	if (!data)
		return NK_OK;
	if (len > s->max - s->len)
		return nk_err_set(errmsg, NK_ERR_FILESIZE_EXCEEDED,
		                  "the answer is over %zu bytes", s->max);
	char *p = realloc(s->data, s->len + len);
	if (!p)
		return nk_err_set(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	memcpy(p + s->len, data, len);
	s->data = p;
	s->len += len;
	return NK_OK;
}

/* GET url (or POST body as an OCSP request) into s; 0, or -1 with
 * c->error set and c->state UNREACHABLE. */
static int
fetch(const struct report *r, struct revcheck *c, const unsigned char *body,
      size_t blen, nk_time deadline, struct sink *s)
{
	nk_fetch_config fc;
	memset(&fc, 0, sizeof fc);
	fc.net = r->a->na.net;
	nk_fetch *f = NULL;
	char err[NK_ERR_MSG_LEN] = "";
	nk_time t0 = nk_now();
	nk_err e = nk_fetch_new(&fc, &f, err);
	nk_fetch_body b;
	memset(&b, 0, sizeof b);
	b.data = (const char *)body;
	b.len = blen;
	b.fd = -1;
	b.content_type = "application/ocsp-request";
	nk_fetch_request rq;
	memset(&rq, 0, sizeof rq);
	rq.url = c->url;
	rq.method = body ? "POST" : "GET";
	rq.body = body ? &b : NULL;
	rq.accept = body ? "application/ocsp-response" : NULL;
	rq.fail = 1;
	rq.max_filesize = (int64_t)s->max;
	int64_t left = nk_deadline_poll_ms(deadline);
	rq.max_time_ms = left >= 0 && left < FETCH_MS ? (left ? left : 1)
	                                                : FETCH_MS;
	nk_fetch_callbacks cb;
	memset(&cb, 0, sizeof cb);
	cb.ctx = s;
	cb.body = take_body;
	nk_fetch_result res;
	memset(&res, 0, sizeof res);
	if (e == NK_OK)
		e = nk_fetch_run(f, &rq, &cb, &res, err);
	nk_fetch_result_clear(&res);
	nk_fetch_free(f);
	c->ms = (nk_now() - t0) / 1000;
	if (e == NK_OK)
		return 0;
	c->state = REV_UNREACHABLE;
	snprintf(c->error, sizeof c->error, "%s", err[0] ? err : nk_err_str(e));
	return -1;
}

static enum rev_state
state_of(nk_ocsp_status s)
{
	switch (s) {
	case NK_OCSP_GOOD: return REV_GOOD;
	case NK_OCSP_REVOKED: return REV_REVOKED;
	case NK_OCSP_UNKNOWN: return REV_UNKNOWN;
	default: return REV_INVALID;
	}
}

/* The leaf's issuer: from the path that was built, else as sent. */
static const nk_x509 *
issuer_of(const struct report *r)
{
	const nk_tls_info *in = &r->info;
	if (nk_x509_chain_len(in->verified) > 1)
		return nk_x509_chain_get(in->verified, 1);
	if (nk_x509_chain_len(in->sent) > 1)
		return nk_x509_chain_get(in->sent, 1);
	return NULL;
}

/* 1 when a check has its URL and the issuer to ask about; else 0 with
 * the state that says which is missing. */
static int
ready(struct revcheck *c, int have_url, const nk_x509 *issuer)
{
	if (!have_url)
		c->state = REV_NO_URL;
	else if (!issuer)
		c->state = REV_NO_ISSUER;
	return c->state == REV_NOT_ASKED;
}

static void
ocsp_run(struct report *r, nk_tls_ctx *ctx, const nk_x509 *leaf,
         const nk_x509 *issuer, nk_time deadline)
{
	struct revcheck *c = &r->ocsp_chk;
	unsigned char *req = NULL;
	size_t reqlen = 0;
	char err[NK_ERR_MSG_LEN] = "";
	if (!ready(c, nk_x509_ocsp_url(leaf, c->url, sizeof c->url), issuer))
		return;
	if (nk_ocsp_request(leaf, issuer, &req, &reqlen, err) != NK_OK) {
		c->state = REV_UNREACHABLE;
		snprintf(c->error, sizeof c->error, "%s", err);
		return;
	}
	struct sink s = { NULL, 0, OCSP_MAX };
	if (fetch(r, c, req, reqlen, deadline, &s) == 0) {
		nk_ocsp_check(ctx, leaf, issuer, r->info.sent, req, reqlen,
		              (const unsigned char *)s.data, s.len, &c->r);
		c->state = state_of(c->r.status);
	}
	free(s.data);
	free(req);
}

static void
crl_run(struct report *r, const nk_x509 *leaf, const nk_x509 *issuer,
        nk_time deadline)
{
	struct revcheck *c = &r->crl_chk;
	if (!ready(c, nk_x509_crl_url(leaf, c->url, sizeof c->url), issuer))
		return;
	struct sink s = { NULL, 0, CRL_MAX };
	if (fetch(r, c, NULL, 0, deadline, &s) == 0) {
		nk_crl_check(leaf, issuer, (const unsigned char *)s.data, s.len,
		             r->now, &c->r);
		c->state = state_of(c->r.status);
	}
	free(s.data);
}

/* A leaf the CA says is revoked fails verification, in the words the
 * stapled answer uses (lib/tls/info.c), so the verdict, the JSON
 * "verification" and the exit status agree. */
static void
revoked_verdict(struct report *r)
{
	const struct revcheck *c = r->ocsp_chk.state == REV_REVOKED ? &r->ocsp_chk
	                         : r->crl_chk.state == REV_REVOKED ? &r->crl_chk
	                         : NULL;
	nk_tls_info *in = &r->info;
	if (!c || !in->verify_ok)
		return;
	in->verify_ok = 0;
	in->verify_code = 23;    /* X509_V_ERR_CERT_REVOKED */
	in->verify_depth = 0;
	snprintf(in->verify_openssl, sizeof in->verify_openssl, "%s",
	         "certificate revoked");
	snprintf(in->verify_reason, sizeof in->verify_reason,
	         "certificate is revoked (%s: revoked on %s%s%s)",
	         c == &r->ocsp_chk ? "OCSP responder" : "CRL",
	         c->r.revoked_at[0] ? c->r.revoked_at : "an unknown date",
	         c->r.reason[0] ? ", " : "", c->r.reason);
}

void
revcheck_run(struct report *r, nk_tls_ctx *ctx, nk_time deadline)
{
	const nk_x509 *leaf = nk_x509_chain_get(r->info.sent, 0);
	const nk_x509 *issuer = issuer_of(r);
	if (!leaf)
		return;
	if (r->a->ocsp)
		ocsp_run(r, ctx, leaf, issuer, deadline);
	if (r->a->crl)
		crl_run(r, leaf, issuer, deadline);
	revoked_verdict(r);
}

static int
settled(const struct revcheck *c)
{
	return c->state == REV_GOOD || c->state == REV_REVOKED;
}

int
revcheck_verdict(const struct report *r)
{
	if (r->ocsp_chk.state == REV_REVOKED || r->crl_chk.state == REV_REVOKED)
		return 1;
	if (r->a->revocation_required &&
	    ((r->a->ocsp && !settled(&r->ocsp_chk)) ||
	     (r->a->crl && !settled(&r->crl_chk))))
		return 2;
	return 0;
}

static const char *
state_name(enum rev_state s)
{
	switch (s) {
	case REV_GOOD: return "good";
	case REV_REVOKED: return "revoked";
	case REV_UNKNOWN: return "unknown";
	case REV_INVALID: return "invalid";
	case REV_UNREACHABLE: return "unreachable";
	case REV_NO_URL: return "no_url";
	case REV_NO_ISSUER: return "no_issuer";
	default: return NULL;
	}
}

static void
check_text(FILE *out, const char *label, const char *what,
           const struct revcheck *c)
{
	const nk_revocation *v = &c->r;
	int crl = label[0] == 'C';
	fprintf(out, "%s", label);
	switch (c->state) {
	case REV_GOOD:
		fprintf(out, "%s (%s of %s, next by %s)\n",
		        crl ? "not listed" : "good", what, v->this_update,
		        v->next_update[0] ? v->next_update : "-");
		break;
	case REV_REVOKED:
		fprintf(out, "revoked on %s%s%s%s (%s of %s)\n", v->revoked_at,
		        v->reason[0] ? " (" : "", v->reason,
		        v->reason[0] ? ")" : "", what, v->this_update);
		break;
	case REV_UNKNOWN:
		fprintf(out, "unknown: the responder does not know the "
		        "certificate (%s of %s)\n", what, v->this_update);
		break;
	case REV_INVALID:
		fprintf(out, "no usable answer: %s\n", v->why);
		break;
	case REV_UNREACHABLE:
		fputs("no answer: ", out);
		text_safe(out, c->error);
		fputc('\n', out);
		break;
	case REV_NO_URL:
		fprintf(out, "not done: the certificate names no http %s\n",
		        crl ? "CRL distribution point" : "OCSP responder");
		break;
	case REV_NO_ISSUER:
		fputs("not done: the issuer's certificate is not at hand\n", out);
		break;
	default:
		break;
	}
	if (c->url[0] && c->state != REV_NO_URL)
		fprintf(out, "            from %s (%.1f s)\n", c->url,
		        (double)c->ms / 1000.0);
}

static const char *
source_name(int s)
{
	return s == NK_SCT_CERTIFICATE ? "certificate"
	     : s == NK_SCT_OCSP ? "ocsp" : "handshake";
}

void
revcheck_text(FILE *out, const struct report *r)
{
	if (r->a->ocsp)
		check_text(out, "OCSP check  ", "response", &r->ocsp_chk);
	if (r->a->crl)
		check_text(out, "CRL check   ", "CRL", &r->crl_chk);
	const nk_tls_info *in = &r->info;
	/* No line without SCTs: most private PKIs have none to show. */
	if (!r->handshake_done || in->nscts == 0)
		return;
	fprintf(out, "SCTs        %zu\n", in->nscts);
	for (size_t i = 0; i < in->nscts; i++)
		fprintf(out, "  [%zu] log %s at %s (%s)\n", i, in->scts[i].log_id,
		        in->scts[i].time, source_name(in->scts[i].source));
}

static void
jstr(FILE *out, const char *key, const char *v)
{
	fprintf(out, ", \"%s\": ", key);
	text_json(out, v && *v ? v : NULL);
}

static void
check_json(FILE *out, int asked, const struct revcheck *c)
{
	if (!asked || c->state == REV_NOT_ASKED) {   /* no handshake, no leaf */
		fputs("null", out);
		return;
	}
	const nk_revocation *v = &c->r;
	int answered = c->state >= REV_GOOD && c->state <= REV_INVALID;
	fputs("{\"status\": ", out);
	text_json(out, state_name(c->state));
	jstr(out, "url", c->state == REV_NO_URL ? NULL : c->url);
	jstr(out, "this_update", answered ? v->this_update : NULL);
	jstr(out, "next_update", answered ? v->next_update : NULL);
	jstr(out, "revoked_at", c->state == REV_REVOKED ? v->revoked_at : NULL);
	jstr(out, "reason", c->state == REV_REVOKED ? v->reason : NULL);
	jstr(out, "error", c->state == REV_INVALID ? v->why
	                   : c->state == REV_UNREACHABLE ? c->error : NULL);
	fputs("}", out);
}

void
revcheck_json(FILE *out, const struct report *r)
{
	fputs(",\n  \"revocation\": {\"ocsp\": ", out);
	check_json(out, r->a->ocsp, &r->ocsp_chk);
	fputs(", \"crl\": ", out);
	check_json(out, r->a->crl, &r->crl_chk);
	fputs("},\n  \"scts\": [", out);
	const nk_tls_info *in = &r->info;
	for (size_t i = 0; i < in->nscts; i++) {
		const struct nk_sct *s = &in->scts[i];
		fprintf(out, "%s{\"source\": \"%s\", \"version\": %d, "
		        "\"log_id\": \"%s\", \"timestamp\": ", i ? ", " : "",
		        source_name(s->source), s->version, s->log_id);
		text_json(out, s->time[0] ? s->time : NULL);
		fprintf(out, ", \"timestamp_ms\": %lld}", (long long)s->timestamp_ms);
	}
	fputs("]", out);
}
