/* drain: waits for the peer to take the bytes still in our socket's send
 * queue, after it closed its side first (see drain.h). The queue's length
 * is SIOCOUTQ: for TCP the bytes not yet acknowledged (the FIN counts
 * one), for a Unix socket the bytes the peer has not read. A peer that
 * closes with our bytes unread resets the connection (TCP) or sets
 * ECONNRESET on our socket (Unix): either shows as a socket error.
 * drain_lost_msg then says how much input was lost. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/sockios.h>

#include "nk/time.h"
#include "drain.h"

/* How often the queue is looked at: the kernel says nothing when it
 * empties, only when it fails. */
#define DRAIN_TICK_MS 20

static int
sock_error(int fd)
{
	int e = 0;
	socklen_t len = sizeof e;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0)
		return errno;
	return e;
}

int
drain_wait(int fd, int sigfd, int64_t stall_ms, uint64_t *left, int *err)
{
	int last = -1;
	nk_time stall_at = nk_now() + stall_ms * 1000;

	*err = 0;
	*left = 0;
	for (;;) {
		int q = 0;
		/* Asked first: after a reset the queue still says how much
		 * was never acknowledged. */
		int asked = ioctl(fd, SIOCOUTQ, &q) == 0;
		*left = asked && q > 0 ? (uint64_t)q : 0;
		if ((*err = sock_error(fd)) != 0)
			return -1;
		/* No queue to ask about: nothing more to learn. */
		if (!asked || q <= 0)
			return 0;
		if (q != last) {
			last = q;
			stall_at = nk_now() + stall_ms * 1000;
		} else if (nk_now() >= stall_at) {
			return -1;
		}
		struct pollfd p[2] = { { fd, 0, 0 }, { sigfd, POLLIN, 0 } };
		int r = poll(p, 2, DRAIN_TICK_MS);
		if (r < 0 && errno != EINTR) {
			*err = errno;
			return -1;
		}
		if (r > 0 && p[1].revents)
			return 1;
	}
}

uint64_t
drain_lost_msg(char *msg, size_t size, const char *why, uint64_t unsent,
               int stdin_open)
{
	uint64_t n = unsent;
	int more = 0;
	struct stat st;
	if (stdin_open) {
		off_t at = lseek(STDIN_FILENO, 0, SEEK_CUR);
		int ready = 0;
		if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode) &&
		    at >= 0 && st.st_size >= at) {
			n += (uint64_t)(st.st_size - at);
		} else if (ioctl(STDIN_FILENO, FIONREAD, &ready) == 0 &&
		           ready > 0) {
			n += (uint64_t)ready;
			more = 1;
		}
	}
	if (n == 0)
		snprintf(msg, size, "%s", why);
	else
		snprintf(msg, size, "%s: %s%llu bytes of input not sent", why,
		         more ? "at least " : "", (unsigned long long)n);
	return n;
}
