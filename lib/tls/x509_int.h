/* x509 internals: an nk_x509 is an OpenSSL X509 and an nk_x509_chain is a
 * STACK_OF(X509) holding one reference per certificate, seen through
 * opaque public names so the public headers need no OpenSSL includes. */
#ifndef NK_X509_INT_H
#define NK_X509_INT_H

#include <openssl/x509.h>
#include "nk/x509.h"

static inline X509 *
nk_x509_ossl(const nk_x509 *c)
{
	return (X509 *)(void *)(uintptr_t)c;
}

static inline STACK_OF(X509) *
nk_x509_chain_ossl(const nk_x509_chain *ch)
{
	return (STACK_OF(X509) *)(void *)(uintptr_t)ch;
}

static inline nk_x509_chain *
nk_x509_chain_wrap(STACK_OF(X509) *sk)
{
	return (nk_x509_chain *)(void *)sk;
}

/* A new chain holding its own reference to each certificate of sk (which
 * stays the caller's); NULL for a NULL or empty sk or out of memory. */
nk_x509_chain *nk_x509_chain_dup(const STACK_OF(X509) *sk);

/* Copies src into dst (size dstlen, NUL-terminated, truncated on a
 * character boundary), writing what a terminal must not see as \xNN: C0
 * and C1 controls, DEL, and bytes that are not valid UTF-8. */
void nk_x509_safe_text(char *dst, size_t dstlen, const char *src,
                       size_t srclen);

/* A distinguished name, CN first (RFC 2253 order) with ", " between the
 * parts; UTF-8 is kept, everything else unsafe is escaped. */
void nk_x509_name_text(const X509_NAME *name, char *out, size_t outlen);

/* An ASN1_TIME as "YYYY-MM-DD HH:MM:SS UTC" and seconds since the epoch;
 * returns 0 on success, -1 for a time OpenSSL cannot read. */
int nk_x509_time(const ASN1_TIME *t, char *buf, size_t len, int64_t *secs);

#endif
