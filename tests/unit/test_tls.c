/* Unit tests of TLS over nk_conn against real peers on 127.0.0.1: openssl
 * s_server, tests/servers/tls_peer.py for what s_server cannot do (a
 * reply that starts after our close_notify, a close without close_notify),
 * and a server in a child process, written here with OpenSSL, that sends
 * records of exactly the sizes a test asks for.
 * Certificates come from tests/certs/mkcerts.sh in a temporary directory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <openssl/ssl.h>

#include "nk/tls.h"
#include "nk/x509.h"

static char dir[] = "/tmp/nk-test-tls-XXXXXX";
static char root[512];   /* the repository root, "" or ".../" */

/* ---- set-up ---------------------------------------------------------- */

static int
setup(void **state)
{
	char cmd[1500];
	(void)state;
	const char *f = __FILE__, *p = strstr(f, "tests/unit/");
	snprintf(root, sizeof root, "%.*s", (int)(p ? p - f : 0), f);
	if (!mkdtemp(dir))
		return -1;
	snprintf(cmd, sizeof cmd, "sh '%stests/certs/mkcerts.sh' '%s' "
	         ">'%s/mkcerts.log' 2>&1", root, dir, dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "# %s failed\n", cmd);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	char cmd[600];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *
cert(const char *name)
{
	static char buf[32][600];
	static int n;
	char *b = buf[n++ % 32];
	snprintf(b, 600, "%s/%s", dir, name);
	return b;
}

/* ---- servers --------------------------------------------------------- */

struct server {
	pid_t pid;
	int out;                 /* its stdout */
	int port;
};

static int
free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof sa;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &len), 0);
	close(s);
	return ntohs(sa.sin_port);
}

/* Runs argv with stdout on a pipe and waits (5 s at most) for a line that
 * starts with `ready`; the rest of that line is returned in tail. */
static void
spawn(struct server *s, char *const argv[], const char *ready, char *tail,
      size_t taillen)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		/* A server outlives no failed test: it dies with us. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		int in = open("/dev/null", O_RDONLY);
		int log = open(cert("server.log"), O_WRONLY | O_CREAT | O_APPEND,
		               0644);
		dup2(in, 0);
		dup2(fds[1], 1);
		dup2(log, 2);
		close(fds[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	s->out = fds[0];
	char buf[1024];
	size_t len = 0;
	nk_time deadline = nk_deadline_in_ms(5000);
	for (;;) {
		char *nl;
		buf[len] = '\0';
		while ((nl = strchr(buf, '\n')) != NULL) {
			*nl = '\0';
			if (strncmp(buf, ready, strlen(ready)) == 0) {
				if (tail)
					snprintf(tail, taillen, "%s", buf + strlen(ready));
				return;
			}
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len + 1);
		}
		struct pollfd p = { s->out, POLLIN, 0 };
		int ms = nk_deadline_poll_ms(deadline);
		assert_true(ms > 0);
		if (poll(&p, 1, ms) <= 0)
			continue;
		ssize_t r = read(s->out, buf + len, sizeof buf - 1 - len);
		if (r <= 0)
			fail_msg("%s exited before saying '%s'", argv[0], ready);
		len += (size_t)r;
	}
}

/* openssl s_server -www on a free port with the given extra arguments
 * (NULL-terminated). */
static void
s_server(struct server *s, ...)
{
	char *argv[40], accept[64];
	size_t n = 0;
	va_list ap;
	s->port = free_port();
	snprintf(accept, sizeof accept, "127.0.0.1:%d", s->port);
	argv[n++] = "openssl";
	argv[n++] = "s_server";
	argv[n++] = "-accept";
	argv[n++] = accept;
	argv[n++] = "-www";
	va_start(ap, s);
	char *a;
	while ((a = va_arg(ap, char *)) != NULL && n < 39)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	spawn(s, argv, "ACCEPT", NULL, 0);
}

/* tests/servers/tls_peer.py with CERT KEY and the given options. */
static void
py_peer(struct server *s, ...)
{
	char *argv[20], script[600], tail[64];
	size_t n = 0;
	va_list ap;
	snprintf(script, sizeof script, "%stests/servers/tls_peer.py", root);
	argv[n++] = "python3";
	argv[n++] = script;
	va_start(ap, s);
	char *a;
	while ((a = va_arg(ap, char *)) != NULL && n < 19)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	spawn(s, argv, "Listening on 127.0.0.1:", tail, sizeof tail);
	s->port = atoi(tail);
}

static void
stop(struct server *s)
{
	int st;
	kill(s->pid, SIGTERM);
	waitpid(s->pid, &st, 0);
	close(s->out);
}

/* A TLS server in a child process: takes one connection, then sends one
 * record per entry of sizes (SSL_write makes one record of each), bytes of
 * the stream numbered from 0 as pattern() says. Then close_notify and a
 * wait for the client's EOF, or (abrupt) a TCP FIN with no close_notify. */
static unsigned char
pattern(size_t k)
{
	return (unsigned char)(k * 131 + (k >> 9));
}

static void
record_server(struct server *s, const size_t *sizes, size_t n, int abrupt)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t salen = sizeof sa;
	int l = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(l, 1), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&sa, &salen), 0);
	s->port = ntohs(sa.sin_port);
	s->out = -1;
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid > 0) {
		close(l);
		return;
	}
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	alarm(20);
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx || SSL_CTX_use_certificate_chain_file(ctx,
	                                        cert("valid-chain.pem")) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, cert("leaf.key"),
	                                SSL_FILETYPE_PEM) != 1)
		_exit(2);
	int fd = accept(l, NULL, NULL);
	SSL *ssl = fd >= 0 ? SSL_new(ctx) : NULL;
	if (!ssl || !SSL_set_fd(ssl, fd) || SSL_accept(ssl) != 1)
		_exit(3);
	static unsigned char buf[65536];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (sizes[i] > sizeof buf)
			_exit(4);
		for (size_t j = 0; j < sizes[i]; j++)
			buf[j] = pattern(k + j);
		size_t w;
		if (SSL_write_ex(ssl, buf, sizes[i], &w) != 1 || w != sizes[i])
			_exit(5);
		k += sizes[i];
	}
	if (abrupt) {
		close(fd);
		_exit(0);
	}
	SSL_shutdown(ssl);
	while (read(fd, buf, sizeof buf) > 0)
		;
	_exit(0);
}

/* A TLS 1.2 server in a child process for two connections, resuming from
 * one server cache: the first is reset (SO_LINGER 0) once the client's
 * first byte arrives, the second completes the handshake and closes. */
static void
reset_server(struct server *s)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t salen = sizeof sa;
	int l = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(l, 2), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&sa, &salen), 0);
	s->port = ntohs(sa.sin_port);
	s->out = -1;
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid > 0) {
		close(l);
		return;
	}
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	alarm(20);
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx || !SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) ||
	    SSL_CTX_use_certificate_chain_file(ctx,
	                                       cert("valid-chain.pem")) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, cert("leaf.key"),
	                                SSL_FILETYPE_PEM) != 1)
		_exit(2);
	for (int round = 0; round < 2; round++) {
		int fd = accept(l, NULL, NULL);
		SSL *ssl = fd >= 0 ? SSL_new(ctx) : NULL;
		if (!ssl || !SSL_set_fd(ssl, fd) || SSL_accept(ssl) != 1)
			_exit(3);
		char b;
		if (round == 0) {
			if (SSL_read(ssl, &b, 1) != 1)
				_exit(4);
			struct linger lg = { 1, 0 };
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
		} else {
			SSL_shutdown(ssl);
			while (read(fd, &b, 1) > 0)
				;
		}
		close(fd);
		SSL_free(ssl);
	}
	_exit(0);
}

static void
record_server_stop(struct server *s)
{
	int st;
	assert_int_equal(waitpid(s->pid, &st, 0), s->pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* Waits until the peer's bytes have been sitting in the socket for a
 * while, so that one recv() takes all that was sent. */
static void
let_arrive(nk_conn *c)
{
	struct pollfd p = { nk_conn_fd(c), POLLIN, 0 };
	assert_int_equal(poll(&p, 1, 5000), 1);
	usleep(200000);
}

/* ---- clients --------------------------------------------------------- */

static nk_conn *
dial(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	nk_conn *c = NULL;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(nk_conn_from_fd(fd, &c, NULL), NK_OK);
	return c;
}

static nk_tls_ctx *
make_ctx(nk_tls_config *cfg)
{
	nk_tls_ctx *ctx = NULL;
	char err[NK_ERR_MSG_LEN] = "";
	nk_err e = nk_tls_ctx_new(cfg, &ctx, err);
	if (e)
		fail_msg("nk_tls_ctx_new: %d %s", e, err);
	return ctx;
}

/* Everything the peer sends until EOF. */
static size_t
read_all(nk_conn *c, char *buf, size_t cap)
{
	size_t len = 0, n;
	char err[NK_ERR_MSG_LEN] = "";
	for (;;) {
		nk_err e = nk_conn_read(c, buf + len, cap - 1 - len,
		                        nk_deadline_in_ms(5000), &n, err);
		if (e)
			fail_msg("read: %d %s", e, err);
		if (n == 0)
			break;
		len += n;
		assert_true(len < cap - 1);
	}
	buf[len] = '\0';
	return len;
}

#define GET "GET / HTTP/1.0\r\n\r\n"

static void
fetch(nk_conn *c, char *buf, size_t cap)
{
	char err[NK_ERR_MSG_LEN] = "";
	assert_int_equal(nk_conn_write(c, GET, strlen(GET),
	                               nk_deadline_in_ms(5000), err), NK_OK);
	read_all(c, buf, cap);
}

/* ---- tests ----------------------------------------------------------- */

static void
test_handshake_and_data(void **state)
{
	struct server s;
	nk_tls_info info;
	char err[NK_ERR_MSG_LEN] = "", page[65536];
	(void)state;
	s_server(&s, "-cert", cert("valid.pem"), "-key", cert("leaf.key"),
	         "-cert_chain", cert("int.pem"), "-alpn", "http/1.1", NULL);
	nk_tls_config cfg = { .cafile = cert("root.pem"), .alpn = "h2,http/1.1" };
	nk_tls_ctx *ctx = make_ctx(&cfg);
	nk_conn *c = dial(s.port);
	assert_false(nk_tls_conn_is_tls(c));
	nk_err e = nk_tls_start(ctx, c, "valid.test", nk_deadline_in_ms(5000),
	                        &info, err);
	if (e)
		fail_msg("nk_tls_start: %d %s", e, err);
	assert_true(nk_tls_conn_is_tls(c));
	assert_string_equal(info.version, "TLSv1.3");
	assert_true(strncmp(info.cipher, "TLS_AES_", 8) == 0);
	assert_string_equal(info.group, "X25519");
	assert_string_equal(info.alpn, "http/1.1");
	assert_false(info.resumed);
	assert_true(info.handshake_us > 0);
	assert_true(info.verify_ok);
	assert_int_equal(info.verify_code, 0);
	assert_int_equal(info.verify_depth, -1);
	assert_string_equal(info.verify_reason, "");
	assert_int_equal(info.ocsp, NK_OCSP_NONE);
	/* Sent: leaf and intermediate; verified: those and the root. */
	assert_int_equal(nk_x509_chain_len(info.sent), 2);
	assert_int_equal(nk_x509_chain_len(info.verified), 3);
	assert_true(nk_x509_equal(nk_x509_chain_get(info.sent, 1),
	                          nk_x509_chain_get(info.verified, 1)));
	struct nk_x509_facts f;
	assert_int_equal(nk_x509_facts_get(nk_x509_chain_get(info.verified, 2), 0,
	                                   &f, NULL), NK_OK);
	assert_string_equal(f.subject, "CN=nk Test Root");
	nk_x509_facts_clear(&f);

	fetch(c, page, sizeof page);
	assert_true(strncmp(page, "HTTP/1.0 200 ok\r\n", 17) == 0);
	assert_non_null(strstr(page, "New, TLSv1.3"));
	assert_int_equal(nk_conn_bytes_out(c), strlen(GET));
	assert_false(nk_tls_conn_unclean_eof(c));
	nk_tls_info_clear(&info);
	assert_null(info.sent);
	nk_conn_free(c);
	nk_tls_ctx_free(ctx);
	stop(&s);
}

static void
test_session_resumed(void **state)
{
	struct server s;
	nk_tls_info info;
	char err[NK_ERR_MSG_LEN] = "", page[65536];
	(void)state;
	s_server(&s, "-cert", cert("valid.pem"), "-key", cert("leaf.key"),
	         "-cert_chain", cert("int.pem"), NULL);
	nk_tls_config cfg = { .cafile = cert("root.pem") };
	nk_tls_ctx *ctx = make_ctx(&cfg);
	for (int round = 0; round < 3; round++) {
		nk_conn *c = dial(s.port);
		assert_int_equal(nk_tls_start(ctx, c, "valid.test",
		                              nk_deadline_in_ms(5000), &info, err),
		                 NK_OK);
		/* TLS 1.3 tickets arrive after the handshake: reading the
		 * response takes them in. */
		assert_int_equal(info.resumed, round > 0);
		assert_true(info.verify_ok);
		/* The chain as sent is known for a resumed session too. */
		assert_int_equal(nk_x509_chain_len(info.sent), 2);
		fetch(c, page, sizeof page);
		assert_non_null(strstr(page, round ? "Reused, TLSv1.3"
		                                   : "New, TLSv1.3"));
		nk_tls_info_clear(&info);
		nk_conn_free(c);
	}
	/* Another name for the same server: not resumed. */
	nk_conn *c = dial(s.port);
	cfg.insecure = 1;
	nk_tls_ctx *ctx2 = make_ctx(&cfg);
	assert_int_equal(nk_tls_start(ctx2, c, "other.test",
	                              nk_deadline_in_ms(5000), &info, err), NK_OK);
	assert_false(info.resumed);
	nk_tls_info_clear(&info);
	nk_conn_free(c);
	nk_tls_ctx_free(ctx2);
	nk_tls_ctx_free(ctx);
	stop(&s);
}

/* A connection that died of an error leaves no session to resume: the
 * next one to the same server makes a full handshake. */
static void
test_no_resumption_after_error(void **state)
{
	struct server s;
	nk_tls_info info;
	char err[NK_ERR_MSG_LEN] = "", buf[16];
	size_t n;
	(void)state;
	reset_server(&s);
	nk_tls_config cfg = { .cafile = cert("root.pem") };
	nk_tls_ctx *ctx = make_ctx(&cfg);
	nk_conn *c = dial(s.port);
	assert_int_equal(nk_tls_start(ctx, c, "valid.test",
	                              nk_deadline_in_ms(5000), NULL, err), NK_OK);
	assert_int_equal(nk_conn_write(c, "x", 1, nk_deadline_in_ms(5000), err),
	                 NK_OK);
	assert_int_equal(nk_conn_read(c, buf, sizeof buf,
	                              nk_deadline_in_ms(5000), &n, err),
	                 NK_ERR_RECV_ERROR);
	assert_non_null(strstr(err, "Connection reset by peer"));
	nk_conn_free(c);
	c = dial(s.port);
	assert_int_equal(nk_tls_start(ctx, c, "valid.test",
	                              nk_deadline_in_ms(5000), &info, err), NK_OK);
	assert_false(info.resumed);
	nk_tls_info_clear(&info);
	nk_conn_free(c);
	nk_tls_ctx_free(ctx);
	record_server_stop(&s);
}

static void
test_verify_failure(void **state)
{
	struct server s;
	nk_tls_info info;
	char err[NK_ERR_MSG_LEN] = "", page[65536];
	(void)state;
	s_server(&s, "-cert", cert("expired.pem"), "-key", cert("leaf.key"),
	         "-cert_chain", cert("int.pem"), NULL);
	nk_tls_config cfg = { .cafile = cert("root.pem") };
	nk_tls_ctx *ctx = make_ctx(&cfg);

	/* Enforced: the handshake stops, with the reason and the chains. */
	nk_conn *c = dial(s.port);
	assert_int_equal(nk_tls_start(ctx, c, "expired.test",
	                              nk_deadline_in_ms(5000), &info, err),
	                 NK_ERR_PEER_FAILED_VERIFICATION);
	assert_string_equal(err, "certificate verification failed for "
	                    "expired.test (127.0.0.1): certificate has expired "
	                    "(on 2021-01-01 00:00:00 UTC)");
	assert_string_equal(info.verify_reason,
	                    "certificate has expired (on 2021-01-01 00:00:00 UTC)");
	assert_string_equal(info.verify_openssl, "certificate has expired");
	assert_int_equal(info.verify_code, 10);   /* X509_V_ERR_CERT_HAS_EXPIRED */
	assert_int_equal(info.verify_depth, 0);
	assert_false(info.verify_ok);
	assert_string_equal(info.version, "");
	assert_int_equal(nk_x509_chain_len(info.sent), 2);
	assert_true(nk_x509_chain_len(info.verified) >= 1);
	assert_false(nk_tls_conn_is_tls(c));
	nk_tls_info_clear(&info);
	nk_conn_free(c);

	/* Insecure: the handshake completes, the verdict is kept. */
	nk_tls_ctx_free(ctx);
	cfg.insecure = 1;
	ctx = make_ctx(&cfg);
	c = dial(s.port);
	assert_int_equal(nk_tls_start(ctx, c, "expired.test",
	                              nk_deadline_in_ms(5000), &info, err), NK_OK);
	assert_false(info.verify_ok);
	assert_int_equal(info.verify_code, 10);
	assert_string_equal(info.verify_reason,
	                    "certificate has expired (on 2021-01-01 00:00:00 UTC)");
	assert_string_equal(info.version, "TLSv1.3");
	assert_int_equal(nk_x509_chain_len(info.verified), 3);
	fetch(c, page, sizeof page);
	assert_true(strncmp(page, "HTTP/1.0 200 ok\r\n", 17) == 0);
	nk_tls_info_clear(&info);
	nk_conn_free(c);

	/* No info: the same error, nothing to free. */
	nk_tls_ctx_free(ctx);
	cfg.insecure = 0;
	ctx = make_ctx(&cfg);
	c = dial(s.port);
	assert_int_equal(nk_tls_start(ctx, c, "expired.test",
	                              nk_deadline_in_ms(5000), NULL, err),
	                 NK_ERR_PEER_FAILED_VERIFICATION);
	nk_conn_free(c);
	nk_tls_ctx_free(ctx);
	stop(&s);
}

static void
test_name_checks(void **state)
{
	struct server s;
	nk_tls_info info;
	char err[NK_ERR_MSG_LEN] = "";
	(void)state;
	s_server(&s, "-cert", cert("valid.pem"), "-key", cert("leaf.key"),
	         "-cert_chain", cert("int.pem"), NULL);
	nk_tls_config cfg = { .cafile = cert("root.pem") };
	nk_tls_ctx *ctx = make_ctx(&cfg);
	static const struct { const char *name; nk_err e; const char *msg; }
	rows[] = {
		{ "valid.test", NK_OK, "" },
		{ "VALID.Test.", NK_OK, "" },
		/* NULL: the peer's address, checked against IP SANs. */
		{ NULL, NK_ERR_PEER_FAILED_VERIFICATION, "certificate verification "
		  "failed for 127.0.0.1: certificate is for other names: "
		  "valid.test" },
		{ "[127.0.0.1]", NK_ERR_PEER_FAILED_VERIFICATION, "certificate "
		  "verification failed for 127.0.0.1: certificate is for other "
		  "names: valid.test" },
		{ "x.valid.test", NK_ERR_PEER_FAILED_VERIFICATION, "certificate "
		  "verification failed for x.valid.test (127.0.0.1): certificate "
		  "is for other names: valid.test" },
		{ ".valid.test", NK_ERR_SSL_CONNECT_ERROR,
		  "cannot use '.valid.test' as a TLS server name" },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		nk_conn *c = dial(s.port);
		err[0] = '\0';
		nk_err e = nk_tls_start(ctx, c, rows[i].name,
		                        nk_deadline_in_ms(5000), &info, err);
		if (e != rows[i].e || strcmp(err, rows[i].msg) != 0)
			fail_msg("%s: %d '%s', want %d '%s'", rows[i].name, e, err,
			         rows[i].e, rows[i].msg);
		nk_tls_info_clear(&info);
		nk_conn_free(c);
	}
	nk_tls_ctx_free(ctx);
	stop(&s);
}

static void
test_handshake_failure(void **state)
{
	struct server s;
	char err[NK_ERR_MSG_LEN] = "";
	nk_tls_info info;
	(void)state;
	s_server(&s, "-cert", cert("valid.pem"), "-key", cert("leaf.key"),
	         "-tls1_2", NULL);
	nk_tls_config cfg = { .cafile = cert("root.pem"),
	                      .min_version = NK_TLS_1_3 };
	nk_tls_ctx *ctx = make_ctx(&cfg);
	nk_conn *c = dial(s.port);
	assert_int_equal(nk_tls_start(ctx, c, "valid.test",
	                              nk_deadline_in_ms(5000), &info, err),
	                 NK_ERR_SSL_CONNECT_ERROR);
	assert_string_equal(err, "TLS handshake with valid.test (127.0.0.1) "
	                    "failed: tlsv1 alert protocol version");
	assert_null(info.sent);
	nk_conn_free(c);
	nk_tls_ctx_free(ctx);

	/* TLS 1.2 is fine with the default minimum. */
	cfg.min_version = 0;
	cfg.insecure = 1;
	ctx = make_ctx(&cfg);
	c = dial(s.port);
	assert_int_equal(nk_tls_start(ctx, c, "valid.test",
	                              nk_deadline_in_ms(5000), &info, err), NK_OK);
	assert_string_equal(info.version, "TLSv1.2");
	assert_string_equal(info.cipher_openssl, "ECDHE-ECDSA-AES256-GCM-SHA384");
	assert_string_equal(info.cipher,
	                    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
	assert_string_equal(info.group, "X25519");
	/* The intermediate was not sent: unverified, for that reason. */
	assert_false(info.verify_ok);
	assert_string_equal(info.verify_reason, "missing intermediate "
	                    "certificate or unknown root: issuer CN=nk Test "
	                    "Intermediate was not sent and is not trusted");
	nk_tls_info_clear(&info);
	nk_conn_free(c);
	nk_tls_ctx_free(ctx);
	stop(&s);
}

static void
test_handshake_timeout(void **state)
{
	char err[NK_ERR_MSG_LEN] = "";
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof sa;
	(void)state;
	/* A listener that never accepts: the kernel completes the TCP
	 * handshake, nobody answers the ClientHello. */
	int l = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(l, 4), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&sa, &len), 0);
	nk_tls_config cfg = { .cafile = cert("root.pem") };
	nk_tls_ctx *ctx = make_ctx(&cfg);
	nk_conn *c = dial(ntohs(sa.sin_port));
	nk_time t0 = nk_now();
	assert_int_equal(nk_tls_start(ctx, c, "slow.test", nk_deadline_in_ms(200),
	                              NULL, err), NK_ERR_OPERATION_TIMEDOUT);
	nk_time took = nk_now() - t0;
	assert_true(took >= 190000 && took < 2000000);
	assert_string_equal(err, "TLS handshake with slow.test (127.0.0.1) "
	                    "timed out");
	nk_conn_free(c);
	nk_tls_ctx_free(ctx);
	close(l);
}

static void
test_ctx_errors(void **state)
{
	struct { nk_tls_config cfg; nk_err e; const char *msg; } rows[] = {
		{ { .cafile = "/nonexistent/ca.pem" }, NK_ERR_SSL_CACERT_BADFILE,
		  "cannot use CA file /nonexistent/ca.pem: " },
		{ { .cafile = cert("ca.cnf") }, NK_ERR_SSL_CACERT_BADFILE,
		  "cannot use CA file " },
		{ { .capath = "/nonexistent" }, NK_ERR_SSL_CACERT_BADFILE,
		  "cannot use CA directory /nonexistent: No such file or directory" },
		{ { .capath = cert("root.pem") }, NK_ERR_SSL_CACERT_BADFILE,
		  "cannot use CA directory " },
		/* The library's own default directory may be missing: fine. */
		{ { .default_capath = "/nonexistent" }, NK_ERR_SSL_CACERT_BADFILE,
		  "cannot use CA directory /nonexistent: " },
		{ { .default_cafile = "/nonexistent.pem" },
		  NK_ERR_SSL_CACERT_BADFILE, "cannot use CA file /nonexistent.pem: " },
		{ { .cert = "/nonexistent.pem" }, NK_ERR_SSL_CERTPROBLEM,
		  "cannot use client certificate /nonexistent.pem: " },
		{ { .cert = cert("client.pem"), .key = cert("leaf.key") },
		  NK_ERR_SSL_CERTPROBLEM, "cannot use client key " },
		{ { .cert = cert("client.pem") }, NK_ERR_SSL_CERTPROBLEM,
		  "cannot use client key " },
		{ { .key = cert("client.key") }, NK_ERR_SSL_CERTPROBLEM,
		  "a client key needs a client certificate (--cert)" },
		{ { .pinned_pubkey = "sha256//short" }, NK_ERR_FAILED_INIT,
		  "bad pinned public key 'sha256//short'" },
		{ { .pinned_pubkey = "md5//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" },
		  NK_ERR_FAILED_INIT, "bad pinned public key 'md5//" },
		{ { .alpn = "h2,,http/1.1" }, NK_ERR_FAILED_INIT,
		  "bad ALPN list 'h2,,http/1.1'" },
		{ { .alpn = "" }, NK_ERR_FAILED_INIT, "bad ALPN list ''" },
		{ { .min_version = NK_TLS_1_3, .max_version = NK_TLS_1_2 },
		  NK_ERR_FAILED_INIT, "the highest TLS version allowed is below" },
		{ { .min_version = 0x0301 }, NK_ERR_FAILED_INIT,
		  "unsupported TLS version (1.2 and 1.3 are)" },
		{ { .cafile = cert("root.pem"), .capath = cert("capath"),
		    .cert = cert("client.pem"), .key = cert("client.key"),
		    .alpn = "h2", .max_version = NK_TLS_1_2 }, NK_OK, "" },
		{ { 0 }, NK_OK, "" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		nk_tls_ctx *ctx = (nk_tls_ctx *)1;
		char err[NK_ERR_MSG_LEN] = "";
		nk_err e = nk_tls_ctx_new(&rows[i].cfg, &ctx, err);
		if (e != rows[i].e || strncmp(err, rows[i].msg,
		                              strlen(rows[i].msg)) != 0)
			fail_msg("row %zu: %d '%s', want %d '%s...'", i, e, err,
			         rows[i].e, rows[i].msg);
		if (e)
			assert_null(ctx);
		nk_tls_ctx_free(e ? NULL : ctx);
	}
	nk_tls_ctx *ctx = NULL;
	assert_int_equal(nk_tls_ctx_new(NULL, &ctx, NULL), NK_OK);
	nk_tls_ctx_free(ctx);
}

static void
test_pinned_pubkey(void **state)
{
	struct server s;
	char err[NK_ERR_MSG_LEN] = "", spec[300];
	struct nk_x509_facts leaf, in;
	nk_x509_chain *ch = NULL;
	(void)state;
	assert_int_equal(nk_x509_chain_load(cert("valid-chain.pem"), &ch, NULL),
	                 NK_OK);
	assert_int_equal(nk_x509_facts_get(nk_x509_chain_get(ch, 0), 0, &leaf,
	                                   NULL), NK_OK);
	assert_int_equal(nk_x509_facts_get(nk_x509_chain_get(ch, 1), 0, &in,
	                                   NULL), NK_OK);
	s_server(&s, "-cert", cert("valid.pem"), "-key", cert("leaf.key"),
	         "-cert_chain", cert("int.pem"), NULL);
	struct { const char *spec; nk_err e; } rows[] = {
		{ leaf.pin, NK_OK },
		{ in.pin, NK_ERR_SSL_PINNEDPUBKEYNOTMATCH },
		{ spec, NK_OK },
	};
	snprintf(spec, sizeof spec, "%s;%s", in.pin, leaf.pin);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		nk_tls_config cfg = { .cafile = cert("root.pem"),
		                      .pinned_pubkey = rows[i].spec };
		nk_tls_ctx *ctx = make_ctx(&cfg);
		nk_conn *c = dial(s.port);
		err[0] = '\0';
		assert_int_equal(nk_tls_start(ctx, c, "valid.test",
		                              nk_deadline_in_ms(5000), NULL, err),
		                 rows[i].e);
		if (rows[i].e)
			assert_string_equal(err, "public key of valid.test (127.0.0.1) "
			                    "does not match the pinned public key");
		nk_conn_free(c);
		nk_tls_ctx_free(ctx);
	}
	nk_x509_facts_clear(&leaf);
	nk_x509_facts_clear(&in);
	nk_x509_chain_free(ch);
	stop(&s);
}

/* Our close_notify goes out first; the peer replies only after it has
 * seen it, and the reply still arrives in full. */
static void
test_half_close(void **state)
{
	struct server s;
	char err[NK_ERR_MSG_LEN] = "", buf[256];
	(void)state;
	py_peer(&s, cert("valid-chain.pem"), cert("leaf.key"), "--mode",
	        "echo-after-eof", NULL);
	nk_tls_config cfg = { .cafile = cert("root.pem") };
	nk_tls_ctx *ctx = make_ctx(&cfg);
	nk_conn *c = dial(s.port);
	assert_int_equal(nk_tls_start(ctx, c, "valid.test",
	                              nk_deadline_in_ms(5000), NULL, err), NK_OK);
	assert_int_equal(nk_conn_write(c, "hello", 5, nk_deadline_in_ms(5000),
	                               err), NK_OK);
	assert_int_equal(nk_conn_shutdown(c, nk_deadline_in_ms(5000), err), NK_OK);
	/* Twice is harmless. */
	assert_int_equal(nk_conn_shutdown(c, nk_deadline_in_ms(5000), err), NK_OK);
	size_t len = read_all(c, buf, sizeof buf);
	assert_int_equal(len, 10);
	assert_string_equal(buf, "got: hello");
	assert_false(nk_tls_conn_unclean_eof(c));
	/* EOF stays EOF, and once read it is not pending any more. */
	assert_int_equal(nk_conn_pending(c), 0);
	size_t n = 1;
	assert_int_equal(nk_conn_read(c, buf, sizeof buf, nk_deadline_in_ms(100),
	                              &n, err), NK_OK);
	assert_int_equal(n, 0);
	assert_int_equal(nk_conn_pending(c), 0);
	nk_conn_free(c);
	nk_tls_ctx_free(ctx);
	stop(&s);
}

static void
test_unclean_eof(void **state)
{
	struct server s;
	char err[NK_ERR_MSG_LEN] = "", buf[256];
	(void)state;
	py_peer(&s, cert("valid-chain.pem"), cert("leaf.key"), "--mode", "abrupt",
	        NULL);
	nk_tls_config cfg = { .cafile = cert("root.pem") };
	nk_tls_ctx *ctx = make_ctx(&cfg);
	nk_conn *c = dial(s.port);
	assert_int_equal(nk_tls_start(ctx, c, "valid.test",
	                              nk_deadline_in_ms(5000), NULL, err), NK_OK);
	assert_false(nk_tls_conn_unclean_eof(c));
	size_t len = read_all(c, buf, sizeof buf);
	assert_int_equal(len, 7);
	assert_string_equal(buf, "partial");
	assert_true(nk_tls_conn_unclean_eof(c));
	assert_int_equal(nk_conn_pending(c), 0);
	/* OpenSSL counts the unclean EOF as a fatal error, after which it
	 * forbids SSL_shutdown: closing our side is the TCP FIN alone. */
	assert_int_equal(nk_conn_shutdown(c, nk_deadline_in_ms(5000), err),
	                 NK_OK);
	nk_conn_free(c);
	nk_tls_ctx_free(ctx);
	stop(&s);
}

/* Decrypted bytes wait inside the conn, where poll() cannot see them:
 * pending() must say so. */
static void
test_pending(void **state)
{
	struct server s;
	char err[NK_ERR_MSG_LEN] = "", page[65536];
	(void)state;
	s_server(&s, "-cert", cert("valid.pem"), "-key", cert("leaf.key"),
	         "-cert_chain", cert("int.pem"), NULL);
	nk_tls_config cfg = { .cafile = cert("root.pem") };
	nk_tls_ctx *ctx = make_ctx(&cfg);
	nk_conn *c = dial(s.port);
	assert_int_equal(nk_tls_start(ctx, c, "valid.test",
	                              nk_deadline_in_ms(5000), NULL, err), NK_OK);
	assert_int_equal(nk_conn_pending(c), 0);
	assert_int_equal(nk_conn_write(c, GET, strlen(GET),
	                               nk_deadline_in_ms(5000), err), NK_OK);
	size_t n;
	assert_int_equal(nk_conn_read(c, page, 1, nk_deadline_in_ms(5000), &n,
	                              err), NK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(page[0], 'H');
	/* The rest of the record, and whatever else is buffered. */
	size_t p = nk_conn_pending(c);
	assert_true(p > 0);
	size_t len = 1;
	while (nk_conn_pending(c) > 0) {
		int want;
		assert_int_equal(nk_conn_try_read(c, page + len, 7, &n, &want, err),
		                 NK_OK);
		if (n == 0)
			break;
		len += n;
	}
	len += read_all(c, page + len, sizeof page - len);
	assert_true(strncmp(page, "HTTP/1.0 200 ok\r\n", 17) == 0);
	nk_conn_free(c);
	nk_tls_ctx_free(ctx);
	stop(&s);
}

/* The peer's close_notify sits in the read-ahead buffer behind its data
 * while the TCP connection stays open: poll() sees nothing, so pending()
 * must announce the EOF. */
static void
test_pending_eof(void **state)
{
	struct server s;
	char err[NK_ERR_MSG_LEN] = "", buf[64];
	(void)state;
	py_peer(&s, cert("valid-chain.pem"), cert("leaf.key"), "--mode",
	        "notify-first", NULL);
	nk_tls_config cfg = { .cafile = cert("root.pem") };
	nk_tls_ctx *ctx = make_ctx(&cfg);
	nk_conn *c = dial(s.port);
	assert_int_equal(nk_tls_start(ctx, c, "valid.test",
	                              nk_deadline_in_ms(5000), NULL, err), NK_OK);
	/* Let both records arrive, so one recv() takes them together. */
	struct pollfd p = { nk_conn_fd(c), POLLIN, 0 };
	assert_int_equal(poll(&p, 1, 5000), 1);
	usleep(200000);
	size_t n;
	int want;
	assert_int_equal(nk_conn_try_read(c, buf, sizeof buf, &n, &want, err),
	                 NK_OK);
	assert_int_equal(n, 3);
	assert_memory_equal(buf, "bye", 3);
	assert_int_equal(poll(&p, 1, 100), 0);
	assert_int_equal(nk_conn_pending(c), 1);
	assert_int_equal(nk_conn_try_read(c, buf, sizeof buf, &n, &want, err),
	                 NK_OK);
	assert_int_equal(n, 0);
	assert_int_equal(want, 0);
	assert_int_equal(nk_conn_pending(c), 0);
	assert_false(nk_tls_conn_unclean_eof(c));
	/* Our side still writes after theirs closed, then closes too. */
	assert_int_equal(nk_conn_write(c, "late", 4, nk_deadline_in_ms(5000),
	                               err), NK_OK);
	assert_int_equal(nk_conn_shutdown(c, nk_deadline_in_ms(5000), err),
	                 NK_OK);
	nk_conn_free(c);
	nk_tls_ctx_free(ctx);
	stop(&s);
}

/* Many records that came in one recv() are all taken by one read: the
 * conn does not stop after the first record. */
static void
test_records_in_one_read(void **state)
{
	struct server s;
	char err[NK_ERR_MSG_LEN] = "";
	static unsigned char buf[65536];
	size_t sizes[40];
	(void)state;
	for (size_t i = 0; i < 40; i++)
		sizes[i] = 1000;
	record_server(&s, sizes, 40, 0);
	nk_tls_config cfg = { .cafile = cert("root.pem") };
	nk_tls_ctx *ctx = make_ctx(&cfg);
	nk_conn *c = dial(s.port);
	assert_int_equal(nk_tls_start(ctx, c, "valid.test",
	                              nk_deadline_in_ms(5000), NULL, err), NK_OK);
	let_arrive(c);
	size_t n;
	int want;
	assert_int_equal(nk_conn_try_read(c, buf, sizeof buf, &n, &want, err),
	                 NK_OK);
	assert_int_equal(n, 40000);
	for (size_t k = 0; k < n; k++)
		if (buf[k] != pattern(k))
			fail_msg("byte %zu is %u, not %u", k, buf[k], pattern(k));
	assert_int_equal(nk_conn_read(c, buf, sizeof buf, nk_deadline_in_ms(5000),
	                              &n, err), NK_OK);
	assert_int_equal(n, 0);
	assert_false(nk_tls_conn_unclean_eof(c));
	nk_conn_free(c);
	nk_tls_ctx_free(ctx);
	record_server_stop(&s);
}

/* A whole record that arrived behind the one just read waits in the
 * conn, not in the socket: poll() cannot see it, pending() must. */
static void
test_pending_record_behind(void **state)
{
	struct server s;
	char err[NK_ERR_MSG_LEN] = "";
	unsigned char buf[64];
	const size_t sizes[] = { 4, 6 };
	(void)state;
	record_server(&s, sizes, 2, 0);
	nk_tls_config cfg = { .cafile = cert("root.pem") };
	nk_tls_ctx *ctx = make_ctx(&cfg);
	nk_conn *c = dial(s.port);
	assert_int_equal(nk_tls_start(ctx, c, "valid.test",
	                              nk_deadline_in_ms(5000), NULL, err), NK_OK);
	let_arrive(c);
	size_t n;
	int want;
	assert_int_equal(nk_conn_try_read(c, buf, 4, &n, &want, err), NK_OK);
	assert_int_equal(n, 4);
	struct pollfd p = { nk_conn_fd(c), POLLIN, 0 };
	assert_int_equal(poll(&p, 1, 0), 0);
	assert_int_equal(nk_conn_pending(c), 6);
	assert_int_equal(nk_conn_try_read(c, buf + 4, sizeof buf - 4, &n, &want,
	                                  err), NK_OK);
	/* The record, and the close_notify right behind it. */
	assert_int_equal(n, 6);
	for (size_t k = 0; k < 10; k++)
		assert_int_equal(buf[k], pattern(k));
	assert_int_equal(nk_conn_pending(c), 1);
	assert_int_equal(nk_conn_try_read(c, buf, sizeof buf, &n, &want, err),
	                 NK_OK);
	assert_int_equal(n, 0);
	assert_int_equal(want, 0);
	assert_int_equal(nk_conn_pending(c), 0);
	nk_conn_free(c);
	nk_tls_ctx_free(ctx);
	record_server_stop(&s);
}

/* Every byte arrives once and in order, whatever the sizes of the
 * records and of the reads, across refills of the conn's buffer; the end
 * is a clean EOF, or an unclean one when the peer sent no close_notify. */
static void
test_stream_sizes(void **state)
{
	char err[NK_ERR_MSG_LEN] = "";
	static unsigned char buf[300000];
	static size_t sizes[200];
	static const size_t reads[] = { 1, 7, 100, 4096, 16389, 65536, 300000,
	                                5, 70000 };
	size_t n = 0, total = 0;
	(void)state;
	/* Full records, odd ones, and everything between 1 and 6 bytes. */
	for (size_t i = 0; i < 80; i++)
		sizes[n++] = 16384;
	const size_t odd[] = { 1, 2, 3, 4, 5, 6, 16383, 777, 65536, 40000,
	                       12345, 16385 };
	for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
		sizes[n++] = odd[i];
	for (size_t i = 0; i < n; i++)
		total += sizes[i];
	for (int abrupt = 0; abrupt < 2; abrupt++) {
		struct server s;
		record_server(&s, sizes, n, abrupt);
		nk_tls_config cfg = { .cafile = cert("root.pem") };
		nk_tls_ctx *ctx = make_ctx(&cfg);
		nk_conn *c = dial(s.port);
		assert_int_equal(nk_tls_start(ctx, c, "valid.test",
		                              nk_deadline_in_ms(5000), NULL, err),
		                 NK_OK);
		size_t got = 0, calls = 0;
		for (;;) {
			size_t want = reads[calls++ % (sizeof reads / sizeof reads[0])], r;
			nk_err e = nk_conn_read(c, buf, want, nk_deadline_in_ms(5000),
			                        &r, err);
			if (e)
				fail_msg("read: %d %s", e, err);
			if (r == 0)
				break;
			assert_true(r <= want);
			for (size_t k = 0; k < r; k++)
				if (buf[k] != pattern(got + k))
					fail_msg("byte %zu is %u, not %u", got + k, buf[k],
					         pattern(got + k));
			got += r;
		}
		assert_int_equal(got, total);
		assert_int_equal(nk_tls_conn_unclean_eof(c), abrupt);
		assert_int_equal(nk_conn_pending(c), 0);
		nk_conn_free(c);
		nk_tls_ctx_free(ctx);
		record_server_stop(&s);
	}
}

static void
test_client_certificate(void **state)
{
	struct server s;
	char err[NK_ERR_MSG_LEN] = "", page[65536];
	(void)state;
	s_server(&s, "-cert", cert("valid.pem"), "-key", cert("leaf.key"),
	         "-cert_chain", cert("int.pem"), "-Verify", "1", "-CAfile",
	         cert("root.pem"), NULL);
	nk_tls_config cfg = { .cafile = cert("root.pem"),
	                      .cert = cert("client.pem"), .key = cert("client.key") };
	nk_tls_ctx *ctx = make_ctx(&cfg);
	nk_conn *c = dial(s.port);
	assert_int_equal(nk_tls_start(ctx, c, "valid.test",
	                              nk_deadline_in_ms(5000), NULL, err), NK_OK);
	fetch(c, page, sizeof page);
	assert_true(strncmp(page, "HTTP/1.0 200 ok\r\n", 17) == 0);
	nk_conn_free(c);
	nk_tls_ctx_free(ctx);

	/* Without one, TLS 1.3 ends the handshake first and the server's
	 * alert arrives with the first read. */
	nk_tls_config plain = { .cafile = cert("root.pem") };
	ctx = make_ctx(&plain);
	c = dial(s.port);
	assert_int_equal(nk_tls_start(ctx, c, "valid.test",
	                              nk_deadline_in_ms(5000), NULL, err), NK_OK);
	nk_conn_write(c, GET, strlen(GET), nk_deadline_in_ms(5000), err);
	size_t n;
	assert_int_equal(nk_conn_read(c, page, sizeof page,
	                              nk_deadline_in_ms(5000), &n, err),
	                 NK_ERR_RECV_ERROR);
	char want[200];
	snprintf(want, sizeof want, "reading from 127.0.0.1 port %d over TLS: "
	         "tlsv13 alert certificate required", s.port);
	assert_string_equal(err, want);
	/* The error is sticky. */
	assert_int_equal(nk_conn_read(c, page, sizeof page,
	                              nk_deadline_in_ms(5000), &n, err),
	                 NK_ERR_RECV_ERROR);
	nk_conn_free(c);
	nk_tls_ctx_free(ctx);
	stop(&s);
}

static void
test_ocsp_staple(void **state)
{
	struct server s;
	nk_tls_info info;
	char err[NK_ERR_MSG_LEN] = "";
	(void)state;
	nk_tls_config cfg = { .cafile = cert("root.pem"), .ocsp = 1 };
	nk_tls_ctx *ctx = make_ctx(&cfg);

	s_server(&s, "-cert", cert("ocsp-good.pem"), "-key", cert("leaf.key"),
	         "-cert_chain", cert("int.pem"), "-status_file",
	         cert("ocsp-good.der"), NULL);
	nk_conn *c = dial(s.port);
	assert_int_equal(nk_tls_start(ctx, c, "good.test",
	                              nk_deadline_in_ms(5000), &info, err), NK_OK);
	assert_int_equal(info.ocsp, NK_OCSP_GOOD);
	assert_int_equal(strlen(info.ocsp_this_update), 23);
	assert_int_equal(strlen(info.ocsp_next_update), 23);
	assert_string_equal(info.ocsp_revoked_at, "");
	assert_true(info.verify_ok);
	nk_tls_info_clear(&info);
	nk_conn_free(c);
	stop(&s);

	/* A staple about another certificate is no evidence. */
	s_server(&s, "-cert", cert("valid.pem"), "-key", cert("leaf.key"),
	         "-cert_chain", cert("int.pem"), "-status_file",
	         cert("ocsp-good.der"), NULL);
	c = dial(s.port);
	assert_int_equal(nk_tls_start(ctx, c, "valid.test",
	                              nk_deadline_in_ms(5000), &info, err), NK_OK);
	assert_int_equal(info.ocsp, NK_OCSP_INVALID);
	assert_true(info.verify_ok);
	nk_tls_info_clear(&info);
	nk_conn_free(c);
	stop(&s);

	s_server(&s, "-cert", cert("ocsp-revoked.pem"), "-key", cert("leaf.key"),
	         "-cert_chain", cert("int.pem"), "-status_file",
	         cert("ocsp-revoked.der"), NULL);
	c = dial(s.port);
	assert_int_equal(nk_tls_start(ctx, c, "revoked.test",
	                              nk_deadline_in_ms(5000), &info, err),
	                 NK_ERR_PEER_FAILED_VERIFICATION);
	assert_int_equal(info.ocsp, NK_OCSP_REVOKED);
	assert_false(info.verify_ok);
	assert_int_equal(info.verify_code, 23);   /* X509_V_ERR_CERT_REVOKED */
	char want[200];
	snprintf(want, sizeof want, "certificate is revoked (OCSP: revoked on %s)",
	         info.ocsp_revoked_at);
	assert_string_equal(info.verify_reason, want);
	assert_int_equal(strlen(info.ocsp_revoked_at), 23);
	nk_tls_info_clear(&info);
	nk_conn_free(c);

	/* TLS 1.2 caches the session as the handshake ends, before the
	 * staple is looked at: the failure must evict it (libnk does, and
	 * OpenSSL does too for a session with an ID), or the next connection
	 * would resume past the check. */
	nk_tls_config cfg12 = { .cafile = cert("root.pem"), .ocsp = 1,
	                        .max_version = NK_TLS_1_2 };
	nk_tls_ctx *ctx12 = make_ctx(&cfg12);
	for (int round = 0; round < 2; round++) {
		c = dial(s.port);
		assert_int_equal(nk_tls_start(ctx12, c, "revoked.test",
		                              nk_deadline_in_ms(5000), &info, err),
		                 NK_ERR_PEER_FAILED_VERIFICATION);
		assert_string_equal(info.version, "TLSv1.2");
		assert_false(info.resumed);
		assert_int_equal(info.ocsp, NK_OCSP_REVOKED);
		nk_tls_info_clear(&info);
		nk_conn_free(c);
	}
	nk_tls_ctx_free(ctx12);
	stop(&s);
	nk_tls_ctx_free(ctx);
}

static void
test_strings(void **state)
{
	(void)state;
	assert_true(strncmp(nk_tls_library_version(), "OpenSSL 3.", 10) == 0);
	assert_string_equal(nk_tls_verify_code_str(10), "certificate has expired");
	assert_string_equal(nk_tls_verify_code_str(18), "self-signed certificate");
	/* OpenSSL's text for codes without words of nk's own. */
	assert_string_equal(nk_tls_verify_code_str(12),
	                    "CRL has expired");
	assert_false(nk_tls_conn_unclean_eof(NULL));
	assert_false(nk_tls_conn_is_tls(NULL));
	nk_tls_info_clear(NULL);
	nk_tls_ctx_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_and_data),
		cmocka_unit_test(test_session_resumed),
		cmocka_unit_test(test_no_resumption_after_error),
		cmocka_unit_test(test_verify_failure),
		cmocka_unit_test(test_name_checks),
		cmocka_unit_test(test_handshake_failure),
		cmocka_unit_test(test_handshake_timeout),
		cmocka_unit_test(test_ctx_errors),
		cmocka_unit_test(test_pinned_pubkey),
		cmocka_unit_test(test_half_close),
		cmocka_unit_test(test_unclean_eof),
		cmocka_unit_test(test_pending),
		cmocka_unit_test(test_pending_eof),
		cmocka_unit_test(test_records_in_one_read),
		cmocka_unit_test(test_pending_record_behind),
		cmocka_unit_test(test_stream_sizes),
		cmocka_unit_test(test_client_certificate),
		cmocka_unit_test(test_ocsp_staple),
		cmocka_unit_test(test_strings),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
