/* hosts: reads the hosts file to tell which resolved addresses came from it.
 * getaddrinfo does not say where an answer came from, and the hosts file is
 * the one source a user edits by hand, so nk resolve labels its hits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "net/net_int.h"

/* Compares names case-insensitively, ignoring one trailing dot on either
 * side: "LocalHost." and "localhost" are the same name. */
static int
same_name(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);
	if (alen > 0 && a[alen - 1] == '.')
		alen--;
	if (blen > 0 && b[blen - 1] == '.')
		blen--;
	return alen == blen && alen > 0 && strncasecmp(a, b, alen) == 0;
}

/* Does the textual address tok (maybe with a %scope) equal sa's address? */
static int
same_addr(const char *tok, const struct sockaddr *sa)
{
	char buf[INET6_ADDRSTRLEN + 1];
	size_t len = strcspn(tok, "%");
	if (len >= sizeof buf)
		return 0;
	memcpy(buf, tok, len);
	buf[len] = '\0';
	if (sa->sa_family == AF_INET) {
		struct in_addr a;
		const struct sockaddr_in *s4 = (const void *)sa;
		return inet_pton(AF_INET, buf, &a) == 1 &&
		       memcmp(&a, &s4->sin_addr, sizeof a) == 0;
	}
	if (sa->sa_family == AF_INET6) {
		struct in6_addr a;
		const struct sockaddr_in6 *s6 = (const void *)sa;
		return inet_pton(AF_INET6, buf, &a) == 1 &&
		       memcmp(&a, &s6->sin6_addr, sizeof a) == 0;
	}
	return 0;
}

/* Does the line (cut by strtok_r) list name for the address it begins with?
 * *addr is that address token. */
static int
line_lists(char *line, const char *name, const char **addr)
{
	char *save = NULL;
	line[strcspn(line, "#")] = '\0';
	*addr = strtok_r(line, " \t\r\n", &save);
	if (!*addr)
		return 0;
	const char *tok;
	while ((tok = strtok_r(NULL, " \t\r\n", &save)))
		if (same_name(tok, strlen(tok), name))
			return 1;
	return 0;
}

void
nk_hosts_mark(const char *path, const char *name, nk_addr *v, size_t n)
{
	/* Read once for all of a name's addresses, not once per address. */
	FILE *f = fopen(path ? path : "/etc/hosts", "re");
	if (!f)
		return;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) >= 0) {
		const char *addr;
		if (!line_lists(line, name, &addr))
			continue;
		for (size_t i = 0; i < n; i++)
			if (v[i].source == NK_ADDR_DNS &&
			    same_addr(addr, (const struct sockaddr *)&v[i].sa))
				v[i].source = NK_ADDR_HOSTS;
	}
	free(line);
	fclose(f);
}
