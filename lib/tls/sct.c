/* tls sct: Signed Certificate Timestamps (RFC 6962) a server shows, from
 * the certificate, the handshake or the staple, into nk_tls_info. nk only
 * reports them: OpenSSL would validate them against a list of CT logs,
 * which nk does not carry, so the validation callback accepts whatever
 * it is given (its one job is to make OpenSSL ask for them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/ct.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tls/tls_int.h"

static int
accept_any(const CT_POLICY_EVAL_CTX *ctx, const STACK_OF(SCT) *scts,
           void *arg)
{
	(void)ctx;
	(void)scts;
	(void)arg;
	return 1;
}

/* Must come before the handshake: it puts the extension in ClientHello. */
void
nk_tls_sct_request(struct tls_conn *t)
{
	if (!SSL_set_ct_validation_callback(t->ssl, accept_any, NULL))
		ERR_clear_error();
}

static int
source_of(sct_source_t s)
{
	switch (s) {
	case SCT_SOURCE_X509V3_EXTENSION: return NK_SCT_CERTIFICATE;
	case SCT_SOURCE_OCSP_STAPLED_RESPONSE: return NK_SCT_OCSP;
	default: return NK_SCT_HANDSHAKE;
	}
}

static void
fill(const SCT *sct, struct nk_sct *o)
{
	unsigned char *id = NULL;
	size_t n = SCT_get0_log_id(sct, &id);
	static const char hex[] = "0123456789abcdef";
	memset(o, 0, sizeof *o);
	o->source = source_of(SCT_get_source(sct));
	o->version = SCT_get_version(sct) == SCT_VERSION_V1 ? 1 : 0;
	for (size_t i = 0; id && i < n && 2 * i + 2 < sizeof o->log_id; i++) {
		o->log_id[2 * i] = hex[id[i] >> 4];
		o->log_id[2 * i + 1] = hex[id[i] & 15];
	}
	uint64_t ms = SCT_get_timestamp(sct);
	o->timestamp_ms = ms > INT64_MAX ? INT64_MAX : (int64_t)ms;
	time_t secs = (time_t)(o->timestamp_ms / 1000);
	struct tm tm;
	if (!gmtime_r(&secs, &tm) ||
	    !strftime(o->time, sizeof o->time, "%Y-%m-%d %H:%M:%S UTC", &tm))
		o->time[0] = '\0';
}

/* Out of memory loses the SCTs, not the handshake. */
void
nk_tls_sct_collect(struct tls_conn *t, nk_tls_info *info)
{
	const STACK_OF(SCT) *sk = SSL_get0_peer_scts(t->ssl);
	int n = sk ? sk_SCT_num(sk) : 0;
	if (n <= 0 || !(info->scts = calloc((size_t)n, sizeof *info->scts))) {
		ERR_clear_error();
		return;
	}
	/* OpenSSL moves each source's list over by popping it, reversed: a
	 * run of one source is turned back into the order the server sent. */
	for (int i = 0, j; i < n; i = j) {
		sct_source_t src = SCT_get_source(sk_SCT_value(sk, i));
		for (j = i; j < n && SCT_get_source(sk_SCT_value(sk, j)) == src; j++)
			;
		for (int k = i; k < j; k++)
			fill(sk_SCT_value(sk, k), &info->scts[i + j - 1 - k]);
	}
	info->nscts = (size_t)n;
	ERR_clear_error();
}
