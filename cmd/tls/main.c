/* nk tls: connects, performs a TLS handshake and reports the connection,
 * the chain as sent and as verified, and whether it verifies for the host.
 * The handshake always completes when it can (verification is recorded,
 * not enforced, in the library), so a failing chain is still shown; the
 * exit status carries the verdict. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "nk/nk.h"
#include "netargs.h"
#include "opts.h"
#include "diag.h"
#include "probe.h"
#include "fleet.h"
#include "report.h"
#include "starttls.h"
#include "tool.h"

enum {
	O_MAX_TIME = 1, O_ALPN, O_JSON, O_PEM, O_OUTPUT, O_EXPIRY_WARN,
	O_STARTTLS, O_STARTTLS_TIMEOUT, O_VERBOSE,
	O_FETCH_AIA,
	O_PROBE, O_FAIL_IF, O_POLICY,
	O_OCSP, O_CRL, O_REVOCATION_REQUIRED,
	O_FILE, O_JOBS,
};

static const struct opt opts[] = {
	{ O_ALPN, 0, "alpn", OPT_STRING, "LIST", NULL,
	  "offer these ALPN protocols (comma-separated: h2,http/1.1)" },
	{ O_EXPIRY_WARN, 0, "expiry-warn", OPT_NUM, "DAYS", NULL,
	  "exit 101 if a certificate of the trust path expires within DAYS" },
	{ O_FETCH_AIA, 0, "fetch-aia", OPT_FLAG, NULL, NULL,
	  "fetch a missing intermediate from its AIA URL (http, 64 KiB, 5 s)" },
	{ O_FAIL_IF, 0, "fail-if", OPT_STRING, "EXPR", NULL,
	  "with --probe: exit 102 when EXPR holds (tls1.0 || cipher:*CBC*)" },
	{ O_FILE, 'f', "file", OPT_FILE, "FILE", NULL,
	  "check the targets in FILE too, one a line, with options" },
	{ O_JOBS, 0, "jobs", OPT_NUM, "N", NULL,
	  "check up to N targets at once (default 16)" },
	{ O_JSON, 0, "json", OPT_FLAG, NULL, NULL,
	  "print the report as one JSON document (one a line for several)" },
	{ O_OCSP, 0, "ocsp", OPT_FLAG, NULL, NULL,
	  "ask the certificate's OCSP responder whether it is revoked" },
	{ O_CRL, 0, "crl", OPT_FLAG, NULL, NULL,
	  "fetch the certificate's CRL and look for it there" },
	{ O_REVOCATION_REQUIRED, 0, "revocation-required", OPT_FLAG, NULL, NULL,
	  "exit 91 if --ocsp or --crl gets no good or revoked answer" },
	{ O_MAX_TIME, 'm', "max-time", OPT_NUM, "SECS", NULL,
	  "give up on the whole run after SECS" },
	{ O_OUTPUT, 'o', "output", OPT_FILE, "FILE", NULL,
	  "with --pem: write the PEM chain to FILE" },
	{ O_PEM, 0, "pem", OPT_FLAG, NULL, NULL,
	  "write the chain the server sent as PEM" },
	{ O_POLICY, 0, "policy", OPT_CHOICE, "NAME", "modern|intermediate",
	  "with --probe: exit 102 when Mozilla's profile NAME is broken" },
	{ O_PROBE, 0, "probe", OPT_FLAG, NULL, NULL,
	  "find the versions, suites, groups and features the server accepts" },
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
	NETARGS_PROXY_OPTS,
};

static const struct tool tool = {
	"tls", "show a server's TLS setup and certificate chain, and verify it",
	"[options] HOST[:PORT] | https://HOST[:PORT]/ ... | -f FILE",
	opts, NK_ARRAY_LEN(opts),
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
add_target(struct args *a, const char *arg)
{
	const char **t = realloc(a->targets, (a->ntargets + 1) * sizeof *t);
	if (!t) {
		tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
		return -1;
	}
	a->targets = t;
	a->targets[a->ntargets++] = arg;
	a->target = a->targets[0];
	return 0;
}

/* Options that concern the whole run, not one target of a fleet. */
static int
run_wide(int id)
{
	return id == O_JSON || id == O_PEM || id == O_OUTPUT || id == O_FILE ||
	       id == O_JOBS || id == O_VERBOSE;
}

static int
parse_job_args(int argc, char **argv, int line_from, struct args *a)
{
	struct optstate st = { 1, NULL, 0 };
	const char *arg;
	int id;
	long v;
	memset(a, 0, sizeof *a);
	a->expiry_warn = -1;
	a->starttls_timeout_ms = STARTTLS_TIMEOUT_MS;
	a->jobs = 16;
	while ((id = opt_next(&st, argc, argv, &tool, &arg)) != OPT_END) {
		if (line_from > 0 && st.i - 1 >= line_from && run_wide(id)) {
			tool_msg("%s is for the whole run, not one line of -f's "
			         "file", argv[st.i - 1]);
			return -1;
		}
		switch (id) {
		case OPT_ERROR:
			return -1;
		case OPT_ARG:
			if (add_target(a, arg) != 0)
				return -1;
			break;
		case O_MAX_TIME:
			if (tool_parse_secs(arg, "--max-time", &a->max_time_ms) != 0)
				return -1;
			break;
		case O_ALPN: a->alpn = arg; break;
		case O_JSON: a->json = 1; break;
		case O_PEM: a->pem = 1; break;
		case O_FETCH_AIA: a->fetch_aia = 1; break;
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
		case O_PROBE: a->probe = 1; break;
		case O_FAIL_IF:
			if (probe_rules_parse_check(arg) != 0)
				return -1;
			a->fail_if = arg;
			break;
		case O_POLICY: a->policy = arg; break;
		case O_OCSP: a->ocsp = 1; break;
		case O_CRL: a->crl = 1; break;
		case O_REVOCATION_REQUIRED: a->revocation_required = 1; break;
		case O_FILE: a->file = arg; break;
		case O_JOBS:
			if (tool_parse_long(arg, 1, 1024, "--jobs", &v) != 0)
				return -1;
			a->jobs = v;
			break;
		default:
			if (netargs_take(&a->na, id, arg) < 0)
				return -1;
			break;
		}
	}
	if (!a->target && !a->file) {
		tool_msg("no host given (see nk tls --help)");
		return -1;
	}
	if ((a->ntargets > 1 || a->file) && (a->pem || a->output)) {
		tool_msg("--pem and -o write one server's chain: give one target");
		return -1;
	}
	if (a->revocation_required && !a->ocsp && !a->crl) {
		tool_msg("--revocation-required needs --ocsp or --crl");
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
	if (probe_args_check(a) != 0)
		return -1;
	return netargs_finish(&a->na);
}

static int
parse_args(int argc, char **argv, struct args *a)
{
	return parse_job_args(argc, argv, 0, a);
}

static int
target_syntax_ok(const struct args *a)
{
	char host[256];
	int port;
	int defport = a->starttls ? starttls_port(a->starttls) : 443;
	return parse_target(a->target, defport, host, sizeof host, &port) == 0;
}

/* ---- PEM ------------------------------------------------------------- */

static int
write_pem(const struct report *r)
{
	char *pem = NULL, err[NK_ERR_MSG_LEN] = "";
	size_t len = 0;
	/* With --fetch-aia: the chain the server should send, when one
	 * verifies (diag.h). */
	if (r->a->fetch_aia)
		pem = diag_pem(r, &len);
	nk_err e = pem ? NK_OK : nk_x509_chain_pem(r->info.sent, &pem, &len, err);
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

/* Reports a failure that ended the run before the verdict, with what
 * the run got that far. */
static int
finish_error(struct report *r)
{
	int code = (int)r->err;
	analyse(r);
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

/* What verification trusts, in words, for the report. */
static void
describe_trust(struct report *r, const nk_tls_config *cfg)
{
	char *b = r->trust_buf;
	size_t n = sizeof r->trust_buf;
	if (cfg->cafile && cfg->capath)
		snprintf(b, n, "--cacert %s and --capath %s", cfg->cafile,
		         cfg->capath);
	else if (cfg->cafile || cfg->capath)
		snprintf(b, n, "%s %s", cfg->cafile ? "--cacert" : "--capath",
		         cfg->cafile ? cfg->cafile : cfg->capath);
	else if (cfg->default_cafile || cfg->default_capath)
		snprintf(b, n, "%s%s%s%s%s",
		         cfg->default_cafile ? "SSL_CERT_FILE " : "",
		         cfg->default_cafile ? cfg->default_cafile : "",
		         cfg->default_cafile && cfg->default_capath ? ", " : "",
		         cfg->default_capath ? "SSL_CERT_DIR " : "",
		         cfg->default_capath ? cfg->default_capath : "");
	else
		snprintf(b, n, "system store");
	r->trust = b;
}

/* Connects, runs STARTTLS when asked, and shakes hands, into r (r->err
 * and r->errmsg on a failure). The connection is closed before the
 * report: what it shows is copied. */
static void
handshake(struct report *r, nk_tls_ctx *ctx, nk_time deadline, nk_time cdl)
{
	const struct args *a = r->a;
	nk_conn *conn = NULL;

	r->err = netargs_connect(&a->na, r->host, r->port, cdl, &conn,
	                    &r->cinfo, r->errmsg);
	if (a->verbose)
		trace_connect(r);
	if (r->err) {
		nk_conn_free(conn);
		return;
	}
	snprintf(r->addr_buf, sizeof r->addr_buf, "%s", nk_conn_peer_str(conn));
	r->addr = r->addr_buf;
	r->addr_port = nk_conn_peer_port(conn);
	if (a->starttls)
		r->err = starttls_run(conn, a->starttls, r->name, cdl,
		                      a->starttls_timeout_ms,
		                      a->verbose ? stderr : NULL, r->errmsg);
	if (!r->err)
		r->err = nk_tls_start(ctx, conn, r->name, cdl, &r->info,
		                      r->errmsg);
	if (!r->err) {
		r->handshake_done = 1;
		/* Say goodbye properly; the report does not depend on it. */
		nk_conn_shutdown(conn, nk_deadline_min(deadline,
		                 nk_deadline_in_ms(1000)), NULL);
	}
	nk_conn_free(conn);
}

/* After a handshake: the analysis and diagnosis (against r->ctx's store,
 * fetching before r->deadline), the chain with --pem, the report and the
 * verdict on stderr. Returns the exit status. */
static int
show_report(struct report *r)
{
	const struct args *a = r->a;

	if (analyse(r) != 0 || diag_run(r, r->ctx, r->deadline) != 0)
		return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
	int code = verdict_code(r);
	if (a->pem) {
		int pc = write_pem(r);
		if (pc)
			return pc;
	}
	/* --pem writes the chain instead of the text report, to stdout or
	 * to -o's file; --json, asked for as well, still goes to stdout. */
	if (a->json)
		json_report(stdout, r, code);
	else if (!a->pem)
		text_report(stdout, r);
	int fc = tool_flush_stdout();
	if (fc)
		return fc;
	if (code == NK_ERR_PEER_FAILED_VERIFICATION)
		tool_msg("certificate verification failed for %s: %s", r->name,
		         r->info.verify_reason);
	else if (code == NK_ERR_SSL_INVALIDCERTSTATUS)
		tool_msg("the revocation status of %s could not be established",
		         r->name);
	else if (code == NK_ERR_CERT_EXPIRING)
		tool_msg("%s expires within %ld days", expiring_facts(r)->subject,
		         a->expiry_warn);
	return code;
}

/* The target into r->host, r->port, r->name: 0, or NK_ERR_URL_MALFORMAT
 * after parse_target said why. */
static int
target_setup(struct report *r)
{
	const struct args *a = r->a;
	int defport = a->starttls ? starttls_port(a->starttls) : 443;
	if (parse_target(a->target, defport, r->host, sizeof r->host,
	                 &r->port) != 0)
		return NK_ERR_URL_MALFORMAT;
	r->name = a->na.servername ? a->na.servername : r->host;
	r->sni = !is_ip(r->name);
	r->now = (int64_t)time(NULL);
	return 0;
}

/* One check, into r (r->a set by the caller), without output: connects,
 * shakes hands, runs --ocsp and --crl; the context stays in r->ctx for
 * the diagnosis (report_free frees it). Returns 0, or the exit status of
 * a failure before any report (a target that does not parse, a CA file
 * that cannot be used), with r->errmsg. */
static int
check_target(struct report *r)
{
	const struct args *a = r->a;
	nk_tls_ctx *ctx = NULL;
	int code = target_setup(r);
	if (code)
		return code;

	nk_tls_config cfg = a->na.tls;
	/* Always complete the handshake: the report shows a failing chain
	 * too, and the exit status says whether it verified. */
	cfg.insecure = 1;
	cfg.alpn = a->alpn;
	cfg.ocsp = 1;
	cfg.no_session_cache = 1;
	cfg.scts = 1;
	describe_trust(r, &cfg);
	nk_err e = nk_tls_ctx_new(&cfg, &ctx, r->errmsg);
	if (e)
		return (int)e;

	nk_time deadline = nk_deadline_in_ms(a->max_time_ms);
	/* --connect-timeout covers STARTTLS and the handshake too, as curl's
	 * covers everything up to the protocol's own connect. */
	nk_time cdl = nk_deadline_min(deadline,
	              nk_deadline_in_ms(a->na.net.connect_timeout_ms));
	handshake(r, ctx, deadline, cdl);
	if (r->handshake_done)
		revcheck_run(r, ctx, deadline);
	r->ctx = ctx;
	r->deadline = deadline;
	return 0;
}

/* One target, reported; returns the exit status. */
static int
run(const struct args *a)
{
	static struct report r;

	r.a = a;
	const char *no_color = getenv("NO_COLOR");
	r.color = !a->json && isatty(STDOUT_FILENO) && !(no_color && *no_color);
	int code = a->probe ? target_setup(&r) : check_target(&r);
	if (code == NK_ERR_URL_MALFORMAT)
		return code;    /* parse_target said why */
	if (code)
		return tool_fail((nk_err)code, r.errmsg);
	if (a->probe)
		return probe_run(&r);
	code = r.err ? finish_error(&r) : show_report(&r);
	report_free(&r);
	return code;
}

static const struct fleet_ops fleet_ops = {
	parse_job_args, target_syntax_ok, check_target,
};

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
	else if (a.ntargets > 1 || a.file)
		code = fleet_run(argc, argv, &a, &fleet_ops);
	else
		code = run(&a);
	args_free(&a);
	return code;
}
