// SPDX-License-Identifier: GPL-2.0
/*
 * The event sequence, the event ring (KABIGUARD_CMD_EVENTS_GET) and scans
 * of loaded modules (KABIGUARD_CMD_SCAN), in the VM as root with
 * kabiguard.ko loaded with a small ring_size (run_vm_tests.sh uses 16):
 *  - every event carries a sequence number, its kind, timestamps and the
 *    loading process (pid, ppid, uids, comm, exe, cgroup);
 *  - the ring returns the events the multicast group carried, in order,
 *    from any sequence number on, and counts as overflow exactly the
 *    events that left it before a reader declared having them, for each
 *    reader on its own (one reader's declaration hides nothing from
 *    another);
 *  - a scan reports a loaded module's violations as an event of its own
 *    kind, never denies, and refuses unknown modules;
 *  - reading the ring and scanning need CAP_SYS_MODULE, following the
 *    events group CAP_SYS_ADMIN;
 *  - events are bounded: a 65,531-byte import name, an 8 KiB
 *    MODULE_VERSION and 301 violations (kg_huge) give an event with the
 *    strings cut and flagged and the list cut and flagged, that the ring
 *    returns whole;
 *  - an import name with a newline, a forged kabiguard line and ESC
 *    (kg_evil_import) reaches the event as it is and the kernel log
 *    escaped: no forged line, no raw control character.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kg_selftest.h"

#define EXPORTER	"kg_exporter"
#define CONSUMER_OK	"kg_consumer_ok"
#define CONSUMER_FORB	"kg_consumer_forbidden"

static const struct kgc_rule base_rules[] = {
	KG_R_VMLINUX,
	KG_R_SYM("kg_plain_a", .exporter = EXPORTER),
};

struct seqs {
	uint64_t seq[256];
	char module[256][KABIGUARD_MODNAME_MAX];
	size_t nr;
};

static int collect(const struct kgc_event *ev, void *arg)
{
	struct seqs *s = arg;

	if (s->nr < ARRAY_SIZE(s->seq)) {
		s->seq[s->nr] = ev->seq;
		snprintf(s->module[s->nr], sizeof(s->module[0]), "%s",
			 ev->module);
	}
	s->nr++;
	return 0;
}

FIXTURE(ev) {
	struct kgc_client *c;
	struct kgc_client *evc;
	uint64_t gen;
};

FIXTURE_SETUP(ev)
{
	struct kgc_policy p = { 0 };
	size_t i;

	/*
	 * These tests read the verdicts' kernel log lines: the log's rate
	 * limit (flood_test's subject) must not hide them after a burst.
	 */
	ASSERT_EQ(0, kg_t_param_write_ull("log_burst", 10000));

	ASSERT_EQ(0, kgc_open(&self->c));
	for (i = 0; i < ARRAY_SIZE(base_rules); i++)
		ASSERT_EQ(0, kgc_policy_append(&p, &base_rules[i]));
	ASSERT_EQ(0, kgc_policy_push(self->c, &p, &self->gen))
		TH_LOG("push: %s", kgc_extack(self->c));
	kgc_policy_free(&p);
	ASSERT_EQ(0, kgc_cmd_set_mode(self->c, KABIGUARD_MODE_AUDIT));
	if (!kg_t_loaded(EXPORTER))
		ASSERT_EQ(0, kg_t_load(EXPORTER));
	ASSERT_EQ(0, kgc_events_open(&self->evc));
}

FIXTURE_TEARDOWN(ev)
{
	kg_t_unload(CONSUMER_OK);
	kg_t_unload(CONSUMER_FORB);
	kgc_close(self->evc);
	kgc_close(self->c);
}

/* Load and unload @name, returning its verdict event's sequence number. */
static uint64_t load_once(struct __test_metadata *_metadata,
			  FIXTURE_DATA(ev) *self, const char *name)
{
	struct kgc_event ev;
	uint64_t seq;

	ASSERT_EQ(0, kg_t_load(name));
	ASSERT_EQ(0, kg_t_unload(name));
	ASSERT_EQ(1, kg_t_event_for(self->evc, name, &ev, KG_EVENT_TIMEOUT_MS));
	seq = ev.seq;
	kgc_event_free(&ev);
	return seq;
}

/* Child pid loaded CONSUMER_OK and exited 0: its event in *ev. */
static void child_load_event(struct __test_metadata *_metadata,
			     FIXTURE_DATA(ev) *self, pid_t pid,
			     struct kgc_event *ev)
{
	int st;

	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	ASSERT_EQ(0, WEXITSTATUS(st));
	ASSERT_EQ(1, kg_t_event_for(self->evc, CONSUMER_OK, ev,
				    KG_EVENT_TIMEOUT_MS));
	EXPECT_EQ((uint32_t)pid, ev->pid);
}

/* Reads a whole small file; returns its length or -1. */
static ssize_t read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	return n;
}

TEST_F(ev, load_event_fields)
{
	char exe[PATH_MAX], comm[32] = "", buf[4096];
	struct timespec now;
	struct kgc_event ev;
	struct stat st;
	ssize_t n;
	int tty;

	ASSERT_EQ(0, kg_t_load(CONSUMER_OK));
	ASSERT_EQ(1, kg_t_event_for(self->evc, CONSUMER_OK, &ev,
				    KG_EVENT_TIMEOUT_MS));
	clock_gettime(CLOCK_REALTIME, &now);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, n);
	exe[n] = '\0';
	prctl(PR_GET_NAME, comm);

	EXPECT_LT(0, ev.seq);
	EXPECT_EQ(KABIGUARD_EVENT_LOAD, ev.kind);
	EXPECT_EQ(KABIGUARD_VERDICT_ALLOWED, ev.verdict);
	EXPECT_EQ(self->gen, ev.generation);
	/* Wall clock within a minute of ours; boot time set. */
	EXPECT_GT(60ULL * 1000000000ULL,
		  (uint64_t)llabs((long long)(now.tv_sec * 1000000000LL +
					      now.tv_nsec - ev.time_real_ns)));
	EXPECT_LT(0, ev.time_boot_ns);
	EXPECT_EQ((uint32_t)getpid(), ev.pid);
	EXPECT_EQ((uint32_t)getppid(), ev.ppid);
	EXPECT_EQ(0, ev.uid);
	EXPECT_EQ(0, ev.euid);
	EXPECT_STREQ(comm, ev.comm);
	EXPECT_STREQ(exe, ev.exe);
	EXPECT_EQ('/', ev.cgroup[0]) TH_LOG("cgroup \"%s\"", ev.cgroup);
	EXPECT_NE(0, ev.cgroup_id);
	EXPECT_FALSE(ev.kmod_request);
	EXPECT_EQ((uint32_t)getgid(), ev.gid);
	EXPECT_EQ((uint32_t)getegid(), ev.egid);
	ASSERT_EQ(0, stat("/proc/self/ns/pid", &st));
	EXPECT_EQ((uint32_t)st.st_ino, ev.pidns);
	/* A controlling terminal is named; none, none. */
	tty = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (tty >= 0) {
		EXPECT_NE('\0', ev.tty[0]);
		close(tty);
	} else {
		EXPECT_STREQ("", ev.tty);
	}
	TH_LOG("tty \"%s\", pidns %u, cgroup id %llu", ev.tty, ev.pidns,
	       (unsigned long long)ev.cgroup_id);
	/* The command line, as /proc/self/cmdline has it. */
	n = read_file("/proc/self/cmdline", buf, sizeof(buf));
	ASSERT_LT(0, n);
	ASSERT_GE(KABIGUARD_ARGV_MAX, n);
	EXPECT_EQ((size_t)n, ev.argv_len);
	EXPECT_EQ(0, memcmp(buf, ev.argv, n));
	EXPECT_FALSE(ev.argv_truncated);
	/* The LSM label, as /proc/self/attr/current has it (no LSM: none). */
	n = read_file("/proc/self/attr/current", buf, sizeof(buf));
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
		n--;
	buf[n > 0 ? n : 0] = '\0';
	EXPECT_STREQ(buf, ev.lsm_label);
	TH_LOG("lsm label \"%s\"", ev.lsm_label);
	kgc_event_free(&ev);
}

/* A command line longer than the event holds: cut, and said so. */
TEST_F(ev, long_command_line)
{
	static char args[KABIGUARD_ARGV_MAX * 2];
	struct kgc_event ev;
	pid_t pid;

	memset(args, 'x', sizeof(args) - 1);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (prctl(PR_SET_MM, PR_SET_MM_ARG_START, (unsigned long)args,
			  0, 0) ||
		    prctl(PR_SET_MM, PR_SET_MM_ARG_END,
			  (unsigned long)args + sizeof(args), 0, 0))
			_exit(10);
		_exit(kg_t_load(CONSUMER_OK) ? 11 : 0);
	}
	child_load_event(_metadata, self, pid, &ev);
	EXPECT_EQ(KABIGUARD_ARGV_MAX, ev.argv_len);
	EXPECT_TRUE(ev.argv_truncated);
	EXPECT_EQ(0, memcmp(args, ev.argv, KABIGUARD_ARGV_MAX));
	kgc_event_free(&ev);
	EXPECT_EQ(0, kg_t_unload(CONSUMER_OK));
}

/* A loader with a controlling terminal: the event names it as auditd does. */
TEST_F(ev, load_from_a_terminal)
{
	char name[64], want[80];
	struct kgc_event ev;
	int ptm, pts;
	pid_t pid;

	ptm = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	ASSERT_LE(0, ptm);
	ASSERT_EQ(0, grantpt(ptm));
	ASSERT_EQ(0, unlockpt(ptm));
	ASSERT_EQ(0, ptsname_r(ptm, name, sizeof(name)));
	/* /dev/pts/N is the kernel's "ptsN". */
	ASSERT_EQ(0, strncmp(name, "/dev/pts/", 9));
	snprintf(want, sizeof(want), "pts%s", name + 9);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* A new session: opening the slave makes it our terminal. */
		if (setsid() < 0)
			_exit(10);
		pts = open(name, O_RDWR | O_CLOEXEC);
		if (pts < 0)
			_exit(11);
		_exit(kg_t_load(CONSUMER_OK) ? 12 : 0);
	}
	child_load_event(_metadata, self, pid, &ev);
	EXPECT_STREQ(want, ev.tty);
	kgc_event_free(&ev);
	close(ptm);
	EXPECT_EQ(0, kg_t_unload(CONSUMER_OK));
}

TEST_F(ev, ring_matches_multicast)
{
	struct seqs got = { .nr = 0 };
	uint64_t seq[5];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(seq); i++) {
		seq[i] = load_once(_metadata, self, CONSUMER_OK);
		if (i)
			EXPECT_EQ(seq[i - 1] + 1, seq[i]);
	}
	ASSERT_EQ(0, kgc_cmd_events_get(self->c, seq[0], collect, &got));
	ASSERT_EQ(ARRAY_SIZE(seq), got.nr);
	for (i = 0; i < ARRAY_SIZE(seq); i++) {
		EXPECT_EQ(seq[i], got.seq[i]);
		EXPECT_STREQ(CONSUMER_OK, got.module[i]);
	}

	/* From the middle on: no earlier event, no duplicate. */
	got.nr = 0;
	ASSERT_EQ(0, kgc_cmd_events_get(self->c, seq[3], collect, &got));
	ASSERT_EQ(2, got.nr);
	EXPECT_EQ(seq[3], got.seq[0]);
	EXPECT_EQ(seq[4], got.seq[1]);
}

TEST_F(ev, overflow_counts_unread_only)
{
	struct seqs got = { .nr = 0 };
	struct kgc_status st0, st1;
	uint64_t last = 0;
	unsigned int i, n;

	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &st0));
	if (!st0.ring_size || st0.ring_size > 64)
		SKIP(return, "needs kabiguard.ko ring_size=16 (have %u)",
		     st0.ring_size);
	/* Declare everything so far read. */
	ASSERT_EQ(0, kgc_cmd_events_get(self->c, st0.ring_next, collect, &got));
	EXPECT_EQ(0, got.nr);

	n = st0.ring_size + 5;
	for (i = 0; i < n; i++)
		last = load_once(_metadata, self, CONSUMER_OK);
	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &st1));
	EXPECT_EQ(st0.ring_overflow + 5, st1.ring_overflow);
	EXPECT_EQ(last + 1, st1.ring_next);
	EXPECT_EQ(st1.ring_next - st1.ring_size, st1.ring_first);

	/* What is left: the last ring_size events, oldest first. */
	got.nr = 0;
	ASSERT_EQ(0, kgc_cmd_events_get(self->c, st0.ring_next, collect, &got));
	ASSERT_EQ(st1.ring_size, got.nr);
	EXPECT_EQ(st1.ring_first, got.seq[0]);
	EXPECT_EQ(last, got.seq[got.nr - 1]);

	/* Read now: more events that push these out are not overflow. */
	for (i = 0; i < 3; i++)
		load_once(_metadata, self, CONSUMER_OK);
	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &st0));
	EXPECT_EQ(st1.ring_overflow, st0.ring_overflow);
}

/*
 * Each reader counts its own overflow: one reader that declares having
 * everything, even UINT64_MAX, hides nothing from another that lags.
 */
TEST_F(ev, overflow_per_reader)
{
	struct seqs got = { .nr = 0 };
	struct kgc_status st0, st1, a, b;
	struct kgc_client *rb;
	unsigned int i, n;

	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &st0));
	if (!st0.ring_size || st0.ring_size > 64)
		SKIP(return, "needs kabiguard.ko ring_size=16 (have %u)",
		     st0.ring_size);
	ASSERT_EQ(0, kgc_open(&rb));
	/* A (self->c) has everything so far; B claims far more. */
	ASSERT_EQ(0, kgc_cmd_events_get(self->c, st0.ring_next, collect, &got));
	ASSERT_EQ(0, kgc_cmd_events_get(rb, UINT64_MAX, collect, &got));
	EXPECT_EQ(0, got.nr);
	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &a));
	ASSERT_EQ(0, kgc_cmd_get_status(rb, &b));
	ASSERT_TRUE(a.ring_reader);
	ASSERT_TRUE(b.ring_reader);

	n = st0.ring_size + 5;
	for (i = 0; i < n; i++)
		load_once(_metadata, self, CONSUMER_OK);
	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &st1));
	EXPECT_EQ(st0.ring_overflow + 5, st1.ring_overflow);
	EXPECT_EQ(a.ring_reader_overflow + 5, st1.ring_reader_overflow);
	/* B's UINT64_MAX declared only the events that existed. */
	ASSERT_EQ(0, kgc_cmd_get_status(rb, &st1));
	EXPECT_EQ(b.ring_reader_overflow + 5, st1.ring_reader_overflow);

	/* B reads everything now; A does not: A's loss still counts. */
	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &a));
	ASSERT_EQ(0, kgc_cmd_get_status(rb, &b));
	got.nr = 0;
	ASSERT_EQ(0, kgc_cmd_events_get(rb, a.ring_first, collect, &got));
	EXPECT_EQ(a.ring_size, got.nr);
	ASSERT_EQ(0, kgc_cmd_events_get(rb, UINT64_MAX, collect, &got));
	for (i = 0; i < 3; i++)
		load_once(_metadata, self, CONSUMER_OK);
	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &st1));
	EXPECT_EQ(a.ring_overflow + 3, st1.ring_overflow);
	EXPECT_EQ(a.ring_reader_overflow + 3, st1.ring_reader_overflow);
	ASSERT_EQ(0, kgc_cmd_get_status(rb, &st1));
	EXPECT_EQ(b.ring_reader_overflow, st1.ring_reader_overflow);
	kgc_close(rb);

	/* A socket that never read the ring gets no count of its own. */
	ASSERT_EQ(0, kgc_open(&rb));
	ASSERT_EQ(0, kgc_cmd_get_status(rb, &b));
	EXPECT_FALSE(b.ring_reader);
	kgc_close(rb);
}

/*
 * ring_bytes bounds what the ring holds: the oldest events leave first,
 * unread ones count as overflow, the newest always stays.
 */
TEST_F(ev, ring_byte_limit)
{
	struct seqs got = { .nr = 0 };
	struct kgc_status st0, st1;
	uint64_t first = 0, last = 0;
	unsigned int i, kept;

	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &st0));
	ASSERT_NE(0, st0.ring_bytes_max);
	ASSERT_GE(st0.ring_bytes_max, st0.ring_bytes);
	/* Declare everything so far read. */
	ASSERT_EQ(0, kgc_cmd_events_get(self->c, st0.ring_next, collect, &got));

	/* One byte: only the newest event stays, over the limit. */
	ASSERT_EQ(0, kg_t_param_write_ull("ring_bytes", 1));
	first = load_once(_metadata, self, CONSUMER_OK);
	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &st1));
	EXPECT_EQ(first, st1.ring_first);
	EXPECT_LT(1, st1.ring_bytes);
	EXPECT_EQ(1, st1.ring_bytes_max);
	/* Room for two events of that size (all of them are). */
	ASSERT_EQ(0, kg_t_param_write_ull("ring_bytes",
					  st1.ring_bytes * 2 + 1));
	for (i = 0; i < 6; i++)
		last = load_once(_metadata, self, CONSUMER_OK);
	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &st1));
	EXPECT_EQ(0, kg_t_param_write_ull("ring_bytes", st0.ring_bytes_max));

	kept = st1.ring_next - st1.ring_first;
	TH_LOG("%u events kept in %llu of %llu bytes", kept,
	       (unsigned long long)st1.ring_bytes,
	       (unsigned long long)st1.ring_bytes_max);
	EXPECT_EQ(2, kept);
	EXPECT_GE(st1.ring_bytes_max, st1.ring_bytes);
	/* The events that left unread: overflow. */
	EXPECT_EQ(st0.ring_overflow + (st1.ring_first - first),
		  st1.ring_overflow);
	got.nr = 0;
	ASSERT_EQ(0, kgc_cmd_events_get(self->c, first, collect, &got));
	ASSERT_EQ(kept, got.nr);
	EXPECT_EQ(st1.ring_first, got.seq[0]);
	EXPECT_EQ(last, got.seq[got.nr - 1]);
}

/*
 * The name the test modules' pr_*() calls import: _printk since 5.15,
 * printk before (5.10). Read from the module, as the guard sees it.
 */
static const char *printk_name(struct __test_metadata *_metadata)
{
	struct kg_t_ko ko;

	EXPECT_EQ(0, kg_t_read_ko(CONSUMER_FORB, &ko));
	if (_metadata->passed == 0)
		return "_printk";
	if (kg_t_ko_import_index(&ko, "_printk") >= 0)
		return "_printk";
	EXPECT_LE(0, kg_t_ko_import_index(&ko, "printk"))
		TH_LOG("%s imports neither _printk nor printk", CONSUMER_FORB);
	return "printk";
}

TEST_F(ev, scan_reports_loaded_module)
{
	const char *imports[] = {
		"kg_plain_a", "kg_plain_b", printk_name(_metadata),
	};
	struct kg_t_kmsg k;
	struct kgc_event ev;
	char *log;

	TH_LOG("the modules print with %s", imports[2]);
	ASSERT_EQ(0, kg_t_load(CONSUMER_FORB));
	ASSERT_EQ(1, kg_t_event_for(self->evc, CONSUMER_FORB, &ev,
				    KG_EVENT_TIMEOUT_MS));
	kgc_event_free(&ev);

	kg_t_kmsg_mark(&k);
	ASSERT_EQ(0, kgc_cmd_scan(self->c, CONSUMER_FORB, imports,
			     ARRAY_SIZE(imports)))
		TH_LOG("scan: %s", kgc_extack(self->c));
	ASSERT_EQ(1, kg_t_event_for(self->evc, CONSUMER_FORB, &ev,
				    KG_EVENT_TIMEOUT_MS));
	EXPECT_EQ(KABIGUARD_EVENT_SCAN, ev.kind);
	EXPECT_EQ(KABIGUARD_VERDICT_AUDITED, ev.verdict);
	EXPECT_EQ(3, ev.nr_imports);
	ASSERT_EQ(1, ev.nr_violations);
	ASSERT_EQ(1, ev.nr_listed);
	EXPECT_STREQ("kg_plain_b", ev.viol[0].symbol);
	EXPECT_STREQ(EXPORTER, ev.viol[0].exporter);
	EXPECT_EQ(KABIGUARD_REASON_NOT_ALLOWED, ev.viol[0].reason);
	/* A scan has no loading process. */
	EXPECT_EQ(0, ev.pid);
	kgc_event_free(&ev);

	log = kg_t_kmsg_read(&k);
	ASSERT_NE(NULL, log);
	EXPECT_NE(NULL, strstr(log,
		"\nkabiguard: kg_consumer_forbidden: scanned: audited (audit, generation "))
		TH_LOG("kernel log:\n%s", log);
	EXPECT_NE(NULL, strstr(log, "), 1 of 3 imports not allowed\n"))
		TH_LOG("kernel log:\n%s", log);
	EXPECT_TRUE(kg_t_log_has(log,
		"kabiguard: kg_consumer_forbidden: kg_plain_b from kg_exporter: not allowed"))
		TH_LOG("kernel log:\n%s", log);
	free(log);
	kg_t_kmsg_close(&k);

	/* Enforce mode does not make a scan deny anything. */
	ASSERT_EQ(0, kgc_cmd_set_mode(self->c, KABIGUARD_MODE_ENFORCE));
	ASSERT_EQ(0, kgc_cmd_scan(self->c, CONSUMER_FORB, imports,
			     ARRAY_SIZE(imports)));
	ASSERT_EQ(1, kg_t_event_for(self->evc, CONSUMER_FORB, &ev,
				    KG_EVENT_TIMEOUT_MS));
	EXPECT_EQ(KABIGUARD_VERDICT_AUDITED, ev.verdict);
	kgc_event_free(&ev);
	EXPECT_TRUE(kg_t_loaded(CONSUMER_FORB));
	ASSERT_EQ(0, kgc_cmd_set_mode(self->c, KABIGUARD_MODE_AUDIT));
}

TEST_F(ev, scan_unknown_module)
{
	const char *imports[] = { printk_name(_metadata) };

	EXPECT_EQ(-ENOENT, kgc_cmd_scan(self->c, "kg_no_such_module", imports, 1));
	EXPECT_NE(NULL, strstr(kgc_extack(self->c), "no live module"));
}

static int nop(const struct kgc_event *ev, void *arg)
{
	(void)ev;
	(void)arg;
	return 0;
}

/*
 * In a child that drops to nobody: the ring and scans are refused; joining
 * the events group gives @join_err (0 or -EPERM). Returns the child's exit
 * status: 0, or the step that failed.
 */
static int unprivileged_child(const char *printk, int join_err)
{
	const char *imports[] = { printk };
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return 9;
	if (!pid) {
		struct kgc_client *c;

		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534) || kgc_open(&c))
			_exit(10);
		if (kgc_cmd_events_get(c, 0, nop, NULL) != -EPERM)
			_exit(11);
		if (kgc_cmd_scan(c, EXPORTER, imports, 1) != -EPERM)
			_exit(12);
		kgc_close(c);
		if (kgc_events_open(&c) != join_err)
			_exit(13);
		if (!join_err)
			kgc_close(c);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 8;
	return WEXITSTATUS(status);
}

/* Where the kernel can require it, only CAP_SYS_ADMIN follows events live. */
TEST_F(ev, unprivileged_refused)
{
	struct kgc_status st;
	int step;

	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &st));
	if (!(st.features & KABIGUARD_FEAT_EVENTS_ADMIN))
		SKIP(return,
		     "kernel cannot restrict a genl multicast group (no GENL_MCAST_CAP_SYS_ADMIN): unprivileged_events_open_on_old_kernel checks what it does");
	step = unprivileged_child(printk_name(_metadata), -EPERM);
	EXPECT_EQ(0, step) TH_LOG("child step %d failed", step);
}

/*
 * Before Linux 6.7 (and 6.1.66) a genl multicast group cannot require a
 * capability: there any local user may join the events group (a known gap,
 * in the uapi header), while the ring and scans stay refused.
 */
TEST_F(ev, unprivileged_events_open_on_old_kernel)
{
	struct kgc_status st;
	int step;

	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &st));
	if (st.features & KABIGUARD_FEAT_EVENTS_ADMIN)
		SKIP(return,
		     "kernel restricts the events group to CAP_SYS_ADMIN: unprivileged_refused checks it");
	step = unprivileged_child(printk_name(_metadata), 0);
	EXPECT_EQ(0, step) TH_LOG("child step %d failed", step);
}

#define HUGE		"kg_huge"
#define HUGE_VIOLATIONS	301	/* the long name and kg_huge_w_000..299 */
#define EVIL		KG_T_EVIL
#define EVIL_BUILT	KG_T_EVIL_BUILT
#define EVIL_NAME	KG_T_EVIL_NAME

struct find_seq {
	uint64_t seq;
	int found;
	char module[KABIGUARD_MODNAME_MAX];
	size_t nr_listed;
	uint32_t nr_violations, flags;
};

static int find_seq(const struct kgc_event *ev, void *arg)
{
	struct find_seq *f = arg;

	if (ev->seq != f->seq)
		return 0;
	f->found++;
	snprintf(f->module, sizeof(f->module), "%s", ev->module);
	f->nr_listed = ev->nr_listed;
	f->nr_violations = ev->nr_violations;
	f->flags = ev->flags;
	return 0;
}

TEST_F(ev, huge_event_bounded)
{
	const struct kgc_violation *longest = NULL;
	struct find_seq f = { 0 };
	struct kgc_event ev, next;
	size_t i;

	kg_t_unload(HUGE);
	ASSERT_EQ(0, kg_t_load(HUGE));
	ASSERT_EQ(1, kg_t_event_for(self->evc, HUGE, &ev, KG_EVENT_TIMEOUT_MS));
	EXPECT_NE(0, ev.seq);
	EXPECT_EQ(KABIGUARD_VERDICT_AUDITED, ev.verdict);
	EXPECT_EQ(0, ev.flags & KABIGUARD_EVF_MINIMAL);
	EXPECT_TRUE(ev.has_process);
	/* Every violation counted, fewer listed, and the cut said. */
	EXPECT_EQ(HUGE_VIOLATIONS, ev.nr_violations);
	EXPECT_LE(ev.nr_listed, KABIGUARD_MAX_VIOLATIONS);
	EXPECT_LT(ev.nr_listed, ev.nr_violations);
	EXPECT_NE(0, ev.flags & KABIGUARD_EVF_VIOLATIONS_CUT);
	/* The 8 KiB version cut at its limit, and flagged. */
	EXPECT_EQ(KABIGUARD_MODINFO_MAX - 1, strlen(ev.version));
	EXPECT_EQ(KABIGUARD_MODINFO_MAX - 1, strspn(ev.version, "9"));
	EXPECT_NE(0, ev.flags & KABIGUARD_EVF_VERSION_TRUNC);
	EXPECT_EQ(0, ev.flags & KABIGUARD_EVF_MODULE_TRUNC);
	/* The 65,531-byte name cut (at KSYM_NAME_LEN at most), and flagged;
	 * no other violation flagged. */
	for (i = 0; i < ev.nr_listed; i++) {
		const struct kgc_violation *v = &ev.viol[i];

		EXPECT_LT(strlen(v->symbol), KABIGUARD_SYMBOL_MAX);
		if (!strncmp(v->symbol, "kg_huge_aaaa", 12)) {
			longest = v;
			continue;
		}
		EXPECT_EQ(0, v->flags) TH_LOG("%s", v->symbol);
	}
	ASSERT_NE(NULL, longest) TH_LOG("the long import is not listed");
	EXPECT_NE(0, longest->flags & KABIGUARD_VIOLF_SYMBOL_TRUNC);
	EXPECT_LE(127, strlen(longest->symbol));
	EXPECT_EQ(strlen(longest->symbol) - 8,
		  strspn(longest->symbol + 8, "a"));
	TH_LOG("long import listed as %zu bytes, %zu of %u violations listed",
	       strlen(longest->symbol), ev.nr_listed, ev.nr_violations);

	/* The ring returns it whole. */
	f.seq = ev.seq;
	ASSERT_EQ(0, kgc_cmd_events_get(self->c, ev.seq, find_seq, &f));
	ASSERT_EQ(1, f.found);
	EXPECT_STREQ(HUGE, f.module);
	EXPECT_EQ(ev.nr_listed, f.nr_listed);
	EXPECT_EQ(ev.nr_violations, f.nr_violations);
	EXPECT_EQ(ev.flags, f.flags);
	/* And the next event follows it: nothing forged a sequence number. */
	ASSERT_EQ(0, kg_t_unload(HUGE));
	ASSERT_EQ(0, kg_t_load(CONSUMER_OK));
	ASSERT_EQ(1, kg_t_event_for(self->evc, CONSUMER_OK, &next,
				    KG_EVENT_TIMEOUT_MS));
	EXPECT_EQ(ev.seq + 1, next.seq);
	kgc_event_free(&next);
	kgc_event_free(&ev);
}

TEST_F(ev, evil_import_escaped)
{
	char *img, *log, *p;
	const struct kgc_violation *v = NULL;
	struct kgc_event ev;
	size_t len, i;
	int n;

	ASSERT_EQ(strlen(EVIL_BUILT), strlen(EVIL_NAME));
	kg_t_unload(EVIL);
	img = kg_t_evil_module(&len);
	ASSERT_NE(NULL, img);
	ASSERT_EQ(0, klogctl(5 /* SYSLOG_ACTION_CLEAR */, NULL, 0));
	ASSERT_EQ(0, syscall(__NR_init_module, img, len, ""))
		TH_LOG("init_module: %s", strerror(errno));
	free(img);
	ASSERT_EQ(1, kg_t_event_for(self->evc, EVIL, &ev, KG_EVENT_TIMEOUT_MS));
	/* The event carries the name as it is (JSON and text escape it). */
	for (i = 0; i < ev.nr_listed; i++)
		if (!strcmp(ev.viol[i].symbol, EVIL_NAME))
			v = &ev.viol[i];
	EXPECT_NE(NULL, v);
	kgc_event_free(&ev);
	kg_t_unload(EVIL);

	/* The raw kernel log (syslog(2), not /dev/kmsg, which escapes). */
	n = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	ASSERT_LT(0, n);
	log = calloc(1, n + 1);
	ASSERT_NE(NULL, log);
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, n);
	ASSERT_LT(0, n);
	log[n] = '\0';
	EXPECT_EQ(NULL, memchr(log, '\033', n)) TH_LOG("raw ESC in the log");
	EXPECT_EQ(NULL, strstr(log, "] kabiguard: evil:"))
		TH_LOG("forged line:\n%s", log);
	EXPECT_EQ(NULL, strstr(log, "\nkabiguard: evil:"))
		TH_LOG("forged line:\n%s", log);
	p = strstr(log, "kabiguard: kg_evil_import: kg_evil\\nkabiguard: evil: allowed (enforce, generation 1), 3 imports\\");
	EXPECT_NE(NULL, p) TH_LOG("kernel log:\n%s", log);
	free(log);
}

TEST_HARNESS_MAIN
