/* revcheck: nk tls --ocsp and --crl (asking the CA whether the leaf is
 * revoked, over http with nk_fetch) and the SCTs of the report, in text
 * and JSON. The checks' results live in the report (struct revcheck). */
#ifndef NK_TLS_REVCHECK_H
#define NK_TLS_REVCHECK_H

#include <stdio.h>

#include "nk/nk.h"

/* The outcome of one check, as JSON names it (docs/nk-tls-json.md). */
enum rev_state {
	REV_NOT_ASKED = 0,
	REV_GOOD,           /* OCSP good; CRL: not listed */
	REV_REVOKED,
	REV_UNKNOWN,        /* the responder does not know the certificate */
	REV_INVALID,        /* an answer that cannot be trusted */
	REV_UNREACHABLE,    /* no answer: connection, http status, size, time */
	REV_NO_URL,         /* the certificate names no http URL for it */
	REV_NO_ISSUER,      /* no issuer certificate to ask about */
};

struct revcheck {
	enum rev_state state;
	char url[512];
	nk_revocation r;           /* for GOOD ... INVALID */
	char error[NK_ERR_MSG_LEN];/* UNREACHABLE: what failed */
	int64_t ms;                /* the fetch, in milliseconds */
};

struct report;

/* Runs the checks the arguments ask for, after a handshake, into r;
 * ctx verifies OCSP responses; each fetch ends by deadline. */
void revcheck_run(struct report *r, nk_tls_ctx *ctx, nk_time deadline);

/* 1 if a check says the leaf is revoked; 2 (for --revocation-required)
 * if a check asked for did not come back good or revoked; else 0. */
int revcheck_verdict(const struct report *r);

/* The text lines ("OCSP check", "CRL check", "SCTs") and the JSON
 * members ("revocation", "scts"; each after ",\n"). */
void revcheck_text(FILE *out, const struct report *r);
void revcheck_json(FILE *out, const struct report *r);

#endif
