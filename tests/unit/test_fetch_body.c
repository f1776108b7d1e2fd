/* Unit tests for request bodies from a read callback (nk_fetch_body.read):
 * the exact bytes on the wire for a known size (Content-Length) and an
 * unknown one (chunked), the body sent again after a 307 through rewind,
 * a callback that fails, and a body that cannot be started over. The
 * server is a child process on a loopback socket that records every byte
 * it reads into a file and answers each request from a script. */
#include <errno.h>
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

#include "nk/fetch.h"

struct server {
	pid_t pid;
	int port;
	char rec[64];           /* the file of what the server read */
};

/* Reads into buf until it holds a whole request; returns its length
 * (the head, and its Content-Length or chunked body), or 0 at EOF. */
static size_t
read_request(int s, char *buf, size_t cap, size_t *have)
{
	for (;;) {
		char *end = memmem(buf, *have, "\r\n\r\n", 4);
		if (end) {
			size_t head = (size_t)(end - buf) + 4, need = head;
			const char *cl = strcasestr(buf, "Content-Length: ");
			if (cl && cl < end) {
				need += strtoul(cl + 16, NULL, 10);
			} else if (strcasestr(buf, "chunked") &&
			           strcasestr(buf, "chunked") < end) {
				char *z = memmem(buf + head, *have - head,
				                 "\r\n0\r\n\r\n", 7);
				char *z0 = *have - head >= 5 &&
				           memcmp(buf + head, "0\r\n\r\n", 5) == 0
				           ? buf + head : NULL;
				need = z0 ? head + 5 : z ? (size_t)(z - buf) + 7
				       : cap + 1;
			}
			if (need <= *have)
				return need;
		}
		if (*have == cap)
			return 0;
		ssize_t n = read(s, buf + *have, cap - *have);
		if (n <= 0)
			return 0;
		*have += (size_t)n;
	}
}

/* Starts a server that answers the i-th request with replies[i] (the
 * last one again after that), on one connection at a time. */
static void
server_start(struct server *sv, const char *const *replies, size_t n)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(l >= 0);
	assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(l, 4), 0);
	socklen_t al = sizeof a;
	assert_int_equal(getsockname(l, (struct sockaddr *)&a, &al), 0);
	sv->port = ntohs(a.sin_port);
	snprintf(sv->rec, sizeof sv->rec, "/tmp/nk-fetch-body.%d", (int)getpid());
	/* Made before the fork: a test that ends before the child runs
	 * still finds it. */
	FILE *rec = fopen(sv->rec, "w");
	assert_non_null(rec);
	sv->pid = fork();
	assert_true(sv->pid >= 0);
	if (sv->pid > 0) {
		fclose(rec);
		close(l);
		return;
	}
	static char buf[1 << 20];
	size_t i = 0;
	for (;;) {
		int s = accept(l, NULL, NULL);
		if (s < 0)
			_exit(1);
		size_t have = 0, len;
		while ((len = read_request(s, buf, sizeof buf, &have)) > 0) {
			fwrite(buf, 1, len, rec);
			fflush(rec);
			memmove(buf, buf + len, have - len);
			have -= len;
			const char *r = replies[i < n ? i : n - 1];
			i++;
			if (write(s, r, strlen(r)) < 0)
				break;
		}
		close(s);
	}
}

static char *
server_stop(struct server *sv, size_t *len)
{
	kill(sv->pid, SIGTERM);
	waitpid(sv->pid, NULL, 0);
	FILE *f = fopen(sv->rec, "r");
	assert_non_null(f);
	static char got[1 << 21];
	*len = fread(got, 1, sizeof got - 1, f);
	got[*len] = '\0';
	fclose(f);
	unlink(sv->rec);
	return got;
}

/* A callback source: `total` bytes of 'a'..'z' in reads of at most
 * `step`; rewinds counted; fails at `fail_at` if set. */
struct src {
	size_t total, pos, step;
	int rewinds;
	size_t fail_at;
};

static ssize_t
src_read(void *ctx, char *buf, size_t len, char *errmsg)
{
	struct src *s = ctx;
	if (s->fail_at && s->pos >= s->fail_at) {
		snprintf(errmsg, NK_ERR_MSG_LEN, "the disk is on fire");
		return -1;
	}
	size_t k = s->total - s->pos;
	if (k > len)
		k = len;
	if (k > s->step)
		k = s->step;
	for (size_t i = 0; i < k; i++)
		buf[i] = (char)('a' + (s->pos + i) % 26);
	s->pos += k;
	return (ssize_t)k;
}

static nk_err
src_rewind(void *ctx, char *errmsg)
{
	struct src *s = ctx;
	(void)errmsg;
	s->pos = 0;
	s->rewinds++;
	return NK_OK;
}

static const char *const ok[] = {
	"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
};
static const char *const moved[] = {
	"HTTP/1.1 307 Again\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
};

/* Runs a POST of body to the server, following redirects. */
static nk_err
post(const struct server *sv, const nk_fetch_body *body, char *errmsg)
{
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/a", sv->port);
	nk_fetch_config cfg;
	memset(&cfg, 0, sizeof cfg);
	nk_fetch *f;
	assert_int_equal(nk_fetch_new(&cfg, &f, errmsg), NK_OK);
	nk_fetch_request rq;
	memset(&rq, 0, sizeof rq);
	rq.url = url;
	rq.method = "POST";
	rq.body = body;
	rq.follow = 1;
	rq.user_agent = "t";
	rq.max_time_ms = 10000;
	nk_fetch_result res;
	nk_err e = nk_fetch_run(f, &rq, NULL, &res, errmsg);
	nk_fetch_result_clear(&res);
	nk_fetch_free(f);
	return e;
}

static void
known_size_and_rewind(void **state)
{
	(void)state;
	struct server sv;
	server_start(&sv, moved, 2);
	struct src s = { .total = 5, .step = 2 };
	nk_fetch_body b = { .fd = -1, .size = 5, .read = src_read,
	                    .rewind = src_rewind, .ctx = &s,
	                    .content_type = "text/plain" };
	char msg[NK_ERR_MSG_LEN] = "";
	assert_int_equal(post(&sv, &b, msg), NK_OK);
	size_t len;
	const char *got = server_stop(&sv, &len);
	char want[600];
	const char *req = "HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: t\r\n"
	                  "Accept: */*\r\nContent-Length: 5\r\n"
	                  "Content-Type: text/plain\r\n\r\nabcde";
	char r1[200];
	snprintf(r1, sizeof r1, req, sv.port);
	snprintf(want, sizeof want, "POST /a %sPOST /b %s", r1, r1);
	assert_string_equal(got, want);
	assert_int_equal(s.rewinds, 1);
}

static void
unknown_size_is_chunked(void **state)
{
	(void)state;
	struct server sv;
	server_start(&sv, ok, 1);
	struct src s = { .total = 30, .step = 20 };
	nk_fetch_body b = { .fd = -1, .size = -1, .read = src_read, .ctx = &s };
	char msg[NK_ERR_MSG_LEN] = "";
	assert_int_equal(post(&sv, &b, msg), NK_OK);
	size_t len;
	const char *got = server_stop(&sv, &len);
	/* Over 1 MiB or of unknown size: Expect goes, as curl sends it; the
	 * server says nothing, so the body follows after the wait. */
	char want[512];
	snprintf(want, sizeof want, "POST /a HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
	         "User-Agent: t\r\nAccept: */*\r\nTransfer-Encoding: chunked\r\n"
	         "Expect: 100-continue\r\n\r\n"
	         "14\r\nabcdefghijklmnopqrst\r\na\r\nuvwxyzabcd\r\n0\r\n\r\n",
	         sv.port);
	assert_string_equal(got, want);
}

static void
failing_callback(void **state)
{
	(void)state;
	struct server sv;
	server_start(&sv, ok, 1);
	struct src s = { .total = 100, .step = 10, .fail_at = 20 };
	nk_fetch_body b = { .fd = -1, .size = 100, .read = src_read, .ctx = &s };
	char msg[NK_ERR_MSG_LEN] = "";
	assert_int_equal(post(&sv, &b, msg), NK_ERR_READ_ERROR);
	assert_non_null(strstr(msg, "the disk is on fire"));
	size_t len;
	server_stop(&sv, &len);
}

static void
no_rewind_past_what_is_kept(void **state)
{
	(void)state;
	struct server sv;
	server_start(&sv, moved, 2);
	struct src s = { .total = 100000, .step = 4096 };
	nk_fetch_body b = { .fd = -1, .size = 100000, .read = src_read,
	                    .ctx = &s };
	char msg[NK_ERR_MSG_LEN] = "";
	assert_int_equal(post(&sv, &b, msg), NK_ERR_SEND_FAIL_REWIND);
	assert_non_null(strstr(msg, "cannot follow the 307 redirect"));
	size_t len;
	const char *got = server_stop(&sv, &len);
	assert_null(strstr(got, "POST /b"));
}

static void
small_body_without_rewind_is_kept(void **state)
{
	(void)state;
	struct server sv;
	server_start(&sv, moved, 2);
	struct src s = { .total = 5, .step = 5 };
	nk_fetch_body b = { .fd = -1, .size = 5, .read = src_read, .ctx = &s };
	char msg[NK_ERR_MSG_LEN] = "";
	assert_int_equal(post(&sv, &b, msg), NK_OK);
	size_t len;
	const char *got = server_stop(&sv, &len);
	const char *b2 = strstr(got, "POST /b");
	assert_non_null(b2);
	assert_non_null(strstr(b2, "\r\n\r\nabcde"));
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_size_and_rewind),
		cmocka_unit_test(unknown_size_is_chunked),
		cmocka_unit_test(failing_callback),
		cmocka_unit_test(no_rewind_past_what_is_kept),
		cmocka_unit_test(small_body_without_rewind_is_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
