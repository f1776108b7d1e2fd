/* starttls_text: the text dialogues beyond the mail protocols: NNTP (RFC
 * 4642), ManageSieve (RFC 5804 section 2.2), IRC (the legacy STARTTLS
 * extension, 670/691) and XMPP (RFC 6120 section 5.4), client and
 * server-to-server. As in starttls.c, the go-ahead must be the last thing
 * the server sends. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "nk/nk.h"
#include "starttls_io.h"

static int
word_is(const char *s, const char *w)
{
	size_t n = strlen(w);
	return strncasecmp(s, w, n) == 0 && (s[n] == '\0' || s[n] == ' ');
}

/* RFC 4642 section 2.2: the greeting is 200 or 201; CAPABILITIES lists
 * STARTTLS; 382 is the go-ahead. A server without CAPABILITIES (an old
 * one, RFC 977) is asked anyway and answers for itself. */
nk_err
stls_nntp(struct lines *l, char *errmsg)
{
	nk_err e = NK_OK;
	int code = stls_read_coded(l, NULL, NULL, errmsg, &e);
	if (code != 200 && code != 201)
		return e ? e : stls_unexpected(l, "server did not greet with 200 or 201", errmsg);
	if ((e = stls_send_line(l, "CAPABILITIES", errmsg)) != NK_OK)
		return e;
	code = stls_read_coded(l, NULL, NULL, errmsg, &e);
	if (e)
		return e;
	if (code == 101) {
		int offered = 0, n;
		/* The list ends with a lone dot (RFC 3977 section 3.1.1). */
		for (n = 0; n < REPLY_MAX_LINES; n++) {
			if ((e = stls_read_line(l, errmsg)) != NK_OK)
				return e;
			if (strcmp(l->line, ".") == 0)
				break;
			if (word_is(l->line, "STARTTLS"))
				offered = 1;
		}
		if (n == REPLY_MAX_LINES)
			return stls_unexpected(l, "capability list too long", errmsg);
		if (!offered)
			return nk_err_set(errmsg, NK_ERR_SSL_CONNECT_ERROR,
			                  "STARTTLS: NNTP server does not offer STARTTLS");
	}
	if ((e = stls_send_line(l, "STARTTLS", errmsg)) != NK_OK)
		return e;
	if (stls_read_coded(l, NULL, NULL, errmsg, &e) != 382)
		return e ? e : stls_unexpected(l, "server refused STARTTLS", errmsg);
	return NK_OK;
}

/* RFC 5804 sections 1.7 and 2.2: the greeting is the capability list, one
 * "NAME" ["value"] a line, ended by OK; STARTTLS answers OK, or NO/BYE. */
nk_err
stls_sieve(struct lines *l, char *errmsg)
{
	nk_err e;
	int offered = 0, n;
	for (n = 0; n < REPLY_MAX_LINES; n++) {
		if ((e = stls_read_line(l, errmsg)) != NK_OK)
			return e;
		if (l->line[0] != '"')
			break;
		if (word_is(l->line, "\"STARTTLS\""))
			offered = 1;
	}
	if (n == REPLY_MAX_LINES)
		return stls_unexpected(l, "capability list too long", errmsg);
	if (!word_is(l->line, "OK"))
		return stls_unexpected(l, "server did not greet with OK", errmsg);
	if (!offered)
		return nk_err_set(errmsg, NK_ERR_SSL_CONNECT_ERROR,
		                  "STARTTLS: Sieve server does not offer STARTTLS");
	if ((e = stls_send_line(l, "STARTTLS", errmsg)) != NK_OK)
		return e;
	if ((e = stls_read_line(l, errmsg)) != NK_OK)
		return e;
	if (!word_is(l->line, "OK"))
		return stls_unexpected(l, "server refused STARTTLS", errmsg);
	return NK_OK;
}

/* The IRC STARTTLS extension (IRCv3 tls-3.1, since deprecated in favour
 * of direct TLS): STARTTLS before registering; RPL_STARTTLS 670 is the
 * go-ahead, ERR_STARTTLS 691 the refusal. Notices may come first; another
 * error numeric (421 unknown command, 451) or ERROR is a refusal too. */
nk_err
stls_irc(struct lines *l, char *errmsg)
{
	nk_err e;
	if ((e = stls_send_line(l, "STARTTLS", errmsg)) != NK_OK)
		return e;
	for (int n = 0; n < REPLY_MAX_LINES; n++) {
		if ((e = stls_read_line(l, errmsg)) != NK_OK)
			return e;
		const char *cmd = l->line;
		if (*cmd == ':') {
			cmd = strchr(cmd, ' ');
			if (!cmd)
				return stls_unexpected(l, "server sent", errmsg);
			cmd++;
		}
		if (word_is(cmd, "670"))
			return NK_OK;
		if (word_is(cmd, "ERROR") ||
		    word_is(cmd, "691") ||
		    ((cmd[0] == '4' || cmd[0] == '5') &&
		     strspn(cmd, "0123456789") == 3 && cmd[3] == ' '))
			return stls_unexpected(l, "server refused STARTTLS", errmsg);
	}
	return stls_unexpected(l, "server never answered STARTTLS", errmsg);
}

/* One markup item of the XMPP stream, "<...>" with quotes honoured, into
 * l->line; character data between items (whitespace keepalives) is
 * dropped. */
static nk_err
xml_item(struct lines *l, char *errmsg)
{
	for (;;) {
		char *lt = memchr(l->buf, '<', l->len);
		stls_consume(l, lt ? (size_t)(lt - l->buf) : l->len);
		char quote = 0;
		for (size_t i = 1; i < l->len; i++) {
			char ch = l->buf[i];
			if (quote) {
				if (ch == quote)
					quote = 0;
			} else if (ch == '"' || ch == '\'') {
				quote = ch;
			} else if (ch == '>') {
				if (i + 1 > LINE_MAX_LEN)
					break;
				memcpy(l->line, l->buf, i + 1);
				l->line[i + 1] = '\0';
				stls_consume(l, i + 1);
				stls_trace(l, '<', l->line);
				return NK_OK;
			}
		}
		if (l->len >= LINE_MAX_LEN)
			return nk_err_set(errmsg, NK_ERR_SSL_CONNECT_ERROR,
			                  "STARTTLS: XMPP server sent an element "
			                  "tag longer than %d bytes", LINE_MAX_LEN);
		nk_err e = stls_fill(l, l->len + 1, errmsg);
		if (e)
			return e;
	}
}

enum { TAG_OTHER, TAG_OPEN, TAG_CLOSE, TAG_EMPTY };

/* The kind of l->line and its local name (the part after any prefix)
 * into name. */
static int
xml_tag(const struct lines *l, char *name, size_t size)
{
	const char *s = l->line + 1;
	size_t len = strlen(l->line);
	int kind = TAG_OPEN;
	if (*s == '?' || *s == '!')
		return TAG_OTHER;
	if (*s == '/') {
		kind = TAG_CLOSE;
		s++;
	} else if (len >= 3 && l->line[len - 2] == '/') {
		kind = TAG_EMPTY;
	}
	size_t n = strcspn(s, " \t\r\n/>");
	const char *colon = memchr(s, ':', n);
	if (colon) {
		n -= (size_t)(colon + 1 - s);
		s = colon + 1;
	}
	if (n >= size)
		n = size - 1;
	memcpy(name, s, n);
	name[n] = '\0';
	return kind;
}

/* A <stream:error/>: its condition is the next element. */
static nk_err
xmpp_stream_error(struct lines *l, char *errmsg)
{
	char name[64];
	nk_err e = xml_item(l, errmsg);
	if (e)
		return e;
	xml_tag(l, name, sizeof name);
	return nk_err_set(errmsg, NK_ERR_SSL_CONNECT_ERROR,
	                  "STARTTLS: XMPP server sent a stream error: %s",
	                  name);
}

/* The stream header, then <stream:features> up to its end; sets *offered
 * when <starttls/> is among them. */
static nk_err
xmpp_features(struct lines *l, int *offered, char *errmsg)
{
	char name[64];
	int stream = 0, in_features = 0;
	for (int n = 0; n < REPLY_MAX_LINES; n++) {
		nk_err e = xml_item(l, errmsg);
		if (e)
			return e;
		int kind = xml_tag(l, name, sizeof name);
		if (kind == TAG_OTHER)
			continue;
		if (!stream) {
			if (kind != TAG_OPEN || strcmp(name, "stream") != 0)
				return stls_unexpected(l, "server did not open a stream", errmsg);
			stream = 1;
			continue;
		}
		if (!in_features && kind != TAG_CLOSE && strcmp(name, "error") == 0)
			return xmpp_stream_error(l, errmsg);
		if (strcmp(name, "stream") == 0 && kind == TAG_CLOSE)
			return stls_unexpected(l, "server closed the stream", errmsg);
		if (strcmp(name, "features") == 0) {
			if (kind != TAG_OPEN)
				return NK_OK;
			in_features = 1;
		} else if (in_features && kind != TAG_CLOSE &&
		           strcmp(name, "starttls") == 0) {
			*offered = 1;
		}
	}
	return stls_unexpected(l, "server sent too much before its features", errmsg);
}

/* Section 4.7.1 and 5.4.2: a domain name or address literal; anything
 * else would be markup of our own making in the header. */
static int
xmpp_domain_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n > 0 && n < 256 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                 "0123456789.-:[]") == n;
}

static nk_err
xmpp(struct lines *l, const char *ns, char *errmsg)
{
	char head[512], name[64];
	int offered = 0;
	nk_err e;
	if (!xmpp_domain_ok(l->name))
		return nk_err_set(errmsg, NK_ERR_SSL_CONNECT_ERROR,
		                  "STARTTLS: XMPP needs a domain name for its "
		                  "stream header (--servername)");
	snprintf(head, sizeof head, "<?xml version='1.0'?><stream:stream "
	         "xmlns='%s' xmlns:stream='http://etherx.jabber.org/streams' "
	         "to='%s' version='1.0'>", ns, l->name);
	if ((e = stls_send_raw(l, head, strlen(head), head, errmsg)) != NK_OK)
		return e;
	if ((e = xmpp_features(l, &offered, errmsg)) != NK_OK)
		return e;
	if (!offered)
		return nk_err_set(errmsg, NK_ERR_SSL_CONNECT_ERROR,
		                  "STARTTLS: XMPP server does not offer STARTTLS");
	static const char req[] =
		"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";
	if ((e = stls_send_raw(l, req, strlen(req), req, errmsg)) != NK_OK)
		return e;
	if ((e = xml_item(l, errmsg)) != NK_OK)
		return e;
	int kind = xml_tag(l, name, sizeof name);
	if (strcmp(name, "error") == 0 && kind != TAG_CLOSE)
		return xmpp_stream_error(l, errmsg);
	if (strcmp(name, "proceed") != 0 || kind == TAG_CLOSE)
		return stls_unexpected(l, "server refused STARTTLS", errmsg);
	if (kind == TAG_OPEN) {
		if ((e = xml_item(l, errmsg)) != NK_OK)
			return e;
		if (xml_tag(l, name, sizeof name) != TAG_CLOSE ||
		    strcmp(name, "proceed") != 0)
			return stls_unexpected(l, "server sent inside <proceed>", errmsg);
	}
	return NK_OK;
}

nk_err
stls_xmpp(struct lines *l, char *errmsg)
{
	return xmpp(l, "jabber:client", errmsg);
}

nk_err
stls_xmpp_server(struct lines *l, char *errmsg)
{
	return xmpp(l, "jabber:server", errmsg);
}
