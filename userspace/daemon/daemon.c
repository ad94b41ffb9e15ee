// SPDX-License-Identifier: GPL-2.0
/*
 * kabiguardd's main loop: apply the policy, then write every verdict
 * event to the log file and the journal or syslog exactly once, in
 * sequence order.
 *
 * Threading and I/O model: one thread, no work in signal handlers. It
 * blocks in poll() on two fds: the events socket (subscribed to the
 * "events" multicast group, nothing else is sent on it) and a signalfd
 * (SIGHUP reload, SIGUSR2 reopen the log, SIGUSR1 statistics,
 * SIGTERM/SIGINT exit after writing what was received). Requests (policy,
 * mode, lock, STATUS, SCAN and the EVENTS_GET dumps of the ring) go on a
 * second netlink socket, synchronously, so replies never mix with
 * events. The poll timeout is the earliest of: the follower's next
 * catch-up retry or declaration (follower.h) and the metrics file's next
 * write. Every file write is synchronous: a batch is one write() and one
 * fdatasync() of the log (logfile.c), then the journal or syslog
 * (batch.c), then the state file (statefile.c, atomic rename), so the
 * state never claims a line the disk does not hold; a crash at any point
 * loses no line and, because the log's last line is read back at start
 * (logfile.c), repeats none.
 *
 * What is where: follower.c decides which events are written and when
 * (sequence numbers, duplicates, gaps, loss, catch-up, declaring); this
 * file runs the loop; output.c gives the follower its I/O and writes
 * the metrics file; apply.c commits the policy and runs the retro scan.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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

#include "daemon.h"

/* Reads every event waiting on the events socket. */
static int kgd_drain(struct kgd *d)
{
	struct kgc_event ev;
	int ret;

	for (;;) {
		ret = kgc_events_next(d->ev, &ev, 0);
		if (ret == 1) {
			ret = kgd_follower_event(&d->fl, &ev);
			kgc_event_free(&ev);
			if (ret)
				return ret;
			continue;
		}
		if (ret == 0)
			return 0;
		if (ret == -ENOBUFS) {
			kgd_follower_enobufs(&d->fl);
			continue;
		}
		if (ret == -EBADMSG) {
			kgd_msg(LOG_WARNING, "skipped a malformed event message: %s",
				kgc_extack(d->ev));
			continue;
		}
		if (ret == -EINTR)
			continue;
		kgd_msg(LOG_ERR, "reading events: %s", strerror(-ret));
		return ret;
	}
}

/* --- policy, mode, lock, retro scan (apply.c) */

static const char *kgd_policy_path(const struct kgd *d)
{
	return d->o->policy ? d->o->policy : d->cfg.policy_dir;
}

static int kgd_apply_policy(struct kgd *d)
{
	return kgd_apply(d->req, kgd_policy_path(d), d->cfg.mode,
			 d->cfg.lock);
}

/* Between two modules of the retro scan: write their scan events. */
static void kgd_scan_between(void *arg)
{
	struct kgd *d = arg;

	if (kgd_drain(d) == 0)
		kgd_follower_flush(&d->fl);
}

static void kgd_scan_loaded(struct kgd *d)
{
	if (!d->cfg.retro_scan)
		return;
	d->st.scans += kgd_retro_scan(&d->scanner, d->req, kgd_scan_between,
				      d);
}

/* --- start, signals, loop */

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
	kgd_follower_flush(&d->fl);
	ret = kgd_read_config(d, err, sizeof(err));
	if (ret)
		kgd_msg(LOG_ERR, "%s; configuration not changed", err);
	kgd_reopen_log(d);
	kgd_metrics(d, true);
	if (d->cfg.events_buffer) {
		int fd = kgc_fd(d->ev);

		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE,
			       &d->cfg.events_buffer,
			       sizeof(d->cfg.events_buffer)))
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF,
				   &d->cfg.events_buffer,
				   sizeof(d->cfg.events_buffer));
	}
	if (kgd_apply_policy(d) == 0)
		kgd_scan_loaded(d);
}

/*
 * SIGUSR2, for logrotate: what is queued goes to the file being rotated
 * away (written and synced there), then the new file is opened; nothing
 * else changes (SIGHUP would also commit the policy again and rescan).
 */
static void kgd_rotate(struct kgd *d)
{
	kgd_follower_flush(&d->fl);
	kgd_reopen_log(d);
	kgd_msg(LOG_INFO, "SIGUSR2: reopened %s after event %" PRIu64,
		d->cfg.log_file ? d->cfg.log_file : "no log file",
		d->fl.last_written);
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

static int kgd_open_err(int ret, enum kgc_request req, const char *what)
{
	char msg[1024];
	enum kgc_failure cls = kgc_explain(NULL, ret, req, msg, sizeof(msg));

	kgd_msg(LOG_ERR, "%s: %s", what, msg);
	return cls == KGC_FAIL_LOCKED ? KGD_EXIT_ERR : (int)cls;
}

/* Where to resume: the state file, the log's last line, the kernel. */
static int kgd_resume(struct kgd *d)
{
	struct kgd_state s;
	struct kgc_status st;
	uint64_t log_seq = 0, written = 0;
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
			written = s.last_seq;
	}
	if (log_seq > written)
		written = log_seq;

	ret = kgc_cmd_get_status(d->req, &st);
	if (ret)
		return kgd_open_err(ret, KGC_REQ_COMMAND, "status");
	kgd_follower_resume(&d->fl, written, &st);
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
	ret = kgc_events_open(&d->ev);
	if (ret)
		return kgd_open_err(ret, KGC_REQ_EVENTS, "joining the events group");
	fd = kgc_fd(d->ev);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &d->cfg.events_buffer,
		       sizeof(d->cfg.events_buffer)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &d->cfg.events_buffer,
			   sizeof(d->cfg.events_buffer));
	ret = kgc_open(&d->req);
	if (ret)
		return kgd_open_err(ret, KGC_REQ_OPEN, "opening the request socket");

	if (d->cfg.log_file) {
		d->log_fd = kgd_log_open(d->cfg.log_file);
		if (d->log_fd < 0)
			return KGD_EXIT_ERR;
	}
	ret = kgd_resume(d);
	if (ret)
		return ret;

	ret = kgd_apply_policy(d);
	if (ret == -EINVAL || ret == -ENOENT)
		return KGD_EXIT_CONFIG;
	if (ret == -EPERM)
		return KGD_EXIT_PERM;
	if (ret && ret != -EROFS)
		return KGD_EXIT_ERR;
	if (ret == -EROFS)
		kgd_msg(LOG_WARNING, "kabiguard is locked: its policy and mode "
			"stay as they are");

	ret = kgd_follower_catch_up(&d->fl);
	if (ret)
		return KGD_EXIT_ERR;
	return 0;
}

static void kgd_fini(struct kgd *d)
{
	kgc_close(d->ev);
	kgc_close(d->req);
	kgc_scanner_free(d->scanner);
	if (d->log_fd >= 0)
		close(d->log_fd);
	if (d->sfd >= 0)
		close(d->sfd);
	kgd_batch_free(&d->batch);
	kgd_config_free(&d->cfg);
}

static int kgd_loop(struct kgd *d)
{
	struct pollfd pfd[2];
	int ret, timeout;
	uint64_t now;

	pfd[0] = (struct pollfd){ .fd = kgc_fd(d->ev),
				  .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = d->sfd, .events = POLLIN };
	for (;;) {
		now = kgd_now_ms();
		timeout = kgd_follower_timeout(&d->fl);
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
		kgd_follower_tick(&d->fl);
		kgd_metrics(d, false);
	}
	/* SIGTERM: write everything received, declare it, go. */
	kgd_drain(d);
	kgd_follower_flush(&d->fl);
	kgd_follower_declare(&d->fl, true);
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

	kgd_follower_init(&d.fl, &kgd_output_ops, &d);
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
		kgc_mode_name(d.cfg.mode), d.cfg.log_file ? d.cfg.log_file :
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
	kgd_scan_loaded(&d);
	kgd_follower_flush(&d.fl);
	kgd_metrics(&d, true);
	ret = kgd_loop(&d);
	kgd_notify("STOPPING=1");
out:
	kgd_fini(&d);
	closelog();
	return ret;
}
