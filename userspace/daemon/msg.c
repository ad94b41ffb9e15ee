// SPDX-License-Identifier: GPL-2.0
/*
 * kabiguardd's own messages: stderr and syslog. Under systemd (stderr
 * connected to the journal, JOURNAL_STREAM set) with syslog on, only
 * syslog, so the journal does not get each message twice.
 */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "kabiguardd.h"

static bool kgd_to_stderr = true, kgd_to_syslog;

void kgd_msg_init(bool to_stderr, bool to_syslog)
{
	kgd_to_stderr = to_stderr;
	kgd_to_syslog = to_syslog;
}

void kgd_msg(int prio, const char *fmt, ...)
{
	static const char *const level[] = {
		[LOG_EMERG] = "error", [LOG_ALERT] = "error",
		[LOG_CRIT] = "error", [LOG_ERR] = "error",
		[LOG_WARNING] = "warning", [LOG_NOTICE] = "",
		[LOG_INFO] = "", [LOG_DEBUG] = "debug",
	};
	const char *lv = level[LOG_PRI(prio)];
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (kgd_to_stderr) {
		fprintf(stderr, "kabiguardd: %s%s%s\n", lv, *lv ? ": " : "",
			buf);
		fflush(stderr);
	}
	if (kgd_to_syslog)
		syslog(prio, "%s", buf);
}
