// SPDX-License-Identifier: GPL-2.0
/*
 * kg_many_exporter: exports the KG_MANY_COUNT (200) functions kg_many_000 ..
 * kg_many_199 listed in the generated kg_many_list.h, so kg_many_imports has
 * about 200 imports to check.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "kg_many_list.h"

#define KG_MANY_DEFINE(n)						\
	int kg_many_##n(void)						\
	{								\
		return 1;						\
	}								\
	EXPORT_SYMBOL_GPL(kg_many_##n)

KG_MANY_EACH_DECL(KG_MANY_DEFINE)

static int __init kg_many_exporter_init(void)
{
	pr_info("loaded, %d exports\n", KG_MANY_COUNT);
	return 0;
}
module_init(kg_many_exporter_init);

static void __exit kg_many_exporter_exit(void)
{
}
module_exit(kg_many_exporter_exit);

MODULE_DESCRIPTION("kabiguard selftest: exports 200 functions");
MODULE_LICENSE("GPL");
