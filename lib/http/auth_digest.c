/* auth_digest: HTTP Digest (RFC 7616; RFC 2617 and RFC 2069 when the
 * challenge has no qop) the way curl 7.88 answers it: which challenge
 * params count and how, the fields of Authorization in curl's order and
 * quoting, a cnonce of curl's form, the nonce count. Hashes are OpenSSL's
 * EVP. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "nk/buf.h"
#include "http/auth_int.h"
#include "http/http_int.h"
#include "core/internal.h"

/* A value that goes back on the wire: no control byte. */
static nk_err
refuse_ctl(const char *what, const char *v, char *errmsg)
{
	return nk_http_check_value(what, v, strlen(v), NK_ERR_FAILED_INIT,
	                           errmsg);
}

static const struct {
	const char *name;
	enum nk_digest_algo algo;
} algos[] = {
	{ "MD5", NK_DIGEST_MD5 },
	{ "MD5-sess", NK_DIGEST_MD5_SESS },
	{ "SHA-256", NK_DIGEST_SHA256 },
	{ "SHA-256-sess", NK_DIGEST_SHA256_SESS },
	{ "SHA-512-256", NK_DIGEST_SHA512_256 },
	{ "SHA-512-256-sess", NK_DIGEST_SHA512_256_SESS },
};

static int
is_sess(enum nk_digest_algo a)
{
	return a == NK_DIGEST_MD5_SESS || a == NK_DIGEST_SHA256_SESS ||
	       a == NK_DIGEST_SHA512_256_SESS;
}

static const EVP_MD *
algo_md(enum nk_digest_algo a)
{
	switch (a) {
	case NK_DIGEST_SHA256:
	case NK_DIGEST_SHA256_SESS:
		return EVP_sha256();
	case NK_DIGEST_SHA512_256:
	case NK_DIGEST_SHA512_256_SESS:
		return EVP_sha512_256();
	default:
		return EVP_md5();
	}
}

/* ---- the challenge --------------------------------------------------- */

static int
is_true(const char *v)
{
	return nk_http_eq(v, strlen(v), "true");
}

/* qop="auth, auth-int": 1 when auth is among them, else 2 for auth-int,
 * else 0 (then it is as if the server named none). */
static int
read_qop(const char *v)
{
	const char *p = v, *end = v + strlen(v), *e;
	size_t n;
	int found = 0;
	while (nk_http_list_next(&p, end, &e, &n)) {
		if (nk_http_eq(e, n, "auth"))
			return 1;
		if (nk_http_eq(e, n, "auth-int"))
			found = 2;
	}
	return found;
}

static nk_err
read_algorithm(struct nk_digest *d, const char *v, char *errmsg)
{
	for (size_t i = 0; i < NK_ARRAY_LEN(algos); i++) {
		if (nk_http_eq(v, strlen(v), algos[i].name)) {
			d->algo = algos[i].algo;
			/* echoed as the server spelled it, as curl does */
			snprintf(d->algorithm, sizeof d->algorithm, "%s", v);
			return NK_OK;
		}
	}
	char shown[64];
	nk_http_escape(shown, sizeof shown, v, strlen(v));
	return nk_fail(errmsg, NK_ERR_BAD_CONTENT_ENCODING, "Digest challenge: "
	               "unknown algorithm \"%s\"", shown);
}

/* Where a param's value goes in d, NULL for params that are read
 * otherwise or not at all. */
static char *
value_slot(struct nk_digest *d, const struct nk_auth_param *a)
{
	if (nk_http_eq(a->name, a->name_len, "nonce"))
		return d->nonce;
	if (nk_http_eq(a->name, a->name_len, "realm"))
		return d->realm;
	if (nk_http_eq(a->name, a->name_len, "opaque")) {
		d->has_opaque = 1;
		return d->opaque;
	}
	return NULL;
}

/* One param of the challenge into d. */
static nk_err
read_param(struct nk_digest *d, const struct nk_auth_param *a, char *errmsg)
{
	char v[NK_DIGEST_MAX_VALUE + 1], name[32];
	if (nk_auth_param_value(a, v, sizeof v) >= sizeof v) {
		nk_http_escape(name, sizeof name, a->name, a->name_len);
		return nk_fail(errmsg, NK_ERR_BAD_CONTENT_ENCODING, "Digest "
		               "challenge: %s longer than %d bytes", name,
		               NK_DIGEST_MAX_VALUE);
	}
	char *slot = value_slot(d, a);
	if (slot) {
		/* they go back on the wire: curl would echo a \x01 */
		nk_http_escape(name, sizeof name, a->name, a->name_len);
		if (refuse_ctl(name, v, errmsg))
			return NK_ERR_BAD_CONTENT_ENCODING;
		memcpy(slot, v, strlen(v) + 1);
	}
	else if (nk_http_eq(a->name, a->name_len, "stale"))
		d->stale = is_true(v);
	else if (nk_http_eq(a->name, a->name_len, "qop") && read_qop(v))
		d->qop = read_qop(v);
	else if (nk_http_eq(a->name, a->name_len, "userhash"))
		d->userhash = is_true(v);
	else if (nk_http_eq(a->name, a->name_len, "algorithm"))
		return read_algorithm(d, v, errmsg);
	return NK_OK;
}

nk_err
nk_digest_challenge(struct nk_digest *d, const struct nk_auth_challenge *c,
                    char *errmsg)
{
	int before = d->nonce[0] != '\0', star = d->username_star;
	struct nk_auth_param a;
	const char *p = c->params;
	const char *end = p ? p + c->params_len : NULL;
	nk_err e = NK_OK;

	memset(d, 0, sizeof *d);
	d->username_star = star;
	if (c->malformed)
		e = nk_fail(errmsg, NK_ERR_BAD_CONTENT_ENCODING, "Digest challenge: "
		            "malformed");
	while (!e && p && nk_auth_param_next(&p, end, &a))
		e = read_param(d, &a, errmsg);
	if (e)
		;
	else if (before && !d->stale)
		/* a fresh nonce, not a stale one: the answer was wrong */
		e = nk_fail(errmsg, NK_ERR_BAD_CONTENT_ENCODING, "Digest: the server "
		            "refused the credentials");
	else if (!d->nonce[0])
		e = nk_fail(errmsg, NK_ERR_BAD_CONTENT_ENCODING, "Digest challenge: "
		            "no nonce");
	else if (is_sess(d->algo) && !d->qop)
		e = nk_fail(errmsg, NK_ERR_BAD_CONTENT_ENCODING, "Digest challenge: "
		            "%s without qop", d->algorithm);
	if (e) {
		d->nonce[0] = '\0';
		return e;
	}
	d->nc = 1;
	return NK_OK;
}

/* ---- the answer ------------------------------------------------------ */

/* The hex of the hash of the strings given, joined by ':' (NULL ends
 * them), into hex (2 * EVP_MAX_MD_SIZE + 1 bytes). -1 when OpenSSL
 * fails (an algorithm it lacks). */
static int
hash_hex(const EVP_MD *md, char *hex, ...)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, md, NULL);
	va_list ap;
	va_start(ap, hex);
	for (const char *s, *sep = ""; ok && (s = va_arg(ap, const char *));
	     sep = ":")
		ok = EVP_DigestUpdate(ctx, sep, strlen(sep)) &&
		     EVP_DigestUpdate(ctx, s, strlen(s));
	va_end(ap);
	ok = ok && EVP_DigestFinal_ex(ctx, h, &n);
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -1;
	for (unsigned int i = 0; i < n; i++) {
		hex[2 * i] = digits[h[i] >> 4];
		hex[2 * i + 1] = digits[h[i] & 15];
	}
	hex[2 * n] = '\0';
	return 0;
}

/* curl 7.88's cnonce: 32 random hex digits, in base64 (44 bytes). */
static int
make_cnonce(char out[NK_DIGEST_CNONCE_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char r[16], hex[32];
	if (RAND_bytes(r, sizeof r) != 1)
		return -1;
	for (size_t i = 0; i < sizeof r; i++) {
		hex[2 * i] = (unsigned char)digits[r[i] >> 4];
		hex[2 * i + 1] = (unsigned char)digits[r[i] & 15];
	}
	nk_base64(hex, sizeof hex, out);
	return 0;
}

/* s as the inside of a quoted-string: '"' and '\' get a backslash. */
static void
add_quoted(nk_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			nk_buf_addc(b, '\\');
		nk_buf_addc(b, *s);
	}
}

static void
add_field(nk_buf *b, const char *name, const char *v)
{
	nk_buf_printf(b, ", %s=\"", name);
	add_quoted(b, v);
	nk_buf_addc(b, '"');
}

static int
non_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

/* RFC 8187 ext-value: UTF-8'' and every byte but attr-char as %XX. */
static void
add_ext_value(nk_buf *b, const char *s)
{
	static const char keep[] = "!#$&+-.^_`|~";
	nk_buf_adds(b, "UTF-8''");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || (c && strchr(keep, c)))
			nk_buf_addc(b, (char)c);
		else
			nk_buf_printf(b, "%%%02X", c);
	}
}

/* The hashes of one answer. */
struct answer {
	char ha1[2 * EVP_MAX_MD_SIZE + 1];
	char ha2[2 * EVP_MAX_MD_SIZE + 1];
	char response[2 * EVP_MAX_MD_SIZE + 1];
	char userhash[2 * EVP_MAX_MD_SIZE + 1];
	char nc[20];
};

static int
compute(const struct nk_digest *d, const char *method, const char *uri,
        const char *user, const char *pass, struct answer *x)
{
	const EVP_MD *md = algo_md(d->algo);
	const char *qop = d->qop == 2 ? "auth-int" : "auth";
	char body[2 * EVP_MAX_MD_SIZE + 1];
	int bad = hash_hex(md, x->ha1, user, d->realm, pass, (char *)NULL);
	if (is_sess(d->algo))
		bad |= hash_hex(md, x->ha1, x->ha1, d->nonce, d->cnonce,
		                (char *)NULL);
	/* auth-int: curl hashes an empty body, whatever is sent */
	if (d->qop == 2)
		bad |= hash_hex(md, body, "", (char *)NULL) |
		       hash_hex(md, x->ha2, method, uri, body, (char *)NULL);
	else
		bad |= hash_hex(md, x->ha2, method, uri, (char *)NULL);
	snprintf(x->nc, sizeof x->nc, "%08lx", d->nc);
	if (d->qop)
		bad |= hash_hex(md, x->response, x->ha1, d->nonce, x->nc,
		                d->cnonce, qop, x->ha2, (char *)NULL);
	else
		bad |= hash_hex(md, x->response, x->ha1, d->nonce, x->ha2,
		                (char *)NULL);
	if (d->userhash)
		bad |= hash_hex(md, x->userhash, user, d->realm, (char *)NULL);
	return bad;
}

/* The value in curl's order: username, realm, nonce, uri, [cnonce, nc,
 * qop,] response, [opaque,] [algorithm,] [userhash]. */
static void
write_value(nk_buf *b, const struct nk_digest *d, const char *uri,
            const char *user, const struct answer *x)
{
	nk_buf_adds(b, "Digest ");
	if (d->userhash) {
		nk_buf_printf(b, "username=\"%s\"", x->userhash);
	} else if (d->username_star && non_ascii(user)) {
		nk_buf_adds(b, "username*=");
		add_ext_value(b, user);
	} else {
		nk_buf_adds(b, "username=\"");
		add_quoted(b, user);
		nk_buf_addc(b, '"');
	}
	add_field(b, "realm", d->realm);
	add_field(b, "nonce", d->nonce);
	add_field(b, "uri", uri);
	if (d->qop)
		nk_buf_printf(b, ", cnonce=\"%s\", nc=%s, qop=%s", d->cnonce, x->nc,
		              d->qop == 2 ? "auth-int" : "auth");
	nk_buf_printf(b, ", response=\"%s\"", x->response);
	if (d->has_opaque)
		add_field(b, "opaque", d->opaque);
	if (d->algorithm[0])
		nk_buf_printf(b, ", algorithm=%s", d->algorithm);
	if (d->userhash)
		nk_buf_adds(b, ", userhash=true");
}

nk_err
nk_auth_digest_response(struct nk_digest *d, const char *method,
                        const char *uri, const char *user, const char *pass,
                        char **value, char *errmsg)
{
	struct answer x;
	nk_buf b = NK_BUF_INIT(NK_HTTP_MAX_REQUEST);
	nk_err e;

	*value = NULL;
	if (!d->nonce[0])
		return nk_fail(errmsg, NK_ERR_BAD_FUNCTION_ARGUMENT, "Digest: no "
		               "challenge to answer");
	if ((e = refuse_ctl("method", method, errmsg)) ||
	    (e = refuse_ctl("Digest uri", uri, errmsg)) ||
	    (e = refuse_ctl("user name", user, errmsg)))
		return e;
	if (!d->cnonce[0] && make_cnonce(d->cnonce))
		return nk_fail(errmsg, NK_ERR_FAILED_INIT, "Digest: no random bytes "
		               "for the cnonce");
	if (compute(d, method, uri, user, pass, &x))
		return nk_fail(errmsg, NK_ERR_FAILED_INIT, "Digest: OpenSSL cannot "
		               "hash %s", d->algorithm[0] ? d->algorithm : "MD5");
	write_value(&b, d, uri, user, &x);
	OPENSSL_cleanse(&x, sizeof x);
	if (b.err) {
		nk_buf_free(&b);
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "Digest: out of memory "
		               "or longer than %d bytes", NK_HTTP_MAX_REQUEST);
	}
	if (d->qop)
		d->nc++;
	*value = nk_buf_take(&b);
	return NK_OK;
}
