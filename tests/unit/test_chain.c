/* Unit tests of nk/chain.h (the chain diagnosis' library side) on the
 * PKI tests/certs/mkdiag.sh makes in a temporary directory: links, the
 * issued-by test, what an AIA URL may serve (DER, PEM, PKCS#7, junk),
 * joining, and verification against a context's store. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nk/chain.h"
#include "nk/tls.h"
#include "nk/x509.h"

static char pki[] = "/tmp/nk-test-chain-XXXXXX";

static int
make_pki(void **state)
{
	char cmd[1400];
	const char *f = __FILE__, *p = strstr(f, "tests/unit/");
	(void)state;
	if (!mkdtemp(pki))
		return -1;
	/* The AIA URLs are never fetched here: port 9 (discard). */
	snprintf(cmd, sizeof cmd, "sh '%.*stests/certs/mkdiag.sh' '%s' "
	         "http://127.0.0.1:9 http://127.0.0.1:9 >/dev/null 2>&1 && "
	         "cd '%s' && openssl crl2pkcs7 -nocrl -certfile int.pem "
	         "-certfile sub.pem -out two.p7b && cat valid.pem int.pem "
	         ">two.pem", (int)(p ? p - f : 0), f, pki, pki);
	/* NOLINTNEXTLINE(cert-env33-c): the test's own fixed command */
	return system(cmd) == 0 ? 0 : -1;
}

static int
remove_pki(void **state)
{
	char cmd[600];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", pki);
	/* NOLINTNEXTLINE(cert-env33-c): the test's own fixed command */
	return system(cmd) == 0 ? 0 : -1;
}

/* The bytes of a file of the PKI, malloc'd; *n its length. */
static char *
slurp(const char *name, size_t *n)
{
	char path[600];
	snprintf(path, sizeof path, "%s/%s", pki, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *b = malloc(200000);
	assert_non_null(b);
	*n = fread(b, 1, 200000, f);
	fclose(f);
	return b;
}

/* The certificates of a file, through nk_chain_parse. */
static nk_x509_chain *
parse(const char *name, nk_err want)
{
	size_t n;
	char *b = slurp(name, &n), err[NK_ERR_MSG_LEN] = "";
	nk_x509_chain *ch = (nk_x509_chain *)1;
	assert_int_equal(nk_chain_parse(b, n, &ch, err), want);
	free(b);
	if (want != NK_OK)
		assert_null(ch);
	return ch;
}

static void
subject(const nk_x509_chain *ch, size_t i, const char *want)
{
	struct nk_x509_facts f;
	assert_int_equal(nk_x509_facts_get(nk_x509_chain_get(ch, i), 0, &f,
	                                   NULL), NK_OK);
	assert_string_equal(f.subject, want);
	nk_x509_facts_clear(&f);
}

/* The file parses into n certificates, the first and last with these
 * subjects. */
static void
parses_as(const char *name, size_t n, const char *first, const char *last)
{
	nk_x509_chain *ch = parse(name, NK_OK);
	assert_int_equal(nk_x509_chain_len(ch), n);
	subject(ch, 0, first);
	subject(ch, n - 1, last);
	nk_x509_chain_free(ch);
}

static void
test_parse_forms(void **state)
{
	nk_x509_chain *ch;
	(void)state;
	parses_as("aia/int.der", 1, "CN=nk Diag Intermediate",
	          "CN=nk Diag Intermediate");
	parses_as("aia/int.p7c", 1, "CN=nk Diag Intermediate",
	          "CN=nk Diag Intermediate");
	/* PKCS#7 in PEM */
	parses_as("two.p7b", 2, "CN=nk Diag Intermediate", "CN=nk Diag Sub CA");
	parses_as("two.pem", 2, "CN=valid.test", "CN=nk Diag Intermediate");
	parse("aia/junk.der", NK_ERR_BAD_CONTENT_ENCODING);
	parse("req.cnf", NK_ERR_BAD_CONTENT_ENCODING);

	char err[NK_ERR_MSG_LEN];
	assert_int_equal(nk_chain_parse("", 0, &ch, err),
	                 NK_ERR_BAD_CONTENT_ENCODING);
	assert_string_equal(err, "no certificate in 0 bytes");
	/* A DER certificate cut short is no certificate. */
	size_t n;
	char *b = slurp("aia/int.der", &n);
	assert_int_equal(nk_chain_parse(b, n - 1, &ch, err),
	                 NK_ERR_BAD_CONTENT_ENCODING);
	free(b);
}

static void
test_links(void **state)
{
	(void)state;
	nk_x509_chain *all = parse("two.pem", NK_OK);
	nk_x509_chain *sha1 = parse("sha1.pem", NK_OK);
	nk_x509_chain *root = parse("root.pem", NK_OK);
	struct nk_chain_links leaf, in, r, s;
	nk_chain_links_get(nk_x509_chain_get(all, 0), &leaf);
	nk_chain_links_get(nk_x509_chain_get(all, 1), &in);
	nk_chain_links_get(nk_x509_chain_get(root, 0), &r);
	nk_chain_links_get(nk_x509_chain_get(sha1, 0), &s);
	/* The leaf names its issuer's key, and where to get it. */
	assert_int_equal(strlen(leaf.aki), 59);   /* 20 bytes, hex with colons */
	assert_string_equal(leaf.aki, in.ski);
	assert_string_equal(in.aki, r.ski);
	assert_string_equal(r.aki, r.ski);
	assert_int_equal(leaf.nca_issuers, 1);
	assert_string_equal(leaf.ca_issuers[0], "http://127.0.0.1:9/int.der");
	assert_int_equal(in.nca_issuers, 0);
	assert_string_equal(leaf.sig_hash, "SHA256");
	assert_false(leaf.sig_weak);
	assert_string_equal(s.sig_hash, "SHA1");
	assert_true(s.sig_weak);

	/* Who issued whom. */
	const nk_x509 *l = nk_x509_chain_get(all, 0), *i = nk_x509_chain_get(all, 1);
	const nk_x509 *rt = nk_x509_chain_get(root, 0);
	assert_true(nk_chain_issued(i, l));
	assert_false(nk_chain_issued(l, i));
	assert_true(nk_chain_issued(rt, i));
	assert_false(nk_chain_issued(rt, l));
	assert_true(nk_chain_issued(rt, rt));

	/* Joining: a then b, each holding its own references. */
	nk_x509_chain *j = NULL;
	char err[NK_ERR_MSG_LEN];
	assert_int_equal(nk_chain_join(all, root, &j, err), NK_OK);
	nk_x509_chain_free(all);
	nk_x509_chain_free(root);
	assert_int_equal(nk_x509_chain_len(j), 3);
	subject(j, 0, "CN=valid.test");
	subject(j, 2, "CN=nk Diag Root");
	nk_x509_chain *k = NULL;
	assert_int_equal(nk_chain_join(NULL, j, &k, err), NK_OK);
	assert_int_equal(nk_x509_chain_len(k), 3);
	nk_x509_chain_free(k);
	assert_int_equal(nk_chain_join(NULL, NULL, &k, err),
	                 NK_ERR_OUT_OF_MEMORY);
	assert_null(k);
	nk_x509_chain_free(j);
	nk_x509_chain_free(sha1);
}

static void
test_verify(void **state)
{
	char ca[600], err[NK_ERR_MSG_LEN];
	nk_tls_config cfg;
	nk_tls_ctx *ctx = NULL;
	nk_chain_verdict v;
	(void)state;
	memset(&cfg, 0, sizeof cfg);
	snprintf(ca, sizeof ca, "%s/root.pem", pki);
	cfg.cafile = ca;
	assert_int_equal(nk_tls_ctx_new(&cfg, &ctx, err), NK_OK);

	/* The leaf alone: the path stops at it, its issuer missing. */
	nk_x509_chain *leaf = parse("valid.pem", NK_OK);
	assert_int_equal(nk_chain_verify(ctx, leaf, "valid.test", &v, err), NK_OK);
	assert_false(v.ok);
	assert_int_equal(v.code, 20);   /* X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY */
	assert_int_equal(v.depth, 0);
	assert_string_equal(v.reason, "missing intermediate certificate or "
	                    "unknown root: issuer CN=nk Diag Intermediate was "
	                    "not sent and is not trusted");
	assert_int_equal(nk_x509_chain_len(v.path), 1);
	nk_chain_verdict_clear(&v);

	/* With the intermediate: to the root. */
	nk_x509_chain *two = parse("two.pem", NK_OK);
	assert_int_equal(nk_chain_verify(ctx, two, "valid.test", &v, err), NK_OK);
	assert_true(v.ok);
	assert_int_equal(v.depth, -1);
	assert_int_equal(nk_x509_chain_len(v.path), 3);
	subject(v.path, 2, "CN=nk Diag Root");
	nk_chain_verdict_clear(&v);

	/* Another name: the first failure, and still the whole path. */
	assert_int_equal(nk_chain_verify(ctx, two, "other.test", &v, err), NK_OK);
	assert_false(v.ok);
	assert_int_equal(v.code, 62);   /* X509_V_ERR_HOSTNAME_MISMATCH */
	assert_string_equal(v.reason, "certificate is for other names: valid.test");
	assert_int_equal(nk_x509_chain_len(v.path), 3);
	nk_chain_verdict_clear(&v);
	/* No name: not checked. */
	assert_int_equal(nk_chain_verify(ctx, two, NULL, &v, err), NK_OK);
	assert_true(v.ok);
	nk_chain_verdict_clear(&v);
	/* An IP address is checked against IP names. */
	assert_int_equal(nk_chain_verify(ctx, two, "127.0.0.1", &v, err), NK_OK);
	assert_int_equal(v.code, 64);   /* X509_V_ERR_IP_ADDRESS_MISMATCH */
	nk_chain_verdict_clear(&v);

	assert_int_equal(nk_chain_verify(ctx, NULL, "valid.test", &v, err),
	                 NK_ERR_BAD_FUNCTION_ARGUMENT);
	assert_null(v.path);
	nk_chain_verdict_clear(NULL);
	nk_x509_chain_free(leaf);
	nk_x509_chain_free(two);
	nk_tls_ctx_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_verify),
	};
	return cmocka_run_group_tests(tests, make_pki, remove_pki);
}
