/* libnk errors: one enum, numbered like curl's exit codes where the meaning
 * is the same, so a tool can exit with the value it got.
 *
 * Append only: never renumber or remove a code. */
#ifndef NK_ERR_H
#define NK_ERR_H

#include "nk/defs.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum nk_err {
	NK_OK = 0,
	NK_ERR_UNSUPPORTED_PROTOCOL = 1,   /* 1: scheme nk cannot fetch */
	NK_ERR_FAILED_INIT = 2,            /* 2: bad option or set-up */
	NK_ERR_URL_MALFORMAT = 3,          /* 3: the URL does not parse */
	NK_ERR_COULDNT_RESOLVE_PROXY = 5,  /* 5 */
	NK_ERR_COULDNT_RESOLVE_HOST = 6,   /* 6 */
	NK_ERR_COULDNT_CONNECT = 7,        /* 7 */
	NK_ERR_WEIRD_SERVER_REPLY = 8,     /* 8: framing the client cannot trust */
	NK_ERR_HTTP2 = 16,                 /* 16: an HTTP/2 connection error
	                                    * (framing, GOAWAY, a broken session) */
	NK_ERR_PARTIAL_FILE = 18,          /* 18: body shorter than announced */
	NK_ERR_HTTP_RETURNED_ERROR = 22,   /* 22: --fail and status >= 400 */
	NK_ERR_WRITE_ERROR = 23,           /* 23: writing the output failed */
	NK_ERR_UPLOAD_FAILED = 25,         /* 25: a body that cannot be sent */
	NK_ERR_READ_ERROR = 26,            /* 26: reading a local file failed */
	NK_ERR_OUT_OF_MEMORY = 27,         /* 27 */
	NK_ERR_OPERATION_TIMEDOUT = 28,    /* 28: a deadline passed */
	NK_ERR_RANGE_ERROR = 33,           /* 33: server ignored a Range */
	NK_ERR_SSL_CONNECT_ERROR = 35,     /* 35: TLS handshake failed */
	NK_ERR_ABORTED_BY_CALLBACK = 42,   /* 42 */
	NK_ERR_BAD_FUNCTION_ARGUMENT = 43, /* 43: API misuse */
	NK_ERR_TOO_MANY_REDIRECTS = 47,    /* 47 */
	NK_ERR_SETOPT_OPTION_SYNTAX = 49,  /* 49: a --resolve/--connect-to entry */
	NK_ERR_GOT_NOTHING = 52,           /* 52: empty reply */
	NK_ERR_SEND_ERROR = 55,            /* 55 */
	NK_ERR_RECV_ERROR = 56,            /* 56 */
	NK_ERR_SSL_CERTPROBLEM = 58,       /* 58: client certificate unusable */
	NK_ERR_SSL_CIPHER = 59,            /* 59 */
	NK_ERR_PEER_FAILED_VERIFICATION = 60, /* 60: certificate did not verify */
	NK_ERR_BAD_CONTENT_ENCODING = 61,  /* 61: unknown or broken coding */
	NK_ERR_FILESIZE_EXCEEDED = 63,     /* 63: --max-filesize passed */
	NK_ERR_SEND_FAIL_REWIND = 65,      /* 65: a body to send again cannot
	                                    * be read from its start again */
	NK_ERR_SSL_CACERT_BADFILE = 77,    /* 77: CA file or dir unusable */
	NK_ERR_SSL_CRL_BADFILE = 82,       /* 82: CRL file unusable */
	NK_ERR_SSL_PINNEDPUBKEYNOTMATCH = 90, /* 90 */
	NK_ERR_SSL_INVALIDCERTSTATUS = 91, /* 91: revocation status asked for
	                                    * but not established */
	NK_ERR_HTTP2_STREAM = 92,          /* 92: the server reset the HTTP/2
	                                    * stream (RST_STREAM) */
	NK_ERR_PROXY = 97,                 /* 97: a SOCKS proxy refused or
	                                    * failed the handshake */

	/* nk's own codes, outside curl's range */
	NK_ERR_ECHO_MISMATCH = 100,        /* 100: an echo came back different */
	NK_ERR_CERT_EXPIRING = 101,        /* 101: nk tls --expiry-warn tripped */
} nk_err;

/* Size of the buffer every libnk call that can fail takes as `char *errmsg`
 * (it may be NULL). On failure the call writes one line, without a newline,
 * naming the operation and the peer: "connect 127.0.0.1:443: Connection
 * refused". On success the buffer is left untouched. */
#define NK_ERR_MSG_LEN 256

/* A short sentence for a code ("Could not resolve host"); never NULL. */
NK_API const char *nk_err_str(nk_err e);

/* The symbolic name for JSON output ("COULDNT_RESOLVE_HOST"); never NULL. */
NK_API const char *nk_err_name(nk_err e);

/* Fails as libnk's own functions fail: the message from fmt into errmsg
 * (NK_ERR_MSG_LEN bytes; NULL: none), errno kept, and e returned, so a
 * failure reads `return nk_err_set(errmsg, e, ...)`. */
NK_API nk_err nk_err_set(char *errmsg, nk_err e, const char *fmt, ...)
	NK_PRINTF(3, 4);

#ifdef __cplusplus
}
#endif

#endif
