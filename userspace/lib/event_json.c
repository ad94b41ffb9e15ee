// SPDX-License-Identifier: GPL-2.0
/*
 * One verdict event as one line of JSON: kabiguardd's log and syslog
 * lines, `kabiguardctl monitor --json` and `kabiguardctl events --json`
 * all print this, so a line means the same wherever it was read. Member
 * names are those `kabiguardctl policy generate --audit` reads back
 * (audit_log_parse.c): module, verdict, violations[].symbol/namespace/exporter/
 * reason/kernel_crc.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attr_table.h"
#include "kgclient.h"

const char *kgc_event_kind_name(enum kabiguard_event_kind k)
{
	switch (k) {
	case KABIGUARD_EVENT_LOAD:	return "load";
	case KABIGUARD_EVENT_SCAN:	return "scan";
	default:			return "unknown";
	}
}

void kgc_taint_letters(uint64_t taints, char *buf, size_t len)
{
	/* kernel/panic.c taint_flags[], by bit number. */
	static const char letters[] = "PFSRMBUDAWCIOELKXTNJ";
	size_t n = 0;
	unsigned int i;

	if (!len)
		return;
	for (i = 0; i < 64 && n + 1 < len; i++) {
		if (!(taints & (1ULL << i)))
			continue;
		buf[n++] = i < sizeof(letters) - 1 ? letters[i] : '?';
	}
	buf[n] = '\0';
}

/* "2026-11-23T10:00:00.123456789Z" */
void kgc_iso8601(uint64_t ns, char *buf, size_t len)
{
	time_t sec = ns / 1000000000ULL;
	struct tm tm;
	size_t n;

	if (!gmtime_r(&sec, &tm)) {
		snprintf(buf, len, "?");
		return;
	}
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%09lluZ",
		 (unsigned long long)(ns % 1000000000ULL));
}

/* Every member from the event's attribute table (event_fields.c), in
 * its order. */
int kgc_event_json(struct kgc_strbuf *b, const struct kgc_event *ev,
		   const struct kgc_event_json_ctx *x)
{
	size_t start = b->len;
	int ret;

	ret = kgc_strbuf_put(b, "{", 1);
	if (!ret)
		ret = kgc_fields_json(b, &kgc_event_attrs, ev, x, true);
	if (!ret)
		ret = kgc_strbuf_put(b, "}\n", 2);
	if (ret) {
		b->len = start;
		if (b->s)
			b->s[start] = '\0';
	}
	return ret;
}
