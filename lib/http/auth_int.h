/* HTTP authentication for the fetch layer, internal to libnk; never
 * installed. auth_challenge.c owns reading WWW-Authenticate / Proxy-
 * Authenticate challenges (RFC 9110 §11) and scheme names; auth_digest.c
 * the Digest answer (RFC 7616, RFC 2617 and RFC 2069 compatible) in the
 * exact form curl 7.88 sends; auth.c the choice of a scheme the way curl
 * makes it, Bearer, and the 401/407 flow (struct nk_auth). Basic is
 * nk_http_basic (http_int.h).
 *
 * Ownership: the challenge and parameter views point into the caller's
 * field value and live as long as it. struct nk_digest and struct
 * nk_auth hold no pointers of their own (fixed arrays): no free; the
 * credentials in struct nk_auth are borrowed from the caller. Every
 * header value returned through char ** is malloc'ed; the caller frees.
 *
 * Errors: nk_err with a one-line message in errmsg (NK_ERR_MSG_LEN):
 * NK_ERR_FAILED_INIT for credentials or a target that would break the
 * header (control bytes), NK_ERR_OUT_OF_MEMORY, and for a Digest
 * challenge nk cannot answer NK_ERR_BAD_CONTENT_ENCODING (curl's code for
 * it inside libcurl; nk_auth_retry turns it into "give up", so it never
 * becomes an exit status). Nothing here crashes or reads out of bounds
 * on any field value. */
#ifndef NK_AUTH_INT_H
#define NK_AUTH_INT_H

#include <stddef.h>
#include "nk/err.h"
#include "nk/http.h"

/* Schemes, as bits: what a user allows (a want mask) and what a server
 * offers. NTLM and Negotiate are recognized so that nk can say what was
 * offered; nk never picks them. */
#define NK_AUTH_BASIC     0x01u
#define NK_AUTH_DIGEST    0x02u
#define NK_AUTH_BEARER    0x04u
#define NK_AUTH_NTLM      0x08u
#define NK_AUTH_NEGOTIATE 0x10u
/* What nk can answer: --anyauth's mask. */
#define NK_AUTH_ANY (NK_AUTH_BASIC | NK_AUTH_DIGEST | NK_AUTH_BEARER)

/* ---- challenges (auth_challenge.c) -------------------------------- */

/* One challenge of a field value: its scheme, and either a token68 or a
 * list of auth-params (the raw bytes, read with nk_auth_param_next). */
struct nk_auth_challenge {
	const char *scheme;
	size_t scheme_len;
	const char *token68;     /* NULL when none */
	size_t token68_len;
	const char *params;      /* the auth-param list, NULL when none */
	size_t params_len;
	int malformed;           /* a param broke the grammar: an unterminated
	                            quoted-string, a value that is no token,
	                            junk after a value; the list was read on
	                            from the next comma */
};

/* Reads the next challenge of the field value [*p, end) and moves *p past
 * it. Elements that do not start with a token are skipped. Returns 1, or
 * 0 when the value holds no more challenges. Several fields are several
 * values: call it on each. */
int nk_auth_next(const char **p, const char *end, struct nk_auth_challenge *c);

/* One auth-param: its name, and its value as it stands (a quoted-string
 * with its quotes and backslashes when quoted is 1). */
struct nk_auth_param {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
	int quoted;
};

/* Reads the next well-formed auth-param of a challenge's list [*p, end)
 * (start at c->params) and moves *p past it; a malformed one is skipped.
 * Returns 1, or 0 at the end. */
int nk_auth_param_next(const char **p, const char *end,
                       struct nk_auth_param *a);

/* The value with a quoted-string's quotes and quoted-pairs undone, into
 * out (NUL-terminated, cut to outsz - 1 bytes). Returns the full length,
 * so a result >= outsz means it did not fit (snprintf's rule). */
size_t nk_auth_param_value(const struct nk_auth_param *a, char *out,
                           size_t outsz);

/* The NK_AUTH_* bit of a challenge's scheme (case-insensitive), 0 for a
 * scheme nk does not know. */
unsigned nk_auth_scheme(const struct nk_auth_challenge *c);

/* "Basic", "Digest", "Bearer", "NTLM", "Negotiate" for one bit, "none"
 * for 0 or several: for -v and messages. */
const char *nk_auth_name(unsigned scheme);

/* ---- choice and Bearer (auth.c) ------------------------------------ */

/* The scheme curl picks among `offered` and `want`: Negotiate, Bearer,
 * Digest, NTLM, then Basic, limited to what nk answers (NK_AUTH_ANY).
 * 0 when none fits. */
unsigned nk_auth_pick(unsigned offered, unsigned want);

/* "Bearer TOKEN", the value of Authorization for --oauth2-bearer, into
 * *value. The token [token, token + len) may not hold a control byte
 * (CR, LF, NUL...; HTAB is allowed as in every header value):
 * NK_ERR_FAILED_INIT. */
nk_err nk_auth_bearer(const char *token, size_t len, char **value,
                      char *errmsg);

/* ---- Digest (auth_digest.c) ---------------------------------------- */

#define NK_DIGEST_MAX_VALUE 1023   /* realm, nonce, opaque: longer ones are
                                      refused (curl cuts them at 1023) */
#define NK_DIGEST_CNONCE_LEN 44    /* base64 of 32 hex digits, as curl */

enum nk_digest_algo {
	NK_DIGEST_MD5,               /* also when the challenge names none */
	NK_DIGEST_MD5_SESS,
	NK_DIGEST_SHA256,
	NK_DIGEST_SHA256_SESS,
	NK_DIGEST_SHA512_256,
	NK_DIGEST_SHA512_256_SESS
};

/* What a Digest challenge said, and the client's count against it.
 * Zeroed: no challenge yet. */
struct nk_digest {
	char realm[NK_DIGEST_MAX_VALUE + 1];
	char nonce[NK_DIGEST_MAX_VALUE + 1];   /* "" until a challenge came */
	char opaque[NK_DIGEST_MAX_VALUE + 1];
	int has_opaque;
	char algorithm[24];          /* as the server spelled it, echoed back;
	                                "" when it named none (then not sent) */
	enum nk_digest_algo algo;
	int qop;                     /* 0 none (RFC 2069), 1 auth, 2 auth-int
	                                (auth when both are offered) */
	int userhash;                /* userhash=true: send H(user:realm) */
	int stale;                   /* the last challenge said stale=true */
	unsigned long nc;            /* the next nonce-count (qop only) */
	char cnonce[NK_DIGEST_CNONCE_LEN + 1]; /* drawn at the first answer
	                                to a nonce; a test may set it first */
	int username_star;           /* set by the caller: a user name with a
	                                non-ASCII byte goes as RFC 8187
	                                username*=UTF-8''... (curl sends the
	                                raw bytes in username="...": off) */
};

/* Reads a Digest challenge into d the way curl does: the fields above,
 * with the last of a repeated param winning and unknown params ignored.
 * Errors (NK_ERR_BAD_CONTENT_ENCODING, d's nonce then ""): a challenge
 * that is malformed, has no nonce, names an unknown algorithm, a -sess
 * algorithm without qop, a value over NK_DIGEST_MAX_VALUE, a control byte
 * in the realm, nonce or opaque (they would go back on the wire); and a
 * new nonce without stale=true after one was answered: the server
 * refused the credentials. stale=true restarts nc at 1 with a new
 * cnonce. */
nk_err nk_digest_challenge(struct nk_digest *d,
                           const struct nk_auth_challenge *c, char *errmsg);

/* The value of Authorization (or Proxy-Authorization) answering d for one
 * request, into *value, and d's nc counted up (qop only). uri is the one
 * curl puts in digest-uri: the path and query as in the request line
 * (for CONNECT "host:port"). user and pass may be "" but not NULL; auth-
 * int hashes an empty body, as curl does. Errors: no challenge in d
 * (NK_ERR_BAD_FUNCTION_ARGUMENT), a control byte in method, uri or user
 * (NK_ERR_FAILED_INIT), no random bytes, a hash OpenSSL lacks
 * (NK_ERR_FAILED_INIT), out of memory. */
nk_err nk_auth_digest_response(struct nk_digest *d, const char *method,
                               const char *uri, const char *user,
                               const char *pass, char **value,
                               char *errmsg);

/* ---- the 401/407 flow (auth.c) ------------------------------------- */

/* Retries nk_auth_retry grants a transfer: curl has no bound, and a
 * server that answers stale=true forever would keep it busy. */
#define NK_AUTH_MAX_ROUNDS 8

/* One transfer's authentication with a server or with a proxy: curl keeps
 * this per transfer (URL), across its redirects and retries, not across
 * the URLs of one command line. Zero it, then set the first four. */
struct nk_auth {
	unsigned want;          /* NK_AUTH_* allowed: --basic (the default)
	                           NK_AUTH_BASIC, --digest NK_AUTH_DIGEST,
	                           --anyauth NK_AUTH_ANY, --oauth2-bearer
	                           adds NK_AUTH_BEARER (alone: only Bearer);
	                           0 counts as NK_AUTH_BASIC */
	const char *user;       /* borrowed; NULL: no -u */
	const char *pass;       /* borrowed; NULL means "" */
	const char *bearer;     /* borrowed; NULL: no --oauth2-bearer */
	/* state */
	unsigned picked;        /* scheme in use (0: want, not chosen yet) */
	unsigned offered;       /* schemes of the last 401/407 */
	int probe;              /* the next request should be a body-less
	                           probe (curl's POST with Content-Length: 0)
	                           since Digest has no nonce yet */
	unsigned rounds;        /* retries granted so far */
	struct nk_digest digest;
};

/* The Authorization value for the next request (proxy: of Proxy-
 * Authorization; Bearer never goes to a proxy) into *value, NULL when the
 * request goes without: no credentials, several schemes still open
 * (--anyauth before the first 401), or Digest before its challenge. Sets
 * a->probe. method and uri as for nk_auth_digest_response. */
nk_err nk_auth_header(struct nk_auth *a, int proxy, const char *method,
                      const char *uri, char **value, char *errmsg);

/* After a 401 (proxy 0: reads WWW-Authenticate) or 407 (proxy 1: Proxy-
 * Authenticate): 1 when the request should be made again with the scheme
 * now in a->picked, 0 when this response is the answer (curl then shows
 * it, and exits 0, or 22 with --fail). Why not, for -v, in errmsg: no
 * credentials, the scheme sent was refused again, no scheme in common,
 * an unusable Digest challenge, NK_AUTH_MAX_ROUNDS retries. */
int nk_auth_retry(struct nk_auth *a, const struct nk_http_response *res,
                  int proxy, char *errmsg);

#endif
