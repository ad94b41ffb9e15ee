/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Symbol namespaces for the test modules, the same strings on every kernel.
 *
 * KG_EXPORT_NS_GPL(sym, NS) and KG_IMPORT_NS(NS) take the namespace as a
 * bare name, which must not be a macro, and give the namespace "NS":
 * up to v6.12 EXPORT_SYMBOL_NS_GPL() and MODULE_IMPORT_NS() stringify their
 * argument (v5.10 with #ns, unexpanded; later with __stringify(), expanded),
 * since v6.13 they take a string literal. Kbuild probes module.h for the
 * latter (KG_NS_LITERAL).
 *
 * KG_EXPORT_FOR_MODULES(sym, "mod1,mod2") exports sym to the listed modules
 * only (namespace "module:mod1,mod2", which those modules need not
 * import): EXPORT_SYMBOL_GPL_FOR_MODULES() in v6.16 and v6.12.117+, called
 * EXPORT_SYMBOL_FOR_MODULES() (still GPL-only) in later kernels. Kbuild
 * builds the modules that use it only where export.h has either.
 * KG_IMPORT_FOR_MODULES(mods) is what an importer listed in mods needs:
 * nothing where the kernel knows these namespaces, an ordinary import of
 * "module:mods" where it has the macro only (KG_MODULE_NS_EXPLICIT, Kbuild
 * probes modpost).
 */
#ifndef _KG_NS_H
#define _KG_NS_H

#include <linux/export.h>
#include <linux/module.h>

#ifdef KG_NS_LITERAL
#define KG_EXPORT_NS_GPL(sym, ns)	EXPORT_SYMBOL_NS_GPL(sym, #ns)
#define KG_IMPORT_NS(ns)		MODULE_IMPORT_NS(#ns)
#else
#define KG_EXPORT_NS_GPL(sym, ns)	EXPORT_SYMBOL_NS_GPL(sym, ns)
#define KG_IMPORT_NS(ns)		MODULE_IMPORT_NS(ns)
#endif

#if defined(EXPORT_SYMBOL_GPL_FOR_MODULES)
#define KG_EXPORT_FOR_MODULES(sym, mods) EXPORT_SYMBOL_GPL_FOR_MODULES(sym, mods)
#elif defined(EXPORT_SYMBOL_FOR_MODULES)
#define KG_EXPORT_FOR_MODULES(sym, mods) EXPORT_SYMBOL_FOR_MODULES(sym, mods)
#endif

#ifdef KG_MODULE_NS_EXPLICIT
#define KG_IMPORT_FOR_MODULES(mods)	MODULE_INFO(import_ns, "module:" mods)
#else
#define KG_IMPORT_FOR_MODULES(mods)
#endif

#endif /* _KG_NS_H */
