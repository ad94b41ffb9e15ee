// SPDX-License-Identifier: GPL-2.0
/*
 * The guard's state: mode, active policy, the one open policy transaction,
 * the lock, and the verdict counters.
 */
#include <linux/atomic.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include "guard.h"

static int kg_max_rules_set(const char *val, const struct kernel_param *kp)
{
	return kg_param_set_bounded(val, kp, 0, KG_MAX_RULES_MAX);
}

static const struct kernel_param_ops kg_max_rules_ops = {
	.set = kg_max_rules_set,
	.get = param_get_uint,
};

unsigned int kg_max_rules = 100000;
module_param_cb(max_rules, &kg_max_rules_ops, &kg_max_rules, 0644);
MODULE_PARM_DESC(max_rules,
		 "most rules one policy may hold (default 100000, at most 1000000)");

static int kg_test_nomem_set(const char *val, const struct kernel_param *kp)
{
	int ret = kg_param_set_bounded(val, kp, 0, KG_NOMEM_ALL);

	if (!ret && READ_ONCE(kg_test_nomem))
		pr_warn("test_nomem=%u: simulating out of memory in verdicts, for tests only\n",
			READ_ONCE(kg_test_nomem));
	return ret;
}

static const struct kernel_param_ops kg_test_nomem_ops = {
	.set = kg_test_nomem_set,
	.get = param_get_uint,
};

unsigned int kg_test_nomem;
module_param_cb(test_nomem, &kg_test_nomem_ops, &kg_test_nomem, 0600);
MODULE_PARM_DESC(test_nomem,
		 "for tests only: 1 fails the verdict's memory, 2 the full event (default 0)");

struct kg_txn {
	bool open;
	u32 portid;		/* netlink socket that owns it */
	struct kg_rule_set set;
};

/*
 * kg_state_mutex serialises every writer: mode changes, the transaction,
 * commits (kg_active, kg_generation) and the lock. Readers of the mode use
 * READ_ONCE(); the notifier reads kg_active under rcu_read_lock().
 */
static DEFINE_MUTEX(kg_state_mutex);
static enum kabiguard_mode kg_mode;
static struct kg_policy __rcu *kg_active;
static u64 kg_generation;
static bool kg_locked;
static struct kg_txn kg_txn = {
	.set = {
		.rules = LIST_HEAD_INIT(kg_txn.set.rules),
		.chunks = LIST_HEAD_INIT(kg_txn.set.chunks),
	},
};

static atomic64_t kg_cnt_checked, kg_cnt_allowed, kg_cnt_audited,
		  kg_cnt_denied, kg_cnt_violations;

int kg_state_init(enum kabiguard_mode mode)
{
	kg_mode = mode;
	return kg_policy_init();
}

void kg_state_exit(void)
{
	struct kg_policy *old;

	mutex_lock(&kg_state_mutex);
	kg_rule_set_free(&kg_txn.set);
	kg_txn.open = false;
	old = rcu_replace_pointer(kg_active, NULL,
				  lockdep_is_held(&kg_state_mutex));
	kg_policy_free_deferred(old);
	mutex_unlock(&kg_state_mutex);
	kg_policy_exit();
}

enum kabiguard_mode kg_state_mode(void)
{
	return READ_ONCE(kg_mode);
}

/* Context: rcu_read_lock() held for as long as the result is used. */
const struct kg_policy *kg_state_policy(void)
{
	return rcu_dereference(kg_active);
}

void kg_state_count(enum kabiguard_verdict verdict, unsigned int violations)
{
	atomic64_inc(&kg_cnt_checked);
	atomic64_add(violations, &kg_cnt_violations);
	if (verdict == KABIGUARD_VERDICT_ALLOWED)
		atomic64_inc(&kg_cnt_allowed);
	else if (verdict == KABIGUARD_VERDICT_AUDITED)
		atomic64_inc(&kg_cnt_audited);
	else
		atomic64_inc(&kg_cnt_denied);
}

void kg_state_status(struct kg_status *st)
{
	const struct kg_policy *p;

	memset(st, 0, sizeof(*st));
	mutex_lock(&kg_state_mutex);
	st->mode = kg_mode;
	st->generation = kg_generation;
	st->locked = kg_locked;
	st->txn_open = kg_txn.open;
	st->txn_owner = kg_txn.portid;
	p = rcu_dereference_protected(kg_active,
				      lockdep_is_held(&kg_state_mutex));
	if (p) {
		st->nr_rules = p->nr_rules;
		memcpy(st->nr_kind, p->nr_kind, sizeof(st->nr_kind));
	}
	mutex_unlock(&kg_state_mutex);
	st->checked = atomic64_read(&kg_cnt_checked);
	st->allowed = atomic64_read(&kg_cnt_allowed);
	st->audited = atomic64_read(&kg_cnt_audited);
	st->denied = atomic64_read(&kg_cnt_denied);
	st->violations = atomic64_read(&kg_cnt_violations);
}

/**
 * kg_param_set_bounded() - set an unsigned module parameter, bounded and sealed
 * @val: the text written (module load or sysfs)
 * @kp: the parameter; kp->arg points at its unsigned int
 * @min: smallest value accepted
 * @max: largest value accepted
 *
 * Values outside [@min, @max] are refused at load time (insmod fails) and
 * at run time, so no parameter can ask for an allocation the kernel would
 * WARN about. After kabiguardctl lock every write fails and the value stays.
 *
 * Return: 0, -EPERM (locked) or -EINVAL (not a number, or out of bounds).
 */
int kg_param_set_bounded(const char *val, const struct kernel_param *kp,
			 unsigned int min, unsigned int max)
{
	unsigned int v;
	int ret = 0;

	mutex_lock(&kg_state_mutex);
	if (kg_locked) {
		pr_warn("%s: locked until reboot, not changed\n", kp->name);
		ret = -EPERM;
		goto unlock;
	}
	if (kstrtouint(val, 0, &v) || v < min || v > max) {
		pr_err("%s must be a number from %u to %u\n", kp->name, min,
		       max);
		ret = -EINVAL;
		goto unlock;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, v);
unlock:
	mutex_unlock(&kg_state_mutex);
	return ret;
}

static int kg_check_unlocked(struct netlink_ext_ack *extack)
{
	if (!kg_locked)
		return 0;
	NL_SET_ERR_MSG_MOD(extack, "policy and mode are locked until reboot");
	return -EPERM;
}

int kg_state_set_mode(enum kabiguard_mode mode, struct netlink_ext_ack *extack)
{
	int ret;

	mutex_lock(&kg_state_mutex);
	ret = kg_check_unlocked(extack);
	if (ret)
		goto unlock;
	if (mode == KABIGUARD_MODE_ENFORCE && !kg_generation) {
		NL_SET_ERR_MSG_MOD(extack,
				   "no policy committed yet: enforce would deny every module load");
		ret = -ENOENT;
		goto unlock;
	}
	if (kg_mode != mode)
		pr_info("mode %s -> %s\n", kg_mode_name(kg_mode),
			kg_mode_name(mode));
	WRITE_ONCE(kg_mode, mode);
unlock:
	mutex_unlock(&kg_state_mutex);
	return ret;
}

int kg_state_begin(u32 portid, struct netlink_ext_ack *extack)
{
	int ret;

	mutex_lock(&kg_state_mutex);
	ret = kg_check_unlocked(extack);
	if (ret)
		goto unlock;
	if (kg_txn.open) {
		NL_SET_ERR_MSG_MOD(extack,
				   "another socket has a policy transaction open");
		ret = -EBUSY;
		goto unlock;
	}
	kg_txn.open = true;
	kg_txn.portid = portid;
unlock:
	mutex_unlock(&kg_state_mutex);
	return ret;
}

static int kg_check_owner(u32 portid, struct netlink_ext_ack *extack)
{
	if (kg_txn.open && kg_txn.portid == portid)
		return 0;
	NL_SET_ERR_MSG_MOD(extack, "no policy transaction open on this socket");
	return -ENOENT;
}

/**
 * kg_state_add() - add a batch of rules to the caller's transaction
 * @portid: the caller's socket
 * @batch: the rules; taken over on success, left to the caller on error
 * @extack: for the error message
 *
 * Return: 0, -ENOENT (no transaction of this socket) or -E2BIG (max_rules).
 */
int kg_state_add(u32 portid, struct kg_rule_set *batch,
		 struct netlink_ext_ack *extack)
{
	unsigned int max = READ_ONCE(kg_max_rules);
	int ret;

	mutex_lock(&kg_state_mutex);
	ret = kg_check_owner(portid, extack);
	if (ret)
		goto unlock;
	if (kg_txn.set.nr > max || batch->nr > max - kg_txn.set.nr) {
		NL_SET_ERR_MSG_MOD(extack,
				   "policy would exceed the max_rules module parameter");
		ret = -E2BIG;
		goto unlock;
	}
	kg_rule_set_splice(batch, &kg_txn.set);
unlock:
	mutex_unlock(&kg_state_mutex);
	return ret;
}

int kg_state_commit(u32 portid, u64 *generation, u32 *nr_rules,
		    struct netlink_ext_ack *extack)
{
	struct kg_policy *p, *old;
	int ret;

	mutex_lock(&kg_state_mutex);
	ret = kg_check_owner(portid, extack);
	if (ret)
		goto unlock;
	/* The lock may have come between begin and commit. */
	ret = kg_check_unlocked(extack);
	if (ret)
		goto unlock;
	p = kg_policy_build(&kg_txn.set, kg_generation + 1);
	if (!p) {
		ret = -ENOMEM;
		goto unlock;
	}
	old = rcu_replace_pointer(kg_active, p,
				  lockdep_is_held(&kg_state_mutex));
	kg_generation = p->generation;
	kg_txn.open = false;
	*generation = p->generation;
	*nr_rules = p->nr_rules;
	pr_info("policy generation %llu committed: %u rules\n",
		p->generation, p->nr_rules);
	kg_policy_free_deferred(old);
unlock:
	mutex_unlock(&kg_state_mutex);
	return ret;
}

static void kg_txn_drop(void)
{
	kg_rule_set_free(&kg_txn.set);
	kg_txn.open = false;
}

int kg_state_abort(u32 portid, struct netlink_ext_ack *extack)
{
	int ret;

	mutex_lock(&kg_state_mutex);
	ret = kg_check_owner(portid, extack);
	if (!ret)
		kg_txn_drop();
	mutex_unlock(&kg_state_mutex);
	return ret;
}

/* The netlink socket @portid closed: drop its transaction, if any. */
void kg_state_release(u32 portid)
{
	mutex_lock(&kg_state_mutex);
	if (kg_txn.open && kg_txn.portid == portid) {
		pr_info("policy transaction of closed socket %u aborted\n",
			portid);
		kg_txn_drop();
	}
	mutex_unlock(&kg_state_mutex);
}

/**
 * kg_state_lock() - seal policy and mode until reboot
 * @extack: for the error message
 *
 * Takes a module reference that is never dropped, so the guard cannot be
 * unloaded either; also seals the module parameters (kg_param_set_bounded).
 * try_module_get() fails once delete_module() has begun removing the
 * guard: then the lock fails rather than report a guard that is going.
 *
 * Return: 0, -EPERM when already locked, or -ENODEV when the guard is
 * being unloaded.
 */
int kg_state_lock(struct netlink_ext_ack *extack)
{
	int ret;

	mutex_lock(&kg_state_mutex);
	ret = kg_check_unlocked(extack);
	if (ret)
		goto unlock;
	if (!try_module_get(THIS_MODULE)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "kabiguard is being unloaded: not locked");
		ret = -ENODEV;
		goto unlock;
	}
	kg_locked = true;
	if (kg_txn.open)
		kg_txn_drop();
	pr_info("locked: policy generation %llu, mode %s, until reboot\n",
		kg_generation, kg_mode_name(kg_mode));
unlock:
	mutex_unlock(&kg_state_mutex);
	return ret;
}
