// SPDX-License-Identifier: GPL-2.0
/*
 * Verdict lines in the kernel log, rate-limited. A flood of loads (an
 * unprivileged user making the kernel autoload a denied module in a loop)
 * would otherwise print dozens of lines per load and push every earlier
 * verdict out of dmesg. At most log_burst verdicts are logged per
 * log_interval seconds; the lines of the others are counted, and the
 * count is logged as one summary line ("N verdict lines suppressed") when
 * the window closes, by a delayed work, so that the summary comes even
 * when the flood stops. Only the log is limited: every verdict still gets
 * its event in the ring and on the multicast group.
 */
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include "guard.h"

static int kg_log_burst_set(const char *val, const struct kernel_param *kp)
{
	return kg_param_set_bounded(val, kp, 1, KG_LOG_BURST_MAX);
}

static const struct kernel_param_ops kg_log_burst_ops = {
	.set = kg_log_burst_set,
	.get = param_get_uint,
};

static unsigned int kg_log_burst = 50;
module_param_cb(log_burst, &kg_log_burst_ops, &kg_log_burst, 0644);
MODULE_PARM_DESC(log_burst,
		 "verdicts logged per log_interval, the rest summarised (default 50, 1 to 10000)");

static int kg_log_interval_set(const char *val, const struct kernel_param *kp)
{
	return kg_param_set_bounded(val, kp, 1, KG_LOG_INTERVAL_MAX);
}

static const struct kernel_param_ops kg_log_interval_ops = {
	.set = kg_log_interval_set,
	.get = param_get_uint,
};

static unsigned int kg_log_interval = 5;
module_param_cb(log_interval, &kg_log_interval_ops, &kg_log_interval, 0644);
MODULE_PARM_DESC(log_interval,
		 "seconds of the verdict log rate limit window (default 5, 1 to 3600)");

static DEFINE_SPINLOCK(kg_log_lock);
static unsigned long kg_log_begin;	/* jiffies the window opened */
static unsigned int kg_log_printed;	/* verdicts logged in the window */
static u64 kg_log_missed_lines, kg_log_missed_verdicts;

static void kg_log_summary_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(kg_log_summary, kg_log_summary_work);

/*
 * Takes the suppressed counts when the window has closed (or @force),
 * and opens a new window.
 */
static bool kg_log_take_missed(bool force, u64 *lines, u64 *verdicts)
{
	unsigned long interval = READ_ONCE(kg_log_interval) * HZ;
	bool closed;

	lockdep_assert_held(&kg_log_lock);
	closed = !kg_log_begin ||
		 time_after_eq(jiffies, kg_log_begin + interval);
	if (!closed && !force)
		return false;
	*lines = kg_log_missed_lines;
	*verdicts = kg_log_missed_verdicts;
	kg_log_missed_lines = 0;
	kg_log_missed_verdicts = 0;
	if (closed) {
		kg_log_begin = jiffies ?: 1;
		kg_log_printed = 0;
	}
	return *lines;
}

static void kg_log_print_missed(u64 lines, u64 verdicts)
{
	pr_warn("%llu verdict lines suppressed (%llu verdicts; every one is in the event ring)\n",
		lines, verdicts);
}

static void kg_log_summary_work(struct work_struct *work)
{
	u64 lines, verdicts;
	bool missed;

	spin_lock(&kg_log_lock);
	missed = kg_log_take_missed(false, &lines, &verdicts);
	spin_unlock(&kg_log_lock);
	if (missed)
		kg_log_print_missed(lines, verdicts);
}

/**
 * kg_log_limit() - may the lines of one verdict go to the kernel log?
 * @lines: how many lines the verdict logs
 *
 * Context: process context.
 * Return: true to log them; false when they are counted as suppressed.
 */
bool kg_log_limit(unsigned int lines)
{
	u64 missed_lines = 0, missed_verdicts;
	unsigned long delay;
	bool missed, ok;

	spin_lock(&kg_log_lock);
	missed = kg_log_take_missed(false, &missed_lines, &missed_verdicts);
	ok = kg_log_printed < READ_ONCE(kg_log_burst);
	if (ok) {
		kg_log_printed++;
	} else {
		kg_log_missed_lines += lines;
		kg_log_missed_verdicts++;
	}
	delay = kg_log_begin + READ_ONCE(kg_log_interval) * HZ - jiffies;
	spin_unlock(&kg_log_lock);

	/* The summary of the window now suppressing comes when it closes. */
	if (!ok)
		schedule_delayed_work(&kg_log_summary, min(delay, 3600UL * HZ) + 1);
	if (missed)
		kg_log_print_missed(missed_lines, missed_verdicts);
	return ok;
}

/* Unloading: what was suppressed is still said. */
void kg_log_limit_exit(void)
{
	u64 lines, verdicts;
	bool missed;

	cancel_delayed_work_sync(&kg_log_summary);
	spin_lock(&kg_log_lock);
	missed = kg_log_take_missed(true, &lines, &verdicts);
	spin_unlock(&kg_log_lock);
	if (missed)
		kg_log_print_missed(lines, verdicts);
}
