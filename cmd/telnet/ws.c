/* ws: the start of a WebSocket session (nk telnet ws://... and wss://):
 * the URL, the connection (through -x's proxy as any session), TLS for
 * wss:// verified as --tls is, and the opening handshake over libnk's
 * HTTP/1.1 serializer and parser. The session itself is ws_loop.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "nk/http.h"
#include "nk/tls.h"
#include "nk/url.h"
#include "tool.h"
#include "ws.h"

/* The longest handshake answer taken (a 101 is a few hundred bytes). */
#define WS_HEAD_MAX 65536

/* Appends arg to a growing list. */
static int
push(const char ***list, size_t *n, const char *arg)
{
	const char **l = realloc(*list, (*n + 1) * sizeof *l);
	if (!l) {
		tool_msg("out of memory");
		return -1;
	}
	l[(*n)++] = arg;
	*list = l;
	return 0;
}

int
ws_opt(struct ws_args *a, int which, const char *arg)
{
	long v;
	a->given = 1;
	switch (which) {
	case WS_OPT_PROTOCOL:
		return push(&a->protocols, &a->nprotocols, arg);
	case WS_OPT_HEADER:
		return push(&a->headers, &a->nheaders, arg);
	case WS_OPT_BINARY:
		a->binary = 1;
		return 0;
	case WS_OPT_ONE:
		a->one = 1;
		return 0;
	case WS_OPT_PING:
		if (tool_parse_secs(arg, "--ping", &a->ping_ms) != 0)
			return -1;
		if (a->ping_ms <= 0) {
			tool_msg("--ping takes a time over 0, not '%s'", arg);
			return -1;
		}
		return 0;
	default:
		if (tool_parse_long(arg, 1, 1L << 40, "--max-message", &v) != 0)
			return -1;
		a->max_message = (uint64_t)v;
		return 0;
	}
}

int
ws_opts_given(const struct ws_args *a)
{
	return a->given;
}

int
ws_is_url(const char *arg)
{
	return !strncasecmp(arg, "ws://", 5) || !strncasecmp(arg, "wss://", 6);
}

static void
status(const struct ws_args *a, const char *what, const char *s)
{
	if (a->verbose)
		fprintf(stderr, "%s%s\n", what, s);
}

/* TLS over w->conn for wss://, said with -v. */
static nk_err
start_tls(struct wsess *w, const char *host, nk_time deadline, char *err)
{
	const struct netargs *na = w->a->na;
	nk_tls_ctx *ctx;
	nk_tls_info tls;
	nk_err e = nk_tls_ctx_new(&na->tls, &ctx, err);
	if (e)
		return e;
	memset(&tls, 0, sizeof tls);
	const char *name = na->servername ? na->servername : host;
	e = nk_tls_start(ctx, w->conn, name, deadline, &tls, err);
	nk_tls_ctx_free(ctx);
	if (!e && w->a->verbose)
		fprintf(stderr, "TLS: %s, %s; certificate %s %s.\n", tls.version,
		        tls.cipher, tls.verify_ok ? "verified for" :
		        "NOT verified (--insecure):", tls.verify_ok ? name :
		        tls.verify_reason);
	nk_tls_info_clear(&tls);
	return e;
}

/* Reads the answer's head into buf (WS_HEAD_MAX bytes); *len is what
 * came, head and beyond. */
static nk_err
read_head(struct wsess *w, char *buf, size_t *len, nk_time deadline,
          struct nk_http_response *res, char *err)
{
	struct nk_http_parser p;
	memset(&p, 0, sizeof p);
	*len = 0;
	for (;;) {
		nk_err e = nk_http_parse_response(&p, buf, *len, res, err);
		if (e || res->head_len)
			return e;
		if (*len == WS_HEAD_MAX)
			return nk_err_set(err, NK_ERR_WEIRD_SERVER_REPLY, "WebSocket "
			                  "handshake: an answer over %d bytes",
			                  WS_HEAD_MAX);
		size_t n;
		e = nk_conn_read(w->conn, buf + *len, WS_HEAD_MAX - *len, deadline,
		                 &n, err);
		if (e)
			return e;
		if (n == 0)
			return nk_http_parse_eof(&p, *len, err);
		*len += n;
	}
}

/* The handshake over w->conn; the bytes after the head go to the loop. */
static int
handshake(struct wsess *w, const nk_url *u, nk_time deadline)
{
	const struct ws_args *a = w->a;
	char key[NK_WS_KEY_LEN + 1], err[NK_ERR_MSG_LEN] = "", *req = NULL;
	size_t reqlen, len;
	struct nk_ws_handshake h = {
		nk_url_target(u), nk_url_get(u, NK_URL_HOST), key,
		a->protocols, a->nprotocols, a->headers, a->nheaders,
	};
	nk_err e = nk_ws_key(key, err);
	if (!e)
		e = nk_ws_request(&h, &req, &reqlen, err);
	if (!e)
		e = nk_conn_write(w->conn, req, reqlen, deadline, err);
	free(req);
	if (e)
		return tool_fail(e, err);
	char *buf = malloc(WS_HEAD_MAX);
	struct nk_http_header *hdrs = calloc(NK_HTTP_MAX_HEADERS, sizeof *hdrs);
	struct nk_http_response res = { hdrs, NK_HTTP_MAX_HEADERS, 0, 0, 0,
	                                NULL, 0, 0, 0 };
	if (!buf || !hdrs)
		e = nk_err_set(err, NK_ERR_OUT_OF_MEMORY, "out of memory");
	if (!e)
		e = read_head(w, buf, &len, deadline, &res, err);
	const char *proto = NULL;
	size_t plen = 0;
	if (!e)
		e = nk_ws_check_response(&h, &res, &proto, &plen, err);
	int code = 0;
	if (e) {
		code = tool_fail(e, err);
	} else {
		if (a->verbose && proto)
			fprintf(stderr, "WebSocket protocol: %.*s\n", (int)plen, proto);
		else if (a->verbose && a->nprotocols)
			fprintf(stderr, "WebSocket protocol: none chosen\n");
		status(a, "WebSocket open: ", nk_url_get(u, NK_URL_HREF));
		code = ws_loop(w, (unsigned char *)buf + res.head_len,
		               len - res.head_len);
	}
	free(hdrs);
	free(buf);
	return code;
}

/* The URL: ws:// or wss:// with a host. 0, or the exit status. */
static int
parse_url(const char *arg, nk_url **u)
{
	char err[NK_ERR_MSG_LEN] = "";
	nk_err e = nk_url_parse(arg, NULL, u, err);
	if (e)
		return tool_fail(e, err);
	if (nk_url_host_kind_of(*u) == NK_URL_HOST_EMPTY ||
	    !*nk_url_connect_host(*u) || *nk_url_get(*u, NK_URL_USERNAME)) {
		nk_url_free(*u);
		tool_msg("a WebSocket URL needs a host and no user name: '%s'",
		         arg);
		return NK_ERR_URL_MALFORMAT;
	}
	return 0;
}

/* The request, built once with a placeholder key to refuse a bad -H or
 * --ws-protocol before connecting. 0, or the exit status. */
static int
check_request(const struct ws_args *a, const nk_url *u)
{
	char err[NK_ERR_MSG_LEN] = "", *req;
	size_t len;
	struct nk_ws_handshake h = {
		nk_url_target(u), nk_url_get(u, NK_URL_HOST),
		"AAAAAAAAAAAAAAAAAAAAAA==", a->protocols, a->nprotocols,
		a->headers, a->nheaders,
	};
	nk_err e = nk_ws_request(&h, &req, &len, err);
	free(req);
	return e ? tool_fail(e, err) : 0;
}

/* ws_run without its frees. */
static int
run(struct ws_args *a)
{
	struct wsess *w = calloc(1, sizeof *w);
	char err[NK_ERR_MSG_LEN] = "";
	nk_url *u = NULL;
	int code;

	if (!w)
		return tool_failf(NK_ERR_OUT_OF_MEMORY, "out of memory");
	w->a = a;
	if ((code = parse_url(a->url, &u)) != 0) {
		free(w);
		return code;
	}
	/* A header or protocol refused before anything is sent. */
	if ((code = check_request(a, u)) != 0) {
		nk_url_free(u);
		free(w);
		return code;
	}
	const char *host = nk_url_connect_host(u);
	int tls = !strcmp(nk_url_scheme(u), "wss");
	nk_time deadline = nk_deadline_in_ms(a->na->net.connect_timeout_ms);
	nk_err e = netargs_connect(a->na, host, nk_url_port(u), deadline,
	                           &w->conn, NULL, err);
	if (!e) {
		if (a->verbose)
			fprintf(stderr, "Connected to %s (%s) port %d.\n", host,
			        nk_conn_peer_str(w->conn),
			        nk_conn_peer_port(w->conn));
		if (tls)
			e = start_tls(w, host, deadline, err);
	}
	code = e ? tool_fail(e, err) : handshake(w, u, deadline);
	nk_conn_free(w->conn);
	nk_ws_rx_free(&w->rx);
	nk_buf_free(&w->out);
	nk_buf_free(&w->in);
	nk_url_free(u);
	free(w);
	return code;
}

int
ws_run(struct ws_args *a)
{
	int code = run(a);
	netargs_free(a->na);
	free(a->protocols);
	free(a->headers);
	return code;
}
