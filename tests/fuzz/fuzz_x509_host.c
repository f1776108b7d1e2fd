/* Fuzz target: certificate name matching (nk_x509_covers_host), against a
 * model of the rule nk/x509.h states.
 *
 * Input: 4 bytes of options, the names, then the host.
 *   [0] bits 0-3: number of subject alternative names; bit 4: a subject
 *       CN too; bit 5: no public key
 *   [1..3] unused
 *   then per name: a type byte (even: DNS, odd: IP), a length byte and
 *   that many bytes (DNS names may hold any byte, IP addresses any
 *   length); then the CN the same way (length and bytes) when bit 4 is
 *   set; the rest, up to a NUL, is the host.
 *
 * A certificate with those names is built with OpenSSL (not signed: name
 * matching does not look at the signature) and the host checked against
 * it. The model, written from the header comment alone:
 *   - sound: a match needs an IP SAN with the same address (for an IP
 *     host) or a DNS SAN equal to the host ignoring ASCII case and one
 *     trailing dot, or "*.rest" with the host one more non-empty label in
 *     front of rest; never the CN;
 *   - complete, for plain names (letters, digits, hyphens, dots, no
 *     empty label, not an A-label under a wildcard): such a SAN equal to
 *     the host, or a wildcard over two or more labels covering it, must
 *     match; an IP SAN equal to an IP host must match.
 * nk_x509_facts_get runs on the certificate too, and its SAN list must
 * list the names in order. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "nk/x509.h"
#include "tls/x509_int.h"
#include "fuzz.h"

#define MAX_SANS 15

struct san {
	int ip;
	const uint8_t *b;
	size_t n;
};

static EVP_PKEY *key;

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* one key for every certificate: making one per input is slow */
	key = EVP_EC_gen("P-256");
	if (!key)
		abort();
	return 0;
}

static X509 *
make_cert(const struct san *s, size_t ns, const uint8_t *cn, size_t cnl,
          int with_cn, int with_key)
{
	X509 *x = X509_new();
	FUZZ_CHECK(x != NULL, "X509_new");
	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	if (with_key)
		X509_set_pubkey(x, key);
	X509_NAME *name = X509_get_subject_name(x);
	if (with_cn && cnl > 0)
		X509_NAME_add_entry_by_NID(name, NID_commonName, V_ASN1_UTF8STRING,
		                           cn, (int)cnl, -1, 0);
	X509_set_issuer_name(x, name);
	if (ns > 0) {
		GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
		FUZZ_CHECK(gens != NULL, "out of memory");
		for (size_t i = 0; i < ns; i++) {
			GENERAL_NAME *g = GENERAL_NAME_new();
			ASN1_STRING *v = s[i].ip ? ASN1_OCTET_STRING_new()
			                         : ASN1_IA5STRING_new();
			FUZZ_CHECK(g && v, "out of memory");
			ASN1_STRING_set(v, s[i].b, (int)s[i].n);
			GENERAL_NAME_set0_value(g, s[i].ip ? GEN_IPADD : GEN_DNS, v);
			sk_GENERAL_NAME_push(gens, g);
		}
		X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT);
		GENERAL_NAMES_free(gens);
	}
	ERR_clear_error();
	return x;
}

/* ASCII case-insensitive equality of a[0..an) and b[0..bn). */
static int
eq_ci(const uint8_t *a, size_t an, const char *b, size_t bn)
{
	if (an != bn)
		return 0;
	for (size_t i = 0; i < an; i++)
		if (tolower(a[i]) != tolower((unsigned char)b[i]))
			return 0;
	return 1;
}

/* Letters, digits, hyphens and dots; no empty label; not all digits and
 * dots (so never an IPv4 literal). */
static int
plain(const char *s, size_t n)
{
	int alpha = 0;
	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (s[i + 1] == '.')
				return 0;
		} else if (!isalnum(c) && c != '-') {
			return 0;
		}
		alpha |= isalpha(c) || c == '-';
	}
	return alpha;
}

static size_t
dots(const char *s, size_t n)
{
	size_t d = 0;
	for (size_t i = 0; i < n; i++)
		d += s[i] == '.';
	return d;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = FUZZ_IN(data, size);
	uint8_t flags = fuzz_u8(&in);
	(void)fuzz_u32(&in);
	struct san s[MAX_SANS];
	size_t ns = flags & 15;

	for (size_t i = 0; i < ns; i++) {
		s[i].ip = fuzz_u8(&in) & 1;
		s[i].n = fuzz_u8(&in);
		if (s[i].n > in.n)
			s[i].n = in.n;
		s[i].b = in.p;
		in.p += s[i].n;
		in.n -= s[i].n;
	}
	size_t cnl = 0;
	const uint8_t *cn = in.p;
	if (flags & 16) {
		cnl = fuzz_u8(&in);
		if (cnl > in.n)
			cnl = in.n;
		cn = in.p;
		in.p += cnl;
		in.n -= cnl;
	}
	char *host = fuzz_strdup(in.p, in.n);
	size_t hl = strlen(host);

	X509 *x = make_cert(s, ns, cn, cnl, flags & 16, !(flags & 32));
	const nk_x509 *cert = (const nk_x509 *)(void *)x;
	int got = nk_x509_covers_host(cert, host);
	FUZZ_CHECK(got == 0 || got == 1, "covers_host returned %d", got);

	/* the host as the header reads it */
	char h[300];
	size_t n = 0;
	int bracket = hl >= 2 && host[0] == '[' && host[hl - 1] == ']';
	if (hl > 0 && hl < 256) {
		if (bracket) {
			n = hl - 2;
			memcpy(h, host + 1, n);
		} else {
			n = hl;
			memcpy(h, host, n);
			if (h[n - 1] == '.')
				n--;
		}
	}
	h[n] = '\0';
	unsigned char ip[16];
	int iplen = 0;
	if (inet_pton(AF_INET, h, ip) == 1)
		iplen = 4;
	else if (inet_pton(AF_INET6, h, ip) == 1)
		iplen = 16;

	int sound = 0, must = 0;
	for (size_t i = 0; i < ns; i++) {
		if (s[i].ip) {
			if (iplen && (int)s[i].n == iplen &&
			    memcmp(s[i].b, ip, (size_t)iplen) == 0)
				sound = must = 1;
			continue;
		}
		if (iplen || n == 0)
			continue;
		size_t sn = s[i].n;
		int sdot = sn > 0 && s[i].b[sn - 1] == '.';
		sn -= (size_t)sdot;
		if (eq_ci(s[i].b, sn, h, n)) {
			sound = 1;
			if (plain(h, n) && !sdot)
				must = 1;
		}
		if (sn > 2 && s[i].b[0] == '*' && s[i].b[1] == '.') {
			const char *rest = memchr(h, '.', n);
			if (rest && rest > h &&
			    eq_ci(s[i].b + 2, sn - 2, rest + 1,
			          n - (size_t)(rest + 1 - h))) {
				sound = 1;
				if (plain(h, n) && !sdot && dots(h, n) >= 2 &&
				    strncasecmp(h, "xn--", 4) != 0)
					must = 1;
			}
		}
	}
	if (bracket && iplen == 4)
		must = 0;        /* "[1.2.3.4]" is no form the header names */
	FUZZ_CHECK(!got || sound, "\"%s\" matched, but no SAN covers it", host);
	FUZZ_CHECK(got || !must, "\"%s\" did not match a SAN that covers it",
	           host);

	/* the facts of the same certificate: the SANs in order */
	struct nk_x509_facts f;
	char msg[NK_ERR_MSG_LEN];
	nk_err e = nk_x509_facts_get(cert, 0, &f, msg);
	FUZZ_CHECK(e == NK_OK, "facts: %s", msg);
	FUZZ_CHECK(f.nsan == ns, "%zu SANs listed of %zu", f.nsan, ns);
	for (size_t i = 0; i < f.nsan; i++)
		FUZZ_CHECK(f.san[i].type == (s[i].ip ? NK_SAN_IP : NK_SAN_DNS),
		           "SAN %zu has the wrong type", i);
	nk_x509_facts_clear(&f);
	X509_free(x);
	free(host);
	return 0;
}
