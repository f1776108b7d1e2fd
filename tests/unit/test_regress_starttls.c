/* Regression tests for nk-tls --starttls bugs found by fuzzing
 * (tests/fuzz, target fuzz_starttls). The exchange lives in the tool, not
 * in libnk, so its source is compiled into this test.
 *
 * crashes/fuzz_starttls/starttls-long-line (fixed): read_line() in
 *   cmd/tls/starttls.c checked the 4096-byte line limit only while no LF
 *   had arrived. A line of 4097..8190 bytes whose LF came in the same read
 *   (the buffer holds 8192) was copied whole into `line[LINE_MAX_LEN + 1]`:
 *   a global buffer overflow of up to 4 KB, with bytes the server chooses,
 *   over the static `struct lines` and past it. Any server nk-tls
 *   --starttls talks to (SMTP, IMAP, POP3, FTP) could send one: "220 "
 *   followed by 5000 letters and CRLF. In an ordinary build the overwritten
 *   `proto` pointer made the next message crash (nk-tls died of SIGSEGV);
 *   under ASan it is a global-buffer-overflow report. It must be refused:
 *   NK_ERR_SSL_CONNECT_ERROR, "... line longer than 4096 bytes". */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

/* before cmocka.h, whose fail() macro would rename the file's fail() */
#include "../../cmd/tls/starttls.c"

#include <cmocka.h>

/* Runs the exchange against a server that sends `n` bytes of `s` and then
 * closes its side. */
static nk_err
exchange(const char *proto, const char *s, size_t n, char *msg)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	int big = 1 << 20;
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
	setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
	for (size_t off = 0; off < n;) {
		ssize_t w = write(sv[1], s + off, n - off);
		assert_true(w > 0);
		off += (size_t)w;
	}
	shutdown(sv[1], SHUT_WR);
	nk_conn *c;
	assert_int_equal(nk_conn_from_fd(sv[0], &c, msg), NK_OK);
	nk_err e = starttls_run(c, proto, "example.test", nk_deadline_in_ms(5000), 0,
	                        NULL, msg);
	nk_conn_free(c);
	close(sv[1]);
	return e;
}

/* A line of `len` letters after `prefix`, then CRLF. */
static char *
long_line(const char *prefix, size_t len, size_t *n)
{
	size_t pl = strlen(prefix);
	char *s = malloc(pl + len + 2);
	assert_non_null(s);
	memcpy(s, prefix, pl);
	memset(s + pl, 'a', len);
	memcpy(s + pl + len, "\r\n", 2);
	*n = pl + len + 2;
	return s;
}

static void
line_over_limit_in_one_read(void **state)
{
	static const char *const cases[][2] = {
		{ "smtp", "220 " }, { "ftp", "220 " }, { "imap", "* OK " },
		{ "pop3", "+OK " },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char msg[NK_ERR_MSG_LEN] = "";
		size_t n;
		char *s = long_line(cases[i][1], 5000, &n);
		nk_err e = exchange(cases[i][0], s, n, msg);
		free(s);
		assert_int_equal(e, NK_ERR_SSL_CONNECT_ERROR);
		assert_non_null(strstr(msg, "longer than 4096 bytes"));
	}
}

/* A long line under the limit still works. */
static void
line_under_limit(void **state)
{
	(void)state;
	char msg[NK_ERR_MSG_LEN] = "";
	size_t n;
	char *s = long_line("+OK ", 4000, &n);
	s = realloc(s, n + 6);
	assert_non_null(s);
	memcpy(s + n, "+OK\r\n", 5);
	nk_err e = exchange("pop3", s, n + 5, msg);
	free(s);
	assert_int_equal(e, NK_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(line_over_limit_in_one_read),
		cmocka_unit_test(line_under_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
