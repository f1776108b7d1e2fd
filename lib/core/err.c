/* err: names and sentences for nk_err codes, and the message helper. */
#include <errno.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "core/internal.h"

static const struct {
	nk_err code;
	const char *name;
	const char *text;
} errs[] = {
	{ NK_OK, "OK", "No error" },
	{ NK_ERR_UNSUPPORTED_PROTOCOL, "UNSUPPORTED_PROTOCOL", "Unsupported protocol" },
	{ NK_ERR_FAILED_INIT, "FAILED_INIT", "Bad option or failed initialisation" },
	{ NK_ERR_URL_MALFORMAT, "URL_MALFORMAT", "Malformed URL" },
	{ NK_ERR_COULDNT_RESOLVE_PROXY, "COULDNT_RESOLVE_PROXY", "Could not resolve proxy" },
	{ NK_ERR_COULDNT_RESOLVE_HOST, "COULDNT_RESOLVE_HOST", "Could not resolve host" },
	{ NK_ERR_COULDNT_CONNECT, "COULDNT_CONNECT", "Could not connect to server" },
	{ NK_ERR_WEIRD_SERVER_REPLY, "WEIRD_SERVER_REPLY", "Malformed server reply" },
	{ NK_ERR_HTTP2, "HTTP2", "Error in the HTTP/2 framing layer" },
	{ NK_ERR_PARTIAL_FILE, "PARTIAL_FILE", "Transfer ended before the whole body arrived" },
	{ NK_ERR_HTTP_RETURNED_ERROR, "HTTP_RETURNED_ERROR", "HTTP server returned an error status" },
	{ NK_ERR_WRITE_ERROR, "WRITE_ERROR", "Failed writing output" },
	{ NK_ERR_UPLOAD_FAILED, "UPLOAD_FAILED", "The request body could not be sent" },
	{ NK_ERR_READ_ERROR, "READ_ERROR", "Failed reading input" },
	{ NK_ERR_OUT_OF_MEMORY, "OUT_OF_MEMORY", "Out of memory" },
	{ NK_ERR_OPERATION_TIMEDOUT, "OPERATION_TIMEDOUT", "Timeout was reached" },
	{ NK_ERR_RANGE_ERROR, "RANGE_ERROR", "Server did not honour the range request" },
	{ NK_ERR_SSL_CONNECT_ERROR, "SSL_CONNECT_ERROR", "TLS handshake failed" },
	{ NK_ERR_ABORTED_BY_CALLBACK, "ABORTED_BY_CALLBACK", "Aborted by callback" },
	{ NK_ERR_BAD_FUNCTION_ARGUMENT, "BAD_FUNCTION_ARGUMENT", "Bad function argument" },
	{ NK_ERR_TOO_MANY_REDIRECTS, "TOO_MANY_REDIRECTS", "Too many redirects" },
	{ NK_ERR_SETOPT_OPTION_SYNTAX, "SETOPT_OPTION_SYNTAX", "Malformed option value" },
	{ NK_ERR_GOT_NOTHING, "GOT_NOTHING", "Server returned nothing" },
	{ NK_ERR_SEND_ERROR, "SEND_ERROR", "Failed sending data" },
	{ NK_ERR_RECV_ERROR, "RECV_ERROR", "Failure receiving data" },
	{ NK_ERR_SSL_CERTPROBLEM, "SSL_CERTPROBLEM", "Problem with the client certificate" },
	{ NK_ERR_SSL_CIPHER, "SSL_CIPHER", "Could not use the given cipher" },
	{ NK_ERR_PEER_FAILED_VERIFICATION, "PEER_FAILED_VERIFICATION", "Server certificate did not verify" },
	{ NK_ERR_BAD_CONTENT_ENCODING, "BAD_CONTENT_ENCODING", "Unrecognised or broken content or transfer encoding" },
	{ NK_ERR_FILESIZE_EXCEEDED, "FILESIZE_EXCEEDED", "Maximum file size exceeded" },
	{ NK_ERR_SEND_FAIL_REWIND, "SEND_FAIL_REWIND", "The request body cannot be sent again from its start" },
	{ NK_ERR_SSL_CACERT_BADFILE, "SSL_CACERT_BADFILE", "Problem with the CA certificate file or directory" },
	{ NK_ERR_SSL_CRL_BADFILE, "SSL_CRL_BADFILE", "Failed to load the CRL file" },
	{ NK_ERR_SSL_PINNEDPUBKEYNOTMATCH, "SSL_PINNEDPUBKEYNOTMATCH", "Server public key does not match the pin" },
	{ NK_ERR_SSL_INVALIDCERTSTATUS, "SSL_INVALIDCERTSTATUS", "The certificate's revocation status could not be established" },
	{ NK_ERR_HTTP2_STREAM, "HTTP2_STREAM", "HTTP/2 stream error" },
	{ NK_ERR_PROXY, "PROXY", "Proxy handshake error" },
	{ NK_ERR_ECHO_MISMATCH, "ECHO_MISMATCH", "An echo did not match what was sent" },
	{ NK_ERR_CERT_EXPIRING, "CERT_EXPIRING", "A certificate expires within the warning window" },
};

const char *
nk_err_str(nk_err e)
{
	for (size_t i = 0; i < NK_ARRAY_LEN(errs); i++)
		if (errs[i].code == e)
			return errs[i].text;
	return "Unknown error";
}

const char *
nk_err_name(nk_err e)
{
	for (size_t i = 0; i < NK_ARRAY_LEN(errs); i++)
		if (errs[i].code == e)
			return errs[i].name;
	return "UNKNOWN";
}

nk_err
nk_err_set(char *errmsg, nk_err e, const char *fmt, ...)
{
	if (errmsg) {
		int saved = errno;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(errmsg, NK_ERR_MSG_LEN, fmt, ap);
		va_end(ap);
		errno = saved;
	}
	return e;
}

void
nk_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	const void *a = NULL;
	if (sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (!a || !inet_ntop(sa->sa_family, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

const char *
nk_version(void)
{
	return NK_VERSION;
}
