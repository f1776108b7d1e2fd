/* probe show: a probe's results as a table for a person, or as JSON
 * (docs/nk-tls-json.md, "probe"). What came from the server (subjects,
 * error text) goes through the terminal-safe and JSON writers. */
#include <stdio.h>
#include <string.h>

#include "probe.h"
#include "text.h"

static const char *
yes_no(tri t, const char *unknown)
{
	return t == 1 ? "yes" : t == 0 ? "no" : unknown;
}

static const char *
jtri(tri t)
{
	return t == 1 ? "true" : t == 0 ? "false" : "null";
}

/* The names of list whose acc is 1, comma-separated; "none". */
static void
names_line(FILE *out, const tri *acc, const char *const *names, size_t n)
{
	int any = 0;
	for (size_t i = 0; i < n; i++)
		if (acc[i] == 1) {
			fprintf(out, "%s%s", any ? ", " : "", names[i]);
			any = 1;
		}
	fputs(any ? "\n" : "none\n", out);
}

static void
text_suites(FILE *out, const struct probe_result *res)
{
	for (int v = PV_N; v-- > 0;) {
		const struct probe_version *pv = &res->v[v];
		if (pv->accepted != 1)
			continue;
		fprintf(out, "\nCipher suites, %s (%s)\n", probe_version_names[v],
		        pv->server_order == 1 ? "the server's order"
		        : pv->server_order == 0 ? "the server follows the client's "
		                                  "order"
		        : "order not known");
		for (size_t i = 0; i < pv->nsuites; i++)
			fprintf(out, "  %-45s %s\n", pv->suites[i].iana,
			        pv->suites[i].ossl);
	}
}

static void
text_features(FILE *out, const struct probe_result *res)
{
	fprintf(out, "\nResumption  session ID %s, ticket %s (up to TLSv1.2); "
	        "TLSv1.3 ticket %s\n", yes_no(res->resume_id, "not tested"),
	        yes_no(res->resume_ticket, "not tested"),
	        yes_no(res->resume_13, "not tested"));
	fprintf(out, "Stapling    %s\n", yes_no(res->stapling, "not known"));
	fprintf(out, "ALPN        h2 %s, http/1.1 %s", yes_no(res->alpn[0], "?"),
	        yes_no(res->alpn[1], "?"));
	if (res->alpn_first[0] && strcmp(res->alpn_first,
	                                 res->alpn_reversed) == 0)
		fprintf(out, "; the server prefers %s\n", res->alpn_first);
	else if (res->alpn_first[0])
		fputs("; the server follows the client's order\n", out);
	else
		fputc('\n', out);
	tri sr = probe_secure_reneg(res);
	fprintf(out, "Renegotiation %s\n", sr == 1 ? "secure (RFC 5746)"
	        : sr == 0 ? "NOT secure: no RFC 5746 support"
	        : "not tested (TLSv1.3 only, which has none)");
	if (!res->sni_tested) {
		fputs("SNI         not tested (the target is an IP address)\n", out);
	} else if (res->nosni_error[0]) {
		fputs("SNI         required: without it, ", out);
		text_safe(out, res->nosni_error);
		fputc('\n', out);
	} else if (res->sni_differs) {
		fputs("SNI         a different certificate without SNI\n"
		      "  with       ", out);
		text_safe(out, res->subject_sni);
		fputs("\n  without    ", out);
		text_safe(out, res->subject_nosni);
		fputc('\n', out);
	} else {
		fputs("SNI         the same certificate without SNI: ", out);
		text_safe(out, res->subject_sni);
		fputc('\n', out);
	}
}

void
probe_text(FILE *out, const struct report *r, const struct probe_result *res,
           const struct probe_verdict *vd)
{
	fputs("Probe       ", out);
	text_safe(out, r->host);
	fprintf(out, " port %d%s%s: %d handshakes in %.2f s, %d at a time\n",
	        r->port, r->a->starttls ? ", STARTTLS " : "",
	        r->a->starttls ? r->a->starttls : "", res->connections,
	        res->seconds, PROBE_PARALLEL);
	if (res->err) {
		fputs("Stopped     ", out);
		text_safe(out, res->errmsg);
		fputc('\n', out);
		return;
	}
	fputs("Versions   ", out);
	for (int v = PV_N; v-- > 0;)
		fprintf(out, " %s %s%s", probe_version_names[v],
		        yes_no(res->v[v].accepted, "?"), v ? "," : "\n");
	fputs("            SSLv3 and SSLv2 not tested: this OpenSSL cannot "
	      "offer them\n", out);
	if (res->def_version[0])
		fprintf(out, "Default     %s %s %s\n", res->def_version,
		        res->def_cipher, res->def_group);
	text_suites(out, res);
	for (int k = 1; k >= 0; k--) {
		if (res->v[k ? PV_13 : PV_12].accepted != 1)
			continue;
		if (k == 1 || res->v[PV_13].accepted != 1)
			fputc('\n', out);
		fprintf(out, "Groups      %s: ", k ? "TLSv1.3" : "TLSv1.2");
		names_line(out, res->groups[k], probe_group_names, PROBE_NGROUPS);
		fprintf(out, "Sigalgs     %s: ", k ? "TLSv1.3" : "TLSv1.2");
		names_line(out, res->sigalgs[k], probe_sigalg_names,
		           PROBE_NSIGALGS);
	}
	text_features(out, res);
	if (vd->n)
		fprintf(out, "\nViolations  %zu (listed on stderr)\n", vd->n);
}

/* ---- JSON ---------------------------------------------------------------- */

static void
json_names(FILE *out, const tri *acc, const char *const *names, size_t n,
           int tested)
{
	if (!tested) {
		fputs("null", out);
		return;
	}
	fputc('[', out);
	int any = 0;
	for (size_t i = 0; i < n; i++)
		if (acc[i] == 1) {
			fprintf(out, "%s\"%s\"", any ? ", " : "", names[i]);
			any = 1;
		}
	fputc(']', out);
}

static void
json_versions(FILE *out, const struct probe_result *res)
{
	fputs("    \"versions\": {", out);
	for (int v = 0; v < PV_N; v++)
		fprintf(out, "%s\"%s\": %s", v ? ", " : "", probe_version_names[v],
		        jtri(res->v[v].accepted));
	fputs("},\n    \"untestable\": [\"SSLv2\", \"SSLv3\"],\n"
	      "    \"ciphers\": {", out);
	for (int v = 0; v < PV_N; v++) {
		const struct probe_version *pv = &res->v[v];
		fprintf(out, "%s\n      \"%s\": ", v ? "," : "",
		        probe_version_names[v]);
		if (pv->accepted != 1) {
			fputs("null", out);
			continue;
		}
		fprintf(out, "{\"order\": %s, \"suites\": [",
		        pv->server_order == 1 ? "\"server\""
		        : pv->server_order == 0 ? "\"client\"" : "null");
		for (size_t i = 0; i < pv->nsuites; i++)
			fprintf(out, "%s{\"name\": \"%s\", \"openssl\": \"%s\"}",
			        i ? ", " : "", pv->suites[i].iana, pv->suites[i].ossl);
		fputs("]}", out);
	}
	fputs("\n    },\n", out);
}

static void
json_lists(FILE *out, const struct probe_result *res)
{
	for (int k = 0; k < 2; k++) {
		fprintf(out, "    \"%s\": {", k ? "sigalgs" : "groups");
		for (int v = 0; v < 2; v++) {
			fprintf(out, "%s\"%s\": ", v ? ", " : "",
			        probe_version_names[PV_12 + v]);
			json_names(out, k ? res->sigalgs[v] : res->groups[v],
			           k ? probe_sigalg_names : probe_group_names,
			           k ? PROBE_NSIGALGS : PROBE_NGROUPS,
			           res->v[PV_12 + v].accepted == 1);
		}
		fputs("},\n", out);
	}
}

static void
json_features(FILE *out, const struct probe_result *res)
{
	fprintf(out, "    \"resumption\": {\"session_id\": %s, \"ticket\": %s, "
	        "\"tls13_ticket\": %s},\n", jtri(res->resume_id),
	        jtri(res->resume_ticket), jtri(res->resume_13));
	fprintf(out, "    \"ocsp_stapling\": %s,\n", jtri(res->stapling));
	fprintf(out, "    \"alpn\": {\"h2\": %s, \"http/1.1\": %s, \"preferred\": ",
	        jtri(res->alpn[0]), jtri(res->alpn[1]));
	int pref = res->alpn_first[0] &&
	           strcmp(res->alpn_first, res->alpn_reversed) == 0;
	text_json(out, pref ? res->alpn_first : NULL);
	fputs(", \"chosen\": ", out);
	text_json(out, res->alpn_first[0] ? res->alpn_first : NULL);
	fputs(", \"chosen_reversed\": ", out);
	text_json(out, res->alpn_reversed[0] ? res->alpn_reversed : NULL);
	fprintf(out, "},\n    \"secure_renegotiation\": %s,\n",
	        jtri(probe_secure_reneg(res)));
	fputs("    \"sni\": ", out);
	if (!res->sni_tested) {
		fputs("null", out);
	} else {
		fputs("{\"subject\": ", out);
		text_json(out, res->subject_sni);
		fputs(", \"subject_without\": ", out);
		text_json(out, res->nosni_error[0] ? NULL : res->subject_nosni);
		fputs(", \"error_without\": ", out);
		text_json(out, res->nosni_error[0] ? res->nosni_error : NULL);
		fprintf(out, ", \"different\": %s}",
		        res->sni_differs ? "true" : "false");
	}
	fputs(",\n    \"default\": ", out);
	if (res->def_version[0]) {
		fprintf(out, "{\"version\": \"%s\", \"cipher\": \"%s\", "
		        "\"group\": ", res->def_version, res->def_cipher);
		text_json(out, res->def_group[0] ? res->def_group : NULL);
		fputc('}', out);
	} else {
		fputs("null", out);
	}
	fputc('\n', out);
}

void
probe_json(FILE *out, const struct report *r, const struct probe_result *res,
           const struct probe_verdict *vd, int code)
{
	fputs("{\n  \"host\": ", out);
	text_json(out, r->host);
	fprintf(out, ",\n  \"port\": %d,\n  \"name\": ", r->port);
	text_json(out, r->name);
	fputs(",\n  \"starttls\": ", out);
	text_json(out, r->a->starttls);
	fprintf(out, ",\n  \"exit_code\": %d,\n  \"error\": ", code);
	text_json_error(out, res->err, res->errmsg);
	fprintf(out, ",\n  \"probe\": {\n    \"handshakes\": %d,\n"
	        "    \"seconds\": %.3f,\n    \"parallel\": %d,\n",
	        res->connections, res->seconds, PROBE_PARALLEL);
	json_versions(out, res);
	json_lists(out, res);
	json_features(out, res);
	fputs("  },\n  \"violations\": [", out);
	for (size_t i = 0; i < vd->n; i++) {
		fputs(i ? ",\n    {\"rule\": " : "\n    {\"rule\": ", out);
		text_json(out, vd->v[i].rule);
		fputs(", \"what\": ", out);
		text_json(out, vd->v[i].what);
		fputc('}', out);
	}
	fputs(vd->n ? "\n  ]\n}\n" : "]\n}\n", out);
}
