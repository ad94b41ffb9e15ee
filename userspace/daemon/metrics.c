// SPDX-License-Identifier: GPL-2.0
/*
 * The node_exporter textfile collector file (metrics_file): kabiguard's
 * counters in the Prometheus text format, where the node_exporter a
 * fleet already runs picks them up (Debian's prometheus-node-exporter
 * reads the .prom files of /var/lib/prometheus/node-exporter).
 *
 * The collector may read the file at any moment, so it is replaced
 * atomically: written to a temporary file in the same directory (a name
 * not ending in .prom, which the collector ignores), fsync'ed, made
 * readable by all (node_exporter runs as its own user), renamed over the
 * old one, and the directory fsync'ed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "kabiguardd.h"

/* One metric's HELP and TYPE lines. */
static int kgd_mx_head(struct kgc_strbuf *b, const char *name,
		       const char *type, const char *help)
{
	return kgc_strbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help,
			     name, type);
}

static int kgd_mx_u64(struct kgc_strbuf *b, const char *name,
		      const char *type, const char *help, uint64_t v)
{
	return kgd_mx_head(b, name, type, help) ?:
	       kgc_strbuf_printf(b, "%s %llu\n", name, (unsigned long long)v);
}

int kgd_metrics_format(struct kgc_strbuf *b, const struct kgd_metrics *m)
{
	const struct kgc_status *st = &m->st;
	static const enum kabiguard_mode modes[] = {
		KABIGUARD_MODE_OFF, KABIGUARD_MODE_AUDIT,
		KABIGUARD_MODE_ENFORCE,
	};
	size_t i;
	int ret = 0;

	if (m->have_status) {
		ret = kgd_mx_head(b, "kabiguard_loads_total", "counter",
				  "Module loads kabiguard.ko checked since it "
				  "was loaded, by verdict.");
		ret = ret ?: kgc_strbuf_printf(b,
			"kabiguard_loads_total{verdict=\"allowed\"} %llu\n"
			"kabiguard_loads_total{verdict=\"audited\"} %llu\n"
			"kabiguard_loads_total{verdict=\"denied\"} %llu\n",
			(unsigned long long)st->allowed,
			(unsigned long long)st->audited,
			(unsigned long long)st->denied);
		ret = ret ?: kgd_mx_u64(b, "kabiguard_violations_total",
			"counter", "Imports no rule allowed, over all checked "
			"loads.", st->violations);
		ret = ret ?: kgd_mx_u64(b, "kabiguard_ring_overflow_total",
			"counter", "Verdict events that left the kernel's ring "
			"before a reader had them.", st->ring_overflow);
		ret = ret ?: kgd_mx_u64(b, "kabiguard_policy_generation",
			"gauge", "Generation of the active policy (0: none "
			"committed).", st->generation);
		ret = ret ?: kgd_mx_u64(b, "kabiguard_policy_rules", "gauge",
			"Rules in the active policy.", st->nr_rules);
		ret = ret ?: kgd_mx_u64(b, "kabiguard_locked", "gauge",
			"1 when policy and mode are locked until reboot.",
			st->locked);
		ret = ret ?: kgd_mx_head(b, "kabiguard_mode", "gauge",
			"1 for the guard's current mode, 0 for the others.");
		for (i = 0; i < sizeof(modes) / sizeof(modes[0]) && !ret; i++)
			ret = kgc_strbuf_printf(b, "kabiguard_mode{mode=\"%s\"} %d\n",
					    kgc_mode_name(modes[i]),
					    st->mode == modes[i]);
		ret = ret ?: kgd_mx_u64(b, "kabiguard_daemon_lag_events",
			"gauge", "Verdict events the kernel had numbered and "
			"kabiguardd had not yet written when this file was "
			"written.", st->ring_next > m->last_seq + 1 ?
			st->ring_next - m->last_seq - 1 : 0);
	}
	ret = ret ?: kgd_mx_u64(b, "kabiguard_daemon_events_written_total",
		"counter", "Verdict events kabiguardd wrote since it started.",
		m->written);
	ret = ret ?: kgd_mx_u64(b, "kabiguard_daemon_events_lost_total",
		"counter", "Verdict events that left the kernel's ring before "
		"kabiguardd read them, since it started.", m->lost);
	ret = ret ?: kgd_mx_u64(b, "kabiguard_daemon_last_seq", "gauge",
		"Sequence number of the last verdict event written.",
		m->last_seq);
	ret = ret ?: kgd_mx_head(b, "kabiguard_daemon_lag_seconds", "gauge",
		"Longest time from a verdict to its event on disk, in the "
		"last batch kabiguardd wrote.");
	ret = ret ?: kgc_strbuf_printf(b, "kabiguard_daemon_lag_seconds %.6f\n",
				   m->lag_ns / 1e9);
	ret = ret ?: kgd_mx_head(b, "kabiguard_daemon_metrics_timestamp_seconds",
		"gauge", "When kabiguardd wrote this file (Unix time).");
	ret = ret ?: kgc_strbuf_printf(b, "kabiguard_daemon_metrics_timestamp_seconds "
				   "%.3f\n", m->time_ns / 1e9);
	return ret;
}

int kgd_metrics_write(const char *path, const struct kgd_metrics *m)
{
	struct kgc_strbuf b = { 0 };
	size_t len = strlen(path), off = 0;
	char *tmp = malloc(len + 8), *dup, *dir;
	int fd = -1, ret;

	if (!tmp)
		return -ENOMEM;
	ret = kgd_metrics_format(&b, m);
	if (ret)
		goto out;
	snprintf(tmp, len + 8, "%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	while (off < b.len) {
		ssize_t n = write(fd, b.s + off, b.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			goto unlink;
		}
		off += n;
	}
	if (fchmod(fd, 0644) || fsync(fd)) {
		ret = -errno;
		goto unlink;
	}
	ret = close(fd) ? -errno : 0;
	fd = -1;
	if (ret)
		goto unlink;
	if (rename(tmp, path)) {
		ret = -errno;
		goto unlink;
	}
	dup = strdup(path);
	if (dup) {
		dir = dirname(dup);
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			fsync(fd);
			close(fd);
		}
		fd = -1;
		free(dup);
	}
	goto out;
unlink:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	free(tmp);
	kgc_strbuf_free(&b);
	return ret;
}
