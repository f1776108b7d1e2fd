/* diagout: the diagnosis of diag.c as text lines and as the JSON
 * "diagnosis" object (docs/nk-tls-json.md describes every field). */
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "text.h"

/* ---- text ------------------------------------------------------------ */

/* "CN=a < CN=b < CN=c  (fetched: [1])": a path in one line. */
static void
path_line(FILE *out, const struct report *r, const nk_x509_chain *path)
{
	const struct diag *d = r->diag;
	for (size_t i = 0; i < nk_x509_chain_len(path); i++) {
		struct nk_x509_facts f;
		memset(&f, 0, sizeof f);
		const nk_x509 *c = nk_x509_chain_get(path, i);
		if (nk_x509_facts_get(c, r->now, &f, NULL) == NK_OK) {
			int fetched = 0;
			for (size_t k = 0; k < nk_x509_chain_len(d->fetched); k++)
				fetched |= nk_x509_equal(c, nk_x509_chain_get(d->fetched, k));
			fprintf(out, "%s%s%s", i ? " < " : "", f.subject,
			        fetched ? " (fetched)" : "");
		}
		nk_x509_facts_clear(&f);
	}
}

static void
missing_text(FILE *out, const struct report *r)
{
	const struct diag *d = r->diag;
	fprintf(out, "Missing     %s", d->missing_subject);
	if (d->top.aki[0])
		fprintf(out, " (key id %s)", d->top.aki);
	fprintf(out, ", the issuer of %s: the server did not send it and it "
	        "is not trusted\n", d->missing_for);
	for (size_t i = 0; i < d->top.nca_issuers; i++)
		fprintf(out, "CA Issuers  %s\n", d->top.ca_issuers[i]);
	if (d->top.nca_issuers == 0)
		fprintf(out, "CA Issuers  none: %s names no AIA URL for its "
		        "issuer\n", d->missing_for);
	for (size_t i = 0; i < d->nfetch; i++) {
		const struct diag_fetch *fe = &d->fetch[i];
		fprintf(out, "Fetched     %s: ", fe->url);
		if (fe->status)
			fprintf(out, "HTTP %d, %zu bytes", fe->status, fe->bytes);
		if (fe->err) {
			fprintf(out, "%s", fe->status ? ": " : "");
			text_safe(out, fe->errmsg);
		} else {
			fprintf(out, ", %zu certificate%s", fe->ncerts,
			        fe->ncerts == 1 ? "" : "s");
		}
		fputc('\n', out);
	}
	if (d->aia_ran && d->aia_v.ok) {
		fputs("Completed   the chain verifies with what was fetched: ", out);
		path_line(out, r, d->aia_v.path);
		fputs("\nFix         configure the server to send the chain "
		      "--fetch-aia --pem writes\n", out);
		return;
	}
	if (d->aia_ran)
		fprintf(out, "Completed   still no verified chain: %s\n",
		        d->aia_v.reason);
	fprintf(out, "Fix         send %s after the server's certificate%s\n",
	        d->missing_subject, !r->a->fetch_aia && d->top.nca_issuers
	        ? " (--fetch-aia fetches it from the CA Issuers URL)" : "");
}

void
diag_text(FILE *out, const struct report *r)
{
	const struct diag *d = r->diag;
	if (!d || (!d->missing && d->nwarn == 0))
		return;
	fputc('\n', out);
	if (d->missing)
		missing_text(out, r);
	for (size_t i = 0; i < d->nwarn; i++)
		fprintf(out, "Warning     %s: %s\n", d->warn[i].code, d->warn[i].text);
}

/* ---- JSON ------------------------------------------------------------ */

static void
json_ints(FILE *out, const int *v, size_t n, int only_set)
{
	const char *sep = "";
	fputc('[', out);
	for (size_t i = 0; i < n; i++) {
		if (only_set && !v[i])
			continue;
		fprintf(out, "%s%zu", sep, only_set ? i : (size_t)v[i]);
		sep = ", ";
	}
	fputc(']', out);
}

static void
json_order(FILE *out, const struct report *r)
{
	const struct diag *d = r->diag;
	fputs("{\"issuing_order\": ", out);
	json_ints(out, d->issuing, d->nissuing, 0);
	fprintf(out, ", \"out_of_order\": %s, \"duplicates\": [",
	        d->out_of_order ? "true" : "false");
	const char *sep = "";
	for (size_t i = 0; i < r->ns; i++)
		if (d->dup_of[i] >= 0) {
			fprintf(out, "%s{\"index\": %zu, \"repeats\": %d}", sep, i,
			        d->dup_of[i]);
			sep = ", ";
		}
	fputs("], \"unrelated\": ", out);
	json_ints(out, d->unrelated, r->ns, 1);
	fputs(", \"root_sent\": ", out);
	if (d->root_sent >= 0)
		fprintf(out, "%d}", d->root_sent);
	else
		fputs("null}", out);
}

/* Where each certificate of the completed path came from. */
static const char *
source(const struct report *r, const nk_x509 *c)
{
	const struct diag *d = r->diag;
	for (size_t k = 0; k < r->ns; k++)
		if (nk_x509_equal(c, nk_x509_chain_get(r->info.sent, k)))
			return "sent";
	for (size_t k = 0; k < nk_x509_chain_len(d->fetched); k++)
		if (nk_x509_equal(c, nk_x509_chain_get(d->fetched, k)))
			return "fetched";
	return "store";
}

static void
json_aia(FILE *out, const struct report *r)
{
	const struct diag *d = r->diag;
	fputs("{\n      \"fetches\": [", out);
	for (size_t i = 0; i < d->nfetch; i++) {
		const struct diag_fetch *fe = &d->fetch[i];
		fputs(i ? ", " : "", out);
		fputs("{\"url\": ", out);
		text_json(out, fe->url);
		fprintf(out, ", \"status\": %d, \"bytes\": %zu, \"certificates\": %zu, "
		        "\"error\": ", fe->status, fe->bytes, fe->ncerts);
		text_json(out, fe->err ? fe->errmsg : NULL);
		fputs("}", out);
	}
	fprintf(out, "],\n      \"verified\": %s,\n      \"reason\": ",
	        d->aia_ran && d->aia_v.ok ? "true" : "false");
	text_json(out, !d->aia_ran ? "nothing fetched"
	               : d->aia_v.ok ? NULL : d->aia_v.reason);
	fputs(",\n      \"chain\": [", out);
	for (size_t i = 0; d->aia_ran && i < nk_x509_chain_len(d->aia_v.path);
	     i++) {
		const nk_x509 *c = nk_x509_chain_get(d->aia_v.path, i);
		struct nk_x509_facts f;
		memset(&f, 0, sizeof f);
		if (nk_x509_facts_get(c, r->now, &f, NULL) == NK_OK) {
			fputs(i ? ", {\"subject\": " : "{\"subject\": ", out);
			text_json(out, f.subject);
			fputs(", \"source\": ", out);
			text_json(out, source(r, c));
			fputs("}", out);
		}
		nk_x509_facts_clear(&f);
	}
	fputs("]\n    }", out);
}

static void
json_missing(FILE *out, const struct report *r)
{
	const struct diag *d = r->diag;
	fputs("{\"subject\": ", out);
	text_json(out, d->missing_subject);
	fputs(", \"key_id\": ", out);
	text_json(out, d->top.aki[0] ? d->top.aki : NULL);
	fputs(", \"issuer_of\": ", out);
	text_json(out, d->missing_for);
	fputs(", \"ca_issuers\": [", out);
	for (size_t i = 0; i < d->top.nca_issuers; i++) {
		fputs(i ? ", " : "", out);
		text_json(out, d->top.ca_issuers[i]);
	}
	fputs("]}", out);
}

static void
json_expiry(FILE *out, const struct diag *d)
{
	if (d->expires_first < 0) {
		fputs("null", out);
		return;
	}
	const struct nk_x509_facts *f = &d->wf[d->expires_first];
	fputs("{\"subject\": ", out);
	text_json(out, f->subject);
	fputs(", \"not_after\": ", out);
	json_time(out, f->not_after);
	fputs(", \"leaf_not_after\": ", out);
	json_time(out, d->wf[0].not_after);
	fprintf(out, ", \"days_before_leaf\": %lld}",
	        (long long)((d->wf[0].not_after - f->not_after) / 86400));
}

/* [{"subject": ..., KEY: ...}] for the certificates flagged in v. */
static void
json_flagged(FILE *out, const struct diag *d, const int *v, const char *key,
             int sig)
{
	const char *sep = "";
	fputc('[', out);
	for (size_t i = 0; i < d->nw; i++) {
		if (!v[i])
			continue;
		fprintf(out, "%s{\"subject\": ", sep);
		text_json(out, d->wf[i].subject);
		fprintf(out, ", \"%s\": ", key);
		text_json(out, sig ? d->wf[i].sig_alg : d->wf[i].key_desc);
		fputc('}', out);
		sep = ", ";
	}
	fputc(']', out);
}

void
diag_json(FILE *out, const struct report *r)
{
	const struct diag *d = r->diag;
	if (!d) {
		fputs("null", out);
		return;
	}
	fputs("{\n    \"chain_order\": ", out);
	json_order(out, r);
	fputs(",\n    \"missing_issuer\": ", out);
	if (d->missing)
		json_missing(out, r);
	else
		fputs("null", out);
	fputs(",\n    \"aia\": ", out);
	if (d->missing && r->a->fetch_aia)
		json_aia(out, r);
	else
		fputs("null", out);
	fputs(",\n    \"chain_expires_before_leaf\": ", out);
	json_expiry(out, d);
	fputs(",\n    \"weak_keys\": ", out);
	json_flagged(out, d, d->weak_key, "key", 0);
	fputs(",\n    \"weak_signatures\": ", out);
	json_flagged(out, d, d->weak_sig, "signature_algorithm", 1);
	fprintf(out, ",\n    \"leaf_without_san\": %s,\n    \"wildcard_match\": ",
	        d->no_san ? "true" : "false");
	text_json(out, d->wildcard[0] ? d->wildcard : NULL);
	fputs(",\n    \"warnings\": [", out);
	for (size_t i = 0; i < d->nwarn; i++) {
		fputs(i ? ",\n      {\"code\": " : "\n      {\"code\": ", out);
		text_json(out, d->warn[i].code);
		fputs(", \"text\": ", out);
		text_json(out, d->warn[i].text);
		fputc('}', out);
	}
	fputs(d->nwarn ? "\n    ]\n  }" : "]\n  }", out);
}
