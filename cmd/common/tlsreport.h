/* tlsreport: how tools show a TLS connection to a person. nk tls prints
 * the full report; nk https -v prints the short summary from here. */
#ifndef NK_CMD_TLSREPORT_H
#define NK_CMD_TLSREPORT_H

#include <stdio.h>
#include "nk/tls.h"
#include "nk/x509.h"

/* "99 days left", "expires today", "expired 3 days ago", "not valid
 * until 2099-01-01 00:00:00 UTC", for a certificate's facts at `now`. */
void tlsreport_days(char *buf, size_t len, const struct nk_x509_facts *f,
                    int64_t now);

/* Prints a few lines, each starting with prefix ("* "): the protocol,
 * cipher, group and ALPN; the leaf's subject, issuer and expiry with days
 * left; and the verification result for host ("OK for valid.test", or
 * "FAILED: <reason>", which a tool run with --insecure may follow with a
 * note of its own).
 * Certificate text is terminal-safe. Nothing for a NULL info. */
void tlsreport_summary(FILE *out, const nk_tls_info *info, const char *host,
                       const char *prefix);

#endif
