// SPDX-License-Identifier: GPL-2.0
/*
 * Who loads a module: at MODULE_STATE_COMING the loading process is
 * current, so its identity is what auditd, Tetragon and Tracee report for a
 * module load.
 */
#include <linux/audit.h>
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tty.h>
#include <linux/uaccess.h>
#include "guard.h"

static const char *kg_loader_exe(char *buf, size_t len)
{
	struct mm_struct *mm = current->mm;
	struct file *exe;
	char *path;

	if (!mm)
		return NULL;
	exe = kg_get_mm_exe_file(mm);
	if (!exe)
		return NULL;
	path = d_path(&exe->f_path, buf, len);
	fput(exe);
	return IS_ERR(path) ? NULL : path;
}

/*
 * The loader's cgroup v2 path, as its own cgroup namespace sees it, and
 * the cgroup's id.
 */
static const char *kg_loader_cgroup(char *buf, size_t len, u64 *id)
{
	struct cgroup *cgrp;
	int ret;

	if (!IS_ENABLED(CONFIG_CGROUPS) || !current->nsproxy)
		return NULL;
	rcu_read_lock();
	cgrp = task_dfl_cgroup(current);
	cgroup_get(cgrp);
	rcu_read_unlock();
	*id = cgroup_id(cgrp);
	ret = cgroup_path_ns(cgrp, buf, len, current->nsproxy->cgroup_ns);
	cgroup_put(cgrp);
	return ret < 0 || ret >= len ? NULL : buf;
}

/*
 * The command line, as /proc/PID/cmdline has it, but read without ever
 * faulting: the notifier chain is held while this runs, and a page the
 * loader made slow on purpose (userfaultfd, FUSE-backed, swapped out)
 * would stall every module load and unload on the host. What is not
 * resident is left out and flagged (KABIGUARD_EVF_ARGV_NOT_RESIDENT);
 * page by page, so the resident start of the command line is kept.
 */
static void kg_loader_argv(struct kg_loader *l)
{
	struct mm_struct *mm = current->mm;
	unsigned long start, end, len, done = 0;

	if (!mm)
		return;
	spin_lock(&mm->arg_lock);
	start = mm->arg_start;
	end = mm->arg_end;
	spin_unlock(&mm->arg_lock);
	if (end <= start)
		return;
	len = min_t(unsigned long, end - start, sizeof(l->argv));
	while (done < len) {
		unsigned long addr = start + done;
		unsigned long n = min(len - done,
				      PAGE_SIZE - offset_in_page(addr));

		if (copy_from_user_nofault(l->argv + done,
					   (const void __user *)addr, n)) {
			l->argv_not_resident = true;
			break;
		}
		done += n;
	}
	l->argv_len = done;
	l->argv_truncated = end - start > done;
}

static void kg_loader_tty(char *buf, size_t len)
{
	struct tty_struct *tty = get_current_tty();

	if (tty) {
		strscpy(buf, tty_name(tty), len);
		tty_kref_put(tty);
	}
}

/**
 * kg_loader_current() - describe the current process as a module loader
 *
 * Context: process context, may sleep.
 * Return: the description (kfree() it), or NULL when out of memory.
 */
struct kg_loader *kg_loader_current(void)
{
	const struct cred *cred = current_cred();
	struct task_struct *parent;
	struct kg_loader *l;

	l = kzalloc(sizeof(*l), GFP_KERNEL);
	if (!l)
		return NULL;
	l->pid = task_tgid_nr(current);
	l->uid = from_kuid(&init_user_ns, cred->uid);
	l->euid = from_kuid(&init_user_ns, cred->euid);
	l->gid = from_kgid(&init_user_ns, cred->gid);
	l->egid = from_kgid(&init_user_ns, cred->egid);
	l->loginuid = from_kuid(&init_user_ns, audit_get_loginuid(current));
	l->sessionid = audit_get_sessionid(current);
	get_task_comm(l->comm, current);
	kg_loader_tty(l->tty, sizeof(l->tty));
	kg_current_lsm_label(l->lsm_label, sizeof(l->lsm_label));
	kg_loader_argv(l);
	l->pidns = task_active_pid_ns(current)->ns.inum;

	/*
	 * request_module() starts modprobe as a child of a kernel thread; a
	 * load a user asked for comes from a user process.
	 */
	rcu_read_lock();
	parent = rcu_dereference(current->real_parent);
	l->ppid = task_tgid_nr(parent);
	l->kmod_request = parent->flags & PF_KTHREAD;
	rcu_read_unlock();
	if (l->kmod_request)
		kg_requester_find(l);

	l->exe = kg_loader_exe(l->buf, KABIGUARD_PATH_MAX);
	l->cgroup = kg_loader_cgroup(l->buf + KABIGUARD_PATH_MAX,
				     KABIGUARD_PATH_MAX, &l->cgroup_id);
	return l;
}
