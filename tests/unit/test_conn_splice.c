/* Unit tests for nk_conn_splice against a real loopback connection: the
 * bytes a peer sends reach a regular file, a pipe, a file opened O_APPEND
 * (which splice(2) refuses, so they go through a buffer) byte for byte;
 * /dev/full fails with its errno; EOF and the deadline end a wait. And
 * nk_conn_from_fd refuses a descriptor it cannot make non-blocking. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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
#include <sys/socket.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "nk/conn.h"

#define BODY (3 * 1024 * 1024 + 17)

/* The byte at offset i of what the peer sends. */
static unsigned char
pattern(size_t i)
{
	return (unsigned char)((i * 7 + i / 4099) & 0xff);
}

struct peer {
	nk_conn *conn;
	pid_t pid;
};

/* A connection whose far end, in a child process, sends `len` pattern
 * bytes (after waiting `delay_ms`) and then closes. */
static void
peer_start(struct peer *p, size_t len, int delay_ms)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(l >= 0);
	assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(l, 1), 0);
	socklen_t al = sizeof a;
	assert_int_equal(getsockname(l, (struct sockaddr *)&a, &al), 0);
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(c >= 0);
	assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof a), 0);
	int s = accept(l, NULL, NULL);
	assert_true(s >= 0);
	close(l);
	p->pid = fork();
	assert_true(p->pid >= 0);
	if (p->pid == 0) {
		close(c);
		if (delay_ms)
			usleep((useconds_t)delay_ms * 1000);
		static unsigned char buf[65536];
		for (size_t off = 0; off < len;) {
			size_t k = len - off < sizeof buf ? len - off : sizeof buf;
			for (size_t i = 0; i < k; i++)
				buf[i] = pattern(off + i);
			ssize_t w = write(s, buf, k);
			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(s);
	char msg[NK_ERR_MSG_LEN];
	assert_int_equal(nk_conn_from_fd(c, &p->conn, msg), NK_OK);
}

static void
peer_end(struct peer *p)
{
	nk_conn_free(p->conn);
	kill(p->pid, SIGTERM);
	waitpid(p->pid, NULL, 0);
}

/* Splices until EOF into fd; returns the byte count. */
static size_t
splice_all(nk_conn *c, int fd, size_t piece)
{
	size_t total = 0, n;
	char msg[NK_ERR_MSG_LEN];
	do {
		nk_err e = nk_conn_splice(c, fd, "out", piece,
		                          nk_deadline_in_ms(10000), &n, msg);
		if (e)
			fail_msg("splice: %d %s", e, msg);
		total += n;
	} while (n > 0);
	return total;
}

/* The file at fd holds `skip` bytes of anything, then BODY pattern bytes. */
static void
check_file(int fd, size_t skip)
{
	off_t end = lseek(fd, 0, SEEK_END);
	assert_int_equal(end, (off_t)(skip + BODY));
	unsigned char *buf = malloc(BODY);
	assert_non_null(buf);
	assert_int_equal(pread(fd, buf, BODY, (off_t)skip), BODY);
	for (size_t i = 0; i < BODY; i++)
		if (buf[i] != pattern(i))
			fail_msg("byte %zu is %u, not %u", i, buf[i], pattern(i));
	free(buf);
}

static int
temp_file(int flags)
{
	char name[] = "/tmp/nk-test-splice-XXXXXX";
	int fd = mkostemp(name, O_CLOEXEC | flags);
	assert_true(fd >= 0);
	unlink(name);
	return fd;
}

static void
test_to_file(void **state)
{
	(void)state;
	struct peer p;
	peer_start(&p, BODY, 0);
	assert_true(nk_conn_can_splice(p.conn));
	/* Our end, known from the start. */
	assert_string_equal(nk_conn_local_str(p.conn), "127.0.0.1");
	assert_true(nk_conn_local_port(p.conn) > 0);
	socklen_t ll = 0;
	const struct sockaddr *la = nk_conn_local(p.conn, &ll);
	assert_int_equal(ll, sizeof(struct sockaddr_in));
	assert_int_equal(la->sa_family, AF_INET);
	int fd = temp_file(0);
	assert_int_equal(splice_all(p.conn, fd, SIZE_MAX), BODY);
	assert_int_equal(nk_conn_bytes_in(p.conn), BODY);
	check_file(fd, 0);
	close(fd);
	peer_end(&p);
}

/* O_APPEND: splice(2) says EINVAL, the bytes go by read and write, after
 * what the file had. */
static void
test_to_append_file(void **state)
{
	(void)state;
	struct peer p;
	peer_start(&p, BODY, 0);
	int fd = temp_file(O_APPEND);
	assert_int_equal(write(fd, "prefix", 6), 6);
	assert_int_equal(splice_all(p.conn, fd, 100000), BODY);
	check_file(fd, 6);
	char six[7] = "";
	assert_int_equal(pread(fd, six, 6, 0), 6);
	assert_string_equal(six, "prefix");
	close(fd);
	peer_end(&p);
}

/* A pipe as out: moved straight into it; pieces no bigger than what the
 * pipe holds, since this thread is also its reader. */
static void
test_to_pipe(void **state)
{
	(void)state;
	struct peer p;
	peer_start(&p, BODY, 0);
	int pp[2];
	assert_int_equal(pipe(pp), 0);
	size_t total = 0, n;
	unsigned char buf[65536];
	char msg[NK_ERR_MSG_LEN];
	do {
		assert_int_equal(nk_conn_splice(p.conn, pp[1], "pipe", 4096,
		                                nk_deadline_in_ms(10000), &n, msg),
		                 NK_OK);
		for (size_t got = 0; got < n;) {
			ssize_t r = read(pp[0], buf, n - got);
			assert_true(r > 0);
			for (ssize_t i = 0; i < r; i++)
				if (buf[i] != pattern(total + got + (size_t)i))
					fail_msg("byte %zu differs", total + got + (size_t)i);
			got += (size_t)r;
		}
		total += n;
	} while (n > 0);
	assert_int_equal(total, BODY);
	close(pp[0]);
	close(pp[1]);
	peer_end(&p);
}

static void
test_full_disk(void **state)
{
	(void)state;
	struct peer p;
	peer_start(&p, BODY, 0);
	int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	size_t n;
	char msg[NK_ERR_MSG_LEN];
	assert_int_equal(nk_conn_splice(p.conn, fd, "/dev/full", SIZE_MAX,
	                                nk_deadline_in_ms(10000), &n, msg),
	                 NK_ERR_WRITE_ERROR);
	assert_string_equal(msg, "writing to /dev/full: No space left on "
	                    "device");
	close(fd);
	peer_end(&p);
}

static void
test_deadline(void **state)
{
	(void)state;
	struct peer p;
	peer_start(&p, 10, 5000);
	int fd = temp_file(0);
	size_t n = 99;
	char msg[NK_ERR_MSG_LEN];
	nk_time t0 = nk_now();
	assert_int_equal(nk_conn_splice(p.conn, fd, "out", SIZE_MAX,
	                                nk_deadline_in_ms(200), &n, msg),
	                 NK_ERR_OPERATION_TIMEDOUT);
	assert_int_equal(n, 0);
	int64_t waited = (nk_now() - t0) / 1000;
	assert_true(waited >= 190 && waited < 3000);
	close(fd);
	peer_end(&p);
}

/* Without O_NONBLOCK every deadline would be lost, so a descriptor that
 * cannot take it is refused rather than wrapped. */
static void
test_from_bad_fd(void **state)
{
	(void)state;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	close(fd);
	nk_conn *c = (nk_conn *)&c;
	char msg[NK_ERR_MSG_LEN];
	assert_int_equal(nk_conn_from_fd(fd, &c, msg), NK_ERR_FAILED_INIT);
	char want[NK_ERR_MSG_LEN];
	snprintf(want, sizeof want, "cannot make socket %d non-blocking: Bad "
	         "file descriptor", fd);
	assert_string_equal(msg, want);
	assert_null(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_to_file),
		cmocka_unit_test(test_to_append_file),
		cmocka_unit_test(test_to_pipe),
		cmocka_unit_test(test_full_disk),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_from_bad_fd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
