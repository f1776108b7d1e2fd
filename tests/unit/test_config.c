/* nk http's config-file tokenizer (cmd/http/config.c) and variables
 * (cmd/http/vars.c) without a network: curl's syntax line by line, the
 * argument vectors files become, and every expansion function. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

/* The modules are parts of nk-http, not of libnk: built in here. */
#include "../../cmd/http/config.c"
#include "../../cmd/http/vars.c"
#include "../../cmd/http/data.c"

/* The tool's messages, kept for the tests to read (the last one). */
static char last_msg[512];

void
tool_msg(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_msg, sizeof last_msg, fmt, ap);
	va_end(ap);
}

int
tool_fail(nk_err e, const char *errmsg)
{
	snprintf(last_msg, sizeof last_msg, "%s", errmsg ? errmsg : "");
	return e;
}

int
tool_failf(nk_err e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_msg, sizeof last_msg, fmt, ap);
	va_end(ap);
	return e;
}

static const struct opt topts[] = {
	{ 1, 'H', "header", OPT_STRING, "H", NULL, "" },
	{ 2, 's', "silent", OPT_FLAG, NULL, NULL, "" },
	{ 3, 'K', "config", OPT_FILE, "F", NULL, "" },
};
static const struct tool ttool = { "http", "", "", topts, 3 };

/* split LINE: "opt|val" as config_split reads it, "" for no option. */
static const char *
split(const char *line)
{
	static char buf[256];
	struct config_tok tok;
	int r = config_split(line, &tok);
	assert_true(r >= 0);
	if (r == 0)
		return "";
	snprintf(buf, sizeof buf, "%.*s|%s%s", (int)tok.optlen, tok.opt,
	         tok.val, tok.unquoted_space ? "|SPACE" : "");
	free(tok.val);
	return buf;
}

static void
test_split(void **state)
{
	(void)state;
	assert_string_equal(split(""), "");
	assert_string_equal(split("   \t "), "");
	assert_string_equal(split("# header = x"), "");
	assert_string_equal(split("  # indented"), "");
	assert_string_equal(split("header = x"), "header|x");
	assert_string_equal(split("header=x"), "header|x");
	assert_string_equal(split("header:x:y"), "header|x:y");
	assert_string_equal(split("header x"), "header|x");
	assert_string_equal(split("header  =: = x"), "header|x");
	assert_string_equal(split("\theader\tx\t"), "header|x");
	/* With dashes, '=' and ':' belong to the word. */
	assert_string_equal(split("--header=x y"), "--header=x|y");
	assert_string_equal(split("-H:x"), "-H:x|");
	assert_string_equal(split("-H x"), "-H|x");
	/* Unquoted: up to white space; more words are warned about. */
	assert_string_equal(split("header a b"), "header|a|SPACE");
	assert_string_equal(split("header a # c"), "header|a");
	/* Quoted: escapes, and the end of the line ends an open quote. */
	assert_string_equal(split("header \"a b\" c"), "header|a b");
	assert_string_equal(split("header \"\\t\\n\\r\\v\\\"\\\\\\q\""),
	                    "header|\t\n\r\v\"\\q");
	assert_string_equal(split("header \"open"), "header|open");
	assert_string_equal(split("header \"a\\"), "header|a\\");
	assert_string_equal(split("header \"\""), "header|");
	assert_string_equal(split("silent"), "silent|");
}

static char tmpdir[] = "/tmp/nk-config-XXXXXX";

/* The arguments file text becomes, joined by '|'; NULL on an error. */
static char *
args_of(const char *text)
{
	static char path[64], out[1024];
	snprintf(path, sizeof path, "%s/cfg", tmpdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	int n;
	char **v;
	if (config_read(path, &ttool, 0, &n, &v) != 0)
		return NULL;
	out[0] = '\0';
	for (int i = 1; i < n; i++) {
		strcat(out, i > 1 ? "|" : "");
		strcat(out, v[i][0] == '\001' ? "SECTION" : v[i]);
	}
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return out;
}

static void
test_read(void **state)
{
	(void)state;
	last_msg[0] = '\0';
	assert_string_equal(args_of("header = a\n-s\n"), "--header|a|-s");
	assert_string_equal(args_of("-sH \"X: y\"\r\n"), "-sH|X: y");
	assert_string_equal(args_of("-HX:y\n"), "-HX:y");
	assert_string_equal(last_msg, "");
	/* Unknown, a flag's value, a missing value: warned, left out. */
	assert_string_equal(args_of("bogus 1\nheader = k\n"), "--header|k");
	assert_non_null(strstr(last_msg, "cfg:1: warning: 'bogus' is unknown"));
	assert_string_equal(args_of("silent yes\n"), "--silent");
	assert_non_null(strstr(last_msg, "'silent' had unsupported trailing"));
	assert_string_equal(args_of("header\n"), "");
	assert_non_null(strstr(last_msg, "'header' requires parameter"));
	assert_string_equal(args_of("header \"\"\n"), "--header|");
	/* URL lines (no --url in this table) go last, after "--". */
	assert_string_equal(args_of("url = -u\nheader = a\n"), "--header|a|--|-u");
	/* Sections: the URLs before them, then the marker and the name. */
	assert_string_equal(args_of("url = u\n[host a.b]\nheader = c\n"),
	                    "--|u|SECTION|a.b|--header|c");
	assert_null(args_of("[hots a.b]\n"));
	assert_null(args_of("[host a b]\n"));
	assert_null(args_of("[host a.b] x\n"));
	assert_null(args_of("[host]\n"));
	assert_string_equal(args_of("[host a]\n[host b]\n"),
	                    "SECTION|a|SECTION|b");
	/* A missing file. */
	int n;
	char **v;
	assert_int_equal(config_read("/nonexistent/x", &ttool, 0, &n, &v), 26);
	assert_int_equal(config_read("/nonexistent/x", &ttool, 1, &n, &v), 0);
	assert_int_equal(n, 0);
}

/* The expansion of `in` with the variables set; "(same)" when nothing
 * was expanded, "(error N)" on an error. */
static const char *
expand(struct vars *vs, const char *in)
{
	static char buf[512];
	char *out;
	int e = vars_expand(vs, in, &out);
	if (e) {
		snprintf(buf, sizeof buf, "(error %d)", e);
		return buf;
	}
	if (!out)
		return "(same)";
	snprintf(buf, sizeof buf, "%s", out);
	free(out);
	return buf;
}

static void
test_vars(void **state)
{
	(void)state;
	struct vars vs = { NULL, 0 };
	assert_int_equal(vars_set(&vs, "a= x y\t"), 0);
	assert_int_equal(vars_set(&vs, "q=a\"b\\c\n\x01"), 0);
	assert_int_equal(vars_set(&vs, "u=a b/~-._"), 0);
	assert_int_equal(vars_set(&vs, "e="), 0);
	assert_string_equal(expand(&vs, "{{a}}"), " x y\t");
	assert_string_equal(expand(&vs, "[{{a:trim}}]"), "[x y]");
	assert_string_equal(expand(&vs, "{{q:json}}"), "a\\\"b\\\\c\\n\\u0001");
	assert_string_equal(expand(&vs, "{{u:url}}"), "a%20b%2F~-._");
	assert_string_equal(expand(&vs, "{{a:trim:b64}}"), "eCB5");
	assert_string_equal(expand(&vs, "{{u:b64}}"), "YSBiL34tLl8=");
	assert_string_equal(expand(&vs, "{{q:b64}}"), "YSJiXGMKAQ==");
	assert_string_equal(expand(&vs, "{{u:b64:64dec}}"), "a b/~-._");
	assert_string_equal(expand(&vs, "{{q:b64:64dec:json}}"),
	                    "a\\\"b\\\\c\\n\\u0001");
	assert_string_equal(expand(&vs, "{{a:64dec}}"), "[64dec-fail]");
	assert_int_equal(vars_set(&vs, "d=YQ="), 0);
	assert_string_equal(expand(&vs, "{{d:64dec}}"), "[64dec-fail]");
	assert_int_equal(vars_set(&vs, "d=YQ=="), 0);
	assert_string_equal(expand(&vs, "{{d:64dec}}"), "a");
	assert_int_equal(vars_set(&vs, "d=Y=Q="), 0);
	assert_string_equal(expand(&vs, "{{d:64dec}}"), "[64dec-fail]");
	assert_string_equal(expand(&vs, "{{e:b64}}|{{e:64dec}}|{{e:url}}"), "||");
	/* Unknown variables are empty; a later set replaces. */
	assert_string_equal(expand(&vs, "<{{nope}}>"), "<>");
	assert_int_equal(vars_set(&vs, "a=2"), 0);
	assert_string_equal(expand(&vs, "{{a}}{{a}}"), "22");
	/* Escapes, bad names, no closing braces. */
	assert_string_equal(expand(&vs, "\\{{a}}"), "(same)");
	assert_string_equal(expand(&vs, "\\{{a}} {{a}}"), "{{a}} 2");
	assert_string_equal(expand(&vs, "{{a-b}} {{a}}"), "{{a-b}} 2");
	assert_string_equal(expand(&vs, "{{}} {{a}}"), "{{}} 2");
	assert_string_equal(expand(&vs, "{{a}} {{a"), "2 {{a");
	assert_string_equal(expand(&vs, "none"), "(same)");
	/* Errors. */
	assert_string_equal(expand(&vs, "{{a:upper}}"), "(error 2)");
	assert_string_equal(last_msg, "unknown variable function in ':upper'");
	assert_string_equal(expand(&vs, "{{a:trim:}}"), "(error 2)");
	assert_int_equal(vars_set(&vs, "%NK_UNIT_UNSET_VAR"), 2);
	assert_int_equal(vars_set(&vs, "%NK_UNIT_UNSET_VAR=dflt"), 0);
	assert_string_equal(expand(&vs, "{{NK_UNIT_UNSET_VAR}}"), "dflt");
	setenv("NK_UNIT_SET_VAR", "env", 1);
	assert_int_equal(vars_set(&vs, "%NK_UNIT_SET_VAR=dflt"), 0);
	assert_string_equal(expand(&vs, "{{NK_UNIT_SET_VAR}}"), "env");
	/* Bad forms are skipped with a warning. */
	assert_int_equal(vars_set(&vs, "-x=1"), 0);
	assert_int_equal(vars_set(&vs, "x"), 0);
	assert_string_equal(expand(&vs, "{{x}}"), "");
	/* A file, NUL bytes and all. */
	char path[64];
	snprintf(path, sizeof path, "%s/v", tmpdir);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fwrite("a\0b", 1, 3, f);
	assert_int_equal(fclose(f), 0);
	char arg[80];
	snprintf(arg, sizeof arg, "n@%s", path);
	assert_int_equal(vars_set(&vs, arg), 0);
	assert_string_equal(expand(&vs, "{{n:b64}}"), "YQBi");
	assert_string_equal(expand(&vs, "{{n}}"), "(error 2)");
	assert_string_equal(last_msg, "variable contains null byte");
	assert_int_equal(vars_set(&vs, "n@/nonexistent/x"), 26);
	vars_free(&vs);
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
	snprintf(path, sizeof path, "%s/cfg", tmpdir);
	unlink(path);
	snprintf(path, sizeof path, "%s/v", tmpdir);
	unlink(path);
	return rmdir(tmpdir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_vars),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
