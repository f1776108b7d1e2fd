/* test_text_telnet: the telnet tool's stream filter (cmd/telnet/safe.c)
 * over nk/text.h's rule: what it shows, and that a server's bytes cut
 * into two reads anywhere, mid-character too, show the same. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* The filter's own file: its helpers are static. */
#include "../../cmd/telnet/safe.c" /* NOLINT(bugprone-suspicious-include) */

/* in through a fresh filter in two reads cut at cut, then the end. */
static size_t
show(int utf8, int edits, const char *in, size_t len, size_t cut, char *out)
{
	struct safe s;
	memset(&s, 0, sizeof s);
	s.utf8 = utf8;
	s.edits = edits;
	const unsigned char *u = (const unsigned char *)in;
	size_t n = safe_text(&s, u, cut, out);
	n += safe_text(&s, u + cut, len - cut, out + n);
	n += safe_end(&s, out + n);
	out[n] = '\0';
	return n;
}

static void
test_shown(void **state)
{
	static const struct {
		int utf8, edits;
		const char *in, *want;
	} rows[] = {
		{ 1, 0, "esc:\x1b[31mred bell:\a bs:\b del:\x7f tab:\t",
		  "esc:^[[31mred bell:^G bs:^H del:^? tab:\t" },
		{ 1, 0, "c1:\xc2\x9b raw:\x9b utf8:\xc3\xa9",
		  "c1:\\xc2\\x9b raw:\\x9b utf8:\xc3\xa9" },
		/* NOLINTNEXTLINE(misc-misleading-bidirectional): on purpose */
		{ 1, 0, "bidi:\xe2\x80\xae!", "bidi:\\xe2\\x80\\xae!" },
		{ 1, 0, "bad:\xe2\x82x \xff", "bad:\\xe2\\x82x \\xff" },
		{ 1, 0, "cut:\xf0\x9f\x98", "cut:\\xf0\\x9f\\x98" },
		{ 1, 0, "a\r\nb\n\rc\rd\r", "a\nb\nc^Md^M" },
		{ 1, 0, "\xe2\x82\r\nx", "\\xe2\\x82\nx" },
		{ 1, 1, "ab\b\rc", "ab\b\rc" },
		{ 0, 0, "caf\xe9 \x9b \xc2\x9b", "caf\xe9 \\x9b \xc2\\x9b" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		size_t len = strlen(rows[i].in);
		char want[256], got[256];
		show(rows[i].utf8, rows[i].edits, rows[i].in, len, len, want);
		if (strcmp(want, rows[i].want) != 0)
			fprintf(stderr, "# row %zu: got '%s', want '%s'\n", i,
			        want, rows[i].want);
		assert_string_equal(want, rows[i].want);
		for (size_t cut = 0; cut <= len; cut++) {
			show(rows[i].utf8, rows[i].edits, rows[i].in, len, cut,
			     got);
			assert_string_equal(got, want);
		}
	}
}

static void
test_room(void **state)
{
	/* the worst case for SAFE_MAX: every byte escaped, CRs held */
	static const char in[] = "\r\xff\r\x80\r\x1b\xe2\x80\xf0\x9f\x98";
	char out[SAFE_MAX(sizeof in - 1) + SAFE_MAX(0)];
	(void)state;
	size_t n = show(1, 0, in, sizeof in - 1, 5, out);
	assert_true(n < sizeof out);
	assert_string_equal(out, "\\xff^M\\x80^M^[\\xe2\\x80\\xf0\\x9f\\x98");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shown),
		cmocka_unit_test(test_room),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
