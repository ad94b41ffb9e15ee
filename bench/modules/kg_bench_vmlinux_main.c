// SPDX-License-Identifier: GPL-2.0
/*
 * Imports ~200 symbols of the kernel image (listed in kg_bench_refs.c,
 * generated from the kernel's Module.symvers), like a real driver does.
 * The addresses are only stored, never used.
 */
#include <linux/module.h>

#ifndef KG_BENCH_DESCRIPTION
#define KG_BENCH_DESCRIPTION "kabiguard benchmark: a module with ~200 kernel imports"
#endif

extern void *kg_bench_refs[];

static int __init kg_bench_vmlinux_init(void)
{
	return kg_bench_refs[0] ? 0 : -EINVAL;
}

static void __exit kg_bench_vmlinux_exit(void)
{
}

module_init(kg_bench_vmlinux_init);
module_exit(kg_bench_vmlinux_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION(KG_BENCH_DESCRIPTION);
