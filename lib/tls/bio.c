/* tls bio: the socket under OpenSSL. OpenSSL's own socket BIO writes with
 * write(), which raises SIGPIPE on a closed connection; a library must not
 * kill its caller, so this one uses send(MSG_NOSIGNAL). It also remembers
 * EOF for BIO_CTRL_EOF, which lets OpenSSL tell a truncation (EOF without
 * close_notify) from other errors, and buffers what it receives. Its data
 * is the tls_conn (conn_ops.c), whose rbuf, roff, rlen and bio_eof it owns.
 * Under TLS inside TLS (t->lower, an HTTPS proxy's tunnel) the same BIO
 * moves the bytes through the outer session's conn instead of the socket,
 * its "would block" turned into OpenSSL's retry flags. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/bio.h>

#include "tls/tls_int.h"

/* The receive buffer: one recv() takes what the kernel has, up to this,
 * and OpenSSL's reads of a record header and body are served from it by
 * memcpy. OpenSSL's own read-ahead would do the recv() part, but OpenSSL
 * 3.0 moves the unread rest of its buffer to the front before every
 * record (ssl3_read_n aligns the payload), which for a 256 KiB buffer
 * copied every byte 7.4 times (docs/BENCHMARKS.md). 64 KiB, four records:
 * over 1 GiB from nginx on loopback, 64, 128 and 256 KiB cost the same
 * client CPU within the noise (21000, 8400 and 7400 recv() calls), and
 * 64 KiB keeps 0.2-0.3 MiB off the peak RSS. Allocated at the first read,
 * kept as long as the connection. */
#define RECV_BUF_LEN (64 * 1024)

/* What the outer session wants before it can go on, as OpenSSL's retry
 * flags: a read of ours may need it to write, and a write to read. */
static void
set_retry(BIO *b, int want)
{
	if (want & NK_WANT_WRITE)
		BIO_set_retry_write(b);
	else
		BIO_set_retry_read(b);
}

/* A write into the outer session. Its error has been said there (and is
 * sticky); here it is a reset connection, as the socket would say. */
static int
lower_write(BIO *b, struct tls_conn *t, const char *buf, size_t len,
            size_t *written)
{
	int want;
	if (nk_conn_try_write(t->lower, buf, len, written, &want, NULL)) {
		errno = ECONNRESET;
		return 0;
	}
	if (*written > 0)
		return 1;
	if (want)
		set_retry(b, want);
	return 0;
}

/* recv() from the outer session into rbuf: > 0 bytes, 0 its EOF, -1 with
 * errno EAGAIN (retry flags set) or an error. */
static ssize_t
lower_recv(BIO *b, struct tls_conn *t)
{
	size_t n;
	int want;
	if (nk_conn_try_read(t->lower, t->rbuf, RECV_BUF_LEN, &n, &want, NULL)) {
		errno = ECONNRESET;
		return -1;
	}
	if (n > 0 || !want)
		return (ssize_t)n;
	set_retry(b, want);
	errno = EAGAIN;
	return -1;
}

static int
bio_write(BIO *b, const char *buf, size_t len, size_t *written)
{
	struct tls_conn *t = BIO_get_data(b);
	BIO_clear_retry_flags(b);
	*written = 0;
	if (t->lower)
		return lower_write(b, t, buf, len, written);
	for (;;) {
		ssize_t r = send(t->fd, buf, len, MSG_NOSIGNAL);
		if (r >= 0) {
			*written = (size_t)r;
			return 1;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			BIO_set_retry_write(b);
		return 0;
	}
}

/* OpenSSL (without read-ahead) asks for exactly what it needs: a 5-byte
 * record header, then the record. Both come out of rbuf; only an empty
 * rbuf calls recv(), and then for all the kernel has. A read that asks
 * for more than rbuf holds gets what there is, so nothing is ever moved
 * inside rbuf: OpenSSL asks again for the rest. */
static int
bio_read(BIO *b, char *buf, size_t len, size_t *got)
{
	struct tls_conn *t = BIO_get_data(b);
	BIO_clear_retry_flags(b);
	*got = 0;
	if (len == 0)
		return 0;
	while (t->roff == t->rlen) {
		if (!t->rbuf && !(t->rbuf = malloc(RECV_BUF_LEN))) {
			errno = ENOMEM;
			return 0;
		}
		ssize_t r = t->lower ? lower_recv(b, t)
		            : recv(t->fd, t->rbuf, RECV_BUF_LEN, 0);
		if (r > 0) {
			t->roff = 0;
			t->rlen = (size_t)r;
			break;
		}
		if (r == 0) {
			t->bio_eof = 1;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if ((errno == EAGAIN || errno == EWOULDBLOCK) && !t->lower)
			BIO_set_retry_read(b);
		return 0;
	}
	size_t n = t->rlen - t->roff;
	if (n > len)
		n = len;
	memcpy(buf, t->rbuf + t->roff, n);
	t->roff += n;
	*got = n;
	return 1;
}

static long
bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct tls_conn *t = BIO_get_data(b);
	(void)num;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_EOF:
		return t && t->bio_eof;
	case BIO_CTRL_PENDING:
		return t ? (long)nk_tls_bio_buffered(t) : 0;
	case BIO_C_GET_FD:
		if (!t)
			return -1;
		if (ptr)
			*(int *)ptr = t->fd;
		return t->fd;
	default:
		return 0;
	}
}

static int
bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

BIO_METHOD *
nk_tls_bio_method_new(void)
{
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
	                             "nk socket");
	if (!m)
		return NULL;
	BIO_meth_set_write_ex(m, bio_write);
	BIO_meth_set_read_ex(m, bio_read);
	BIO_meth_set_ctrl(m, bio_ctrl);
	BIO_meth_set_create(m, bio_create);
	return m;
}
