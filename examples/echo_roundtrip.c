/* echo_roundtrip: connect to an echo server, send a message, read the echo
 * back and check it, all under one deadline.
 *
 *   cc echo_roundtrip.c $(pkg-config --cflags --libs nk) -o echo_roundtrip
 *   nk echo --listen 127.0.0.1:7007 &
 *   ./echo_roundtrip 127.0.0.1 7007 'hello, echo'
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nk/nk.h>
#include <nk/net.h>

int
main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s HOST PORT MESSAGE\n", argv[0]);
		return 2;
	}
	const char *host = argv[1], *msg = argv[3];
	int port = atoi(argv[2]);
	size_t len = strlen(msg);

	/* Every blocking call takes an absolute deadline: five seconds for
	 * the whole exchange, resolving and connecting included. */
	nk_time deadline = nk_deadline_in_ms(5000);
	char errmsg[NK_ERR_MSG_LEN] = "";
	nk_netopts opts;
	memset(&opts, 0, sizeof opts);

	nk_conn *c;
	nk_err e = nk_connect(&opts, host, port, deadline, &c, NULL, errmsg);
	if (e != NK_OK) {
		fprintf(stderr, "echo_roundtrip: %s\n", errmsg);
		return (int)e;
	}
	printf("connected to %s port %d\n", nk_conn_peer_str(c),
	       nk_conn_peer_port(c));

	char *back = malloc(len + 1);
	size_t got = 0;
	if (!back) {
		nk_conn_free(c);
		return (int)NK_ERR_OUT_OF_MEMORY;
	}
	e = nk_conn_write(c, msg, len, deadline, errmsg);
	/* The echo may come back in pieces: read until all of it is here. */
	while (e == NK_OK && got < len) {
		size_t n;
		e = nk_conn_read(c, back + got, len - got, deadline, &n, errmsg);
		if (e == NK_OK && n == 0) {
			snprintf(errmsg, sizeof errmsg,
			         "the server closed after %zu of %zu bytes", got, len);
			e = NK_ERR_RECV_ERROR;
		}
		if (e == NK_OK)
			got += n;
	}
	if (e == NK_OK && memcmp(back, msg, len) != 0) {
		snprintf(errmsg, sizeof errmsg, "the echo differs from the message");
		e = NK_ERR_ECHO_MISMATCH;
	}
	if (e == NK_OK)
		printf("%zu bytes sent, %zu bytes echoed back intact\n", len, got);
	else
		fprintf(stderr, "echo_roundtrip: %s\n", errmsg);

	free(back);
	nk_conn_free(c);
	return (int)e;
}
