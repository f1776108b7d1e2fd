/* Unit tests for lib/tcp.c and lib/listen.c against real sockets on
 * loopback: refused ports, live listeners, Happy Eyeballs with an address
 * that never answers, deadlines, and listening sockets. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "nk/net.h"

/* A socket bound to addr:port (port 0: any), listening with backlog. */
static int
listener(const char *addr, int port, int backlog)
{
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	s4.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, addr, &s4.sin_addr);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&s4, sizeof s4) != 0)
		fail_msg("bind %s:%d: %s", addr, port, strerror(errno));
	assert_int_equal(listen(fd, backlog), 0);
	return fd;
}

/* A port on 127.0.0.1 where nothing listens: bound, then closed. */
static int
dead_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	s4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&s4, sizeof s4), 0);
	int port = nk_listen_port(fd);
	close(fd);
	return port;
}

/* An address:port whose SYNs vanish: a listener with backlog 0 whose
 * accept queue one connection already fills, so Linux drops further SYNs
 * and a connect there neither succeeds nor fails. Returns the listener;
 * *filler is the connection that fills the queue. */
static int
black_hole(const char *addr, int port, int *filler)
{
	int l = listener(addr, port, 0);
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	s4.sin_port = htons((uint16_t)nk_listen_port(l));
	inet_pton(AF_INET, addr, &s4.sin_addr);
	*filler = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(*filler, (struct sockaddr *)&s4, sizeof s4), 0);
	return l;
}

static void
test_refused(void **state)
{
	(void)state;
	int port = dead_port();
	nk_conn *c = (nk_conn *)1;
	nk_connect_info info;
	char err[NK_ERR_MSG_LEN], want[NK_ERR_MSG_LEN];
	nk_err e = nk_connect(NULL, "127.0.0.1", port, nk_deadline_in_ms(5000), &c,
	                      &info, err);
	assert_int_equal(e, NK_ERR_COULDNT_CONNECT);
	assert_null(c);
	snprintf(want, sizeof want,
	         "Failed to connect to 127.0.0.1 port %d: Connection refused", port);
	assert_string_equal(err, want);
	assert_int_equal(info.nattempts, 1);
	assert_string_equal(info.attempts[0].addr, "127.0.0.1");
	assert_int_equal(info.attempts[0].port, port);
	assert_int_equal(info.attempts[0].family, 4);
	assert_int_equal(info.attempts[0].err, NK_ERR_COULDNT_CONNECT);
	assert_string_equal(info.attempts[0].why, "Connection refused");
	assert_true(info.attempts[0].end >= info.attempts[0].start);
	assert_true(info.resolved >= info.start);
	assert_int_equal(info.connected, 0);

	/* Several addresses: all are tried and named. */
	char entry[64];
	snprintf(entry, sizeof entry, "refused.example:%d:127.0.0.1,127.0.0.2",
	         port);
	const char *r[] = { entry };
	nk_netopts o = { 0 };
	o.resolve = r;
	o.nresolve = 1;
	e = nk_connect(&o, "refused.example", port, nk_deadline_in_ms(5000), &c,
	               &info, err);
	assert_int_equal(e, NK_ERR_COULDNT_CONNECT);
	snprintf(want, sizeof want,
	         "Failed to connect to refused.example port %d: Connection "
	         "refused (tried 127.0.0.1, 127.0.0.2)", port);
	assert_string_equal(err, want);
	assert_int_equal(info.nattempts, 2);
	assert_int_equal(info.attempts[1].err, NK_ERR_COULDNT_CONNECT);
	/* The second goes as soon as the first fails, not after 250 ms. */
	assert_true(info.attempts[1].start - info.attempts[0].start < 100000);
}

static void
test_connect_ok(void **state)
{
	(void)state;
	int l = listener("127.0.0.1", 0, 16);
	int port = nk_listen_port(l);
	nk_conn *c = NULL;
	nk_connect_info info;
	char err[NK_ERR_MSG_LEN] = "";
	nk_err e = nk_connect(NULL, "127.0.0.1", port, nk_deadline_in_ms(5000), &c,
	                      &info, err);
	if (e)
		fail_msg("%d %s", e, err);
	assert_non_null(c);
	assert_string_equal(nk_conn_peer_str(c), "127.0.0.1");
	assert_int_equal(nk_conn_peer_port(c), port);
	assert_string_equal(info.host, "127.0.0.1");
	assert_int_equal(info.port, port);
	assert_int_equal(info.nattempts, 1);
	assert_int_equal(info.attempts[0].err, NK_OK);
	assert_int_equal(info.source, NK_ADDR_LITERAL);
	assert_true(info.connected >= info.resolved);
	assert_true(info.resolved >= info.start);
	int nodelay = 0;
	socklen_t len = sizeof nodelay;
	getsockopt(nk_conn_fd(c), IPPROTO_TCP, TCP_NODELAY, &nodelay, &len);
	assert_int_not_equal(nodelay, 0);

	/* Bytes go through, both ways. */
	int a = accept(l, NULL, NULL);
	assert_true(a >= 0);
	assert_int_equal(nk_conn_write(c, "ping", 4, nk_deadline_in_ms(2000), err),
	                 NK_OK);
	char buf[8];
	assert_int_equal(read(a, buf, sizeof buf), 4);
	assert_memory_equal(buf, "ping", 4);
	assert_int_equal(write(a, "pong", 4), 4);
	size_t n = 0;
	assert_int_equal(nk_conn_read(c, buf, sizeof buf, nk_deadline_in_ms(2000),
	                              &n, err), NK_OK);
	assert_int_equal(n, 4);
	assert_memory_equal(buf, "pong", 4);
	nk_conn_free(c);
	close(a);

	/* info may be NULL; a --connect-to entry changes where we go. */
	char entry[64];
	snprintf(entry, sizeof entry, "elsewhere.invalid:1:127.0.0.1:%d", port);
	const char *ct[] = { entry };
	nk_netopts o = { 0 };
	o.connect_to = ct;
	o.nconnect_to = 1;
	e = nk_connect(&o, "elsewhere.invalid", 1, nk_deadline_in_ms(5000), &c,
	               NULL, err);
	if (e)
		fail_msg("%d %s", e, err);
	assert_int_equal(nk_conn_peer_port(c), port);
	nk_conn_free(c);
	close(l);
}

static void
test_happy_eyeballs(void **state)
{
	(void)state;
	/* The same port on two loopback addresses: 127.0.0.2 swallows SYNs,
	 * 127.0.0.1 answers. The first address listed is the dead one. */
	int live = listener("127.0.0.1", 0, 16);
	int port = nk_listen_port(live);
	int filler;
	int dead = black_hole("127.0.0.2", port, &filler);
	char entry[80];
	snprintf(entry, sizeof entry, "race.example:%d:127.0.0.2,127.0.0.1", port);
	const char *r[] = { entry };
	nk_netopts o = { 0 };
	o.resolve = r;
	o.nresolve = 1;
	o.happy_eyeballs_ms = 100;
	nk_conn *c = NULL;
	nk_connect_info info;
	char err[NK_ERR_MSG_LEN] = "";
	nk_time t0 = nk_now();
	nk_err e = nk_connect(&o, "race.example", port, nk_deadline_in_ms(5000),
	                      &c, &info, err);
	nk_time took = nk_now() - t0;
	if (e)
		fail_msg("%d %s", e, err);
	assert_string_equal(nk_conn_peer_str(c), "127.0.0.1");
	assert_in_range(took, 95000, 600000);
	assert_int_equal(info.source, NK_ADDR_OVERRIDE);
	assert_int_equal(info.nattempts, 2);
	assert_string_equal(info.attempts[0].addr, "127.0.0.2");
	assert_int_equal(info.attempts[0].err, NK_ERR_ABORTED_BY_CALLBACK);
	assert_string_equal(info.attempts[0].why,
	                    "cancelled: another address connected first");
	assert_string_equal(info.attempts[1].addr, "127.0.0.1");
	assert_int_equal(info.attempts[1].err, NK_OK);
	nk_time gap = info.attempts[1].start - info.attempts[0].start;
	assert_in_range(gap, 99000, 400000);
	nk_conn_free(c);

	/* Only the dead address: the connect timeout ends it as 28. */
	snprintf(entry, sizeof entry, "race.example:%d:127.0.0.2", port);
	o.connect_timeout_ms = 300;
	t0 = nk_now();
	e = nk_connect(&o, "race.example", port, NK_NO_DEADLINE, &c, &info, err);
	took = nk_now() - t0;
	assert_int_equal(e, NK_ERR_OPERATION_TIMEDOUT);
	assert_null(c);
	assert_in_range(took, 295000, 800000);
	char want[NK_ERR_MSG_LEN];
	snprintf(want, sizeof want, "Failed to connect to race.example port %d: "
	         "Connection timed out after ", port);
	assert_memory_equal(err, want, strlen(want));
	assert_int_equal(info.nattempts, 1);
	assert_int_equal(info.attempts[0].err, NK_ERR_OPERATION_TIMEDOUT);
	assert_string_equal(info.attempts[0].why, "timed out");

	/* The caller's deadline bounds it just the same. */
	o.connect_timeout_ms = 0;
	t0 = nk_now();
	e = nk_connect(&o, "race.example", port, nk_deadline_in_ms(200), &c,
	               &info, err);
	took = nk_now() - t0;
	assert_int_equal(e, NK_ERR_OPERATION_TIMEDOUT);
	assert_in_range(took, 195000, 700000);

	/* A deadline already gone: no attempt starts. */
	e = nk_connect(&o, "race.example", port, nk_now() - 1, &c, &info, err);
	assert_int_equal(e, NK_ERR_OPERATION_TIMEDOUT);

	close(filler);
	close(dead);
	close(live);
}

static void
test_failure_skips_delay(void **state)
{
	(void)state;
	/* 127.0.0.2 hangs, 127.0.0.3 refuses, 127.0.0.1 answers. The refusal
	 * comes while the first attempt is still racing; the third must start
	 * right then, not one more delay later (RFC 8305 section 5). */
	int live = listener("127.0.0.1", 0, 16);
	int port = nk_listen_port(live);
	int filler;
	int dead = black_hole("127.0.0.2", port, &filler);
	char entry[96];
	snprintf(entry, sizeof entry,
	         "three.example:%d:127.0.0.2,127.0.0.3,127.0.0.1", port);
	const char *r[] = { entry };
	nk_netopts o = { 0 };
	o.resolve = r;
	o.nresolve = 1;
	o.happy_eyeballs_ms = 300;
	nk_conn *c = NULL;
	nk_connect_info info;
	char err[NK_ERR_MSG_LEN] = "";
	nk_err e = nk_connect(&o, "three.example", port, nk_deadline_in_ms(5000),
	                      &c, &info, err);
	if (e)
		fail_msg("%d %s", e, err);
	assert_string_equal(nk_conn_peer_str(c), "127.0.0.1");
	assert_int_equal(info.nattempts, 3);
	assert_int_equal(info.attempts[0].err, NK_ERR_ABORTED_BY_CALLBACK);
	assert_int_equal(info.attempts[1].err, NK_ERR_COULDNT_CONNECT);
	assert_string_equal(info.attempts[1].why, "Connection refused");
	assert_int_equal(info.attempts[2].err, NK_OK);
	assert_in_range(info.attempts[1].start - info.attempts[0].start, 299000,
	                500000);
	assert_in_range(info.attempts[2].start - info.attempts[1].start, 0, 150000);
	nk_conn_free(c);
	close(filler);
	close(dead);
	close(live);
}

static void
test_families_interleave(void **state)
{
	(void)state;
	/* ::1 is listed first and refused (or unreachable without IPv6); the
	 * refusal lets 127.0.0.1 start at once instead of after the delay. */
	int live = listener("127.0.0.1", 0, 16);
	int port = nk_listen_port(live);
	char entry[80];
	snprintf(entry, sizeof entry, "mixed.example:%d:[::1],127.0.0.1", port);
	const char *r[] = { entry };
	nk_netopts o = { 0 };
	o.resolve = r;
	o.nresolve = 1;
	o.happy_eyeballs_ms = 2000;
	nk_conn *c = NULL;
	nk_connect_info info;
	char err[NK_ERR_MSG_LEN] = "";
	nk_time t0 = nk_now();
	nk_err e = nk_connect(&o, "mixed.example", port, nk_deadline_in_ms(5000),
	                      &c, &info, err);
	if (e)
		fail_msg("%d %s", e, err);
	assert_true(nk_now() - t0 < 1000000);
	assert_int_equal(info.nattempts, 2);
	assert_string_equal(info.attempts[0].addr, "::1");
	assert_int_equal(info.attempts[0].family, 6);
	assert_int_equal(info.attempts[0].err, NK_ERR_COULDNT_CONNECT);
	assert_int_equal(info.attempts[1].family, 4);
	assert_int_equal(info.attempts[1].err, NK_OK);
	nk_conn_free(c);

	/* -4 skips the IPv6 address altogether. */
	o.family = 4;
	e = nk_connect(&o, "mixed.example", port, nk_deadline_in_ms(5000), &c,
	               &info, err);
	assert_int_equal(e, NK_OK);
	assert_int_equal(info.nattempts, 1);
	assert_string_equal(info.attempts[0].addr, "127.0.0.1");
	nk_conn_free(c);
	close(live);
}

static void
test_connect_errors(void **state)
{
	(void)state;
	nk_conn *c = NULL;
	char err[NK_ERR_MSG_LEN] = "";
	assert_int_equal(nk_connect(NULL, "nosuchhost.invalid", 80,
	                            nk_deadline_in_ms(5000), &c, NULL, err),
	                 NK_ERR_COULDNT_RESOLVE_HOST);
	assert_string_equal(err, "Could not resolve host: nosuchhost.invalid");
	assert_int_equal(nk_connect(NULL, "127.0.0.1", 0, NK_NO_DEADLINE, &c, NULL,
	                            err), NK_ERR_BAD_FUNCTION_ARGUMENT);
	const char *bad[] = { "x:1:2" };
	nk_netopts o = { 0 };
	o.connect_to = bad;
	o.nconnect_to = 1;
	assert_int_equal(nk_connect(&o, "127.0.0.1", 80, NK_NO_DEADLINE, &c, NULL,
	                            err), NK_ERR_SETOPT_OPTION_SYNTAX);
	assert_non_null(strstr(err, "bad --connect-to entry 'x:1:2'"));
	assert_null(c);
}

static void
test_listen(void **state)
{
	(void)state;
	int fds[4];
	size_t n = 4;
	char err[NK_ERR_MSG_LEN] = "";
	nk_err e = nk_listen("127.0.0.1", 0, 0, fds, &n, err);
	if (e)
		fail_msg("%d %s", e, err);
	assert_int_equal(n, 1);
	int port = nk_listen_port(fds[0]);
	assert_true(port > 0);

	/* It takes connections, and the port is now taken. */
	nk_conn *c = NULL;
	assert_int_equal(nk_connect(NULL, "127.0.0.1", port,
	                            nk_deadline_in_ms(2000), &c, NULL, err), NK_OK);
	struct pollfd p = { fds[0], POLLIN, 0 };
	assert_int_equal(poll(&p, 1, 2000), 1);
	int a = accept(fds[0], NULL, NULL);
	assert_true(a >= 0);
	close(a);
	nk_conn_free(c);

	int more[2];
	size_t m = 2;
	int other = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	s4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s4.sin_port = htons((uint16_t)port);
	/* Without SO_REUSEADDR a plain second bind must fail. */
	assert_int_not_equal(bind(other, (struct sockaddr *)&s4, sizeof s4), 0);
	close(other);
	e = nk_listen("127.0.0.1", port, 0, more, &m, err);
	assert_int_equal(e, NK_ERR_FAILED_INIT);
	assert_int_equal(m, 0);
	char want[NK_ERR_MSG_LEN];
	snprintf(want, sizeof want, "bind 127.0.0.1 port %d: Address already in use",
	         port);
	assert_string_equal(err, want);
	close(fds[0]);

	/* The wildcard: one socket per family, one port for all. */
	n = 4;
	e = nk_listen(NULL, 0, 0, fds, &n, err);
	if (e)
		fail_msg("%d %s", e, err);
	assert_in_range(n, 1, 2);
	for (size_t i = 1; i < n; i++)
		assert_int_equal(nk_listen_port(fds[i]), nk_listen_port(fds[0]));
	for (size_t i = 0; i < n; i++)
		close(fds[i]);

	/* Brackets, and the family filter. */
	n = 4;
	e = nk_listen("[::1]", 0, 0, fds, &n, err);
	if (e == NK_OK) {
		assert_int_equal(n, 1);
		close(fds[0]);
	}
	n = 4;
	e = nk_listen("", 0, 4, fds, &n, err);
	assert_int_equal(e, NK_OK);
	assert_int_equal(n, 1);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	getsockname(fds[0], (struct sockaddr *)&ss, &sl);
	assert_int_equal(ss.ss_family, AF_INET);
	close(fds[0]);

	n = 4;
	assert_int_equal(nk_listen("127.0.0.1", 70000, 0, fds, &n, err),
	                 NK_ERR_BAD_FUNCTION_ARGUMENT);
	n = 4;
	assert_int_equal(nk_listen("nosuchhost.invalid", 0, 0, fds, &n, err),
	                 NK_ERR_COULDNT_RESOLVE_HOST);
	assert_int_equal(nk_listen_port(-1), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_connect_ok),
		cmocka_unit_test(test_happy_eyeballs),
		cmocka_unit_test(test_failure_skips_delay),
		cmocka_unit_test(test_families_interleave),
		cmocka_unit_test(test_connect_errors),
		cmocka_unit_test(test_listen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
