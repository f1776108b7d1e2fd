/* report: the analysis and the two forms (text, JSON) of nk tls's
 * report; see report.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "report.h"
#include "text.h"
#include "tlsreport.h"

/* ---- output helpers -------------------------------------------------- */

/* "" for JSON null. */
static const char *
nz(const char *s)
{
	return s && *s ? s : NULL;
}

static const char *
ocsp_name(nk_ocsp_status s)
{
	switch (s) {
	case NK_OCSP_GOOD: return "good";
	case NK_OCSP_REVOKED: return "revoked";
	case NK_OCSP_UNKNOWN: return "unknown";
	case NK_OCSP_INVALID: return "invalid";
	default: return "none";
	}
}

#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_BOLD "\033[1m"
#define C_OFF "\033[0m"

static const char *
col(const struct report *r, const char *c)
{
	return r->color ? c : "";
}

/* ---- the report ------------------------------------------------------ */

static int
facts_of(const nk_x509_chain *ch, int64_t now, struct nk_x509_facts **out,
         size_t *n)
{
	*n = nk_x509_chain_len(ch);
	*out = NULL;
	if (*n == 0)
		return 0;
	*out = calloc(*n, sizeof **out);
	if (!*out) {
		*n = 0;     /* the report shows no certificate, not NULL's */
		return -1;
	}
	for (size_t i = 0; i < *n; i++)
		if (nk_x509_facts_get(nk_x509_chain_get(ch, i), now, &(*out)[i],
		                      NULL) != NK_OK)
			return -1;
	return 0;
}

int
analyse(struct report *r)
{
	const nk_tls_info *in = &r->info;
	r->expiring = -1;
	if (facts_of(in->sent, r->now, &r->sf, &r->ns) != 0 ||
	    facts_of(in->verified, r->now, &r->vf, &r->nv) != 0)
		return -1;
	r->sent_in_path = calloc(r->ns + 1, sizeof *r->sent_in_path);
	r->path_from_sent = calloc(r->nv + 1, sizeof *r->path_from_sent);
	if (!r->sent_in_path || !r->path_from_sent)
		return -1;
	for (size_t i = 0; i < r->ns; i++)
		r->sent_in_path[i] = -1;
	for (size_t j = 0; j < r->nv; j++) {
		r->path_from_sent[j] = -1;
		for (size_t i = 0; i < r->ns; i++) {
			if (r->sent_in_path[i] < 0 &&
			    nk_x509_equal(nk_x509_chain_get(in->sent, i),
			                  nk_x509_chain_get(in->verified, j))) {
				r->sent_in_path[i] = (int)j;
				r->path_from_sent[j] = (int)i;
				break;
			}
		}
	}
	/* --expiry-warn looks at the trust path: the certificates a client
	 * relies on, the root from the store included, and not extra ones a
	 * server sends but nobody uses. */
	if (r->a->expiry_warn >= 0) {
		const struct nk_x509_facts *f = r->nv ? r->vf : r->sf;
		size_t n = r->nv ? r->nv : r->ns;
		int64_t limit = r->now + (int64_t)r->a->expiry_warn * 86400;
		for (size_t i = 0; i < n; i++)
			if (f[i].not_after < limit &&
			    (r->expiring < 0 || f[i].not_after <
			     f[r->expiring].not_after))
				r->expiring = (long)i;
	}
	return 0;
}

void
args_free(struct args *a)
{
	netargs_free(&a->na);
	free(a->targets);
	a->targets = NULL;
	a->ntargets = 0;
}

void
report_free(struct report *r)
{
	for (size_t i = 0; r->sf && i < r->ns; i++)
		nk_x509_facts_clear(&r->sf[i]);
	for (size_t i = 0; r->vf && i < r->nv; i++)
		nk_x509_facts_clear(&r->vf[i]);
	free(r->sf);
	free(r->vf);
	free(r->sent_in_path);
	free(r->path_from_sent);
	diag_free(r);
	nk_tls_info_clear(&r->info);
	nk_tls_ctx_free(r->ctx);
	r->ctx = NULL;
}

const struct nk_x509_facts *
expiring_facts(const struct report *r)
{
	if (r->expiring < 0)
		return NULL;
	return r->nv ? &r->vf[r->expiring] : &r->sf[r->expiring];
}

/* The exit status: verification first, then --expiry-warn. */
int
verdict_code(const struct report *r)
{
	if (r->err)
		return (int)r->err;
	int rev = revcheck_verdict(r);
	if (!r->info.verify_ok || rev == 1)
		return r->a->na.tls.insecure ? 0 : NK_ERR_PEER_FAILED_VERIFICATION;
	if (rev == 2)
		return NK_ERR_SSL_INVALIDCERTSTATUS;
	if (r->expiring >= 0)
		return NK_ERR_CERT_EXPIRING;
	return 0;
}

static void
names_text(FILE *out, const struct nk_x509_facts *f)
{
	if (f->nsan == 0) {
		fputs("(none)", out);
		return;
	}
	for (size_t i = 0; i < f->nsan; i++)
		fprintf(out, "%s%s", i ? ", " : "", f->san[i].value);
}

static void
cert_block(FILE *out, const struct report *r, const struct nk_x509_facts *f)
{
	char days[80];
	tlsreport_days(days, sizeof days, f, r->now);
	int bad = f->not_after < r->now || f->not_before > r->now;
	int warn = !bad && r->a->expiry_warn >= 0 &&
	           f->not_after < r->now + (int64_t)r->a->expiry_warn * 86400;
	fprintf(out, "      issuer      %s\n", f->issuer);
	fprintf(out, "      names       ");
	names_text(out, f);
	fputc('\n', out);
	fprintf(out, "      valid       %s to %s (%s%s%s)\n", f->not_before_str,
	        f->not_after_str,
	        col(r, bad ? C_RED : warn ? C_YELLOW : ""), days,
	        col(r, bad || warn ? C_OFF : ""));
	fprintf(out, "      key         %s, signed with %s\n", f->key_desc,
	        f->sig_alg);
	fprintf(out, "      serial      %s\n", f->serial);
	fprintf(out, "      sha256      %s\n", f->sha256);
	fprintf(out, "      pin         %s\n", f->pin);
}

static const char *
cert_flags(const struct nk_x509_facts *f)
{
	if (f->self_signed && f->is_ca)
		return "  (root CA)";
	if (f->self_signed)
		return "  (self-signed)";
	if (f->is_ca)
		return "  (CA)";
	return "";
}

/* A server that asks for a client certificate, and whose issuers it
 * accepts: what s_client calls "Acceptable client certificate CA names". */
void
cert_request_text(FILE *out, const nk_tls_info *in)
{
	if (!in->cert_requested)
		return;
	fprintf(out, "Client cert asked for by the server; %s\n",
	        in->cert_sent ? "sent" : "none sent (see --cert)");
	if (in->ncert_cas == 0)
		fprintf(out, "Client CAs  none named\n");
	for (size_t i = 0; i < in->ncert_cas; i++)
		fprintf(out, "%s%s\n", i ? "            " : "Client CAs  ",
		        in->cert_cas[i]);
}

void
text_report(FILE *out, const struct report *r)
{
	const nk_tls_info *in = &r->info;
	const struct nk_x509_facts *exp = expiring_facts(r);

	if (in->verify_ok && revcheck_verdict(r) == 2)
		fprintf(out, "Verdict     %sUNCERTAIN%s: the chain verifies for %s, "
		        "but its revocation status could not be established\n",
		        col(r, C_YELLOW C_BOLD), col(r, C_OFF), r->name);
	else if (in->verify_ok && exp)
		/* Exit 101 is no plain OK: the verdict says what the status
		 * is about. */
		fprintf(out, "Verdict     %sEXPIRING%s: the chain verifies for %s, "
		        "but %s expires within %ld days\n", col(r, C_YELLOW C_BOLD),
		        col(r, C_OFF), r->name, exp->subject, r->a->expiry_warn);
	else if (in->verify_ok)
		fprintf(out, "Verdict     %sOK%s: the chain verifies for %s\n",
		        col(r, C_GREEN C_BOLD), col(r, C_OFF), r->name);
	else
		fprintf(out, "Verdict     %sFAILED%s%s: %s\n", col(r, C_RED C_BOLD),
		        col(r, C_OFF),
		        r->a->na.tls.insecure ? " (ignored: --insecure)" : "",
		        in->verify_reason);
	if (r->a->expiry_warn >= 0) {
		char days[80];
		if (exp) {
			tlsreport_days(days, sizeof days, exp, r->now);
			fprintf(out, "Expiry      %s%s%s: %s (--expiry-warn %ld)\n",
			        col(r, C_YELLOW), exp->subject, col(r, C_OFF), days,
			        r->a->expiry_warn);
		} else {
			fprintf(out, "Expiry      nothing in the trust path expires "
			        "within %ld days\n", r->a->expiry_warn);
		}
	}
	fprintf(out, "Server      %s port %d", r->host, r->port);
	if (r->addr)
		fprintf(out, ", address %s port %d", r->addr, r->addr_port);
	if (r->a->starttls)
		fprintf(out, ", STARTTLS %s", r->a->starttls);
	fputc('\n', out);
	fprintf(out, "Name        %s (%s)\n", r->name,
	        r->sni ? "sent as SNI, checked against DNS names"
	               : "no SNI for an address, checked against IP names");
	fprintf(out, "TLS         %s, %s", in->version, in->cipher);
	if (in->group[0])
		fprintf(out, ", %s", in->group);
	fprintf(out, "%s\n", in->resumed ? " (resumed)" : "");
	if (r->a->alpn)
		fprintf(out, "ALPN        %s (offered %s)\n",
		        in->alpn[0] ? in->alpn : "none chosen", r->a->alpn);
	if (in->ocsp == NK_OCSP_NONE)
		fprintf(out, "OCSP        no stapled response\n");
	else if (in->ocsp == NK_OCSP_INVALID)
		fprintf(out, "OCSP        stapled response not usable (unparsable, "
		        "not about this certificate, or its signature does not "
		        "verify)\n");
	else if (in->ocsp == NK_OCSP_REVOKED)
		fprintf(out, "OCSP        %srevoked%s on %s (response of %s)\n",
		        col(r, C_RED), col(r, C_OFF), in->ocsp_revoked_at,
		        in->ocsp_this_update);
	else
		fprintf(out, "OCSP        %s (response of %s, next by %s)\n",
		        ocsp_name(in->ocsp), in->ocsp_this_update,
		        in->ocsp_next_update[0] ? in->ocsp_next_update : "-");
	revcheck_text(out, r);
	fprintf(out, "Handshake   %.1f ms\n", (double)in->handshake_us / 1000.0);
	fprintf(out, "Trust       %s\n", r->trust);
	cert_request_text(out, in);

	fprintf(out, "\nSent by the server: %zu certificate%s\n", r->ns,
	        r->ns == 1 ? "" : "s");
	for (size_t i = 0; i < r->ns; i++) {
		const struct nk_x509_facts *f = &r->sf[i];
		fprintf(out, "  [%zu] %s%s", i, f->subject, cert_flags(f));
		if (r->sent_in_path[i] >= 0)
			fprintf(out, "  = path [%d]\n", r->sent_in_path[i]);
		else
			fprintf(out, "  (not in the path)\n");
		cert_block(out, r, f);
	}
	if (in->verify_ok)
		fprintf(out, "\nTrust path: %zu certificate%s, to a trusted root\n",
		        r->nv, r->nv == 1 ? "" : "s");
	else
		fprintf(out, "\nTrust path: %zu certificate%s, not trusted\n", r->nv,
		        r->nv == 1 ? "" : "s");
	for (size_t j = 0; j < r->nv; j++) {
		const struct nk_x509_facts *f = &r->vf[j];
		fprintf(out, "  [%zu] %s%s", j, f->subject, cert_flags(f));
		if (r->path_from_sent[j] >= 0) {
			fprintf(out, "  = sent [%d]\n", r->path_from_sent[j]);
		} else {
			fprintf(out, "  (from the trust store)\n");
			cert_block(out, r, f);
		}
	}
	diag_text(out, r);
}

/* ",\n", the indent, and "key": value as a JSON string (or null). */
static void
json_str(FILE *out, const char *ind, const char *key, const char *value)
{
	fprintf(out, ",\n%s  \"%s\": ", ind, key);
	text_json(out, value);
}

/* The subject alternative names of one type, as JSON strings between
 * commas. */
static void
json_names(FILE *out, const struct nk_x509_facts *f, int type)
{
	const char *sep = "";
	for (size_t i = 0; i < f->nsan; i++) {
		if (f->san[i].type != type)
			continue;
		fputs(sep, out);
		text_json(out, f->san[i].value);
		sep = ", ";
	}
}

static void
json_cert(FILE *out, const struct nk_x509_facts *f, const char *link_name,
          int link, const char *ind)
{
	fprintf(out, "{\n%s  \"subject\": ", ind);
	text_json(out, f->subject);
	json_str(out, ind, "issuer", f->issuer);
	json_str(out, ind, "serial", f->serial);
	fprintf(out, ",\n%s  \"dns_names\": [", ind);
	json_names(out, f, NK_SAN_DNS);
	fprintf(out, "],\n%s  \"ip_addresses\": [", ind);
	json_names(out, f, NK_SAN_IP);
	fprintf(out, "],\n%s  \"not_before\": ", ind);
	json_time(out, f->not_before);
	fprintf(out, ",\n%s  \"not_after\": ", ind);
	json_time(out, f->not_after);
	fprintf(out, ",\n%s  \"not_before_unix\": %lld,\n%s  \"not_after_unix\": "
	        "%lld,\n%s  \"days_left\": %lld", ind, (long long)f->not_before,
	        ind, (long long)f->not_after, ind, (long long)f->days_left);
	json_str(out, ind, "key_type", f->key_type);
	fprintf(out, ",\n%s  \"key_bits\": %d", ind, f->key_bits);
	json_str(out, ind, "key", f->key_desc);
	json_str(out, ind, "signature_algorithm", f->sig_alg);
	json_str(out, ind, "sha256", f->sha256);
	json_str(out, ind, "pin", f->pin);
	fprintf(out, ",\n%s  \"self_signed\": %s,\n%s  \"is_ca\": %s,\n%s  \"%s\": ",
	        ind, f->self_signed ? "true" : "false", ind,
	        f->is_ca ? "true" : "false", ind, link_name);
	if (link >= 0)
		fprintf(out, "%d\n%s}", link, ind);
	else
		fprintf(out, "null\n%s}", ind);
}

/* The "tls" object: what the handshake settled. */
static void
json_tls(FILE *out, const struct report *r)
{
	const nk_tls_info *in = &r->info;
	fputs("{\n    \"version\": ", out);
	text_json(out, in->version);
	json_str(out, "  ", "cipher", in->cipher);
	json_str(out, "  ", "cipher_openssl", in->cipher_openssl);
	json_str(out, "  ", "group", nz(in->group));
	json_str(out, "  ", "alpn_offered", r->a->alpn);
	json_str(out, "  ", "alpn", nz(in->alpn));
	fprintf(out, ",\n    \"resumed\": %s,\n    \"handshake_ms\": %.3f,\n",
	        in->resumed ? "true" : "false", (double)in->handshake_us / 1000.0);
	fputs("    \"ocsp\": {\"status\": ", out);
	text_json(out, ocsp_name(in->ocsp));
	fputs(", \"this_update\": ", out);
	text_json(out, nz(in->ocsp_this_update));
	fputs(", \"next_update\": ", out);
	text_json(out, nz(in->ocsp_next_update));
	fputs(", \"revoked_at\": ", out);
	text_json(out, nz(in->ocsp_revoked_at));
	fputs("}\n  }", out);
}

void
json_report(FILE *out, const struct report *r, int code)
{
	const nk_tls_info *in = &r->info;
	const struct args *a = r->a;
	fputs("{\n  \"host\": ", out);
	text_json(out, r->host);
	fprintf(out, ",\n  \"port\": %d,\n  \"name\": ", r->port);
	text_json(out, r->name);
	fprintf(out, ",\n  \"sni\": %s,\n  \"address\": ", r->sni ? "true" : "false");
	text_json(out, r->addr);
	fprintf(out, ",\n  \"address_port\": ");
	if (r->addr)
		fprintf(out, "%d", r->addr_port);
	else
		fputs("null", out);
	json_str(out, "", "starttls", a->starttls);
	json_str(out, "", "trust", r->trust);
	fputs(",\n  \"client_certificate_request\": ", out);
	if (in->cert_requested) {
		fprintf(out, "{\"sent\": %s, \"acceptable_cas\": [",
		        in->cert_sent ? "true" : "false");
		for (size_t i = 0; i < in->ncert_cas; i++) {
			fputs(i ? ", " : "", out);
			text_json(out, in->cert_cas[i]);
		}
		fputs("]}", out);
	} else {
		fputs("null", out);
	}
	fprintf(out, ",\n  \"exit_code\": %d,\n  \"error\": ", code);
	text_json_error(out, r->err, r->errmsg);
	fputs(",\n  \"diagnosis\": ", out);
	diag_json(out, r);
	fputs(",\n  \"tls\": ", out);
	if (r->handshake_done)
		json_tls(out, r);
	else
		fputs("null", out);
	fputs(",\n  \"verification\": {\n    \"verified\": ", out);
	fputs(in->verify_ok ? "true" : "false", out);
	fprintf(out, ",\n    \"insecure\": %s,\n    \"code\": %ld,\n    \"depth\": ",
	        a->na.tls.insecure ? "true" : "false", in->verify_code);
	if (in->verify_depth >= 0)
		fprintf(out, "%d", in->verify_depth);
	else
		fputs("null", out);
	json_str(out, "  ", "reason", nz(in->verify_reason));
	json_str(out, "  ", "openssl_reason", nz(in->verify_openssl));
	fputs("\n  },\n  \"expiry_warn_days\": ", out);
	if (a->expiry_warn >= 0)
		fprintf(out, "%ld", a->expiry_warn);
	else
		fputs("null", out);
	revcheck_json(out, r);
	fputs(",\n  \"expiring\": ", out);
	const struct nk_x509_facts *exp = expiring_facts(r);
	if (exp) {
		fputs("{\"subject\": ", out);
		text_json(out, exp->subject);
		fputs(", \"not_after\": ", out);
		json_time(out, exp->not_after);
		fprintf(out, ", \"days_left\": %lld}", (long long)exp->days_left);
	} else {
		fputs("null", out);
	}
	fputs(",\n  \"sent_chain\": [", out);
	/* The facts are there for every certificate counted (analyse). */
	for (size_t i = 0; r->sf && i < r->ns; i++) {
		fputs(i ? ", " : "\n    ", out);
		json_cert(out, &r->sf[i], "path_index", r->sent_in_path[i], "    ");
	}
	fputs(r->ns ? "\n  ],\n  \"verified_chain\": [" : "],\n  \"verified_chain\": [",
	      out);
	for (size_t j = 0; r->vf && j < r->nv; j++) {
		fputs(j ? ", " : "\n    ", out);
		json_cert(out, &r->vf[j], "sent_index", r->path_from_sent[j], "    ");
	}
	fputs(r->nv ? "\n  ]\n}\n" : "]\n}\n", out);
}

