/* libnk conn: one byte-stream interface over plain TCP and TLS, so http,
 * telnet and echo do not care which they talk through.
 *
 * A conn owns its socket (and TLS state); nk_conn_free closes both. A conn is
 * used by one thread at a time. Blocking calls wait until their deadline
 * (nk/time.h); the try_ calls never block and report what they wait for. */
#ifndef NK_CONN_H
#define NK_CONN_H

#include <sys/socket.h>
#include "nk/defs.h"
#include "nk/err.h"
#include "nk/time.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nk_conn nk_conn;

/* What a try_ call waits for before it can make progress: poll() events. */
#define NK_WANT_READ  0x1   /* POLLIN on nk_conn_fd() */
#define NK_WANT_WRITE 0x4   /* POLLOUT on nk_conn_fd() */

/* Wraps a connected stream socket (non-blocking mode is set here). Takes
 * ownership of fd, also on failure. Errors: NK_ERR_OUT_OF_MEMORY. */
NK_API nk_err nk_conn_from_fd(int fd, nk_conn **out, char *errmsg);

/* Reads 1..len bytes; *n = 0 means the peer closed its side in order (FIN,
 * or a TLS close_notify). Blocks until data, EOF or the deadline.
 * Errors: NK_ERR_OPERATION_TIMEDOUT, NK_ERR_RECV_ERROR. */
NK_API nk_err nk_conn_read(nk_conn *c, void *buf, size_t len, nk_time deadline,
                           size_t *n, char *errmsg);

/* Writes all len bytes. Errors: NK_ERR_OPERATION_TIMEDOUT,
 * NK_ERR_SEND_ERROR (the peer reset or closed: never a SIGPIPE). */
NK_API nk_err nk_conn_write(nk_conn *c, const void *buf, size_t len,
                            nk_time deadline, char *errmsg);

/* Half-close: ends our direction (TLS close_notify, then TCP FIN) while the
 * peer's direction stays readable. Errors as nk_conn_write. */
NK_API nk_err nk_conn_shutdown(nk_conn *c, nk_time deadline, char *errmsg);

/* Non-blocking read: NK_OK with *n > 0 for data, *n = 0 and *want = 0 for
 * EOF, or *n = 0 and *want set (NK_WANT_READ/WRITE) when it would block. */
NK_API nk_err nk_conn_try_read(nk_conn *c, void *buf, size_t len, size_t *n,
                               int *want, char *errmsg);

/* Non-blocking write: *n bytes were taken (maybe fewer than len); when *n is
 * 0, *want says what to wait for. */
NK_API nk_err nk_conn_try_write(nk_conn *c, const void *buf, size_t len,
                                size_t *n, int *want, char *errmsg);

/* Whether nk_conn_splice can move this conn's bytes: plain TCP, not TLS
 * (whose bytes must be decrypted in user space). */
NK_API int nk_conn_can_splice(const nk_conn *c);

/* Moves 1..len bytes from the conn to the descriptor `out` without copying
 * them through user space (splice(2), through a pipe the conn keeps unless
 * out is a pipe itself). Blocks as nk_conn_read until data arrives, the
 * peer closes (*n = 0) or the deadline; writing to out blocks as write(2)
 * does. Where out does not take splice (a file opened O_APPEND, a
 * terminal, some file systems) the bytes are written from a buffer
 * instead: they are never lost. `name` names out in messages.
 * Errors: NK_ERR_OPERATION_TIMEDOUT, NK_ERR_RECV_ERROR,
 * NK_ERR_WRITE_ERROR ("writing to NAME: <errno text>"),
 * NK_ERR_FAILED_INIT for a conn that cannot splice. */
NK_API nk_err nk_conn_splice(nk_conn *c, int out, const char *name,
                             size_t len, nk_time deadline, size_t *n,
                             char *errmsg);

/* Bytes already read from the socket and readable without waiting (TLS
 * records decrypted ahead); poll() on the fd does not see them. */
NK_API size_t nk_conn_pending(const nk_conn *c);

/* The socket, for poll(). Still owned by the conn. */
NK_API int nk_conn_fd(const nk_conn *c);

/* The peer's address and its printable form ("127.0.0.1", "::1"). */
NK_API const struct sockaddr *nk_conn_peer(const nk_conn *c, socklen_t *len);
NK_API const char *nk_conn_peer_str(const nk_conn *c);
NK_API int nk_conn_peer_port(const nk_conn *c);

/* Our end of the connection, the same way ("?" and port 0 if the system
 * would not say). */
NK_API const struct sockaddr *nk_conn_local(const nk_conn *c, socklen_t *len);
NK_API const char *nk_conn_local_str(const nk_conn *c);
NK_API int nk_conn_local_port(const nk_conn *c);

/* Bytes through the conn so far (application bytes, not TLS overhead). */
NK_API uint64_t nk_conn_bytes_in(const nk_conn *c);
NK_API uint64_t nk_conn_bytes_out(const nk_conn *c);

/* Closes and frees; NULL is a no-op. */
NK_API void nk_conn_free(nk_conn *c);

#ifdef __cplusplus
}
#endif

#endif
