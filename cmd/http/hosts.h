/* hosts: the parts of config-file host sections ("[host NAME]", an nk
 * extension of curl's syntax) that need nothing of nk-http's settings. */
#ifndef NK_HTTP_HOSTS_H
#define NK_HTTP_HOSTS_H

#include "nk/tls.h"

/* 1 when the URL (read with default_scheme when it has none) is of host
 * `name`: the host name or address compared case-insensitively, an IPv6
 * address with or without its brackets. 0 for a URL that does not parse:
 * the transfer reports that. */
int hosts_match(const char *name, const char *url, const char *default_scheme);

/* over's TLS settings on top of base's: each that over sets replaces
 * base's (cafile and capath together, as either replaces the trust
 * store; cert and key together). Returns 1 when over sets any. */
int hosts_tls_overlay(nk_tls_config *out, const nk_tls_config *base,
                      const nk_tls_config *over);

#endif
