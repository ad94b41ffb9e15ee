/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything that differs between the kernels kabiguard supports lives here,
 * and the build stops here with a message on a kernel it cannot guard.
 */
#ifndef KG_COMPAT_H
#define KG_COMPAT_H

/* Force-included first in every file, so before any printk header. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kconfig.h>

/*
 * A module notifier's error aborts the load only since v5.10 (commit
 * 59cc8e0a906e, "module: Properly propagate MODULE_STATE_COMING failure"),
 * which brought blocking_notifier_call_chain_robust(); Kbuild probes for it.
 * An older kernel would load a module the guard reported as denied.
 */
#ifdef KG_COMPAT_CANNOT_DENY
#error "kabiguard needs Linux 5.10 or later: older kernels ignore a module notifier's veto"
#endif

/*
 * Events name processes, their command lines and security labels: only
 * CAP_SYS_ADMIN may join their multicast group, where the kernel can say
 * so (GENL_MCAST_CAP_SYS_ADMIN, v6.7, in 6.1.y since 6.1.66); older
 * kernels let any local user listen.
 */
#ifdef KG_COMPAT_MCGRP_OPEN
#define KG_MCGRP_ADMIN_ONLY
#else
#define KG_MCGRP_ADMIN_ONLY .flags = GENL_MCAST_CAP_SYS_ADMIN,
#endif

#if !IS_ENABLED(CONFIG_MODULE_UNLOAD)
#error "kabiguard needs CONFIG_MODULE_UNLOAD (struct module target_list names an import's exporter)"
#endif

#if !IS_ENABLED(CONFIG_KALLSYMS)
#error "kabiguard needs CONFIG_KALLSYMS (struct module kallsyms lists the imports)"
#endif

#if !IS_ENABLED(CONFIG_KPROBES)
#error "kabiguard needs CONFIG_KPROBES to find the kernel image's export tables"
#endif

#if !IS_ENABLED(CONFIG_HAVE_ARCH_PREL32_RELOCATIONS)
#error "kabiguard reads export tables in their PREL32 layout (x86_64, arm64, ...)"
#endif

/*
 * Layout of an export table entry (struct kernel_symbol). v6.1 declares it
 * in <linux/export.h>; later kernels keep it private to kernel/module/, so
 * kabiguard carries this copy and checks its size against the tables it
 * reads. A zero namespace_offset means "no namespace" up to v6.4; later
 * kernels point it at "" instead: kg_ksym_namespace() accepts both.
 */
struct kg_kernel_symbol {
	int value_offset;
	int name_offset;
	int namespace_offset;
};

/*
 * A reference on mm->exe_file. Up to v6.6 get_file_rcu() is a macro taking
 * the file; since files became SLAB_TYPESAFE_BY_RCU it is a function taking
 * the __rcu pointer, which rechecks the pointer after taking the reference.
 */
#include <linux/fs.h>
#include <linux/mm_types.h>
#include <linux/rcupdate.h>

static inline struct file *kg_get_mm_exe_file(struct mm_struct *mm)
{
	struct file *exe;

	rcu_read_lock();
#ifdef get_file_rcu
	exe = rcu_dereference(mm->exe_file);
	if (exe && !get_file_rcu(exe))
		exe = NULL;
#else
	exe = get_file_rcu(&mm->exe_file);
#endif
	rcu_read_unlock();
	return exe;
}

/*
 * The current task's security context as text, as auditd's subj= shows it
 * ("" without an LSM that has one). v6.1 to v6.12 name it through a secid;
 * v6.13 replaced the secid with struct lsm_prop
 * (security_current_getlsmprop_subj()) and v6.14 the text with struct
 * lsm_context: a kernel with those needs its own branch here.
 */
#include <linux/minmax.h>
#include <linux/security.h>
#include <linux/string.h>

static inline void kg_current_lsm_label(char *buf, size_t len)
{
	u32 secid = 0, ctxlen;
	char *ctx;
	size_t n;

	buf[0] = '\0';
	security_current_getsecid_subj(&secid);
	if (!secid || security_secid_to_secctx(secid, &ctx, &ctxlen))
		return;
	n = min_t(size_t, ctxlen, len - 1);
	memcpy(buf, ctx, n);
	buf[n] = '\0';
	security_release_secctx(ctx, ctxlen);
}

#endif /* KG_COMPAT_H */
