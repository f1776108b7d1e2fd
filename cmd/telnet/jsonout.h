/* jsonout: nk telnet --json, one JSON object a line: each -z check on
 * stdout, and a stream session's summary on stderr (stdout carries the
 * session's bytes). Field names follow nk resolve --json and nk tls
 * --json: host, port, address, exit_code, error {code, name, message} or
 * null, elapsed_ms. */
#ifndef NK_TELNET_JSONOUT_H
#define NK_TELNET_JSONOUT_H

#include <stdio.h>

#include "nk/conn.h"
#include "nk/err.h"
#include "nk/time.h"
#include "session.h"

/* One -z check: c the connection when it opened (else NULL, e and err
 * saying why), elapsed the time it took. */
void json_zero(FILE *out, const char *host, int port, const nk_conn *c,
               nk_err e, const char *err, nk_time elapsed, int exit_code);

/* A session's summary once session_run has returned exit_code; s->conn
 * is still open. */
void json_session(FILE *out, const struct session *s, int exit_code);

#endif
