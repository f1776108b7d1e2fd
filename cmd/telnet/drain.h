/* drain: after the peer has closed its side first, whether what we wrote
 * since really reached it. A send() that succeeded only put the bytes in
 * our kernel; a peer that closed for good answers them with a reset, and
 * they are gone. */
#ifndef NK_TELNET_DRAIN_H
#define NK_TELNET_DRAIN_H

#include <stddef.h>
#include <stdint.h>

/* Waits until the peer has taken every byte written on the stream socket
 * fd (TCP: acknowledged, our FIN too; Unix: read), polling sigfd as well.
 * Returns 0 when it has; 1 when sigfd became readable first (the caller
 * reads it and may call again); -1 when the socket reports an error (set
 * in *err, e.g. ECONNRESET) or nothing moved for stall_ms (*err 0).
 * *left is then the number of bytes the peer has not taken. */
int drain_wait(int fd, int sigfd, int64_t stall_ms, uint64_t *left, int *err);

/* The one-line error for input the peer will not get: why, then how many
 * bytes: unsent (our queue and the kernel's) and, when stdin_open, what
 * standard input holds ready (the rest of a file; what a pipe has
 * buffered, "at least" as more may come). Just why when none is known
 * lost. Into msg, size bytes; returns the number of bytes. */
uint64_t drain_lost_msg(char *msg, size_t size, const char *why,
                        uint64_t unsent, int stdin_open);

#endif
