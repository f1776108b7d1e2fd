/* source.c: the request body's source, across the hops and tries of
 * one run: reading it, keeping the start of one that cannot seek, and
 * starting it over for a redirect or a retry. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fetch/fetch_int.h"

static int
src_can_seek(const struct src *sr)
{
	const nk_fetch_body *b = sr->b;
	return b->data || (b->fd >= 0 && sr->fd_start >= 0) ||
	       (!b->data && b->fd < 0 && b->rewind);
}

void
src_init(struct src *sr, const nk_fetch_body *b)
{
	memset(sr, 0, sizeof *sr);
	sr->b = b;
	sr->fd_start = -1;
	if (b->data || (!b->read && b->fd < 0)) {
		sr->size = b->data ? (int64_t)b->len : 0;
		return;
	}
	sr->size = b->size < 0 ? -1 : b->size;
	if (b->fd >= 0 && !b->read)
		sr->fd_start = lseek(b->fd, 0, SEEK_CUR);
}

/* Whether src_rewind would work (short of a failing lseek or rewind). */
int
src_restartable(const struct src *sr)
{
	return !sr || !sr->used || src_can_seek(sr) || !sr->kept_over;
}

/* Starts the body again from its first byte. */
nk_err
src_rewind(struct src *sr, const char *why, char *errmsg)
{
	if (!sr || !sr->used)
		return NK_OK;
	const nk_fetch_body *b = sr->b;
	nk_err e = NK_OK;
	if (b->data || (b->fd < 0 && !b->read)) {
		/* memory: nothing to do */
	} else if (b->fd >= 0 && !b->read && sr->fd_start >= 0) {
		if (lseek(b->fd, sr->fd_start, SEEK_SET) < 0)
			e = nk_fail(errmsg, NK_ERR_SEND_FAIL_REWIND, "cannot %s: "
			            "seeking back to the body's start failed: %s",
			            why, strerror(errno));
	} else if (b->read && b->rewind) {
		char msg[NK_ERR_MSG_LEN] = "";
		e = b->rewind(b->ctx, msg);
		if (e)
			e = nk_fail(errmsg, NK_ERR_SEND_FAIL_REWIND, "cannot %s: "
			            "the body's rewind failed: %s", why, msg);
	} else if (!sr->kept_over) {
		sr->replay = 0;
	} else {
		e = nk_fail(errmsg, NK_ERR_SEND_FAIL_REWIND, "cannot %s: the "
		            "request body came from a source that cannot be read "
		            "again (a pipe, say), and its first %d KiB, all that "
		            "was kept, were not all of it", why, KEEP_MAX / 1024);
	}
	if (!e) {
		sr->pos = 0;
		sr->used = 0;
	}
	return e;
}

/* Keeps what a source that cannot rewind gave, while it is small. */
static void
src_keep(struct src *sr, const char *p, size_t n)
{
	if (src_can_seek(sr) || sr->kept_over)
		return;
	if (sr->kept_len + n > KEEP_MAX) {
		free(sr->kept);
		sr->kept = NULL;
		sr->kept_over = 1;
		return;
	}
	if (!sr->kept && !(sr->kept = malloc(KEEP_MAX))) {
		sr->kept_over = 1;
		return;
	}
	memcpy(sr->kept + sr->kept_len, p, n);
	sr->kept_len += n;
	sr->replay = sr->kept_len;
}

/* Reads up to cap body bytes from a descriptor or callback source: *n = 0
 * at the end; *wait when a descriptor has nothing yet. */
nk_err
src_read(struct src *sr, char *buf, size_t cap, size_t *n, int *wait,
         char *errmsg)
{
	const nk_fetch_body *b = sr->b;
	*n = 0;
	*wait = 0;
	if (sr->size >= 0 && (int64_t)sr->pos >= sr->size)
		return NK_OK;
	if (sr->size >= 0 && (uint64_t)(sr->size - (int64_t)sr->pos) < cap)
		cap = (size_t)(sr->size - (int64_t)sr->pos);
	sr->used = 1;
	if (sr->replay < sr->kept_len) {
		size_t k = sr->kept_len - sr->replay < cap ? sr->kept_len - sr->replay
		                                          : cap;
		memcpy(buf, sr->kept + sr->replay, k);
		sr->replay += k;
		sr->pos += k;
		*n = k;
		return NK_OK;
	}
	ssize_t r;
	if (b->read) {
		char msg[NK_ERR_MSG_LEN] = "";
		r = b->read(b->ctx, buf, cap, msg);
		if (r < 0)
			return nk_fail(errmsg, NK_ERR_READ_ERROR, "reading the request "
			               "body: %s", msg[0] ? msg : "the source failed");
	} else {
		struct pollfd p = { b->fd, POLLIN, 0 };
		if (sr->fd_start < 0 && poll(&p, 1, 0) == 0) {
			*wait = 1;
			return NK_OK;
		}
		do
			r = read(b->fd, buf, cap);
		while (r < 0 && errno == EINTR);
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			*wait = 1;
			return NK_OK;
		}
		if (r < 0)
			return nk_fail(errmsg, NK_ERR_READ_ERROR, "reading the request "
			               "body: %s", strerror(errno));
	}
	if (r == 0 && sr->size >= 0)
		return nk_fail(errmsg, NK_ERR_READ_ERROR, "the request body ended "
		               "after %llu of its %lld bytes",
		               (unsigned long long)sr->pos, (long long)sr->size);
	src_keep(sr, buf, (size_t)r);
	sr->pos += (size_t)r;
	*n = (size_t)r;
	return NK_OK;
}
