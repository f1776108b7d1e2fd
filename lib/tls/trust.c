/* tls trust: the store of trusted roots a context verifies against: the
 * CA file and directory a tool names, or the program's and OpenSSL's
 * defaults.
 *
 * The system's store comes in two forms: a hashed directory, whose lookup
 * reads the one root a chain needs, and a bundle file, which OpenSSL can
 * only parse whole (some 140 roots: 30 ms of CPU at every start on the
 * test machine). Some systems fill only one of them (Fedora and RHEL: the
 * bundle). So the directory is asked first, and only a verification that
 * found no issuer there reads the bundle into the store and runs again.
 * (A lookup method that read the file at its first miss would read it for
 * nearly every chain: OpenSSL looks for each intermediate in the store
 * before it takes the one the server sent.) */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "core/internal.h"
#include "tls/tls_int.h"

int
nk_tls_trust_read_fallback(nk_tls_ctx *ctx)
{
	if (!ctx->fallback)
		return 0;
	pthread_mutex_lock(&ctx->lock);
	if (!ctx->fallback_read &&
	    X509_STORE_load_file(SSL_CTX_get_cert_store(ctx->ssl), ctx->fallback))
		ctx->fallback_read = 1;
	ERR_clear_error();
	int ok = ctx->fallback_read;
	pthread_mutex_unlock(&ctx->lock);
	return ok;
}

int
nk_tls_trust_issuer_missing(long code)
{
	return code == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
	       code == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
	       code == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE ||
	       code == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN;
}


/* Verifies xs's certificate again in a new context over the same store and
 * parameters, and hands the outcome to xs, where the SSL reads it. */
static int
verify_again(X509_STORE_CTX *xs, SSL *ssl, struct tls_conn *t, int ok)
{
	X509_STORE_CTX *x2 = X509_STORE_CTX_new();
	if (!x2 || !X509_STORE_CTX_init(x2, X509_STORE_CTX_get0_store(xs),
	                                X509_STORE_CTX_get0_cert(xs),
	                                X509_STORE_CTX_get0_untrusted(xs)) ||
	    !X509_VERIFY_PARAM_set1(X509_STORE_CTX_get0_param(x2),
	                            X509_STORE_CTX_get0_param(xs)) ||
	    !X509_STORE_CTX_set_ex_data(x2, SSL_get_ex_data_X509_STORE_CTX_idx(),
	                                ssl)) {
		X509_STORE_CTX_free(x2);
		ERR_clear_error();
		return ok;
	}
	X509_STORE_CTX_set_verify_cb(x2, nk_tls_verify_cb);
	nk_tls_verify_forget(t);
	ok = X509_verify_cert(x2);
	X509_STORE_CTX_set_error(xs, X509_STORE_CTX_get_error(x2));
	X509_STORE_CTX_set_error_depth(xs, X509_STORE_CTX_get_error_depth(x2));
	X509_STORE_CTX_set_current_cert(xs, X509_STORE_CTX_get_current_cert(x2));
	X509_STORE_CTX_set0_verified_chain(xs, X509_STORE_CTX_get1_chain(x2));
	X509_STORE_CTX_free(x2);
	return ok;
}

/* OpenSSL's verification, then, if it found no issuer, the same with the
 * fallback file read. The first failure verify_cb recorded decides: with
 * insecure, X509_verify_cert succeeds whatever it found. */
static int
verify_app(X509_STORE_CTX *xs, void *arg)
{
	nk_tls_ctx *ctx = arg;
	int ok = X509_verify_cert(xs);
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs,
	                                      SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_conn *t = ssl ? SSL_get_app_data(ssl) : NULL;
	if (!t || !nk_tls_trust_issuer_missing(t->verr) || !nk_tls_trust_read_fallback(ctx))
		return ok;
	return verify_again(xs, ssl, t, ok);
}

/* Is there a directory at dir? 0, or the errno that says why not. */
static int
dir_missing(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) != 0)
		return errno;
	return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

/* --crlfile: the CRLs of a PEM file in the store, and every certificate
 * of a chain but its anchor checked against its issuer's, as curl does:
 * one whose issuer has no CRL there fails ("unable to get certificate
 * CRL"). */
static nk_err
load_crls(SSL_CTX *sctx, const char *file, char *errmsg)
{
	X509_STORE *st = SSL_CTX_get_cert_store(sctx);
	X509_LOOKUP *lk = X509_STORE_add_lookup(st, X509_LOOKUP_file());
	if (!lk || X509_load_crl_file(lk, file, X509_FILETYPE_PEM) <= 0) {
		/* OpenSSL's words ("PEM lib") say little: the file's state. */
		int err = access(file, R_OK) != 0 ? errno : 0;
		ERR_clear_error();
		return nk_fail(errmsg, NK_ERR_SSL_CRL_BADFILE, "cannot use CRL "
		               "file %s: %s", file, err ? strerror(err)
		               : "it holds no PEM CRL");
	}
	X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK |
	                         X509_V_FLAG_CRL_CHECK_ALL);
	return NK_OK;
}

nk_err
nk_tls_trust_load(nk_tls_ctx *ctx, const nk_tls_config *cfg, char *errmsg)
{
	SSL_CTX *sctx = ctx->ssl;
	const char *file = cfg->cafile, *dir = cfg->capath;
	/* The program's defaults (SSL_CERT_FILE and SSL_CERT_DIR, or
	 * OpenSSL's own places when neither is set): with a directory, the
	 * file is its fallback, read only if the directory falls short. */
	const char *fallback = NULL;
	int system = 0;
	if (!file && !dir) {
		file = cfg->default_cafile;
		dir = cfg->default_capath;
		if (!file && !dir) {
			system = 1;
			dir = X509_get_default_cert_dir();
			file = X509_get_default_cert_file();
		}
		if (file && dir) {
			fallback = file;
			file = NULL;
		}
	}
	if (file && !SSL_CTX_load_verify_file(sctx, file)) {
		nk_err e = nk_fail(errmsg, NK_ERR_SSL_CACERT_BADFILE,
		                   "cannot use CA file %s: %s", file,
		                   nk_tls_ossl_reason("no certificates in it"));
		ERR_clear_error();
		return e;
	}
	if (dir) {
		/* The lookup only opens files when it needs them, so check
		 * now that there is a directory to look in. */
		int bad = dir_missing(dir);
		if (bad && !system)
			return nk_fail(errmsg, NK_ERR_SSL_CACERT_BADFILE,
			               "cannot use CA directory %s: %s", dir,
			               strerror(bad));
		/* OpenSSL's built-in directory may simply not exist. */
		if (!bad && !SSL_CTX_load_verify_dir(sctx, dir)) {
			nk_err e = nk_fail(errmsg, NK_ERR_SSL_CACERT_BADFILE,
			                   "cannot use CA directory %s: %s", dir,
			                   nk_tls_ossl_reason("unusable"));
			ERR_clear_error();
			return e;
		}
	}
	if (fallback) {
		/* Read later, but a file that is not there is said now. */
		if (access(fallback, R_OK) != 0) {
			if (system)
				return NK_OK;
			return nk_fail(errmsg, NK_ERR_SSL_CACERT_BADFILE,
			               "cannot use CA file %s: %s", fallback,
			               strerror(errno));
		}
		if (!(ctx->fallback = strdup(fallback)))
			return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
		SSL_CTX_set_cert_verify_callback(sctx, verify_app, ctx);
	}
	return cfg->crlfile ? load_crls(sctx, cfg->crlfile, errmsg) : NK_OK;
}
