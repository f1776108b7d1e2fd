/* tls cache: a context's client sessions, keyed "name:port", for
 * resumption across the conns of one context. OpenSSL's own store is off
 * (SSL_SESS_CACHE_NO_INTERNAL_STORE): it keys by session id, which a
 * client cannot look up by server. The slots are the context's, under its
 * lock; each holds one reference to its session. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/ssl.h>

#include "tls/tls_int.h"

int
nk_tls_cache_store(SSL *ssl, SSL_SESSION *sess)
{
	struct tls_conn *t = SSL_get_app_data(ssl);
	if (!t || !t->ctx || t->ctx->no_cache || !SSL_SESSION_is_resumable(sess))
		return 0;
	nk_tls_ctx *ctx = t->ctx;
	pthread_mutex_lock(&ctx->lock);
	struct nk_tls_cache_entry *slot = NULL;
	for (size_t i = 0; i < NK_TLS_CACHE_SLOTS; i++) {
		struct nk_tls_cache_entry *e = &ctx->cache[i];
		if (e->sess && strcmp(e->key, t->key) == 0) {
			slot = e;
			break;
		}
		if (!slot || (slot->sess && (!e->sess || e->age < slot->age)))
			slot = e;
	}
	if (slot->sess)
		SSL_SESSION_free(slot->sess);
	snprintf(slot->key, sizeof slot->key, "%s", t->key);
	slot->sess = sess;
	slot->age = ++ctx->clock;
	pthread_mutex_unlock(&ctx->lock);
	return 1;   /* we keep the reference OpenSSL handed us */
}

void
nk_tls_cache_resume(nk_tls_ctx *ctx, struct tls_conn *t)
{
	if (ctx->no_cache)
		return;
	pthread_mutex_lock(&ctx->lock);
	for (size_t i = 0; i < NK_TLS_CACHE_SLOTS; i++) {
		struct nk_tls_cache_entry *e = &ctx->cache[i];
		if (e->sess && strcmp(e->key, t->key) == 0) {
			SSL_set_session(t->ssl, e->sess);
			break;
		}
	}
	pthread_mutex_unlock(&ctx->lock);
}

/* A session whose connection failed a check made after the handshake (a
 * revoked staple, a pin), or died of an error, must not come back through
 * resumption, which skips those checks. */
void
nk_tls_cache_drop(nk_tls_ctx *ctx, struct tls_conn *t)
{
	pthread_mutex_lock(&ctx->lock);
	for (size_t i = 0; i < NK_TLS_CACHE_SLOTS; i++) {
		struct nk_tls_cache_entry *e = &ctx->cache[i];
		if (e->sess && strcmp(e->key, t->key) == 0) {
			SSL_SESSION_free(e->sess);
			e->sess = NULL;
		}
	}
	pthread_mutex_unlock(&ctx->lock);
}

/* Only the last reference calls this: no lock is needed, nor taken. */
void
nk_tls_cache_clear(nk_tls_ctx *ctx)
{
	for (size_t i = 0; i < NK_TLS_CACHE_SLOTS; i++)
		SSL_SESSION_free(ctx->cache[i].sess);
}
