/* Unit tests of nk/multipart.h: the -F parser, field by field and its
 * errors; the encoder against the bodies curl 7.88.1 sent for the same
 * arguments (tests/data/multipart, byte for byte, with curl's boundary
 * given to nk); and the encoder's contract: the same body however it is
 * pulled (every read size, every split of peek/advance), Content-Length
 * equal to what comes out, file parts of known and unknown size, rewind,
 * a boundary drawn again when the parts hold it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "nk/multipart.h"
#include "http/multipart_int.h"

#define NK_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *p = malloc(cap);
	size_t r;
	while (p && (r = fread(p + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			char *q = realloc(p, cap *= 2);
			if (!q) {
				free(p);
				p = NULL;
			}
			p = q;
		}
	}
	fclose(f);
	*len = n;
	return p;
}

static const char *
data_dir(void)
{
	static char dir[4096];
	const char *src = getenv("NK_SRCDIR");
	snprintf(dir, sizeof dir, "%s/tests/data/multipart",
	         src && *src ? src : ".");
	return dir;
}

/* ---- file parts from memory ---------------------------------------- */

struct files {
	const char *data[8];     /* contents per part index */
	size_t len[8];
	size_t off[8];
	size_t max_read;         /* 0: no limit */
	int fail_part;           /* part whose read fails, or -1 */
};

static nk_err
mem_read(void *ctx, size_t part, char *buf, size_t cap, size_t *got,
         char *errmsg)
{
	struct files *f = ctx;
	assert_true(part < 8);
	if ((int)part == f->fail_part) {
		snprintf(errmsg, NK_ERR_MSG_LEN, "read part %zu: test", part);
		return NK_ERR_READ_ERROR;
	}
	size_t n = f->len[part] - f->off[part];
	if (n > cap)
		n = cap;
	if (f->max_read && n > f->max_read)
		n = f->max_read;
	memcpy(buf, f->data[part] + f->off[part], n);
	f->off[part] += n;
	*got = n;
	return NK_OK;
}

static void
files_rewind(struct files *f)
{
	memset(f->off, 0, sizeof f->off);
}

/* The whole body, pulled `chunk` bytes at a time. */
static char *
read_all(nk_multipart *m, struct files *f, size_t chunk, size_t *len)
{
	size_t cap = 1 << 16, n = 0, got;
	char *out = malloc(cap);
	char msg[NK_ERR_MSG_LEN] = "";
	assert_non_null(out);
	for (;;) {
		assert_true(n + chunk <= cap);
		nk_err e = nk_multipart_read(m, out + n, chunk, &got, mem_read, f,
		                             msg);
		if (e)
			fail_msg("nk_multipart_read: %s", msg);
		if (got == 0)
			break;
		n += got;
	}
	*len = n;
	return out;
}

/* ---- the -F parser ------------------------------------------------- */

/* The row being checked, on one TAP comment line. */
static void
print_arg(const char *arg)
{
	char line[256];
	size_t n = 0;
	for (; *arg && n < sizeof line - 1; arg++)
		line[n++] = *arg == '\r' || *arg == '\n' ? '?' : *arg;
	line[n] = '\0';
	print_message("# %s\n", line);
}

static nk_err
load_hdrs(void *ctx, const char *path, char **data, size_t *len,
          char *errmsg)
{
	(void)errmsg;
	const char *dir = ctx;
	char full[4200];
	snprintf(full, sizeof full, "%s/%s", dir, path);
	*data = slurp(full, len);   /* unreadable: skipped, as curl does */
	return NK_OK;
}

struct prow {
	const char *arg;
	unsigned flags;
	nk_multipart_kind kind;
	const char *name, *value, *path, *filename, *type;
	const char *headers;     /* "line\n" each */
};

static const struct prow prows[] = {
	{ "a=b", 0, NK_MULTIPART_VALUE, "a", "b", NULL, NULL, NULL, "" },
	{ "a=", 0, NK_MULTIPART_VALUE, "a", "", NULL, NULL, NULL, "" },
	{ "=v", 0, NK_MULTIPART_VALUE, NULL, "v", NULL, NULL, NULL, "" },
	{ "a==b;c", 0, NK_MULTIPART_VALUE, "a", "=b", NULL, NULL, NULL, "" },
	{ "a=)", 0, NK_MULTIPART_VALUE, "a", ")", NULL, NULL, NULL, "" },
	{ "a=  v w  ", 0, NK_MULTIPART_VALUE, "a", "v w", NULL, NULL, NULL, "" },
	{ "a=\"  q \\\" \\\\ \\n \"", 0, NK_MULTIPART_VALUE, "a",
	  "  q \" \\ \\n ", NULL, NULL, NULL, "" },
	{ "a=\"open", 0, NK_MULTIPART_VALUE, "a", "\"open", NULL, NULL, NULL, "" },
	{ "a=\"q\" junk ;type=x/y", 0, NK_MULTIPART_VALUE, "a", "q", NULL, NULL,
	  "x/y", "" },
	{ "a=@dir/f.txt", 0, NK_MULTIPART_FILE, "a", NULL, "dir/f.txt", "f.txt",
	  NULL, "" },
	{ "a=@dir/", 0, NK_MULTIPART_FILE, "a", NULL, "dir/", "dir", NULL, "" },
	{ "a=@", 0, NK_MULTIPART_FILE, "a", NULL, "", "", NULL, "" },
	{ "a=@-", 0, NK_MULTIPART_FILE, "a", NULL, "-", "-", NULL, "" },
	{ "a=@\"x,y;z\";filename=\"f\\\"g\"", 0, NK_MULTIPART_FILE, "a", NULL,
	  "x,y;z", "f\"g", NULL, "" },
	{ "a=@f;type=text/plain; charset=utf-8;filename=n;type=a/b", 0,
	  NK_MULTIPART_FILE, "a", NULL, "f", "n", "a/b", "" },
	{ "a=@f;type=a/b;type=c/d", 0, NK_MULTIPART_FILE, "a", NULL, "f", "f",
	  "a/b;type=c/d", "" },
	{ "a=@f;type=a/b;\t ", 0, NK_MULTIPART_FILE, "a", NULL, "f", "f",
	  "a/b;\t ", "" },
	{ "a=<f;filename=x;TYPE= a/b c ", 0, NK_MULTIPART_FILE_CONTENT, "a", NULL,
	  "f", NULL, "a/b c", "" },
	{ "a=v;headers=X: 1;headers=\"Y: 2;3\";Headers=  Z: 4  ", 0,
	  NK_MULTIPART_VALUE, "a", "v", NULL, NULL, NULL, "X: 1\nY: 2;3\nZ: 4\n" },
	{ "a=v;headers=@hdrs", 0, NK_MULTIPART_VALUE, "a", "v", NULL, NULL, NULL,
	  "X-A: 1\nX-B: two  continued\nX-C: crlf\nX-D: trailing\n" },
	{ "a=v;headers=<missing-file", 0, NK_MULTIPART_VALUE, "a", "v", NULL,
	  NULL, NULL, "" },
	{ "a=v;what=ever;\"x;y\";filename=", 0, NK_MULTIPART_VALUE, "a", "v",
	  NULL, "", NULL, "" },
	{ "a=@x;y", NK_MULTIPART_LITERAL, NK_MULTIPART_VALUE, "a", "@x;y", NULL,
	  NULL, NULL, "" },
	{ "=(\"x\"", NK_MULTIPART_LITERAL, NK_MULTIPART_VALUE, NULL, "(\"x\"",
	  NULL, NULL, NULL, "" },
};

static void
test_parse(void **state)
{
	(void)state;
	char dir[4200];
	snprintf(dir, sizeof dir, "%s/files", data_dir());
	for (size_t i = 0; i < NK_ARRAY_LEN(prows); i++) {
		const struct prow *r = &prows[i];
		nk_multipart_part p;
		char msg[NK_ERR_MSG_LEN] = "";
		nk_err e = nk_multipart_parse_arg(r->arg, r->flags, load_hdrs, dir,
		                                  &p, msg);
		if (e)
			fail_msg("%s: %s", r->arg, msg);
		print_arg(r->arg);
		assert_int_equal(p.kind, r->kind);
		if (r->name)
			assert_string_equal(p.name, r->name);
		else
			assert_null(p.name);
		if (r->value) {
			assert_string_equal(p.value, r->value);
			assert_int_equal(p.value_len, strlen(r->value));
		} else {
			assert_null(p.value);
		}
		if (r->path)
			assert_string_equal(p.path, r->path);
		else
			assert_null(p.path);
		if (r->filename)
			assert_string_equal(p.filename, r->filename);
		else
			assert_null(p.filename);
		if (r->type)
			assert_string_equal(p.type, r->type);
		else
			assert_null(p.type);
		char hdrs[1024] = "";
		for (size_t k = 0; k < p.num_headers; k++) {
			strcat(hdrs, p.headers[k]);
			strcat(hdrs, "\n");
		}
		assert_string_equal(hdrs, r->headers);
		assert_int_equal(p.size, -1);
		nk_multipart_part_clear(&p);
		assert_null(p.name);
	}
}

struct erow {
	const char *arg;
	nk_err err;
	const char *msg;
};

static const struct erow erows[] = {
	{ "noeq", NK_ERR_FAILED_INIT, "form field: no '=' after the name" },
	{ "", NK_ERR_FAILED_INIT, "form field: no '=' after the name" },
	{ "a=@f;type=bad", NK_ERR_FAILED_INIT,
	  "form field: illegally formatted content-type" },
	{ "a=v;type=", NK_ERR_FAILED_INIT,
	  "form field: illegally formatted content-type" },
	{ "a=v;type=/b", NK_ERR_FAILED_INIT,
	  "form field: illegally formatted content-type" },
	{ "a=v;type=a b/c", NK_ERR_FAILED_INIT,
	  "form field: illegally formatted content-type" },
	{ "a=v;type=a/;", NK_ERR_FAILED_INIT,
	  "form field: illegally formatted content-type" },
	{ "a=(", NK_ERR_FAILED_INIT,
	  "form field: nested multipart parts are not supported" },
	{ "=)", NK_ERR_FAILED_INIT,
	  "form field: nested multipart parts are not supported" },
	{ "a=@x,y", NK_ERR_FAILED_INIT,
	  "form field: several files in one field are not supported" },
	{ "a=@f;type=a/b,c", NK_ERR_FAILED_INIT,
	  "form field: several files in one field are not supported" },
	{ "a=v;encoder=base64", NK_ERR_FAILED_INIT,
	  "form field: encoder= is not supported" },
	{ "a=v;headers=\"X: 1\nY: 2\"", NK_ERR_FAILED_INIT,
	  "form field: an empty header, or a line break in a content type or "
	  "header" },
	{ "a=v;type=a/b;\rx", NK_ERR_FAILED_INIT,
	  "form field: an empty header, or a line break in a content type or "
	  "header" },
	{ "a=v;headers=X: 1;headers=", NK_ERR_FAILED_INIT,
	  "form field: an empty header, or a line break in a content type or "
	  "header" },
	{ "a=v;headers=\"\"", NK_ERR_FAILED_INIT,
	  "form field: an empty header, or a line break in a content type or "
	  "header" },
	{ "a=v;headers=@hdrs", NK_ERR_FAILED_INIT,
	  "form field: headers from a file are not allowed here" },
};

static void
test_parse_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < NK_ARRAY_LEN(erows); i++) {
		nk_multipart_part p;
		char msg[NK_ERR_MSG_LEN] = "";
		print_arg(erows[i].arg);
		/* no loader: a header file is refused */
		nk_err e = nk_multipart_parse_arg(erows[i].arg, 0, NULL, NULL, &p,
		                                  msg);
		assert_int_equal(e, erows[i].err);
		assert_string_equal(msg, erows[i].msg);
		nk_multipart_part_clear(&p);
	}
}

static nk_err
load_fails(void *ctx, const char *path, char **data, size_t *len,
           char *errmsg)
{
	(void)ctx;
	(void)data;
	(void)len;
	snprintf(errmsg, NK_ERR_MSG_LEN, "cannot read %s", path);
	return NK_ERR_READ_ERROR;
}

static void
test_parse_loader_error(void **state)
{
	(void)state;
	nk_multipart_part p;
	char msg[NK_ERR_MSG_LEN] = "";
	assert_int_equal(nk_multipart_parse_arg("a=@f;headers=@ \"h 1\" ", 0,
	                                        load_fails, NULL, &p, msg),
	                 NK_ERR_READ_ERROR);
	assert_string_equal(msg, "cannot read h 1");
	nk_multipart_part_clear(&p);
}

/* ---- the same bytes as curl ---------------------------------------- */

/* \\ \n \r \xHH, as capture.sh's printf %b reads them */
static char *
unescape(const char *s)
{
	char *o = malloc(strlen(s) + 1), *q = o;
	assert_non_null(o);
	while (*s) {
		if (*s != '\\') {
			*q++ = *s++;
			continue;
		}
		s++;
		if (*s == 'n')
			*q++ = '\n';
		else if (*s == 'r')
			*q++ = '\r';
		else if (*s == '\\')
			*q++ = '\\';
		else if (*s == 'x') {
			unsigned v;
			assert_int_equal(sscanf(s + 1, "%2x", &v), 1);
			*q++ = (char)v;
			s += 2;
		} else
			fail_msg("escape \\%c", *s);
		s++;
	}
	*q = '\0';
	return o;
}

struct fdfiles {
	const char *dir;
	const nk_multipart_part *parts;
	FILE *f[32];
};

static nk_err
disk_read(void *ctx, size_t part, char *buf, size_t cap, size_t *got,
          char *errmsg)
{
	(void)errmsg;
	struct fdfiles *d = ctx;
	if (!d->f[part]) {
		char path[4200];
		snprintf(path, sizeof path, "%s/%s", d->dir, d->parts[part].path);
		d->f[part] = fopen(path, "rb");
		assert_non_null(d->f[part]);
	}
	*got = fread(buf, 1, cap, d->f[part]);
	return NK_OK;
}

static void
compare_case(const char *dir, int n, nk_multipart_part *parts, size_t np)
{
	char path[4200], msg[NK_ERR_MSG_LEN] = "";
	size_t clen;
	snprintf(path, sizeof path, "%s/case-%d.body", data_dir(), n);
	char *curl = slurp(path, &clen);
	if (!curl)
		fail_msg("cannot read %s", path);
	/* curl's boundary: its first line without the leading "--" */
	char *eol = memchr(curl, '\r', clen);
	assert_non_null(eol);
	char *boundary = strndup(curl + 2, (size_t)(eol - curl - 2));
	for (size_t i = 0; i < np; i++) {
		struct stat st;
		if (parts[i].kind == NK_MULTIPART_VALUE)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, parts[i].path);
		assert_int_equal(stat(path, &st), 0);
		parts[i].size = st.st_size;
	}
	nk_multipart *m;
	if (nk_multipart_new(parts, np, boundary, &m, msg))
		fail_msg("case %d: %s", n, msg);
	struct fdfiles d = { dir, parts, { 0 } };
	char *out = malloc(clen + 1024);
	size_t len = 0, got;
	assert_non_null(out);
	do {
		if (nk_multipart_read(m, out + len, 7, &got, disk_read, &d, msg))
			fail_msg("case %d: %s", n, msg);
		len += got;
	} while (got > 0 && len < clen + 1000);
	print_message("# case %d: %zu parts, %zu bytes\n", n, np, clen);
	if (len != clen || memcmp(out, curl, clen) != 0) {
		fwrite(out, 1, len, stderr);
		fail_msg("case %d: nk's body differs from curl's", n);
	}
	assert_int_equal(nk_multipart_length(m), (int64_t)clen);
	char ct[128];
	snprintf(ct, sizeof ct, "multipart/form-data; boundary=%s", boundary);
	assert_string_equal(nk_multipart_content_type(m), ct);
	for (size_t i = 0; i < 32; i++)
		if (d.f[i])
			fclose(d.f[i]);
	nk_multipart_free(m);
	free(out);
	free(boundary);
	free(curl);
}

static void
test_same_as_curl(void **state)
{
	(void)state;
	char path[4200], dir[4200];
	size_t len;
	snprintf(path, sizeof path, "%s/cases", data_dir());
	snprintf(dir, sizeof dir, "%s/files", data_dir());
	char *text = slurp(path, &len);
	if (!text)
		fail_msg("cannot read %s (run from the source tree or set "
		         "NK_SRCDIR)", path);
	text = realloc(text, len + 2);
	text[len] = '\n';
	text[len + 1] = '\0';
	nk_multipart_part parts[32];
	size_t np = 0;
	int ncase = 0;
	for (char *line = text, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		if (*line == '#')
			continue;
		if (*line == '\0') {
			if (np > 0)
				compare_case(dir, ++ncase, parts, np);
			for (size_t i = 0; i < np; i++)
				nk_multipart_part_clear(&parts[i]);
			np = 0;
			continue;
		}
		assert_true((line[0] == 'F' || line[0] == 'S') && line[1] == ' ');
		assert_true(np < NK_ARRAY_LEN(parts));
		char *arg = unescape(line + 2), msg[NK_ERR_MSG_LEN] = "";
		if (nk_multipart_parse_arg(arg, line[0] == 'S' ?
		                           NK_MULTIPART_LITERAL : 0, load_hdrs,
		                           dir, &parts[np++], msg))
			fail_msg("%s: %s", arg, msg);
		free(arg);
	}
	if (np > 0)
		compare_case(dir, ++ncase, parts, np);
	for (size_t i = 0; i < np; i++)
		nk_multipart_part_clear(&parts[i]);
	assert_int_equal(ncase, 4);
	free(text);
}

/* ---- the encoder's contract ---------------------------------------- */

#define B40 "------------------------0123456789abcdef"

/* parts of every kind: a value, an empty value, a file, an empty file,
 * a file as a value, a value with NUL bytes */
static void
mixed(nk_multipart_part *p, struct files *f)
{
	static char v0[] = "value", v1[] = "", v5[] = "a\0b";
	static char n0[] = "v", n1[] = "empty", n2[] = "up", n3[] = "none",
	            n4[] = "lt", n5[] = "nul";
	static char path[] = "dir/x.png", path0[] = "e", fn[] = "x.png";
	memset(p, 0, 6 * sizeof *p);
	memset(f, 0, sizeof *f);
	f->fail_part = -1;
	p[0] = (nk_multipart_part){ .kind = NK_MULTIPART_VALUE, .name = n0,
	                            .value = v0, .value_len = 5 };
	p[1] = (nk_multipart_part){ .kind = NK_MULTIPART_VALUE, .name = n1,
	                            .value = v1, .value_len = 0 };
	p[2] = (nk_multipart_part){ .kind = NK_MULTIPART_FILE, .name = n2,
	                            .path = path, .filename = fn, .size = 11 };
	f->data[2] = "PNG\r\n--\r\n\0x";
	f->len[2] = 11;
	p[3] = (nk_multipart_part){ .kind = NK_MULTIPART_FILE, .name = n3,
	                            .path = path0, .filename = path0, .size = 0 };
	f->data[3] = "";
	p[4] = (nk_multipart_part){ .kind = NK_MULTIPART_FILE_CONTENT,
	                            .name = n4, .path = path0, .size = 3 };
	f->data[4] = "abc";
	f->len[4] = 3;
	p[5] = (nk_multipart_part){ .kind = NK_MULTIPART_VALUE, .name = n5,
	                            .value = v5, .value_len = 3 };
}

static const char mixed_body[] =
	"--" B40 "\r\n"
	"Content-Disposition: form-data; name=\"v\"\r\n\r\nvalue\r\n"
	"--" B40 "\r\n"
	"Content-Disposition: form-data; name=\"empty\"\r\n\r\n\r\n"
	"--" B40 "\r\n"
	"Content-Disposition: form-data; name=\"up\"; filename=\"x.png\"\r\n"
	"Content-Type: image/png\r\n\r\nPNG\r\n--\r\n\0x\r\n"
	"--" B40 "\r\n"
	"Content-Disposition: form-data; name=\"none\"; filename=\"e\"\r\n"
	"Content-Type: application/octet-stream\r\n\r\n\r\n"
	"--" B40 "\r\n"
	"Content-Disposition: form-data; name=\"lt\"\r\n\r\nabc\r\n"
	"--" B40 "\r\n"
	"Content-Disposition: form-data; name=\"nul\"\r\n\r\na\0b\r\n"
	"--" B40 "--\r\n";

static void
test_every_read_size(void **state)
{
	(void)state;
	nk_multipart_part p[6];
	struct files f;
	nk_multipart *m;
	char msg[NK_ERR_MSG_LEN] = "";
	size_t want = sizeof mixed_body - 1;
	mixed(p, &f);
	assert_int_equal(nk_multipart_new(p, 6, B40, &m, msg), NK_OK);
	assert_int_equal(nk_multipart_length(m), (int64_t)want);
	for (size_t chunk = 1; chunk <= want + 1; chunk++) {
		for (size_t max_read = 0; max_read < 3; max_read++) {
			size_t len;
			nk_multipart_rewind(m);
			files_rewind(&f);
			f.max_read = max_read;
			char *out = read_all(m, &f, chunk, &len);
			assert_int_equal(len, want);
			assert_memory_equal(out, mixed_body, want);
			assert_int_equal(nk_multipart_offset(m), want);
			free(out);
		}
	}
	nk_multipart_free(m);
}

/* The caller's send loop: peek, take part of the piece, advance. The body
 * is taken with a cut at every byte: j bytes, then the rest. */
static void
take(nk_multipart *m, struct files *f, size_t limit, char *out, size_t *n)
{
	char msg[NK_ERR_MSG_LEN] = "";
	while (limit > 0) {
		nk_multipart_piece pc;
		size_t k;
		nk_multipart_peek(m, &pc);
		if (pc.kind == NK_MULTIPART_END)
			break;
		if (pc.kind == NK_MULTIPART_BYTES) {
			assert_true(pc.len > 0);
			k = pc.len < limit ? pc.len : limit;
			memcpy(out + *n, pc.data, k);
		} else {
			size_t left = f->len[pc.part] - f->off[pc.part];
			assert_int_equal(pc.left, (int64_t)left);
			assert_true(left > 0);
			k = left < limit ? left : limit;
			memcpy(out + *n, f->data[pc.part] + f->off[pc.part], k);
			f->off[pc.part] += k;
		}
		assert_int_equal(nk_multipart_advance(m, k, msg), NK_OK);
		*n += k;
		limit -= k;
	}
}

static void
test_every_split(void **state)
{
	(void)state;
	nk_multipart_part p[6];
	struct files f;
	nk_multipart *m;
	char msg[NK_ERR_MSG_LEN] = "", out[sizeof mixed_body];
	size_t want = sizeof mixed_body - 1;
	mixed(p, &f);
	assert_int_equal(nk_multipart_new(p, 6, B40, &m, msg), NK_OK);
	for (size_t j = 0; j <= want; j++) {
		size_t n = 0;
		nk_multipart_rewind(m);
		files_rewind(&f);
		take(m, &f, j, out, &n);
		assert_int_equal(n, j);
		assert_int_equal(nk_multipart_offset(m), j);
		take(m, &f, SIZE_MAX, out, &n);
		assert_int_equal(n, want);
		assert_memory_equal(out, mixed_body, want);
		nk_multipart_piece pc;
		nk_multipart_peek(m, &pc);
		assert_int_equal(pc.kind, NK_MULTIPART_END);
	}
	nk_multipart_free(m);
}

static void
test_zero_parts(void **state)
{
	(void)state;
	nk_multipart *m;
	char msg[NK_ERR_MSG_LEN] = "", out[64];
	size_t got;
	assert_int_equal(nk_multipart_new(NULL, 0, B40, &m, msg), NK_OK);
	assert_int_equal(nk_multipart_length(m), 46);
	assert_int_equal(nk_multipart_read(m, out, sizeof out, &got, mem_read,
	                                   NULL, msg), NK_OK);
	assert_int_equal(got, 46);
	assert_memory_equal(out, "--" B40 "--\r\n", 46);
	assert_int_equal(nk_multipart_read(m, out, sizeof out, &got, mem_read,
	                                   NULL, msg), NK_OK);
	assert_int_equal(got, 0);
	nk_multipart_free(m);
}

static int rng_calls;

/* The first boundary is the one the value holds, then a fixed other. */
static int
rng_collide(unsigned char *buf, size_t n)
{
	assert_int_equal(n, 8);
	memset(buf, rng_calls++ == 0 ? 0x01 : 0xab, n);
	return 0;
}

static int
rng_broken(unsigned char *buf, size_t n)
{
	(void)buf;
	(void)n;
	return -1;
}

static void
test_boundary(void **state)
{
	(void)state;
	static char name[] = "v", value[] =
		"x\r\n--------------------------0101010101010101--\r\n";
	nk_multipart_part p = { .kind = NK_MULTIPART_VALUE, .name = name,
	                        .value = value, .value_len = strlen(value) };
	nk_multipart *m;
	char msg[NK_ERR_MSG_LEN] = "";

	/* random: 24 dashes and 16 hex digits, as curl's */
	assert_int_equal(nk_multipart_new(&p, 1, NULL, &m, msg), NK_OK);
	const char *b = nk_multipart_boundary(m);
	assert_int_equal(strlen(b), NK_MULTIPART_BOUNDARY_LEN);
	assert_int_equal(strspn(b, "-"), 24);
	assert_int_equal(strspn(b + 24, "0123456789abcdef"), 16);
	nk_multipart_free(m);

	rng_calls = 0;
	nk_multipart_set_rng(rng_collide);
	assert_int_equal(nk_multipart_new(&p, 1, NULL, &m, msg), NK_OK);
	assert_int_equal(rng_calls, 2);
	assert_string_equal(nk_multipart_boundary(m),
	                    "------------------------abababababababab");
	nk_multipart_free(m);

	/* a name holding it counts too */
	rng_calls = 0;
	p.name = value;
	p.value_len = 0;
	assert_int_equal(nk_multipart_new(&p, 1, NULL, &m, msg), NK_OK);
	assert_int_equal(rng_calls, 2);
	nk_multipart_free(m);
	p.name = name;
	p.value_len = strlen(value);

	nk_multipart_set_rng(rng_broken);
	assert_int_equal(nk_multipart_new(&p, 1, NULL, &m, msg),
	                 NK_ERR_FAILED_INIT);
	assert_null(m);
	nk_multipart_set_rng(NULL);

	/* given: must be usable and absent from the parts */
	assert_int_equal(nk_multipart_new(&p, 1, "0101010101010101", &m, msg),
	                 NK_ERR_BAD_FUNCTION_ARGUMENT);
	assert_string_equal(msg, "multipart: the boundary occurs in a part");
	static const char *const bad[] = { "", "a b ", "a\"b", "a\r\nb",
		"12345678901234567890123456789012345678901234567890123456789012345678901" };
	for (size_t i = 0; i < NK_ARRAY_LEN(bad); i++) {
		assert_int_equal(nk_multipart_new(&p, 1, bad[i], &m, msg),
		                 NK_ERR_BAD_FUNCTION_ARGUMENT);
		assert_string_equal(msg, "multipart: unusable boundary");
	}
	assert_int_equal(nk_multipart_new(&p, 1, "a'()+_,-./:=? b", &m, msg),
	                 NK_OK);
	assert_string_equal(nk_multipart_content_type(m),
	                    "multipart/form-data; boundary=a'()+_,-./:=? b");
	nk_multipart_free(m);
}

static void
test_unknown_size(void **state)
{
	(void)state;
	nk_multipart_part p[6];
	struct files f;
	nk_multipart *m;
	char msg[NK_ERR_MSG_LEN] = "";
	size_t want = sizeof mixed_body - 1;
	mixed(p, &f);
	p[2].size = -1;   /* a pipe */
	p[3].size = -1;
	assert_int_equal(nk_multipart_new(p, 6, B40, &m, msg), NK_OK);
	assert_int_equal(nk_multipart_length(m), -1);
	for (size_t chunk = 1; chunk <= want; chunk += 5) {
		size_t len;
		nk_multipart_rewind(m);
		files_rewind(&f);
		f.max_read = 2;
		char *out = read_all(m, &f, chunk, &len);
		assert_int_equal(len, want);
		assert_memory_equal(out, mixed_body, want);
		free(out);
	}
	/* peek/advance: the caller says where the file ended */
	nk_multipart_piece pc;
	nk_multipart_rewind(m);
	nk_multipart_peek(m, &pc);
	while (pc.kind == NK_MULTIPART_BYTES) {
		assert_int_equal(nk_multipart_advance(m, pc.len, msg), NK_OK);
		nk_multipart_peek(m, &pc);
	}
	assert_int_equal(pc.kind, NK_MULTIPART_STREAM);
	assert_int_equal(pc.part, 2);
	assert_int_equal(pc.left, -1);
	assert_int_equal(nk_multipart_advance(m, 1000, msg), NK_OK);
	assert_int_equal(nk_multipart_stream_eof(m, msg), NK_OK);
	nk_multipart_peek(m, &pc);
	assert_int_equal(pc.kind, NK_MULTIPART_BYTES);
	assert_int_equal(nk_multipart_stream_eof(m, msg),
	                 NK_ERR_BAD_FUNCTION_ARGUMENT);
	nk_multipart_free(m);
}

static void
test_file_errors(void **state)
{
	(void)state;
	nk_multipart_part p[6];
	struct files f;
	nk_multipart *m;
	char msg[NK_ERR_MSG_LEN] = "", buf[4096];
	size_t got;
	mixed(p, &f);
	p[2].size = 20;   /* announced 20, has 11 */
	assert_int_equal(nk_multipart_new(p, 6, B40, &m, msg), NK_OK);
	assert_int_equal(nk_multipart_length(m), (int64_t)sizeof mixed_body - 1 + 9);
	nk_err e;
	do
		e = nk_multipart_read(m, buf, sizeof buf, &got, mem_read, &f, msg);
	while (!e && got > 0);
	assert_int_equal(e, NK_ERR_READ_ERROR);
	assert_string_equal(msg, "file dir/x.png ended after 11 of 20 bytes");

	/* the callback's error comes back as it is */
	nk_multipart_rewind(m);
	files_rewind(&f);
	f.fail_part = 2;
	assert_int_equal(nk_multipart_read(m, buf, sizeof buf, &got, mem_read,
	                                   &f, msg), NK_ERR_READ_ERROR);
	assert_string_equal(msg, "read part 2: test");

	/* taking more than the piece has */
	nk_multipart_piece pc;
	nk_multipart_rewind(m);
	nk_multipart_peek(m, &pc);
	assert_int_equal(nk_multipart_advance(m, pc.len + 1, msg),
	                 NK_ERR_BAD_FUNCTION_ARGUMENT);
	nk_multipart_free(m);

	/* parts the encoder refuses */
	static char t[] = "a/b\r\nX: y", path[] = "p";
	nk_multipart_part q = { .kind = NK_MULTIPART_FILE, .path = path,
	                        .type = t, .size = 1 };
	assert_int_equal(nk_multipart_new(&q, 1, NULL, &m, msg),
	                 NK_ERR_BAD_FUNCTION_ARGUMENT);
	assert_string_equal(msg, "multipart: part 0: an empty header, or a line "
	                    "break in its type or a header");
	q.type = NULL;
	q.path = NULL;
	assert_int_equal(nk_multipart_new(&q, 1, NULL, &m, msg),
	                 NK_ERR_BAD_FUNCTION_ARGUMENT);
	assert_string_equal(msg, "multipart: part 0: no path or size");
}

/* Standard input is read into memory by curl, so its type comes from the
 * file name alone: what curl 7.88.1 sent for
 * echo in | curl -F a=@- -F b=<- -F 'c=@-;filename=x.gif' -F 'd=@-;filename=x.zip'
 * (only the first part gets the bytes). */
static void
test_stdin_types(void **state)
{
	(void)state;
	static const char *const args[] = { "a=@-", "b=<-",
		"c=@-;filename=x.gif", "d=@-;filename=x.zip" };
	static const char want[] =
		"--" B40 "\r\n"
		"Content-Disposition: form-data; name=\"a\"; filename=\"-\"\r\n"
		"\r\nin\n\r\n"
		"--" B40 "\r\n"
		"Content-Disposition: form-data; name=\"b\"\r\n\r\n\r\n"
		"--" B40 "\r\n"
		"Content-Disposition: form-data; name=\"c\"; filename=\"x.gif\"\r\n"
		"Content-Type: image/gif\r\n\r\n\r\n"
		"--" B40 "\r\n"
		"Content-Disposition: form-data; name=\"d\"; filename=\"x.zip\"\r\n"
		"\r\n\r\n"
		"--" B40 "--\r\n";
	nk_multipart_part p[4];
	struct files f = { .data = { "in\n", "", "", "" }, .len = { 3 },
	                   .fail_part = -1 };
	char msg[NK_ERR_MSG_LEN] = "";
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(nk_multipart_parse_arg(args[i], 0, NULL, NULL,
		                                        &p[i], msg), NK_OK);
		p[i].size = (int64_t)f.len[i];
	}
	nk_multipart *m;
	size_t len;
	assert_int_equal(nk_multipart_new(p, 4, B40, &m, msg), NK_OK);
	char *out = read_all(m, &f, 4096, &len);
	assert_int_equal(len, sizeof want - 1);
	assert_memory_equal(out, want, len);
	free(out);
	nk_multipart_free(m);
	for (size_t i = 0; i < 4; i++)
		nk_multipart_part_clear(&p[i]);
}

static void
test_type_for_name(void **state)
{
	(void)state;
	static const char *const rows[][2] = {
		{ "a.gif", "image/gif" }, { "a.JPG", "image/jpeg" },
		{ "a.jpeg", "image/jpeg" }, { "a.png", "image/png" },
		{ "a.svg", "image/svg+xml" }, { "a.txt", "text/plain" },
		{ "a.htm", "text/html" }, { "A.HTML", "text/html" },
		{ "a.pdf", "application/pdf" }, { "a.xml", "application/xml" },
		{ ".gif", "image/gif" }, { "gif", NULL }, { "a.json", NULL },
		{ "a.gif.zip", NULL }, { "", NULL },
	};
	for (size_t i = 0; i < NK_ARRAY_LEN(rows); i++) {
		const char *t = nk_multipart_type_for_name(rows[i][0]);
		if (rows[i][1])
			assert_string_equal(t, rows[i][1]);
		else
			assert_null(t);
	}
	assert_null(nk_multipart_type_for_name(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_loader_error),
		cmocka_unit_test(test_same_as_curl),
		cmocka_unit_test(test_every_read_size),
		cmocka_unit_test(test_every_split),
		cmocka_unit_test(test_zero_parts),
		cmocka_unit_test(test_boundary),
		cmocka_unit_test(test_unknown_size),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_stdin_types),
		cmocka_unit_test(test_type_for_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
