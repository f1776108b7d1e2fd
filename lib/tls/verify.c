/* tls verify: what certificate verification found. The verify callback
 * records the first failure in the tls_conn (code, depth, certificate,
 * the chain built so far, what the server sent); the words for it are
 * made here too, from the certificate's own facts (x509.c), for a user
 * who needs to know which certificate and why, not OpenSSL's code. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "core/internal.h"
#include "tls/tls_int.h"
#include "tls/x509_int.h"

/* Records the first failure with what the report needs; fails the
 * handshake there unless the context is insecure. */
int
nk_tls_verify_cb(int ok, X509_STORE_CTX *xs)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs,
	                                      SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_conn *t = ssl ? SSL_get_app_data(ssl) : NULL;
	if (!t)
		return ok;
	if (!t->sent) {
		STACK_OF(X509) *u = X509_STORE_CTX_get0_untrusted(xs);
		if (u)
			t->sent = X509_chain_up_ref(u);
	}
	if (!ok && t->verr == 0) {
		t->verr = X509_STORE_CTX_get_error(xs);
		t->vdepth = X509_STORE_CTX_get_error_depth(xs);
		X509 *cur = X509_STORE_CTX_get_current_cert(xs);
		if (cur && X509_up_ref(cur))
			t->vcert = cur;
		t->vchain = X509_STORE_CTX_get1_chain(xs);
	} else if (!ok && t->ctx->insecure) {
		/* Going on past it, OpenSSL would keep the last failure as the
		 * session's result, which a resumed session reports: the first
		 * one is what a full handshake says (and curl). */
		X509_STORE_CTX_set_error(xs, (int)t->verr);
	}
	return ok || t->ctx->insecure;
}

void
nk_tls_verify_forget(struct tls_conn *t)
{
	t->verr = 0;
	t->vdepth = 0;
	X509_free(t->vcert);
	t->vcert = NULL;
	sk_X509_pop_free(t->vchain, X509_free);
	t->vchain = NULL;
}

struct code_text {
	long code;
	const char *text;
};

static const struct code_text code_texts[] = {
	{ X509_V_OK, "ok" },
	{ X509_V_ERR_CERT_HAS_EXPIRED, "certificate has expired" },
	{ X509_V_ERR_CERT_NOT_YET_VALID, "certificate is not valid yet" },
	{ X509_V_ERR_HOSTNAME_MISMATCH, "certificate is for other names" },
	{ X509_V_ERR_IP_ADDRESS_MISMATCH, "certificate is for other addresses" },
	{ X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, "self-signed certificate" },
	{ X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, "untrusted root certificate" },
	{ X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, "unknown issuer" },
	{ X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, "unknown issuer" },
	{ X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE,
	  "missing intermediate certificate" },
	{ X509_V_ERR_CERT_REVOKED, "certificate is revoked" },
	{ X509_V_ERR_EE_KEY_TOO_SMALL, "key too weak" },
	{ X509_V_ERR_CA_KEY_TOO_SMALL, "CA key too weak" },
	{ X509_V_ERR_CA_MD_TOO_WEAK, "signature algorithm too weak" },
	{ X509_V_ERR_INVALID_CA, "issuer is not a valid CA" },
	{ X509_V_ERR_INVALID_PURPOSE, "certificate is not for TLS servers" },
	{ X509_V_ERR_CERT_SIGNATURE_FAILURE, "bad certificate signature" },
	{ X509_V_ERR_CERT_CHAIN_TOO_LONG, "certificate chain too long" },
	{ X509_V_ERR_PATH_LENGTH_EXCEEDED, "CA path length exceeded" },
	{ X509_V_ERR_EMAIL_MISMATCH, "certificate is for other e-mail addresses" },
};

const char *
nk_tls_verify_code_str(long code)
{
	for (size_t i = 0; i < NK_ARRAY_LEN(code_texts); i++)
		if (code_texts[i].code == code)
			return code_texts[i].text;
	return X509_verify_cert_error_string(code);
}

/* Appends the certificate's DNS and IP names to out as "a, b, c", ending
 * with "(and N more)" when they do not fit. */
static void
names_list(const struct nk_x509_facts *f, char *out, size_t len)
{
	size_t o = strlen(out);
	for (size_t i = 0; i < f->nsan; i++) {
		const char *v = f->san[i].value;
		/* Room for this name and a possible " (and N more)". */
		if (o + strlen(v) + 2 + 24 >= len) {
			snprintf(out + o, len - o, " (and %zu more)", f->nsan - i);
			return;
		}
		o += (size_t)snprintf(out + o, len - o, "%s%s", i ? ", " : "", v);
	}
}

/* The plain-words reason for the first verification failure. */
void
nk_tls_verify_reason(long code, int depth, X509 *cert, char *out, size_t len)
{
	struct nk_x509_facts f;
	const char *who = depth > 0 ? "CA certificate" : "certificate";
	const nk_x509 *c = (const nk_x509 *)(void *)cert;
	if (!cert) {
		snprintf(out, len, "%s", nk_tls_verify_code_str(code));
		return;
	}
	if (nk_x509_facts_get(c, (int64_t)time(NULL), &f, NULL) != NK_OK) {
		nk_x509_facts_clear(&f);
		snprintf(out, len, "%s", nk_tls_verify_code_str(code));
		return;
	}
	char name[160];
	nk_x509_safe_text(name, sizeof name, f.subject, strlen(f.subject));
	/* The server's own certificate goes without its name: the user
	 * knows which server it is. */
	char whose[200];
	if (depth > 0)
		snprintf(whose, sizeof whose, "%s %s", who, name);
	else
		snprintf(whose, sizeof whose, "certificate");
	switch (code) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		snprintf(out, len, "%s has expired (on %s)", whose, f.not_after_str);
		break;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		snprintf(out, len, "%s is not valid before %s", whose,
		         f.not_before_str);
		break;
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		if (f.nsan == 0) {
			snprintf(out, len, "certificate has no subject alternative "
			         "names (its %s is not checked)", name);
		} else {
			snprintf(out, len, "certificate is for other names: ");
			names_list(&f, out, len);
		}
		break;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		snprintf(out, len, "self-signed certificate");
		break;
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		snprintf(out, len, "untrusted root certificate in chain: %s", name);
		break;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE: {
		char issuer[160];
		nk_x509_safe_text(issuer, sizeof issuer, f.issuer, strlen(f.issuer));
		/* The server should send every certificate between its own and
		 * a root; when the leaf's issuer is nowhere, that is what
		 * happened (or the leaf hangs off an unknown root directly,
		 * which nothing in the handshake can tell apart). */
		if (depth == 0 && X509_check_issued(cert, cert) != X509_V_OK)
			snprintf(out, len, "missing intermediate certificate or "
			         "unknown root: issuer %s was not sent and is not "
			         "trusted", issuer);
		else
			snprintf(out, len, "unknown issuer: %s", issuer);
		break;
	}
	case X509_V_ERR_EE_KEY_TOO_SMALL:
		snprintf(out, len, "key too weak (%s bits)", f.key_desc);
		break;
	case X509_V_ERR_CA_KEY_TOO_SMALL:
		snprintf(out, len, "CA key too weak (%s bits): %s", f.key_desc,
		         name);
		break;
	case X509_V_ERR_CA_MD_TOO_WEAK:
		snprintf(out, len, "signature algorithm too weak (%.40s) in %s %.120s",
		         f.sig_alg, who, name);
		break;
	default:
		if (depth > 0)
			snprintf(out, len, "%s (%s %s)", nk_tls_verify_code_str(code),
			         who, name);
		else
			snprintf(out, len, "%s", nk_tls_verify_code_str(code));
	}
	nk_x509_facts_clear(&f);
}
