// SPDX-License-Identifier: GPL-2.0
/*
 * kg_many_imports: calls each of kg_many_000 .. kg_many_199 (exported by
 * kg_many_exporter, listed in the generated kg_many_list.h) once from its
 * init, so it imports all 200 of them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "kg_many_list.h"

#define KG_MANY_REF(n)	kg_many_##n,

static int (* const kg_many_fns[])(void) __initconst = {
	KG_MANY_EACH(KG_MANY_REF)
};

static int __init kg_many_imports_init(void)
{
	int sum = 0;
	size_t i;

	BUILD_BUG_ON(ARRAY_SIZE(kg_many_fns) != KG_MANY_COUNT);
	for (i = 0; i < ARRAY_SIZE(kg_many_fns); i++)
		sum += kg_many_fns[i]();
	if (sum != KG_MANY_COUNT) {
		pr_err("unexpected sum %d\n", sum);
		return -EINVAL;
	}
	pr_info("loaded, sum %d\n", sum);
	return 0;
}
module_init(kg_many_imports_init);

static void __exit kg_many_imports_exit(void)
{
}
module_exit(kg_many_imports_exit);

MODULE_DESCRIPTION("kabiguard selftest: imports 200 functions");
MODULE_LICENSE("GPL");
