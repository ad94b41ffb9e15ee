// SPDX-License-Identifier: GPL-2.0
/*
 * Where kabiguardd's events go once the follower (follower.c) picked
 * them: its I/O ops (the ring dump on the request socket, the batch to
 * the log file, then the journal or syslog, then the state file), the
 * metrics file and the statistics.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <sys/types.h>

#include "daemon.h"

uint64_t kgd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t kgd_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Resolves log_target: auto and an absent journal become syslog. */
void kgd_resolve_target(struct kgd *d)
{
	enum kgd_log_target t = d->cfg.log_target;

	if (t == KGD_LOG_AUTO)
		t = kgd_journal_running() ? KGD_LOG_JOURNAL : KGD_LOG_SYSLOG;
	if (t == KGD_LOG_JOURNAL && !kgd_journal_running()) {
		kgd_msg(LOG_WARNING, "log_target = journal, but journald does "
			"not run here: verdicts go to syslog");
		t = KGD_LOG_SYSLOG;
	}
	/* Called with nothing queued (start, SIGHUP after a flush). */
	kgd_batch_clear(&d->batch);
	d->target = t;
}

/* The metrics file, when configured: now if forced, else when due. */
void kgd_metrics(struct kgd *d, bool force)
{
	struct kgd_metrics m = { 0 };
	uint64_t now = kgd_now_ms();
	int ret;

	if (!d->cfg.metrics_file)
		return;
	if (!force && now < d->metrics_at_ms + (d->metrics_due ?
		KGD_METRICS_MIN_MS : KGD_METRICS_IDLE_MS))
		return;
	m.have_status = !kgc_cmd_get_status(d->req, &m.st);
	m.written = d->st.written;
	m.lost = d->fl.st.lost;
	m.last_seq = d->fl.last_written;
	m.lag_ns = d->st.batch_lat_ns;
	m.time_ns = kgd_real_ns();
	ret = kgd_metrics_write(d->cfg.metrics_file, &m);
	if (ret == -ENOENT) {
		kgd_mkdir_parent(d->cfg.metrics_file);
		ret = kgd_metrics_write(d->cfg.metrics_file, &m);
	}
	if (ret && (force || !d->metrics_at_ms))
		kgd_msg(LOG_ERR, "%s: cannot write the metrics: %s",
			d->cfg.metrics_file, strerror(-ret));
	d->metrics_at_ms = now;
	d->metrics_due = false;
}

static void kgd_state_advance(struct kgd *d, uint64_t last)
{
	struct kgd_state s = { .last_seq = last };
	int ret;

	if (!d->cfg.state_file)
		return;
	snprintf(s.boot_id, sizeof(s.boot_id), "%s", d->boot_id);
	ret = kgd_state_write(d->cfg.state_file, &s);
	if (ret == -ENOENT) {
		kgd_mkdir_parent(d->cfg.state_file);
		ret = kgd_state_write(d->cfg.state_file, &s);
	}
	if (ret)
		kgd_msg(LOG_ERR, "%s: cannot write the state: %s",
			d->cfg.state_file, strerror(-ret));
}

/* --- the follower's I/O (follower.h) */

static int kgd_op_dump(void *arg, uint64_t from, kgc_event_cb cb, void *cbarg)
{
	struct kgd *d = arg;

	return kgc_cmd_events_get(d->req, from, cb, cbarg);
}

static const char *kgd_op_extack(void *arg)
{
	struct kgd *d = arg;

	return kgc_extack(d->req);
}

static int kgd_op_queue(void *arg, const struct kgc_event *ev)
{
	struct kgd *d = arg;

	return kgd_batch_add(&d->batch, ev, &d->jx, d->target);
}

static void kgd_op_drop(void *arg)
{
	struct kgd *d = arg;

	kgd_batch_clear(&d->batch);
}

static uint64_t kgd_op_now_ms(void *arg)
{
	(void)arg;
	return kgd_now_ms();
}

/*
 * Writes the batch: log file (one write, then fdatasync), syslog, state.
 * On a failed write the file is cut back to where it was; the follower
 * drops the batch and dumps it from the ring again after KGD_RETRY_MS.
 */
static int kgd_op_write(void *arg, size_t nr, uint64_t first, uint64_t last)
{
	struct kgd *d = arg;
	uint64_t now;
	off_t start;
	size_t i;
	int ret, cut;

	if (d->log_fd >= 0) {
		ret = kgd_log_append(d->log_fd, d->batch.lines.s,
				     d->batch.lines.len, &start);
		if (ret) {
			kgd_msg(LOG_ERR, "%s: cannot write %zu events (seq "
				"%" PRIu64 "-%" PRIu64 "): %s; retrying from "
				"the kernel's ring in %d s", d->cfg.log_file,
				nr, first, last, strerror(-ret),
				KGD_RETRY_MS / 1000);
			cut = kgd_log_cut_back(d->log_fd, start);
			if (cut)
				kgd_msg(LOG_ERR, "%s: cannot cut back a partly "
					"written batch: %s", d->cfg.log_file,
					strerror(-cut));
			return ret;
		}
	}
	kgd_batch_send(&d->batch, d->target, &d->journal_failed);
	now = kgd_real_ns();
	d->st.batch_lat_ns = 0;
	for (i = 0; i < d->batch.nr; i++) {
		uint64_t t = d->batch.line[i].time_ns;
		uint64_t lat = now > t ? now - t : 0;

		if (!d->st.first_event_ns || (t && t < d->st.first_event_ns))
			d->st.first_event_ns = t;
		d->st.lat_sum_ns += lat;
		if (lat > d->st.lat_max_ns)
			d->st.lat_max_ns = lat;
		if (lat > d->st.batch_lat_ns)
			d->st.batch_lat_ns = lat;
	}
	d->st.last_write_ns = now;
	d->st.written += d->batch.nr;
	d->st.batches++;
	kgd_batch_clear(&d->batch);
	d->metrics_due = true;
	kgd_state_advance(d, last);
	return 0;
}

const struct kgd_follower_ops kgd_output_ops = {
	.dump = kgd_op_dump,
	.extack = kgd_op_extack,
	.queue = kgd_op_queue,
	.write = kgd_op_write,
	.drop = kgd_op_drop,
	.now_ms = kgd_op_now_ms,
};

void kgd_stats(struct kgd *d)
{
	char line[256] = "";
	FILE *f = fopen("/proc/self/status", "re");
	unsigned long rss = 0, hwm = 0;
	double secs = 0;

	if (f) {
		while (fgets(line, sizeof(line), f)) {
			sscanf(line, "VmRSS: %lu kB", &rss);
			sscanf(line, "VmHWM: %lu kB", &hwm);
		}
		fclose(f);
	}
	if (d->st.first_event_ns && d->st.last_write_ns > d->st.first_event_ns)
		secs = (d->st.last_write_ns - d->st.first_event_ns) / 1e9;
	kgd_msg(LOG_INFO, "stats: %" PRIu64 " events written in %" PRIu64
		" batches, last seq %" PRIu64 ", %" PRIu64 " duplicates "
		"skipped, %" PRIu64 " catch-ups (%" PRIu64 " ENOBUFS), %"
		PRIu64 " lost, %" PRIu64 " modules scanned; verdict to disk "
		"latency mean %.3f ms max %.3f ms; first verdict to last "
		"write %.3f s (%.0f events/s); RSS %lu kB, peak %lu kB",
		d->st.written, d->st.batches, d->fl.last_written, d->fl.st.dups,
		d->fl.st.catchups, d->fl.st.enobufs, d->fl.st.lost, d->st.scans,
		d->st.written ? d->st.lat_sum_ns / 1e6 / d->st.written : 0.0,
		d->st.lat_max_ns / 1e6, secs,
		secs > 0 ? d->st.written / secs : 0.0, rss, hwm);
}
