/* netargs: the shared connection and TLS options (see netargs.h). */
#include <stdlib.h>
#include <string.h>

#include "netargs.h"
#include "tool.h"

/* Appends s to a growable array; the array may move, so the caller points
 * its nk_netopts at *v afterwards. */
static void
push(const char ***v, size_t *cap, size_t *n, const char *s)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		const char **p = realloc(*v, c * sizeof *p);
		if (!p) {
			tool_msg("out of memory");
			exit(NK_ERR_OUT_OF_MEMORY);
		}
		*v = p;
		*cap = c;
	}
	(*v)[(*n)++] = s;
}

/* --cacert, --capath, -k (which 0, 1, 2: their order in the ids), for
 * the server or, as --proxy-cacert ..., for an HTTPS proxy. */
static int
trust_take(nk_tls_config *t, int which, const char *arg)
{
	if (which == 0)
		t->cafile = arg;
	else if (which == 1)
		t->capath = arg;
	else
		t->insecure = 1;
	return 1;
}

int
netargs_take(struct netargs *na, int id, const char *arg)
{
	switch (id) {
	case NETARGS_IPV4:
		na->net.family = 4;
		return 1;
	case NETARGS_IPV6:
		na->net.family = 6;
		return 1;
	case NETARGS_RESOLVE:
		push(&na->_resolve, &na->_resolve_cap, &na->net.nresolve, arg);
		na->net.resolve = na->_resolve;
		return 1;
	case NETARGS_CONNECT_TO:
		push(&na->_connect_to, &na->_connect_to_cap, &na->net.nconnect_to,
		     arg);
		na->net.connect_to = na->_connect_to;
		return 1;
	case NETARGS_CONNECT_TIMEOUT:
		return tool_parse_secs(arg, "--connect-timeout",
		                       &na->net.connect_timeout_ms) == 0 ? 1 : -1;
	case NETARGS_PROXY:
		na->proxy = arg;
		na->_proxy_set = 1;
		return 1;
	case NETARGS_NOPROXY:
		na->noproxy = arg;
		na->_noproxy_set = 1;
		return 1;
	case NETARGS_PROXY_CACERT:
	case NETARGS_PROXY_CAPATH:
	case NETARGS_PROXY_INSECURE:
		return trust_take(&na->proxy_tls, id - NETARGS_PROXY_CACERT, arg);
	case TLSARGS_CACERT:
	case TLSARGS_CAPATH:
	case TLSARGS_INSECURE:
		return trust_take(&na->tls, id - TLSARGS_CACERT, arg);
	case TLSARGS_SERVERNAME:
		/* An empty name would silently mean "no SNI, verify the IP". */
		if (!*arg) {
			tool_msg("--servername needs a name");
			return -1;
		}
		na->servername = arg;
		return 1;
	case TLSARGS_TLSV12:
		na->tls.min_version = NK_TLS_1_2;
		return 1;
	case TLSARGS_TLSV13:
		na->tls.min_version = NK_TLS_1_3;
		return 1;
	case TLSARGS_TLS_MAX:
		/* opt_next has already held arg to the table's choices. */
		na->tls.max_version = strcmp(arg, "1.2") == 0 ? NK_TLS_1_2
		                                              : NK_TLS_1_3;
		return 1;
	case TLSARGS_CERT:
		na->tls.cert = arg;
		return 1;
	case TLSARGS_KEY:
		na->tls.key = arg;
		return 1;
	}
	return 0;
}

/* The tools, not the library, read the environment; unset and empty are
 * the same, as for curl. */
static const char *
env_path(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

int
netargs_finish(struct netargs *na)
{
	char err[NK_ERR_MSG_LEN] = "";

	/* Only --tlsv1.3 raises the minimum above what --tls-max can name. */
	if (na->tls.min_version && na->tls.max_version &&
	    na->tls.max_version < na->tls.min_version) {
		tool_msg("--tls-max 1.2 is below --tlsv1.3");
		return NK_ERR_FAILED_INIT;
	}
	/* 0 is curl's "the default", not "no limit". */
	if (na->net.connect_timeout_ms == 0)
		na->net.connect_timeout_ms = NETARGS_CONNECT_TIMEOUT_MS;
	nk_err e = nk_netopts_check(&na->net, err);
	if (e)
		return tool_fail(e, err);
	na->tls.default_cafile = env_path("SSL_CERT_FILE");
	na->tls.default_capath = env_path("SSL_CERT_DIR");
	na->proxy_tls.default_cafile = na->tls.default_cafile;
	na->proxy_tls.default_capath = na->tls.default_capath;
	/* What curl offers an HTTPS proxy: it speaks HTTP/1.1 for CONNECT. */
	na->proxy_tls.alpn = "http/1.1";
	/* curl's order: the lower-case name first. -x "" and --noproxy ""
	 * override the environment. */
	if (!na->_proxy_set)
		na->proxy = env_path("all_proxy") ? env_path("all_proxy")
		            : env_path("ALL_PROXY");
	if (!na->_noproxy_set)
		na->noproxy = env_path("no_proxy") ? env_path("no_proxy")
		              : env_path("NO_PROXY");
	return 0;
}

nk_err
netargs_connect(const struct netargs *na, const char *host, int port,
                nk_time deadline, nk_conn **out, nk_connect_info *info,
                char *errmsg)
{
	return nk_tls_connect_via(&na->proxy_tls, &na->net, na->proxy,
	                          na->noproxy, host, port, deadline, out, info,
	                          errmsg);
}

void
netargs_free(struct netargs *na)
{
	free(na->_resolve);
	free(na->_connect_to);
	na->_resolve = na->_connect_to = NULL;
	na->_resolve_cap = na->_connect_to_cap = 0;
	na->net.resolve = na->net.connect_to = NULL;
	na->net.nresolve = na->net.nconnect_to = 0;
}

int
netargs_main(int argc, char **argv,
             int (*run)(int argc, char **argv, struct netargs *na,
                        const char **pos))
{
	const char **pos = calloc((size_t)argc, sizeof *pos);
	struct netargs na;
	int rc;

	tool_init(argc, argv);
	memset(&na, 0, sizeof na);
	if (!pos)
		rc = tool_fail(NK_ERR_OUT_OF_MEMORY, "out of memory");
	else
		rc = run(argc, argv, &na, pos);
	netargs_free(&na);
	free(pos);
	return rc;
}
