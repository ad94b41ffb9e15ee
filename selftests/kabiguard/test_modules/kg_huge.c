// SPDX-License-Identifier: GPL-2.0
/*
 * kg_huge: a module whose event would not fit if the guard did not bound
 * it: a weak import whose name is 65,531 bytes long (a netlink attribute
 * length is a u16), an 8 KiB MODULE_VERSION, and 300 weak imports that
 * nothing exports (more violations than an event lists). The weak imports
 * stay unresolved (value 0), so the module loads; its code never uses
 * them, only a data table refers to them (absolute relocations).
 */
#include <linux/module.h>
#include "kg_huge_names.h"

extern int KG_HUGE_SYM __weak;
#define KG_HUGE_DECL(n) extern int kg_huge_w_##n __weak
KG_HUGE_EACH_DECL(KG_HUGE_DECL)

#define KG_HUGE_REF(n) (&kg_huge_w_##n)
static int *kg_huge_refs[] __used = {
	&KG_HUGE_SYM,
	KG_HUGE_EACH_LIST(KG_HUGE_REF)
};

static int __init kg_huge_init(void)
{
	return 0;
}

static void __exit kg_huge_exit(void)
{
}

module_init(kg_huge_init);
module_exit(kg_huge_exit);
MODULE_LICENSE("GPL");
MODULE_VERSION(KG_HUGE_VERSION);
MODULE_DESCRIPTION("kabiguard selftest: an event that must be bounded");
