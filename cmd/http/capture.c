/* capture: what one -Z transfer writes for stdout (body, -i and -D -
 * heads, -w), held until every earlier transfer's has been written, so
 * bodies never interleave and come in command-line order. Up to
 * CAP_MEM bytes stay in memory; past that the whole capture moves to an
 * unlinked temporary file in $TMPDIR, so memory stays bounded however
 * large the bodies that wait their turn. The worker thread writes it,
 * then the main thread emits it: never both at once (par.c hands it
 * over under its lock). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "nk/task.h"
#include "tool.h"
#include "http.h"

struct capture *
cap_current(void)
{
	struct capture **w = nk_task_arg();
	return w ? *w : NULL;
}

static int
cap_fail(struct capture *k, const char *what, int err, char *errmsg)
{
	k->err = NK_ERR_WRITE_ERROR;
	snprintf(k->msg, sizeof k->msg, "holding output for stdout: %s: %s",
	         what, strerror(err));
	if (errmsg)
		memcpy(errmsg, k->msg, NK_ERR_MSG_LEN);
	return k->err;
}

/* An unlinked file: O_TMPFILE where the file system has it, else
 * tmpfile(3)'s (which also honours nothing but P_tmpdir) made by hand. */
static int
spill_open(void)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR &&
	                errno != EINVAL))
		return fd;
	char path[4096];
	snprintf(path, sizeof path, "%s/nk-http-XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	return fd;
}

static int
write_fd(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Whether standard output is /dev/null: then no order can be seen, and
 * nothing is held (a benchmark's or a script's `> /dev/null` costs no
 * temporary files). */
static int
stdout_null(void)
{
	static int null = -1;
	if (null < 0) {
		struct stat o, n;
		null = fstat(STDOUT_FILENO, &o) == 0 && S_ISCHR(o.st_mode) &&
		       stat("/dev/null", &n) == 0 && o.st_rdev == n.st_rdev;
	}
	return null;
}

int
cap_write(struct capture *k, const char *data, size_t len, char *errmsg)
{
	if (k->err) {
		if (errmsg)
			memcpy(errmsg, k->msg, NK_ERR_MSG_LEN);
		return k->err;
	}
	if (stdout_null()) {
		k->total += len;
		return 0;
	}
	if (k->fd < 0 && k->len + len > CAP_MEM) {
		if ((k->fd = spill_open()) < 0)
			return cap_fail(k, "temporary file", errno, errmsg);
		if (write_fd(k->fd, k->buf, k->len) != 0)
			return cap_fail(k, "temporary file", errno, errmsg);
		free(k->buf);
		k->buf = NULL;
		k->len = k->cap = 0;
	}
	if (k->fd >= 0) {
		if (write_fd(k->fd, data, len) != 0)
			return cap_fail(k, "temporary file", errno, errmsg);
		k->total += len;
		return 0;
	}
	if (k->len + len > k->cap) {
		size_t n = k->cap ? k->cap : 4096;
		while (n < k->len + len)
			n *= 2;
		char *b = realloc(k->buf, n);
		if (!b)
			return cap_fail(k, "memory", ENOMEM, errmsg);
		k->buf = b;
		k->cap = n;
	}
	memcpy(k->buf + k->len, data, len);
	k->len += len;
	k->total += len;
	return 0;
}

static ssize_t
cookie_write(void *ctx, const char *data, size_t len)
{
	return cap_write(ctx, data, len, NULL) ? -1 : (ssize_t)len;
}

void
cap_progress(uint64_t down, int64_t down_total, uint64_t up,
             int64_t up_total)
{
	struct capture *k = cap_cur;
	if (!k)
		return;
	if (down_total != INT64_MIN) {
		__atomic_store_n(&k->down, down, __ATOMIC_RELAXED);
		__atomic_store_n(&k->down_total, down_total, __ATOMIC_RELAXED);
	}
	if (up_total != INT64_MIN) {
		__atomic_store_n(&k->up, up, __ATOMIC_RELAXED);
		__atomic_store_n(&k->up_total, up_total, __ATOMIC_RELAXED);
	}
}

void
cap_init(struct capture *k)
{
	memset(k, 0, sizeof *k);
	k->fd = -1;
}

FILE *
out_stdout(void)
{
	struct capture *k = cap_cur;
	if (!k)
		return stdout;
	if (!k->f) {
		cookie_io_functions_t io = { NULL, cookie_write, NULL, NULL };
		k->f = fopencookie(k, "w", io);
		/* Unbuffered: its lines land between the body's bytes in the
		 * order they were written. */
		if (k->f)
			setvbuf(k->f, NULL, _IONBF, 0);
		else
			return stdout;
	}
	return k->f;
}

int
cap_emit(struct capture *k, char *errmsg)
{
	int e = 0;
	flockfile(stdout);
	fflush(stdout);
	if (k->buf && write_fd(STDOUT_FILENO, k->buf, k->len) != 0)
		e = errno;
	if (!e && k->fd >= 0 && lseek(k->fd, 0, SEEK_SET) == 0) {
		char b[65536];
		ssize_t n;
		while (!e && ((n = read(k->fd, b, sizeof b)) > 0 ||
		              (n < 0 && errno == EINTR)))
			if (n > 0 && write_fd(STDOUT_FILENO, b, (size_t)n) != 0)
				e = errno;
	}
	funlockfile(stdout);
	if (e)
		snprintf(errmsg, NK_ERR_MSG_LEN, "writing to stdout: %s",
		         strerror(e));
	return e ? NK_ERR_WRITE_ERROR : 0;
}

void
cap_free(struct capture *k)
{
	/* cap_init below clears the counters the meter still adds up. */
	if (k->f)
		fclose(k->f);
	if (k->fd >= 0)
		close(k->fd);
	free(k->buf);
	cap_init(k);
}
