// SPDX-License-Identifier: GPL-2.0
/*
 * kabiguardd end to end, as root in a VM with kabiguard.ko loaded and the
 * dummy modules in KG_TEST_MODULES (/kabiguard/test_modules). Each test
 * starts the daemon (kabiguardd from PATH, the sanitized build under make
 * check) with its own configuration, policy directory, log and state in a
 * fresh directory, drives module loads with finit_module(2), and reads the
 * JSON log back with a small JSON parser (below): the VM has no python.
 *
 * Events already in the kernel's ring when a test starts belong to earlier
 * tests: a test looks at the log lines after the ring's next sequence
 * number at its start ("base"), and checks the whole log for order and
 * duplicates.
 */
#include <ctype.h>
#include <signal.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "kg_selftest.h"

#define KGD_WAIT_MS	60000
#define KGD_BURST	1000

/* --- a minimal JSON reader: one object per line, into path=value pairs
 * ("module", "violations.0.symbol"); strings unescaped, other values as
 * written (numbers, true, false, null). */

struct kj_pair {
	char path[64];
	char val[600];
	bool is_str;
};

struct kj {
	struct kj_pair p[128];
	int n;
	const char *s;
	bool bad;
};

static void kj_ws(struct kj *j)
{
	while (*j->s == ' ' || *j->s == '\t')
		j->s++;
}

static void kj_value(struct kj *j, const char *path);

static void kj_add(struct kj *j, const char *path, const char *v, size_t n,
		   bool is_str)
{
	struct kj_pair *p;

	if (j->n == (int)(sizeof(j->p) / sizeof(j->p[0])))
		return;
	p = &j->p[j->n++];
	snprintf(p->path, sizeof(p->path), "%s", path);
	if (n >= sizeof(p->val))
		n = sizeof(p->val) - 1;
	memcpy(p->val, v, n);
	p->val[n] = '\0';
	p->is_str = is_str;
}

/* A string at j->s into out (unescaped, \uXXXX kept as is below 0x80). */
static void kj_string(struct kj *j, char *out, size_t len)
{
	size_t n = 0;

	if (*j->s != '"') {
		j->bad = true;
		return;
	}
	j->s++;
	while (*j->s && *j->s != '"') {
		char c = *j->s++;

		if (c == '\\') {
			c = *j->s++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u': {
				unsigned int u;

				if (sscanf(j->s, "%4x", &u) != 1) {
					j->bad = true;
					return;
				}
				j->s += 4;
				c = u < 0x80 ? (char)u : '?';
				break;
			}
			case '"': case '\\': case '/': break;
			default:
				j->bad = true;
				return;
			}
		} else if ((unsigned char)c < 0x20) {
			j->bad = true;
			return;
		}
		if (n + 1 < len)
			out[n++] = c;
	}
	out[n] = '\0';
	if (*j->s != '"') {
		j->bad = true;
		return;
	}
	j->s++;
}

static void kj_container(struct kj *j, const char *path, bool obj)
{
	char key[64], sub[64];
	int idx = 0;

	j->s++;
	kj_ws(j);
	if (*j->s == (obj ? '}' : ']')) {
		j->s++;
		return;
	}
	for (;;) {
		kj_ws(j);
		if (obj) {
			kj_string(j, key, sizeof(key));
			kj_ws(j);
			if (j->bad || *j->s++ != ':') {
				j->bad = true;
				return;
			}
			if (snprintf(sub, sizeof(sub), "%s%s%s", path,
				     *path ? "." : "", key) >= (int)sizeof(sub))
				j->bad = true;
		} else if (snprintf(sub, sizeof(sub), "%s.%d", path, idx++) >=
			   (int)sizeof(sub)) {
			j->bad = true;
		}
		kj_ws(j);
		kj_value(j, sub);
		if (j->bad)
			return;
		kj_ws(j);
		if (*j->s == ',') {
			j->s++;
			continue;
		}
		if (*j->s++ != (obj ? '}' : ']'))
			j->bad = true;
		return;
	}
}

static void kj_value(struct kj *j, const char *path)
{
	const char *start = j->s;
	char buf[600];

	if (*j->s == '{') {
		kj_container(j, path, true);
	} else if (*j->s == '[') {
		kj_container(j, path, false);
	} else if (*j->s == '"') {
		kj_string(j, buf, sizeof(buf));
		kj_add(j, path, buf, strlen(buf), true);
	} else if (!strncmp(j->s, "true", 4) || !strncmp(j->s, "null", 4)) {
		j->s += 4;
		kj_add(j, path, start, 4, false);
	} else if (!strncmp(j->s, "false", 5)) {
		j->s += 5;
		kj_add(j, path, start, 5, false);
	} else if (*j->s == '-' || isdigit((unsigned char)*j->s)) {
		while (*j->s == '-' || isdigit((unsigned char)*j->s))
			j->s++;
		kj_add(j, path, start, j->s - start, false);
	} else {
		j->bad = true;
	}
}

/* 0 when line is one JSON object and nothing else. */
static int kj_parse(struct kj *j, const char *line)
{
	memset(j, 0, sizeof(*j));
	j->s = line;
	if (*j->s != '{')
		return -1;
	kj_value(j, "");
	return j->bad || *j->s ? -1 : 0;
}

static const char *kj_get(const struct kj *j, const char *path)
{
	int i;

	for (i = 0; i < j->n; i++)
		if (!strcmp(j->p[i].path, path))
			return j->p[i].val;
	return NULL;
}

static bool kj_is(const struct kj *j, const char *path, const char *want)
{
	const char *v = kj_get(j, path);

	return v && !strcmp(v, want);
}

static uint64_t kj_u64(const struct kj *j, const char *path)
{
	const char *v = kj_get(j, path);

	return v ? strtoull(v, NULL, 10) : 0;
}

/* --- the daemon */

struct kgd_run {
	char dir[64];
	char conf[128], policy[128], log[128], state[128], err[128];
	pid_t pid;
	uint64_t base;		/* ring's next seq when the test began */
};

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static char *slurp(const char *path)
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

static uint64_t ring_next(void)
{
	struct kgc_client *c;
	struct kgc_status st = { 0 };

	if (kgc_open(&c))
		return 0;
	kgc_cmd_get_status(c, &st);
	kgc_close(c);
	return st.ring_next;
}

static struct kgc_status status(void)
{
	struct kgc_client *c;
	struct kgc_status st = { 0 };

	if (!kgc_open(&c)) {
		kgc_cmd_get_status(c, &st);
		kgc_close(c);
	}
	return st;
}

static int set_mode(enum kabiguard_mode m)
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
static void kgd_setup(struct kgd_run *r, const char *extra)
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
	snprintf(text, sizeof(text), "# daemon_test\nmode = audit\n"
		 "policy_dir = %s\nlog_file = %s\nstate_file = %s\n%s",
		 r->policy, r->log, r->state, extra ? extra : "");
	put_file(r->conf, text);
	r->pid = 0;
}

/* Starts kabiguardd and waits for "ready:" on its stderr. */
static int kgd_start(struct kgd_run *r)
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
static int kgd_stop(struct kgd_run *r)
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

static void kgd_kill9(struct kgd_run *r)
{
	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
	}
	r->pid = 0;
}

static bool kgd_stderr_has(struct kgd_run *r, const char *s)
{
	char *err = slurp(r->err);
	bool has = strstr(err, s) != NULL;

	free(err);
	return has;
}

/* Waits until stderr holds s. */
static bool kgd_wait_stderr(struct kgd_run *r, const char *s)
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
static int kgd_lines(const char *log, uint64_t base, const char *kind,
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
static int kgd_wait_lines(struct kgd_run *r, const char *kind, int want,
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
static bool kgd_consecutive(const struct kj *v, int n, uint64_t base)
{
	int i;

	for (i = 0; i < n; i++)
		if (kj_u64(&v[i], "seq") != base + i)
			return false;
	return true;
}

static void unload_all(void)
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

static void show_stderr(struct __test_metadata *_metadata,
			struct kgd_run *r)
{
	char *err = slurp(r->err), *line, *save = NULL;

	for (line = strtok_r(err, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		TH_LOG("kabiguardd: %s", line);
	free(err);
}

/*
 * A scripted series: allowed, allowed, audited, denied. One line each,
 * every field checked; syslog gets them too; kabiguardctl events prints
 * the same lines.
 */
TEST_F_TIMEOUT(daemon, one_line_per_verdict, 180)
{
	struct kgd_run *r = &self->r;
	char why[256] = "", host[256] = "", exe[64], want[128];
	struct kgc_status st;
	struct utsname u;
	struct kj *v = NULL;
	uint64_t gen;
	int n, i;
	FILE *p;

	kgd_setup(r, NULL);
	/* A syslog daemon, when busybox has one: kabiguardd logs to it. */
	if (system("pidof syslogd >/dev/null || syslogd -O /tmp/kgd-syslog "
		   "2>/dev/null"))
		TH_LOG("no syslogd: syslog not checked");
	ASSERT_EQ(0, kgd_start(r)) show_stderr(_metadata, r);
	/* After the start's retro scan: only these loads follow. */
	ASSERT_TRUE(kgd_wait_stderr(r, "loaded modules checked"));
	r->base = ring_next();
	st = status();
	gen = st.generation;
	ASSERT_NE(0, gen);
	EXPECT_EQ(KABIGUARD_MODE_AUDIT, st.mode);

	ASSERT_EQ(0, kg_t_load("kg_exporter"));
	ASSERT_EQ(0, kg_t_load("kg_consumer_ok"));
	ASSERT_EQ(0, kg_t_load("kg_consumer_forbidden"));
	ASSERT_EQ(0, kg_t_unload("kg_consumer_forbidden"));
	ASSERT_EQ(0, set_mode(KABIGUARD_MODE_ENFORCE));
	ASSERT_EQ(EPERM, kg_t_load("kg_consumer_forbidden"));
	ASSERT_EQ(0, set_mode(KABIGUARD_MODE_AUDIT));

	n = kgd_wait_lines(r, "load", 4, &v, why, sizeof(why));
	ASSERT_EQ(4, n) {
		TH_LOG("%s", why);
		show_stderr(_metadata, r);
	}
	usleep(300000);
	free(v);
	/* Exactly these, no more. */
	n = kgd_lines(r->log, r->base, "load", &v, why, sizeof(why));
	ASSERT_EQ(4, n) TH_LOG("%s", why);
	EXPECT_TRUE(kgd_consecutive(v, n, r->base));

	gethostname(host, sizeof(host) - 1);
	uname(&u);
	snprintf(exe, sizeof(exe), "%d", getpid());
	for (i = 0; i < n; i++) {
		static const char *const mods[] = { "kg_exporter",
			"kg_consumer_ok", "kg_consumer_forbidden",
			"kg_consumer_forbidden" };
		static const char *const verdicts[] = { "allowed", "allowed",
			"audited", "denied" };
		const struct kj *j = &v[i];

		EXPECT_TRUE(kj_is(j, "module", mods[i])) TH_LOG("line %d", i);
		EXPECT_TRUE(kj_is(j, "verdict", verdicts[i]))
			TH_LOG("line %d: %s", i, kj_get(j, "verdict"));
		EXPECT_TRUE(kj_is(j, "kind", "load"));
		EXPECT_TRUE(kj_is(j, "mode", i == 3 ? "enforce" : "audit"));
		EXPECT_EQ(gen, kj_u64(j, "generation"));
		EXPECT_TRUE(kj_is(j, "host", host));
		EXPECT_TRUE(kj_is(j, "kernel", u.release));
		EXPECT_TRUE(kj_is(j, "pid", exe));
		EXPECT_EQ((uint64_t)getppid(), kj_u64(j, "ppid"));
		EXPECT_TRUE(kj_is(j, "uid", "0"));
		EXPECT_TRUE(kj_is(j, "euid", "0"));
		EXPECT_TRUE(kj_is(j, "gid", "0"));
		EXPECT_TRUE(kj_is(j, "egid", "0"));
		EXPECT_NE(NULL, kj_get(j, "tty"));
		EXPECT_NE(0, kj_u64(j, "cgroup_id"));
		EXPECT_NE(0, kj_u64(j, "pidns"));
		EXPECT_TRUE(kj_is(j, "argv.0", program_invocation_name))
			TH_LOG("argv.0 %s", kj_get(j, "argv.0"));
		EXPECT_TRUE(kj_is(j, "argv_truncated", "false"));
		EXPECT_NE(NULL, kj_get(j, "lsm_label"));
		EXPECT_NE(NULL, kj_get(j, "loginuid"));
		EXPECT_NE(NULL, kj_get(j, "sessionid"));
		EXPECT_TRUE(kj_is(j, "comm", "daemon_test"))
			TH_LOG("comm %s", kj_get(j, "comm"));
		EXPECT_TRUE(kj_is(j, "exe", "/kabiguard/daemon_test"))
			TH_LOG("exe %s", kj_get(j, "exe"));
		EXPECT_NE(NULL, kj_get(j, "cgroup"));
		EXPECT_TRUE(kj_is(j, "kmod_request", "false"));
		EXPECT_TRUE(kj_is(j, "sig_ok", "false"));
		EXPECT_NE(NULL, strchr(kj_get(j, "taint_flags") ?: "", 'O'));
		EXPECT_NE(0, kj_u64(j, "time_real_ns"));
		EXPECT_NE(0, kj_u64(j, "time_boot_ns"));
		EXPECT_NE(NULL, kj_get(j, "srcversion"));
		EXPECT_NE(NULL, kj_get(j, "version"));
		EXPECT_NE(NULL, kj_get(j, "check_ns"));
		EXPECT_EQ(36, strlen(kj_get(j, "boot_id") ?: ""));
		/* 2026-11-23T10:22:15.997748105Z */
		EXPECT_EQ(30, strlen(kj_get(j, "time") ?: ""));
		EXPECT_EQ('Z', (kj_get(j, "time") ?: "?")[29]);
		EXPECT_EQ(i < 2 ? 0 : 1, kj_u64(j, "nr_violations"));
		EXPECT_TRUE(kj_is(j, "violations_truncated", "false"));
		if (i >= 2) {
			EXPECT_TRUE(kj_is(j, "violations.0.symbol",
					  "kg_plain_b"));
			EXPECT_TRUE(kj_is(j, "violations.0.exporter",
					  "kg_exporter"));
			EXPECT_TRUE(kj_is(j, "violations.0.reason",
					  "not-allowed"));
			EXPECT_TRUE(kj_is(j, "violations.0.namespace", "null"));
			EXPECT_NE(NULL, kj_get(j, "violations.0.kernel_crc"));
			EXPECT_TRUE(kj_is(j, "violations.0.rule_crc", "null"));
			EXPECT_EQ(NULL, kj_get(j, "violations.1.symbol"));
		}
	}
	{
		struct kg_t_ko ko;

		ASSERT_EQ(0, kg_t_read_ko("kg_consumer_ok", &ko));
		EXPECT_EQ(ko.nr_imports, kj_u64(&v[1], "nr_imports"));
	}

	/* syslog has each line (busybox syslogd cuts long ones); syslogd
	 * writes on its own time. */
	if (!access("/tmp/kgd-syslog", F_OK)) {
		int64_t until = kg_t_now_ms() + KGD_WAIT_MS;
		char *sl = NULL;
		int found;

		do {
			free(sl);
			sl = slurp("/tmp/kgd-syslog");
			for (i = found = 0; i < n; i++) {
				snprintf(want, sizeof(want),
					 "{\"seq\":%llu,\"boot_id\"",
					 (unsigned long long)kj_u64(&v[i], "seq"));
				found += strstr(sl, want) != NULL;
			}
		} while (found < n && kg_t_now_ms() < until && !usleep(50000));
		EXPECT_EQ(n, found) TH_LOG("syslog:\n%s", sl);
		free(sl);
	}

	/* kabiguardctl events --json: the same lines (the loads; the
	 * start's retro scan may add scan events of whatever else is
	 * loaded). */
	snprintf(want, sizeof(want), "kabiguardctl -j events --since %llu "
		 "2>/dev/null", (unsigned long long)r->base);
	p = popen(want, "r");
	ASSERT_NE(NULL, p);
	{
		char line[8192], *text = slurp(r->log);
		int same = 0, got = 0;

		while (fgets(line, sizeof(line), p)) {
			if (!strstr(line, "\"kind\":\"load\""))
				continue;
			got++;
			same += strstr(text, line) != NULL;
		}
		free(text);
		EXPECT_EQ(0, pclose(p));
		EXPECT_EQ(4, got);
		EXPECT_EQ(4, same);
	}
	free(v);
	EXPECT_EQ(0, kgd_stop(r)) show_stderr(_metadata, r);
}

/*
 * kill -9 the daemon, load modules while it is down, add a torn last line
 * as a crash in mid-write would leave, restart: every event once, in
 * sequence order.
 */
TEST_F_TIMEOUT(daemon, restart_after_kill9, 180)
{
	struct kgd_run *r = &self->r;
	struct kj *v = NULL;
	char why[256] = "";
	int n, fd;

	kgd_setup(r, NULL);
	r->base = ring_next();
	ASSERT_EQ(0, kgd_start(r)) show_stderr(_metadata, r);
	ASSERT_EQ(0, kg_t_load("kg_exporter"));
	n = kgd_wait_lines(r, "load", 1, &v, why, sizeof(why));
	ASSERT_EQ(1, n) show_stderr(_metadata, r);
	free(v);
	kgd_kill9(r);

	ASSERT_EQ(0, kg_t_load("kg_consumer_ok"));
	ASSERT_EQ(0, kg_t_load("kg_consumer_forbidden"));
	ASSERT_EQ(0, kg_t_unload("kg_consumer_forbidden"));
	ASSERT_EQ(0, kg_t_unload("kg_consumer_ok"));
	ASSERT_EQ(0, kg_t_load("kg_consumer_ok"));
	fd = open(r->log, O_WRONLY | O_APPEND);
	ASSERT_LE(0, fd);
	ASSERT_EQ(12, write(fd, "{\"seq\":99,\"b", 12));
	close(fd);

	ASSERT_EQ(0, kgd_start(r)) show_stderr(_metadata, r);
	EXPECT_TRUE(kgd_stderr_has(r, "removed a last line cut short"));
	ASSERT_EQ(0, kg_t_unload("kg_consumer_ok"));
	ASSERT_EQ(0, kg_t_load("kg_consumer_ok"));
	n = kgd_wait_lines(r, "load", 5, &v, why, sizeof(why));
	ASSERT_EQ(5, n) {
		TH_LOG("%s", why);
		show_stderr(_metadata, r);
	}
	free(v);
	usleep(300000);
	n = kgd_lines(r->log, r->base, "load", &v, why, sizeof(why));
	ASSERT_EQ(5, n) TH_LOG("%s", why);
	EXPECT_TRUE(kj_is(&v[2], "verdict", "audited"));
	free(v);
	EXPECT_EQ(0, kgd_stop(r)) show_stderr(_metadata, r);
}

/* Loads the hostile modules, then kg_consumer_ok @nr_ok times. */
static void hostile_then_normal(struct __test_metadata *_metadata, int nr_ok)
{
	size_t len;
	char *img;
	int i;

	kg_t_unload("kg_huge");
	ASSERT_EQ(0, kg_t_load("kg_huge"));
	ASSERT_EQ(0, kg_t_unload("kg_huge"));
	img = kg_t_evil_module(&len);
	ASSERT_NE(NULL, img);
	ASSERT_EQ(0, syscall(__NR_init_module, img, len, ""))
		TH_LOG("init_module: %s", strerror(errno));
	free(img);
	ASSERT_EQ(0, kg_t_unload(KG_T_EVIL));
	for (i = 0; i < nr_ok; i++) {
		ASSERT_EQ(0, kg_t_load("kg_consumer_ok"));
		ASSERT_EQ(0, kg_t_unload("kg_consumer_ok"));
	}
}

/* The log from base on: kg_huge, kg_evil_import, @nr_ok kg_consumer_ok. */
static void expect_hostile_lines(struct __test_metadata *_metadata,
				 const struct kj *v, int from, int nr_ok)
{
	int i;

	EXPECT_TRUE(kj_is(&v[from], "module", "kg_huge"));
	EXPECT_EQ(301, kj_u64(&v[from], "nr_violations"));
	EXPECT_TRUE(kj_is(&v[from + 1], "module", KG_T_EVIL));
	EXPECT_TRUE(kj_is(&v[from + 1], "violations.0.symbol", KG_T_EVIL_NAME))
		TH_LOG("symbol \"%s\"", kj_get(&v[from + 1],
					       "violations.0.symbol"));
	for (i = 0; i < nr_ok; i++)
		EXPECT_TRUE(kj_is(&v[from + 2 + i], "module", "kg_consumer_ok"))
			TH_LOG("line %d: %s", from + 2 + i,
			       kj_get(&v[from + 2 + i], "module"));
}

/*
 * Hostile events (kg_huge: a 65,531-byte import name, an 8 KiB version,
 * 301 violations; kg_evil_import: a newline, a forged verdict line and
 * ESC in an import name) cannot make the daemon skip what follows them,
 * neither live nor caught up from the ring after a crash.
 */
TEST_F_TIMEOUT(daemon, hostile_events_skip_nothing, 300)
{
	struct kgd_run *r = &self->r;
	struct kj *v = NULL;
	char why[256] = "";
	int n;

	kgd_setup(r, NULL);
	ASSERT_EQ(0, kg_t_load("kg_exporter"));
	ASSERT_EQ(0, kgd_start(r)) show_stderr(_metadata, r);
	ASSERT_TRUE(kgd_wait_stderr(r, "loaded modules checked"));
	r->base = ring_next();

	/* Live. */
	hostile_then_normal(_metadata, 5);
	n = kgd_wait_lines(r, "load", 7, &v, why, sizeof(why));
	ASSERT_EQ(7, n) {
		TH_LOG("%s", why);
		show_stderr(_metadata, r);
	}
	EXPECT_TRUE(kgd_consecutive(v, n, r->base));
	expect_hostile_lines(_metadata, v, 0, 5);
	free(v);

	/* While it is down: caught up from the ring at its restart. */
	kgd_kill9(r);
	hostile_then_normal(_metadata, 3);
	ASSERT_EQ(0, kgd_start(r)) show_stderr(_metadata, r);
	n = kgd_wait_lines(r, "load", 12, &v, why, sizeof(why));
	ASSERT_EQ(12, n) {
		TH_LOG("%s", why);
		show_stderr(_metadata, r);
	}
	EXPECT_TRUE(kgd_consecutive(v, n, r->base));
	expect_hostile_lines(_metadata, v, 7, 3);
	free(v);
	EXPECT_EQ(0, kgd_stop(r)) show_stderr(_metadata, r);
}

/* 1,000 load attempts in a row: 1,000 events, none lost, no overflow. */
TEST_F_TIMEOUT(daemon, burst_of_1000, 900)
{
	struct kgd_run *r = &self->r;
	struct kgc_status st;
	struct kj *v = NULL;
	char why[256] = "";
	int64_t t0;
	int i, n;

	kgd_setup(r, NULL);
	ASSERT_EQ(0, kg_t_load("kg_exporter"));
	ASSERT_EQ(0, kgd_start(r)) show_stderr(_metadata, r);
	/* After the start's retro scan (kg_exporter): only loads follow. */
	ASSERT_TRUE(kgd_wait_stderr(r, "loaded modules checked"));
	r->base = ring_next();
	t0 = kg_t_now_ms();
	for (i = 0; i < KGD_BURST; i++) {
		ASSERT_EQ(0, kg_t_load("kg_consumer_ok")) TH_LOG("load %d", i);
		ASSERT_EQ(0, kg_t_unload("kg_consumer_ok"));
	}
	TH_LOG("%d loads in %lld ms", KGD_BURST,
	       (long long)(kg_t_now_ms() - t0));
	n = kgd_wait_lines(r, "load", KGD_BURST, &v, why, sizeof(why));
	ASSERT_EQ(KGD_BURST, n) {
		TH_LOG("%s", why);
		show_stderr(_metadata, r);
	}
	EXPECT_TRUE(kgd_consecutive(v, n, r->base));
	EXPECT_TRUE(kj_is(&v[KGD_BURST - 1], "module", "kg_consumer_ok"));
	free(v);
	st = status();
	EXPECT_EQ(0, st.ring_overflow);
	EXPECT_EQ(4096, st.ring_size);
	kill(r->pid, SIGUSR1);
	ASSERT_TRUE(kgd_wait_stderr(r, "stats:"));
	EXPECT_EQ(0, kgd_stop(r));
	show_stderr(_metadata, r);
}

/*
 * A tiny receive buffer and a stopped daemon: multicast overflows
 * (ENOBUFS) and the daemon catches up from the ring, losing nothing.
 */
TEST_F_TIMEOUT(daemon, enobufs_catch_up, 300)
{
	struct kgd_run *r = &self->r;
	struct kj *v = NULL;
	char why[256] = "";
	int i, n;

	kgd_setup(r, "events_buffer = 4096\n");
	ASSERT_EQ(0, kg_t_load("kg_exporter"));
	ASSERT_EQ(0, kgd_start(r)) show_stderr(_metadata, r);
	/* After the start's retro scan (kg_exporter): only loads follow. */
	ASSERT_TRUE(kgd_wait_stderr(r, "loaded modules checked"));
	r->base = ring_next();
	kill(r->pid, SIGSTOP);
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, kg_t_load("kg_consumer_ok"));
		ASSERT_EQ(0, kg_t_unload("kg_consumer_ok"));
	}
	kill(r->pid, SIGCONT);
	n = kgd_wait_lines(r, "load", 100, &v, why, sizeof(why));
	ASSERT_EQ(100, n) {
		TH_LOG("%s", why);
		show_stderr(_metadata, r);
	}
	EXPECT_TRUE(kgd_consecutive(v, n, r->base));
	free(v);
	kill(r->pid, SIGUSR1);
	ASSERT_TRUE(kgd_wait_stderr(r, "stats:"));
	EXPECT_FALSE(kgd_stderr_has(r, "(0 ENOBUFS)"));
	EXPECT_EQ(0, kgd_stop(r));
	show_stderr(_metadata, r);
}

/*
 * SIGHUP with a broken policy file: reported with file:line, the running
 * policy stays (same generation). The log is reopened (logrotate). A
 * fixed policy is committed at the next SIGHUP.
 */
TEST_F_TIMEOUT(daemon, sighup_bad_policy_keeps_old, 180)
{
	struct kgd_run *r = &self->r;
	char bad[192], rotated[160], want[256], why[256] = "";
	struct kj *v = NULL;
	uint64_t gen;
	int n;

	kgd_setup(r, NULL);
	r->base = ring_next();
	ASSERT_EQ(0, kgd_start(r)) show_stderr(_metadata, r);
	gen = status().generation;
	ASSERT_NE(0, gen);
	ASSERT_EQ(0, kg_t_load("kg_exporter"));
	ASSERT_EQ(1, kgd_wait_lines(r, "load", 1, &v, why, sizeof(why)));
	free(v);

	snprintf(bad, sizeof(bad), "%s/20-bad.policy", r->policy);
	put_file(bad, "symbol kg_plain_b\nsymbol kg_plain_c bogus=1\n");
	snprintf(rotated, sizeof(rotated), "%s.1", r->log);
	ASSERT_EQ(0, rename(r->log, rotated));
	kill(r->pid, SIGHUP);
	snprintf(want, sizeof(want), "%s:2:", bad);
	ASSERT_TRUE(kgd_wait_stderr(r, want)) show_stderr(_metadata, r);
	snprintf(want, sizeof(want), "policy not changed (generation %llu "
		 "stays)", (unsigned long long)gen);
	EXPECT_TRUE(kgd_wait_stderr(r, want)) show_stderr(_metadata, r);
	EXPECT_EQ(gen, status().generation);
	/* kg_plain_b is still not allowed: the old policy decides. */
	ASSERT_EQ(0, kg_t_load("kg_consumer_forbidden"));
	n = kgd_wait_lines(r, "load", 1, &v, why, sizeof(why));
	ASSERT_EQ(1, n) show_stderr(_metadata, r);
	EXPECT_TRUE(kj_is(&v[0], "verdict", "audited"));
	EXPECT_EQ(gen, kj_u64(&v[0], "generation"));
	free(v);
	/* The rotated file kept the first line only. */
	n = kgd_lines(rotated, r->base, "load", &v, why, sizeof(why));
	EXPECT_EQ(1, n);
	free(v);

	/* Fixed: the next SIGHUP commits it. */
	put_file(bad, "symbol kg_plain_b\n");
	kill(r->pid, SIGHUP);
	snprintf(want, sizeof(want), "policy generation %llu committed: 3 "
		 "rules from 2 files", (unsigned long long)gen + 1);
	ASSERT_TRUE(kgd_wait_stderr(r, want)) show_stderr(_metadata, r);
	EXPECT_EQ(gen + 1, status().generation);
	EXPECT_EQ(0, kgd_stop(r)) show_stderr(_metadata, r);
}

/* How many times s is in the daemon's stderr. */
static int kgd_stderr_count(struct kgd_run *r, const char *s)
{
	char *err = slurp(r->err), *p = err;
	int n = 0;

	while ((p = strstr(p, s))) {
		n++;
		p += strlen(s);
	}
	free(err);
	return n;
}

#define KGD_ROTATIONS	5
#define KGD_ROT_LOADS	300

/*
 * logrotate's way (rename, then SIGUSR2) while modules load: each renamed
 * file ends where the next begins, so the files read oldest first are
 * every event once, in order; SIGUSR2 changes nothing else (no policy
 * commit, no retro scan).
 */
TEST_F_TIMEOUT(daemon, sigusr2_rotation_under_load, 600)
{
	struct kgd_run *r = &self->r;
	char rotated[KGD_ROTATIONS][160], all[160], cmd[1200], why[256] = "";
	struct kj *v = NULL;
	uint64_t gen;
	pid_t child;
	int i, n, st, len;

	kgd_setup(r, NULL);
	ASSERT_EQ(0, kg_t_load("kg_exporter"));
	ASSERT_EQ(0, kgd_start(r)) show_stderr(_metadata, r);
	ASSERT_TRUE(kgd_wait_stderr(r, "loaded modules checked"));
	gen = status().generation;
	r->base = ring_next();
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		for (i = 0; i < KGD_ROT_LOADS; i++)
			if (kg_t_load("kg_consumer_ok") ||
			    kg_t_unload("kg_consumer_ok"))
				_exit(1);
		_exit(0);
	}
	for (i = 0; i < KGD_ROTATIONS; i++) {
		usleep(300000);
		snprintf(rotated[i], sizeof(rotated[i]), "%s.%d", r->log,
			 i + 1);
		ASSERT_EQ(0, rename(r->log, rotated[i]));
		kill(r->pid, SIGUSR2);
		/* One rotation at a time, as logrotate's postrotate. */
		while (kgd_stderr_count(r, "SIGUSR2: reopened") < i + 1 &&
		       kill(r->pid, 0) == 0)
			usleep(20000);
	}
	ASSERT_EQ(child, waitpid(child, &st, 0));
	ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/*
	 * One load after the last rotation, whether or not the loads above
	 * outlasted the rotations (a fast kernel finishes them first).
	 */
	ASSERT_EQ(0, kg_t_load("kg_consumer_ok"));
	ASSERT_EQ(0, kg_t_unload("kg_consumer_ok"));

	/* The files oldest first, as one log. */
	snprintf(all, sizeof(all), "%s/all.jsonl", r->dir);
	len = snprintf(cmd, sizeof(cmd), "cat");
	for (i = 0; i < KGD_ROTATIONS; i++)
		len += snprintf(cmd + len, sizeof(cmd) - len, " %s",
				rotated[i]);
	snprintf(cmd + len, sizeof(cmd) - len, " %s >%s", r->log, all);
	for (i = 0; i < 600; i++) {
		ASSERT_EQ(0, system(cmd));
		n = kgd_lines(all, r->base, "load", &v, why, sizeof(why));
		if (n < 0 || n >= KGD_ROT_LOADS + 1)
			break;
		free(v);
		v = NULL;
		usleep(100000);
	}
	ASSERT_EQ(KGD_ROT_LOADS + 1, n) {
		TH_LOG("%s", why);
		show_stderr(_metadata, r);
	}
	EXPECT_TRUE(kgd_consecutive(v, n, r->base));
	free(v);
	/* The newest event is in the file opened last. */
	n = kgd_lines(r->log, r->base, "load", &v, why, sizeof(why));
	EXPECT_LT(0, n) TH_LOG("%s", why);
	free(v);
	EXPECT_EQ(gen, status().generation);
	EXPECT_EQ(1, kgd_stderr_count(r, "loaded modules checked"));
	EXPECT_EQ(0, kgd_stop(r)) show_stderr(_metadata, r);
}

/*
 * Modules loaded before the policy: the retro scan checks them against it
 * (events of kind scan); kabiguardctl scan does the same on demand.
 */
TEST_F_TIMEOUT(daemon, retro_scan, 180)
{
	struct kgd_run *r = &self->r;
	struct kj *v = NULL;
	char why[256] = "";
	uint64_t gen;
	int n, i, found = 0;

	/* The scanner reads loaded modules' files through modules.dep. */
	ASSERT_EQ(0, system("modinfo -n kg_consumer_forbidden >/dev/null 2>&1"))
		TH_LOG("test modules not in modules.dep (run_vm_tests.sh "
		       "installs them in /lib/modules/KVER/extra)");
	kgd_setup(r, NULL);
	ASSERT_EQ(0, kg_t_load("kg_exporter"));
	ASSERT_EQ(0, kg_t_load("kg_consumer_forbidden"));
	r->base = ring_next();
	ASSERT_EQ(0, kgd_start(r)) show_stderr(_metadata, r);
	gen = status().generation;
	ASSERT_TRUE(kgd_wait_stderr(r, "retro scan: ")) show_stderr(_metadata, r);
	n = kgd_wait_lines(r, "scan", 2, &v, why, sizeof(why));
	ASSERT_LE(2, n) show_stderr(_metadata, r);
	for (i = 0; i < n; i++) {
		EXPECT_TRUE(kj_is(&v[i], "kind", "scan"));
		EXPECT_EQ(gen, kj_u64(&v[i], "generation"));
		EXPECT_TRUE(kj_is(&v[i], "pid", "null"));
		if (kj_is(&v[i], "module", "kg_consumer_forbidden")) {
			found++;
			EXPECT_TRUE(kj_is(&v[i], "verdict", "audited"));
			EXPECT_TRUE(kj_is(&v[i], "violations.0.symbol",
					  "kg_plain_b"));
			EXPECT_EQ(1, kj_u64(&v[i], "nr_violations"));
		}
		if (kj_is(&v[i], "module", "kg_exporter")) {
			found++;
			EXPECT_TRUE(kj_is(&v[i], "verdict", "allowed"));
		}
	}
	EXPECT_EQ(2, found);
	free(v);

	/* On demand: exit 6, a module has violations. */
	r->base = ring_next();
	EXPECT_EQ(6 << 8, system("kabiguardctl scan kg-consumer-forbidden "
				 ">/dev/null"));
	n = kgd_wait_lines(r, "scan", 1, &v, why, sizeof(why));
	ASSERT_EQ(1, n);
	EXPECT_TRUE(kj_is(&v[0], "kind", "scan"));
	EXPECT_TRUE(kj_is(&v[0], "module", "kg_consumer_forbidden"));
	free(v);
	EXPECT_EQ(0, kgd_stop(r)) show_stderr(_metadata, r);
}

TEST_HARNESS_MAIN
