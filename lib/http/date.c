/* date.c: dates as curl reads and writes them (its curl_getdate, for -z,
 * Last-Modified and -R): the three HTTP-date forms of RFC 9110 §5.6.7
 * and the free forms curl takes, in any order; and the IMF-fixdate an
 * If-Modified-Since carries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "nk/http.h"
#include "core/internal.h"

static const char wkdays[7][10] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
	"Sunday" };
static const char months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec" };

/* Time zone names and their offsets west of GMT in minutes, curl's
 * table: the names RFC 822 lists, common ones, and the military letters
 * (with the signs military use gives them, as curl has). */
static const struct {
	char name[5];
	short west;
} zones[] = {
	{ "GMT", 0 }, { "UT", 0 }, { "UTC", 0 }, { "WET", 0 },
	{ "BST", -60 }, { "WAT", 60 }, { "AST", 240 }, { "ADT", 180 },
	{ "EST", 300 }, { "EDT", 240 }, { "CST", 360 }, { "CDT", 300 },
	{ "MST", 420 }, { "MDT", 360 }, { "PST", 480 }, { "PDT", 420 },
	{ "YST", 540 }, { "YDT", 480 }, { "HST", 600 }, { "HDT", 540 },
	{ "CAT", 600 }, { "AHST", 600 }, { "NT", 660 }, { "IDLW", 720 },
	{ "CET", -60 }, { "MET", -60 }, { "MEWT", -60 }, { "MEST", -120 },
	{ "CEST", -120 }, { "MESZ", -120 }, { "FWT", -60 }, { "FST", -120 },
	{ "EET", -120 }, { "WAST", -420 }, { "WADT", -480 }, { "CCT", -480 },
	{ "JST", -540 }, { "EAST", -600 }, { "EADT", -660 }, { "GST", -600 },
	{ "NZT", -720 }, { "NZST", -720 }, { "NZDT", -780 }, { "IDLE", -720 },
	{ "A", 60 }, { "B", 120 }, { "C", 180 }, { "D", 240 }, { "E", 300 },
	{ "F", 360 }, { "G", 420 }, { "H", 480 }, { "I", 540 }, { "K", 600 },
	{ "L", 660 }, { "M", 720 }, { "N", -60 }, { "O", -120 }, { "P", -180 },
	{ "Q", -240 }, { "R", -300 }, { "S", -360 }, { "T", -420 },
	{ "U", -480 }, { "V", -540 }, { "W", -600 }, { "X", -660 },
	{ "Y", -720 }, { "Z", 0 },
};

static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A weekday: three letters or the whole name. */
static int
is_wkday(const char *s, size_t n)
{
	for (int i = 0; i < 7; i++)
		if (n == 3 ? strncasecmp(s, wkdays[i], 3) == 0
		    : n == strlen(wkdays[i]) && strncasecmp(s, wkdays[i], n) == 0)
			return 1;
	return 0;
}

static int
month_of(const char *s, size_t n)
{
	for (int i = 0; n == 3 && i < 12; i++)
		if (strncasecmp(s, months[i], 3) == 0)
			return i;
	return -1;
}

/* The zone's offset to add to its local time, in seconds, or -1 (no
 * zone is exactly one second east). */
static long
zone_of(const char *s, size_t n)
{
	for (size_t i = 0; i < NK_ARRAY_LEN(zones); i++)
		if (n == strlen(zones[i].name) &&
		    strncasecmp(s, zones[i].name, n) == 0)
			return zones[i].west * 60L;
	return -1;
}

/* What is known so far; -1: not yet. */
struct when {
	int wday, mon, mday, year, hour, min, sec;
	long tz;
	int next_year;           /* a lone number is a year next, not a day */
};

static int
take_name(struct when *w, const char *s, size_t n)
{
	if (w->wday < 0 && is_wkday(s, n)) {
		w->wday = 1;
		return 0;
	}
	if (w->mon < 0 && (w->mon = month_of(s, n)) >= 0)
		return 0;
	if (w->tz == -1 && (w->tz = zone_of(s, n)) != -1)
		return 0;
	return -1;
}

/* A number that is not a time: a zone (+HHMM after a sign), YYYYMMDD,
 * the day, the year, as curl tells them apart. */
static int
take_number(struct when *w, const char *start, const char *s, long v,
            size_t n)
{
	int found = 0;
	if (w->tz == -1 && n == 4 && v <= 1400 && s > start &&
	    (s[-1] == '+' || s[-1] == '-')) {
		long off = (v / 100 * 60 + v % 100) * 60;
		w->tz = s[-1] == '+' ? -off : off;
		found = 1;
	}
	if (n == 8 && w->year < 0 && w->mon < 0 && w->mday < 0) {
		w->year = (int)(v / 10000);
		w->mon = (int)(v % 10000 / 100 - 1);
		w->mday = (int)(v % 100);
		found = 1;
	}
	if (!found && !w->next_year && w->mday < 0) {
		if (v > 0 && v < 32) {
			w->mday = (int)v;
			found = 1;
		}
		w->next_year = 1;
	}
	if (!found && w->next_year && w->year < 0) {
		w->year = (int)(v < 100 ? v > 70 ? v + 1900 : v + 2000 : v);
		found = 1;
		if (w->mday < 0)
			w->next_year = 0;
	}
	return found ? 0 : -1;
}

/* One or two digits at *p, as sscanf's %02d reads them here; -1 if
 * none. */
static int
two_digits(const char **p)
{
	const char *s = *p;
	if (!is_digit(*s))
		return -1;
	int v = *s++ - '0';
	if (is_digit(*s))
		v = v * 10 + (*s++ - '0');
	*p = s;
	return v;
}

/* HH:MM:SS or HH:MM at s (at most two digits each, as curl reads them);
 * its length, or 0. */
static size_t
take_time(struct when *w, const char *s)
{
	const char *p = s;
	int h = two_digits(&p), m = -1, sec = 0;
	if (h >= 0 && *p == ':') {
		p++;
		m = two_digits(&p);
	}
	if (m < 0)
		return 0;
	if (*p == ':' && is_digit(p[1])) {
		p++;
		sec = two_digits(&p);
	}
	w->hour = h, w->min = m, w->sec = sec;
	return (size_t)(p - s);
}

static int
take_parts(struct when *w, const char *date)
{
	const char *p = date;
	for (int part = 0; *p && part < 6; part++) {
		while (*p && !is_alpha(*p) && !is_digit(*p))
			p++;
		if (is_alpha(*p)) {
			size_t n = 0;
			while (is_alpha(p[n]))
				n++;
			if (n > 31 || take_name(w, p, n))
				return -1;
			p += n;
		} else if (is_digit(*p)) {
			size_t n = w->sec < 0 ? take_time(w, p) : 0;
			if (n) {
				p += n;
				continue;
			}
			char *end;
			long v = strtol(p, &end, 10);
			if (end - p > 9 ||
			    take_number(w, date, p, v, (size_t)(end - p)))
				return -1;
			p = end;
		}
	}
	return 0;
}

int64_t
nk_http_date_parse(const char *date)
{
	struct when w = { -1, -1, -1, -1, -1, -1, -1, -1, 0 };
	if (take_parts(&w, date))
		return -1;
	if (w.sec < 0)
		w.hour = w.min = w.sec = 0;
	if (w.mday < 0 || w.mon < 0 || w.year < 1583 || w.mday > 31 ||
	    w.mon > 11 || w.hour > 23 || w.min > 59 || w.sec > 60)
		return -1;
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = w.year - 1900;
	tm.tm_mon = w.mon;
	tm.tm_mday = w.mday;
	tm.tm_hour = w.hour;
	tm.tm_min = w.min;
	tm.tm_sec = w.sec;
	int64_t t = (int64_t)timegm(&tm);
	/* curl's answer for a time before 1970 is an error too. */
	t += w.tz == -1 ? 0 : w.tz;
	return t < 0 ? -1 : t;
}

void
nk_http_date_format(int64_t t, char out[NK_HTTP_DATE_LEN])
{
	static const char wk[7][4] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm))
		memset(&tm, 0, sizeof tm);
	snprintf(out, NK_HTTP_DATE_LEN, "%.3s, %02d %.3s %4d %02d:%02d:%02d GMT",
	         wk[(unsigned)tm.tm_wday % 7u], tm.tm_mday,
	         months[(unsigned)tm.tm_mon % 12u],
	         tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}
