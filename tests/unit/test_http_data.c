/* nk http's data options (cmd/http/data.c) without a network: the bytes
 * each of curl 7.88's forms gives, as recorded from curl 7.88 itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

/* The module is a part of nk-http, not of libnk: built in here. */
#include "../../cmd/http/data.c"

static char tmpdir[] = "/tmp/nk-data-XXXXXX";

/* A file holding len bytes; returns its path (static, one at a time). */
static const char *
file_with(const char *bytes, size_t len)
{
	static char path[64];
	snprintf(path, sizeof path, "%s/f", tmpdir);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

static void
assert_bytes(const nk_buf *b, const char *want, size_t len)
{
	assert_int_equal(b->len, len);
	if (len)
		assert_memory_equal(b->p, want, len);
}

/* Adds each argument of one kind; checks the joined body. */
static void
body_is(struct data *d, const char *want, size_t len)
{
	assert_int_equal(d->given, 1);
	assert_bytes(&d->post, want, len);
	data_free(d);
}

static void
add_ok(struct data *d, enum data_kind k, const char *arg)
{
	char errmsg[NK_ERR_MSG_LEN] = "";
	assert_int_equal(data_add(d, k, arg, errmsg), NK_OK);
}

static void
test_strip_lines(void **state)
{
	(void)state;
	nk_buf b = { 0 };
	/* CR, LF and NUL each end what a line gives. */
	static const char in[] = "a\r\nb\nc\0d\re\nlast";
	assert_int_equal(data_strip_lines(&b, in, sizeof in - 1), 0);
	assert_bytes(&b, "abclast", 7);
	nk_buf_free(&b);
	/* A line is read 255 bytes at a time: a CR ends only its piece. */
	char longline[600];
	memset(longline, 'x', sizeof longline);
	longline[10] = '\r';
	longline[599] = '\n';
	assert_int_equal(data_strip_lines(&b, longline, sizeof longline), 0);
	assert_int_equal(b.len, 10 + (599 - 255));
	nk_buf_free(&b);
}

static void
test_urlencode(void **state)
{
	(void)state;
	nk_buf b = { 0 };
	static const char in[] = "aZ09-._~ +/&=\xc3\xa9\n\0";
	assert_int_equal(data_urlencode_bytes(&b, in, sizeof in - 1), 0);
	static const char want[] = "aZ09-._~+%2B%2F%26%3D%C3%A9%0A%00";
	assert_bytes(&b, want, sizeof want - 1);
	nk_buf_free(&b);
}

static void
test_joins(void **state)
{
	(void)state;
	struct data d = { 0 };
	/* Every piece after the first gets a '&', an empty one too. */
	add_ok(&d, DATA_ASCII, "");
	add_ok(&d, DATA_ASCII, "a");
	add_ok(&d, DATA_RAW, "");
	add_ok(&d, DATA_BINARY, "b");
	body_is(&d, "&a&&b", 5);
	/* --json glues on without '&'; what follows it gets one. */
	add_ok(&d, DATA_JSON, "{\"a\":1}");
	add_ok(&d, DATA_JSON, "[2]");
	body_is(&d, "{\"a\":1}[2]", 10);
	add_ok(&d, DATA_ASCII, "a");
	add_ok(&d, DATA_JSON, "{}");
	add_ok(&d, DATA_ASCII, "b");
	assert_int_equal(d.json, 1);
	body_is(&d, "a{}&b", 5);
}

static void
test_files(void **state)
{
	(void)state;
	struct data d = { 0 };
	static const char bytes[] = "bin\0ary\r\nx\n";
	file_with(bytes, sizeof bytes - 1);
	char arg[80];
	snprintf(arg, sizeof arg, "@%s/f", tmpdir);
	add_ok(&d, DATA_ASCII, arg);
	body_is(&d, "binx", 4);
	add_ok(&d, DATA_BINARY, arg);
	body_is(&d, bytes, sizeof bytes - 1);
	add_ok(&d, DATA_JSON, arg);
	body_is(&d, bytes, sizeof bytes - 1);
	add_ok(&d, DATA_RAW, arg);
	body_is(&d, arg, strlen(arg));
	/* An empty file is an empty body, still a POST. */
	file_with("", 0);
	add_ok(&d, DATA_ASCII, arg);
	body_is(&d, "", 0);
}

static void
test_urlencode_forms(void **state)
{
	(void)state;
	struct data d = { 0 };
	add_ok(&d, DATA_URLENCODE, "a b=c d&\xc3\xa9~");
	add_ok(&d, DATA_URLENCODE, "=x y");
	add_ok(&d, DATA_URLENCODE, "plain+/");
	add_ok(&d, DATA_URLENCODE, "a@b=c");
	add_ok(&d, DATA_URLENCODE, "n=");
	static const char want[] = "a b=c+d%26%C3%A9~&x+y&plain%2B%2F&a@b=c&n=";
	body_is(&d, want, sizeof want - 1);

	file_with("x y&z\n", 6);
	char arg[80];
	snprintf(arg, sizeof arg, "n@%s/f", tmpdir);
	add_ok(&d, DATA_URLENCODE, arg);
	add_ok(&d, DATA_URLENCODE, arg + 1);
	body_is(&d, "n=x+y%26z%0A&x+y%26z%0A", 23);
	/* An empty file gives nothing, not even "n=" (curl 7.88). */
	file_with("", 0);
	add_ok(&d, DATA_URLENCODE, arg);
	body_is(&d, "", 0);
}

static void
test_unreadable(void **state)
{
	(void)state;
	struct data d = { 0 };
	char errmsg[NK_ERR_MSG_LEN] = "";
	static const struct {
		enum data_kind k;
		const char *arg, *msg;
	} cases[] = {
		{ DATA_ASCII, "@/nonexistent/x",
		  "cannot read data from /nonexistent/x: No such file or directory" },
		{ DATA_BINARY, "@/", "cannot read data from /: Is a directory" },
		{ DATA_JSON, "@/", "cannot read data from /: Is a directory" },
		{ DATA_URLENCODE, "n@/nonexistent/y",
		  "cannot read data from /nonexistent/y: No such file or directory" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(data_add(&d, cases[i].k, cases[i].arg, errmsg),
		                 NK_ERR_READ_ERROR);
		assert_string_equal(errmsg, cases[i].msg);
		assert_int_equal(d.given, 0);
	}
	assert_int_equal(data_url_query(&d, "@/", errmsg), NK_ERR_READ_ERROR);
	assert_string_equal(errmsg, "cannot read data from /: Is a directory");
	data_free(&d);
}

static void
test_url_append(void **state)
{
	(void)state;
	static const struct {
		const char *url, *add, *want;
	} cases[] = {
		{ "http://h/p", "a=1", "http://h/p?a=1" },
		{ "http://h/p?x=1", "a=1", "http://h/p?x=1&a=1" },
		{ "http://h/p?", "a=1", "http://h/p?a=1" },
		{ "http://h/p?a&", "u", "http://h/p?a&u" },
		{ "http://h", "a=1", "http://h?a=1" },
		{ "http://h?q", "a=1", "http://h?q&a=1" },
		{ "http://h/p#f?x", "a=1", "http://h/p?a=1#f?x" },
		{ "h:8080/p", "a", "h:8080/p?a" },
		/* Escapes appended go in lower case, as libcurl 7.88 sends
		 * them; the URL's own stay. */
		{ "http://h/p?A%2F", "%2F%C3%zz%A", "http://h/p?A%2F&%2f%c3%zz%A" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = data_url_append(cases[i].url, cases[i].add,
		                            strlen(cases[i].add));
		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

static void
test_url_query(void **state)
{
	(void)state;
	struct data d = { 0 };
	char errmsg[NK_ERR_MSG_LEN] = "";
	assert_int_equal(data_url_query(&d, "u=1 2", errmsg), NK_OK);
	assert_int_equal(data_url_query(&d, "+a+b&c", errmsg), NK_OK);
	assert_int_equal(data_url_query(&d, "=x/y", errmsg), NK_OK);
	assert_int_equal(data_url_query(&d, "+%zz", errmsg), NK_OK);
	assert_bytes(&d.query, "u=1+2&a+b&c&x%2Fy&%zz", 21);
	const char *urls[] = { "http://h/p?z", "http://h/q" };
	nk_fetch_body *body;
	size_t nh = 0;
	assert_int_equal(data_finish(&d, urls, 2, NULL, &nh, &body, errmsg),
	                 NK_OK);
	assert_null(body);
	assert_string_equal(urls[0], "http://h/p?z&u=1+2&a+b&c&x%2fy&%zz");
	assert_string_equal(urls[1], "http://h/q?u=1+2&a+b&c&x%2fy&%zz");
	data_free(&d);
}

static void
test_finish(void **state)
{
	(void)state;
	struct data d = { 0 };
	char errmsg[NK_ERR_MSG_LEN] = "";
	nk_fetch_body *body;
	size_t nh = 0, n2 = 2, n3 = 2;
	const char *urls[] = { "http://h/p" };

	add_ok(&d, DATA_ASCII, "a=1");
	assert_int_equal(data_finish(&d, urls, 1, NULL, &nh, &body, errmsg),
	                 NK_OK);
	assert_ptr_equal(body, &d.body);
	assert_int_equal(body->len, 3);
	assert_int_equal(body->size, 3);
	assert_int_equal(body->fd, -1);
	assert_memory_equal(body->data, "a=1", 3);
	assert_string_equal(body->content_type,
	                    "application/x-www-form-urlencoded");
	assert_int_equal(d.nheaders, 0);
	assert_string_equal(urls[0], "http://h/p");
	data_free(&d);

	/* -G: into the query, no body. */
	add_ok(&d, DATA_ASCII, "a=1");
	add_ok(&d, DATA_ASCII, "b");
	d.get = 1;
	assert_int_equal(data_finish(&d, urls, 1, NULL, &nh, &body, errmsg),
	                 NK_OK);
	assert_null(body);
	assert_string_equal(urls[0], "http://h/p?a=1&b");
	data_free(&d);

	/* -G with empty data leaves the URL alone. */
	urls[0] = "http://h/p";
	add_ok(&d, DATA_ASCII, "");
	d.get = 1;
	assert_int_equal(data_finish(&d, urls, 1, NULL, &nh, &body, errmsg),
	                 NK_OK);
	assert_string_equal(urls[0], "http://h/p");
	data_free(&d);

	/* --json: its headers as -H lines, unless the user gave them. */
	add_ok(&d, DATA_JSON, "{}");
	assert_int_equal(data_finish(&d, urls, 1, NULL, &nh, &body, errmsg),
	                 NK_OK);
	assert_null(body->content_type);
	assert_int_equal(d.nheaders, 2);
	assert_string_equal(d.headers[0], "Content-Type: application/json");
	assert_string_equal(d.headers[1], "Accept: application/json");
	data_free(&d);
	const char *hdrs[] = { "X-A: 1", "accept: text/x" };
	add_ok(&d, DATA_JSON, "{}");
	assert_int_equal(data_finish(&d, urls, 1, hdrs, &n2, &body, errmsg),
	                 NK_OK);
	assert_int_equal(d.nheaders, 1);
	assert_string_equal(d.headers[0], "Content-Type: application/json");
	data_free(&d);
	const char *rm[] = { "Content-Type:", "Accept;" };
	add_ok(&d, DATA_JSON, "{}");
	assert_int_equal(data_finish(&d, urls, 1, rm, &n3, &body, errmsg),
	                 NK_OK);
	assert_int_equal(d.nheaders, 0);
	data_free(&d);
}

/* The whole body through the read callback, as libnk pulls it, in
 * pieces of `step` bytes. */
static void
read_body(const nk_fetch_body *body, size_t step, nk_buf *out)
{
	char buf[64], errmsg[NK_ERR_MSG_LEN] = "";
	ssize_t n;
	assert_true(step <= sizeof buf);
	while ((n = body->read(body->ctx, buf, step, errmsg)) > 0)
		assert_int_equal(nk_buf_add(out, buf, (size_t)n), 0);
	assert_int_equal(n, 0);
}

static void
test_form(void **state)
{
	(void)state;
	struct data d = { 0 };
	char errmsg[NK_ERR_MSG_LEN] = "";
	char arg[80];
	nk_fetch_body *body;
	const char *urls[] = { "http://h/p" };
	file_with("x y&z\n", 6);
	snprintf(arg, sizeof arg, "f=@%s/f;type=text/x", tmpdir);
	assert_int_equal(data_form(&d, "a=1", 0, errmsg), NK_OK);
	assert_int_equal(data_form(&d, arg, 0, errmsg), NK_OK);
	assert_int_equal(data_form(&d, "s=@x;type=y", 1, errmsg), NK_OK);
	/* A Content-Type of the user's goes with the boundary, out of the
	 * -H lines. */
	const char *hdrs[] = { "X-A: 1", "content-type:  multipart/form-data",
	                       "X-B: 2" };
	size_t nh = 3;
	assert_int_equal(data_finish(&d, urls, 1, hdrs, &nh, &body, errmsg),
	                 NK_OK);
	assert_int_equal(nh, 2);
	assert_string_equal(hdrs[1], "X-B: 2");
	const char *b = nk_multipart_boundary(d.form);
	char want_type[128];
	snprintf(want_type, sizeof want_type,
	         "multipart/form-data; boundary=%s", b);
	assert_string_equal(body->content_type, want_type);
	assert_null(body->data);
	assert_int_equal(body->fd, -1);

	char want[1024];
	int wl = snprintf(want, sizeof want,
		"--%s\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
		"--%s\r\nContent-Disposition: form-data; name=\"f\"; "
		"filename=\"f\"\r\nContent-Type: text/x\r\n\r\nx y&z\n\r\n"
		"--%s\r\nContent-Disposition: form-data; name=\"s\"\r\n\r\n"
		"@x;type=y\r\n--%s--\r\n", b, b, b, b);
	assert_int_equal(body->size, wl);
	/* Any piece size gives the same bytes, and so does a rewind. */
	for (size_t step = 1; step <= 64; step += 21) {
		nk_buf got = { 0 };
		read_body(body, step, &got);
		assert_bytes(&got, want, (size_t)wl);
		nk_buf_free(&got);
		assert_int_equal(body->rewind(body->ctx, errmsg), NK_OK);
	}
	data_free(&d);

	/* A missing file is 26 when the option is read. */
	snprintf(arg, sizeof arg, "f=<%s/missing", tmpdir);
	assert_int_equal(data_form(&d, arg, 0, errmsg), NK_ERR_READ_ERROR);
	assert_non_null(strstr(errmsg, "/missing: No such file or directory"));
	data_free(&d);

	/* With other data: curl's usage error. */
	assert_int_equal(data_form(&d, "a=1", 0, errmsg), NK_OK);
	add_ok(&d, DATA_ASCII, "x");
	nh = 0;
	assert_int_equal(data_finish(&d, urls, 1, NULL, &nh, &body, errmsg),
	                 NK_ERR_FAILED_INIT);
	assert_string_equal(errmsg, "You can only select one HTTP request "
	                    "method! You asked for both POST (-d, --data) and "
	                    "multipart formpost (-F, --form).");
	data_free(&d);
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	char path[64];
	snprintf(path, sizeof path, "%s/f", tmpdir);
	unlink(path);
	return rmdir(tmpdir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strip_lines),
		cmocka_unit_test(test_urlencode),
		cmocka_unit_test(test_joins),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_urlencode_forms),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_url_append),
		cmocka_unit_test(test_url_query),
		cmocka_unit_test(test_finish),
		cmocka_unit_test(test_form),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
