/* starttls_bin: the binary upgrades: LDAP's StartTLS extended operation
 * (RFC 4511 section 4.14, RFC 4513 section 3), PostgreSQL's SSLRequest
 * (protocol 3.0, "SSL Session Encryption") and MySQL's SSL request (the
 * server greeting's CLIENT_SSL capability, then the short handshake
 * response). Every length the server sends is checked against what is
 * buffered before it is used; nothing may follow the go-ahead. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "nk/nk.h"
#include "starttls_io.h"

/* The largest LDAP response or MySQL greeting taken: the real ones are
 * under 200 bytes. */
#define MSG_MAX 4096

/* One BER element with a one-byte tag (all LDAP uses) in [*p, end): its
 * tag and contents; *p moves past it. -1 when it does not fit. */
static int
ber_next(const uint8_t **p, const uint8_t *end, uint8_t *tag,
         const uint8_t **val, size_t *len)
{
	const uint8_t *s = *p;
	if (end - s < 2 || (s[0] & 0x1f) == 0x1f)
		return -1;
	*tag = s[0];
	size_t n = s[1];
	s += 2;
	if (n & 0x80) {
		size_t k = n & 0x7f;
		/* long form, at most 4 length bytes (OpenLDAP always uses 4) */
		if (k == 0 || k > 4 || (size_t)(end - s) < k)
			return -1;
		n = 0;
		while (k--)
			n = n << 8 | *s++;
	}
	if (n > (size_t)(end - s))
		return -1;
	*val = s;
	*len = n;
	*p = s + n;
	return 0;
}

/* An INTEGER or ENUMERATED of up to 4 bytes, non-negative. */
static int
ber_int(const uint8_t *v, size_t n, long *out)
{
	if (n == 0 || n > 4 || (v[0] & 0x80))
		return -1;
	*out = 0;
	for (size_t i = 0; i < n; i++)
		*out = *out << 8 | v[i];
	return 0;
}

static nk_err
ldap_bad(const char *why, char *errmsg)
{
	return nk_err_set(errmsg, NK_ERR_SSL_CONNECT_ERROR,
	                  "STARTTLS: LDAP server sent %s", why);
}

/* The result of the ExtendedResponse in [p, end): 0 and its
 * diagnosticMessage into diag, or -1. */
static int
ldap_result(const uint8_t *p, const uint8_t *end, long *code, char *diag,
            size_t size)
{
	uint8_t tag;
	const uint8_t *v;
	size_t n;
	if (ber_next(&p, end, &tag, &v, &n) || tag != 0x0a ||
	    ber_int(v, n, code))
		return -1;
	if (ber_next(&p, end, &tag, &v, &n) || tag != 0x04)     /* matchedDN */
		return -1;
	if (ber_next(&p, end, &tag, &v, &n) || tag != 0x04)
		return -1;
	nk_text_escape_to(diag, size, (const char *)v, n < 120 ? n : 120, 0);
	return 0;
}

nk_err
stls_ldap(struct lines *l, char *errmsg)
{
	/* LDAPMessage { messageID 1, [APPLICATION 23] ExtendedRequest {
	 * [0] requestName "1.3.6.1.4.1.1466.20037" } } */
	static const char req[] =
		"\x30\x1d\x02\x01\x01\x77\x18\x80\x16" "1.3.6.1.4.1.1466.20037";
	nk_err e = stls_send_raw(l, req, sizeof req - 1, "ExtendedRequest "
	                         "1.3.6.1.4.1.1466.20037 (StartTLS), "
	                         "message 1", errmsg);
	if (e || (e = stls_fill(l, 2, errmsg)) != NK_OK)
		return e;
	const uint8_t *b = (const uint8_t *)l->buf;
	size_t hdr = 2, len = b[1];
	if (b[0] != 0x30)
		return ldap_bad("something other than an LDAP message", errmsg);
	if (b[1] & 0x80) {
		size_t k = b[1] & 0x7f;
		if (k == 0 || k > 4)
			return ldap_bad("a malformed message length", errmsg);
		hdr += k;
		if ((e = stls_fill(l, hdr, errmsg)) != NK_OK)
			return e;
		len = 0;
		for (size_t i = 2; i < hdr; i++)
			len = len << 8 | b[i];
	}
	if (len > MSG_MAX)
		return ldap_bad("a response longer than 4096 bytes", errmsg);
	if ((e = stls_fill(l, hdr + len, errmsg)) != NK_OK)
		return e;
	const uint8_t *p = b + hdr, *end = b + hdr + len, *v;
	uint8_t tag;
	size_t n;
	long id, code;
	char diag[128] = "", result[180], shown[240];
	if (ber_next(&p, end, &tag, &v, &n) || tag != 0x02 || ber_int(v, n, &id))
		return ldap_bad("a malformed message ID", errmsg);
	if (ber_next(&p, end, &tag, &v, &n) || tag != 0x78)
		return ldap_bad("something other than an extended response",
		                errmsg);
	if (ldap_result(v, v + n, &code, diag, sizeof diag))
		return ldap_bad("a malformed extended response", errmsg);
	snprintf(result, sizeof result, "result %ld%s%s", code,
	         diag[0] ? ": " : "", diag);
	snprintf(shown, sizeof shown, "ExtendedResponse, message %ld, %s", id,
	         result);
	stls_trace(l, '<', shown);
	/* Message 0 is an unsolicited notification (section 4.4), such as a
	 * notice of disconnection. */
	if (id != 1 || code != 0)
		return nk_err_set(errmsg, NK_ERR_SSL_CONNECT_ERROR,
		                  "STARTTLS: LDAP server refused StartTLS: %s%s",
		                  id != 1 ? "unsolicited notice, " : "",
		                  result);
	stls_consume(l, hdr + len);
	return NK_OK;
}

/* SSLRequest: length 8, code 80877103; the answer is one byte. */
nk_err
stls_postgres(struct lines *l, char *errmsg)
{
	static const char req[] = "\x00\x00\x00\x08\x04\xd2\x16\x2f";
	nk_err e = stls_send_raw(l, req, 8, "SSLRequest", errmsg);
	if (e || (e = stls_fill(l, 1, errmsg)) != NK_OK)
		return e;
	char c = l->buf[0];
	if (c == 'S') {
		stls_trace(l, '<', "S");
		stls_consume(l, 1);
		return NK_OK;
	}
	if (c == 'N')
		return nk_err_set(errmsg, NK_ERR_SSL_CONNECT_ERROR,
		                  "STARTTLS: PostgreSQL server refused SSL (N)");
	/* 'E': a server before 7.0, or one that failed at once */
	return nk_err_set(errmsg, NK_ERR_SSL_CONNECT_ERROR,
	                  "STARTTLS: PostgreSQL server answered SSLRequest "
	                  "with byte 0x%02x", (unsigned char)c);
}

#define CLIENT_SSL 0x0800u

/* A greeting that is an error packet (0xff): "code message". */
static nk_err
mysql_error(const uint8_t *p, size_t n, char *errmsg)
{
	char msg[128] = "";
	unsigned code = n >= 3 ? (unsigned)(p[1] | p[2] << 8) : 0;
	size_t off = n > 3 && p[3] == '#' ? 9 : 3;   /* "#" and SQLSTATE */
	if (off < n)
		nk_text_escape_to(msg, sizeof msg, (const char *)p + off,
		                  n - off < 120 ? n - off : 120, 0);
	return nk_err_set(errmsg, NK_ERR_SSL_CONNECT_ERROR,
	                  "STARTTLS: MySQL server refused the connection: "
	                  "%u %s", code, msg);
}

nk_err
stls_mysql(struct lines *l, char *errmsg)
{
	nk_err e = stls_fill(l, 4, errmsg);
	if (e)
		return e;
	const uint8_t *b = (const uint8_t *)l->buf;
	size_t n = (size_t)(b[0] | b[1] << 8 | b[2] << 16);
	uint8_t seq = b[3];
	if (n == 0 || n > MSG_MAX)
		return nk_err_set(errmsg, NK_ERR_SSL_CONNECT_ERROR,
		                  "STARTTLS: MySQL greeting of %zu bytes", n);
	if ((e = stls_fill(l, 4 + n, errmsg)) != NK_OK)
		return e;
	const uint8_t *p = b + 4;
	if (p[0] == 0xff)
		return mysql_error(p, n, errmsg);
	if (p[0] != 10)
		return nk_err_set(errmsg, NK_ERR_SSL_CONNECT_ERROR,
		                  "STARTTLS: MySQL server speaks protocol %u, "
		                  "not 10", p[0]);
	/* version NUL, thread id 4, scramble 8, filler 1, capabilities 2 */
	const uint8_t *nul = memchr(p + 1, 0, n - 1);
	if (!nul || (size_t)(nul - p) + 1 + 15 > n)
		return nk_err_set(errmsg, NK_ERR_SSL_CONNECT_ERROR,
		                  "STARTTLS: MySQL greeting too short");
	const uint8_t *cap = nul + 1 + 13;
	unsigned caps = (unsigned)(cap[0] | cap[1] << 8);
	char shown[120], ver[64];
	size_t vl = (size_t)(nul - p - 1);
	nk_text_escape_to(ver, sizeof ver, (const char *)p + 1, vl < 40 ? vl : 40,
	                  0);
	snprintf(shown, sizeof shown, "greeting: protocol 10, server %s%s", ver,
	         caps & CLIENT_SSL ? ", SSL" : "");
	stls_trace(l, '<', shown);
	if (!(caps & CLIENT_SSL))
		return nk_err_set(errmsg, NK_ERR_SSL_CONNECT_ERROR,
		                  "STARTTLS: MySQL server does not offer SSL");
	stls_consume(l, 4 + n);
	/* The handshake response cut short: capabilities (LONG_PASSWORD,
	 * LONG_FLAG, PROTOCOL_41, SSL, TRANSACTIONS, SECURE_CONNECTION,
	 * PLUGIN_AUTH), max packet 16 MiB, utf8 (33), 23 zero bytes; TLS
	 * starts right after it. */
	uint8_t req[36] = { 32, 0, 0, (uint8_t)(seq + 1),
	                    0x05, 0xaa, 0x08, 0x00, 0, 0, 0, 1, 33 };
	return stls_send_raw(l, req, sizeof req, "SSL request", errmsg);
}
