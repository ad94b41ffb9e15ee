// SPDX-License-Identifier: GPL-2.0
/*
 * kg_evil_import: a weak import whose name, once the test has patched it,
 * holds a newline, a forged kabiguard log line and an ESC sequence:
 *   "kg_evil\nkabiguard: evil: allowed (enforce, generation 1), 3 imports\e[31mx"
 * Neither C nor gas (which keeps escapes in quoted symbol names
 * literally) can spell a newline or ESC in a symbol name, so the name is
 * built with '~' for the newline and '`' for ESC, and events_bounds_test
 * replaces those two bytes in the string table of the .ko it reads before
 * it loads the module with init_module(2). Nothing exports the symbol: it
 * stays unresolved (weak, value 0) and the module loads; only a data table
 * refers to it.
 */
#include <linux/module.h>

extern int kg_evil
	asm("\"kg_evil~kabiguard: evil: allowed (enforce, generation 1), 3 imports`[31mx\"")
	__weak;

static int *kg_evil_refs[] __used = { &kg_evil };

static int __init kg_evil_init(void)
{
	return 0;
}

static void __exit kg_evil_exit(void)
{
}

module_init(kg_evil_init);
module_exit(kg_evil_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kabiguard selftest: an import name that forges log lines");
