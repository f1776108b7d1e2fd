/* ws_handshake: the WebSocket opening handshake of RFC 6455 §4.1 over
 * nk/http.h (the GET with Upgrade and its checks of the 101 answer), and
 * the random bytes of keys and masks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "nk/text.h"
#include "nk/ws.h"
#include "core/internal.h"

/* §1.3: what the server appends to the key before hashing it. */
#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

nk_err
nk_ws_random(void *p, size_t n, char *errmsg)
{
	if (n > 0 && RAND_bytes(p, (int)n) != 1)
		return nk_fail(errmsg, NK_ERR_FAILED_INIT, "WebSocket: no random "
		               "bytes from OpenSSL");
	return NK_OK;
}

nk_err
nk_ws_key(char key[NK_WS_KEY_LEN + 1], char *errmsg)
{
	unsigned char nonce[16];
	nk_err e = nk_ws_random(nonce, sizeof nonce, errmsg);
	if (e)
		return e;
	nk_base64(nonce, sizeof nonce, key);
	return NK_OK;
}

void
nk_ws_accept(const char *key, char out[NK_WS_ACCEPT_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	/* Only out of memory can stop SHA-1: an accept value that matches
	 * nothing then fails the check, as it should. */
	if (!c || !EVP_DigestInit_ex(c, EVP_sha1(), NULL) ||
	    !EVP_DigestUpdate(c, key, strlen(key)) ||
	    !EVP_DigestUpdate(c, WS_GUID, sizeof WS_GUID - 1) ||
	    !EVP_DigestFinal_ex(c, md, &mdlen) || mdlen != 20) {
		EVP_MD_CTX_free(c);
		memset(out, '?', NK_WS_ACCEPT_LEN);
		out[NK_WS_ACCEPT_LEN] = '\0';
		return;
	}
	EVP_MD_CTX_free(c);
	nk_base64(md, 20, out);
}

/* Whether a user header line names `name` ("Name: v", "Name:", "Name;"),
 * so that the user's wins over ours as -H does in nk http. */
static int
user_names(const struct nk_ws_handshake *h, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < h->nheaders; i++) {
		const char *l = h->headers[i];
		if (!strncasecmp(l, name, n) && (l[n] == ':' || l[n] == ';'))
			return 1;
	}
	return 0;
}

/* Our header `name: value` unless the user gives that name. */
static void
add_ours(const struct nk_ws_handshake *h, size_t *offs, size_t *k,
         nk_buf *store, const char *name, const char *value)
{
	if (user_names(h, name))
		return;
	offs[(*k)++] = store->len;
	nk_buf_printf(store, "%s: %s", name, value);
	nk_buf_addc(store, '\0');
}

static nk_err
offers(const struct nk_ws_handshake *h, nk_buf *b, char *errmsg)
{
	for (size_t i = 0; i < h->nprotocols; i++) {
		const char *p = h->protocols[i];
		if (!nk_http_is_token(p, strlen(p))) {
			char shown[64];
			nk_text_escape_to(shown, sizeof shown, p, strlen(p), 0);
			return nk_fail(errmsg, NK_ERR_FAILED_INIT, "refused "
			               "WebSocket protocol \"%s\": not a token",
			               shown);
		}
		nk_buf_printf(b, "%s%s", i ? ", " : "", p);
	}
	return b->err ? nk_fail(errmsg, b->err, "out of memory") : NK_OK;
}

nk_err
nk_ws_request(const struct nk_ws_handshake *h, char **out, size_t *outlen,
              char *errmsg)
{
	nk_buf protos = NK_BUF_INIT(0), store = NK_BUF_INIT(0);
	const char **lines = calloc(h->nheaders + 5, sizeof *lines);
	size_t offs[5], k = 0;
	nk_err e;

	*out = NULL;
	if (!lines)
		return nk_fail(errmsg, NK_ERR_OUT_OF_MEMORY, "out of memory");
	if ((e = offers(h, &protos, errmsg)) != NK_OK)
		goto done;
	add_ours(h, offs, &k, &store, "Upgrade", "websocket");
	add_ours(h, offs, &k, &store, "Connection", "Upgrade");
	add_ours(h, offs, &k, &store, "Sec-WebSocket-Key", h->key);
	add_ours(h, offs, &k, &store, "Sec-WebSocket-Version", "13");
	if (h->nprotocols)
		add_ours(h, offs, &k, &store, "Sec-WebSocket-Protocol",
		         nk_buf_str(&protos));
	if (store.err) {
		e = nk_fail(errmsg, store.err, "out of memory");
		goto done;
	}
	/* The store moved as it grew: pointers only once it is whole. */
	for (size_t i = 0; i < k; i++)
		lines[i] = store.p + offs[i];
	for (size_t i = 0; i < h->nheaders; i++)
		lines[k++] = h->headers[i];
	struct nk_http_request rq;
	memset(&rq, 0, sizeof rq);
	rq.target = h->target;
	rq.host = h->host;
	rq.headers = lines;
	rq.nheaders = k;
	e = nk_http_request_build(&rq, out, outlen, errmsg);
done:
	free(lines);
	nk_buf_free(&protos);
	nk_buf_free(&store);
	return e;
}

/* The value of the one `name` header, or NULL when there is none;
 * *many when there is more than one. */
static const struct nk_http_header *
only(const struct nk_http_response *res, const char *name, int *many)
{
	size_t it = 0;
	const struct nk_http_header *f = nk_http_header_find(res, name, &it);
	*many = f && nk_http_header_find(res, name, &it) != NULL;
	return f;
}

static nk_err
bad_field(const struct nk_http_header *f, const char *name, const char *why,
          char *errmsg)
{
	char shown[96] = "";
	if (f)
		nk_text_escape_to(shown, sizeof shown, f->value, f->value_len, 0);
	return nk_fail(errmsg, NK_ERR_WEIRD_SERVER_REPLY, "WebSocket handshake: "
	               "%s %s%s%s%s", name, why, f ? " (\"" : "", shown,
	               f ? "\")" : "");
}

/* Sec-WebSocket-Protocol: none, or one we offered. */
static nk_err
check_protocol(const struct nk_ws_handshake *h,
               const struct nk_http_response *res, const char **proto,
               size_t *proto_len, char *errmsg)
{
	int many;
	const struct nk_http_header *f = only(res, "Sec-WebSocket-Protocol",
	                                      &many);
	if (!f)
		return NK_OK;
	if (many)
		return bad_field(f, "Sec-WebSocket-Protocol", "given twice",
		                 errmsg);
	for (size_t i = 0; i < h->nprotocols; i++) {
		if (strlen(h->protocols[i]) == f->value_len &&
		    !memcmp(h->protocols[i], f->value, f->value_len)) {
			if (proto) {
				*proto = f->value;
				*proto_len = f->value_len;
			}
			return NK_OK;
		}
	}
	return bad_field(f, "Sec-WebSocket-Protocol", "is not one offered",
	                 errmsg);
}

nk_err
nk_ws_check_response(const struct nk_ws_handshake *h,
                     const struct nk_http_response *res, const char **proto,
                     size_t *proto_len, char *errmsg)
{
	char want[NK_WS_ACCEPT_LEN + 1], reason[96];
	int many;

	if (proto) {
		*proto = NULL;
		*proto_len = 0;
	}
	if (res->status != 101) {
		nk_text_escape_to(reason, sizeof reason, res->reason,
		                  res->reason_len, 0);
		return nk_fail(errmsg, NK_ERR_HTTP_RETURNED_ERROR, "WebSocket "
		               "handshake: server answered %d%s%s, not 101 "
		               "Switching Protocols", res->status,
		               res->reason_len ? " " : "", reason);
	}
	if (!nk_http_has_token(res, "Upgrade", "websocket"))
		return bad_field(nk_http_header_find(res, "Upgrade", NULL),
		                 "Upgrade", "is not websocket", errmsg);
	if (!nk_http_has_token(res, "Connection", "upgrade"))
		return bad_field(nk_http_header_find(res, "Connection", NULL),
		                 "Connection", "does not hold upgrade", errmsg);
	const struct nk_http_header *f = only(res, "Sec-WebSocket-Accept",
	                                      &many);
	nk_ws_accept(h->key, want);
	if (!f || many || f->value_len != NK_WS_ACCEPT_LEN ||
	    memcmp(f->value, want, NK_WS_ACCEPT_LEN) != 0)
		return bad_field(f, "Sec-WebSocket-Accept", f ? "does not match "
		                 "the key" : "is missing", errmsg);
	f = nk_http_header_find(res, "Sec-WebSocket-Extensions", NULL);
	if (f)
		return bad_field(f, "Sec-WebSocket-Extensions", "names an "
		                 "extension nk did not offer", errmsg);
	return check_protocol(h, res, proto, proto_len, errmsg);
}
