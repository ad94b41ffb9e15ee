// SPDX-License-Identifier: GPL-2.0
/*
 * guard_test: the guard module itself, in a VM boot of its own (it loads,
 * unloads and force-unloads kabiguard.ko, KG_GUARD_KO or
 * /kabiguard/kabiguard.ko):
 *
 *  - ring_size, ring_bytes and max_rules have upper bounds: insmod with a
 *    value beyond them fails with a message naming the bounds, a write
 *    beyond them at run time fails and changes nothing, the largest
 *    values load without a kernel WARN;
 *  - out of memory (simulated with the test-only test_nomem parameter:
 *    Debian's kernels have no fault injection), a load still gets an
 *    event with a sequence number, flagged minimal, and the right
 *    verdict: EPERM in enforce mode, loaded in audit mode;
 *  - dumps need CAP_SYS_MODULE: an unprivileged user's dump is refused,
 *    so it cannot keep rmmod from removing the guard (root's unread dump
 *    does, until its socket closes);
 *  - lock racing rmmod, many rounds, with loads going through the
 *    notifier meanwhile: either lock said so and the guard stays loaded
 *    and cannot be removed, or lock failed.
 *
 * The tests run in order; each leaves a freshly loaded guard behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kg_selftest.h"
#include "kg_nlmsg.h"

#define GUARD		"kabiguard"
#define NOBODY		65534

static const char *guard_ko(void)
{
	const char *p = getenv("KG_GUARD_KO");

	return p && *p ? p : "/kabiguard/kabiguard.ko";
}

/* finit_module(2) of the guard with parameters @args: 0 or the errno. */
static int guard_load(const char *args)
{
	int fd = open(guard_ko(), O_RDONLY | O_CLOEXEC), ret, err;

	if (fd < 0)
		return errno;
	ret = syscall(SYS_finit_module, fd, args, 0);
	err = ret ? errno : 0;
	close(fd);
	return err;
}

/* delete_module(2): 0 or the errno; @force adds O_TRUNC (rmmod -f). */
static int guard_unload(bool force)
{
	int flags = O_NONBLOCK | (force ? O_TRUNC : 0);

	return syscall(SYS_delete_module, GUARD, flags) ? errno : 0;
}

static void guard_fresh(struct __test_metadata *_metadata)
{
	if (kg_t_loaded(GUARD))
		ASSERT_EQ(0, guard_unload(false));
	ASSERT_EQ(0, guard_load(""));
}

/* A kernel WARN or BUG since the mark, for the failure message. */
static bool kmsg_has_warn(struct kg_t_kmsg *k)
{
	char *log = kg_t_kmsg_read(k);
	bool warn = log && (strstr(log, "WARNING:") || strstr(log, "BUG:"));

	free(log);
	return warn;
}

/* Each test loads and unloads the guard: slow under TCG. */
FIXTURE(g) {
	int unused;
};

FIXTURE_SETUP(g)
{
}

FIXTURE_TEARDOWN(g)
{
}

static const struct {
	const char *args, *name, *bounds;
} too_large[] = {
	{ "ring_size=65537", "ring_size", "from 1 to 65536" },
	{ "ring_size=4294967295", "ring_size", "from 1 to 65536" },
	{ "ring_size=0", "ring_size", "from 1 to 65536" },
	{ "ring_bytes=268435457", "ring_bytes", "from 1 to 268435456" },
	{ "max_rules=1000001", "max_rules", "from 0 to 1000000" },
	{ "max_rules=99999999999", "max_rules", "from 0 to 1000000" },
};

TEST_F_TIMEOUT(g, bounds_at_load, 300)
{
	struct kgc_client *c;
	struct kgc_status st;
	struct kg_t_kmsg k;
	unsigned long v;
	unsigned int i;
	char line[128];
	char *log;

	ASSERT_TRUE(kg_t_loaded(GUARD)) TH_LOG("run with kabiguard loaded");
	ASSERT_EQ(0, guard_unload(false));
	for (i = 0; i < ARRAY_SIZE(too_large); i++) {
		kg_t_kmsg_mark(&k);
		EXPECT_EQ(EINVAL, guard_load(too_large[i].args))
			TH_LOG("insmod %s", too_large[i].args);
		EXPECT_FALSE(kg_t_loaded(GUARD));
		log = kg_t_kmsg_read(&k);
		kg_t_kmsg_close(&k);
		snprintf(line, sizeof(line), "kabiguard: %s must be a number %s",
			 too_large[i].name, too_large[i].bounds);
		EXPECT_TRUE(log && kg_t_log_has(log, line))
			TH_LOG("insmod %s: no \"%s\" in the kernel log:\n%s",
			       too_large[i].args, line, log ? log : "");
		free(log);
		if (kg_t_loaded(GUARD))
			guard_unload(false);
	}

	/* The largest values load, with no WARN from a huge allocation. */
	kg_t_kmsg_mark(&k);
	ASSERT_EQ(0, guard_load("ring_size=65536 ring_bytes=268435456 max_rules=1000000"));
	EXPECT_FALSE(kmsg_has_warn(&k));
	kg_t_kmsg_close(&k);
	ASSERT_EQ(0, kgc_open(&c));
	ASSERT_EQ(0, kgc_cmd_get_status(c, &st));
	kgc_close(c);
	EXPECT_EQ(65536, st.ring_size);
	EXPECT_EQ(268435456, st.ring_bytes_max);
	EXPECT_EQ(1000000, st.max_rules);
	ASSERT_EQ(0, kg_t_param_read("ring_size", &v));
	EXPECT_EQ(65536, v);
	guard_fresh(_metadata);
}

TEST_F_TIMEOUT(g, bounds_at_run_time, 300)
{
	static const struct {
		const char *name, *val;
	} bad[] = {
		{ "max_rules", "1000001" }, { "max_rules", "-1" },
		{ "max_rules", "lots" }, { "ring_bytes", "268435457" },
		{ "ring_bytes", "0" }, { "ring_bytes", "4294967296" },
	};
	unsigned long before, after;
	unsigned int i;

	guard_fresh(_metadata);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ASSERT_EQ(0, kg_t_param_read(bad[i].name, &before));
		EXPECT_EQ(-EINVAL, kg_t_param_write(bad[i].name, bad[i].val))
			TH_LOG("%s=%s", bad[i].name, bad[i].val);
		ASSERT_EQ(0, kg_t_param_read(bad[i].name, &after));
		EXPECT_EQ(before, after) TH_LOG("%s=%s", bad[i].name, bad[i].val);
	}
	/* Within bounds, writable before the lock. */
	ASSERT_EQ(0, kg_t_param_write("max_rules", "1000000"));
	ASSERT_EQ(0, kg_t_param_read("max_rules", &after));
	EXPECT_EQ(1000000, after);
	ASSERT_EQ(0, kg_t_param_write("ring_bytes", "268435456"));
	ASSERT_EQ(0, kg_t_param_read("ring_bytes", &after));
	EXPECT_EQ(268435456, after);
	/* Not writable at all: the ring is allocated once, at load. */
	EXPECT_NE(0, kg_t_param_write("ring_size", "32"));
	ASSERT_EQ(0, kg_t_param_read("ring_size", &after));
	EXPECT_EQ(4096, after);
	guard_fresh(_metadata);
}

/* ------------------------------------------------------------------ */
/* Out of memory                                                       */

struct last_event {
	uint64_t seq;
	struct kgc_event ev;	/* scalars only: viol is not kept */
	unsigned int n;
};

static int keep_last(const struct kgc_event *ev, void *arg)
{
	struct last_event *l = arg;

	l->n++;
	l->seq = ev->seq;
	l->ev = *ev;
	l->ev.viol = NULL;
	return 0;
}

/* Load @name with test_nomem=@nomem; the event it got, from the ring. */
static int load_nomem(struct __test_metadata *_metadata, struct kgc_client *c,
		      const char *nomem, const char *name, struct last_event *l)
{
	struct kgc_status st;
	int err;

	ASSERT_EQ(0, kgc_cmd_get_status(c, &st));
	ASSERT_EQ(0, kg_t_param_write("test_nomem", nomem));
	err = kg_t_load(name);
	EXPECT_EQ(0, kg_t_param_write("test_nomem", "0"));
	memset(l, 0, sizeof(*l));
	EXPECT_EQ(0, kgc_cmd_events_get(c, st.ring_next, keep_last, l));
	EXPECT_EQ(1, l->n) TH_LOG("%s: %u events", name, l->n);
	EXPECT_EQ(st.ring_next, l->seq);
	return err;
}

static void expect_minimal(struct __test_metadata *_metadata,
			   const struct last_event *l, const char *name,
			   enum kabiguard_verdict verdict, uint32_t nr_viol)
{
	EXPECT_STREQ(name, l->ev.module);
	EXPECT_EQ(verdict, l->ev.verdict);
	EXPECT_TRUE(l->ev.flags & KABIGUARD_EVF_MINIMAL)
		TH_LOG("%s: flags 0x%x", name, l->ev.flags);
	EXPECT_EQ(nr_viol, l->ev.nr_violations);
	EXPECT_EQ(0, l->ev.nr_listed);
	EXPECT_EQ(!!nr_viol, !!(l->ev.flags & KABIGUARD_EVF_VIOLATIONS_CUT));
	EXPECT_NE(0, l->ev.nr_imports);
}

TEST_F_TIMEOUT(g, nomem_minimal_event, 300)
{
	struct kgc_rule rules[] = {
		KG_R_VMLINUX, KG_R_SYM("kg_plain_a", .exporter = "kg_exporter"),
	};
	struct kgc_policy p = { .rules = rules, .nr = 2, .cap = 2 };
	static const char * const nomem[] = { "1", "2" };
	struct kgc_client *c;
	struct last_event l;
	unsigned int i;

	guard_fresh(_metadata);
	ASSERT_EQ(0, kgc_open(&c));
	ASSERT_EQ(0, kgc_policy_push(c, &p, NULL));
	if (!kg_t_loaded("kg_exporter"))
		ASSERT_EQ(0, kg_t_load("kg_exporter"));

	for (i = 0; i < ARRAY_SIZE(nomem); i++) {
		TH_LOG("test_nomem=%s (%s)", nomem[i],
		       i ? "the event message" : "the verdict's memory");
		/* Audit: loaded, and still an event with a number. */
		ASSERT_EQ(0, kgc_cmd_set_mode(c, KABIGUARD_MODE_AUDIT));
		EXPECT_EQ(0, load_nomem(_metadata, c, nomem[i],
					"kg_consumer_forbidden", &l));
		expect_minimal(_metadata, &l, "kg_consumer_forbidden",
			       KABIGUARD_VERDICT_AUDITED, 1);
		EXPECT_TRUE(kg_t_loaded("kg_consumer_forbidden"));
		kg_t_unload("kg_consumer_forbidden");

		/* Enforce: EPERM, as documented, not ENOMEM. */
		ASSERT_EQ(0, kgc_cmd_set_mode(c, KABIGUARD_MODE_ENFORCE));
		EXPECT_EQ(EPERM, load_nomem(_metadata, c, nomem[i],
					    "kg_consumer_forbidden", &l));
		expect_minimal(_metadata, &l, "kg_consumer_forbidden",
			       KABIGUARD_VERDICT_DENIED, 1);
		EXPECT_FALSE(kg_t_loaded("kg_consumer_forbidden"));
		EXPECT_EQ(0, load_nomem(_metadata, c, nomem[i],
					"kg_consumer_ok", &l));
		expect_minimal(_metadata, &l, "kg_consumer_ok",
			       KABIGUARD_VERDICT_ALLOWED, 0);
		kg_t_unload("kg_consumer_ok");
	}
	/* test_nomem back at 0: full events again. */
	EXPECT_EQ(EPERM, load_nomem(_metadata, c, "0", "kg_consumer_forbidden",
				    &l));
	EXPECT_FALSE(l.ev.flags & KABIGUARD_EVF_MINIMAL);
	EXPECT_EQ(1, l.ev.nr_listed);
	EXPECT_TRUE(l.ev.has_process);
	kgc_close(c);
	kg_t_unload("kg_exporter");
	guard_fresh(_metadata);
}

/* ------------------------------------------------------------------ */
/* Dumps and rmmod                                                     */

/* A policy big enough that its dump takes many messages. */
#define BIG_RULES 3000

static void push_big(struct __test_metadata *_metadata, struct kgc_client *c)
{
	static char names[BIG_RULES][24];
	static struct kgc_rule rules[BIG_RULES];
	struct kgc_policy p = { .rules = rules, .nr = BIG_RULES,
			       .cap = BIG_RULES };
	int i, err;

	for (i = 0; i < BIG_RULES; i++) {
		snprintf(names[i], sizeof(names[i]), "kg_guard_test_%d", i);
		rules[i] = (struct kgc_rule)KG_R_SYM(names[i]);
	}
	err = kgc_policy_push(c, &p, NULL);
	ASSERT_EQ(0, err) TH_LOG("push: %s (%s)", strerror(-err), kgc_extack(c));
}

/*
 * Sends POLICY_GET on a fresh socket and reads only the first reply
 * message: -errno of an error reply, else 0 with the dump left unread.
 * *@out keeps the socket open.
 */
static int dump_unread(struct kgc_client **out)
{
	struct kgc_client *c;
	struct nl_msg *msg;
	struct sockaddr_nl peer;
	unsigned char *buf = NULL;
	struct nlmsghdr *h;
	int n, ret;

	ret = kgc_open(&c);
	if (ret)
		return ret;
	*out = c;
	msg = kg_t_genl_msg(c, KABIGUARD_CMD_POLICY_GET, NLM_F_DUMP);
	if (!msg)
		return -ENOMEM;
	ret = nl_send_auto(kgc_sock(c), msg);
	nlmsg_free(msg);
	if (ret < 0)
		return -EIO;
	n = nl_recv(kgc_sock(c), &peer, &buf, NULL);
	if (n <= 0)
		return -EIO;
	h = (struct nlmsghdr *)buf;
	ret = 0;
	if (h->nlmsg_type == NLMSG_ERROR)
		ret = ((struct nlmsgerr *)nlmsg_data(h))->error;
	free(buf);
	return ret;
}

TEST_F_TIMEOUT(g, unprivileged_dump_cannot_pin, 300)
{
	struct kgc_client *c, *held = NULL;
	int pfd[2], status, ret;
	pid_t pid;

	guard_fresh(_metadata);
	ASSERT_EQ(0, kgc_open(&c));
	push_big(_metadata, c);
	kgc_close(c);

	/* Root's unread dump holds the module until its socket closes. */
	ASSERT_EQ(0, dump_unread(&held));
	EXPECT_EQ(EWOULDBLOCK, guard_unload(false));
	EXPECT_TRUE(kg_t_loaded(GUARD));
	kgc_close(held);
	EXPECT_EQ(0, guard_unload(false));
	ASSERT_EQ(0, guard_load(""));
	ASSERT_EQ(0, kgc_open(&c));
	push_big(_metadata, c);
	kgc_close(c);

	/* An unprivileged user's dump is refused and holds nothing. */
	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(pfd[0]);
		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(2);
		held = NULL;
		ret = dump_unread(&held);
		if (write(pfd[1], &ret, sizeof(ret)) != sizeof(ret))
			_exit(3);
		pause();	/* the socket stays open until killed */
		_exit(0);
	}
	close(pfd[1]);
	ASSERT_EQ(sizeof(ret), read(pfd[0], &ret, sizeof(ret)));
	close(pfd[0]);
	EXPECT_EQ(-EPERM, ret);
	EXPECT_EQ(0, guard_unload(false));
	EXPECT_FALSE(kg_t_loaded(GUARD));
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	guard_fresh(_metadata);
}

/* ------------------------------------------------------------------ */
/* lock racing rmmod                                                   */

#define LOCK_ROUNDS 200

struct lock_res {
	int err;
	char extack[128];
};

/* Child: lock once @go is readable; the result to @out. */
static void lock_child(int go, int out)
{
	struct lock_res r = { 0 };
	struct kgc_client *c;
	char b;

	r.err = kgc_open(&c);
	if (read(go, &b, 1) < 0)
		_exit(2);
	if (!r.err) {
		usleep(rand() % 500);
		r.err = kgc_cmd_lock(c);
		snprintf(r.extack, sizeof(r.extack), "%s", kgc_extack(c));
	}
	if (write(out, &r, sizeof(r)) != sizeof(r))
		_exit(3);
	_exit(0);
}

/* Child: loads and unloads a module with many imports, until killed. */
static void loader_child(void)
{
	for (;;) {
		kg_t_load("kg_many_imports");
		kg_t_unload("kg_many_imports");
	}
}

TEST_F_TIMEOUT(g, lock_races_rmmod, 900)
{
	unsigned int round, locked = 0, refused = 0, gone = 0;
	pid_t loader, lk;
	int go[2], res[2], status, rm;
	struct lock_res r;

	guard_fresh(_metadata);
	if (!kg_t_loaded("kg_many_exporter"))
		ASSERT_EQ(0, kg_t_load("kg_many_exporter"));
	loader = fork();
	ASSERT_LE(0, loader);
	if (loader == 0)
		loader_child();

	for (round = 0; round < LOCK_ROUNDS; round++) {
		if (!kg_t_loaded(GUARD))
			ASSERT_EQ(0, guard_load(""));
		ASSERT_EQ(0, pipe(go));
		ASSERT_EQ(0, pipe(res));
		lk = fork();
		ASSERT_LE(0, lk);
		if (lk == 0) {
			srand(round);
			close(go[1]);
			lock_child(go[0], res[1]);
		}
		close(go[0]);
		close(res[1]);
		usleep(round % 7 * 100);
		close(go[1]);	/* go */
		usleep(round % 5 * 100);
		rm = guard_unload(false);
		ASSERT_EQ(sizeof(r), read(res[0], &r, sizeof(r)));
		close(res[0]);
		ASSERT_EQ(lk, waitpid(lk, &status, 0));

		if (r.err == 0) {
			/* Lock said yes: the guard must be there, pinned. */
			locked++;
			ASSERT_TRUE(kg_t_loaded(GUARD))
				TH_LOG("round %u: lock reported success, the guard is gone (rmmod: %s)",
				       round, strerror(rm));
			ASSERT_EQ(EWOULDBLOCK, rm);
			ASSERT_EQ(EWOULDBLOCK, guard_unload(false));
			ASSERT_TRUE(kg_t_loaded(GUARD));
			/* Next round: only rmmod -f removes it now. */
			rm = guard_unload(true);
			if (rm == EWOULDBLOCK)
				SKIP(break, "no CONFIG_MODULE_FORCE_UNLOAD: cannot go on after a lock");
			ASSERT_EQ(0, rm);
			continue;
		}
		/* Lock said no: the guard was going (or gone). */
		ASSERT_EQ(0, rm) TH_LOG("round %u: lock failed (%s, \"%s\") and rmmod too (%s)",
					round, strerror(-r.err), r.extack,
					strerror(rm));
		ASSERT_FALSE(kg_t_loaded(GUARD));
		if (r.err == -ENODEV) {
			refused++;
			EXPECT_NE(NULL, strstr(r.extack, "being unloaded"))
				TH_LOG("extack \"%s\"", r.extack);
		} else {
			/* The family was gone before the request. */
			gone++;
			EXPECT_EQ(-ENOENT, r.err)
				TH_LOG("round %u: %s", round, strerror(-r.err));
		}
	}
	kill(loader, SIGKILL);
	waitpid(loader, &status, 0);
	TH_LOG("%u rounds: lock first %u, lock refused while unloading %u, family gone %u",
	       round, locked, refused, gone);
	kg_t_unload("kg_many_imports");
	kg_t_unload("kg_many_exporter");
	EXPECT_EQ(round, locked + refused + gone);
	guard_fresh(_metadata);
}

int main(int argc, char **argv)
{
	kg_t_require_guard();
	return test_harness_run(argc, argv);
}
