/* Fuzz target: the plain-text exchange before TLS of nk-tls --starttls
 * (cmd/tls/starttls*.c: SMTP, IMAP, POP3, FTP, LMTP, NNTP, Sieve, IRC,
 * XMPP, LDAP's BER response, PostgreSQL, MySQL's greeting), against a
 * server whose every byte comes from the input.
 *
 * Input: 4 bytes of options, then what the server sends.
 *   [0] the protocol, modulo 13: smtp, imap, pop3, ftp, lmtp, nntp,
 *       sieve, irc, xmpp, xmpp-server, ldap, postgres, mysql (the first
 *       four keep the numbers of the existing corpus)
 *   [1..3] unused
 *
 * The server's bytes are written into one end of a socket pair and that
 * end is shut, so the exchange reads them from a real socket and then sees
 * the end of the stream; what nk sends goes into the pair and is thrown
 * away. The call must end (no wait past the data: the deadline is far) with
 * one of its documented errors or success, and every trace line must be
 * terminal-safe. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "nk/conn.h"
#include "nk/time.h"
#include "starttls.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const protos[] = {
		"smtp", "imap", "pop3", "ftp", "lmtp", "nntp", "sieve", "irc",
		"xmpp", "xmpp-server", "ldap", "postgres", "mysql",
	};
	struct fuzz_in in = FUZZ_IN(data, size);
	const char *proto = protos[fuzz_u8(&in) % 13];
	(void)fuzz_u8(&in);
	(void)fuzz_u8(&in);
	(void)fuzz_u8(&in);

	int sv[2];
	FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	/* room for all of it: the server side never waits */
	int big = 1 << 20;
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
	setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
	size_t off = 0;
	while (off < in.n) {
		ssize_t w = write(sv[1], in.p + off, in.n - off);
		FUZZ_CHECK(w > 0, "writing the server's bytes");
		off += (size_t)w;
	}
	shutdown(sv[1], SHUT_WR);

	nk_conn *c;
	char msg[NK_ERR_MSG_LEN] = "";
	FUZZ_CHECK(nk_conn_from_fd(sv[0], &c, msg) == NK_OK, "conn: %s", msg);
	char *tr = NULL;
	size_t trlen = 0;
	FILE *trace = open_memstream(&tr, &trlen);
	FUZZ_CHECK(trace != NULL, "open_memstream");
	nk_err e = starttls_run(c, proto, "example.test",
	                        nk_deadline_in_ms(20000), 20000, trace, msg);
	fclose(trace);
	FUZZ_CHECK(e == NK_OK || e == NK_ERR_SSL_CONNECT_ERROR ||
	           e == NK_ERR_RECV_ERROR || e == NK_ERR_SEND_ERROR,
	           "starttls_run returned %d: %s", e, msg);
	FUZZ_CHECK(e == NK_OK || msg[0] != '\0', "error %d without a message",
	           e);
	for (size_t i = 0; i < trlen; i++)
		FUZZ_CHECK(tr[i] == '\n' || ((unsigned char)tr[i] >= 0x20 &&
		                             tr[i] != 0x7f),
		           "trace byte 0x%02x at %zu", (unsigned char)tr[i], i);
	free(tr);
	nk_conn_free(c);
	close(sv[1]);
	return 0;
}
