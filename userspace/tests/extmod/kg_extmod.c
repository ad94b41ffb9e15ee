// SPDX-License-Identifier: GPL-2.0
/*
 * kg_extmod: the module userspace/tests/check_test.sh builds for its
 * extended-modversions tests. It imports _printk (or printk) and, weakly,
 * a symbol whose name is longer than the 55 bytes a __versions entry
 * holds: modpost leaves an unresolved weak import out of __versions, and
 * only __version_ext_names (6.14+, CONFIG_EXTENDED_MODVERSIONS) could give
 * it a CRC. No kernel of the test matrix enables extended modversions, so
 * the test adds those sections with objcopy --add-section.
 */
#include <linux/module.h>
#include <linux/printk.h>

extern int kg_test_symbol_whose_name_is_longer_than_fifty_five_bytes(void)
	__attribute__((weak));

static int __init kg_extmod_init(void)
{
	if (kg_test_symbol_whose_name_is_longer_than_fifty_five_bytes)
		return kg_test_symbol_whose_name_is_longer_than_fifty_five_bytes();
	pr_info("kg_extmod loaded\n");
	return 0;
}

static void __exit kg_extmod_exit(void)
{
}

module_init(kg_extmod_init);
module_exit(kg_extmod_exit);
MODULE_DESCRIPTION("kabiguard check test: extended modversions");
MODULE_LICENSE("GPL");
