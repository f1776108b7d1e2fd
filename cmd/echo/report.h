/* The client's report: the round-trip statistics, and --json's document
 * (report.c). */
#ifndef NK_ECHO_REPORT_H
#define NK_ECHO_REPORT_H

#include <stddef.h>

#include "nk/nk.h"

struct stats {
	unsigned long long sent, received, mismatched, bytes;
	double min, max, sum, sum2;   /* round trips, in ms */
};

/* The mean and the mean deviation of the round trips (0 without any). */
void stats_rtt(const struct stats *s, double *avg, double *mdev);

/* --json: one JSON object on standard output, written as the run goes so
 * that every mismatch is in it without keeping them in memory. Begins
 * with the host and port asked for, and the peer's address and the
 * connect time when c is not NULL. */
void json_begin(const char *host, int port, const nk_conn *c,
                double connect_ms);

/* A message whose echo differed: its first differing byte. */
void json_mismatch(unsigned long long seq, size_t len, size_t at,
                   unsigned sent, unsigned got, double ms);

/* Ends the object with the statistics and the error (e, err) that ended
 * the run, or null. */
void json_end(const struct stats *s, double total_ms, nk_err e,
              const char *err);

#endif
