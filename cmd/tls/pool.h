/* pool: nk tls's one bounded worker pool, for --probe's handshakes and
 * a fleet's targets alike. */
#ifndef NK_TLS_POOL_H
#define NK_TLS_POOL_H

#include <stddef.h>

/* Calls run(ctx, i) once for each i in [0, n), at most `threads` at a
 * time, and returns when all have returned. Each index is taken once,
 * in order, by the next free worker. The calling thread is one of the
 * workers, so a system that refuses threads (or memory for them) still
 * runs every job, one after another. stop(ctx), when given, is asked
 * before each job: once it says so the jobs not begun are skipped, not
 * waited for. run and stop must be safe to call from several threads. */
void pool_run(size_t n, size_t threads, void (*run)(void *ctx, size_t i),
              int (*stop)(void *ctx), void *ctx);

#endif
