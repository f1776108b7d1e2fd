/* Fuzz target: what nk tls reads from an AIA "CA Issuers" URL and from
 * the certificates it gets there (nk/chain.h): nk_chain_parse (DER, PEM,
 * PKCS#7), nk_chain_links_get, nk_chain_issued, nk_chain_join.
 *
 * Input: 1 byte of options, then the body an AIA URL served.
 *   [0] bit 0: parse the body without its last byte as well
 *
 * A parse gives a chain of at least one certificate, or an error and no
 * chain. Every link string is NUL-terminated inside its array; the key
 * identifiers are hex with colons; the CA Issuers URIs are printable
 * ASCII without spaces (they go to a fetcher as they are). */
#include <stdint.h>
#include <string.h>

#include "nk/chain.h"
#include "fuzz.h"

static void
terminated(const char *what, const char *s, size_t cap)
{
	FUZZ_CHECK(memchr(s, '\0', cap) != NULL, "%s: no NUL in %zu bytes", what,
	           cap);
}

static void
hex_colons(const char *what, const char *s)
{
	for (size_t i = 0; s[i]; i++)
		FUZZ_CHECK(i % 3 == 2 ? s[i] == ':' :
		           (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F'),
		           "%s: '%c' at %zu", what, s[i], i);
}

static void
links(const nk_x509 *c)
{
	struct nk_chain_links l;
	nk_chain_links_get(c, &l);
	terminated("ski", l.ski, sizeof l.ski);
	terminated("aki", l.aki, sizeof l.aki);
	terminated("sig_hash", l.sig_hash, sizeof l.sig_hash);
	hex_colons("ski", l.ski);
	hex_colons("aki", l.aki);
	FUZZ_CHECK(l.nca_issuers <= NK_CHAIN_MAX_AIA, "%zu URIs", l.nca_issuers);
	for (size_t i = 0; i < l.nca_issuers; i++) {
		const char *u = l.ca_issuers[i];
		terminated("ca_issuers", u, sizeof l.ca_issuers[i]);
		FUZZ_CHECK(*u, "an empty URI");
		for (size_t k = 0; u[k]; k++)
			FUZZ_CHECK(u[k] > 0x20 && u[k] < 0x7f, "URI byte 0x%02x",
			           (unsigned char)u[k]);
	}
	FUZZ_CHECK(l.sig_weak == 0 || l.sig_weak == 1, "sig_weak %d", l.sig_weak);
}

static void
one(const uint8_t *p, size_t n)
{
	nk_x509_chain *ch = NULL, *j = NULL;
	char err[NK_ERR_MSG_LEN];
	nk_err e = nk_chain_parse(p, n, &ch, err);
	if (e) {
		FUZZ_CHECK(ch == NULL, "a chain with error %d", (int)e);
		FUZZ_CHECK(e == NK_ERR_BAD_CONTENT_ENCODING ||
		           e == NK_ERR_OUT_OF_MEMORY, "error %d", (int)e);
		return;
	}
	size_t len = nk_x509_chain_len(ch);
	FUZZ_CHECK(len > 0, "an empty chain");
	for (size_t i = 0; i < len && i < 8; i++) {
		links(nk_x509_chain_get(ch, i));
		for (size_t k = 0; k < len && k < 8; k++)
			(void)nk_chain_issued(nk_x509_chain_get(ch, i),
			                      nk_x509_chain_get(ch, k));
	}
	FUZZ_CHECK(nk_chain_join(ch, ch, &j, err) == NK_OK, "join: %s", err);
	FUZZ_CHECK(nk_x509_chain_len(j) == 2 * len, "join length");
	FUZZ_CHECK(nk_x509_equal(nk_x509_chain_get(j, len),
	                         nk_x509_chain_get(ch, 0)), "join order");
	nk_x509_chain_free(j);
	nk_x509_chain_free(ch);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = FUZZ_IN(data, size);
	uint8_t flags = fuzz_u8(&in);
	one(in.p, in.n);
	if ((flags & 1) && in.n > 0)
		one(in.p, in.n - 1);
	return 0;
}
