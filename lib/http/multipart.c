/* multipart: the multipart/form-data body as curl 7.88 sends it
 * (include/nk/multipart.h): each part's head, the boundary, the body
 * as pieces and the reading of it. The wire rules below were read off
 * what curl 7.88.1 sends (tests/data/multipart/README). curl's -F syntax
 * is multipart_arg.c's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "nk/buf.h"
#include "nk/multipart.h"
#include "core/internal.h"
#include "http/multipart_int.h"

/* ---- what a part may hold ------------------------------------------ */

nk_err
nk_multipart_oom(char *errmsg)
{
	return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "form field: out of memory");
}

static int
has_line_break(const char *s)
{
	return s && strpbrk(s, "\r\n") != NULL;
}

/* An empty header line (which curl sends as it is), or a line break in
 * a type or a header, would end the head early: the rest would be read
 * as the part's body, or as a header of nk's making. */
int
nk_multipart_breaks_lines(const nk_multipart_part *p)
{
	int bad = has_line_break(p->type);
	for (size_t i = 0; i < p->num_headers && !bad; i++)
		bad = !p->headers[i][0] || has_line_break(p->headers[i]);
	return bad;
}

/* ---- content types ------------------------------------------------- */

NK_API const char *
nk_multipart_type_for_name(const char *filename)
{
	/* curl's table: the first suffix that matches wins */
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".gif", "image/gif" },        { ".jpg", "image/jpeg" },
		{ ".jpeg", "image/jpeg" },      { ".png", "image/png" },
		{ ".svg", "image/svg+xml" },    { ".txt", "text/plain" },
		{ ".htm", "text/html" },        { ".html", "text/html" },
		{ ".pdf", "application/pdf" },  { ".xml", "application/xml" },
	};
	if (!filename)
		return NULL;
	size_t n = strlen(filename);
	for (size_t i = 0; i < NK_ARRAY_LEN(types); i++) {
		size_t k = strlen(types[i].ext);
		if (n >= k && strcasecmp(filename + n - k, types[i].ext) == 0)
			return types[i].type;
	}
	return NULL;
}

/* The value of the part's first header `name`, matched as curl matches
 * it (the name, any case, then ':' at once), spaces skipped; or NULL. */
static const char *
user_header(const nk_multipart_part *p, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < p->num_headers; i++) {
		const char *h = p->headers[i];
		if (strncasecmp(h, name, n) == 0 && h[n] == ':') {
			for (h += n + 1; *h == ' '; h++)
				;
			return h;
		}
	}
	return NULL;
}

/* The Content-Type curl sends for a part: ;type=, else the value of a
 * Content-Type header, else one guessed from the file name, then from the
 * path, octet-stream for an upload with a name. Standard input is read
 * into memory by curl, so only its file name counts. A guessed text/plain
 * without a file name goes unsaid: it is what a form part means anyway. */
static const char *
part_type(const nk_multipart_part *p)
{
	if (p->type)
		return p->type;
	const char *t = user_header(p, "Content-Type");
	if (t)
		return t;
	t = nk_multipart_type_for_name(p->filename);
	if (!t && p->kind != NK_MULTIPART_VALUE && strcmp(p->path, "-") != 0) {
		t = nk_multipart_type_for_name(p->path);
		if (!t && p->filename)
			t = "application/octet-stream";
	}
	if (t && !p->filename && strcmp(t, "text/plain") == 0)
		t = NULL;
	return t;
}

/* A name or file name inside the quotes of Content-Disposition: '"', CR
 * and LF percent-encoded, as curl 7.81 on does (and the HTML standard). */
static void
put_quoted(nk_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '"')
			nk_buf_adds(b, "%22");
		else if (*s == '\r')
			nk_buf_adds(b, "%0D");
		else if (*s == '\n')
			nk_buf_adds(b, "%0A");
		else
			nk_buf_addc(b, *s);
	}
}

/* The head of a part after its boundary line, through the blank line. */
static void
part_head(nk_buf *b, const nk_multipart_part *p)
{
	if (!user_header(p, "Content-Disposition")) {
		nk_buf_adds(b, "Content-Disposition: form-data");
		if (p->name && *p->name) {
			nk_buf_adds(b, "; name=\"");
			put_quoted(b, p->name);
			nk_buf_adds(b, "\"");
		}
		if (p->filename) {
			nk_buf_adds(b, "; filename=\"");
			put_quoted(b, p->filename);
			nk_buf_adds(b, "\"");
		}
		nk_buf_adds(b, "\r\n");
	}
	const char *t = part_type(p);
	if (t) {
		nk_buf_adds(b, "Content-Type: ");
		nk_buf_adds(b, t);
		nk_buf_adds(b, "\r\n");
	}
	for (size_t i = 0; i < p->num_headers; i++) {
		const char *h = p->headers[i];
		/* the type went out above */
		if (strncasecmp(h, "Content-Type:", 13) == 0)
			continue;
		nk_buf_adds(b, h);
		nk_buf_adds(b, "\r\n");
	}
	nk_buf_adds(b, "\r\n");
}

/* ---- the encoder --------------------------------------------------- */

/* The body is 2n+1 pieces: glue 0, content 0, glue 1, ..., content n-1,
 * glue n. Glue i is the CRLF that ends part i-1 (for i > 0), the
 * delimiter and part i's head; glue n ends the last part and closes. */
struct nk_multipart {
	const nk_multipart_part *parts;
	size_t n;
	char boundary[71];
	char *ctype;
	char **glue;
	size_t *glue_len;
	int64_t length;
	size_t piece;        /* 0..2n; 2n+1: done */
	uint64_t off;        /* bytes of the piece taken */
	uint64_t total;
};

static int
sys_random(unsigned char *buf, size_t n)
{
	while (n > 0) {
		ssize_t r = getrandom(buf, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		buf += r;
		n -= (size_t)r;
	}
	return 0;
}

static nk_multipart_rng_fn rng = sys_random;

void
nk_multipart_set_rng(nk_multipart_rng_fn fn)
{
	rng = fn ? fn : sys_random;
}

static int
random_boundary(char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[8];
	if (rng(r, sizeof r))
		return -1;
	memset(out, '-', 24);
	for (size_t i = 0; i < sizeof r; i++) {
		out[24 + 2 * i] = hex[r[i] >> 4];
		out[25 + 2 * i] = hex[r[i] & 15];
	}
	out[NK_MULTIPART_BOUNDARY_LEN] = '\0';
	return 0;
}

/* RFC 2046's boundary: 1..70 bchars, not ending in a space. */
static int
boundary_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 70 || s[n - 1] == ' ')
		return 0;
	for (; *s; s++)
		if (!strchr("0123456789abcdefghijklmnopqrstuvwxyz"
		            "ABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ", *s))
			return 0;
	return 1;
}

static int
holds(const char *s, size_t n, const char *needle)
{
	return s && n && memmem(s, n, needle, strlen(needle)) != NULL;
}

/* Whether the boundary occurs in bytes the encoder sends: the heads
 * (without their delimiters) and the values in memory. */
static int
collides(const nk_multipart *m, char *const *heads, const char *b)
{
	for (size_t i = 0; i < m->n; i++) {
		const nk_multipart_part *p = &m->parts[i];
		if ((heads[i] && strstr(heads[i], b)) ||
		    (p->kind == NK_MULTIPART_VALUE &&
		     holds(p->value, p->value_len, b)))
			return 1;
	}
	return 0;
}

static nk_err
choose_boundary(nk_multipart *m, char *const *heads, const char *given,
                char *errmsg)
{
	if (given) {
		if (!boundary_ok(given))
			return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
			               "multipart: unusable boundary");
		if (collides(m, heads, given))
			return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
			               "multipart: the boundary occurs in a part");
		memcpy(m->boundary, given, strlen(given) + 1);
		return NK_OK;
	}
	/* a second collision in a row means the parts were made to hold
	 * boundaries, or the generator is broken: give up then */
	for (int tries = 0; tries < 8; tries++) {
		if (random_boundary(m->boundary))
			return nk_fail(errmsg, NK_ERR_FAILED_INIT,
			               "multipart: no random bytes: %s",
			               strerror(errno));
		if (!collides(m, heads, m->boundary))
			return NK_OK;
	}
	return nk_fail(errmsg, NK_ERR_FAILED_INIT, "multipart: no boundary "
	               "that the parts do not hold");
}

static int64_t
content_len(const nk_multipart *m, size_t i)
{
	const nk_multipart_part *p = &m->parts[i];
	return p->kind == NK_MULTIPART_VALUE ? (int64_t)p->value_len : p->size;
}

/* The glue strings, from the heads and the boundary. */
static nk_err
make_glue(nk_multipart *m, char *const *heads, char *errmsg)
{
	m->glue = calloc(m->n + 1, sizeof *m->glue);
	m->glue_len = calloc(m->n + 1, sizeof *m->glue_len);
	if (!m->glue || !m->glue_len)
		return nk_multipart_oom(errmsg);
	int64_t total = 0;
	for (size_t i = 0; i <= m->n; i++) {
		nk_buf b = { 0 };
		nk_buf_adds(&b, i > 0 ? "\r\n--" : "--");
		nk_buf_adds(&b, m->boundary);
		nk_buf_adds(&b, i < m->n ? "\r\n" : "--\r\n");
		if (i < m->n && heads[i])
			nk_buf_adds(&b, heads[i]);
		if (b.err) {
			nk_buf_free(&b);
			return nk_multipart_oom(errmsg);
		}
		m->glue_len[i] = b.len;
		m->glue[i] = nk_buf_take(&b);
		int64_t c = i < m->n ? content_len(m, i) : 0;
		total = total < 0 || c < 0 ? -1 :
		        total + (int64_t)m->glue_len[i] + c;
	}
	m->length = total;
	nk_buf ct = { 0 };
	nk_buf_adds(&ct, "multipart/form-data; boundary=");
	nk_buf_adds(&ct, m->boundary);
	if (ct.err) {
		nk_buf_free(&ct);
		return nk_multipart_oom(errmsg);
	}
	m->ctype = nk_buf_take(&ct);
	return NK_OK;
}

static nk_err
check_part(const nk_multipart_part *p, size_t i, char *errmsg)
{
	if (nk_multipart_breaks_lines(p))
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT, "multipart: "
		               "part %zu: an empty header, or a line break in its "
		               "type or a header", i);
	if (p->kind == NK_MULTIPART_VALUE ? !p->value && p->value_len :
	    !p->path || p->size < -1)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT, "multipart: "
		               "part %zu: no %s", i, p->kind == NK_MULTIPART_VALUE ?
		               "value" : "path or size");
	return NK_OK;
}

static void
settle(nk_multipart *m)
{
	while (m->piece <= 2 * m->n) {
		int64_t len = m->piece % 2 == 0 ? (int64_t)m->glue_len[m->piece / 2] :
		              content_len(m, m->piece / 2);
		if (len < 0 || m->off < (uint64_t)len)
			return;
		m->piece++;
		m->off = 0;
	}
}

NK_API nk_err
nk_multipart_new(const nk_multipart_part *parts, size_t n,
                 const char *boundary, nk_multipart **out, char *errmsg)
{
	nk_err e = NK_OK;
	*out = NULL;
	for (size_t i = 0; i < n && !e; i++)
		e = check_part(&parts[i], i, errmsg);
	if (e)
		return e;
	nk_multipart *m = calloc(1, sizeof *m);
	char **heads = calloc(n + 1, sizeof *heads);
	if (!m || !heads) {
		free(m);
		free(heads);
		return nk_multipart_oom(errmsg);
	}
	m->parts = parts;
	m->n = n;
	for (size_t i = 0; i < n && !e; i++) {
		nk_buf b = { 0 };
		part_head(&b, &parts[i]);
		if (b.err) {
			nk_buf_free(&b);
			e = nk_multipart_oom(errmsg);
		} else {
			heads[i] = nk_buf_take(&b);
		}
	}
	if (!e)
		e = choose_boundary(m, heads, boundary, errmsg);
	if (!e)
		e = make_glue(m, heads, errmsg);
	for (size_t i = 0; i < n; i++)
		free(heads[i]);
	free(heads);
	if (e) {
		nk_multipart_free(m);
		return e;
	}
	settle(m);
	*out = m;
	return NK_OK;
}

NK_API void
nk_multipart_free(nk_multipart *m)
{
	if (!m)
		return;
	for (size_t i = 0; m->glue && i <= m->n; i++)
		free(m->glue[i]);
	free(m->glue);
	free(m->glue_len);
	free(m->ctype);
	free(m);
}

NK_API const char *
nk_multipart_boundary(const nk_multipart *m)
{
	return m->boundary;
}

NK_API const char *
nk_multipart_content_type(const nk_multipart *m)
{
	return m->ctype;
}

NK_API int64_t
nk_multipart_length(const nk_multipart *m)
{
	return m->length;
}

NK_API uint64_t
nk_multipart_offset(const nk_multipart *m)
{
	return m->total;
}

NK_API void
nk_multipart_peek(const nk_multipart *m, nk_multipart_piece *pc)
{
	memset(pc, 0, sizeof *pc);
	if (m->piece > 2 * m->n) {
		pc->kind = NK_MULTIPART_END;
		return;
	}
	if (m->piece % 2 == 0) {
		pc->kind = NK_MULTIPART_BYTES;
		pc->data = m->glue[m->piece / 2] + m->off;
		pc->len = m->glue_len[m->piece / 2] - (size_t)m->off;
		return;
	}
	size_t i = m->piece / 2;
	const nk_multipart_part *p = &m->parts[i];
	if (p->kind == NK_MULTIPART_VALUE) {
		pc->kind = NK_MULTIPART_BYTES;
		pc->data = p->value + m->off;
		pc->len = p->value_len - (size_t)m->off;
		return;
	}
	pc->kind = NK_MULTIPART_STREAM;
	pc->part = i;
	pc->left = p->size < 0 ? -1 : p->size - (int64_t)m->off;
}

NK_API nk_err
nk_multipart_advance(nk_multipart *m, size_t n, char *errmsg)
{
	nk_multipart_piece pc;
	nk_multipart_peek(m, &pc);
	size_t room = pc.kind == NK_MULTIPART_BYTES ? pc.len :
	              pc.kind == NK_MULTIPART_END ? 0 :
	              pc.left < 0 ? SIZE_MAX :
	              (uint64_t)pc.left > SIZE_MAX ? SIZE_MAX : (size_t)pc.left;
	if (n > room)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT, "multipart: "
		               "advance by %zu past the piece's %zu bytes", n, room);
	m->off += n;
	m->total += n;
	settle(m);
	return NK_OK;
}

NK_API nk_err
nk_multipart_stream_eof(nk_multipart *m, char *errmsg)
{
	nk_multipart_piece pc;
	nk_multipart_peek(m, &pc);
	if (pc.kind != NK_MULTIPART_STREAM)
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT,
		               "multipart: end of file outside a file part");
	if (pc.left >= 0)
		return nk_fail(errmsg, NK_ERR_READ_ERROR, "file %s ended after "
		               "%llu of %lld bytes", m->parts[pc.part].path,
		               (unsigned long long)m->off,
		               (long long)m->parts[pc.part].size);
	m->piece++;
	m->off = 0;
	settle(m);
	return NK_OK;
}

NK_API nk_err
nk_multipart_read(nk_multipart *m, char *buf, size_t cap, size_t *got,
                  nk_multipart_read_fn rd, void *ctx, char *errmsg)
{
	*got = 0;
	while (*got < cap) {
		nk_multipart_piece pc;
		size_t want = cap - *got, r = 0;
		nk_err e;
		nk_multipart_peek(m, &pc);
		if (pc.kind == NK_MULTIPART_END)
			break;
		if (pc.kind == NK_MULTIPART_BYTES) {
			r = pc.len < want ? pc.len : want;
			memcpy(buf + *got, pc.data, r);
			e = nk_multipart_advance(m, r, errmsg);
		} else {
			if (pc.left >= 0 && (uint64_t)pc.left < want)
				want = (size_t)pc.left;
			e = rd(ctx, pc.part, buf + *got, want, &r, errmsg);
			if (!e && r > want)
				e = nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT, "multipart: "
				            "the read callback gave %zu of %zu bytes", r, want);
			if (e)
				return e;
			e = r == 0 ? nk_multipart_stream_eof(m, errmsg) :
			    nk_multipart_advance(m, r, errmsg);
			if (!e && r > 0 && r < want) {
				*got += r;
				return NK_OK;   /* what a pipe has now goes now */
			}
		}
		if (e)
			return e;
		*got += r;
	}
	return NK_OK;
}

NK_API void
nk_multipart_rewind(nk_multipart *m)
{
	m->piece = 0;
	m->off = 0;
	m->total = 0;
	settle(m);
}
