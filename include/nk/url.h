/* libnk url: URLs parsed the way a browser's `new URL(input, base)` parses
 * them (the WHATWG URL Standard): relative resolution, special and
 * non-special schemes, IPv4/IPv6 hosts, internationalised domain names
 * (to punycode), percent-encoding and dot-segment removal.
 *
 * An nk_url is immutable once parsed and may be shared between threads.
 * Every string it hands out is owned by it, NUL-terminated, printable ASCII
 * (0x20..0x7e) and valid until nk_url_free. Nothing here blocks or does I/O.
 *
 * Errors: NK_ERR_URL_MALFORMAT, with errmsg set to one line
 * "REASON at position N", N counting the characters of the input from 1
 * (a caller adds the URL itself: `invalid URL "x": ...`);
 * NK_ERR_OUT_OF_MEMORY. Input longer than NK_URL_MAX_INPUT bytes is
 * refused as malformed. */
#ifndef NK_URL_H
#define NK_URL_H

#include "nk/defs.h"
#include "nk/err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nk_url nk_url;

/* Longest input nk_url_parse accepts, in bytes (1 MiB). */
#define NK_URL_MAX_INPUT (1024 * 1024)

/* Parses the NUL-terminated `input` against the URL string `base` (NULL:
 * no base, so input must be absolute). *out is set on success only; the
 * caller frees it with nk_url_free. An invalid base fails the call with
 * errmsg "base URL: REASON at position N". */
NK_API nk_err nk_url_parse(const char *input, const char *base, nk_url **out,
                           char *errmsg);

/* As nk_url_parse, for `len` bytes of input that may hold any byte (NUL
 * included), against an already parsed base (or NULL). Bytes that are not
 * valid UTF-8 are read as U+FFFD, as a browser decodes them. */
NK_API nk_err nk_url_parse_buf(const char *input, size_t len,
                               const nk_url *base, nk_url **out,
                               char *errmsg);

/* Resolves a reference (an HTTP Location value, a link) against base:
 * nk_url_parse_buf(ref, strlen(ref), base, ...). */
NK_API nk_err nk_url_resolve(const nk_url *base, const char *ref,
                             nk_url **out, char *errmsg);

/* Whether input begins with a scheme, as the parser reads it: the
 * number of bytes up to and including the scheme's ':', or 0. A special
 * scheme counts with or without slashes ("http:/h", "https:h"), another
 * only before "//" ("foo://h"), so "localhost:8080" and "user:pw@h" are a
 * host, not a scheme. The one rule for every "URL or host" argument. */
NK_API size_t nk_url_has_scheme(const char *input);

/* Parses an absolute URL as nk_url_parse does; input without a scheme (by
 * nk_url_has_scheme) is read as "SCHEME://input", as curl takes
 * "example.com/x". Error positions count in input as given. */
NK_API nk_err nk_url_parse_default_scheme(const char *input,
                                          const char *scheme, nk_url **out,
                                          char *errmsg);

/* A copy the caller frees with nk_url_free; NULL when out of memory. */
NK_API nk_url *nk_url_dup(const nk_url *u);

/* Frees u; NULL is a no-op. */
NK_API void nk_url_free(nk_url *u);

typedef enum nk_url_part {
	NK_URL_HREF,      /* the whole URL, serialized */
	NK_URL_ORIGIN,    /* "https://h:8443", or "null" for opaque origins */
	NK_URL_PROTOCOL,  /* "https:" */
	NK_URL_USERNAME,  /* percent-encoded, "" when absent */
	NK_URL_PASSWORD,  /* percent-encoded, "" when absent */
	NK_URL_HOST,      /* "h:8443"; without the port when it is the default */
	NK_URL_HOSTNAME,  /* "h", "127.0.0.1", "[::1]", "xn--bcher-kva.example" */
	NK_URL_PORT,      /* "8443", "" when absent or the scheme's default */
	NK_URL_PATHNAME,  /* "/a/b" (or the opaque path: "user@example.org") */
	NK_URL_SEARCH,    /* "?q=1", "" when absent or empty */
	NK_URL_HASH,      /* "#top", "" when absent or empty */
} nk_url_part;

/* The value of the URL API getter for `part` (what `new URL()` gives);
 * never NULL ("" for an unknown part). */
NK_API const char *nk_url_get(const nk_url *u, nk_url_part part);

/* The scheme without its colon: "http", "mailto". */
NK_API const char *nk_url_scheme(const nk_url *u);

/* 1 if the scheme is special (ftp, file, http, https, ws, wss), else 0. */
NK_API int nk_url_is_special(const nk_url *u);

/* The explicit port, or the scheme's default port (80 for http), or -1
 * when there is neither. */
NK_API int nk_url_port(const nk_url *u);

/* The scheme's default port, or -1 (file and non-special schemes). */
NK_API int nk_url_default_port(const nk_url *u);

typedef enum nk_url_host_kind {
	NK_URL_HOST_NONE,    /* no host at all: "mailto:x", "sc:/p" */
	NK_URL_HOST_EMPTY,   /* an empty host: "file:///p", "sc:///p" */
	NK_URL_HOST_DOMAIN,  /* a domain (special schemes), ASCII, lowercase */
	NK_URL_HOST_IPV4,
	NK_URL_HOST_IPV6,
	NK_URL_HOST_OPAQUE,  /* a non-special scheme's host, kept as written */
} nk_url_host_kind;

NK_API nk_url_host_kind nk_url_host_kind_of(const nk_url *u);

/* The host as a connect() or getaddrinfo() target: an IPv6 address
 * without brackets ("::1"), other hosts as the hostname; "" when there is
 * none. */
NK_API const char *nk_url_connect_host(const nk_url *u);

/* The HTTP request-target: pathname followed by search, never the
 * fragment ("/a?b"); "/" when the path is empty. */
NK_API const char *nk_url_target(const nk_url *u);

/* The percent-decoded value of a part (NK_URL_USERNAME and NK_URL_PASSWORD
 * for HTTP Basic auth, or any other). The result is NUL-terminated but may
 * hold NUL bytes, so *len (if len is not NULL) gives its length. The
 * caller frees it with free(); NULL when out of memory. */
NK_API char *nk_url_decode(const nk_url *u, nk_url_part part, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
