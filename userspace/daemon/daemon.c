// SPDX-License-Identifier: GPL-2.0
/*
 * kabiguardd's loop: apply the policy, then write every verdict event to
 * the log file and syslog exactly once, in sequence order.
 *
 * Events come two ways. The multicast group is the low-latency path. The
 * kernel's ring (KABIGUARD_CMD_EVENTS_GET) is the lossless one: at start,
 * after ENOBUFS (the events socket overflowed) and whenever multicast
 * skips a sequence number, the daemon dumps the ring from the first
 * number it has not written. Every event is de-duplicated by sequence
 * number: nothing at or below the last one queued is written again.
 *
 * Durability: events are queued into a batch (everything already
 * received, at most KGD_BATCH_LINES lines), the batch is written with one
 * write(), then fdatasync(); only then are its lines sent to syslog, the
 * state file advanced (kgd_state_write(): atomic) and, at most every
 * KGD_DECLARE_MS, progress declared to the kernel by an EVENTS_GET from
 * the next number wanted (which also catches up whatever arrived
 * meanwhile). So the state never claims a line the disk does not hold; a
 * crash at any point loses no line and, because the log's last line is
 * read back at start (statefile.c), repeats none.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <netlink/socket.h>

#include "kabiguardd.h"

#define KGD_BATCH_LINES		512
#define KGD_DECLARE_MS		100
#define KGD_RETRY_MS		5000
/* The metrics file: at most every second, and every 30 s when idle. */
#define KGD_METRICS_MIN_MS	1000
#define KGD_METRICS_IDLE_MS	30000
/* Lines longer than this go to syslog without their violation list. */
#define KGD_SYSLOG_MAX		4096

struct kgd_stats {
	uint64_t written, batches, dups, catchups, enobufs, lost, scans;
	uint64_t first_event_ns, last_write_ns;
	uint64_t lat_sum_ns, lat_max_ns;
	uint64_t batch_lat_ns;		/* longest of the last batch */
};

struct kgd {
	const struct kgd_opts *o;
	struct kgd_config cfg;
	struct kg_client *ev;		/* events: multicast only */
	struct kg_client *req;		/* requests and dumps */
	struct kg_scanner *scanner;
	int sfd;			/* signalfd */
	int log_fd;			/* -1: no log file */
	char boot_id[40], host[256], kernel[128];
	struct kg_event_json_ctx jx;

	uint64_t last_written;		/* on disk (and in syslog) */
	uint64_t last_queued;		/* in pend */
	struct kg_strbuf pend;		/* lines not written yet */
	struct kg_strbuf pend_jr;	/* their journal records (journal.c) */
	enum kgd_log_target target;	/* log_target resolved: never AUTO */
	bool journal_failed;		/* said once */
	uint64_t metrics_at_ms;		/* last metrics file write */
	bool metrics_due;		/* events written since */
	size_t pend_lines;
	uint64_t *pend_times;		/* time_real_ns of each pending line */
	size_t pend_cap;
	bool in_dump;
	bool need_catchup;		/* ENOBUFS, a gap or a failed write */
	uint64_t retry_at_ms;		/* after a failed write: when to retry */
	uint64_t declared;		/* last seq declared to the kernel + 1 */
	uint64_t declared_at_ms;
	struct kgd_stats st;
};

static uint64_t kgd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t kgd_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* --- the log file */

/* mkdir -p of the directory holding path (first start, no systemd
 * LogsDirectory=/StateDirectory=). */
static void kgd_mkdir_parent(const char *path)
{
	char *dup = strdup(path), *dir, *p;

	if (!dup)
		return;
	dir = dirname(dup);
	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(dir, 0750) && errno != EEXIST)
			break;
		*p = c;
		if (!c)
			break;
	}
	free(dup);
}

static int kgd_log_open(const char *path)
{
	int fd;

	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0 && errno == ENOENT) {
		kgd_mkdir_parent(path);
		fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	}
	if (fd < 0) {
		kgd_msg(LOG_ERR, "%s: %s", path, strerror(errno));
		return -errno;
	}
	return fd;
}

/* --- batches */

static void kgd_syslog_line(const char *line, size_t len,
			    enum kabiguard_verdict v)
{
	int prio = v == KABIGUARD_VERDICT_ALLOWED ? LOG_INFO : LOG_WARNING;
	const char *viol;

	if (len <= KGD_SYSLOG_MAX) {
		syslog(prio, "%.*s", (int)len, line);
		return;
	}
	/* Syslog transports cut long datagrams: keep the line valid JSON. */
	viol = strstr(line, ",\"violations\":[");
	if (!viol) {
		syslog(prio, "%.*s", KGD_SYSLOG_MAX, line);
		return;
	}
	syslog(prio, "%.*s,\"violations\":[],\"violations_truncated\":true}",
	       (int)(viol - line), line);
}

static enum kabiguard_verdict kgd_line_verdict(const char *line)
{
	if (strstr(line, ",\"verdict\":\"denied\""))
		return KABIGUARD_VERDICT_DENIED;
	if (strstr(line, ",\"verdict\":\"audited\""))
		return KABIGUARD_VERDICT_AUDITED;
	return KABIGUARD_VERDICT_ALLOWED;
}

/*
 * The batch's lines to the journal or syslog, once they are on disk. A
 * journal that refuses a record (journald stopped) gets the line in
 * syslog instead.
 */
static void kgd_send_lines(struct kgd *d)
{
	const char *jr = d->pend_jr.s, *jend = jr + d->pend_jr.len;
	char *p, *end = d->pend.s + d->pend.len;
	int ret;

	if (d->target == KGD_LOG_NONE)
		return;
	for (p = d->pend.s; p && p < end;) {
		char *nl = memchr(p, '\n', end - p);
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (d->target == KGD_LOG_JOURNAL && jr && jr < jend) {
			const char *rend = memmem(jr, jend - jr, "\n\n", 2);
			size_t rlen = rend ? (size_t)(rend - jr) + 1 :
				      (size_t)(jend - jr);

			ret = kgd_journal_send(jr, rlen);
			jr += rlen + 1;
			if (!ret)
				goto next;
			if (!d->journal_failed)
				kgd_msg(LOG_ERR, "the journal refused a verdict "
					"entry: %s; sending to syslog until it "
					"takes one", strerror(-ret));
			d->journal_failed = true;
		}
		kgd_syslog_line(p, len, kgd_line_verdict(p));
		p += len + 1;
		continue;
next:
		if (d->journal_failed)
			kgd_msg(LOG_NOTICE, "the journal takes verdict entries "
				"again");
		d->journal_failed = false;
		p += len + 1;
	}
}

/* Resolves log_target: auto and an absent journal become syslog. */
static void kgd_resolve_target(struct kgd *d)
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
	d->pend_jr.len = 0;
	d->target = t;
}

/* The metrics file, when configured: now if forced, else when due. */
static void kgd_metrics(struct kgd *d, bool force)
{
	struct kgd_metrics m = { 0 };
	uint64_t now = kgd_now_ms();
	int ret;

	if (!d->cfg.metrics_file)
		return;
	if (!force && now < d->metrics_at_ms + (d->metrics_due ?
		KGD_METRICS_MIN_MS : KGD_METRICS_IDLE_MS))
		return;
	m.have_status = !kg_get_status(d->req, &m.st);
	m.written = d->st.written;
	m.lost = d->st.lost;
	m.last_seq = d->last_written;
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

static void kgd_state_advance(struct kgd *d)
{
	struct kgd_state s = { .last_seq = d->last_written };
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

/* Drops the batch: its events stay in the kernel's ring. */
static void kgd_drop_batch(struct kgd *d)
{
	d->pend.len = 0;
	if (d->pend.s)
		d->pend.s[0] = '\0';
	d->pend_jr.len = 0;
	d->pend_lines = 0;
	d->last_queued = d->last_written;
}

/*
 * Writes the batch: log file (one write, then fdatasync), syslog, state.
 * On a failed write the file is cut back to where it was and the batch
 * dropped; it is dumped from the ring again after KGD_RETRY_MS.
 */
static int kgd_flush(struct kgd *d)
{
	uint64_t now;
	struct stat st;
	size_t off = 0, i;
	int ret = 0;

	if (!d->pend_lines)
		return 0;
	if (d->log_fd >= 0) {
		off_t start = fstat(d->log_fd, &st) ? -1 : st.st_size;

		while (off < d->pend.len) {
			ssize_t n = write(d->log_fd, d->pend.s + off,
					  d->pend.len - off);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				ret = n < 0 ? -errno : -EIO;
				break;
			}
			off += n;
		}
		if (!ret && fdatasync(d->log_fd))
			ret = -errno;
		if (ret) {
			kgd_msg(LOG_ERR, "%s: cannot write %zu events (seq "
				"%" PRIu64 "-%" PRIu64 "): %s; retrying from "
				"the kernel's ring in %d s", d->cfg.log_file,
				d->pend_lines, d->last_written + 1,
				d->last_queued, strerror(-ret),
				KGD_RETRY_MS / 1000);
			if (start >= 0 && ftruncate(d->log_fd, start))
				kgd_msg(LOG_ERR, "%s: cannot cut back a partly "
					"written batch: %s", d->cfg.log_file,
					strerror(errno));
			kgd_drop_batch(d);
			d->need_catchup = true;
			d->retry_at_ms = kgd_now_ms() + KGD_RETRY_MS;
			return ret;
		}
	}
	kgd_send_lines(d);
	now = kgd_real_ns();
	d->st.batch_lat_ns = 0;
	for (i = 0; i < d->pend_lines; i++) {
		uint64_t t = d->pend_times[i];
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
	d->st.written += d->pend_lines;
	d->st.batches++;
	d->last_written = d->last_queued;
	d->pend.len = 0;
	d->pend_jr.len = 0;
	d->pend_lines = 0;
	d->metrics_due = true;
	kgd_state_advance(d);
	return 0;
}

static int kgd_catch_up(struct kgd *d);

/* Queues one event unless it was written or queued already. */
static int kgd_queue(struct kgd *d, const struct kg_event *ev)
{
	size_t plen;
	int ret;

	if (ev->seq && ev->seq <= d->last_queued) {
		d->st.dups++;
		return 0;
	}
	if (ev->seq > d->last_queued + 1 && !d->in_dump) {
		/* Multicast skipped some: the ring has them. */
		ret = kgd_catch_up(d);
		if (ret)
			return ret;
		if (ev->seq <= d->last_queued) {
			d->st.dups++;
			return 0;
		}
	}
	if (ev->seq > d->last_queued + 1 && d->last_queued) {
		d->st.lost += ev->seq - d->last_queued - 1;
		kgd_msg(LOG_ERR, "events %" PRIu64 "-%" PRIu64 " lost: they "
			"left the kernel's ring before kabiguardd could read "
			"them (raise kabiguard's ring_size)",
			d->last_queued + 1, ev->seq - 1);
	}
	if (d->pend_lines == d->pend_cap) {
		size_t cap = d->pend_cap ? 2 * d->pend_cap : 64;
		uint64_t *t = realloc(d->pend_times, cap * sizeof(*t));

		if (!t)
			return -ENOMEM;
		d->pend_times = t;
		d->pend_cap = cap;
	}
	plen = d->pend.len;
	ret = kg_event_json(&d->pend, ev, &d->jx);
	if (ret)
		return ret;
	if (d->target == KGD_LOG_JOURNAL) {
		size_t jlen = d->pend_jr.len;

		ret = kgd_journal_fields(&d->pend_jr, ev, &d->jx);
		if (ret) {
			/* Line and record go together, or neither. */
			d->pend_jr.len = jlen;
			d->pend.len = plen;
			d->pend.s[plen] = '\0';
			return ret;
		}
	}
	d->pend_times[d->pend_lines++] = ev->time_real_ns;
	if (ev->seq)
		d->last_queued = ev->seq;
	if (d->pend_lines >= KGD_BATCH_LINES)
		return kgd_flush(d);
	return 0;
}

static int kgd_dump_cb(const struct kg_event *ev, void *arg)
{
	return kgd_queue(arg, ev);
}

/* EVENTS_GET from the first seq not written: returns what it queued. */
static int kgd_dump(struct kgd *d, uint64_t *nr)
{
	uint64_t before = d->last_queued, from;
	int ret, tries = 0;

	/* What is queued must be on disk before the kernel hears we have
	 * it. */
	ret = kgd_flush(d);
	if (ret)
		return ret;
	do {
		from = d->last_written + 1;
		d->in_dump = true;
		ret = kg_events_dump(d->req, from, kgd_dump_cb, d);
		d->in_dump = false;
		/* A failed dump may have queued part: keep it, it is in
		 * order. */
	} while (ret == -EAGAIN && ++tries < 3);
	if (!ret) {
		d->declared = from;
		d->declared_at_ms = kgd_now_ms();
	}
	*nr = d->last_queued - before;
	return ret;
}

static int kgd_catch_up(struct kgd *d)
{
	uint64_t t0 = kgd_now_ms(), first = d->last_written + 1, nr;
	int ret;

	d->st.catchups++;
	d->need_catchup = false;
	ret = kgd_dump(d, &nr);
	if (ret) {
		kgd_msg(LOG_ERR, "reading the kernel's event ring: %s%s%s",
			strerror(-ret), *kg_extack(d->req) ? ": " : "",
			kg_extack(d->req));
		d->need_catchup = true;
		d->retry_at_ms = kgd_now_ms() + KGD_RETRY_MS;
		return ret;
	}
	ret = kgd_flush(d);
	if (nr)
		kgd_msg(LOG_INFO, "caught up %" PRIu64 " events (seq %" PRIu64
			"-%" PRIu64 ") from the kernel's ring in %" PRIu64
			" ms", nr, first, d->last_written,
			kgd_now_ms() - t0);
	return ret;
}

/* After a batch: tell the kernel what we have, at most every
 * KGD_DECLARE_MS; the dump also brings anything multicast has not yet. */
static int kgd_declare(struct kgd *d, bool force)
{
	uint64_t nr;
	int ret;

	if (d->declared == d->last_written + 1 ||
	    (!force && kgd_now_ms() < d->declared_at_ms + KGD_DECLARE_MS))
		return 0;
	ret = kgd_dump(d, &nr);
	if (!ret)
		ret = kgd_flush(d);
	return ret;
}

/* Reads every event waiting on the events socket. */
static int kgd_drain(struct kgd *d)
{
	struct kg_event ev;
	int ret;

	for (;;) {
		ret = kg_events_next(d->ev, &ev, 0);
		if (ret == 1) {
			ret = kgd_queue(d, &ev);
			kg_event_free(&ev);
			if (ret)
				return ret;
			continue;
		}
		if (ret == 0)
			return 0;
		if (ret == -ENOBUFS) {
			d->st.enobufs++;
			d->need_catchup = true;
			continue;
		}
		if (ret == -EBADMSG) {
			kgd_msg(LOG_WARNING, "skipped a malformed event message: %s",
				kg_extack(d->ev));
			continue;
		}
		if (ret == -EINTR)
			continue;
		kgd_msg(LOG_ERR, "reading events: %s", strerror(-ret));
		return ret;
	}
}

/* --- policy, mode, lock, retro scan */

static const char *kgd_policy_path(const struct kgd *d)
{
	return d->o->policy ? d->o->policy : d->cfg.policy_dir;
}

static int kgd_kernel_err(struct kgd *d, int err, const char *what)
{
	const char *x = kg_extack(d->req);
	struct kg_status st;
	bool locked = err == -EPERM && !kg_get_status(d->req, &st) &&
		      st.locked;

	kgd_msg(LOG_ERR, "%s: %s%s%s", what,
		locked ? "kabiguard is locked until reboot" :
		err == -EPERM ? "permission denied: needs CAP_SYS_MODULE" :
		strerror(-err), *x && !locked ? ": " : "", locked ? "" : x);
	return locked ? -EROFS : err;
}

static void kgd_retro_scan(struct kgd *d)
{
	struct kg_scan_report rep;
	size_t nr = 0, i, done = 0;
	char **names = NULL;
	int ret;

	if (!d->cfg.retro_scan)
		return;
	if (!d->scanner && kg_scanner_new(&d->scanner)) {
		kgd_msg(LOG_ERR, "retro scan: cannot start libkmod");
		return;
	}
	ret = kg_loaded_modules(&names, &nr);
	if (ret) {
		kgd_msg(LOG_ERR, "retro scan: /proc/modules: %s",
			strerror(-ret));
		return;
	}
	/* Oldest first, as they loaded. */
	for (i = nr; i-- > 0;) {
		ret = kg_scanner_scan(d->scanner, d->req, names[i], &rep);
		if (!ret) {
			done++;
			if (rep.changed)
				kgd_msg(LOG_WARNING, "retro scan: %s: %s has "
					"srcversion %s but the loaded module "
					"%s: the file changed since the load, "
					"its imports may not be the loaded "
					"ones", names[i], rep.path,
					rep.file_srcversion,
					rep.live_srcversion);
		} else if (ret == -ENOENT && !rep.path) {
			kgd_msg(LOG_INFO, "retro scan: %s", rep.err);
		} else {
			kgd_msg(LOG_WARNING, "retro scan: %s", rep.err);
		}
		kg_scan_report_free(&rep);
		free(names[i]);
		/* Scan events queue up on the events socket meanwhile. */
		if (kgd_drain(d) == 0)
			kgd_flush(d);
	}
	free(names);
	d->st.scans += done;
	kgd_msg(LOG_INFO, "retro scan: %zu of %zu loaded modules checked",
		done, nr);
}

/*
 * Reads the policy, commits it as one transaction, sets the mode, locks.
 * Returns 0, -EINVAL/-ENOENT (bad or missing policy files: nothing
 * changed), -EROFS (kabiguard locked: nothing changed) or another errno.
 */
static int kgd_apply(struct kgd *d)
{
	struct kg_policy p = { 0 };
	struct kg_status st;
	const char *path = kgd_policy_path(d);
	const struct kg_rule *bad;
	char err[1024];
	uint64_t gen = 0;
	size_t nr_files;
	int ret;

	ret = kgd_policy_read(path, &p, &nr_files, err, sizeof(err));
	if (ret) {
		if (!kg_get_status(d->req, &st) && st.generation)
			kgd_msg(LOG_ERR, "%s; policy not changed (generation "
				"%" PRIu64 " stays)", err, st.generation);
		else
			kgd_msg(LOG_ERR, "%s; no policy committed", err);
		kg_policy_free(&p);
		return ret;
	}
	ret = kg_policy_push(d->req, &p, &gen);
	if (ret) {
		bad = kg_bad_rule(d->req);
		if (bad && bad->file)
			snprintf(err, sizeof(err), "policy commit (rule from "
				 "%s:%u)", bad->file, bad->line);
		else
			snprintf(err, sizeof(err), "policy commit");
		kg_policy_free(&p);
		return kgd_kernel_err(d, ret, err);
	}
	kgd_msg(LOG_NOTICE, "policy generation %" PRIu64 " committed: %zu "
		"rules from %zu file%s in %s", gen, p.nr, nr_files,
		nr_files == 1 ? "" : "s", path);
	kg_policy_free(&p);

	ret = kg_get_status(d->req, &st);
	if (!ret && st.mode != d->cfg.mode) {
		ret = kg_set_mode(d->req, d->cfg.mode);
		if (ret)
			return kgd_kernel_err(d, ret, "setting the mode");
		kgd_msg(LOG_NOTICE, "mode %s", kg_mode_name(d->cfg.mode));
	}
	if (!ret && d->cfg.lock && !st.locked) {
		ret = kg_lock(d->req);
		if (ret)
			return kgd_kernel_err(d, ret, "lock");
		kgd_msg(LOG_NOTICE, "policy and mode locked until reboot");
	}
	return ret;
}

/* --- start, signals, loop */

static void kgd_stats(struct kgd *d)
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
		d->st.written, d->st.batches, d->last_written, d->st.dups,
		d->st.catchups, d->st.enobufs, d->st.lost, d->st.scans,
		d->st.written ? d->st.lat_sum_ns / 1e6 / d->st.written : 0.0,
		d->st.lat_max_ns / 1e6, secs,
		secs > 0 ? d->st.written / secs : 0.0, rss, hwm);
}

static void kgd_reopen_log(struct kgd *d)
{
	int fd;

	if (!d->cfg.log_file) {
		if (d->log_fd >= 0)
			close(d->log_fd);
		d->log_fd = -1;
		return;
	}
	fd = kgd_log_open(d->cfg.log_file);
	if (fd < 0) {
		kgd_msg(LOG_ERR, "keeping the log file that was open");
		return;
	}
	if (d->log_fd >= 0)
		close(d->log_fd);
	d->log_fd = fd;
}

/* The configuration file over the defaults; d->cfg changes only on
 * success. A missing default file is no error. */
static int kgd_read_config(struct kgd *d, char *err, size_t errlen)
{
	const char *path = d->o->config ? d->o->config : KGD_CONFIG_FILE;
	struct kgd_config cfg;
	int ret;

	kgd_config_init(&cfg);
	if (!cfg.policy_dir || !cfg.log_file || !cfg.state_file) {
		kgd_config_free(&cfg);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = kgd_config_load(&cfg, path, err, errlen);
	if (ret == -ENOENT && !d->o->config)
		ret = 0;
	if (ret) {
		kgd_config_free(&cfg);
		return ret;
	}
	kgd_config_free(&d->cfg);
	d->cfg = cfg;
	kgd_msg_init(!getenv("JOURNAL_STREAM") ||
		     d->cfg.log_target == KGD_LOG_NONE,
		     d->cfg.log_target != KGD_LOG_NONE);
	kgd_resolve_target(d);
	return 0;
}

static void kgd_reload(struct kgd *d)
{
	char err[1024];
	int ret;

	kgd_msg(LOG_NOTICE, "SIGHUP: reopening the log, reloading the "
		"configuration and the policy");
	/* Whatever is queued goes to the file being rotated away. */
	kgd_flush(d);
	ret = kgd_read_config(d, err, sizeof(err));
	if (ret)
		kgd_msg(LOG_ERR, "%s; configuration not changed", err);
	kgd_reopen_log(d);
	kgd_metrics(d, true);
	if (d->cfg.events_buffer) {
		int fd = nl_socket_get_fd(kg_sock(d->ev));

		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE,
			       &d->cfg.events_buffer,
			       sizeof(d->cfg.events_buffer)))
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF,
				   &d->cfg.events_buffer,
				   sizeof(d->cfg.events_buffer));
	}
	if (kgd_apply(d) == 0)
		kgd_retro_scan(d);
}

/*
 * SIGUSR2, for logrotate: what is queued goes to the file being rotated
 * away (written and synced there), then the new file is opened; nothing
 * else changes (SIGHUP would also commit the policy again and rescan).
 */
static void kgd_rotate(struct kgd *d)
{
	kgd_flush(d);
	kgd_reopen_log(d);
	kgd_msg(LOG_INFO, "SIGUSR2: reopened %s after event %" PRIu64,
		d->cfg.log_file ? d->cfg.log_file : "no log file",
		d->last_written);
}

/* 1: go on, 0: exit asked, <0: error. */
static int kgd_signal(struct kgd *d)
{
	struct signalfd_siginfo si;
	ssize_t n = read(d->sfd, &si, sizeof(si));

	if (n != sizeof(si))
		return 1;
	switch (si.ssi_signo) {
	case SIGHUP:
		kgd_reload(d);
		return 1;
	case SIGUSR1:
		kgd_stats(d);
		return 1;
	case SIGUSR2:
		kgd_rotate(d);
		return 1;
	default:
		kgd_msg(LOG_NOTICE, "%s: writing what is queued and exiting",
			strsignal(si.ssi_signo));
		return 0;
	}
}

/* sd_notify(3) without libsystemd. */
static void kgd_notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len;
	int fd;

	if (!path || (*path != '/' && *path != '@') ||
	    (len = strlen(path)) >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, path, len);
	if (*path == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa,
		   offsetof(struct sockaddr_un, sun_path) + len) < 0)
		kgd_msg(LOG_WARNING, "sd_notify: %s", strerror(errno));
	close(fd);
}

static int kgd_open_err(int ret, const char *what)
{
	if (ret == -ENOENT) {
		kgd_msg(LOG_ERR, "kabiguard module not loaded (no generic "
			"netlink family \"%s\"); load kabiguard.ko first",
			KABIGUARD_GENL_NAME);
		return KGD_EXIT_NOMOD;
	}
	if (ret == -EPERM) {
		kgd_msg(LOG_ERR, "%s: permission denied: needs "
			"CAP_SYS_MODULE", what);
		return KGD_EXIT_PERM;
	}
	kgd_msg(LOG_ERR, "%s: %s", what, strerror(-ret));
	return KGD_EXIT_ERR;
}

/* Where to resume: the state file, the log's last line, the kernel. */
static int kgd_resume(struct kgd *d)
{
	struct kgd_state s;
	struct kg_status st;
	uint64_t log_seq = 0;
	char err[512];
	size_t cut = 0;
	int ret;

	if (d->log_fd >= 0) {
		ret = kgd_log_recover(d->log_fd, d->boot_id, &log_seq, &cut);
		if (ret) {
			kgd_msg(LOG_ERR, "%s: %s", d->cfg.log_file,
				strerror(-ret));
			return KGD_EXIT_ERR;
		}
		if (cut)
			kgd_msg(LOG_WARNING, "%s: removed a last line cut short "
				"(%zu bytes) by a crash; it is written again "
				"from the kernel's ring", d->cfg.log_file, cut);
	}
	if (d->cfg.state_file) {
		ret = kgd_state_read(d->cfg.state_file, &s, err, sizeof(err));
		if (ret && ret != -ENOENT)
			kgd_msg(LOG_WARNING, "%s; ignored", err);
		if (!ret && !strcmp(s.boot_id, d->boot_id))
			d->last_written = s.last_seq;
	}
	if (log_seq > d->last_written)
		d->last_written = log_seq;

	ret = kg_get_status(d->req, &st);
	if (ret)
		return kgd_open_err(ret, "status");
	if (!(st.features & KABIGUARD_FEAT_RING))
		kgd_msg(LOG_WARNING, "this kabiguard.ko has no event ring: "
			"events missed while kabiguardd is down are lost");
	if (st.ring_next && d->last_written >= st.ring_next) {
		kgd_msg(LOG_WARNING, "the kernel's next event is %" PRIu64
			" but %" PRIu64 " was written already: kabiguard.ko "
			"was reloaded; starting over", st.ring_next,
			d->last_written);
		d->last_written = 0;
	}
	if (d->last_written + 1 < st.ring_first)
		kgd_msg(LOG_ERR, "events %" PRIu64 "-%" PRIu64 " left the "
			"kernel's ring while kabiguardd was not running",
			d->last_written + 1, st.ring_first - 1);
	d->last_queued = d->last_written;
	kgd_msg(LOG_INFO, "resuming after event %" PRIu64 " (kernel's next: %"
		PRIu64 ", ring overflow count %" PRIu64 ")", d->last_written,
		st.ring_next, st.ring_overflow);
	return 0;
}

static int kgd_init(struct kgd *d)
{
	struct utsname u;
	char err[1024];
	int ret, fd;

	ret = kgd_read_config(d, err, sizeof(err));
	if (ret) {
		kgd_msg(LOG_ERR, "%s", err);
		return KGD_EXIT_CONFIG;
	}
	if (kgd_boot_id(d->boot_id, sizeof(d->boot_id)))
		kgd_msg(LOG_WARNING, "no boot id: the state file cannot tell "
			"boots apart");
	gethostname(d->host, sizeof(d->host) - 1);
	if (!uname(&u))
		snprintf(d->kernel, sizeof(d->kernel), "%s", u.release);
	d->jx.boot_id = d->boot_id;
	d->jx.host = d->host;
	d->jx.kernel = d->kernel;

	/* Subscribe first: from here on nothing can slip between the
	 * ring dump and multicast. */
	ret = kg_events_open(&d->ev);
	if (ret)
		return kgd_open_err(ret, "joining the events group");
	fd = nl_socket_get_fd(kg_sock(d->ev));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &d->cfg.events_buffer,
		       sizeof(d->cfg.events_buffer)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &d->cfg.events_buffer,
			   sizeof(d->cfg.events_buffer));
	ret = kg_open(&d->req);
	if (ret)
		return kgd_open_err(ret, "opening the request socket");

	if (d->cfg.log_file) {
		d->log_fd = kgd_log_open(d->cfg.log_file);
		if (d->log_fd < 0)
			return KGD_EXIT_ERR;
	}
	ret = kgd_resume(d);
	if (ret)
		return ret;

	ret = kgd_apply(d);
	if (ret == -EINVAL || ret == -ENOENT)
		return KGD_EXIT_CONFIG;
	if (ret == -EPERM)
		return KGD_EXIT_PERM;
	if (ret && ret != -EROFS)
		return KGD_EXIT_ERR;
	if (ret == -EROFS)
		kgd_msg(LOG_WARNING, "kabiguard is locked: its policy and mode "
			"stay as they are");

	ret = kgd_catch_up(d);
	if (ret)
		return KGD_EXIT_ERR;
	return 0;
}

static void kgd_fini(struct kgd *d)
{
	kg_close(d->ev);
	kg_close(d->req);
	kg_scanner_free(d->scanner);
	if (d->log_fd >= 0)
		close(d->log_fd);
	if (d->sfd >= 0)
		close(d->sfd);
	kg_strbuf_free(&d->pend);
	kg_strbuf_free(&d->pend_jr);
	free(d->pend_times);
	kgd_config_free(&d->cfg);
}

static int kgd_loop(struct kgd *d)
{
	struct pollfd pfd[2];
	int ret, timeout;
	uint64_t now;

	pfd[0] = (struct pollfd){ .fd = nl_socket_get_fd(kg_sock(d->ev)),
				  .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = d->sfd, .events = POLLIN };
	for (;;) {
		now = kgd_now_ms();
		timeout = -1;
		if (d->need_catchup)
			timeout = d->retry_at_ms > now ? d->retry_at_ms - now : 0;
		else if (d->declared != d->last_written + 1)
			timeout = d->declared_at_ms + KGD_DECLARE_MS > now ?
				  d->declared_at_ms + KGD_DECLARE_MS - now : 0;
		if (d->cfg.metrics_file) {
			uint64_t at = d->metrics_at_ms + (d->metrics_due ?
				KGD_METRICS_MIN_MS : KGD_METRICS_IDLE_MS);
			int t = at > now ? (int)(at - now) : 0;

			if (timeout < 0 || t < timeout)
				timeout = t;
		}
		if (poll(pfd, 2, timeout) < 0) {
			if (errno == EINTR)
				continue;
			kgd_msg(LOG_ERR, "poll: %s", strerror(errno));
			return KGD_EXIT_ERR;
		}
		if (pfd[1].revents) {
			ret = kgd_signal(d);
			if (ret <= 0)
				break;
		}
		if (pfd[0].revents) {
			ret = kgd_drain(d);
			if (ret == -ENOMEM || ret == -EBADF)
				return KGD_EXIT_ERR;
		}
		if (d->need_catchup && kgd_now_ms() >= d->retry_at_ms)
			kgd_catch_up(d);
		kgd_flush(d);
		kgd_declare(d, false);
		kgd_metrics(d, false);
	}
	/* SIGTERM: write everything received, declare it, go. */
	kgd_drain(d);
	kgd_flush(d);
	kgd_declare(d, true);
	kgd_metrics(d, true);
	kgd_stats(d);
	return KGD_EXIT_OK;
}

int kgd_run(struct kgd_opts *o)
{
	struct kgd d = { .o = o, .log_fd = -1, .sfd = -1 };
	sigset_t mask;
	int ret, fd;
	char c;

	openlog("kabiguardd", LOG_PID | LOG_NDELAY, LOG_DAEMON);

	/* Signals are read from the signalfd only, from the start. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) ||
	    (d.sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		kgd_msg(LOG_ERR, "signalfd: %s", strerror(errno));
		ret = KGD_EXIT_ERR;
		goto out;
	}

	ret = kgd_init(&d);
	if (ret)
		goto out;
	kgd_msg(LOG_NOTICE, "ready: %s mode, events to %s%s%s%s%s",
		kg_mode_name(d.cfg.mode), d.cfg.log_file ? d.cfg.log_file :
		"no file", d.target == KGD_LOG_NONE ? "" : " and ",
		d.target == KGD_LOG_NONE ? "" : kgd_log_target_name(d.target),
		d.cfg.metrics_file ? ", metrics to " : "",
		d.cfg.metrics_file ? d.cfg.metrics_file : "");
	kgd_notify("READY=1");
	if (o->ready_fd >= 0) {
		/* Daemonized: the parent exits now; from here on only
		 * syslog hears us. */
		c = 0;
		if (write(o->ready_fd, &c, 1) != 1)
			kgd_msg(LOG_WARNING, "cannot report readiness");
		close(o->ready_fd);
		o->ready_fd = -1;
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		kgd_msg_init(false, d.cfg.log_target != KGD_LOG_NONE);
	}
	kgd_retro_scan(&d);
	kgd_flush(&d);
	kgd_metrics(&d, true);
	ret = kgd_loop(&d);
	kgd_notify("STOPPING=1");
out:
	kgd_fini(&d);
	closelog();
	return ret;
}
