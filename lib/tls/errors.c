/* tls errors: OpenSSL's error queue in words, for the messages of the
 * context, the handshake and the conn operations. Nothing here clears the
 * queue: the caller still decides, from what is in it, what to say. */
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tls/tls_int.h"

const char *
nk_tls_ossl_reason(const char *fallback)
{
	/* A file OpenSSL could not open leaves errno first, under a last
	 * error that only says "system lib". */
	unsigned long first = ERR_peek_error();
	if (first && ERR_SYSTEM_ERROR(first))
		return strerror(ERR_GET_REASON(first));
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;
	return r ? r : fallback;
}

int
nk_tls_unexpected_eof(void)
{
	unsigned long e = ERR_peek_last_error();
	return e && ERR_GET_LIB(e) == ERR_LIB_SSL &&
	       ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING;
}
