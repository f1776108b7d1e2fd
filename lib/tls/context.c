/* tls context: nk_tls_ctx, OpenSSL set up once for a tool's options
 * (versions, ALPN, pins, trust store, client certificate; for a server,
 * its certificate and what a client must present), and shared by every conn it starts. It is counted (tls_int.h): conns hold it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "core/internal.h"
#include "tls/tls_int.h"

const char *
nk_tls_library_version(void)
{
	return OpenSSL_version(OPENSSL_VERSION);
}

static int
password_cb(char *buf, int size, int rwflag, void *u)
{
	const char *pw = u;
	(void)rwflag;
	if (!pw)
		return 0;   /* never prompt on the terminal */
	size_t len = strlen(pw);
	if (len > (size_t)size)
		return 0;
	/* OpenSSL takes the length returned, not a terminated string. */
	memcpy(buf, pw, len); /* NOLINT(bugprone-not-null-terminated-result) */
	return (int)len;
}

int
nk_tls_alpn_wire(const char *list, unsigned char *out, size_t cap, size_t *outlen)
{
	size_t o = 0;
	const char *p = list;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t l = comma ? (size_t)(comma - p) : strlen(p);
		if (l == 0 || l > 255 || o + 1 + l > cap)
			return -1;
		out[o++] = (unsigned char)l;
		memcpy(out + o, p, l); /* NOLINT(bugprone-not-null-terminated-result) */
		o += l;
		if (!comma)
			break;
		p = comma + 1;
		if (!*p)
			return -1;
	}
	*outlen = o;
	return o > 0 ? 0 : -1;
}

/* "sha256//B64;sha256//B64" into ctx->pins. */
static nk_err
parse_pins(nk_tls_ctx *ctx, const char *spec, char *errmsg)
{
	size_t count = 1;
	for (const char *p = spec; *p; p++)
		count += *p == ';';
	ctx->pins = calloc(count, sizeof *ctx->pins);
	if (!ctx->pins)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	const char *p = spec;
	for (;;) {
		const char *semi = strchr(p, ';');
		size_t l = semi ? (size_t)(semi - p) : strlen(p);
		unsigned char raw[48];
		/* 32 bytes are 44 base64 characters, one '=' of padding. */
		if (l != 8 + 44 || strncmp(p, "sha256//", 8) != 0 ||
		    EVP_DecodeBlock(raw, (const unsigned char *)p + 8, 44) != 33 ||
		    p[8 + 43] != '=')
			return nk_fail(errmsg, NK_ERR_FAILED_INIT,
			               "bad pinned public key '%.*s': expected "
			               "sha256// and 44 base64 characters",
			               (int)(l > 80 ? 80 : l), p);
		memcpy(ctx->pins[ctx->npins++], raw, 32);
		if (!semi)
			break;
		p = semi + 1;
	}
	return NK_OK;
}


static nk_err
load_own_cert(SSL_CTX *sctx, const nk_tls_config *cfg, char *errmsg)
{
	nk_err e = NK_OK;
	const char *who = cfg->server ? "server" : "client";
	if (!cfg->cert && !cfg->key && !cfg->server)
		return NK_OK;
	if (!cfg->cert)
		return nk_fail(errmsg, NK_ERR_SSL_CERTPROBLEM, cfg->server ?
		               "a TLS server needs a certificate (--cert)" :
		               "a client key needs a client certificate (--cert)");
	SSL_CTX_set_default_passwd_cb(sctx, password_cb);
	SSL_CTX_set_default_passwd_cb_userdata(sctx, (void *)(uintptr_t)
	                                       cfg->key_password);
	const char *key = cfg->key ? cfg->key : cfg->cert;
	nk_tls_pem_ciphers(key);
	if (SSL_CTX_use_certificate_chain_file(sctx, cfg->cert) != 1)
		e = nk_fail(errmsg, NK_ERR_SSL_CERTPROBLEM,
		            "cannot use %s certificate %s: %s", who, cfg->cert,
		            nk_tls_ossl_reason("unreadable"));
	else if (SSL_CTX_use_PrivateKey_file(sctx, key, SSL_FILETYPE_PEM) != 1)
		e = nk_fail(errmsg, NK_ERR_SSL_CERTPROBLEM,
		            "cannot use %s key %s: %s", who, key,
		            nk_tls_ossl_reason("unreadable"));
	else if (SSL_CTX_check_private_key(sctx) != 1)
		e = nk_fail(errmsg, NK_ERR_SSL_CERTPROBLEM,
		            "%s key %s does not match certificate %s", who, key,
		            cfg->cert);
	/* The password was only needed while loading; keep no pointer to
	 * the caller's memory. */
	SSL_CTX_set_default_passwd_cb_userdata(sctx, NULL);
	ERR_clear_error();
	return e;
}

/* OpenSSL initialises itself at its first use; asked here first, it skips
 * the clean-up it would otherwise register with atexit(): freeing, as the
 * process ends, memory the process is giving back anyway cost 1.5 million
 * instructions, 7 % of a small https GET (docs/BENCHMARKS.md). What is
 * left is still reachable from OpenSSL's globals, so leak checkers do not
 * count it. Whoever initialises OpenSSL first decides: a program that did
 * so before libnk keeps its own choice.
 *
 * Where OpenSSL is linked in, its error texts wait for a failure
 * (errors.c) and its legacy table of cipher names for a PEM key that
 * names one (pemkey.c): 3.4 million instructions, 17 % (docs/BENCHMARKS.md).
 *
 * openssl.cnf is still read (0.8 million instructions, 4 %): it is where a
 * system sets its TLS policy (minimum version, cipher string, security
 * level: Fedora's and RHEL's crypto-policies, Debian's own in the past)
 * and its providers (FIPS), which nk obeys as curl and wget do. */
static nk_err
tls_lib_init(char *errmsg)
{
	uint64_t opts = OPENSSL_INIT_NO_ATEXIT;
	if (nk_tls_ossl_linked_in())
		opts |= OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS |
		        OPENSSL_INIT_NO_LOAD_SSL_STRINGS |
		        OPENSSL_INIT_NO_ADD_ALL_CIPHERS;
	else
		opts |= OPENSSL_INIT_LOAD_CRYPTO_STRINGS |
		        OPENSSL_INIT_LOAD_SSL_STRINGS;
	if (OPENSSL_init_ssl(opts, NULL) == 1)
		return NK_OK;
	/* A broken openssl.cnf, for one. */
	nk_err e = nk_fail(errmsg, NK_ERR_FAILED_INIT, "cannot initialise "
	                   "OpenSSL: %s", nk_tls_ossl_reason("unknown error"));
	ERR_clear_error();
	return e;
}

/* The versions cfg allows, checked: 0 for "no highest". */
static nk_err
versions(const nk_tls_config *cfg, int *minv, int *maxv, char *errmsg)
{
	*minv = cfg->min_version ? cfg->min_version : NK_TLS_1_2;
	*maxv = cfg->max_version;
	if ((*minv != NK_TLS_1_2 && *minv != NK_TLS_1_3) ||
	    (*maxv && *maxv != NK_TLS_1_2 && *maxv != NK_TLS_1_3))
		return nk_fail(errmsg, NK_ERR_FAILED_INIT,
		               "unsupported TLS version (1.2 and 1.3 are)");
	if (*maxv && *maxv < *minv)
		return nk_fail(errmsg, NK_ERR_FAILED_INIT,
		               "the highest TLS version allowed is below the "
		               "lowest");
	return NK_OK;
}

/* What every context does alike: the versions, the write modes, and the
 * callbacks that verify, cache and record (they find the context as the
 * SSL_CTX's app data). */
static void
set_common(nk_tls_ctx *ctx, int minv, int maxv)
{
	SSL_CTX *s = ctx->ssl;
	SSL_CTX_set_app_data(s, ctx);
	SSL_CTX_set_min_proto_version(s, minv);
	SSL_CTX_set_max_proto_version(s, maxv);
	SSL_CTX_set_mode(s, SSL_MODE_ENABLE_PARTIAL_WRITE |
	                    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* No read-ahead: the BIO buffers (see bio.c). */
	SSL_CTX_set_verify(s, SSL_VERIFY_PEER, nk_tls_verify_cb);
	SSL_CTX_set_session_cache_mode(s, SSL_SESS_CACHE_CLIENT |
	                                  SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(s, nk_tls_cache_store);
	SSL_CTX_set_cert_cb(s, nk_tls_cert_cb, NULL);
}

static nk_err
set_alpn(SSL_CTX *s, const char *alpn, char *errmsg)
{
	unsigned char wire[512];
	size_t wl;
	if (nk_tls_alpn_wire(alpn, wire, sizeof wire, &wl) != 0)
		return nk_fail(errmsg, NK_ERR_FAILED_INIT, "bad ALPN list '%s'",
		               alpn);
	/* Returns 0 on success, unlike most of OpenSSL. */
	if (SSL_CTX_set_alpn_protos(s, wire, (unsigned int)wl) != 0)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	return NK_OK;
}

/* What only a server sets: which client certificates it asks for and
 * checks. Its own certificate is load_own_cert's. */
static nk_err
server_setup(nk_tls_ctx *ctx, const nk_tls_config *cfg, char *errmsg)
{
	SSL_CTX *s = ctx->ssl;
	if (cfg->alpn || cfg->pinned_pubkey || cfg->ocsp)
		return nk_fail(errmsg, NK_ERR_FAILED_INIT, "a TLS server takes no "
		               "ALPN list, pinned key or OCSP stapling request");
	/* The client's verdict callback is a client's; set_common put it. */
	SSL_CTX_set_cert_cb(s, NULL, NULL);
	/* Nothing would resume: each nk process makes its own context. */
	SSL_CTX_set_num_tickets(s, 0);
	SSL_CTX_set_session_cache_mode(s, SSL_SESS_CACHE_OFF);
	if (!cfg->cafile && !cfg->capath) {
		SSL_CTX_set_verify(s, SSL_VERIFY_NONE, NULL);
		return NK_OK;
	}
	/* Only the CAs named: the system's store would let any client with
	 * a certificate from a public CA in. */
	const nk_tls_config only = { .cafile = cfg->cafile,
	                             .capath = cfg->capath };
	nk_err e = nk_tls_trust_load(ctx, &only, errmsg);
	if (e != NK_OK)
		return e;
	/* The CertificateRequest names the CAs of the file, so a client
	 * with several certificates can pick the right one. */
	if (cfg->cafile) {
		STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(cfg->cafile);
		if (names)
			SSL_CTX_set_client_CA_list(s, names);
		ERR_clear_error();
	}
	SSL_CTX_set_verify(s, SSL_VERIFY_PEER | (cfg->insecure ? 0 :
	                   SSL_VERIFY_FAIL_IF_NO_PEER_CERT), nk_tls_verify_cb);
	return NK_OK;
}

/* The cipher lists, as curl's --ciphers and --tls13-ciphers: OpenSSL
 * takes a list of which it knows one cipher, and refuses only a list of
 * which it knows none. */
static nk_err
set_ciphers(SSL_CTX *s, const nk_tls_config *cfg, char *errmsg)
{
	if (cfg->ciphers && SSL_CTX_set_cipher_list(s, cfg->ciphers) != 1)
		return nk_fail(errmsg, NK_ERR_SSL_CIPHER, "failed setting cipher "
		               "list: %.200s", cfg->ciphers);
	if (cfg->tls13_ciphers &&
	    SSL_CTX_set_ciphersuites(s, cfg->tls13_ciphers) != 1)
		return nk_fail(errmsg, NK_ERR_SSL_CIPHER, "failed setting TLS 1.3 "
		               "cipher suites: %.200s", cfg->tls13_ciphers);
	return NK_OK;
}

nk_err
nk_tls_ctx_new(const nk_tls_config *cfg, nk_tls_ctx **out, char *errmsg)
{
	static const nk_tls_config none;
	nk_err e;
	int minv, maxv;
	*out = NULL;
	if (!cfg)
		cfg = &none;
	if ((e = versions(cfg, &minv, &maxv, errmsg)) != NK_OK ||
	    (e = tls_lib_init(errmsg)) != NK_OK)
		return e;

	nk_tls_ctx *ctx = calloc(1, sizeof *ctx);
	if (!ctx)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	pthread_mutex_init(&ctx->lock, NULL);
	ctx->refs = 1;
	ctx->insecure = cfg->insecure;
	ctx->ocsp = cfg->ocsp;
	ctx->scts = cfg->scts;
	ctx->no_cache = cfg->no_session_cache;

	ctx->server = cfg->server;
	ctx->ssl = SSL_CTX_new(cfg->server ? TLS_server_method()
	                                   : TLS_client_method());
	ctx->bio_meth = nk_tls_bio_method_new();
	if (!ctx->ssl || !ctx->bio_meth) {
		e = nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
		goto fail;
	}
	set_common(ctx, minv, maxv);
	if (cfg->server) {
		if ((e = server_setup(ctx, cfg, errmsg)) != NK_OK ||
		    (e = set_ciphers(ctx->ssl, cfg, errmsg)) != NK_OK ||
		    (e = load_own_cert(ctx->ssl, cfg, errmsg)) != NK_OK)
			goto fail;
		*out = ctx;
		return NK_OK;
	}
	if ((cfg->alpn && (e = set_alpn(ctx->ssl, cfg->alpn, errmsg)) != NK_OK) ||
	    (e = set_ciphers(ctx->ssl, cfg, errmsg)) != NK_OK ||
	    (cfg->pinned_pubkey &&
	     (e = parse_pins(ctx, cfg->pinned_pubkey, errmsg)) != NK_OK) ||
	    (e = nk_tls_trust_load(ctx, cfg, errmsg)) != NK_OK ||
	    (e = load_own_cert(ctx->ssl, cfg, errmsg)) != NK_OK)
		goto fail;
	*out = ctx;
	return NK_OK;
fail:
	nk_tls_ctx_free(ctx);
	ERR_clear_error();
	return e;
}

void
nk_tls_ctx_ref(nk_tls_ctx *ctx)
{
	__atomic_add_fetch(&ctx->refs, 1, __ATOMIC_RELAXED);
}

/* Conns hold one reference each, so a context freed by its owner lives on
 * while its conns do (the BIO method and the session cache are used until
 * then). */
void
nk_tls_ctx_unref(nk_tls_ctx *ctx)
{
	if (!ctx || __atomic_sub_fetch(&ctx->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	nk_tls_cache_clear(ctx);
	SSL_CTX_free(ctx->ssl);
	free(ctx->fallback);
	BIO_meth_free(ctx->bio_meth);
	free(ctx->pins);
	pthread_mutex_destroy(&ctx->lock);
	free(ctx);
}

void
nk_tls_ctx_free(nk_tls_ctx *ctx)
{
	nk_tls_ctx_unref(ctx);
}
