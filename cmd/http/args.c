/* nk-http's options: the table (the ids, --help, --nk-options, hence
 * the completions and the man page check), what each option does to the
 * cfg (for a global option the first --next group's, else the current
 * group's), by kind, and the places options come from (the default config
 * file, -K FILE, --expand-OPTION, the command line). Values that need
 * checking are optvals.c's; what is done once all are read, plan.c's. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nk/http.h"
#include "tool.h"
#include "http.h"
#include "config.h"
#include "cfg.h"

enum {
	O_OUTPUT = 1, O_REMOTE_NAME, O_REMOTE_NAME_ALL, O_OUTPUT_DIR,
	O_INCLUDE, O_HEAD, O_DUMP_HEADER, O_HEADER, O_USER_AGENT, O_REFERER,
	O_DATA, O_DATA_ASCII, O_DATA_BINARY, O_DATA_RAW, O_DATA_URLENCODE,
	O_JSON, O_GET, O_URL_QUERY, O_FORM, O_FORM_STRING,
	O_USER, O_REQUEST, O_LOCATION, O_MAX_REDIRS, O_FAIL, O_FAIL_WITH_BODY,
	O_FAIL_EARLY, O_SILENT, O_SHOW_ERROR, O_VERBOSE, O_WRITE_OUT,
	O_MAX_TIME, O_MAX_FILESIZE, O_HTTP10, O_HTTP11, O_COMPRESSED, O_RETRY,
	O_RETRY_DELAY, O_RETRY_MAX_TIME, O_RETRY_CONNREFUSED, O_RETRY_ALL,
	O_PROXY, O_NOPROXY, O_CONTINUE_AT, O_PINNED, O_NO_PROGRESS, O_PIPELINE,
	O_NO_CLOBBER, O_REMOVE_ON_ERROR, O_UPLOAD_FILE, O_EXPECT100_TIMEOUT,
	O_POST301, O_POST302, O_POST303,
	O_URL, O_GLOBOFF,
	O_NETRC, O_NETRC_OPTIONAL, O_NETRC_FILE,
	O_CONFIG, O_DISABLE, O_VARIABLE,
	O_COOKIE, O_COOKIE_JAR, O_JUNK_SESSION,
	O_NEXT,
	O_TRACE, O_TRACE_ASCII, O_TRACE_TIME, O_TRACE_IDS, O_PROGRESS_BAR,
	O_RANGE, O_TIME_COND, O_ETAG_SAVE, O_ETAG_COMPARE, O_REMOTE_TIME,
	O_REMOTE_HEADER_NAME, O_CREATE_DIRS, O_OUT_NULL, O_LIMIT_RATE,
	O_SOCKS4, O_SOCKS4A, O_SOCKS5, O_SOCKS5_HOSTNAME, O_PROXY_USER,
	O_PROXY_BASIC, O_PROXYTUNNEL, O_PROXY_HEADER,
	O_BASIC, O_DIGEST, O_ANYAUTH, O_OAUTH2_BEARER,
	O_PROXY_DIGEST, O_PROXY_ANYAUTH,
	O_PROXY_CACERT, O_PROXY_CAPATH, O_PROXY_INSECURE, O_PROXY_CERT,
	O_PROXY_KEY, O_PROXY_CERT_TYPE, O_PROXY_KEY_TYPE, O_PROXY_PASS,
	O_PROXY_PINNED, O_PROXY_TLSV1, O_PROXY_CIPHERS, O_PROXY_TLS13_CIPHERS,
	O_PROXY_CRLFILE,
	O_HTTP2, O_HTTP2_PRIOR,
	O_PARALLEL, O_PARALLEL_MAX, O_PARALLEL_IMMEDIATE, O_PARALLEL_MAX_HOST,
};

static const struct opt opts[] = {
	{ O_OUTPUT, 'o', "output", OPT_FILE, "FILE",
	  NULL, "write the body to FILE instead of stdout (one per URL)" },
	{ O_REMOTE_NAME, 'O', "remote-name", OPT_FLAG, NULL,
	  NULL, "write to a file named like the URL's last path segment" },
	{ O_REMOTE_NAME_ALL, 0, "remote-name-all", OPT_FLAG, NULL,
	  NULL, "-O for every URL" },
	{ O_OUTPUT_DIR, 0, "output-dir", OPT_DIR, "DIR",
	  NULL, "put -o and -O files in DIR" },
	{ O_REMOTE_HEADER_NAME, 'J', "remote-header-name", OPT_FLAG, NULL,
	  NULL, "-O: name the file as Content-Disposition says (never a "
	  "path, never over a file)" },
	{ O_CREATE_DIRS, 0, "create-dirs", OPT_FLAG, NULL,
	  NULL, "create the directories -o and --output-dir name" },
	{ O_OUT_NULL, 0, "out-null", OPT_FLAG, NULL,
	  NULL, "discard the body of the next URL (one per URL, as -o)" },
	{ O_NO_CLOBBER, 0, "no-clobber", OPT_FLAG, NULL,
	  NULL, "never overwrite a file: write to FILE.1 ... FILE.100" },
	{ O_REMOVE_ON_ERROR, 0, "remove-on-error", OPT_FLAG, NULL,
	  NULL, "remove the output file when the transfer fails" },
	{ O_REMOTE_TIME, 'R', "remote-time", OPT_FLAG, NULL,
	  NULL, "give the output file the server's Last-Modified time" },
	{ O_ETAG_SAVE, 0, "etag-save", OPT_FILE, "FILE",
	  NULL, "write the response's ETag to FILE (- for stdout)" },
	{ O_URL, 0, "url", OPT_STRING, "URL",
	  NULL, "a URL to fetch (@FILE: URLs from FILE, one a line)" },
	{ O_GLOBOFF, 'g', "globoff", OPT_FLAG, NULL,
	  NULL, "send [] and {} in URLs as written: no URL globbing" },
	{ O_NEXT, ':', "next", OPT_FLAG, NULL,
	  NULL, "the options after it start afresh, for the URLs after it" },
	{ O_INCLUDE, 'i', "include", OPT_FLAG, NULL,
	  NULL, "write the response head before the body" },
	{ O_HEAD, 'I', "head", OPT_FLAG, NULL,
	  NULL, "send HEAD and show the response head only" },
	{ O_DUMP_HEADER, 'D', "dump-header", OPT_FILE, "FILE",
	  NULL, "write response heads to FILE (- for stdout)" },
	{ O_HEADER, 'H', "header", OPT_STRING, "'NAME: VALUE'",
	  NULL, "add a header ('NAME:' removes one, @FILE reads lines)" },
	{ O_DATA, 'd', "data", OPT_STRING, "DATA",
	  NULL, "POST DATA (@FILE: its lines, @-: stdin), joined with &" },
	{ O_DATA_ASCII, 0, "data-ascii", OPT_STRING, "DATA",
	  NULL, "the same as -d" },
	{ O_DATA_BINARY, 0, "data-binary", OPT_STRING, "DATA",
	  NULL, "POST DATA (@FILE: its bytes exactly)" },
	{ O_DATA_RAW, 0, "data-raw", OPT_STRING, "DATA",
	  NULL, "POST DATA as it is, even with a leading @" },
	{ O_DATA_URLENCODE, 0, "data-urlencode", OPT_STRING, "FORM",
	  NULL, "POST [NAME]=TEXT or [NAME]@FILE, the text URL-encoded" },
	{ O_JSON, 0, "json", OPT_STRING, "JSON",
	  NULL, "POST JSON (@FILE, @-) as application/json" },
	{ O_GET, 'G', "get", OPT_FLAG, NULL,
	  NULL, "put the -d data in the URL's query and GET it" },
	{ O_URL_QUERY, 0, "url-query", OPT_STRING, "FORM",
	  NULL, "add to each URL's query (--data-urlencode forms; + as is)" },
	{ O_FORM, 'F', "form", OPT_STRING, "NAME=CONTENT",
	  NULL, "POST a multipart form part (;type=, ;filename=, ;headers=)" },
	{ O_FORM_STRING, 0, "form-string", OPT_STRING, "NAME=VALUE",
	  NULL, "a form part whose VALUE is taken as it is" },
	{ O_USER_AGENT, 'A', "user-agent", OPT_STRING, "TEXT",
	  NULL, "User-Agent to send (default nk/VERSION)" },
	{ O_REFERER, 'e', "referer", OPT_STRING, "URL",
	  NULL, "Referer to send (URL;auto also sets it on redirects)" },
	{ O_RANGE, 'r', "range", OPT_STRING, "RANGE",
	  NULL, "ask for bytes RANGE only (0-499, 500-, -500, 0-1,5-9)" },
	{ O_TIME_COND, 'z', "time-cond", OPT_STRING, "[-|=]DATE|FILE",
	  NULL, "only if modified since DATE or FILE's time (-: unmodified)" },
	{ O_ETAG_COMPARE, 0, "etag-compare", OPT_FILE, "FILE",
	  NULL, "only if the ETag differs from the one in FILE" },
	{ O_COOKIE, 'b', "cookie", OPT_STRING, "DATA|FILE",
	  NULL, "send cookies: 'NAME=VALUE; ...', or a cookie FILE to read" },
	{ O_COOKIE_JAR, 'c', "cookie-jar", OPT_STRING, "FILE",
	  NULL, "write every cookie to FILE at the end (- for stdout)" },
	{ O_JUNK_SESSION, 'j', "junk-session-cookies", OPT_FLAG, NULL,
	  NULL, "-b FILE: leave out its session cookies" },
	{ O_USER, 'u', "user", OPT_STRING, "USER:PASSWORD",
	  NULL, "HTTP Basic credentials (never sent to another host)" },
	{ O_BASIC, 0, "basic", OPT_FLAG, NULL,
	  NULL, "-u as HTTP Basic (the default)" },
	{ O_DIGEST, 0, "digest", OPT_FLAG, NULL,
	  NULL, "-u as HTTP Digest, answering the server's challenge" },
	{ O_ANYAUTH, 0, "anyauth", OPT_FLAG, NULL,
	  NULL, "-u as the scheme the server asks for (Digest, Basic)" },
	{ O_OAUTH2_BEARER, 0, "oauth2-bearer", OPT_STRING, "TOKEN",
	  NULL, "send Authorization: Bearer TOKEN (never to another host)" },
	{ O_NETRC, 'n', "netrc", OPT_FLAG, NULL,
	  NULL, "credentials from ~/.netrc ($NETRC), each host its own" },
	{ O_NETRC_OPTIONAL, 0, "netrc-optional", OPT_FLAG, NULL,
	  NULL, "like --netrc, but a password in the URL wins" },
	{ O_NETRC_FILE, 0, "netrc-file", OPT_FILE, "FILE",
	  NULL, "--netrc with FILE instead of ~/.netrc" },
	{ O_REQUEST, 'X', "request", OPT_STRING, "METHOD",
	  NULL, "request method instead of GET" },
	{ O_UPLOAD_FILE, 'T', "upload-file", OPT_STRING, "FILE",
	  NULL, "PUT FILE (- for stdin) to the URL (one per URL; a URL "
	  "ending in / gets FILE's name)" },
	{ O_EXPECT100_TIMEOUT, 0, "expect100-timeout", OPT_NUM, "SECS",
	  NULL, "wait SECS for 100 Continue before sending the body "
	  "(default 1)" },
	{ O_POST301, 0, "post301", OPT_FLAG, NULL,
	  NULL, "-L: keep POST and its body on a 301" },
	{ O_POST302, 0, "post302", OPT_FLAG, NULL,
	  NULL, "-L: keep POST and its body on a 302" },
	{ O_POST303, 0, "post303", OPT_FLAG, NULL,
	  NULL, "-L: keep POST and its body on a 303" },
	{ O_LOCATION, 'L', "location", OPT_FLAG, NULL,
	  NULL, "follow redirects" },
	{ O_MAX_REDIRS, 0, "max-redirs", OPT_NUM, "N",
	  NULL, "follow at most N redirects (default 50, -1 no limit)" },
	{ O_FAIL, 'f', "fail", OPT_FLAG, NULL,
	  NULL, "exit 22 on HTTP status 400 or more, without the body" },
	{ O_FAIL_WITH_BODY, 0, "fail-with-body", OPT_FLAG, NULL,
	  NULL, "exit 22 on HTTP status 400 or more, with the body" },
	{ O_FAIL_EARLY, 0, "fail-early", OPT_FLAG, NULL,
	  NULL, "stop at the first URL that fails" },
	{ O_PARALLEL, 'Z', "parallel", OPT_FLAG, NULL,
	  NULL, "run the transfers at the same time (output kept in order)" },
	{ O_PARALLEL_MAX, 0, "parallel-max", OPT_NUM, "N",
	  NULL, "with -Z, at most N transfers at once (default 50, max 300)" },
	{ O_PARALLEL_IMMEDIATE, 0, "parallel-immediate", OPT_FLAG, NULL,
	  NULL, "with -Z, open new connections rather than wait for one" },
	{ O_PARALLEL_MAX_HOST, 0, "parallel-max-host", OPT_NUM, "N",
	  NULL, "with -Z, at most N transfers at once to one host" },
	{ O_SILENT, 's', "silent", OPT_FLAG, NULL,
	  NULL, "no progress meter and no error messages" },
	{ O_SHOW_ERROR, 'S', "show-error", OPT_FLAG, NULL,
	  NULL, "with -s, still show errors" },
	{ O_VERBOSE, 'v', "verbose", OPT_FLAG, NULL,
	  NULL, "show the steps, and the heads sent and received, on stderr" },
	{ O_TRACE, 0, "trace", OPT_FILE, "FILE",
	  NULL, "write every byte sent and received to FILE (- for stdout), "
	  "in hex and ASCII" },
	{ O_TRACE_ASCII, 0, "trace-ascii", OPT_FILE, "FILE",
	  NULL, "--trace in ASCII alone" },
	{ O_TRACE_TIME, 0, "trace-time", OPT_FLAG, NULL,
	  NULL, "begin each trace and -v line with the time" },
	{ O_TRACE_IDS, 0, "trace-ids", OPT_FLAG, NULL,
	  NULL, "begin each trace and -v line with [TRANSFER-CONNECTION]" },
	{ O_WRITE_OUT, 'w', "write-out", OPT_STRING, "FORMAT",
	  NULL, "print FORMAT after each transfer (%{http_code}, %{json}...)" },
	{ O_MAX_TIME, 'm', "max-time", OPT_NUM, "SECS",
	  NULL, "give up a transfer after SECS" },
	{ O_MAX_FILESIZE, 0, "max-filesize", OPT_NUM, "BYTES",
	  NULL, "refuse bodies larger than BYTES (1.5M: fractions, k, M, G)" },
	{ O_LIMIT_RATE, 0, "limit-rate", OPT_NUM, "SPEED",
	  NULL, "send and receive at most SPEED bytes a second (k, M, G)" },
	NETARGS_CONNECT_OPTS,
	NETARGS_RESOLVE_OPT,
	NETARGS_FAMILY_OPTS,
	{ O_HTTP10, '0', "http1.0", OPT_FLAG, NULL,
	  NULL, "send HTTP/1.0 requests" },
	{ O_HTTP11, 0, "http1.1", OPT_FLAG, NULL,
	  NULL, "speak HTTP/1.1 only (no h2 in ALPN)" },
	{ O_HTTP2, 0, "http2", OPT_FLAG, NULL,
	  NULL, "HTTP/2 over TLS when the server agrees (the default)" },
	{ O_HTTP2_PRIOR, 0, "http2-prior-knowledge", OPT_FLAG, NULL,
	  NULL, "HTTP/2 from the first byte, http:// URLs too (h2c)" },
	{ O_COMPRESSED, 0, "compressed", OPT_FLAG, NULL,
	  NULL, "ask for gzip, deflate, br or zstd and decode the body" },
	{ O_PIPELINE, 0, "pipeline", OPT_FLAG, NULL,
	  NULL, "send GET and HEAD requests for the next URLs on one "
	  "connection without waiting for each response" },
	{ O_RETRY, 0, "retry", OPT_NUM, "N",
	  NULL, "retry transient failures N times, backing off" },
	{ O_RETRY_DELAY, 0, "retry-delay", OPT_NUM, "SECS",
	  NULL, "wait SECS between retries instead of backing off" },
	{ O_RETRY_MAX_TIME, 0, "retry-max-time", OPT_NUM, "SECS",
	  NULL, "start no retry after SECS" },
	{ O_RETRY_CONNREFUSED, 0, "retry-connrefused", OPT_FLAG, NULL,
	  NULL, "also retry when the connection is refused" },
	{ O_RETRY_ALL, 0, "retry-all-errors", OPT_FLAG, NULL,
	  NULL, "retry whatever the error" },
	{ O_PROXY, 'x', "proxy", OPT_STRING, "[SCHEME://]HOST[:PORT]",
	  NULL, "use this proxy: http, https, socks4, socks4a, socks5, "
	  "socks5h (\"\" for none)" },
	{ O_NOPROXY, 0, "noproxy", OPT_STRING, "LIST",
	  NULL, "hosts to reach without the proxy (* for all)" },
	{ O_SOCKS4, 0, "socks4", OPT_STRING, "HOST[:PORT]",
	  NULL, "use this SOCKS4 proxy (names resolved here)" },
	{ O_SOCKS4A, 0, "socks4a", OPT_STRING, "HOST[:PORT]",
	  NULL, "use this SOCKS4a proxy (it resolves names)" },
	{ O_SOCKS5, 0, "socks5", OPT_STRING, "HOST[:PORT]",
	  NULL, "use this SOCKS5 proxy (names resolved here)" },
	{ O_SOCKS5_HOSTNAME, 0, "socks5-hostname", OPT_STRING, "HOST[:PORT]",
	  NULL, "use this SOCKS5 proxy, which resolves names" },
	{ O_PROXY_USER, 'U', "proxy-user", OPT_STRING, "USER:PASSWORD",
	  NULL, "credentials for the proxy (Basic, or SOCKS5's)" },
	{ O_PROXY_BASIC, 0, "proxy-basic", OPT_FLAG, NULL,
	  NULL, "Basic authentication with the proxy (the default)" },
	{ O_PROXY_DIGEST, 0, "proxy-digest", OPT_FLAG, NULL,
	  NULL, "Digest authentication with the proxy" },
	{ O_PROXY_ANYAUTH, 0, "proxy-anyauth", OPT_FLAG, NULL,
	  NULL, "the proxy's choice of Basic or Digest (after a 407)" },
	{ O_PROXYTUNNEL, 'p', "proxytunnel", OPT_FLAG, NULL,
	  NULL, "CONNECT through the HTTP proxy for http:// URLs too" },
	{ O_PROXY_HEADER, 0, "proxy-header", OPT_STRING, "'NAME: VALUE'",
	  NULL, "a header for the HTTP proxy alone (@FILE reads lines)" },
	{ O_PROXY_CACERT, 0, "proxy-cacert", OPT_FILE, "FILE",
	  NULL, "trust the CA certificates in FILE (PEM) for the HTTPS proxy" },
	{ O_PROXY_CAPATH, 0, "proxy-capath", OPT_DIR, "DIR",
	  NULL, "trust the CA certificates in the hashed DIR for the HTTPS "
	  "proxy" },
	{ O_PROXY_INSECURE, 0, "proxy-insecure", OPT_FLAG, NULL,
	  NULL, "accept an HTTPS proxy certificate that does not verify" },
	{ O_PROXY_CERT, 0, "proxy-cert", OPT_FILE, "FILE",
	  NULL, "client certificate for the HTTPS proxy (PEM; may hold the "
	  "key)" },
	{ O_PROXY_KEY, 0, "proxy-key", OPT_FILE, "FILE",
	  NULL, "private key of --proxy-cert (PEM)" },
	{ O_PROXY_CERT_TYPE, 0, "proxy-cert-type", OPT_STRING, "PEM",
	  NULL, "--proxy-cert's format: PEM, the only one nk reads" },
	{ O_PROXY_KEY_TYPE, 0, "proxy-key-type", OPT_STRING, "PEM",
	  NULL, "--proxy-key's format: PEM, the only one nk reads" },
	{ O_PROXY_PASS, 0, "proxy-pass", OPT_STRING, "PHRASE",
	  NULL, "pass phrase of an encrypted --proxy-key" },
	{ O_PROXY_PINNED, 0, "proxy-pinnedpubkey", OPT_STRING, "sha256//BASE64",
	  NULL, "the HTTPS proxy's key must match one of these pins" },
	{ O_PROXY_CIPHERS, 0, "proxy-ciphers", OPT_STRING, "LIST",
	  NULL, "TLS 1.2 ciphers for the HTTPS proxy (OpenSSL's syntax)" },
	{ O_PROXY_TLS13_CIPHERS, 0, "proxy-tls13-ciphers", OPT_STRING, "LIST",
	  NULL, "TLS 1.3 cipher suites for the HTTPS proxy" },
	{ O_PROXY_CRLFILE, 0, "proxy-crlfile", OPT_FILE, "FILE",
	  NULL, "check the HTTPS proxy's chain against the CRLs in FILE (PEM)" },
	{ O_PROXY_TLSV1, 0, "proxy-tlsv1", OPT_FLAG, NULL,
	  NULL, "TLS 1.2 or later with the HTTPS proxy (nk's floor, the "
	  "default)" },
	{ O_CONTINUE_AT, 'C', "continue-at", OPT_STRING, "OFFSET|-",
	  NULL, "resume at OFFSET, or (-) at the output file's size" },
	TLSARGS_VERIFY_OPTS,
	TLSARGS_VERSION_OPTS,
	TLSARGS_CLIENT_OPTS,
	{ O_PINNED, 0, "pinnedpubkey", OPT_STRING, "sha256//BASE64",
	  NULL, "the server key must match one of these pins (;-separated)" },
	{ O_NO_PROGRESS, 0, "no-progress-meter", OPT_FLAG, NULL,
	  NULL, "no progress meter, but errors still shown" },
	{ O_PROGRESS_BAR, '#', "progress-bar", OPT_FLAG, NULL,
	  NULL, "show progress as a bar of #s on stderr" },
	{ O_CONFIG, 'K', "config", OPT_FILE, "FILE",
	  NULL, "read options from FILE (- for stdin), curl's syntax" },
	{ O_DISABLE, 'q', "disable", OPT_FLAG, NULL,
	  NULL, "as the first option: do not read the default config file" },
	{ O_VARIABLE, 0, "variable", OPT_STRING,
	  "[%]NAME[[N-M]]=TEXT|[%]NAME[[N-M]]@FILE",
	  NULL, "set a variable for --expand-OPTION's {{NAME}}" },
};

static const struct tool tool_http = {
	"http", "fetch URLs over HTTP and HTTPS (curl options)",
	"[OPTIONS] URL...", opts, NK_ARRAY_LEN(opts),
};
static const struct tool tool_https = {
	"https", "fetch URLs, https:// by default (curl options)",
	"[OPTIONS] URL...", opts, NK_ARRAY_LEN(opts),
};

const struct tool *
args_tool(int https)
{
	return https ? &tool_https : &tool_http;
}

/* ---- host sections ------------------------------------------------- */

/* What a section may hold: what is sent to one host and how its TLS
 * peer is checked, not what a whole run does. */
static int
section_allows(int id)
{
	switch (id) {
	case O_HEADER: case O_USER: case O_USER_AGENT: case O_REFERER:
	case O_PINNED: case TLSARGS_CACERT: case TLSARGS_CAPATH:
	case TLSARGS_INSECURE: case TLSARGS_TLSV12: case TLSARGS_TLSV13:
	case TLSARGS_TLS_MAX: case TLSARGS_CERT: case TLSARGS_KEY:
	case O_BASIC: case O_DIGEST: case O_ANYAUTH: case O_OAUTH2_BEARER:
		return 1;
	}
	return 0;
}

static int
section_refuse(const struct tool *t, int id, const char *name)
{
	/* A config file's url line is --url: a URL either way. */
	if (id == OPT_ARG || id == O_URL) {
		tool_msg("[host %s]: a URL cannot be in a host section", name);
		return NK_ERR_FAILED_INIT;
	}
	for (size_t i = 0; i < t->nopts; i++)
		if (t->opts[i].id == id && t->opts[i].longopt)
			tool_msg("[host %s]: --%s cannot be in a host section",
			         name, t->opts[i].longopt);
	return NK_ERR_FAILED_INIT;
}

/* ---- what each option does, by group ------------------------------- */

/* A group's answer for an option of another group. */
#define NOT_MINE (-1)

/* -v, --trace and --trace-ascii: the last one given is the one, as in
 * curl, which warns when one replaces another. */
static void
take_trace(struct cfg *c, int id, const char *arg)
{
	int type = id == O_TRACE ? TRACE_BIN : id == O_TRACE_ASCII
	           ? TRACE_ASCII : TRACE_NONE;
	int had = c->verbose ? -1 : c->tr.type;
	if (had && had != (type ? type : -1) && !c->silent)
		fprintf(stderr, "Warning: %s overrides an earlier trace/verbose "
		        "option\n", id == O_TRACE ? "--trace" : id == O_TRACE_ASCII
		        ? "--trace-ascii" : "-v, --verbose");
	c->verbose = !type;
	c->tr.type = type;
	c->tr.file = type ? arg : NULL;
}

/* Where the body goes, and what else is shown. */
static int
take_output(struct cfg *c, int id, const char *arg)
{
	switch (id) {
	case O_OUTPUT: strv_add(&c->outputs, arg); break;
	case O_REMOTE_NAME: strv_add(&c->outputs, OUT_REMOTE); break;
	case O_REMOTE_NAME_ALL: c->remote_all = 1; break;
	case O_REMOTE_HEADER_NAME: c->remote_header_name = 1; break;
	case O_CREATE_DIRS: c->create_dirs = 1; break;
	case O_OUT_NULL: strv_add(&c->outputs, OUT_NULL); break;
	case O_OUTPUT_DIR: c->output_dir = arg; break;
	case O_NO_CLOBBER: c->no_clobber = 1; break;
	case O_REMOVE_ON_ERROR: c->remove_on_error = 1; break;
	case O_CONTINUE_AT: return cfg_set_continue_at(c, arg);
	case O_INCLUDE: c->include = 1; break;
	case O_DUMP_HEADER: c->dump_header = arg; break;
	case O_WRITE_OUT: {
		int e = writeout_set(arg, &c->wo_format);
		if (e)
			return e;
		c->write_out = 1;
		break;
	}
	case O_SILENT: c->silent = 1; break;
	case O_SHOW_ERROR: c->show_error = 1; break;
	case O_VERBOSE: case O_TRACE: case O_TRACE_ASCII:
		take_trace(c, id, arg);
		break;
	case O_TRACE_TIME: c->tr.time = 1; break;
	case O_TRACE_IDS: c->tr.ids = 1; break;
	case O_NO_PROGRESS: c->no_progress = 1; break;
	case O_PROGRESS_BAR: c->progress_bar = 1; break;
	case O_REMOTE_TIME: c->cond.remote_time = 1; break;
	case O_ETAG_SAVE: c->cond.etag_save = arg; break;
	default: return NOT_MINE;
	}
	return 0;
}

/* The request line and head. */
static int
take_request(struct cfg *c, int id, const char *arg)
{
	switch (id) {
	case O_REQUEST: return cfg_set_method(c, arg);
	case O_HEAD: c->head = 1; break;
	case O_HEADER: return cfg_set_header(c, arg);
	case O_USER_AGENT: c->user_agent = arg; break;
	case O_REFERER: cfg_set_referer(c, arg); break;
	case O_COOKIE: cookies_arg(&c->ck, arg); break;
	case O_COOKIE_JAR: c->ck.jar_path = arg; break;
	case O_JUNK_SESSION: c->ck.junk = 1; break;
	case O_HTTP10: c->http10 = 1; c->http_ver = NK_FETCH_HTTP_1_1; break;
	case O_HTTP11: c->http10 = 0; c->http_ver = NK_FETCH_HTTP_1_1; break;
	case O_HTTP2: c->http10 = 0; c->http_ver = NK_FETCH_HTTP_2; break;
	case O_HTTP2_PRIOR:
		c->http10 = 0;
		c->http_ver = NK_FETCH_HTTP_2_PRIOR;
		break;
	case O_COMPRESSED: c->compressed = 1; break;
	case O_RANGE: {
		int e = cond_set_range(&c->cond, arg, c->silent);
		if (!e)
			strv_add(&c->owned, c->cond.range);
		return e;
	}
	case O_TIME_COND: cond_set_time(&c->cond, arg, c->silent); break;
	case O_ETAG_COMPARE: c->cond.etag_compare = arg; break;
	default: return NOT_MINE;
	}
	return 0;
}

/* The request body: -d and its kin, -F, -T, and how redirects and
 * Expect: 100-continue treat it. */
static int
take_body(struct cfg *c, int id, const char *arg)
{
	/* In the order of O_DATA ... O_JSON. */
	static const enum data_kind kinds[] = {
		DATA_ASCII, DATA_ASCII, DATA_BINARY, DATA_RAW, DATA_URLENCODE,
		DATA_JSON };
	char errmsg[NK_ERR_MSG_LEN];
	nk_err e = 0;
	switch (id) {
	case O_DATA: case O_DATA_ASCII: case O_DATA_BINARY:
	case O_DATA_RAW: case O_DATA_URLENCODE: case O_JSON:
		e = data_add(&c->data, kinds[id - O_DATA], arg, errmsg);
		break;
	case O_GET: c->data.get = 1; break;
	case O_URL_QUERY: e = data_url_query(&c->data, arg, errmsg); break;
	case O_FORM: case O_FORM_STRING:
		e = data_form(&c->data, arg, id == O_FORM_STRING, errmsg);
		break;
	case O_UPLOAD_FILE: strv_add(&c->uploads, arg); break;
	case O_EXPECT100_TIMEOUT:
		if (tool_parse_secs(arg, "--expect100-timeout", &c->expect100_ms))
			return NK_ERR_FAILED_INIT;
		break;
	case O_POST301: c->post301 = 1; break;
	case O_POST302: c->post302 = 1; break;
	case O_POST303: c->post303 = 1; break;
	default: return NOT_MINE;
	}
	return e ? cfg_data_error(e, errmsg) : 0;
}

/* Credentials. */
static int
take_auth(struct cfg *c, int id, const char *arg)
{
	switch (id) {
	case O_USER: return cfg_set_user(c, arg);
	case O_NETRC: c->netrc.use = 1; break;
	case O_NETRC_OPTIONAL: c->netrc.optional = 1; break;
	case O_NETRC_FILE: c->netrc.use = 1; c->netrc.file = arg; break;
	/* curl: --basic and --digest add to the schemes allowed, --anyauth
	 * allows all, --oauth2-bearer adds Bearer; none of them: Basic */
	case O_BASIC: c->auth |= NK_FETCH_AUTH_BASIC; break;
	case O_DIGEST: c->auth |= NK_FETCH_AUTH_DIGEST; break;
	case O_ANYAUTH: c->auth = NK_FETCH_AUTH_ANY; break;
	case O_OAUTH2_BEARER: return cfg_set_bearer(c, arg);
	default: return NOT_MINE;
	}
	return 0;
}

/* How a transfer goes on: redirects, failures, limits, retries. */
static int
take_transfer(struct cfg *c, int id, const char *arg)
{
	long l;
	switch (id) {
	case O_LOCATION: c->location = 1; break;
	case O_MAX_REDIRS:
		if (tool_parse_long(arg, -1, INT_MAX, "--max-redirs", &l))
			return NK_ERR_FAILED_INIT;
		c->max_redirs = l;
		c->max_redirs_set = 1;
		break;
	case O_FAIL: c->fail = 1; break;
	case O_FAIL_WITH_BODY: c->fail_with_body = 1; break;
	case O_FAIL_EARLY: c->fail_early = 1; break;
	case O_PARALLEL: c->parallel = 1; break;
	case O_PARALLEL_IMMEDIATE: c->parallel_immediate = 1; break;
	case O_PARALLEL_MAX:
		if (tool_parse_long(arg, 1, INT_MAX, "--parallel-max", &l))
			return NK_ERR_FAILED_INIT;
		/* curl takes more and runs 300 */
		c->parallel_max = l > 300 ? 300 : (int)l;
		break;
	case O_PARALLEL_MAX_HOST:
		if (tool_parse_long(arg, 1, 300, "--parallel-max-host", &l))
			return NK_ERR_FAILED_INIT;
		c->parallel_max_host = (int)l;
		break;
	case O_PIPELINE: c->pipeline = 1; break;
	case O_MAX_TIME:
		if (tool_parse_secs(arg, "--max-time", &c->max_time_ms))
			return NK_ERR_FAILED_INIT;
		break;
	case O_MAX_FILESIZE: return cfg_set_max_filesize(c, arg);
	case O_LIMIT_RATE: return cfg_set_limit_rate(c, arg);
	default: return NOT_MINE;
	}
	return 0;
}

static int
take_retry(struct cfg *c, int id, const char *arg)
{
	switch (id) {
	case O_RETRY:
		if (tool_parse_long(arg, 0, 1000000, "--retry", &c->retry))
			return NK_ERR_FAILED_INIT;
		break;
	case O_RETRY_DELAY:
		if (tool_parse_secs(arg, "--retry-delay", &c->retry_delay_ms))
			return NK_ERR_FAILED_INIT;
		break;
	case O_RETRY_MAX_TIME:
		if (tool_parse_secs(arg, "--retry-max-time",
		                    &c->retry_max_time_ms))
			return NK_ERR_FAILED_INIT;
		break;
	case O_RETRY_CONNREFUSED: c->retry_connrefused = 1; break;
	case O_RETRY_ALL: c->retry_all = 1; break;
	default: return NOT_MINE;
	}
	return 0;
}

/* How the server is reached: the proxy, and (netargs) addresses,
 * timeouts and TLS; every option no other group took. */
static int
take_connection(struct cfg *c, int id, const char *arg)
{
	/* Groups that give the same ones share connections. */
	size_t len = (arg ? strlen(arg) : 0) + 16;
	char *key = malloc(len);
	if (!key)
		return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
	snprintf(key, len, "%d %s", id, arg ? arg : "");
	strv_add(&c->owned, key);
	strv_add(&c->connopts, key);
	switch (id) {
	case O_PROXY: c->proxy = arg; c->proxy_set = 1; break;
	case O_NOPROXY: c->noproxy = arg; break;
	case O_SOCKS4: cfg_set_socks(c, "socks4", arg); break;
	case O_SOCKS4A: cfg_set_socks(c, "socks4a", arg); break;
	case O_SOCKS5: cfg_set_socks(c, "socks5", arg); break;
	case O_SOCKS5_HOSTNAME: cfg_set_socks(c, "socks5h", arg); break;
	case O_PROXY_USER: c->proxy_user = arg; break;
	case O_PROXY_BASIC: c->proxy_auth |= 1; break;
	case O_PROXY_DIGEST: c->proxy_auth |= 2; break;
	case O_PROXY_ANYAUTH: c->proxy_auth |= 4; break;
	case O_PROXYTUNNEL: c->proxytunnel = 1; break;
	case O_PROXY_HEADER: return cfg_set_proxy_header(c, arg);
	case O_PINNED: c->na.tls.pinned_pubkey = arg; break;
	case O_PROXY_CACERT: c->proxy_tls.cafile = arg; break;
	case O_PROXY_CAPATH: c->proxy_tls.capath = arg; break;
	case O_PROXY_INSECURE: c->proxy_tls.insecure = 1; break;
	case O_PROXY_CERT: c->proxy_tls.cert = arg; break;
	case O_PROXY_KEY: c->proxy_tls.key = arg; break;
	case O_PROXY_CERT_TYPE: return cfg_check_pem("--proxy-cert-type", arg);
	case O_PROXY_KEY_TYPE: return cfg_check_pem("--proxy-key-type", arg);
	case O_PROXY_PASS: c->proxy_tls.key_password = arg; break;
	case O_PROXY_PINNED: c->proxy_tls.pinned_pubkey = arg; break;
	case O_PROXY_CIPHERS: c->proxy_tls.ciphers = arg; break;
	case O_PROXY_TLS13_CIPHERS: c->proxy_tls.tls13_ciphers = arg; break;
	case O_PROXY_CRLFILE: c->proxy_tls.crlfile = arg; break;
	case O_PROXY_TLSV1: break;   /* TLS 1.2 is nk's floor anyway */
	default:
		if (netargs_take(&c->na, id, arg) < 0)
			return NK_ERR_FAILED_INIT;
		break;
	}
	return 0;
}

static int parse_opts(struct cfg *c, int argc, char **argv,
                      const struct tool *t, int depth);

/* ---- where options come from --------------------------------------- */

/* -K FILE and the default file: its options go through parse_opts, as
 * if given at this place on the command line. */
static int
parse_config(struct cfg *c, const char *path, int missing_ok,
             const struct tool *t, int depth)
{
	/* A file that names itself would loop for ever. */
	if (depth > 16) {
		tool_msg("config files nested too deep at '%s'", path);
		return NK_ERR_FAILED_INIT;
	}
	int n;
	char **v;
	int e = config_read(path, t, missing_ok, &n, &v);
	if (e)
		return e;
	for (int i = 0; i < n; i++)
		strv_add(&c->owned, v[i]);
	/* Each section's options, up to the next, go to its own cfg; its
	 * name stands where the parser expects argv[0]. */
	int m = 0;
	while (m < n && strcmp(v[m], CONFIG_SECTION) != 0)
		m++;
	e = m ? parse_opts(c, m, v, t, depth + 1) : 0;
	while (!e && m < n) {
		int start = ++m;
		while (m < n && strcmp(v[m], CONFIG_SECTION) != 0)
			m++;
		e = parse_opts(section_get(c, v[start]), m - start, v + start, t,
		               depth + 1);
	}
	free(v);
	return e;
}

/* The group an option goes to: curl's global options to the first
 * (where every group finds them), the others to the current one. */
static struct cfg *
group_for(struct cfg *c, int id)
{
	switch (id) {
	case O_SILENT: case O_SHOW_ERROR: case O_VERBOSE: case O_NO_PROGRESS:
	case O_FAIL_EARLY: case O_VARIABLE: case O_TRACE: case O_TRACE_ASCII:
	case O_TRACE_TIME: case O_TRACE_IDS: case O_PROGRESS_BAR:
	case O_PARALLEL: case O_PARALLEL_MAX: case O_PARALLEL_IMMEDIATE:
	case O_PARALLEL_MAX_HOST:
		return c;
	}
	return c->cur ? c->cur : c;
}

/* The URLs, and options from elsewhere. */
static int
take_source(struct cfg *c, int id, const char *arg, const struct tool *t,
            int depth)
{
	struct cfg *g = group_for(c, id);
	switch (id) {
	case O_URL:
		if (arg[0] == '@')
			return urls_from_file(g, arg + 1);
		/* fall through */
	case OPT_ARG:
		strv_add(&g->urls, arg);
		strv_add(&g->listed, NULL);
		break;
	case O_GLOBOFF: g->globoff = 1; break;
	case O_NEXT: group_next(c); break;
	case O_CONFIG: return parse_config(c, arg, 0, t, depth);
	case O_DISABLE: break;
	case O_VARIABLE: return vars_set(&c->vars, arg);
	default: return NOT_MINE;
	}
	return 0;
}

/* The option id with its argument, by the group it belongs to. */
static int
take_option(struct cfg *c, int id, const char *arg, const struct tool *t,
            int depth)
{
	static int (*const groups[])(struct cfg *, int, const char *) = {
		take_output, take_request, take_body, take_auth, take_transfer,
		take_retry, take_connection,
	};
	int e = take_source(c, id, arg, t, depth);
	struct cfg *to = group_for(c, id);
	for (size_t g = 0; e == NOT_MINE && g < NK_ARRAY_LEN(groups); g++)
		e = groups[g](to, id, arg);
	return e;
}

/* --expand-NAME VALUE at argv[*i]: NAME's option with {{...}} in VALUE
 * expanded, parsed as if given so. */
static int
parse_expand(struct cfg *c, int argc, char **argv, int *i,
             const struct tool *t, int depth)
{
	const char *a = argv[(*i)++], *name = a + 9, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct opt *o = config_opt(t, name, len);
	if (!o) {
		tool_msg("unknown option %.*s (see nk %s --help)",
		         (int)(len + 9), a, t->name);
		return NK_ERR_FAILED_INIT;
	}
	/* A flag takes no value, even after '='. */
	int flag = o->kind == OPT_FLAG;
	const char *v = NULL;
	char *val = NULL;
	if (!flag) {
		if (!eq && *i >= argc) {
			tool_msg("option %s needs an argument", a);
			return NK_ERR_FAILED_INIT;
		}
		v = eq ? eq + 1 : argv[(*i)++];
		int e = vars_expand(&c->vars, v, &val);
		if (e)
			return e;
		if (val)
			strv_add(&c->owned, val);
	}
	char *opt = malloc(len + 3);
	if (!opt)
		return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
	snprintf(opt, len + 3, "--%.*s", (int)len, name);
	strv_add(&c->owned, opt);
	char *mini[3] = { argv[0], opt, val ? val : (char *)v };
	return parse_opts(c, flag ? 2 : 3, mini, t, depth);
}

/* argv's options (argv[0] is not one) into c; in a host section's cfg,
 * only those section_allows. */
static int
parse_opts(struct cfg *c, int argc, char **argv, const struct tool *t,
           int depth)
{
	struct optstate st = { 1, NULL, 0 };
	const char *arg;
	int e = 0;
	while (!e) {
		/* --expand-NAME is not in the table: it is seen here, where a
		 * word starts (not inside a bundle, not after --). */
		if (!(st.bundle && *st.bundle) && !st.only_args && st.i < argc &&
		    strncmp(argv[st.i], "--expand-", 9) == 0 && !c->in_section) {
			e = parse_expand(c, argc, argv, &st.i, t, depth);
			continue;
		}
		int id = opt_next(&st, argc, argv, t, &arg);
		if (id == OPT_END)
			break;
		if (id == OPT_ERROR)
			return NK_ERR_FAILED_INIT;
		if (c->in_section && !section_allows(id))
			return section_refuse(t, id, argv[0]);
		e = take_option(c, id, arg, t, depth);
	}
	return e;
}

int
parse_args(struct cfg *c, int argc, char **argv, const struct tool *t)
{
	int e = 0;
	/* curl's rule: -q (--disable) only counts as the very first option. */
	if (argc < 2 || (strcmp(argv[1], "-q") != 0 &&
	                 strcmp(argv[1], "--disable") != 0)) {
		char *rc = config_default_path();
		if (rc) {
			strv_add(&c->owned, rc);
			e = parse_config(c, rc, 1, t, 0);
		}
	}
	if (!e)
		e = parse_opts(c, argc, argv, t, 0);
	return e ? e : plan_finish(c, t->name);
}
