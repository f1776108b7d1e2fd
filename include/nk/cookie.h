/* libnk cookie: an HTTP cookie engine after RFC 6265bis, as curl 7.88's -b,
 * -c and -j use it.
 *
 * A jar takes Set-Cookie lines for a request (host, path, whether it went
 * over https, the time), keeps what the rules allow (domain and path
 * matching, host-only cookies, Secure only from https, HttpOnly, SameSite,
 * Expires and Max-Age; a Domain that is a public suffix, by libpsl, is
 * refused) and gives back the Cookie value for a request, in curl's order.
 * It loads and saves curl's Netscape cookie file format (with curl's
 * "#HttpOnly_" prefix; expiry 0 is a session cookie). The file format has
 * no SameSite column: SameSite lives in memory only, as in curl.
 *
 * Times are seconds since the epoch, passed by the caller, so the engine
 * is pure apart from load and save. A jar is not shared between threads. */
#ifndef NK_COOKIE_H
#define NK_COOKIE_H

#include <stdint.h>
#include <stddef.h>

#include "nk/defs.h"
#include "nk/err.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nk_cookie_jar nk_cookie_jar;

/* The request a Set-Cookie arrived on, or one that asks for cookies. */
typedef struct nk_cookie_req {
	const char *host;           /* lowercase host name or address, no port
	                             * ("[::1]" brackets are dropped) */
	const char *path;           /* the URL's path, "/a/b" ("" is "/") */
	int secure;                 /* https */
	int64_t now;                /* seconds since the epoch */
} nk_cookie_req;

/* What became of one Set-Cookie line. */
typedef enum nk_cookie_verdict {
	NK_COOKIE_STORED,           /* added or replaced */
	NK_COOKIE_DELETED,          /* an expiry in the past removed it */
	NK_COOKIE_REJECTED,         /* malformed, or against the rules */
} nk_cookie_verdict;

/* A new, empty jar. NULL when out of memory. */
NK_API nk_cookie_jar *nk_cookie_jar_new(void);

/* Frees; NULL is a no-op. */
NK_API void nk_cookie_jar_free(nk_cookie_jar *jar);

/* Takes one Set-Cookie value (without "Set-Cookie:"), len bytes (it may
 * hold any bytes). This and nk_cookie_header may be called on one jar
 * from several threads at once (it locks); the other functions want one
 * thread and no transfer using the jar. */
NK_API nk_cookie_verdict nk_cookie_set(nk_cookie_jar *jar,
                                       const nk_cookie_req *rq,
                                       const char *value, size_t len);

/* The Cookie header value for a request ("a=1; b=2": longest path first,
 * then longest domain, longest name, newest), or NULL when no cookie
 * matches or out of memory. Caller frees. */
NK_API char *nk_cookie_header(const nk_cookie_jar *jar,
                              const nk_cookie_req *rq);

/* The number of cookies held (expired ones included until a save). */
NK_API size_t nk_cookie_count(const nk_cookie_jar *jar);

/* Drops the session cookies (-j: a new session). */
NK_API void nk_cookie_junk_session(nk_cookie_jar *jar);

/* Reads a Netscape cookie file's text (len bytes) into the jar; lines that
 * are not cookies are skipped, as curl does. NK_ERR_OUT_OF_MEMORY only. */
NK_API nk_err nk_cookie_load_buf(nk_cookie_jar *jar, const char *text,
                                 size_t len, int64_t now, char *errmsg);

/* The jar in the Netscape format, newest first, without cookies expired at
 * `now`. Caller frees; NULL when out of memory. */
NK_API char *nk_cookie_format(const nk_cookie_jar *jar, int64_t now);

/* Writes nk_cookie_format to path atomically (a temporary file in the
 * same directory, then rename). NK_ERR_WRITE_ERROR with errmsg when it
 * cannot. */
NK_API nk_err nk_cookie_save(const nk_cookie_jar *jar, const char *path,
                             int64_t now, char *errmsg);

#ifdef __cplusplus
}
#endif

#endif
