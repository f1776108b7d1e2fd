/* libnk netrc: credentials for a host from a .netrc file, read the way
 * curl 7.88 reads it (netrc(5) plus curl's quoting).
 *
 * Tokens are separated by blanks and line ends. A token that starts with
 * '#' ends the line. A token may be quoted ("a b"), with \" \\ \n \r \t
 * inside; a quote left open at the end of its line is a syntax error.
 * "machine NAME" (NAME compared without case) and "default" (any host)
 * start an entry; "login", "password" and "account" take a value;
 * "macdef NAME" skips the lines after it up to an empty line. Entries for
 * the host are read in order: a later one's login and password replace
 * an earlier one's, and the search stops at the end of the first
 * matching entry that gave a password (so `default` wins where it stands,
 * as in curl). With a login asked for, only a password given after that
 * login in a matching entry counts.
 *
 * Errors: NK_ERR_READ_ERROR for a syntax error (curl exits 26), errmsg
 * "netrc: REASON on line N"; NK_ERR_OUT_OF_MEMORY. */
#ifndef NK_NETRC_H
#define NK_NETRC_H

#include <stddef.h>
#include "nk/defs.h"
#include "nk/err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Looks host up in the netrc text (len bytes, NULs allowed). login: the
 * user name the URL gave, or NULL for any. On NK_OK, *user and *password
 * are malloc'd strings (caller frees) or NULL when the file has none for
 * the host; a login with no password gives "" as the password, and a
 * password with no login "" as the user. host NULL only checks the
 * syntax of the whole text. */
NK_API nk_err nk_netrc_find(const char *text, size_t len, const char *host,
                            const char *login, char **user, char **password,
                            char *errmsg);

/* nk_netrc_find on the contents of the file at path. A file that cannot
 * be read counts as empty (curl goes on without it): NK_OK, no
 * credentials. */
NK_API nk_err nk_netrc_lookup(const char *path, const char *host,
                              const char *login, char **user,
                              char **password, char *errmsg);

#ifdef __cplusplus
}
#endif

#endif
