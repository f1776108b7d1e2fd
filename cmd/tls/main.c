/* nk tls: connects, performs a TLS handshake and reports the connection,
 * the chain as sent and as verified, and whether it verifies for the host.
 * The handshake always completes when it can (verification is recorded,
 * not enforced, in the library), so a failing chain is still shown; the
 * exit status carries the verdict. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "nk/nk.h"
#include "netargs.h"
#include "opts.h"
#include "starttls.h"
#include "tlsreport.h"
#include "text.h"
#include "tool.h"

enum {
	O_MAX_TIME = 1, O_ALPN, O_JSON, O_PEM, O_OUTPUT, O_EXPIRY_WARN,
	O_STARTTLS, O_STARTTLS_TIMEOUT, O_VERBOSE,
};

static const struct opt opts[] = {
	{ O_ALPN, 0, "alpn", OPT_STRING, "LIST", NULL,
	  "offer these ALPN protocols (comma-separated: h2,http/1.1)" },
	{ O_EXPIRY_WARN, 0, "expiry-warn", OPT_NUM, "DAYS", NULL,
	  "exit 101 if a certificate of the trust path expires within DAYS" },
	{ O_JSON, 0, "json", OPT_FLAG, NULL, NULL,
	  "print the report as one JSON document" },
	{ O_MAX_TIME, 'm', "max-time", OPT_NUM, "SECS", NULL,
	  "give up on the whole run after SECS" },
	{ O_OUTPUT, 'o', "output", OPT_FILE, "FILE", NULL,
	  "with --pem: write the PEM chain to FILE" },
	{ O_PEM, 0, "pem", OPT_FLAG, NULL, NULL,
	  "write the chain the server sent as PEM" },
	{ O_STARTTLS, 0, "starttls", OPT_CHOICE, "PROTO", STARTTLS_CHOICES,
	  "upgrade a plain-text session first" },
	{ O_STARTTLS_TIMEOUT, 0, "starttls-timeout", OPT_NUM, "SECS", NULL,
	  "give up on the STARTTLS dialogue after SECS (default 10)" },
	{ O_VERBOSE, 'v', "verbose", OPT_FLAG, NULL, NULL,
	  "show connection attempts and the STARTTLS dialogue on stderr" },
	TLSARGS_SERVERNAME_OPT,
	TLSARGS_VERIFY_OPTS,
	TLSARGS_VERSION_OPTS,
	TLSARGS_CLIENT_OPTS,
	NETARGS_FAMILY_OPTS,
	NETARGS_RESOLVE_OPT,
	NETARGS_CONNECT_OPTS,
};

static const struct tool tool = {
	"tls", "show a server's TLS setup and certificate chain, and verify it",
	"[options] HOST[:PORT] | https://HOST[:PORT]/",
	opts, NK_ARRAY_LEN(opts),
};

struct args {
	const char *target;
	struct netargs na;           /* -k is na.tls.insecure */
	const char *alpn, *output, *starttls;
	int json, pem, verbose;
	int64_t max_time_ms;
	int64_t starttls_timeout_ms;
	long expiry_warn;            /* -1: not asked */
};

/* Everything the report shows. */
struct report {
	const struct args *a;
	char host[256];              /* without brackets */
	int port;
	const char *name;            /* SNI and verify name */
	int sni;                     /* name went out as SNI (not an IP) */
	const char *trust;           /* what verification used, in words */
	char trust_buf[300];
	nk_connect_info cinfo;
	const char *addr;            /* connected address, or NULL */
	char addr_buf[64];
	int addr_port;
	nk_tls_info info;
	int handshake_done;
	nk_err err;                  /* the failure that ended the run */
	char errmsg[NK_ERR_MSG_LEN];
	int64_t now;
	struct nk_x509_facts *sf, *vf;   /* facts of sent and verified */
	size_t ns, nv;
	int *sent_in_path;           /* per sent cert: its path index or -1 */
	int *path_from_sent;         /* per path cert: its sent index or -1 */
	long expiring;               /* path index of the first cert expiring
	                              * within --expiry-warn, or -1 */
	int color;
};

/* ---- arguments ------------------------------------------------------- */

/* The host and port of arg read as a URL (nk_url_parse_default_scheme,
 * the rule nk http follows), so a name is the ASCII one sent as SNI. A
 * port the URL leaves out (or gives as https's 443) is defport. */
static int
target_url(const char *arg, int defport, char *host, size_t hostlen,
           int *port)
{
	nk_url *u;
	char msg[NK_ERR_MSG_LEN];
	if (nk_url_parse_default_scheme(arg, "https", &u, msg) != NK_OK) {
		tool_msg("bad target '%s': %s", arg, msg);
		return -1;
	}
	int rc = -1;
	const char *h = nk_url_connect_host(u);
	const char *ps = nk_url_get(u, NK_URL_PORT);
	if (strcmp(nk_url_scheme(u), "https") != 0)
		tool_msg("only https:// URLs are understood, not '%s'", arg);
	else if (!*h || strlen(h) >= hostlen)
		tool_msg("bad target '%s': no host", arg);
	else
		rc = 0;
	if (rc == 0) {
		memcpy(host, h, strlen(h) + 1);
		*port = *ps ? nk_url_port(u) : defport;
	}
	nk_url_free(u);
	return rc;
}

/* HOST, HOST:PORT, [V6]:PORT, a bare V6 literal, or an https:// URL. */
static int
parse_target(const char *arg, int defport, char *host, size_t hostlen,
             int *port)
{
	const char *s = arg, *end;
	*port = defport;
	if (nk_url_has_scheme(arg))
		return target_url(arg, defport, host, hostlen, port);
	end = s + strlen(s);
	size_t len = (size_t)(end - s);
	const char *h = s, *portstr = NULL;
	size_t hl;
	if (len > 0 && s[0] == '[') {
		const char *rb = memchr(s, ']', len);
		if (!rb) {
			tool_msg("bad address in '%s': no closing ]", arg);
			return -1;
		}
		h = s + 1;
		hl = (size_t)(rb - h);
		if (rb + 1 < end) {
			if (rb[1] != ':') {
				tool_msg("bad target '%s'", arg);
				return -1;
			}
			portstr = rb + 2;
		}
	} else {
		const char *colon = memchr(s, ':', len);
		const char *last = colon;
		for (const char *p = s; p < end; p++)
			if (*p == ':')
				last = p;
		if (colon && colon == last) {
			hl = (size_t)(colon - s);
			portstr = colon + 1;
		} else {
			hl = len;   /* none, or a bare IPv6 literal */
		}
	}
	if (hl == 0 || hl >= hostlen) {
		tool_msg("bad target '%s': no host", arg);
		return -1;
	}
	if (portstr) {
		size_t pl = (size_t)(end - portstr);
		char buf[8];
		if (pl == 0 || pl >= sizeof buf) {
			tool_msg("bad port in '%s'", arg);
			return -1;
		}
		memcpy(buf, portstr, pl);
		buf[pl] = '\0';
		/* A number only (no service name), in nk-tls's own words. */
		if (nk_port_parse(buf, NULL, port, NULL) != NK_OK) {
			tool_msg("the port takes a whole number from 1 to 65535, "
			         "not '%s'", buf);
			return -1;
		}
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (memchr(h, ':', hl))
		return 0;   /* an IPv6 literal: no name to convert */
	/* A name as the URL parser reads a host: an IDN becomes punycode. */
	int unused;
	return target_url(host, defport, host, hostlen, &unused);
}

static int
parse_args(int argc, char **argv, struct args *a)
{
	struct optstate st = { 1, NULL, 0 };
	const char *arg;
	int id;
	long v;
	memset(a, 0, sizeof *a);
	a->expiry_warn = -1;
	a->starttls_timeout_ms = STARTTLS_TIMEOUT_MS;
	while ((id = opt_next(&st, argc, argv, &tool, &arg)) != OPT_END) {
		switch (id) {
		case OPT_ERROR:
			return -1;
		case OPT_ARG:
			if (a->target) {
				tool_msg("one host at a time: '%s' and '%s'", a->target,
				         arg);
				return -1;
			}
			a->target = arg;
			break;
		case O_MAX_TIME:
			if (tool_parse_secs(arg, "--max-time", &a->max_time_ms) != 0)
				return -1;
			break;
		case O_ALPN: a->alpn = arg; break;
		case O_JSON: a->json = 1; break;
		case O_PEM: a->pem = 1; break;
		case O_OUTPUT: a->output = arg; break;
		case O_EXPIRY_WARN:
			if (tool_parse_long(arg, 0, 100000, "--expiry-warn", &v) != 0)
				return -1;
			a->expiry_warn = v;
			break;
		case O_STARTTLS: a->starttls = arg; break;
		case O_STARTTLS_TIMEOUT:
			if (tool_parse_secs(arg, "--starttls-timeout",
			                    &a->starttls_timeout_ms) != 0)
				return -1;
			if (a->starttls_timeout_ms == 0)
				a->starttls_timeout_ms = STARTTLS_TIMEOUT_MS;
			break;
		case O_VERBOSE: a->verbose = 1; break;
		default:
			if (netargs_take(&a->na, id, arg) < 0)
				return -1;
			break;
		}
	}
	if (!a->target) {
		tool_msg("no host given (see nk tls --help)");
		return -1;
	}
	if (a->output && !a->pem) {
		tool_msg("-o/--output writes the PEM chain: it needs --pem");
		return -1;
	}
	if (a->pem && a->json && !a->output) {
		tool_msg("--pem and --json would both write to stdout: "
		         "add -o FILE for the PEM");
		return -1;
	}
	return netargs_finish(&a->na);
}

/* ---- output helpers -------------------------------------------------- */

/* "" for JSON null. */
static const char *
nz(const char *s)
{
	return s && *s ? s : NULL;
}

/* "2024-01-01 00:00:00 UTC" as RFC 3339 "2024-01-01T00:00:00Z". */
static void
json_time(FILE *out, int64_t t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) ||
	    !strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
		fputs("null", out);
		return;
	}
	text_json(out, buf);
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
	if (!*out)
		return -1;
	for (size_t i = 0; i < *n; i++)
		if (nk_x509_facts_get(nk_x509_chain_get(ch, i), now, &(*out)[i],
		                      NULL) != NK_OK)
			return -1;
	return 0;
}

static int
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

static void
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
	nk_tls_info_clear(&r->info);
}

static const struct nk_x509_facts *
expiring_facts(const struct report *r)
{
	if (r->expiring < 0)
		return NULL;
	return r->nv ? &r->vf[r->expiring] : &r->sf[r->expiring];
}

/* The exit status: verification first, then --expiry-warn. */
static int
verdict_code(const struct report *r)
{
	if (r->err)
		return (int)r->err;
	if (!r->info.verify_ok)
		return r->a->na.tls.insecure ? 0 : NK_ERR_PEER_FAILED_VERIFICATION;
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
static void
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

static void
text_report(FILE *out, const struct report *r)
{
	const nk_tls_info *in = &r->info;
	const struct nk_x509_facts *exp = expiring_facts(r);

	if (in->verify_ok && exp)
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
}

static void
json_cert(FILE *out, const struct nk_x509_facts *f, const char *link_name,
          int link, const char *ind)
{
	fprintf(out, "{\n%s  \"subject\": ", ind);
	text_json(out, f->subject);
	fprintf(out, ",\n%s  \"issuer\": ", ind);
	text_json(out, f->issuer);
	fprintf(out, ",\n%s  \"serial\": ", ind);
	text_json(out, f->serial);
	fprintf(out, ",\n%s  \"dns_names\": [", ind);
	int first = 1;
	for (size_t i = 0; i < f->nsan; i++) {
		if (f->san[i].type != NK_SAN_DNS)
			continue;
		fputs(first ? "" : ", ", out);
		text_json(out, f->san[i].value);
		first = 0;
	}
	fprintf(out, "],\n%s  \"ip_addresses\": [", ind);
	first = 1;
	for (size_t i = 0; i < f->nsan; i++) {
		if (f->san[i].type != NK_SAN_IP)
			continue;
		fputs(first ? "" : ", ", out);
		text_json(out, f->san[i].value);
		first = 0;
	}
	fprintf(out, "],\n%s  \"not_before\": ", ind);
	json_time(out, f->not_before);
	fprintf(out, ",\n%s  \"not_after\": ", ind);
	json_time(out, f->not_after);
	fprintf(out, ",\n%s  \"not_before_unix\": %lld,\n%s  \"not_after_unix\": "
	        "%lld,\n%s  \"days_left\": %lld,\n", ind, (long long)f->not_before,
	        ind, (long long)f->not_after, ind, (long long)f->days_left);
	fprintf(out, "%s  \"key_type\": ", ind);
	text_json(out, f->key_type);
	fprintf(out, ",\n%s  \"key_bits\": %d,\n%s  \"key\": ", ind, f->key_bits,
	        ind);
	text_json(out, f->key_desc);
	fprintf(out, ",\n%s  \"signature_algorithm\": ", ind);
	text_json(out, f->sig_alg);
	fprintf(out, ",\n%s  \"sha256\": ", ind);
	text_json(out, f->sha256);
	fprintf(out, ",\n%s  \"pin\": ", ind);
	text_json(out, f->pin);
	fprintf(out, ",\n%s  \"self_signed\": %s,\n%s  \"is_ca\": %s,\n%s  \"%s\": ",
	        ind, f->self_signed ? "true" : "false", ind,
	        f->is_ca ? "true" : "false", ind, link_name);
	if (link >= 0)
		fprintf(out, "%d\n%s}", link, ind);
	else
		fprintf(out, "null\n%s}", ind);
}

static void
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
	fputs(",\n  \"starttls\": ", out);
	text_json(out, a->starttls);
	fputs(",\n  \"trust\": ", out);
	text_json(out, r->trust);
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
	if (r->err) {
		fprintf(out, "{\"code\": %d, \"name\": ", (int)r->err);
		text_json(out, nk_err_name(r->err));
		fputs(", \"message\": ", out);
		text_json(out, r->errmsg);
		fputs("}", out);
	} else {
		fputs("null", out);
	}
	fputs(",\n  \"tls\": ", out);
	if (r->handshake_done) {
		fputs("{\n    \"version\": ", out);
		text_json(out, in->version);
		fputs(",\n    \"cipher\": ", out);
		text_json(out, in->cipher);
		fputs(",\n    \"cipher_openssl\": ", out);
		text_json(out, in->cipher_openssl);
		fputs(",\n    \"group\": ", out);
		text_json(out, nz(in->group));
		fputs(",\n    \"alpn_offered\": ", out);
		text_json(out, a->alpn);
		fputs(",\n    \"alpn\": ", out);
		text_json(out, nz(in->alpn));
		fprintf(out, ",\n    \"resumed\": %s,\n    \"handshake_ms\": %.3f,\n",
		        in->resumed ? "true" : "false",
		        (double)in->handshake_us / 1000.0);
		fputs("    \"ocsp\": {\"status\": ", out);
		text_json(out, ocsp_name(in->ocsp));
		fputs(", \"this_update\": ", out);
		text_json(out, nz(in->ocsp_this_update));
		fputs(", \"next_update\": ", out);
		text_json(out, nz(in->ocsp_next_update));
		fputs(", \"revoked_at\": ", out);
		text_json(out, nz(in->ocsp_revoked_at));
		fputs("}\n  }", out);
	} else {
		fputs("null", out);
	}
	fputs(",\n  \"verification\": {\n    \"verified\": ", out);
	fputs(in->verify_ok ? "true" : "false", out);
	fprintf(out, ",\n    \"insecure\": %s,\n    \"code\": %ld,\n    \"depth\": ",
	        a->na.tls.insecure ? "true" : "false", in->verify_code);
	if (in->verify_depth >= 0)
		fprintf(out, "%d", in->verify_depth);
	else
		fputs("null", out);
	fputs(",\n    \"reason\": ", out);
	text_json(out, nz(in->verify_reason));
	fputs(",\n    \"openssl_reason\": ", out);
	text_json(out, nz(in->verify_openssl));
	fputs("\n  },\n  \"expiry_warn_days\": ", out);
	if (a->expiry_warn >= 0)
		fprintf(out, "%ld", a->expiry_warn);
	else
		fputs("null", out);
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
	for (size_t i = 0; i < r->ns; i++) {
		fputs(i ? ", " : "\n    ", out);
		json_cert(out, &r->sf[i], "path_index", r->sent_in_path[i], "    ");
	}
	fputs(r->ns ? "\n  ],\n  \"verified_chain\": [" : "],\n  \"verified_chain\": [",
	      out);
	for (size_t j = 0; j < r->nv; j++) {
		fputs(j ? ", " : "\n    ", out);
		json_cert(out, &r->vf[j], "sent_index", r->path_from_sent[j], "    ");
	}
	fputs(r->nv ? "\n  ]\n}\n" : "]\n}\n", out);
}

/* ---- PEM ------------------------------------------------------------- */

static int
write_pem(const struct report *r)
{
	char *pem = NULL, err[NK_ERR_MSG_LEN] = "";
	size_t len = 0;
	nk_err e = nk_x509_chain_pem(r->info.sent, &pem, &len, err);
	if (e)
		return tool_fail(e, err);
	if (!r->a->output) {
		if (fwrite(pem, 1, len, stdout) != len) {
			free(pem);
			return NK_ERR_WRITE_ERROR;
		}
		free(pem);
		return 0;
	}
	/* A temporary file beside the target, renamed over it: a reader never
	 * sees half a chain, and a failure leaves the old file alone. */
	size_t pl = strlen(r->a->output) + 16;
	char *tmp = malloc(pl);
	if (!tmp) {
		free(pem);
		return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
	}
	snprintf(tmp, pl, "%s.XXXXXX", r->a->output);
	int fd = tool_mkstemp(tmp);
	int rc = 0;
	if (fd < 0) {
		tool_msg("cannot write %s: %s", r->a->output, strerror(errno));
		rc = NK_ERR_WRITE_ERROR;
	} else {
		FILE *f = fdopen(fd, "w");
		int ok = f && fwrite(pem, 1, len, f) == len;
		if (f ? fclose(f) != 0 : close(fd) != 0)
			ok = 0;
		if (!ok || rename(tmp, r->a->output) != 0) {
			tool_msg("cannot write %s: %s", r->a->output, strerror(errno));
			unlink(tmp);
			rc = NK_ERR_WRITE_ERROR;
		}
	}
	free(tmp);
	free(pem);
	return rc;
}

/* ---- main ------------------------------------------------------------ */

static void
version_hook(void)
{
	printf("%s\n", nk_tls_library_version());
}

static int
is_ip(const char *s)
{
	unsigned char b[16];
	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

static void
trace_connect(const struct report *r)
{
	for (size_t i = 0; i < r->cinfo.nattempts; i++) {
		const nk_attempt *at = &r->cinfo.attempts[i];
		tool_msg("connect %s port %d: %s", at->addr, at->port,
		         at->err == NK_OK ? "connected" : at->why);
	}
}

/* Reports a failure that ended the run before the verdict. */
static int
finish_error(struct report *r)
{
	int code = (int)r->err;
	if (r->a->json)
		json_report(stdout, r, code);
	else
		cert_request_text(stdout, &r->info);
	int f = tool_flush_stdout();
	if (f)
		return f;
	tool_fail(r->err, r->errmsg);
	return code;
}

/* Everything after the arguments; returns the exit status. */
static int
run(const struct args *ap)
{
	const struct args a = *ap;
	static struct report r;
	nk_tls_ctx *ctx = NULL;
	nk_conn *conn = NULL;
	char err[NK_ERR_MSG_LEN] = "";
	int code;

	r.a = ap;
	int defport = a.starttls ? starttls_port(a.starttls) : 443;
	if (parse_target(a.target, defport, r.host, sizeof r.host, &r.port) != 0)
		return NK_ERR_URL_MALFORMAT;
	r.name = a.na.servername ? a.na.servername : r.host;
	r.sni = !is_ip(r.name);
	r.now = (int64_t)time(NULL);
	const char *no_color = getenv("NO_COLOR");
	r.color = !a.json && isatty(STDOUT_FILENO) && !(no_color && *no_color);

	nk_tls_config cfg = a.na.tls;
	/* Always complete the handshake: the report shows a failing chain
	 * too, and the exit status says whether it verified. */
	cfg.insecure = 1;
	cfg.alpn = a.alpn;
	cfg.ocsp = 1;
	cfg.no_session_cache = 1;
	if (cfg.cafile && cfg.capath)
		snprintf(r.trust_buf, sizeof r.trust_buf, "--cacert %s and --capath %s",
		         cfg.cafile, cfg.capath);
	else if (cfg.cafile || cfg.capath)
		snprintf(r.trust_buf, sizeof r.trust_buf, "%s %s",
		         cfg.cafile ? "--cacert" : "--capath",
		         cfg.cafile ? cfg.cafile : cfg.capath);
	else if (cfg.default_cafile || cfg.default_capath)
		snprintf(r.trust_buf, sizeof r.trust_buf, "%s%s%s%s%s",
		         cfg.default_cafile ? "SSL_CERT_FILE " : "",
		         cfg.default_cafile ? cfg.default_cafile : "",
		         cfg.default_cafile && cfg.default_capath ? ", " : "",
		         cfg.default_capath ? "SSL_CERT_DIR " : "",
		         cfg.default_capath ? cfg.default_capath : "");
	else
		snprintf(r.trust_buf, sizeof r.trust_buf, "system store");
	r.trust = r.trust_buf;

	nk_err e = nk_tls_ctx_new(&cfg, &ctx, err);
	if (e)
		return tool_fail(e, err);

	nk_time deadline = nk_deadline_in_ms(a.max_time_ms);
	/* --connect-timeout covers STARTTLS and the handshake too, as curl's
	 * covers everything up to the protocol's own connect. */
	nk_time cdl = nk_deadline_min(deadline,
	              nk_deadline_in_ms(a.na.net.connect_timeout_ms));

	r.err = nk_connect(&a.na.net, r.host, r.port, cdl, &conn, &r.cinfo,
	                   r.errmsg);
	if (a.verbose)
		trace_connect(&r);
	if (r.err)
		goto fail;
	/* Copied: the conn goes before the report is printed. */
	snprintf(r.addr_buf, sizeof r.addr_buf, "%s", nk_conn_peer_str(conn));
	r.addr = r.addr_buf;
	r.addr_port = nk_conn_peer_port(conn);
	if (a.starttls) {
		r.err = starttls_run(conn, a.starttls, cdl, a.starttls_timeout_ms,
		                     a.verbose ? stderr : NULL, r.errmsg);
		if (r.err)
			goto fail;
	}
	r.err = nk_tls_start(ctx, conn, r.name, cdl, &r.info, r.errmsg);
	if (r.err)
		goto fail;
	r.handshake_done = 1;
	/* Say goodbye properly; the report does not depend on it. */
	nk_conn_shutdown(conn, nk_deadline_min(deadline, nk_deadline_in_ms(1000)),
	                 NULL);
	nk_conn_free(conn);
	conn = NULL;
	nk_tls_ctx_free(ctx);
	ctx = NULL;

	if (analyse(&r) != 0) {
		report_free(&r);
		return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
	}
	code = verdict_code(&r);
	if (a.pem) {
		int pc = write_pem(&r);
		if (pc) {
			report_free(&r);
			return pc;
		}
	}
	/* --pem writes the chain instead of the text report, to stdout or
	 * to -o's file; --json, asked for as well, still goes to stdout. */
	if (a.json)
		json_report(stdout, &r, code);
	else if (!a.pem)
		text_report(stdout, &r);
	int fc = tool_flush_stdout();
	if (fc) {
		report_free(&r);
		return fc;
	}
	if (code == NK_ERR_PEER_FAILED_VERIFICATION)
		tool_msg("certificate verification failed for %s: %s", r.name,
		         r.info.verify_reason);
	else if (code == NK_ERR_CERT_EXPIRING)
		tool_msg("%s expires within %ld days", expiring_facts(&r)->subject,
		         a.expiry_warn);
	report_free(&r);
	return code;

fail:
	nk_conn_free(conn);
	nk_tls_ctx_free(ctx);
	analyse(&r);
	code = finish_error(&r);
	report_free(&r);
	return code;
}

int
main(int argc, char **argv)
{
	/* Static like the report in run(), which keeps a pointer to it. */
	static struct args a;
	int code;

	tool_init(argc, argv);
	tool_version_hook = version_hook;
	int pe = parse_args(argc, argv, &a);
	if (pe != 0)
		code = pe > 0 ? pe : NK_ERR_FAILED_INIT;
	else
		code = run(&a);
	netargs_free(&a.na);
	return code;
}
