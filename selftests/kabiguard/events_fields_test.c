// SPDX-License-Identifier: GPL-2.0
/*
 * events_fields_test: every event carries a sequence number, its kind,
 * timestamps and the loading process (pid, ppid, uids, comm, exe, cgroup,
 * terminal); a command line longer than the event holds is cut, and said
 * so.
 *
 * One of the events_*_test programs (events_fixture.h): root, kabiguard.ko
 * loaded with a small ring_size.
 */
#include "kselftest_harness.h"
#include "kg_selftest.h"
#include "events_fixture.h"

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

TEST_HARNESS_MAIN
