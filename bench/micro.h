/* micro.h: the timing loop shared by the bench/micro_*.c programs.
 *
 * A workload is a function that does one pass over its input and returns
 * how many units (URLs, bytes) it handled. micro_run() calibrates how many
 * passes make one sample (about 100 ms; 10 ms with quick set), takes
 * several samples and prints one tab-separated line that bench/run reads:
 *
 *	micro NAME UNIT MEDIAN MIN MAX NOTE
 *
 * where MEDIAN, MIN and MAX are units per second over the samples (their
 * spread shows how much the machine drifted while measuring). */
#ifndef NK_BENCH_MICRO_H
#define NK_BENCH_MICRO_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef double (*micro_fn)(void *arg);

static inline double
micro_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int
micro_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Measures fn and prints its line; returns the median rate. `scale`
 * divides the rates (1 for units/s, 1048576 for MiB/s). */
static inline double
micro_run(const char *name, const char *unit, double scale, const char *note,
          micro_fn fn, void *arg, int quick)
{
	double target = quick ? 0.01 : 0.1;
	enum { MAX_SAMPLES = 15 };
	int nsamples = quick ? 3 : MAX_SAMPLES;
	double rates[MAX_SAMPLES];

	/* Warm the caches and the branch predictors before calibrating. */
	fn(arg);
	long passes = 1;
	for (;;) {
		double t0 = micro_now();
		for (long i = 0; i < passes; i++)
			fn(arg);
		double dt = micro_now() - t0;
		if (dt >= target / 2)
			break;
		passes *= 2;
	}
	for (int s = 0; s < nsamples; s++) {
		double units = 0;
		double t0 = micro_now();
		for (long i = 0; i < passes; i++)
			units += fn(arg);
		double dt = micro_now() - t0;
		rates[s] = units / dt / scale;
	}
	qsort(rates, (size_t)nsamples, sizeof rates[0], micro_cmp);
	double med = rates[nsamples / 2];
	printf("micro\t%s\t%s\t%.6g\t%.6g\t%.6g\t%s\n", name, unit, med,
	       rates[0], rates[nsamples - 1], note ? note : "");
	fflush(stdout);
	return med;
}

/* The common command line: [-q] (quick) then the program's arguments.
 * Returns the index of the first argument after the flags. */
static inline int
micro_args(int argc, char **argv, int *quick)
{
	int i = 1;
	*quick = 0;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-q") == 0) {
			*quick = 1;
		} else {
			fprintf(stderr, "%s: unknown option %s\n", argv[0],
			        argv[i]);
			exit(2);
		}
	}
	return i;
}

#endif
