/* Fuzz target: what nk tls --ocsp and --crl hand to libnk from a server
 * nobody trusts (lib/tls/revoke.c: nk_ocsp_check, nk_crl_check). The
 * parsing itself is OpenSSL's; this checks nk's side of it: any bytes give
 * one of the four statuses, never a crash, and every string it fills is
 * terminated and terminal-safe.
 *
 * Input: one option byte (bit 0: an OCSP response, else a CRL; bit 1: the
 * OCSP response answers a request with a nonce), then the DER (or PEM, for
 * a CRL) bytes. The leaf and its issuer are fixed, from a PKI made by
 * tests/certs/mkrevoke.sh; the seeds are that PKI's CRL and a response. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "nk/revoke.h"
#include "nk/text.h"
#include "tls/x509_int.h"
#include "fuzz.h"

static const char root_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBfjCCASSgAwIBAgIUbsK1qFX7LgU+MfXHAHzNdkHh/Q8wCgYIKoZIzj0EAwIw\n"
	"HTEbMBkGA1UEAwwSbmsgUmV2b2NhdGlvbiBSb290MB4XDTI2MTIwNjA2MTA0NloX\n"
	"DTI3MDMxNjA2MTA0NlowHTEbMBkGA1UEAwwSbmsgUmV2b2NhdGlvbiBSb290MFkw\n"
	"EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE/utdfrWo3pe0BTJhATUi3LOst6ym2tCn\n"
	"O4kDlsR3yqBdN6Tiesf9Tby0mK1b7/UyWTTFALeEdB0+1i45yTYp/qNCMEAwDwYD\n"
	"VR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAYYwHQYDVR0OBBYEFK5+1p645fnG\n"
	"kOApMXM2VkBNfao1MAoGCCqGSM49BAMCA0gAMEUCIHKaSulP/HSPSEATgCBhe9zG\n"
	"VyyZ0ahAkEAOM4ial2xCAiEAxB3firtvPQ25ConHRMouYujnllUMCQyphvP8vxTF\n"
	"EWs=\n"
	"-----END CERTIFICATE-----\n";

static const char leaf_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIICEzCCAbigAwIBAgICEAAwCgYIKoZIzj0EAwIwHTEbMBkGA1UEAwwSbmsgUmV2\n"
	"b2NhdGlvbiBSb290MB4XDTI2MTIwNjA2MTA0NloXDTI3MDMxNjA2MTA0NlowFDES\n"
	"MBAGA1UEAwwJZ29vZC50ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAETTH3\n"
	"/Ftmlppc2I1stR5B3vzd5vk7Mnypf4DRPzaJDa1Ccy0k9xlyXkMhcaXNTuwm/AaX\n"
	"X+tiS70MVaRRzDbN0aOB8DCB7TAJBgNVHRMEAjAAMA4GA1UdDwEB/wQEAwIHgDAT\n"
	"BgNVHSUEDDAKBggrBgEFBQcDATAUBgNVHREEDTALgglnb29kLnRlc3QwMwYIKwYB\n"
	"BQUHAQEEJzAlMCMGCCsGAQUFBzABhhdodHRwOi8vMTI3LjAuMC4xOjE4ODAxLzAw\n"
	"BgNVHR8EKTAnMCWgI6Ahhh9odHRwOi8vMTI3LjAuMC4xOjE4ODAyL3Jvb3QuY3Js\n"
	"MB0GA1UdDgQWBBR31HD+io1zTWYzu1+D0wtHnoAdiTAfBgNVHSMEGDAWgBSuftae\n"
	"uOX5xpDgKTFzNlZATX2qNTAKBggqhkjOPQQDAgNJADBGAiEApNlKCZGYtvIL2eUb\n"
	"yRCvKIrzoqpPHszs4S2qzVDA+9oCIQCDVB4g+Z+VDZmElNZnTQIu9VxOdy855sg+\n"
	"n/p74+5vGA==\n"
	"-----END CERTIFICATE-----\n";

static X509 *root, *leaf;
static nk_tls_ctx *ctx;
static unsigned char *req;
static size_t reqlen;

static X509 *
load(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	FUZZ_CHECK(x != NULL, "cannot read a built-in certificate");
	return x;
}

static void
init(void)
{
	char err[NK_ERR_MSG_LEN];
	nk_tls_config cfg;
	memset(&cfg, 0, sizeof cfg);
	root = load(root_pem);
	leaf = load(leaf_pem);
	FUZZ_CHECK(nk_tls_ctx_new(&cfg, &ctx, err) == NK_OK, "ctx: %s", err);
	FUZZ_CHECK(nk_ocsp_request((const nk_x509 *)(void *)leaf,
	                           (const nk_x509 *)(void *)root, &req, &reqlen,
	                           err) == NK_OK, "request: %s", err);
}

static void
safe(const char *s, size_t cap, const char *what)
{
	size_t n = strnlen(s, cap);
	FUZZ_CHECK(n < cap, "%s is not terminated", what);
	for (size_t i = 0, k; i < n; i += k) {
		k = nk_text_safe_len(s + i, n - i, 0);
		FUZZ_CHECK(k > 0 && k != NK_TEXT_MORE, "%s is not safe: %s", what,
		           s);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ctx)
		init();
	if (size < 1)
		return 0;
	unsigned opt = data[0];
	data++;
	size--;
	nk_revocation r;
	const nk_x509 *l = (const nk_x509 *)(void *)leaf;
	const nk_x509 *i = (const nk_x509 *)(void *)root;
	if (opt & 1)
		nk_ocsp_check(ctx, l, i, NULL, (opt & 2) ? req : NULL,
		              (opt & 2) ? reqlen : 0, data, size, &r);
	else
		nk_crl_check(l, i, data, size, 1797000000, &r);   /* 2026-12-10 */
	FUZZ_CHECK(r.status == NK_OCSP_GOOD || r.status == NK_OCSP_REVOKED ||
	           r.status == NK_OCSP_UNKNOWN || r.status == NK_OCSP_INVALID,
	           "status %d", (int)r.status);
	safe(r.this_update, sizeof r.this_update, "this_update");
	safe(r.next_update, sizeof r.next_update, "next_update");
	safe(r.revoked_at, sizeof r.revoked_at, "revoked_at");
	safe(r.reason, sizeof r.reason, "reason");
	safe(r.why, sizeof r.why, "why");
	FUZZ_CHECK((r.status == NK_OCSP_INVALID) == (r.why[0] != 0),
	           "why set for status %d: %s", (int)r.status, r.why);
	return 0;
}
