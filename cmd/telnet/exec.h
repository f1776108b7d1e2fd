/* exec: nk telnet --exec CMD, a program whose stdin and stdout are the
 * connection (ncat --sh-exec, socat EXEC:), in place of the session. */
#ifndef NK_TELNET_EXEC_H
#define NK_TELNET_EXEC_H

#include "nk/conn.h"

/* Runs `/bin/sh -c cmd` with its stdin and stdout on conn, and waits for
 * it: over plain TCP (or -U) the socket itself is the program's stdin and
 * stdout; over TLS nk relays between the conn and a pipe pair, closing
 * the program's stdin at the peer's EOF and sending close_notify and FIN
 * at the end of its output, which ends the relay. stderr stays nk's.
 * With verbose, says what runs and how it ended on stderr.
 *
 * Returns the program's exit status (128 + N when signal N ended it, as
 * the shell says), 126 when it could not be started (said on stderr), or
 * an nk exit status when the connection failed first (said on stderr;
 * the program's stdin and stdout are closed and it is still waited for).
 * The conn stays the caller's. */
int exec_run(nk_conn *conn, const char *cmd, int verbose);

#endif
