/* Fuzz target: what nk shows of a server's certificate
 * (nk_x509_facts_get, the chain calls) and the text escaper under it
 * (nk_x509_safe_text).
 *
 * Input: 4 bytes of options, then bytes.
 *   [0] bit 0: the bytes are text for nk_x509_safe_text, into a buffer of
 *       [1] + 1 bytes; otherwise they are a DER certificate
 *   [1] the buffer size - 1 (text mode)
 *   [2..3] unused
 *
 * Every string in the facts must be NUL-terminated inside its array and
 * terminal-safe: no C0 or C1 control, no DEL, only valid UTF-8 (escapes
 * are plain "\xNN" text). The escaper's output is also checked to be the
 * longest prefix of its input that fits, escaped. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "nk/x509.h"
#include "tls/x509_int.h"
#include "fuzz.h"

/* Valid UTF-8 with no control character (C0, DEL, C1). */
static void
safe(const char *what, const char *s, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	const void *nul = memchr(s, '\0', cap);
	FUZZ_CHECK(nul != NULL, "%s: no NUL inside its %zu bytes", what, cap);
	size_t n = (size_t)((const char *)nul - s);
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		if (c < 0x80) {
			FUZZ_CHECK(c >= 0x20 && c != 0x7f, "%s: control byte 0x%02x "
			           "at %zu", what, c, i);
			i++;
			continue;
		}
		size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		FUZZ_CHECK(c >= 0xc2 && c <= 0xf4 && i + len <= n, "%s: bad UTF-8 "
		           "lead 0x%02x at %zu", what, c, i);
		unsigned long cp = c & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);
		for (size_t k = 1; k < len; k++) {
			FUZZ_CHECK((p[i + k] & 0xc0) == 0x80, "%s: bad UTF-8 at %zu",
			           what, i + k);
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		FUZZ_CHECK(cp >= 0xa0 && !(cp >= 0xd800 && cp <= 0xdfff) &&
		           cp <= 0x10ffff && !(len == 3 && cp < 0x800) &&
		           !(len == 4 && cp < 0x10000),
		           "%s: code point U+%04lX at %zu", what, cp, i);
		i += len;
	}
}

#define SAFE(f, field) safe(#field, (f)->field, sizeof (f)->field)

static void
text(const uint8_t *s, size_t n, size_t cap)
{
	char *dst = malloc(cap), *big = malloc(4 * n + 1);
	FUZZ_CHECK(dst && big, "out of memory");
	nk_x509_safe_text(dst, cap, (const char *)s, n);
	safe("safe_text", dst, cap);
	/* with room for everything, nothing is cut; the small output is a
	 * prefix of it */
	nk_x509_safe_text(big, 4 * n + 1, (const char *)s, n);
	safe("safe_text (room)", big, 4 * n + 1);
	size_t dl = strlen(dst), bl = strlen(big);
	FUZZ_CHECK(dl <= bl && memcmp(dst, big, dl) == 0, "the cut output is "
	           "not a prefix of the whole");
	FUZZ_CHECK(dl == bl || dl + 4 >= cap, "cut at %zu with room for %zu",
	           dl, cap);
	/* only escapes and ASCII: the \xNN count says how much came in */
	free(dst);
	free(big);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = FUZZ_IN(data, size);
	uint8_t flags = fuzz_u8(&in), cap = fuzz_u8(&in);
	(void)fuzz_u8(&in);
	(void)fuzz_u8(&in);

	if (flags & 1) {
		text(in.p, in.n, (size_t)cap + 1);
		return 0;
	}

	const unsigned char *p = in.p;
	X509 *x = d2i_X509(NULL, &p, (long)in.n);
	ERR_clear_error();
	if (!x)
		return 0;
	const nk_x509 *cert = (const nk_x509 *)(void *)x;
	struct nk_x509_facts f;
	char msg[NK_ERR_MSG_LEN];
	if (nk_x509_facts_get(cert, 1700000000, &f, msg) == NK_OK) {
		SAFE(&f, subject);
		SAFE(&f, issuer);
		SAFE(&f, serial);
		SAFE(&f, not_before_str);
		SAFE(&f, not_after_str);
		SAFE(&f, key_type);
		SAFE(&f, key_desc);
		SAFE(&f, sig_alg);
		SAFE(&f, sha256);
		SAFE(&f, pin);
		for (size_t i = 0; i < f.nsan; i++) {
			FUZZ_CHECK(f.san[i].type == NK_SAN_DNS ||
			           f.san[i].type == NK_SAN_IP, "SAN type %d",
			           f.san[i].type);
			safe("SAN", f.san[i].value, sizeof f.san[i].value);
			/* a name the certificate lists, asked back */
			(void)nk_x509_covers_host(cert, f.san[i].value);
		}
	}
	nk_x509_facts_clear(&f);
	(void)nk_x509_covers_host(cert, "example.com");
	(void)nk_x509_covers_host(cert, "127.0.0.1");
	(void)nk_x509_covers_host(cert, "[::1]");

	/* the chain calls over a one-certificate chain */
	STACK_OF(X509) *sk = sk_X509_new_null();
	FUZZ_CHECK(sk && sk_X509_push(sk, x), "out of memory");
	nk_x509_chain *ch = nk_x509_chain_dup(sk);
	FUZZ_CHECK(ch && nk_x509_chain_len(ch) == 1, "chain_dup");
	FUZZ_CHECK(nk_x509_chain_get(ch, 1) == NULL, "chain_get past the end");
	FUZZ_CHECK(nk_x509_equal(nk_x509_chain_get(ch, 0), cert), "not equal "
	           "to itself");
	char *pem;
	size_t pl;
	if (nk_x509_chain_pem(ch, &pem, &pl, msg) == NK_OK) {
		FUZZ_CHECK(strlen(pem) == pl, "PEM length");
		free(pem);
	}
	nk_x509_chain_free(ch);
	sk_X509_pop_free(sk, X509_free);
	ERR_clear_error();
	return 0;
}
