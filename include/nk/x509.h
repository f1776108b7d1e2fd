/* libnk x509: facts about certificates, for display and for scripts.
 *
 * Everything comes from OpenSSL's X.509 API; text is made terminal-safe
 * here (control characters and invalid UTF-8 are escaped as \xNN), so a
 * tool can print it as it is. A certificate (nk_x509) is only ever borrowed
 * from a chain (nk_x509_chain), which owns it. Nothing here blocks. */
#ifndef NK_X509_H
#define NK_X509_H

#include "nk/defs.h"
#include "nk/err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nk_x509 nk_x509;              /* one certificate, borrowed */
typedef struct nk_x509_chain nk_x509_chain;  /* certificates, leaf first */

/* Subject alternative name kinds nk reports; others are skipped. */
#define NK_SAN_DNS 1
#define NK_SAN_IP  2

struct nk_x509_san {
	int type;                /* NK_SAN_DNS or NK_SAN_IP */
	char value[256];         /* "*.example.com", "127.0.0.1", "::1" */
};

/* What one certificate says. Strings are NUL-terminated, terminal-safe and
 * truncated (never overflowed) if a certificate carries absurd values. */
struct nk_x509_facts {
	char subject[1024];      /* RFC 2253 order: "CN=a.example, O=Org, C=US" */
	char issuer[1024];
	char serial[128];        /* hex bytes with colons: "0A:1B:2C" */
	int64_t not_before;      /* seconds since the epoch (UTC) */
	int64_t not_after;
	char not_before_str[32]; /* "2024-01-01 00:00:00 UTC" */
	char not_after_str[32];
	int64_t days_left;       /* whole days from `now` to not_after, rounded
	                          * down: -1 on the day after expiry */
	char key_type[16];       /* "RSA", "RSA-PSS", "EC", "Ed25519", "Ed448",
	                          * "DSA", or OpenSSL's short name */
	int key_bits;            /* 2048, 256, ... */
	char key_desc[48];       /* "RSA 2048", "EC P-256", "Ed25519" */
	char sig_alg[64];        /* "sha256WithRSAEncryption", "ecdsa-with-SHA256" */
	char sha256[100];        /* certificate fingerprint "AB:CD:...:EF" */
	char pin[64];            /* "sha256//BASE64" of the SubjectPublicKeyInfo,
	                          * as curl's --pinnedpubkey takes it */
	int self_signed;         /* issuer = subject and the signature verifies
	                          * with the certificate's own key */
	int is_ca;               /* basicConstraints CA:TRUE */
	size_t nsan;
	struct nk_x509_san *san; /* DNS and IP SANs in certificate order; owned,
	                          * released by nk_x509_facts_clear */
};

/* Fills *f for cert; `now` (seconds since the epoch) is the reference for
 * days_left. Call nk_x509_facts_clear afterwards, also after a failure.
 * Errors: NK_ERR_OUT_OF_MEMORY. */
NK_API nk_err nk_x509_facts_get(const nk_x509 *cert, int64_t now,
                                struct nk_x509_facts *f, char *errmsg);

/* Frees what nk_x509_facts_get allocated and zeroes *f. NULL-safe. */
NK_API void nk_x509_facts_clear(struct nk_x509_facts *f);

/* 1 if the certificate covers `host` the way a modern client checks it:
 * an IP literal ("127.0.0.1", "::1", "[::1]") against IP SANs, a name
 * against DNS SANs only (never the subject CN), where "*.example.com"
 * matches exactly one whole left-most label: "a.example.com", not
 * "a.b.example.com" and not "example.com". A trailing dot is ignored.
 * 0 otherwise. */
NK_API int nk_x509_covers_host(const nk_x509 *cert, const char *host);

/* 1 if a and b are the same certificate (same DER encoding). */
NK_API int nk_x509_equal(const nk_x509 *a, const nk_x509 *b);

/* Number of certificates; 0 for NULL. */
NK_API size_t nk_x509_chain_len(const nk_x509_chain *ch);

/* The i-th certificate (0 = leaf), borrowed from the chain, or NULL when
 * i is out of range. */
NK_API const nk_x509 *nk_x509_chain_get(const nk_x509_chain *ch, size_t i);

/* Reads every certificate from a PEM file into a new chain (free it with
 * nk_x509_chain_free). Errors: NK_ERR_READ_ERROR (cannot open, or no
 * certificate in it), NK_ERR_OUT_OF_MEMORY. */
NK_API nk_err nk_x509_chain_load(const char *path, nk_x509_chain **out,
                                 char *errmsg);

/* The chain in PEM, one "-----BEGIN CERTIFICATE-----" block per
 * certificate in chain order, into a malloc'd NUL-terminated buffer the
 * caller frees with free(); *len (may be NULL) excludes the NUL.
 * Errors: NK_ERR_OUT_OF_MEMORY. */
NK_API nk_err nk_x509_chain_pem(const nk_x509_chain *ch, char **out,
                                size_t *len, char *errmsg);

/* Frees a chain and the certificates it holds. NULL is a no-op. */
NK_API void nk_x509_chain_free(nk_x509_chain *ch);

#ifdef __cplusplus
}
#endif

#endif
