// SPDX-License-Identifier: GPL-2.0
/*
 * kgd_bench: kabiguardd's delivery, measured in a guest with kabiguard.ko
 * loaded.
 *
 *   kgd_bench CONF LOG EXPORTER.ko MODULE.ko N
 *
 * CONF is a kabiguardd configuration whose log_file is LOG (fresh). Three
 * bursts of N loads and unloads of MODULE (EXPORTER is loaded first, for
 * its imports):
 *   1. no daemon: the load time the guard alone gives;
 *   2. daemon running: end-to-end delivery, from the kernel's verdict
 *      (the event's time_real_ns) to its JSON line on disk (seen through
 *      inotify), and the daemon's RSS;
 *   3. daemon stopped (SIGSTOP) during the burst, then continued: the
 *      loads' time when nobody reads the events, and how fast the daemon
 *      drains the backlog from the kernel's ring.
 * Prints figures only; the tests (daemon_*_test) check correctness.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kgclient.h"

#define MAX_EVENTS	100000

static const char *log_path;

/* What the watcher thread saw: per load event, its delivery latency. */
static struct {
	pthread_mutex_t lock;
	int64_t lat_ns[MAX_EVENTS];
	int n;			/* load lines seen */
	int64_t last_ns;	/* CLOCK_REALTIME when the last one was seen */
	bool stop;
} seen = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "kgd_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int64_t field(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

/* Reads the log's new complete lines as they are written. */
static void *watch(void *arg)
{
	char buf[1 << 16], ev[4096], *nl, *line;
	size_t have = 0;
	int in, wd, fd = -1;
	ssize_t r;

	(void)arg;
	in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (in < 0)
		die("inotify_init1");
	for (;;) {
		pthread_mutex_lock(&seen.lock);
		if (seen.stop) {
			pthread_mutex_unlock(&seen.lock);
			break;
		}
		pthread_mutex_unlock(&seen.lock);
		if (fd < 0) {
			fd = open(log_path, O_RDONLY | O_CLOEXEC);
			if (fd < 0) {
				usleep(10000);
				continue;
			}
			wd = inotify_add_watch(in, log_path, IN_MODIFY);
			if (wd < 0)
				die("inotify_add_watch");
		}
		r = read(fd, buf + have, sizeof(buf) - have - 1);
		if (r > 0) {
			int64_t t = now_ns(CLOCK_REALTIME);

			have += r;
			buf[have] = '\0';
			line = buf;
			while ((nl = strchr(line, '\n'))) {
				*nl = '\0';
				if (strstr(line, "\"kind\":\"load\"")) {
					int64_t k = field(line, "\"time_real_ns\":");

					pthread_mutex_lock(&seen.lock);
					if (seen.n < MAX_EVENTS)
						seen.lat_ns[seen.n] = t - k;
					seen.n++;
					seen.last_ns = t;
					pthread_mutex_unlock(&seen.lock);
				}
				line = nl + 1;
			}
			have -= line - buf;
			memmove(buf, line, have);
			continue;
		}
		/* At the end: sleep until the daemon writes (or 50 ms). */
		{
			struct timespec ts = { 0, 50000000 };
			fd_set set;

			FD_ZERO(&set);
			FD_SET(in, &set);
			pselect(in + 1, &set, NULL, NULL, &ts, NULL);
			while (read(in, ev, sizeof(ev)) > 0)
				;
		}
	}
	if (fd >= 0)
		close(fd);
	close(in);
	return NULL;
}

static int seen_count(void)
{
	int n;

	pthread_mutex_lock(&seen.lock);
	n = seen.n;
	pthread_mutex_unlock(&seen.lock);
	return n;
}

/* Waits (up to 120 s) for want load lines; returns when the last came. */
static int64_t wait_seen(int want)
{
	int64_t end = now_ns(CLOCK_MONOTONIC) + 120 * 1000000000LL, t;

	while (seen_count() < want && now_ns(CLOCK_MONOTONIC) < end)
		usleep(1000);
	pthread_mutex_lock(&seen.lock);
	t = seen.last_ns;
	pthread_mutex_unlock(&seen.lock);
	return t;
}

static void load(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die(path);
	if (syscall(SYS_finit_module, fd, "", 0))
		die(path);
	close(fd);
}

static void unload(const char *name)
{
	if (syscall(SYS_delete_module, name, O_NONBLOCK))
		die(name);
}

/* N loads and unloads; returns the mean of one pair, in µs. */
static double burst(const char *path, const char *name, int n)
{
	int64_t t0 = now_ns(CLOCK_MONOTONIC);
	int i;

	for (i = 0; i < n; i++) {
		load(path);
		unload(name);
	}
	return (now_ns(CLOCK_MONOTONIC) - t0) / 1e3 / n;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static pid_t start_daemon(const char *conf)
{
	char err[] = "/tmp/kgd_bench.stderr";
	int64_t end = now_ns(CLOCK_MONOTONIC) + 120 * 1000000000LL;
	char text[8192];
	pid_t pid;
	int fd;

	unlink(err);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execlp("kabiguardd", "kabiguardd", "--foreground", "-c", conf,
		       (char *)NULL);
		_exit(127);
	}
	/* Ready, and the start's retro scan done. */
	while (now_ns(CLOCK_MONOTONIC) < end) {
		FILE *f = fopen(err, "r");
		size_t n = 0;

		if (f) {
			n = fread(text, 1, sizeof(text) - 1, f);
			fclose(f);
		}
		text[n] = '\0';
		if (strstr(text, "loaded modules checked"))
			return pid;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			break;
		usleep(20000);
	}
	fprintf(stderr, "kgd_bench: kabiguardd did not start:\n%s\n", text);
	exit(1);
}

static void rss(pid_t pid, long *rss_kb, long *hwm_kb)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		die(path);
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "VmRSS: %ld", rss_kb);
		sscanf(line, "VmHWM: %ld", hwm_kb);
	}
	fclose(f);
}

static uint64_t overflow(void)
{
	struct kgc_status st = { 0 };
	struct kgc_client *c;

	if (kgc_open(&c) || kgc_cmd_get_status(c, &st))
		die("kabiguard status");
	kgc_close(c);
	return st.ring_overflow;
}

int main(int argc, char **argv)
{
	const char *conf, *exporter, *path;
	double idle_us, live_us, stopped_us;
	int64_t t0, t_last, t_cont, *lat;
	long rss_kb = 0, hwm_kb = 0;
	uint64_t ovf0;
	char name[64], *p;
	pthread_t th;
	int n, got, nlat;
	pid_t pid;

	if (argc != 6) {
		fprintf(stderr, "usage: kgd_bench CONF LOG EXPORTER.ko MODULE.ko N\n");
		return 2;
	}
	conf = argv[1];
	log_path = argv[2];
	exporter = argv[3];
	path = argv[4];
	n = atoi(argv[5]);
	if (n <= 0 || n > MAX_EVENTS / 2) {
		fprintf(stderr, "kgd_bench: N must be 1..%d\n", MAX_EVENTS / 2);
		return 2;
	}
	p = strrchr(path, '/');
	snprintf(name, sizeof(name), "%s", p ? p + 1 : path);
	p = strstr(name, ".ko");
	if (p)
		*p = '\0';
	for (p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	unlink(log_path);
	load(exporter);
	ovf0 = overflow();

	/* 1. No daemon. */
	idle_us = burst(path, name, n);

	/* 2. The daemon follows live. */
	pid = start_daemon(conf);
	if (pthread_create(&th, NULL, watch, NULL))
		die("pthread_create");
	/* The start's catch-up writes burst 1's events: let it finish. */
	do {
		got = seen_count();
		usleep(500000);
	} while (seen_count() != got);
	pthread_mutex_lock(&seen.lock);
	seen.n = 0;
	pthread_mutex_unlock(&seen.lock);
	t0 = now_ns(CLOCK_REALTIME);
	live_us = burst(path, name, n);
	t_last = wait_seen(n);
	got = seen_count();
	rss(pid, &rss_kb, &hwm_kb);
	/* The watcher keeps at most MAX_EVENTS latencies. */
	nlat = got < MAX_EVENTS ? got : MAX_EVENTS;
	lat = malloc(sizeof(*lat) * (nlat ? nlat : 1));
	if (!lat)
		die("malloc");
	pthread_mutex_lock(&seen.lock);
	memcpy(lat, seen.lat_ns, sizeof(*lat) * nlat);
	seen.n = 0;
	pthread_mutex_unlock(&seen.lock);
	qsort(lat, nlat, sizeof(*lat), cmp64);

	printf("kabiguardd delivery, %d loads+unloads of %s per burst\n", n, name);
	printf("  load+unload, no daemon:         %8.0f us\n", idle_us);
	printf("  load+unload, daemon following:  %8.0f us (%.2fx)\n", live_us,
	       live_us / idle_us);
	printf("  live burst: %d of %d events in the log (%d lost), %.0f events/s end to end (the loads' own rate)\n",
	       got, n, n - got, got / ((t_last - t0) / 1e9));
	if (nlat)
		printf("  verdict -> JSON line on disk: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		       lat[nlat / 2] / 1e6, lat[(nlat * 99) / 100] / 1e6,
		       lat[nlat - 1] / 1e6);
	printf("  kabiguardd RSS after the burst: %ld KiB (peak %ld KiB)\n",
	       rss_kb, hwm_kb);
	free(lat);

	/* 3. The daemon stopped: loads never wait for it. */
	kill(pid, SIGSTOP);
	stopped_us = burst(path, name, n);
	t_cont = now_ns(CLOCK_REALTIME);
	kill(pid, SIGCONT);
	t_last = wait_seen(n);
	got = seen_count();
	rss(pid, &rss_kb, &hwm_kb);
	printf("  load+unload, daemon stopped:    %8.0f us (%.2fx)\n", stopped_us,
	       stopped_us / idle_us);
	printf("  backlog of %d: drained %d (%d lost) in %.0f ms, %.0f events/s\n",
	       n, got, n - got, (t_last - t_cont) / 1e6,
	       got / ((t_last - t_cont) / 1e9));
	printf("  kabiguardd RSS after the backlog: %ld KiB (peak %ld KiB)\n",
	       rss_kb, hwm_kb);
	printf("  ring overflow during the bench: %" PRIu64 "\n",
	       overflow() - ovf0);

	pthread_mutex_lock(&seen.lock);
	seen.stop = true;
	pthread_mutex_unlock(&seen.lock);
	pthread_join(th, NULL);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	return 0;
}
