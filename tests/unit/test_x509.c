/* Unit tests of the certificate facts, on certificates tests/certs/mkcerts.sh
 * generates into a temporary directory, checked against what the openssl
 * command line says about the same files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "nk/x509.h"
#include "tls/x509_int.h"

static char dir[] = "/tmp/nk-test-x509-XXXXXX";

/* The repository root, from this file's path as the Makefile compiles it
 * ("tests/unit/test_x509.c", relative to the root the tests run in). */
static void
script_path(char *buf, size_t len)
{
	const char *f = __FILE__;
	const char *p = strstr(f, "tests/unit/");
	snprintf(buf, len, "%.*stests/certs/mkcerts.sh", (int)(p ? p - f : 0), f);
}

static int
setup(void **state)
{
	char script[512], cmd[1200];
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	script_path(script, sizeof script);
	snprintf(cmd, sizeof cmd, "sh '%s' '%s' >'%s/mkcerts.log' 2>&1", script,
	         dir, dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "# %s failed, see %s/mkcerts.log\n", cmd, dir);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	char cmd[600];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* One line of output of a shell command, without the newline. */
static void
sh_line(char *out, size_t len, const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	if (!fgets(out, (int)len, p))
		out[0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	pclose(p);
}

static nk_x509_chain *
load(const char *name)
{
	char path[600], err[NK_ERR_MSG_LEN] = "";
	nk_x509_chain *ch = NULL;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	nk_err e = nk_x509_chain_load(path, &ch, err);
	if (e)
		fprintf(stderr, "# %s\n", err);
	assert_int_equal(e, NK_OK);
	return ch;
}

static void
facts(const char *name, int64_t now, struct nk_x509_facts *f)
{
	nk_x509_chain *ch = load(name);
	assert_int_equal(nk_x509_facts_get(nk_x509_chain_get(ch, 0), now, f,
	                                   NULL), NK_OK);
	nk_x509_chain_free(ch);
}

static void
test_leaf_facts(void **state)
{
	struct nk_x509_facts f;
	char want[256], path[600];
	(void)state;
	facts("valid.pem", time(NULL), &f);
	snprintf(path, sizeof path, "%s/valid.pem", dir);
	assert_string_equal(f.subject, "CN=valid.test");
	assert_string_equal(f.issuer, "CN=nk Test Intermediate");
	/* openssl says "serial=1000"; the first certificate of the CA. */
	sh_line(want, sizeof want, "openssl x509 -in '%s' -noout -serial", path);
	assert_string_equal(want, "serial=1000");
	assert_string_equal(f.serial, "10:00");
	sh_line(want, sizeof want, "openssl x509 -in '%s' -noout -fingerprint "
	        "-sha256 | sed 's/.*=//'", path);
	assert_string_equal(f.sha256, want);
	sh_line(want, sizeof want, "openssl x509 -in '%s' -pubkey -noout | "
	        "openssl pkey -pubin -outform der | openssl dgst -sha256 -binary "
	        "| base64", path);
	assert_true(strncmp(f.pin, "sha256//", 8) == 0);
	assert_string_equal(f.pin + 8, want);
	/* The dates as openssl prints them, reformatted by date(1). */
	sh_line(want, sizeof want, "date -u -d \"$(openssl x509 -in '%s' -noout "
	        "-enddate | sed 's/.*=//')\" '+%%Y-%%m-%%d %%H:%%M:%%S UTC'", path);
	assert_string_equal(f.not_after_str, want);
	sh_line(want, sizeof want, "date -u -d \"$(openssl x509 -in '%s' -noout "
	        "-enddate | sed 's/.*=//')\" +%%s", path);
	assert_int_equal(f.not_after, strtoll(want, NULL, 10));
	sh_line(want, sizeof want, "date -u -d \"$(openssl x509 -in '%s' -noout "
	        "-startdate | sed 's/.*=//')\" +%%s", path);
	assert_int_equal(f.not_before, strtoll(want, NULL, 10));
	/* mkcerts.sh gives leaves 100 days: a second after the start, 99
	 * whole days and a bit are left. */
	assert_int_equal(f.not_after - f.not_before, 100 * 86400);
	struct nk_x509_facts g;
	facts("valid.pem", f.not_before + 1, &g);
	assert_int_equal(g.days_left, 99);
	nk_x509_facts_clear(&g);
	assert_string_equal(f.key_type, "EC");
	assert_int_equal(f.key_bits, 256);
	assert_string_equal(f.key_desc, "EC P-256");
	assert_string_equal(f.sig_alg, "ecdsa-with-SHA256");
	assert_false(f.self_signed);
	assert_false(f.is_ca);
	assert_int_equal(f.nsan, 1);
	assert_int_equal(f.san[0].type, NK_SAN_DNS);
	assert_string_equal(f.san[0].value, "valid.test");
	nk_x509_facts_clear(&f);
	assert_null(f.san);
	assert_int_equal(f.nsan, 0);
}

static void
test_ca_facts(void **state)
{
	struct nk_x509_facts f;
	(void)state;
	facts("root.pem", time(NULL), &f);
	assert_string_equal(f.subject, "CN=nk Test Root");
	assert_string_equal(f.issuer, "CN=nk Test Root");
	assert_true(f.self_signed);
	assert_true(f.is_ca);
	assert_int_equal(f.nsan, 0);
	nk_x509_facts_clear(&f);

	facts("int.pem", time(NULL), &f);
	assert_false(f.self_signed);
	assert_true(f.is_ca);
	nk_x509_facts_clear(&f);

	/* Self-signed but not a CA. */
	facts("self.pem", time(NULL), &f);
	assert_true(f.self_signed);
	assert_false(f.is_ca);
	nk_x509_facts_clear(&f);
}

static void
test_key_kinds(void **state)
{
	struct nk_x509_facts f;
	(void)state;
	facts("weak.pem", time(NULL), &f);
	assert_string_equal(f.key_type, "RSA");
	assert_int_equal(f.key_bits, 1024);
	assert_string_equal(f.key_desc, "RSA 1024");
	/* Signed by the EC intermediate all the same. */
	assert_string_equal(f.sig_alg, "ecdsa-with-SHA256");
	nk_x509_facts_clear(&f);
}

static void
test_sans_in_order(void **state)
{
	struct nk_x509_facts f;
	(void)state;
	facts("ip.pem", time(NULL), &f);
	assert_int_equal(f.nsan, 2);
	assert_int_equal(f.san[0].type, NK_SAN_IP);
	assert_string_equal(f.san[0].value, "127.0.0.1");
	assert_int_equal(f.san[1].type, NK_SAN_IP);
	assert_string_equal(f.san[1].value, "::1");
	nk_x509_facts_clear(&f);

	facts("names.pem", time(NULL), &f);
	assert_int_equal(f.nsan, 2);
	assert_string_equal(f.san[0].value, "one.test");
	assert_string_equal(f.san[1].value, "*.two.test");
	nk_x509_facts_clear(&f);

	facts("cnonly.pem", time(NULL), &f);
	assert_string_equal(f.subject, "CN=cnonly.test");
	assert_int_equal(f.nsan, 0);
	assert_null(f.san);
	nk_x509_facts_clear(&f);
}

static void
test_days_left(void **state)
{
	struct nk_x509_facts f;
	(void)state;
	facts("valid.pem", time(NULL), &f);
	int64_t end = f.not_after;
	static const struct { int64_t offset; int64_t days; } rows[] = {
		{ -2 * 86400, 2 },        /* two days before expiry */
		{ -2 * 86400 + 1, 1 },
		{ -86400, 1 },
		{ -1, 0 },
		{ 0, 0 },                 /* the last second */
		{ 1, -1 },                /* expired a second ago: day -1 */
		{ 86400, -1 },
		{ 86401, -2 },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct nk_x509_facts g;
		facts("valid.pem", end + rows[i].offset, &g);
		if (g.days_left != rows[i].days)
			fprintf(stderr, "# offset %lld: days_left %lld, want %lld\n",
			        (long long)rows[i].offset, (long long)g.days_left,
			        (long long)rows[i].days);
		assert_int_equal(g.days_left, rows[i].days);
		nk_x509_facts_clear(&g);
	}
	nk_x509_facts_clear(&f);

	facts("expired.pem", time(NULL), &f);
	assert_string_equal(f.not_before_str, "2020-01-01 00:00:00 UTC");
	assert_string_equal(f.not_after_str, "2021-01-01 00:00:00 UTC");
	assert_int_equal(f.not_after, 1609459200);
	assert_true(f.days_left < -365);
	nk_x509_facts_clear(&f);
}

static void
test_covers_host(void **state)
{
	static const struct { const char *file, *host; int want; } rows[] = {
		{ "wild.pem", "a.example.test", 1 },
		{ "wild.pem", "A.Example.TEST", 1 },
		{ "wild.pem", "a.example.test.", 1 },
		{ "wild.pem", "a.b.example.test", 0 },   /* one label only */
		{ "wild.pem", "example.test", 0 },       /* not the bare domain */
		{ "wild.pem", ".example.test", 0 },
		{ "wild.pem", "aexample.test", 0 },
		{ "names.pem", "one.test", 1 },
		{ "names.pem", "x.two.test", 1 },
		{ "names.pem", "two.test", 0 },
		{ "names.pem", "wrong.test", 0 },
		{ "ip.pem", "127.0.0.1", 1 },
		{ "ip.pem", "::1", 1 },
		{ "ip.pem", "[::1]", 1 },
		{ "ip.pem", "0:0::1", 1 },
		{ "ip.pem", "127.0.0.2", 0 },
		{ "ip.pem", "localhost", 0 },
		{ "valid.pem", "127.0.0.1", 0 },
		{ "valid.pem", "valid.test", 1 },
		{ "valid.pem", "VALID.test", 1 },
		{ "valid.pem", "xvalid.test", 0 },
		{ "valid.pem", "", 0 },
		/* Subject CNs never count (RFC 6125 section 6.4.4 as browsers
		 * apply it). */
		{ "cnonly.pem", "cnonly.test", 0 },
		{ "ip.pem", "localhost", 0 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		nk_x509_chain *ch = load(rows[i].file);
		int got = nk_x509_covers_host(nk_x509_chain_get(ch, 0), rows[i].host);
		if (got != rows[i].want)
			fprintf(stderr, "# %s covers '%s': %d, want %d\n", rows[i].file,
			        rows[i].host, got, rows[i].want);
		assert_int_equal(got, rows[i].want);
		nk_x509_chain_free(ch);
	}
}

static void
test_terminal_safe_names(void **state)
{
	struct nk_x509_facts f;
	(void)state;
	facts("evil.pem", time(NULL), &f);
	/* CN first (RFC 2253 order). OpenSSL escapes C0 controls itself
	 * ("\1B"); the C1 control U+009B, which terminals take as CSI,
	 * becomes \xc2\x9b here; real UTF-8 stays. No byte below 0x20
	 * survives. */
	assert_string_equal(f.subject,
	                    "CN=evil\\1B]0\\;title\\07.test, O=Gr\xc3\xbc\xc3\x9f"
	                    "e \\xc2\\x9bx");
	assert_int_equal(f.nsan, 1);
	assert_string_equal(f.san[0].value, "evil\\x1b[31m.test");
	for (const char *p = f.subject; *p; p++)
		assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
	nk_x509_facts_clear(&f);
}

static void
test_safe_text(void **state)
{
	static const struct { const char *in; size_t inlen; size_t cap;
	                      const char *want; } rows[] = {
		{ "plain", 5, 64, "plain" },
		{ "a\x1b[31mb", 7, 64, "a\\x1b[31mb" },
		{ "del\x7f", 4, 64, "del\\x7f" },
		{ "nul\0x", 5, 64, "nul\\x00x" },
		{ "\xc2\x9b", 2, 64, "\\xc2\\x9b" },              /* C1 CSI */
		{ "\xc2\xa0", 2, 64, "\xc2\xa0" },                /* NBSP is text */
		{ "\xe2\x82\xac", 3, 64, "\xe2\x82\xac" },        /* euro sign */
		{ "\xf0\x9f\x98\x80", 4, 64, "\xf0\x9f\x98\x80" },
		{ "\xff", 1, 64, "\\xff" },
		{ "\xc0\x80", 2, 64, "\\xc0\\x80" },              /* overlong NUL */
		{ "\xe0\x80\x80", 3, 64, "\\xe0\\x80\\x80" },     /* overlong */
		{ "\xed\xa0\x80", 3, 64, "\\xed\\xa0\\x80" },     /* surrogate */
		{ "\xe2\x82", 2, 64, "\\xe2\\x82" },              /* cut short */
		{ "abcdef", 6, 4, "abc" },                        /* truncated */
		{ "ab\x1b", 3, 5, "ab" },                         /* never half */
		{ "a\xe2\x82\xac", 4, 4, "a" },
		{ "x", 1, 1, "" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char out[64];
		memset(out, 'Z', sizeof out);
		nk_x509_safe_text(out, rows[i].cap, rows[i].in, rows[i].inlen);
		if (strcmp(out, rows[i].want) != 0)
			fprintf(stderr, "# row %zu: got '%s', want '%s'\n", i, out,
			        rows[i].want);
		assert_string_equal(out, rows[i].want);
		assert_true(strlen(out) < rows[i].cap);
	}
}

static void
test_chain_load_and_pem(void **state)
{
	char path[600], err[NK_ERR_MSG_LEN];
	(void)state;
	nk_x509_chain *ch = load("valid-chain.pem");
	assert_int_equal(nk_x509_chain_len(ch), 2);
	assert_null(nk_x509_chain_get(ch, 2));
	nk_x509_chain *leaf = load("valid.pem");
	nk_x509_chain *in = load("int.pem");
	assert_true(nk_x509_equal(nk_x509_chain_get(ch, 0),
	                          nk_x509_chain_get(leaf, 0)));
	assert_true(nk_x509_equal(nk_x509_chain_get(ch, 1),
	                          nk_x509_chain_get(in, 0)));
	assert_false(nk_x509_equal(nk_x509_chain_get(ch, 0),
	                           nk_x509_chain_get(in, 0)));

	/* The PEM of the chain is the file, byte for byte (mkcerts.sh writes
	 * bare PEM without text). */
	char *pem = NULL;
	size_t len = 0;
	assert_int_equal(nk_x509_chain_pem(ch, &pem, &len, err), NK_OK);
	snprintf(path, sizeof path, "%s/valid-chain.pem", dir);
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	static char file[16384];
	size_t flen = fread(file, 1, sizeof file, fp);
	fclose(fp);
	assert_int_equal(len, flen);
	assert_memory_equal(pem, file, flen);
	assert_int_equal(strlen(pem), len);
	free(pem);

	assert_int_equal(nk_x509_chain_len(NULL), 0);
	assert_null(nk_x509_chain_get(NULL, 0));
	nk_x509_chain_free(NULL);
	nk_x509_chain_free(ch);
	nk_x509_chain_free(leaf);
	nk_x509_chain_free(in);
}

static void
test_chain_load_errors(void **state)
{
	char path[600], err[NK_ERR_MSG_LEN];
	nk_x509_chain *ch = (nk_x509_chain *)1;
	(void)state;
	snprintf(path, sizeof path, "%s/nonexistent.pem", dir);
	assert_int_equal(nk_x509_chain_load(path, &ch, err), NK_ERR_READ_ERROR);
	assert_null(ch);
	char want[700];
	snprintf(want, sizeof want, "cannot read %s", path);
	assert_string_equal(err, want);

	snprintf(path, sizeof path, "%s/ca.cnf", dir);
	assert_int_equal(nk_x509_chain_load(path, &ch, err), NK_ERR_READ_ERROR);
	snprintf(want, sizeof want, "no PEM certificate in %s", path);
	assert_string_equal(err, want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leaf_facts),
		cmocka_unit_test(test_ca_facts),
		cmocka_unit_test(test_key_kinds),
		cmocka_unit_test(test_sans_in_order),
		cmocka_unit_test(test_days_left),
		cmocka_unit_test(test_covers_host),
		cmocka_unit_test(test_terminal_safe_names),
		cmocka_unit_test(test_safe_text),
		cmocka_unit_test(test_chain_load_and_pem),
		cmocka_unit_test(test_chain_load_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
