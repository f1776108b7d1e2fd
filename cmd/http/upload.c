/* -T/--upload-file: the file a PUT sends, and the URL it goes to. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "http.h"

/* Whether the byte goes into a URL path as it is (RFC 3986 unreserved). */
static int
unreserved(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
	       ch == '_' || ch == '~';
}

/* The URL with the file's base name added where its path ends in '/' (or
 * is empty), percent-encoded; NULL with *keep when it stays as it is. */
static char *
upload_url(const char *url, const char *file, int *keep)
{
	*keep = 1;
	if (strcmp(file, "-") == 0)
		return NULL;
	const char *auth = strstr(url, "://");
	auth = auth ? auth + 3 : url;
	const char *pend = auth + strcspn(auth, "?#");
	const char *slash = memchr(auth, '/', (size_t)(pend - auth));
	if (slash && pend[-1] != '/')
		return NULL;
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	size_t blen = strlen(base);
	size_t cap = strlen(url) + 3 * blen + 2;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	*keep = 0;
	char *q = out;
	memcpy(q, url, (size_t)(pend - url));
	q += pend - url;
	if (!slash)
		*q++ = '/';
	for (const unsigned char *p = (const unsigned char *)base; *p; p++) {
		if (unreserved(*p)) {
			*q++ = (char)*p;
		} else {
			snprintf(q, 4, "%%%02X", *p);
			q += 3;
		}
	}
	snprintf(q, cap - (size_t)(q - out), "%s", pend);
	return out;
}

int
upload_open(struct upload *u, const char *file, const char *url,
            char *errmsg)
{
	memset(u, 0, sizeof *u);
	u->fd = -1;
	int in = strcmp(file, "-") == 0;
	u->fd = in ? STDIN_FILENO : open(file, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (u->fd < 0 || fstat(u->fd, &st) != 0 ||
	    (S_ISDIR(st.st_mode) && (errno = EISDIR))) {
		snprintf(errmsg, NK_ERR_MSG_LEN, "cannot read %s: %s",
		         in ? "standard input" : file, strerror(errno));
		upload_close(u);
		return NK_ERR_READ_ERROR;
	}
	u->owned = !in;
	u->body.fd = u->fd;
	/* The size of what is left from the current offset: a file given
	 * on standard input may have been read from already. */
	off_t at = S_ISREG(st.st_mode) ? lseek(u->fd, 0, SEEK_CUR) : -1;
	u->body.size = at >= 0 && st.st_size >= at ? st.st_size - at : -1;
	u->body.expect_always = 1;
	int keep;
	u->url = upload_url(url, file, &keep);
	if (!u->url && !keep) {
		upload_close(u);
		snprintf(errmsg, NK_ERR_MSG_LEN, "out of memory");
		return NK_ERR_OUT_OF_MEMORY;
	}
	return 0;
}

void
upload_close(struct upload *u)
{
	if (u->owned && u->fd >= 0)
		close(u->fd);
	u->fd = -1;
	free(u->url);
	u->url = NULL;
}
