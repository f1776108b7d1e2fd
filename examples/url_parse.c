/* url_parse: parse a URL (against an optional base) the way a browser does,
 * and print its parts and what an HTTP client would connect to.
 *
 *   cc url_parse.c $(pkg-config --cflags --libs nk) -o url_parse
 *   ./url_parse 'HTTP://Example.ORG:80/a/../b?q=1#top'
 */
#include <stdio.h>
#include <stdlib.h>

#include <nk/nk.h>
#include <nk/url.h>

int
main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s URL [BASE]\n", argv[0]);
		return 2;
	}

	/* Errors come back as a code plus one line of detail in a buffer the
	 * caller owns. */
	char errmsg[NK_ERR_MSG_LEN] = "";
	nk_url *u;
	nk_err e = nk_url_parse(argv[1], argc == 3 ? argv[2] : NULL, &u, errmsg);
	if (e != NK_OK) {
		fprintf(stderr, "invalid URL \"%s\": %s\n", argv[1], errmsg);
		return (int)e;
	}

	/* The strings belong to u and live until nk_url_free. */
	printf("href:     %s\n", nk_url_get(u, NK_URL_HREF));
	printf("scheme:   %s\n", nk_url_scheme(u));
	printf("host:     %s\n", nk_url_get(u, NK_URL_HOSTNAME));
	printf("port:     %d\n", nk_url_port(u));
	printf("path:     %s\n", nk_url_get(u, NK_URL_PATHNAME));
	printf("query:    %s\n", nk_url_get(u, NK_URL_SEARCH));
	printf("fragment: %s\n", nk_url_get(u, NK_URL_HASH));
	/* What an HTTP client connects to and asks for. */
	printf("connect:  %s port %d\n", nk_url_connect_host(u), nk_url_port(u));
	printf("request:  GET %s\n", nk_url_target(u));
	printf("Host:     %s\n", nk_url_get(u, NK_URL_HOST));

	nk_url_free(u);
	return 0;
}
