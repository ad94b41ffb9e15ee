/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the daemon_*_test programs share: kabiguardd end to end, as root in
 * a VM with kabiguard.ko loaded and the dummy modules in KG_TEST_MODULES
 * (/kabiguard/test_modules). Each test starts the daemon (kabiguardd from
 * PATH, the sanitized build under make check) with its own configuration,
 * policy directory, log and state in a fresh directory (the fixture
 * "daemon"), drives module loads with finit_module(2), and reads the JSON
 * log back with kg_json_reader.h.
 *
 * Events already in the kernel's ring when a test starts belong to earlier
 * tests: a test looks at the log lines after the ring's next sequence
 * number at its start ("base"), and checks the whole log for order and
 * duplicates.
 *
 * The programs, one concern each (see their headers), run in this order:
 *   daemon_verdict_test  one line per verdict, every field
 *   daemon_follow_test   every event once, in order: kill -9, hostile
 *                        events, a burst, ENOBUFS
 *   daemon_signal_test   SIGHUP (policy, reopen), SIGUSR2 (rotation)
 *   daemon_scan_test     the retro scan and kabiguardctl scan
 *
 * Include after kselftest_harness.h and kg_selftest.h, in one file per
 * program: the fixture's functions are defined here.
 */
#ifndef DAEMON_FIXTURE_H
#define DAEMON_FIXTURE_H

#include <signal.h>
#include <sys/wait.h>

#include "kg_json_reader.h"

#define KGD_WAIT_MS	60000
#define KGD_BURST	1000

/* --- the daemon */

struct kgd_run {
	char dir[64];
	char conf[128], policy[128], log[128], state[128], err[128];
	pid_t pid;
	uint64_t base;		/* ring's next seq when the test began */
};

static inline void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static inline char *slurp(const char *path)
{
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0, n;
	FILE *f = fopen(path, "r");

	if (!f)
		return strdup("");
	do {
		if (cap - len < 4096) {
			cap = cap ? 2 * cap : 65536;
			nb = realloc(buf, cap + 1);
			if (!nb)
				break;
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	if (!buf)
		return strdup("");
	buf[len] = '\0';
	return buf;
}

static inline uint64_t ring_next(void)
{
	struct kgc_client *c;
	struct kgc_status st = { 0 };

	if (kgc_open(&c))
		return 0;
	kgc_cmd_get_status(c, &st);
	kgc_close(c);
	return st.ring_next;
}

static inline struct kgc_status status(void)
{
	struct kgc_client *c;
	struct kgc_status st = { 0 };

	if (!kgc_open(&c)) {
		kgc_cmd_get_status(c, &st);
		kgc_close(c);
	}
	return st;
}

static inline int set_mode(enum kabiguard_mode m)
{
	struct kgc_client *c;
	int ret;

	ret = kgc_open(&c);
	if (ret)
		return ret;
	ret = kgc_cmd_set_mode(c, m);
	kgc_close(c);
	return ret;
}

/* Writes the configuration (extra: more lines) and the base policy. */
static inline void kgd_setup(struct kgd_run *r, const char *extra)
{
	char text[1024], path[160];

	strcpy(r->dir, "/tmp/kgd.XXXXXX");
	if (!mkdtemp(r->dir))
		return;
	snprintf(r->conf, sizeof(r->conf), "%s/kabiguard.conf", r->dir);
	snprintf(r->policy, sizeof(r->policy), "%s/policy.d", r->dir);
	snprintf(r->log, sizeof(r->log), "%s/log/events.jsonl", r->dir);
	snprintf(r->state, sizeof(r->state), "%s/state/state", r->dir);
	snprintf(r->err, sizeof(r->err), "%s/stderr", r->dir);
	mkdir(r->policy, 0755);
	snprintf(path, sizeof(path), "%s/10-base.policy", r->policy);
	put_file(path, "any from=vmlinux\nsymbol kg_plain_a from=kg_exporter\n");
	snprintf(text, sizeof(text), "# daemon_fixture.h\nmode = audit\n"
		 "policy_dir = %s\nlog_file = %s\nstate_file = %s\n%s",
		 r->policy, r->log, r->state, extra ? extra : "");
	put_file(r->conf, text);
	r->pid = 0;
}

/* Starts kabiguardd and waits for "ready:" on its stderr. */
static inline int kgd_start(struct kgd_run *r)
{
	int64_t end = kg_t_now_ms() + KGD_WAIT_MS;
	char *err = slurp(r->err);
	size_t seen = strlen(err);
	int fd, st;

	/* Only a "ready" after what earlier runs wrote counts. */
	free(err);
	r->pid = fork();
	if (r->pid < 0)
		return -errno;
	if (!r->pid) {
		fd = open(r->err, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 2);
			dup2(fd, 1);
		}
		execlp("kabiguardd", "kabiguardd", "--foreground", "-c",
		       r->conf, (char *)NULL);
		_exit(127);
	}
	while (kg_t_now_ms() < end) {
		err = slurp(r->err);
		if (strlen(err) > seen &&
		    strstr(err + seen, "kabiguardd: ready:")) {
			free(err);
			return 0;
		}
		free(err);
		if (waitpid(r->pid, &st, WNOHANG) == r->pid) {
			r->pid = 0;
			return -ECHILD;
		}
		usleep(20000);
	}
	return -ETIMEDOUT;
}

/* SIGTERM, then its exit status (0: clean, sanitizers quiet). */
static inline int kgd_stop(struct kgd_run *r)
{
	int st;

	if (r->pid <= 0)
		return -1;
	kill(r->pid, SIGTERM);
	if (waitpid(r->pid, &st, 0) != r->pid)
		return -1;
	r->pid = 0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static inline void kgd_kill9(struct kgd_run *r)
{
	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
	}
	r->pid = 0;
}

static inline bool kgd_stderr_has(struct kgd_run *r, const char *s)
{
	char *err = slurp(r->err);
	bool has = strstr(err, s) != NULL;

	free(err);
	return has;
}

/* Waits until stderr holds s. */
static inline bool kgd_wait_stderr(struct kgd_run *r, const char *s)
{
	int64_t end = kg_t_now_ms() + KGD_WAIT_MS;

	while (kg_t_now_ms() < end) {
		if (kgd_stderr_has(r, s))
			return true;
		usleep(20000);
	}
	return false;
}

/*
 * The log's lines of kind (load or scan) with seq >= base, parsed, in *out
 * (malloc'ed). Returns how many, or -1 when a line is not one JSON object
 * or the whole log is not gapless: every line's seq one more than the
 * line before (a duplicate, a reordering or a lost event).
 */
static inline int kgd_lines(const char *log, uint64_t base, const char *kind,
			    struct kj **out, char *why, size_t whylen)
{
	char *text = slurp(log), *line, *save = NULL, *end;
	uint64_t prev = 0, seq;
	struct kj j, *v = NULL;
	int n = 0;

	/* A line still being written (no '\n' yet) is not read. */
	end = strrchr(text, '\n');
	*(end ? end + 1 : text) = '\0';
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (kj_parse(&j, line)) {
			snprintf(why, whylen, "not JSON: %.200s", line);
			n = -1;
			break;
		}
		seq = kj_u64(&j, "seq");
		if (prev && seq != prev + 1) {
			snprintf(why, whylen, "seq %llu after %llu",
				 (unsigned long long)seq,
				 (unsigned long long)prev);
			n = -1;
			break;
		}
		prev = seq;
		if (seq < base || !kj_is(&j, "kind", kind))
			continue;
		v = realloc(v, (n + 1) * sizeof(*v));
		v[n++] = j;
	}
	free(text);
	if (n < 0) {
		free(v);
		v = NULL;
	}
	*out = v;
	return n;
}

/* Waits until the log has at least want lines of kind from base on. */
static inline int kgd_wait_lines(struct kgd_run *r, const char *kind, int want,
				 struct kj **out, char *why, size_t whylen)
{
	int64_t end = kg_t_now_ms() + KGD_WAIT_MS * 3;
	int n;

	for (;;) {
		n = kgd_lines(r->log, r->base, kind, out, why, whylen);
		if (n < 0 || n >= want || kg_t_now_ms() > end)
			return n;
		free(*out);
		usleep(50000);
	}
}

/* The lines are seq base, base + 1, ...: no other event came between. */
static inline bool kgd_consecutive(const struct kj *v, int n, uint64_t base)
{
	int i;

	for (i = 0; i < n; i++)
		if (kj_u64(&v[i], "seq") != base + i)
			return false;
	return true;
}

static inline void unload_all(void)
{
	kg_t_unload("kg_consumer_ok");
	kg_t_unload("kg_consumer_forbidden");
	kg_t_unload("kg_exporter");
}

FIXTURE(daemon) {
	struct kgd_run r;
};

FIXTURE_SETUP(daemon)
{
	if (getuid())
		SKIP(return, "needs root");
	if (!kg_t_loaded("kabiguard"))
		SKIP(return, "kabiguard.ko is not loaded");
	unload_all();
	set_mode(KABIGUARD_MODE_AUDIT);
	memset(&self->r, 0, sizeof(self->r));
}

FIXTURE_TEARDOWN(daemon)
{
	const char *copy = getenv("KG_DAEMON_LOG_COPY");
	char cmd[512];

	if (self->r.pid > 0) {
		TH_LOG("daemon still running: stopped with status %d",
		       kgd_stop(&self->r));
	}
	unload_all();
	set_mode(KABIGUARD_MODE_AUDIT);
	/* run_vm_tests.sh validates every log line on the host (the VM
	 * has no JSON Schema validator): keep a copy of the log. */
	if (self->r.dir[0] && copy && !access(self->r.log, F_OK)) {
		snprintf(cmd, sizeof(cmd), "cat %s >>%s", self->r.log, copy);
		if (system(cmd))
			TH_LOG("cannot copy %s to %s", self->r.log, copy);
	}
	if (self->r.dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", self->r.dir);
		if (system(cmd))
			TH_LOG("cannot remove %s", self->r.dir);
	}
}

static inline void show_stderr(struct __test_metadata *_metadata,
			       struct kgd_run *r)
{
	char *err = slurp(r->err), *line, *save = NULL;

	for (line = strtok_r(err, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		TH_LOG("kabiguardd: %s", line);
	free(err);
}

#endif /* DAEMON_FIXTURE_H */
