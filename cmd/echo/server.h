/* server: nk echo --listen, the echo server. */
#ifndef NK_ECHO_SERVER_H
#define NK_ECHO_SERVER_H

/* Serves on spec ("[ADDR:]PORT", PORT 0 for any; family as nk_listen
 * takes it) until SIGINT or SIGTERM, after printing each address it
 * listens on. verbose: connects and disconnects on stderr. Returns the
 * exit status: 0 after a stop signal, 2 for a bad spec, else the
 * failure's code, said on stderr. */
int serve(const char *spec, int family, int verbose, long max_clients);

#endif
