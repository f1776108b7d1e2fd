/* spawn: runs one command and reports what it cost, for bench/run.
 *
 *	spawn [-o OUT] [-e ERR] [-i IN] [-t SECS] -- PROG [ARG...]
 *
 * The child's stdin, stdout and stderr are IN, OUT and ERR (default
 * /dev/null each; OUT and ERR are created or truncated). The environment
 * is passed on unchanged. A child still running after SECS seconds
 * (default 60) is killed. When the child has ended, one line goes to
 * spawn's own stdout:
 *
 *	STATUS WALL_NS USER_US SYS_US MAXRSS_KIB
 *
 * STATUS is the exit status, or 128 + the signal number; 127 if PROG
 * could not be started. WALL_NS runs from just before the spawn to just
 * after wait4() returns; the rest is the child's rusage from wait4().
 *
 * Why a C launcher rather than Python's os.wait4: Linux records the RSS
 * high-water mark of the memory the child leaves behind at exec (the
 * parent's, after fork or vfork) into the child's ru_maxrss, so a 10 MiB
 * Python parent would hide any client smaller than itself. This launcher
 * is static and uses a few hundred KiB, which the "static empty program"
 * row of the table measures. Its start-up also stays out of the timing. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

extern char **environ;

static volatile sig_atomic_t expired;

static void
on_alarm(int sig)
{
	(void)sig;
	expired = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: spawn [-o OUT] [-e ERR] [-i IN] [-t SECS] -- "
	        "PROG [ARG...]\n");
	exit(2);
}

static long long
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long
tv_us(struct timeval tv)
{
	return (long)tv.tv_sec * 1000000L + (long)tv.tv_usec;
}

int
main(int argc, char **argv)
{
	const char *in = "/dev/null", *out = "/dev/null", *err = "/dev/null";
	unsigned secs = 60;
	int c;
	while ((c = getopt(argc, argv, "+o:e:i:t:")) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'e': err = optarg; break;
		case 'i': in = optarg; break;
		case 't': secs = (unsigned)strtoul(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (optind >= argc)
		usage();

	posix_spawn_file_actions_t fa;
	if (posix_spawn_file_actions_init(&fa) != 0 ||
	    posix_spawn_file_actions_addopen(&fa, 0, in, O_RDONLY, 0) != 0 ||
	    posix_spawn_file_actions_addopen(&fa, 1, out,
	                                     O_WRONLY | O_CREAT | O_TRUNC,
	                                     0644) != 0 ||
	    posix_spawn_file_actions_addopen(&fa, 2, err,
	                                     O_WRONLY | O_CREAT | O_TRUNC,
	                                     0644) != 0) {
		fprintf(stderr, "spawn: out of memory\n");
		return 2;
	}

	/* No SA_RESTART: the alarm must interrupt wait4. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);

	pid_t pid;
	long long t0 = now_ns();
	int e = posix_spawnp(&pid, argv[optind], &fa, NULL, argv + optind,
	                     environ);
	if (e != 0) {
		fprintf(stderr, "spawn: %s: %s\n", argv[optind], strerror(e));
		printf("127 0 0 0 0\n");
		return 0;
	}
	/* Repeating, so a signal that lands just before wait4 blocks is
	 * followed by another a second later. */
	struct itimerval it = { { 1, 0 }, { (time_t)secs, 0 } };
	setitimer(ITIMER_REAL, &it, NULL);
	int st;
	struct rusage ru;
	pid_t r;
	while ((r = wait4(pid, &st, 0, &ru)) < 0 && errno == EINTR) {
		if (expired) {
			fprintf(stderr, "spawn: %s: killed after %u s\n",
			        argv[optind], secs);
			kill(pid, SIGKILL);
		}
	}
	long long t1 = now_ns();
	if (r < 0) {
		fprintf(stderr, "spawn: wait4: %s\n", strerror(errno));
		return 2;
	}
	int status = WIFEXITED(st) ? WEXITSTATUS(st)
	             : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
	printf("%d %lld %ld %ld %ld\n", status, t1 - t0, tv_us(ru.ru_utime),
	       tv_us(ru.ru_stime), ru.ru_maxrss);
	posix_spawn_file_actions_destroy(&fa);
	return 0;
}
