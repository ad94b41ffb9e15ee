// SPDX-License-Identifier: GPL-2.0
/*
 * genl_fuzz_test [-n MESSAGES] [-s SEED] [-u PERCENT] [-l EVERY] [-L] [-v]
 *
 * A generic netlink fuzzer for the kabiguard family. It reads the family's
 * own attribute policies from the kernel (nlctrl CTRL_CMD_GETPOLICY) and
 * sends MESSAGES (default 100000) valid, mutated and random requests,
 * batches, half-read dumps, abandoned policy transactions and multicast
 * joins and leaves: PERCENT of them (default 20) as the unprivileged user
 * nobody (the second half of those from a user namespace of its own)
 * while root loads and unloads test modules (in audit mode: the guard's
 * state must not change meanwhile), the rest as root with a test module
 * loaded and unloaded every EVERY (default 1000) messages, each time in
 * audit or enforce mode, so that events flow.
 * Root never sends KABIGUARD_CMD_LOCK (it would seal the guard until
 * reboot); everything else, mode and policy changes included, is fair
 * game; at the end the mode found is put back, and the policy found if
 * there was one (else the checks' policy stays, "any" and one symbol
 * rule: "no policy yet" cannot be restored). With -L, last of all, root
 * locks the guard and sends MESSAGES / 10 more, LOCK included: the guard
 * stays locked, mode and policy unchanged (use it as the last thing in a
 * boot: the lock lasts until reboot).
 *
 * Then, as TAP: the kernel log holds no oops, BUG, WARNING, sanitizer,
 * lockdep, lockup or hung task report; the unprivileged messages changed
 * nothing and got nothing but the status; the guard answers GET_STATUS
 * and a policy dump with what was just committed; a module load gets a
 * verdict event with the next sequence number. -v prints every command
 * and attribute the kernel reported. The seed is printed first:
 * -s SEED replays the same requests on the same kernel. Needs root,
 * kabiguard.ko loaded and the test modules (KG_TEST_MODULES).
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest.h"
#include "kg_selftest.h"
#include "genl_fuzz_run.h"

#define NOBODY		65534
#define MARKER		"kg_fuzz_marker"

struct fz_opts {
	unsigned long messages;
	uint64_t seed;
	unsigned int unpriv_pct, load_every;
	bool lock, verbose;
};

static double fz_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Root's request socket, besides the fuzzing ones. */
static struct kgc_client *fz_admin;

/*
 * A test module in and out, as a user would load one: events flow. The
 * fuzzing may have switched the guard off, which stops events: audit or
 * enforce first (enforce fails while no policy was ever committed).
 */
static void fz_load_cycle(struct fz_stats *st, unsigned int n, bool mode)
{
	int err;

	if (mode)
		kgc_cmd_set_mode(fz_admin, n % 3 == 2 ? KABIGUARD_MODE_ENFORCE :
				      KABIGUARD_MODE_AUDIT);
	st->loads++;
	err = kg_t_load("kg_exporter");
	if (err)
		st->load_errs[err < FZ_ERRNO_MAX ? err : 0]++;
	if (n % 2) {
		st->loads++;
		err = kg_t_load("kg_consumer_ok");
		if (err)
			st->load_errs[err < FZ_ERRNO_MAX ? err : 0]++;
		kg_t_unload("kg_consumer_ok");
	}
	kg_t_unload("kg_exporter");
}

static void fz_print_hist(const char *what, const unsigned long *h)
{
	unsigned int e;

	printf("# %s:", what);
	for (e = 0; e < FZ_ERRNO_MAX; e++)
		if (h[e])
			printf(" %s %lu", e ? strerrorname_np(e) ?: "?" : "other",
			       h[e]);
	printf("\n");
}

static void fz_print_stats(const char *who, const struct fz_stats *st,
			   double secs)
{
	unsigned int i;

	printf("# %s: %lu messages in %.1f s (%.0f/s):", who, st->total, secs,
	       secs > 0 ? st->total / secs : 0.0);
	printf(" valid %lu, mutated %lu, random %lu;", st->sent[FZ_VALID],
	       st->sent[FZ_MUTATED], st->sent[FZ_RANDOM]);
	printf(" %lu batches, %lu half-read dumps (%lu unfinished),",
	       st->batches, st->halfdumps, st->halfdumps_open);
	printf(" %lu transactions (%lu left open, %lu abandoned),",
	       st->txns, st->txn_parked, st->txn_abandoned);
	printf(" %lu multicast joins/leaves, %lu socket reopens,",
	       st->mcast_ops, st->reopens);
	printf(" %lu LOCK rewritten, %lu module loads\n", st->lock_rewritten,
	       st->loads);
	printf("# %s: replies %lu, acks %lu, dump ends %lu, events %lu,", who,
	       st->replies, st->acks_ok, st->dones, st->events);
	printf(" truncated %lu\n", st->truncated);
	printf("#   successes by command:");
	for (i = 0; i < ARRAY_SIZE(st->acks_cmd); i++)
		if (st->acks_cmd[i])
			printf(" %u: %lu", i, st->acks_cmd[i]);
	printf("\n");
	fz_print_hist("  netlink errors", st->nl_errs);
	fz_print_hist("  socket errors", st->sock_errs);
	fz_print_hist("  multicast errors", st->mcast_errs);
	fz_print_hist("  load errors", st->load_errs);
	printf("#   mutations:");
	for (i = 0; i < FZ_NR_MUTS; i++)
		printf(" %s %lu", fz_mut_name(i), st->b.muts[i]);
	printf("\n");
}

static int fz_loop(struct fz_run *R, unsigned long target,
		   unsigned int load_every)
{
	unsigned long next_load = load_every;
	unsigned int n = 0;

	while (R->st->total < target) {
		if (fz_step(R))
			return -EIO;
		if (load_every && R->st->total >= next_load) {
			fz_load_cycle(R->st, n++, true);
			next_load += load_every;
		}
	}
	return 0;
}

/*
 * The unprivileged share, in a child as nobody; root meanwhile loads and
 * unloads modules so that events flow to whoever may listen.
 */
static int fz_unpriv(const struct fz_family *f, const struct fz_opts *o,
		     unsigned long target, bool events_admin,
		     struct fz_stats *st, struct fz_stats *root_st)
{
	struct fz_run *R;
	unsigned int n = 0;
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(2);
		R = calloc(1, sizeof(*R));
		if (!R)
			_exit(3);
		fz_run_init(R, f, o->seed ^ 0x6e6f626f6479ULL, false,
			    events_admin, st);
		if (fz_loop(R, target / 2, 0))
			_exit(4);
		/*
		 * The second half as "root" of a user namespace of its own:
		 * every capability there, none in the initial one.
		 */
		fz_run_close(R);
		st->userns = unshare(CLONE_NEWUSER) ? -errno : 1;
		_exit(fz_loop(R, target, 0) ? 4 : 0);
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		fz_load_cycle(root_st, n++, false);
		usleep(50000);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/*
 * Kernel log lines that mean the kernel found a bug in itself. Lockdep's
 * reports are matched by their own words, not "lockdep": a debug kernel
 * says "RCU lockdep checking is enabled" at every boot.
 */
static const char *const fz_bad_log[] = {
	"Oops", "BUG:", "WARNING:", "KASAN", "UBSAN", "KFENCE",
	"general protection fault", "Call Trace", "possible circular locking",
	"possible recursive locking", "inconsistent lock state",
	"suspicious RCU usage", "DEBUG_LOCKS_WARN_ON", "lockdep is turned off",
	"soft lockup", "hard LOCKUP",
	"blocked for more than", "hung_task", "kernel BUG", "list_add corruption",
	"list_del corruption", "refcount_t:", "stack-protector",
};

static unsigned int fz_log_check(void)
{
	int size = klogctl(10, NULL, 0), n;
	unsigned int bad = 0, i;
	char *buf, *line, *save;

	buf = size > 0 ? malloc(size + 1) : NULL;
	if (!buf) {
		printf("# cannot read the kernel log: %s\n", strerror(errno));
		return 1;
	}
	n = klogctl(3, buf, size);
	if (n < 0) {
		printf("# cannot read the kernel log: %s\n", strerror(errno));
		free(buf);
		return 1;
	}
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		for (i = 0; i < ARRAY_SIZE(fz_bad_log); i++) {
			if (!strstr(line, fz_bad_log[i]))
				continue;
			if (bad++ < 40)
				printf("# kernel log: %s\n", line);
			break;
		}
	}
	free(buf);
	return bad;
}

struct fz_dump {
	struct kgc_policy p;
	uint64_t gen;
	unsigned int nr, bad;
};

static int fz_dump_cb(const struct kgc_rule *r, uint64_t gen, void *arg)
{
	struct fz_dump *d = arg;

	if (d->nr++ && gen != d->gen)
		d->bad++;
	d->gen = gen;
	return kgc_policy_append(&d->p, r);
}

/* The policy the checks commit: two rules a dump must return as sent. */
static void fz_baseline(struct kgc_policy *p)
{
	struct kgc_rule any = { .kind = KABIGUARD_RULE_ANY };
	struct kgc_rule sym = { .kind = KABIGUARD_RULE_SYMBOL,
			       .name = (char *)MARKER };

	kgc_policy_append(p, &any);
	kgc_policy_append(p, &sym);
}

/* After the run: status, a commit, a dump, mode back; 0 when all held. */
static int fz_check_guard(struct kgc_client *c, uint64_t *gen)
{
	struct kgc_policy base = { 0 };
	struct fz_dump d = { 0 };
	struct kgc_status s;
	int err, bad = 0;

	fz_baseline(&base);
	err = kgc_cmd_get_status(c, &s);
	if (err) {
		printf("# GET_STATUS: %s\n", strerror(-err));
		bad++;
	} else {
		printf("# status after the run: mode %s, generation %llu,",
		       kgc_mode_name(s.mode), (unsigned long long)s.generation);
		printf(" %u rules, locked %d, transaction %d, ring next %llu\n",
		       s.nr_rules, s.locked, s.txn_open,
		       (unsigned long long)s.ring_next);
		if (s.locked || s.txn_open)
			bad++;
	}
	err = kgc_policy_push(c, &base, gen);
	if (err) {
		printf("# policy commit: %s (%s)\n", strerror(-err), kgc_extack(c));
		bad++;
	}
	err = kgc_cmd_set_mode(c, KABIGUARD_MODE_AUDIT);
	if (err) {
		printf("# set mode audit: %s\n", strerror(-err));
		bad++;
	}
	err = kgc_cmd_policy_get(c, fz_dump_cb, &d);
	if (err || d.nr != 2 || d.bad || d.gen != *gen ||
	    d.p.rules[0].kind != KABIGUARD_RULE_ANY ||
	    d.p.rules[1].kind != KABIGUARD_RULE_SYMBOL ||
	    strcmp(d.p.rules[1].name ?: "", MARKER)) {
		printf("# policy dump: %s, %u rules, generation %llu (committed %llu)\n",
		       strerror(-err), d.nr, (unsigned long long)d.gen,
		       (unsigned long long)*gen);
		bad++;
	}
	err = kgc_cmd_get_status(c, &s);
	if (err || s.mode != KABIGUARD_MODE_AUDIT || s.generation != *gen ||
	    s.nr_rules != 2 || s.nr_any != 1 || s.nr_symbol != 1 || s.locked) {
		printf("# status after the commit: %s, mode %u, generation %llu, %u rules\n",
		       strerror(-err), s.mode, (unsigned long long)s.generation,
		       s.nr_rules);
		bad++;
	}
	kgc_policy_free(&base);
	kgc_policy_free(&d.p);
	return bad;
}

/* A load gets an event with exactly the sequence number the status said. */
static int fz_check_event(struct kgc_client *c)
{
	struct kgc_client *ev = NULL;
	struct kgc_event e = { 0 };
	struct kgc_status s;
	uint64_t want;
	int err, bad = 0;

	kg_t_unload("kg_consumer_ok");
	kg_t_unload("kg_exporter");
	err = kgc_events_open(&ev) ?: kgc_cmd_get_status(c, &s);
	if (err) {
		printf("# events socket / status: %s\n", strerror(-err));
		if (ev)
			kgc_close(ev);
		return 1;
	}
	want = s.ring_next;
	err = kg_t_load("kg_exporter");
	if (err) {
		printf("# load kg_exporter: %s\n", strerror(err));
		bad++;
	}
	err = kgc_events_next(ev, &e, KG_EVENT_TIMEOUT_MS);
	if (err != 1) {
		printf("# no verdict event: %s\n", err ? strerror(-err) : "timeout");
		bad++;
	} else {
		printf("# event seq %llu (expected %llu) module %s verdict %s\n",
		       (unsigned long long)e.seq, (unsigned long long)want,
		       e.module, kgc_verdict_name(e.verdict));
		if (e.seq != want || strcmp(e.module, "kg_exporter") ||
		    e.verdict != KABIGUARD_VERDICT_ALLOWED)
			bad++;
		kgc_event_free(&e);
	}
	kg_t_unload("kg_exporter");
	kgc_close(ev);
	return bad;
}

/* -L: lock, fuzz on (LOCK too), and nothing may change. */
static int fz_locked_run(struct kgc_client *c, const struct fz_family *f,
			 const struct fz_opts *o, bool events_admin)
{
	struct fz_stats *st = calloc(1, sizeof(*st));
	struct fz_run *R = calloc(1, sizeof(*R));
	struct kgc_status a, b;
	double t0 = fz_now();
	int err, bad = 0;

	if (!st || !R)
		return 1;
	err = kgc_cmd_lock(c) ?: kgc_cmd_get_status(c, &a);
	if (err || !a.locked) {
		printf("# lock: %s, locked %d\n", strerror(-err), a.locked);
		bad++;
	}
	fz_run_init(R, f, o->seed ^ 0x6c6f636bULL, true, events_admin, st);
	R->rewrite_lock = false;
	if (fz_loop(R, o->messages / 10, o->load_every))
		bad++;
	fz_run_close(R);
	fz_print_stats("locked", st, fz_now() - t0);
	err = kgc_cmd_get_status(c, &b);
	if (err || !b.locked || b.mode != a.mode || b.generation != a.generation ||
	    b.nr_rules != a.nr_rules || b.txn_open) {
		printf("# after: %s, locked %d, mode %u -> %u, generation %llu -> %llu\n",
		       strerror(-err), b.locked, a.mode, b.mode,
		       (unsigned long long)a.generation,
		       (unsigned long long)b.generation);
		bad++;
	}
	err = kgc_cmd_policy_begin(c);
	if (err != -EPERM) {
		printf("# POLICY_BEGIN while locked: %s\n", strerror(-err));
		bad++;
	}
	free(R);
	free(st);
	return bad;
}

static int fz_save_cb(const struct kgc_rule *r, uint64_t gen, void *arg)
{
	(void)gen;
	return kgc_policy_append(arg, r);
}

int main(int argc, char **argv)
{
	struct fz_opts o = { .messages = 100000, .unpriv_pct = 20,
			     .load_every = 1000 };
	struct fz_stats *root_st, *nobody_st;
	struct kgc_policy saved = { 0 };
	struct kgc_status start, s0, s1;
	struct fz_family f;
	struct kgc_client *c;
	unsigned long unpriv;
	struct fz_run *R;
	bool events_admin;
	char err[256];
	double t0, t1, t2;
	uint64_t gen;
	int opt, ret, bad;

	o.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	while ((opt = getopt(argc, argv, "n:s:u:l:Lvh")) != -1) {
		switch (opt) {
		case 'n':
			o.messages = strtoul(optarg, NULL, 0);
			break;
		case 's':
			o.seed = strtoull(optarg, NULL, 0);
			break;
		case 'u':
			o.unpriv_pct = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'l':
			o.load_every = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'L':
			o.lock = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		default:
			fprintf(stderr, "usage: %s %s\n", argv[0],
				"[-n MESSAGES] [-s SEED] [-u UNPRIV_PERCENT] [-l LOAD_EVERY] [-L] [-v]");
			return 2;
		}
	}
	if (o.unpriv_pct > 100)
		o.unpriv_pct = 100;
	ksft_print_header();
	printf("# seed 0x%llx (replay: %s -n %lu -s 0x%llx -u %u -l %u%s)\n",
	       (unsigned long long)o.seed, argv[0], o.messages,
	       (unsigned long long)o.seed, o.unpriv_pct, o.load_every,
	       o.lock ? " -L" : "");
	kg_t_require_guard();
	ksft_set_plan(o.lock ? 7 : 6);
	fflush(stdout);

	ret = kgc_open(&c) ?: kgc_open(&fz_admin) ?: kgc_cmd_get_status(c, &start);
	if (ret)
		ksft_exit_fail_msg("kabiguard status: %s\n", strerror(-ret));
	if (start.locked)
		ksft_exit_fail_msg("the guard is locked already: nothing to fuzz\n");
	if (start.generation)
		kgc_cmd_policy_get(c, fz_save_cb, &saved);
	events_admin = start.features & KABIGUARD_FEAT_EVENTS_ADMIN;

	/* 1. The model, from the kernel. */
	ret = fz_family_read(KABIGUARD_GENL_NAME, &f, err, sizeof(err));
	if (ret) {
		printf("# %s\n", err);
		ksft_test_result_fail("policy of the kabiguard family read from nlctrl\n");
		ksft_exit_fail();
	}
	fz_family_print(&f, stdout, o.verbose);
	ksft_test_result(f.nr_pol > 0 && f.mcgrp,
			 "policy of the kabiguard family read from nlctrl: %u ops, %u policies%s\n",
			 f.nr_ops, f.nr_pol, f.per_op ? " (per op)" : "");

	/* 2. The run: root, then nobody while root loads modules. */
	root_st = mmap(NULL, 2 * sizeof(*root_st), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	R = calloc(1, sizeof(*R));
	if (root_st == MAP_FAILED || !R)
		ksft_exit_fail_msg("out of memory\n");
	memset(root_st, 0, 2 * sizeof(*root_st));
	nobody_st = root_st + 1;
	unpriv = o.messages * o.unpriv_pct / 100;
	fz_run_init(R, &f, o.seed, true, events_admin, root_st);
	t0 = fz_now();
	ret = fz_loop(R, o.messages - unpriv, o.load_every);
	fz_run_close(R);
	t1 = fz_now();
	if (ret)
		printf("# root run stopped: sends kept failing\n");
	/* Its own state before and after, untouched by root meanwhile. */
	bad = kgc_cmd_set_mode(c, KABIGUARD_MODE_AUDIT) != 0;
	bad += kgc_cmd_get_status(c, &s0) != 0;
	ret = unpriv ? fz_unpriv(&f, &o, unpriv, events_admin, nobody_st,
				 root_st) : 0;
	t2 = fz_now();
	bad += kgc_cmd_get_status(c, &s1) != 0;
	fz_print_stats("root", root_st, t1 - t0);
	fz_print_stats("nobody", nobody_st, t2 - t1);
	if (nobody_st->userns > 0)
		printf("# nobody: the second half from a user namespace\n");
	else if (unpriv)
		printf("# nobody: unshare(CLONE_NEWUSER): %s: no user namespace\n",
		       strerror(-nobody_st->userns));
	printf("# total: %lu messages in %.1f s (%.0f/s)\n",
	       root_st->total + nobody_st->total, t2 - t0,
	       (root_st->total + nobody_st->total) / (t2 - t0));
	ksft_test_result(!ret && root_st->total + nobody_st->total >= o.messages,
			 "%lu messages sent (%lu as root, %lu as nobody)\n",
			 root_st->total + nobody_st->total, root_st->total,
			 nobody_st->total);

	/* 3. Nobody changed nothing and got nothing but the status. */
	if (nobody_st->unpriv_bad)
		printf("# nobody: %lu wrong answers, first: %s\n",
		       nobody_st->unpriv_bad, nobody_st->unpriv_what);
	if (s0.mode != s1.mode || s0.generation != s1.generation ||
	    s1.locked || s1.txn_open) {
		printf("# nobody changed the state: mode %u -> %u,", s0.mode,
		       s1.mode);
		printf(" generation %llu -> %llu, locked %d, transaction %d\n",
		       (unsigned long long)s0.generation,
		       (unsigned long long)s1.generation, s1.locked, s1.txn_open);
	}
	ksft_test_result(!bad && !nobody_st->unpriv_bad && s0.mode == s1.mode &&
			 s0.generation == s1.generation && !s1.locked &&
			 !s1.txn_open,
			 "unprivileged messages changed nothing and were refused\n");

	/* 4, 5. The guard still works. */
	ksft_test_result(!fz_check_guard(c, &gen),
			 "the guard answers: status, commit, policy dump\n");
	ksft_test_result(!fz_check_event(c),
			 "a module load gets a verdict event with the next sequence number\n");

	/* What was there before, back. */
	if (saved.nr && kgc_policy_push(c, &saved, &gen))
		printf("# could not restore the policy found\n");
	if (kgc_cmd_set_mode(c, start.mode))
		printf("# could not restore mode %s\n", kgc_mode_name(start.mode));
	kgc_policy_free(&saved);

	/* 6. Locked, whatever comes. */
	if (o.lock)
		ksft_test_result(!fz_locked_run(c, &f, &o, events_admin),
				 "locked: %lu more messages, LOCK included, changed nothing\n",
				 o.messages / 10);
	kgc_close(c);
	kgc_close(fz_admin);

	/* 7. The kernel log. */
	ksft_test_result(fz_log_check() == 0,
			 "kernel log: no oops, BUG, WARNING, sanitizer, lockdep, lockup or hung task\n");
	free(R);
	return ksft_get_fail_cnt() ? KSFT_FAIL : KSFT_PASS;
}
