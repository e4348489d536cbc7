// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas-vmm's messages, on stderr: progress lines stamped with the seconds
 * since the VMM started ("vas-vmm: [  4.330] guest running"), unless -q,
 * and warnings and errors ("vas-vmm: error: ..."), always. Every other
 * file reports through these; this one depends on none of them.
 */
#include <stdarg.h>
#include <stdio.h>

#include "vas-vmm.h"

static bool quiet;

static struct timespec log_start;

/* Progress lines count from @start; none at all if @be_quiet */
void log_init(const struct timespec *start, bool be_quiet)
{
	log_start = *start;
	quiet = be_quiet;
}

double elapsed(const struct timespec *from, const struct timespec *to)
{
	return (to->tv_sec - from->tv_sec) +
	       (to->tv_nsec - from->tv_nsec) / 1e9;
}

static void vmsg(const char *kind, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, VMM_NAME ": %s%s\n", kind, buf);
}

/* Progress: "vas-vmm: [seconds since start] what" */
void info(const char *fmt, ...)
{
	struct timespec now;
	char prefix[32];
	va_list ap;

	if (quiet)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	snprintf(prefix, sizeof(prefix), "[%7.3f] ", elapsed(&log_start, &now));
	va_start(ap, fmt);
	vmsg(prefix, fmt, ap);
	va_end(ap);
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("error: ", fmt, ap);
	va_end(ap);
}
