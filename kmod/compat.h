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
#define KG_HAVE_MCGRP_ADMIN_ONLY 0
#else
#define KG_MCGRP_ADMIN_ONLY .flags = GENL_MCAST_CAP_SYS_ADMIN,
#define KG_HAVE_MCGRP_ADMIN_ONLY 1
#endif

/*
 * Without CONFIG_MODULE_SIG the kernel verifies no signature and
 * module_sig_ok() says true for every module: signed-only rules would
 * allow everything. POLICY_ADD refuses them there and the status leaves
 * KABIGUARD_FEAT_SIG clear, so userspace can refuse first.
 */
#define KG_HAVE_MODULE_SIG IS_ENABLED(CONFIG_MODULE_SIG)

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
 * The export tables. Up to v7.0 the kernel image and each module have two,
 * EXPORT_SYMBOL's and EXPORT_SYMBOL_GPL's (__ksymtab, __ksymtab_gpl and
 * their CRC tables __kcrctab, __kcrctab_gpl; struct module syms, gpl_syms,
 * crcs, gpl_crcs). v7.1 merged them into one table with a flag byte per
 * entry (__kflagstab, struct module flagstab; KSYM_FLAG_GPL_ONLY), which
 * kabiguard verifies beside the table: the flags say nothing a verdict
 * needs, since the loader already refused a GPL-only export to a module
 * without a GPL-compatible licence.
 */
#include <linux/list.h>
#include <linux/module.h>
#include <linux/types.h>

struct kg_symtab {
	const struct kg_kernel_symbol *syms;
	const u32 *crcs;	/* NULL without modversions */
	unsigned int nr;
};

#ifdef KG_COMPAT_KFLAGSTAB
#define KG_KSYMTAB_SUFFIXES	{ "" }
#define KG_HAVE_KFLAGSTAB	1

static inline unsigned int kg_module_symtabs(const struct module *mod,
					     struct kg_symtab *tabs)
{
	tabs[0].syms = (const void *)mod->syms;
	tabs[0].crcs = (const void *)mod->crcs;
	tabs[0].nr = mod->num_syms;
	return 1;
}
#else
#define KG_KSYMTAB_SUFFIXES	{ "", "_gpl" }
#define KG_HAVE_KFLAGSTAB	0

static inline unsigned int kg_module_symtabs(const struct module *mod,
					     struct kg_symtab *tabs)
{
	tabs[0].syms = (const void *)mod->syms;
	tabs[0].crcs = (const void *)mod->crcs;
	tabs[0].nr = mod->num_syms;
	tabs[1].syms = (const void *)mod->gpl_syms;
	tabs[1].crcs = (const void *)mod->gpl_crcs;
	tabs[1].nr = mod->num_gpl_syms;
	return 2;
}
#endif
#define KG_MAX_SYMTABS	2

/*
 * Which modules a module was linked against: v6.17 made struct module_use
 * private to kernel/module/ (internal.h) but kept its layout, which is
 * copied here (4 fields, 48 bytes on 64-bit, as the kernel's BTF shows).
 */
#ifdef KG_COMPAT_MODULE_USE_PRIVATE
struct module_use {
	struct list_head source_list;
	struct list_head target_list;
	struct module *source, *target;
};
#endif

/*
 * GENL_REQ_ATTR_CHECK() came with v6.1; before, a missing required
 * attribute is reported by message (there is no miss_type to set, and no
 * attribute to point at).
 */
#ifdef KG_COMPAT_NO_REQ_ATTR_CHECK
#include <net/genetlink.h>

#define GENL_REQ_ATTR_CHECK(info, attr) ({				\
	const struct genl_info *__info = (info);			\
	int __missing = !__info->attrs[(attr)];				\
									\
	if (__missing)							\
		NL_SET_ERR_MSG_MOD(__info->extack,			\
				   "missing required attribute");	\
	__missing;							\
})
#endif

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
 * ("" without an LSM that has one). Up to v5.12 the current task's secid
 * comes from security_task_getsecid(), then security_current_getsecid_subj();
 * v6.13 replaced the secid with struct lsm_prop
 * (security_current_getlsmprop_subj()), v6.14 the text and its length with
 * struct lsm_context (the conversion then returns the length), and v6.16
 * made the conversion name its LSM (LSM_ID_UNDEF: the first one with a
 * context). Kbuild probes security.h for each.
 */
#include <linux/minmax.h>
#include <linux/security.h>
#include <linux/string.h>

static inline void kg_copy_label(char *buf, size_t len, const char *ctx,
				 size_t ctxlen)
{
	size_t n = min(ctxlen, len - 1);

	memcpy(buf, ctx, n);
	buf[n] = '\0';
}

#if defined(KG_COMPAT_LSMPROP) && defined(KG_COMPAT_LSM_CONTEXT)
#ifdef KG_COMPAT_LSMPROP_LSMID
#define kg_lsmprop_to_secctx(prop, cp) \
	security_lsmprop_to_secctx(prop, cp, LSM_ID_UNDEF)
#else
#define kg_lsmprop_to_secctx(prop, cp) security_lsmprop_to_secctx(prop, cp)
#endif

static inline void kg_current_lsm_label(char *buf, size_t len)
{
	struct lsm_context ctx = {};
	struct lsm_prop prop;

	buf[0] = '\0';
	security_current_getlsmprop_subj(&prop);
	if (!lsmprop_is_set(&prop) || kg_lsmprop_to_secctx(&prop, &ctx) < 0)
		return;
	if (ctx.context)
		kg_copy_label(buf, len, ctx.context, ctx.len);
	security_release_secctx(&ctx);
}
#elif defined(KG_COMPAT_LSMPROP)
static inline void kg_current_lsm_label(char *buf, size_t len)
{
	struct lsm_prop prop;
	u32 ctxlen;
	char *ctx;

	buf[0] = '\0';
	security_current_getlsmprop_subj(&prop);
	if (!lsmprop_is_set(&prop) ||
	    security_lsmprop_to_secctx(&prop, &ctx, &ctxlen))
		return;
	kg_copy_label(buf, len, ctx, ctxlen);
	security_release_secctx(ctx, ctxlen);
}
#else
#ifdef KG_COMPAT_GETSECID_SUBJ
#define kg_current_getsecid(secid) security_current_getsecid_subj(secid)
#else
#include <linux/sched.h>
#define kg_current_getsecid(secid) security_task_getsecid(current, secid)
#endif

static inline void kg_current_lsm_label(char *buf, size_t len)
{
	u32 secid = 0, ctxlen;
	char *ctx;

	buf[0] = '\0';
	kg_current_getsecid(&secid);
	if (!secid || security_secid_to_secctx(secid, &ctx, &ctxlen))
		return;
	kg_copy_label(buf, len, ctx, ctxlen);
	security_release_secctx(ctx, ctxlen);
}
#endif

#endif /* KG_COMPAT_H */
