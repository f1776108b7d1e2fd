/* nk-http's data options, read as curl 7.88 reads them: every file and
 * standard input is read while the options are parsed (so a missing file
 * stops nk before any connection), and the pieces are joined into one body
 * in memory, which libnk sends from there. */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>

#include "nk/buf.h"
#include "nk/err.h"
#include "data.h"

/* Every buffer here has no cap of its own: any failed append, past
 * SIZE_MAX / 2 as well, is reported as curl reports it, out of memory. */
static nk_err
oom(char *errmsg)
{
	return nk_err_set(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
}

static nk_err
read_error(const char *name, int err, char *errmsg)
{
	return nk_err_set(errmsg, NK_ERR_READ_ERROR,
	                  "cannot read data from %s: %s", name, strerror(err));
}

/* Unlike curl 7.88, which warns and sends an empty body, a file that
 * cannot be read stops nk with 26: a script should not POST nothing in
 * silence. */
nk_err
data_read_source(const char *path, nk_buf *b, char *errmsg)
{
	int is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "standard input" : path;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		goto fail;
	/* A directory opens but reads EISDIR; say so before reading. */
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	for (;;) {
		char chunk[65536];
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		if (nk_buf_add(b, chunk, (size_t)n) != 0) {
			if (!is_stdin)
				close(fd);
			return oom(errmsg);
		}
	}
	if (!is_stdin)
		close(fd);
	return 0;
fail:;
	int err = errno;
	if (fd >= 0 && !is_stdin)
		close(fd);
	return read_error(name, err, errmsg);
}

int
data_strip_lines(nk_buf *b, const char *s, size_t len)
{
	size_t pos = 0;
	while (pos < len) {
		/* One fgets() call of curl's 256-byte buffer. */
		size_t end = pos;
		while (end < len && end - pos < 255)
			if (s[end++] == '\n')
				break;
		size_t keep = 0;
		while (pos + keep < end && s[pos + keep] != '\r' &&
		       s[pos + keep] != '\n' && s[pos + keep] != '\0')
			keep++;
		if (nk_buf_add(b, s + pos, keep) != 0)
			return -1;
		pos = end;
	}
	return 0;
}

int
data_urlencode_bytes(nk_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		    c == '~')
			nk_buf_addc(b, (char)c);
		else if (c == ' ')
			nk_buf_addc(b, '+');
		else {
			char esc[3] = { '%', hex[c >> 4], hex[c & 15] };
			nk_buf_add(b, esc, 3);
		}
	}
	return b->err ? -1 : 0;
}

/* --data-urlencode's forms: "text", "=text", "name=text", "@file",
 * "name@file"; only the text is escaped. The first '=' splits, else the
 * first '@'. */
static nk_err
urlencode_arg(const char *arg, nk_buf *out, char *errmsg)
{
	const char *sep = strchr(arg, '=');
	if (!sep)
		sep = strchr(arg, '@');
	const char *text = sep ? sep + 1 : arg;
	size_t tlen = strlen(text);
	nk_buf file = NK_BUF_INIT(0);
	if (sep && *sep == '@') {
		nk_err e = data_read_source(text, &file, errmsg);
		if (e)
			return e;
		/* curl sends an empty file as nothing at all, not "name=". */
		if (file.len == 0)
			return 0;
		text = file.p;
		tlen = file.len;
	}
	if (sep && sep > arg) {
		nk_buf_add(out, arg, (size_t)(sep - arg));
		nk_buf_addc(out, '=');
	}
	int r = data_urlencode_bytes(out, text, tlen);
	nk_buf_free(&file);
	return r ? oom(errmsg) : NK_OK;
}

/* Appends piece to to, after an '&' when amp: 0, or -1 when out of
 * memory. */
static int
join(nk_buf *to, int amp, const nk_buf *piece)
{
	if (amp)
		nk_buf_addc(to, '&');
	return nk_buf_add(to, piece->p, piece->len);
}

/* Each piece after the first is joined with '&', but --json's pieces are
 * glued on as they are (curl 7.88). */
nk_err
data_add(struct data *d, enum data_kind kind, const char *arg, char *errmsg)
{
	nk_buf piece = NK_BUF_INIT(0);
	nk_err e = NK_OK;
	if (kind == DATA_URLENCODE) {
		e = urlencode_arg(arg, &piece, errmsg);
	} else if (arg[0] == '@' && kind != DATA_RAW) {
		nk_buf file = NK_BUF_INIT(0);
		e = data_read_source(arg + 1, &file, errmsg);
		if (!e && kind == DATA_ASCII) {
			if (data_strip_lines(&piece, file.p, file.len) != 0)
				e = oom(errmsg);
			nk_buf_free(&file);
		} else {
			piece = file;
		}
	} else if (nk_buf_adds(&piece, arg) != 0) {
		e = oom(errmsg);
	}
	if (!e && join(&d->post, d->given && kind != DATA_JSON, &piece) != 0)
		e = oom(errmsg);
	nk_buf_free(&piece);
	if (e)
		return e;
	d->given = 1;
	if (kind == DATA_JSON)
		d->json = 1;
	return 0;
}

nk_err
data_url_query(struct data *d, const char *arg, char *errmsg)
{
	nk_buf piece = NK_BUF_INIT(0);
	nk_err e = NK_OK;
	if (arg[0] == '+') {
		if (nk_buf_adds(&piece, arg + 1) != 0)
			e = oom(errmsg);
	} else {
		e = urlencode_arg(arg, &piece, errmsg);
	}
	if (!e && join(&d->query, d->query_given, &piece) != 0)
		e = oom(errmsg);
	nk_buf_free(&piece);
	if (e)
		return e;
	d->query_given = 1;
	return 0;
}

static int
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

char *
data_url_append(const char *url, const char *add, size_t addlen)
{
	const char *hash = strchr(url, '#');
	size_t base = hash ? (size_t)(hash - url) : strlen(url);
	const char *q = memchr(url, '?', base);
	const char *sep = !q ? "?"
	                  : (q + 1 < url + base && url[base - 1] != '&') ? "&"
	                  : "";
	nk_buf b = NK_BUF_INIT(0);
	nk_buf_add(&b, url, base);
	nk_buf_adds(&b, sep);
	size_t at = b.len;
	nk_buf_add(&b, add, addlen);
	nk_buf_adds(&b, url + base);
	/* libcurl 7.88 sends the escapes of an appended query in lower
	 * case; so does nk, for the same bytes on the wire. */
	for (size_t i = at; !b.err && i + 2 < at + addlen; i++)
		if (b.p[i] == '%' && is_hex(b.p[i + 1]) && is_hex(b.p[i + 2])) {
			b.p[i + 1] = (char)(b.p[i + 1] | 0x20);
			b.p[i + 2] = (char)(b.p[i + 2] | 0x20);
		}
	return nk_buf_take(&b);
}

/* Which of the user's -H lines sets (or removes) header `name`, as curl
 * checks before adding --json's: its index, or -1. */
static long
find_header(const char *const *hdrs, size_t n, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < n; i++)
		if (strncasecmp(hdrs[i], name, len) == 0 &&
		    (hdrs[i][len] == ':' || hdrs[i][len] == ';'))
			return (long)i;
	return -1;
}

/* ;headers=@file: a file that cannot be read is skipped, as curl skips
 * it (with a warning). */
static nk_err
load_headers(void *ctx, const char *path, char **data, size_t *len,
             char *errmsg)
{
	(void)ctx;
	nk_buf b = NK_BUF_INIT(0);
	nk_err e = data_read_source(path, &b, errmsg);
	if (e == NK_ERR_OUT_OF_MEMORY)
		return e;
	*data = e ? NULL : b.p;
	*len = e ? 0 : b.len;
	if (e)
		nk_buf_free(&b);
	return NK_OK;
}

/* Opens a file part's file, or reads standard input whole (curl 7.88
 * sends it with a Content-Length), and sets the part's size. */
static nk_err
form_open(nk_multipart_part *p, struct data_file *f, char *errmsg)
{
	if (strcmp(p->path, "-") == 0) {
		nk_err e = data_read_source("-", &f->mem, errmsg);
		p->size = (int64_t)f->mem.len;
		return e;
	}
	struct stat st;
	f->fd = open(p->path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0 || fstat(f->fd, &st) != 0)
		return read_error(p->path, errno, errmsg);
	if (S_ISDIR(st.st_mode))
		return read_error(p->path, EISDIR, errmsg);
	/* A pipe's length is not known: the body goes chunked. */
	p->size = S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
	return NK_OK;
}

nk_err
data_form(struct data *d, const char *arg, int literal, char *errmsg)
{
	size_t n = d->nparts;
	nk_multipart_part *parts = realloc(d->parts, (n + 1) * sizeof *parts);
	if (parts)
		d->parts = parts;
	struct data_file *files = realloc(d->files, (n + 1) * sizeof *files);
	if (files)
		d->files = files;
	if (!parts || !files)
		return oom(errmsg);
	memset(&files[n], 0, sizeof files[n]);
	files[n].fd = -1;
	nk_err e = nk_multipart_parse_arg(arg, literal ? NK_MULTIPART_LITERAL
	                                  : 0, load_headers, NULL, &parts[n],
	                                  errmsg);
	/* Counted at once, so data_free frees what the part holds. */
	d->nparts = n + 1;
	if (!e && parts[n].kind != NK_MULTIPART_VALUE)
		e = form_open(&parts[n], &files[n], errmsg);
	return e;
}

/* The body's file bytes, for nk_multipart_read. */
static nk_err
form_file_read(void *ctx, size_t part, char *buf, size_t cap, size_t *got,
               char *errmsg)
{
	struct data *d = ctx;
	struct data_file *f = &d->files[part];
	if (f->fd < 0) {
		size_t n = f->mem.len - f->off;
		*got = n < cap ? n : cap;
		if (*got)
			memcpy(buf, f->mem.p + f->off, *got);
		f->off += *got;
		return NK_OK;
	}
	ssize_t r;
	do
		r = read(f->fd, buf, cap);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return read_error(d->parts[part].path, errno, errmsg);
	*got = (size_t)r;
	return NK_OK;
}

static ssize_t
form_read(void *ctx, char *buf, size_t len, char *errmsg)
{
	struct data *d = ctx;
	size_t got;
	if (nk_multipart_read(d->form, buf, len, &got, form_file_read, d,
	                      errmsg) != NK_OK)
		return -1;
	return (ssize_t)got;
}

/* For a redirect (307, 308) or a retry: every file back to its start. A
 * pipe cannot go back. */
static nk_err
form_rewind(void *ctx, char *errmsg)
{
	struct data *d = ctx;
	for (size_t i = 0; i < d->nparts; i++) {
		struct data_file *f = &d->files[i];
		f->off = 0;
		if (f->fd >= 0 && lseek(f->fd, 0, SEEK_SET) != 0) {
			return nk_err_set(errmsg, NK_ERR_SEND_FAIL_REWIND,
			                  "cannot send the form again: %s cannot "
			                  "be read from its start again: %s",
			                  d->parts[i].path, strerror(errno));
		}
	}
	nk_multipart_rewind(d->form);
	return NK_OK;
}

/* The body of -F parts. A Content-Type the user gave replaces the form's,
 * with the boundary added, where curl sends it (the user's line is taken
 * out of the -H lines). */
static nk_err
form_body(struct data *d, const char **hdrs, size_t *nhdrs, char *errmsg)
{
	if (d->given) {
		return nk_err_set(errmsg, NK_ERR_FAILED_INIT, "You can only "
		                  "select one HTTP request method! You asked for "
		                  "both %s and multipart formpost (-F, --form).",
		                  d->get ? "GET (-G, --get)"
		                  : "POST (-d, --data)");
	}
	nk_err e = nk_multipart_new(d->parts, d->nparts, NULL, &d->form,
	                            errmsg);
	if (e)
		return e;
	memset(&d->body, 0, sizeof d->body);
	d->body.fd = -1;
	d->body.size = nk_multipart_length(d->form);
	d->body.read = form_read;
	d->body.rewind = form_rewind;
	d->body.ctx = d;
	d->body.content_type = nk_multipart_content_type(d->form);
	long i = find_header(hdrs, *nhdrs, "Content-Type");
	const char *v = i < 0 ? NULL : hdrs[i] + strlen("Content-Type");
	if (!v || *v++ != ':')
		return NK_OK;
	v += strspn(v, " \t");
	if (!*v)
		return NK_OK;
	const char *b = nk_multipart_boundary(d->form);
	nk_buf type = NK_BUF_INIT(0);
	nk_buf_printf(&type, "%s; boundary=%s", v, b);
	d->form_type = nk_buf_take(&type);
	if (!d->form_type)
		return oom(errmsg);
	d->body.content_type = d->form_type;
	memmove(&hdrs[i], &hdrs[i + 1], (*nhdrs - (size_t)i - 1) * sizeof *hdrs);
	(*nhdrs)--;
	return NK_OK;
}

/* Puts -G's data and --url-query's text into every URL. With both, curl
 * 7.88 drops --url-query's; nk sends both, -G's first. */
static nk_err
add_queries(struct data *d, const char **urls, size_t n, char *errmsg)
{
	nk_buf add = NK_BUF_INIT(0);
	if (d->get && d->given)
		nk_buf_add(&add, d->post.p, d->post.len);
	if (d->query_given && d->query.len)
		join(&add, add.len > 0, &d->query);
	int r = add.err != 0;
	if (!r && add.len) {
		d->urls = calloc(n, sizeof *d->urls);
		r = !d->urls;
		for (size_t i = 0; !r && i < n; i++) {
			d->urls[i] = data_url_append(urls[i], add.p, add.len);
			r = !d->urls[i];
			d->nurls = i + 1;
			urls[i] = d->urls[i];
		}
	}
	nk_buf_free(&add);
	return r ? oom(errmsg) : NK_OK;
}

nk_err
data_finish(struct data *d, const char **urls, size_t n,
            const char **hdrs, size_t *nhdrs, nk_fetch_body **body,
            char *errmsg)
{
	*body = NULL;
	if (d->nparts) {
		nk_err e = form_body(d, hdrs, nhdrs, errmsg);
		if (e)
			return e;
		*body = &d->body;
	}
	/* curl adds --json's two headers as if given with -H, after the
	 * user's: that is where they go on the wire. */
	if (d->json) {
		if (find_header(hdrs, *nhdrs, "Content-Type") < 0)
			d->headers[d->nheaders++] = "Content-Type: application/json";
		if (find_header(hdrs, *nhdrs, "Accept") < 0)
			d->headers[d->nheaders++] = "Accept: application/json";
	}
	nk_err e = add_queries(d, urls, n, errmsg);
	if (e || !d->given || d->get)
		return e;
	memset(&d->body, 0, sizeof d->body);
	d->body.data = nk_buf_str(&d->post);
	d->body.len = d->post.len;
	d->body.size = (int64_t)d->post.len;
	d->body.fd = -1;
	d->body.content_type = d->json ? NULL
	                       : "application/x-www-form-urlencoded";
	*body = &d->body;
	return 0;
}

void
data_free(struct data *d)
{
	nk_buf_free(&d->post);
	nk_buf_free(&d->query);
	for (size_t i = 0; i < d->nurls; i++)
		free(d->urls[i]);
	free(d->urls);
	nk_multipart_free(d->form);
	for (size_t i = 0; i < d->nparts; i++) {
		nk_multipart_part_clear(&d->parts[i]);
		if (d->files[i].fd >= 0)
			close(d->files[i].fd);
		nk_buf_free(&d->files[i].mem);
	}
	free(d->parts);
	free(d->files);
	free(d->form_type);
	memset(d, 0, sizeof *d);
}
