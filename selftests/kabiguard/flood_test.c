// SPDX-License-Identifier: GPL-2.0
/*
 * Floods and stalls (issue 9, part 5), run as root in the VM with
 * kabiguard.ko loaded with ring_size=16 and the kernel's af_alg module
 * installed where modprobe finds it:
 *
 *  - autoload_flood: an earlier denial (kg_consumer_forbidden), then an
 *    unprivileged process (uid nobody) calls socket(AF_ALG, ...) 500 times
 *    while af_alg is denied, so the kernel runs modprobe af_alg each time.
 *    The earlier verdict must still be in the ring and in the kernel log,
 *    af_alg's denials must be one full event plus repeat events whose
 *    newest counts every one of them (the guard's denied counter says how
 *    many), the log must carry the suppression summary, and the printed
 *    plus suppressed af_alg verdicts must add up to that count. The full
 *    event must name the unprivileged task that asked (pid, uid, comm).
 *  - uffd_cmdline: a process whose command line lies in a userfaultfd
 *    page that is never resolved loads a module: its load, and another
 *    module's load and unload, finish in bounded time, and its event says
 *    the command line was not read.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#include "kselftest_harness.h"
#include "kg_selftest.h"

#ifndef AF_ALG
#define AF_ALG 38
#endif

#define EXPORTER	"kg_exporter"
#define CONSUMER_OK	"kg_consumer_ok"
#define CONSUMER_FORB	"kg_consumer_forbidden"
#define FLOOD_TRIES	500
#define FLOOD_COMM	"kg_flood"
#define NOBODY		65534
#define FLOOD_BURST	3

/* Only what kg_consumer_ok needs: af_alg's imports from vmlinux are denied. */
static const struct kgc_rule flood_rules[] = {
	KG_R_SYM("kg_plain_a", .exporter = EXPORTER),
	KG_R_ANY(.exporter = "vmlinux", .module = CONSUMER_OK),
	KG_R_ANY(.exporter = "vmlinux", .module = EXPORTER),
};

struct ring_view {
	bool have_forb;
	uint64_t forb_seq;
	uint64_t alg_full_seq;		/* af_alg's full event */
	struct kgc_event alg_full;	/* its copy (no violations kept) */
	uint64_t alg_repeat_of, alg_repeats, alg_max_count, alg_events;
};

static int view_cb(const struct kgc_event *ev, void *arg)
{
	struct ring_view *v = arg;

	if (!strcmp(ev->module, CONSUMER_FORB) &&
	    ev->verdict == KABIGUARD_VERDICT_DENIED) {
		v->have_forb = true;
		v->forb_seq = ev->seq;
	}
	if (strcmp(ev->module, "af_alg"))
		return 0;
	v->alg_events++;
	if (!ev->repeat_count) {
		v->alg_full_seq = ev->seq;
		v->alg_full = *ev;
		v->alg_full.viol = NULL;
		v->alg_full.nr_listed = 0;
		return 0;
	}
	v->alg_repeats++;
	v->alg_repeat_of = ev->repeat_of;
	if (ev->repeat_count > v->alg_max_count)
		v->alg_max_count = ev->repeat_count;
	return 0;
}

/* Sum of "N verdict lines suppressed (M verdicts; ...)" M's in @log. */
static uint64_t suppressed_verdicts(const char *log, unsigned int *lines)
{
	const char *p = log;
	uint64_t sum = 0;

	*lines = 0;
	while ((p = strstr(p, "\nkabiguard: "))) {
		unsigned long long n, m;

		p += strlen("\nkabiguard: ");
		if (sscanf(p, "%llu verdict lines suppressed (%llu verdicts",
			   &n, &m) == 2) {
			sum += m;
			(*lines)++;
		}
	}
	return sum;
}

/* Lines of @log starting with @prefix. */
static unsigned int count_lines(const char *log, const char *prefix)
{
	size_t n = strlen(prefix);
	unsigned int nr = 0;
	const char *p = log;

	while ((p = strchr(p, '\n'))) {
		p++;
		if (!strncmp(p, prefix, n))
			nr++;
	}
	return nr;
}

static int write_uint(const char *path, unsigned int val)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = fprintf(f, "%u\n", val) > 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static int read_uint(const char *path, unsigned int *val)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%u", val) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

FIXTURE(flood) {
	struct kgc_client *c;
	struct kgc_client *evc;
};

FIXTURE_SETUP(flood)
{
	struct kgc_policy p = { 0 };
	size_t i;

	ASSERT_EQ(0, kgc_open(&self->c));
	ASSERT_EQ(0, kgc_cmd_set_mode(self->c, KABIGUARD_MODE_AUDIT));
	if (!kg_t_loaded(EXPORTER))
		ASSERT_EQ(0, kg_t_load(EXPORTER));
	for (i = 0; i < ARRAY_SIZE(flood_rules); i++)
		ASSERT_EQ(0, kgc_policy_append(&p, &flood_rules[i]));
	ASSERT_EQ(0, kgc_policy_push(self->c, &p, NULL))
		TH_LOG("push: %s", kgc_extack(self->c));
	kgc_policy_free(&p);
	ASSERT_EQ(0, kgc_cmd_set_mode(self->c, KABIGUARD_MODE_ENFORCE));
	ASSERT_EQ(0, kgc_events_open(&self->evc));
}

FIXTURE_TEARDOWN(flood)
{
	kgc_cmd_set_mode(self->c, KABIGUARD_MODE_AUDIT);
	kg_t_unload(CONSUMER_OK);
	kg_t_unload(CONSUMER_FORB);
	kgc_close(self->evc);
	kgc_close(self->c);
}

TEST_F_TIMEOUT(flood, autoload_flood, 1200)
{
	unsigned int interval = 0, burst = 0, summaries, printed;
	struct kgc_status before, after;
	struct ring_view v = { 0 };
	uint64_t denied, alg_denials, suppressed;
	char *log, line[256];
	struct kg_t_kmsg kmsg;
	int status, pipefd[2];
	pid_t pid;

	ASSERT_EQ(0, read_uint("/sys/module/kabiguard/parameters/log_interval",
			       &interval));
	/* A small burst, so that the flood is limited however slow the VM. */
	ASSERT_EQ(0, read_uint("/sys/module/kabiguard/parameters/log_burst",
			       &burst));
	ASSERT_EQ(0, write_uint("/sys/module/kabiguard/parameters/log_burst",
				FLOOD_BURST));
	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &before));
	ASSERT_EQ(16, before.ring_size)
		TH_LOG("load kabiguard.ko with ring_size=16 for this test");

	/*
	 * The earlier verdict that must survive. The log is read from here
	 * on: a record pushed out of the kernel's buffer is skipped.
	 */
	kg_t_kmsg_mark(&kmsg);
	ASSERT_LE(0, kmsg.fd);
	ASSERT_EQ(EPERM, kg_t_load(CONSUMER_FORB));

	/* An unprivileged task asks for af_alg FLOOD_TRIES times. */
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int i, fails = 0, other = 0;

		prctl(PR_SET_NAME, FLOOD_COMM);
		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(2);
		for (i = 0; i < FLOOD_TRIES; i++) {
			int fd = socket(AF_ALG, SOCK_SEQPACKET, 0);

			if (fd >= 0) {
				close(fd);
				_exit(3);	/* af_alg got loaded */
			}
			if (errno == EAFNOSUPPORT)
				fails++;
			else
				other++;
		}
		_exit(fails == FLOOD_TRIES ? 0 : 4);
	}
	close(pipefd[0]);
	close(pipefd[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status))
		TH_LOG("the flooding child: 2 setuid, 3 af_alg loaded, 4 another errno");

	/* The rate limit's window closes and its summary is logged. */
	sleep(interval + 2);
	ASSERT_EQ(0, kgc_cmd_get_status(self->c, &after));
	denied = after.denied - before.denied;
	ASSERT_LE(1 + FLOOD_TRIES, denied)
		TH_LOG("%llu denials: modprobe did not load af_alg each time (is it installed?)",
		       (unsigned long long)denied);
	alg_denials = denied - 1;
	EXPECT_EQ(FLOOD_TRIES, alg_denials);

	/* The ring: the earlier verdict, af_alg's full event, its count. */
	ASSERT_EQ(0, kgc_cmd_events_get(self->c, 0, view_cb, &v));
	EXPECT_TRUE(v.have_forb)
		TH_LOG("the earlier denial left the ring");
	ASSERT_NE(0, v.alg_full_seq);
	EXPECT_EQ(v.alg_full_seq, v.alg_repeat_of);
	EXPECT_EQ(alg_denials, v.alg_max_count);
	EXPECT_GE(16, v.alg_repeats);
	EXPECT_EQ(1 + v.alg_repeats, v.alg_events);
	EXPECT_LT(v.forb_seq, v.alg_full_seq);

	/* The autoload names the task that asked for it. */
	EXPECT_TRUE(v.alg_full.kmod_request);
	EXPECT_TRUE(v.alg_full.has_requester);
	EXPECT_EQ((uint32_t)pid, v.alg_full.req_pid);
	EXPECT_EQ(NOBODY, v.alg_full.req_uid);
	EXPECT_STREQ(FLOOD_COMM, v.alg_full.req_comm);
	EXPECT_STREQ("net-pf-38", v.alg_full.req_name);
	EXPECT_EQ(0, v.alg_full.uid);	/* modprobe itself */

	/* The kernel log: the earlier verdict, the summary, the count. */
	log = kg_t_kmsg_read(&kmsg);
	kg_t_kmsg_close(&kmsg);
	ASSERT_NE(NULL, log);
	snprintf(line, sizeof(line), "kabiguard: %s: denied (enforce,",
		 CONSUMER_FORB);
	EXPECT_NE(NULL, strstr(log, line))
		TH_LOG("the earlier verdict left the kernel log");
	suppressed = suppressed_verdicts(log, &summaries);
	EXPECT_LE(1, summaries);
	printed = count_lines(log, "kabiguard: af_alg: denied");
	EXPECT_EQ(alg_denials, suppressed + printed)
		TH_LOG("%u af_alg verdicts logged + %llu suppressed != %llu",
		       printed, (unsigned long long)suppressed,
		       (unsigned long long)alg_denials);
	/* At most FLOOD_BURST per window, and the windows the flood took. */
	EXPECT_GT(alg_denials / 2, printed);
	TH_LOG("%llu af_alg denials: %u logged, %llu suppressed in %u summaries, %llu repeat events kept",
	       (unsigned long long)alg_denials, printed,
	       (unsigned long long)suppressed, summaries,
	       (unsigned long long)v.alg_repeats);
	free(log);
	write_uint("/sys/module/kabiguard/parameters/log_burst", burst);
}

/*
 * Child: its command line moved into a userfaultfd page nobody resolves;
 * loads CONSUMER_OK, reports the errno on @out, waits for a byte on @in.
 */
static void uffd_child(int out, int in)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };
	long page = sysconf(_SC_PAGESIZE);
	int uffd, err;
	char *area;
	char c;

	prctl(PR_SET_NAME, "kg_uffd");
	area = mmap(NULL, page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (area == MAP_FAILED || uffd < 0 || ioctl(uffd, UFFDIO_API, &api))
		_exit(10);
	reg.range.start = (unsigned long)area;
	reg.range.len = page;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		_exit(11);
	if (prctl(PR_SET_MM, PR_SET_MM_ARG_START, (unsigned long)area, 0, 0) ||
	    prctl(PR_SET_MM, PR_SET_MM_ARG_END, (unsigned long)area + 64, 0, 0))
		_exit(12);
	err = kg_t_load(CONSUMER_OK);
	if (write(out, &err, sizeof(err)) != sizeof(err))
		_exit(13);
	/* The page stays registered and unresolved until told. */
	if (read(in, &c, 1) < 0)
		_exit(14);
	close(uffd);
	_exit(0);
}

TEST_F_TIMEOUT(flood, uffd_cmdline, 300)
{
	int to_parent[2], to_child[2], err = -1, status;
	struct pollfd pfd;
	struct kgc_event ev;
	int64_t t0, took;
	pid_t pid;

	ASSERT_EQ(0, kgc_cmd_set_mode(self->c, KABIGUARD_MODE_AUDIT));
	ASSERT_EQ(0, pipe(to_parent));
	ASSERT_EQ(0, pipe(to_child));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(to_parent[0]);
		close(to_child[1]);
		uffd_child(to_parent[1], to_child[0]);
	}
	close(to_parent[1]);
	close(to_child[0]);

	/* The child's own load must not wait for its command line. */
	t0 = kg_t_now_ms();
	pfd.fd = to_parent[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 60000) != 1) {
		kill(pid, SIGKILL);	/* a fatal signal ends the fault */
		waitpid(pid, &status, 0);
		ASSERT_TRUE(false)
			TH_LOG("a load stalled on a userfaultfd command line for 60 s");
	}
	if (read(to_parent[0], &err, sizeof(err)) != sizeof(err)) {
		waitpid(pid, &status, 0);
		ASSERT_TRUE(false)
			TH_LOG("uffd child exited %d before loading (10 uffd, 11 register, 12 PR_SET_MM)",
			       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	took = kg_t_now_ms() - t0;
	EXPECT_EQ(0, err);

	/* Another load and unload, while the page is still unresolved. */
	t0 = kg_t_now_ms();
	EXPECT_EQ(0, kg_t_load(CONSUMER_FORB));
	EXPECT_EQ(0, kg_t_unload(CONSUMER_FORB));
	EXPECT_EQ(0, kg_t_unload(CONSUMER_OK));
	EXPECT_GT(30000, kg_t_now_ms() - t0);
	EXPECT_GT(30000, took);

	/* The event: the loader, its command line left out and flagged. */
	ASSERT_EQ(1, kg_t_event_for(self->evc, CONSUMER_OK, &ev,
				    KG_EVENT_TIMEOUT_MS));
	EXPECT_EQ((uint32_t)pid, ev.pid);
	EXPECT_STREQ("kg_uffd", ev.comm);
	EXPECT_TRUE(ev.flags & KABIGUARD_EVF_ARGV_NOT_RESIDENT);
	EXPECT_EQ(0, ev.argv_len);
	kgc_event_free(&ev);

	ASSERT_EQ(1, write(to_child[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(int argc, char **argv)
{
	kg_t_require_guard();
	return test_harness_run(argc, argv);
}
