/* Unit tests of nk_tls_accept, the server's side of TLS: an nk server and
 * an nk client (nk_tls_start, in a thread) over a loopback TCP connection,
 * and openssl s_client as the client nk did not write. Certificates come
 * from tests/certs/mkcerts.sh in a temporary directory: the server serves
 * ip-chain.pem (for 127.0.0.1), clients present client.pem (issued by
 * root.pem, for client authentication) or self.pem (nobody's). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "nk/net.h"
#include "nk/tls.h"
#include "nk/x509.h"

static char dir[] = "/tmp/nk-test-tlsacc-XXXXXX";

/* Runs argv[0] with argv, stdout and stderr to /dev/null; 0 when it
 * exited 0. */
static int
run(char *const argv[])
{
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int
setup(void **state)
{
	char script[600];
	(void)state;
	const char *f = __FILE__, *p = strstr(f, "tests/unit/");
	snprintf(script, sizeof script, "%.*stests/certs/mkcerts.sh",
	         (int)(p ? p - f : 0), f);
	if (!mkdtemp(dir))
		return -1;
	char *argv[] = { "sh", script, dir, NULL };
	return run(argv);
}

static int
teardown(void **state)
{
	(void)state;
	char *argv[] = { "rm", "-rf", dir, NULL };
	return run(argv);
}

/* The path of a file in the certificate directory, into out. */
static const char *
path_of(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
	return out;
}

/* A connected pair over 127.0.0.1: *srv as accepted, *cli as dialled
 * (libnk's own listener and connect, which these tests do not test). */
static void
tcp_pair(nk_conn **srv, nk_conn **cli)
{
	int fds[8];
	size_t n = 8;
	nk_netopts opts = { 0 };
	assert_int_equal(nk_listen("127.0.0.1", 0, 4, fds, &n, NULL), NK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(nk_connect(&opts, "127.0.0.1", nk_listen_port(fds[0]),
	                            nk_deadline_in_ms(5000), cli, NULL, NULL),
	                 NK_OK);
	struct pollfd p = { fds[0], POLLIN, 0 };
	assert_int_equal(poll(&p, 1, 5000), 1);
	int s = accept(fds[0], NULL, NULL);
	assert_true(s >= 0);
	close(fds[0]);
	assert_int_equal(nk_conn_from_fd(s, srv, NULL), NK_OK);
}

static nk_tls_ctx *
server_ctx(const char *cafile)
{
	char crt[600], key[600], ca[600];
	nk_tls_config cfg = { .server = 1,
	                      .cert = path_of(crt, sizeof crt, "ip-chain.pem"),
	                      .key = path_of(key, sizeof key, "leaf.key"),
	                      .cafile = cafile ? path_of(ca, sizeof ca, cafile)
	                                       : NULL };
	nk_tls_ctx *ctx = NULL;
	char err[NK_ERR_MSG_LEN] = "";
	if (nk_tls_ctx_new(&cfg, &ctx, err) != NK_OK)
		fail_msg("server context: %s", err);
	return ctx;
}

/* The client's side, in a thread: handshake, then "ping" out, then what
 * the server says until EOF. */
struct client {
	nk_conn *conn;
	const char *cert, *key;     /* names in the directory, or NULL */
	nk_err start, io;
	int verify_ok;
	char err[NK_ERR_MSG_LEN];
	char got[64];
};

static void *
client_run(void *arg)
{
	struct client *c = arg;
	char ca[600], crt[600], key[600];
	nk_tls_config cfg = { .cafile = path_of(ca, sizeof ca, "root.pem"),
	                      .no_session_cache = 1 };
	if (c->cert) {
		cfg.cert = path_of(crt, sizeof crt, c->cert);
		cfg.key = path_of(key, sizeof key, c->key);
	}
	nk_tls_ctx *ctx = NULL;
	nk_tls_info info;
	nk_time dl = nk_deadline_in_ms(5000);
	if ((c->start = nk_tls_ctx_new(&cfg, &ctx, c->err)) != NK_OK)
		return NULL;
	c->start = nk_tls_start(ctx, c->conn, "127.0.0.1", dl, &info, c->err);
	nk_tls_ctx_free(ctx);
	c->verify_ok = info.verify_ok;
	nk_tls_info_clear(&info);
	if (c->start != NK_OK)
		return NULL;
	c->io = nk_conn_write(c->conn, "ping", 4, dl, c->err);
	size_t off = 0, n = 1;
	while (c->io == NK_OK && n > 0 && off < sizeof c->got - 1) {
		c->io = nk_conn_read(c->conn, c->got + off, sizeof c->got - 1 - off,
		                     dl, &n, c->err);
		off += c->io == NK_OK ? n : 0;
	}
	c->got[off] = '\0';
	return NULL;
}

/* The subject of the first certificate of ch, "" when there is none. */
static void
leaf_subject(const nk_x509_chain *ch, char *out, size_t len)
{
	struct nk_x509_facts f;
	out[0] = '\0';
	if (!ch || nk_x509_chain_len(ch) == 0)
		return;
	assert_int_equal(nk_x509_facts_get(nk_x509_chain_get(ch, 0), 0, &f, NULL),
	                 NK_OK);
	snprintf(out, len, "%s", f.subject);
	nk_x509_facts_clear(&f);
}

/* Runs one handshake: the server (this thread) with cafile, the client
 * with cert/key. Returns the server's error; *c and *info say the rest.
 * On success the server reads the client's "ping" and answers "pong"
 * before it closes. */
static nk_err
serve_one(const char *cafile, struct client *c, nk_tls_info *info,
          char *err)
{
	nk_conn *srv;
	pthread_t th;
	tcp_pair(&srv, &c->conn);
	nk_tls_ctx *ctx = server_ctx(cafile);
	assert_int_equal(pthread_create(&th, NULL, client_run, c), 0);
	nk_time dl = nk_deadline_in_ms(5000);
	nk_err e = nk_tls_accept(ctx, srv, dl, info, err);
	nk_tls_ctx_free(ctx);
	if (e == NK_OK) {
		char buf[8];
		size_t n;
		assert_int_equal(nk_conn_read(srv, buf, 4, dl, &n, NULL), NK_OK);
		assert_int_equal(n, 4);
		assert_memory_equal(buf, "ping", 4);
		assert_true(nk_tls_conn_is_tls(srv));
		assert_int_equal(nk_conn_write(srv, "pong", 4, dl, NULL), NK_OK);
		assert_int_equal(nk_conn_shutdown(srv, dl, NULL), NK_OK);
	}
	nk_conn_free(srv);
	assert_int_equal(pthread_join(th, NULL), 0);
	nk_conn_free(c->conn);
	return e;
}

static void
test_no_client_cert_asked(void **state)
{
	(void)state;
	struct client c = { 0 };
	nk_tls_info info;
	char err[NK_ERR_MSG_LEN] = "";
	nk_err e = serve_one(NULL, &c, &info, err);
	assert_int_equal(e, NK_OK);
	assert_int_equal(c.start, NK_OK);
	assert_true(c.verify_ok);
	assert_string_equal(c.got, "pong");
	assert_true(info.version[0] == 'T');
	assert_true(info.cipher[0] != '\0');
	assert_false(info.verify_ok);
	assert_null(info.sent);
	assert_false(info.cert_requested);
	nk_tls_info_clear(&info);
}

static void
test_client_cert_verified(void **state)
{
	(void)state;
	struct client c = { .cert = "client.pem", .key = "client.key" };
	nk_tls_info info;
	char err[NK_ERR_MSG_LEN] = "", subj[1100];
	nk_err e = serve_one("root.pem", &c, &info, err);
	if (e != NK_OK)
		fail_msg("server: %s; client: %s", err, c.err);
	assert_int_equal(c.start, NK_OK);
	assert_string_equal(c.got, "pong");
	assert_true(info.verify_ok);
	assert_int_equal(info.verify_code, 0);
	/* OpenSSL's client adds the issuers its own store holds. */
	assert_true(nk_x509_chain_len(info.sent) >= 1);
	leaf_subject(info.sent, subj, sizeof subj);
	assert_string_equal(subj, "CN=nk test client");
	assert_non_null(info.verified);
	assert_int_equal(nk_x509_chain_len(info.verified), 2);
	nk_tls_info_clear(&info);
}

/* A client (cert and key, or none) that a server requiring root.pem's
 * clients turns away with `want`; its message holds `msg`. The client
 * hears of it as an alert: at its handshake (TLS 1.2) or its first read
 * (TLS 1.3, where its side is done first). info is the caller's. */
static void
refused(const char *crt, const char *key, nk_err want, const char *msg,
        nk_tls_info *info)
{
	struct client c = { .cert = crt, .key = key };
	char err[NK_ERR_MSG_LEN] = "";
	assert_int_equal(serve_one("root.pem", &c, info, err), want);
	assert_non_null(strstr(err, "127.0.0.1 port "));
	assert_non_null(strstr(err, msg));
	assert_false(info->verify_ok);
	assert_true(c.start != NK_OK || c.io != NK_OK);
}

static void
test_client_cert_missing(void **state)
{
	nk_tls_info info;
	(void)state;
	refused(NULL, NULL, NK_ERR_SSL_CONNECT_ERROR, " failed: the client "
	        "sent no certificate, and one is required", &info);
	assert_null(info.sent);
	nk_tls_info_clear(&info);
}

static void
test_client_cert_untrusted(void **state)
{
	nk_tls_info info;
	char subj[1100];
	(void)state;
	refused("self.pem", "leaf.key", NK_ERR_PEER_FAILED_VERIFICATION,
	        "client certificate verification failed for 127.0.0.1 port ",
	        &info);
	assert_string_equal(info.verify_reason, "self-signed certificate");
	leaf_subject(info.sent, subj, sizeof subj);
	assert_string_equal(subj, "CN=self.test");
	nk_tls_info_clear(&info);
}

/* A server's certificate (serverAuth only) is no client's. */
static void
test_client_cert_wrong_purpose(void **state)
{
	nk_tls_info info;
	(void)state;
	refused("valid-chain.pem", "leaf.key", NK_ERR_PEER_FAILED_VERIFICATION,
	        ": certificate is not for TLS clients (no clientAuth in its "
	        "extended key usage)", &info);
	nk_tls_info_clear(&info);
}

/* A client that connects and says nothing: the deadline ends it. */
static void
test_accept_timeout(void **state)
{
	(void)state;
	nk_conn *srv, *cli;
	char err[NK_ERR_MSG_LEN] = "";
	tcp_pair(&srv, &cli);
	nk_tls_ctx *ctx = server_ctx(NULL);
	nk_time t0 = nk_now();
	nk_err e = nk_tls_accept(ctx, srv, nk_deadline_in_ms(200), NULL, err);
	assert_int_equal(e, NK_ERR_OPERATION_TIMEDOUT);
	assert_true(nk_now() - t0 < 2000000);
	assert_non_null(strstr(err, "TLS handshake with 127.0.0.1 port "));
	assert_non_null(strstr(err, " timed out"));
	assert_false(nk_tls_conn_is_tls(srv));
	nk_tls_ctx_free(ctx);
	nk_conn_free(srv);
	nk_conn_free(cli);
}

static void
test_server_ctx_errors(void **state)
{
	(void)state;
	nk_tls_ctx *ctx = NULL, *client = NULL;
	char err[NK_ERR_MSG_LEN] = "", crt[600], key[600], ca[600];
	nk_tls_config cfg = { .server = 1 };
	assert_int_equal(nk_tls_ctx_new(&cfg, &ctx, err), NK_ERR_SSL_CERTPROBLEM);
	assert_string_equal(err, "a TLS server needs a certificate (--cert)");
	assert_null(ctx);
	cfg.cert = path_of(crt, sizeof crt, "ip-chain.pem");
	cfg.key = path_of(key, sizeof key, "client.key");
	assert_int_equal(nk_tls_ctx_new(&cfg, &ctx, err), NK_ERR_SSL_CERTPROBLEM);
	assert_non_null(strstr(err, "server key "));
	cfg.key = path_of(key, sizeof key, "leaf.key");
	cfg.alpn = "h2";
	assert_int_equal(nk_tls_ctx_new(&cfg, &ctx, err), NK_ERR_FAILED_INIT);
	cfg.alpn = NULL;
	cfg.cafile = path_of(ca, sizeof ca, "no-such.pem");
	assert_int_equal(nk_tls_ctx_new(&cfg, &ctx, err),
	                 NK_ERR_SSL_CACERT_BADFILE);
	cfg.cafile = NULL;

	/* Each side's call refuses the other side's context. */
	ctx = server_ctx(NULL);
	assert_int_equal(nk_tls_ctx_new(NULL, &client, err), NK_OK);
	nk_conn *a, *b;
	tcp_pair(&a, &b);
	assert_int_equal(nk_tls_start(ctx, b, "127.0.0.1", nk_deadline_in_ms(1000),
	                              NULL, err), NK_ERR_BAD_FUNCTION_ARGUMENT);
	assert_int_equal(nk_tls_accept(client, a, nk_deadline_in_ms(1000), NULL,
	                               err), NK_ERR_BAD_FUNCTION_ARGUMENT);
	nk_conn_free(a);
	nk_conn_free(b);
	nk_tls_ctx_free(ctx);
	nk_tls_ctx_free(client);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_client_cert_asked),
		cmocka_unit_test(test_client_cert_verified),
		cmocka_unit_test(test_client_cert_missing),
		cmocka_unit_test(test_client_cert_untrusted),
		cmocka_unit_test(test_client_cert_wrong_purpose),
		cmocka_unit_test(test_accept_timeout),
		cmocka_unit_test(test_server_ctx_errors),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
