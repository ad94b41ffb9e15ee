// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's export tables: finding the kernel image's, and resolving an
 * import to its exporter, namespace and CRC.
 *
 * The kernel image's tables (__start___ksymtab and friends) are not
 * exported, and neither is kallsyms_lookup_name() since v5.7.
 * register_kprobe() looks its symbol_name up through kallsyms and stores the
 * address in kp.addr before it checks whether the address may be probed; on
 * these data symbols it then fails, leaving the address behind. That order
 * is an implementation detail, so every address found is verified against
 * sprint_symbol(), the entry sizes and the sort order, and the module refuses
 * to load on any mismatch rather than read garbage. Nothing found this way is
 * ever called: on CPUs with IBT an indirect call into a function that is not
 * address-taken faults, so this file only reads data.
 */
#include <linux/bsearch.h>
#include <linux/compiler.h>
#include <linux/hash.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/string.h>
#include "guard.h"

/*
 * The kernel image's export tables (EXPORT_SYMBOL's and EXPORT_SYMBOL_GPL's,
 * or since v7.1 one for both; see compat.h); set once at init.
 */
static const char * const kg_vmlinux_suffix[] = KG_KSYMTAB_SUFFIXES;
static struct kg_symtab kg_vmlinux[ARRAY_SIZE(kg_vmlinux_suffix)];
static bool kg_have_crcs;

/*
 * Open-addressing index over both kernel image tables, keyed by
 * kg_name_hash(): most imports come from the kernel image, and a probe that
 * compares hashes first costs far less than two binary searches by strcmp().
 * ref is 0 for an empty slot, else 1 + (table << 31 | entry).
 */
struct kg_index_slot {
	u32 hash;
	u32 ref;
};

static struct kg_index_slot *kg_index;
static unsigned int kg_index_bits;

/* The kernel's list of modules, for scans of modules already loaded. */
static struct list_head *kg_modules;

static const char *kg_ksym_name(const struct kg_kernel_symbol *s)
{
	return offset_to_ptr(&s->name_offset);
}

static unsigned long kg_ksym_value(const struct kg_kernel_symbol *s)
{
	return (unsigned long)offset_to_ptr(&s->value_offset);
}

static const char *kg_ksym_namespace(const struct kg_kernel_symbol *s)
{
	const char *ns;

	if (!s->namespace_offset)
		return NULL;
	ns = offset_to_ptr(&s->namespace_offset);
	return *ns ? ns : NULL;
}

static unsigned long kg_lookup(const char *name)
{
	struct kprobe kp = { .symbol_name = name };
	unsigned long addr;

	if (!register_kprobe(&kp))
		unregister_kprobe(&kp);
	addr = (unsigned long)kp.addr;
	return addr;
}

static bool kg_is_sym(const char *buf, const char *prefix, const char *name)
{
	size_t plen = strlen(prefix), nlen = strlen(name);

	return !strncmp(buf, prefix, plen) && !strncmp(buf + plen, name, nlen) &&
	       !strncmp(buf + plen + nlen, "+0x0/", 5);
}

/*
 * kallsyms must name @addr either @start itself or the first entry's own
 * symbol, "<prefix><first>" (which of the aliases it prints varies).
 */
static bool kg_names(unsigned long addr, const char *start, const char *prefix,
		     const char *first)
{
	char buf[KSYM_SYMBOL_LEN];

	sprint_symbol(buf, addr);
	if (kg_is_sym(buf, start, "") || kg_is_sym(buf, prefix, first))
		return true;
	pr_err("expected %s or %s%s at 0x%lx, kallsyms says %s\n", start,
	       prefix, first, addr, buf);
	return false;
}

static int kg_symtab_find_image(struct kg_symtab *t, const char *suffix)
{
	char start[40], stop[40];
	unsigned long a, b;
	unsigned int i;

	snprintf(start, sizeof(start), "__start___ksymtab%s", suffix);
	snprintf(stop, sizeof(stop), "__stop___ksymtab%s", suffix);
	a = kg_lookup(start);
	b = kg_lookup(stop);
	if (!a || !b || b <= a || (b - a) % sizeof(struct kg_kernel_symbol)) {
		pr_err("cannot locate %s/%s (0x%lx-0x%lx)\n", start, stop, a, b);
		return -ENOENT;
	}
	t->syms = (const struct kg_kernel_symbol *)a;
	t->nr = (b - a) / sizeof(struct kg_kernel_symbol);

	if (!kg_names(a, start, "__ksymtab_", kg_ksym_name(&t->syms[0]))) {
		pr_err("%s does not look like an export table\n", start);
		return -EINVAL;
	}
	/* find_symbol() relies on this order too; check it rather than trust it. */
	for (i = 1; i < t->nr; i++) {
		if (strcmp(kg_ksym_name(&t->syms[i - 1]),
			   kg_ksym_name(&t->syms[i])) >= 0) {
			pr_err("%s is not sorted at entry %u\n", start, i);
			return -EINVAL;
		}
	}
	return 0;
}

static int kg_crctab_find_image(struct kg_symtab *t, const char *suffix)
{
	char start[40], stop[40];
	unsigned long a, b;

	snprintf(start, sizeof(start), "__start___kcrctab%s", suffix);
	snprintf(stop, sizeof(stop), "__stop___kcrctab%s", suffix);
	a = kg_lookup(start);
	b = kg_lookup(stop);
	if (!a || !b || b < a || (b - a) != t->nr * sizeof(u32)) {
		pr_err("cannot locate %s/%s for %u exports\n", start, stop, t->nr);
		return -ENOENT;
	}
	if (t->nr && !kg_names(a, start, "__crc_", kg_ksym_name(&t->syms[0]))) {
		pr_err("%s does not look like a CRC table\n", start);
		return -EINVAL;
	}
	t->crcs = (const u32 *)a;
	return 0;
}

/*
 * v7.1+: __kflagstab holds one flag byte per __ksymtab entry, in the same
 * order. It is not needed for a verdict, but a table of any other size
 * means the export table is not laid out as kabiguard reads it.
 */
static int kg_flagstab_verify(const struct kg_symtab *t)
{
	unsigned long a, b;

	a = kg_lookup("__start___kflagstab");
	b = kg_lookup("__stop___kflagstab");
	if (!a || !b || b < a || b - a != t->nr) {
		pr_err("cannot locate __start___kflagstab/__stop___kflagstab for %u exports (0x%lx-0x%lx)\n",
		       t->nr, a, b);
		return -ENOENT;
	}
	if (t->nr && !kg_names(a, "__start___kflagstab", "__flags_",
			       kg_ksym_name(&t->syms[0]))) {
		pr_err("__start___kflagstab does not look like a flag table\n");
		return -EINVAL;
	}
	return 0;
}

static int kg_index_build(void)
{
	unsigned int nr = 0;
	unsigned int mask, slot, t, i;

	for (t = 0; t < ARRAY_SIZE(kg_vmlinux); t++)
		nr += kg_vmlinux[t].nr;

	kg_index_bits = ilog2(roundup_pow_of_two(nr + nr / 2 + 1));
	mask = (1U << kg_index_bits) - 1;
	kg_index = kvcalloc(mask + 1, sizeof(*kg_index), GFP_KERNEL);
	if (!kg_index)
		return -ENOMEM;
	for (t = 0; t < ARRAY_SIZE(kg_vmlinux); t++) {
		for (i = 0; i < kg_vmlinux[t].nr; i++) {
			u32 hash = kg_name_hash(kg_ksym_name(&kg_vmlinux[t].syms[i]));

			slot = hash_32(hash, kg_index_bits);
			while (kg_index[slot].ref)
				slot = (slot + 1) & mask;
			kg_index[slot].hash = hash;
			kg_index[slot].ref = 1 + (t << 31 | i);
		}
	}
	return 0;
}

/**
 * kg_ksyms_init() - find and verify the kernel image's export tables
 *
 * Return: 0, or a negative errno after logging what could not be verified.
 */
int kg_ksyms_init(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(kg_vmlinux); i++) {
		ret = kg_symtab_find_image(&kg_vmlinux[i], kg_vmlinux_suffix[i]);
		if (ret)
			return ret;
		pr_debug("kernel image: __ksymtab%s has %u exports\n",
			 kg_vmlinux_suffix[i], kg_vmlinux[i].nr);
		if (!IS_ENABLED(CONFIG_MODVERSIONS))
			continue;
		ret = kg_crctab_find_image(&kg_vmlinux[i], kg_vmlinux_suffix[i]);
		if (ret)
			return ret;
	}
	if (KG_HAVE_KFLAGSTAB) {
		ret = kg_flagstab_verify(&kg_vmlinux[0]);
		if (ret)
			return ret;
	}
	kg_have_crcs = IS_ENABLED(CONFIG_MODVERSIONS);

	kg_modules = (struct list_head *)kg_lookup("modules");
	if (!kg_modules || !kg_names((unsigned long)kg_modules, "modules", "", "")) {
		pr_err("cannot locate the module list\n");
		return -ENOENT;
	}
	return kg_index_build();
}

void kg_ksyms_exit(void)
{
	kvfree(kg_index);
}

/**
 * kg_module_get() - find a live module by name and take a reference on it
 * @name: the module's name
 *
 * Return: the module (module_put() it), or NULL if no live module has @name.
 */
struct module *kg_module_get(const char *name)
{
	struct module *mod, *found = NULL;

	rcu_read_lock();
	list_for_each_entry_rcu(mod, kg_modules, list) {
		if (mod->state == MODULE_STATE_UNFORMED || strcmp(mod->name, name))
			continue;
		if (mod->state == MODULE_STATE_LIVE && try_module_get(mod))
			found = mod;
		break;
	}
	rcu_read_unlock();
	return found;
}

bool kg_ksyms_have_crcs(void)
{
	return kg_have_crcs;
}

static int kg_cmp_name(const void *key, const void *elt)
{
	return strcmp(key, kg_ksym_name(elt));
}

/*
 * Fill imp from entry s of table t if it is what the loader resolved imp to
 * (or, for a scan, where nothing was resolved, if the name matches).
 */
static bool kg_symtab_use(const struct kg_symtab *t,
			  const struct kg_kernel_symbol *s, struct kg_import *imp)
{
	if (imp->value_known && kg_ksym_value(s) != imp->value)
		return false;
	imp->ns = kg_ksym_namespace(s);
	imp->has_crc = t->crcs;
	if (t->crcs)
		imp->crc = t->crcs[s - t->syms];
	return true;
}

static bool kg_symtab_resolve(const struct kg_symtab *t, struct kg_import *imp)
{
	const struct kg_kernel_symbol *s;

	if (!t->nr)
		return false;
	s = bsearch(imp->name, t->syms, t->nr, sizeof(*s), kg_cmp_name);
	return s && kg_symtab_use(t, s, imp);
}

static bool kg_image_resolve(struct kg_import *imp)
{
	unsigned int mask = (1U << kg_index_bits) - 1;
	unsigned int slot = hash_32(imp->hash, kg_index_bits);
	u32 ref;

	for (; (ref = kg_index[slot].ref); slot = (slot + 1) & mask) {
		const struct kg_symtab *t = &kg_vmlinux[(ref - 1) >> 31];
		const struct kg_kernel_symbol *s = &t->syms[(ref - 1) & ~BIT(31)];

		if (kg_index[slot].hash == imp->hash &&
		    !strcmp(kg_ksym_name(s), imp->name))
			return kg_symtab_use(t, s, imp);
	}
	return false;
}

/**
 * kg_ksyms_resolve() - find who exports an import of @mod
 * @mod: the module being loaded
 * @imp: the import; name, hash and value set, the rest filled in
 *
 * Looks in the kernel image, then in the modules @mod was linked against
 * (its target_list, which the loader filled and pinned while resolving, and
 * which only the loading task changes). An import found nowhere, such as an
 * unresolved weak symbol, keeps a NULL exporter.
 */
void kg_ksyms_resolve(const struct module *mod, struct kg_import *imp)
{
	struct module_use *use;
	unsigned int i;

	imp->ns = NULL;
	imp->exporter = NULL;
	imp->has_crc = false;
	imp->crc = 0;

	if (kg_image_resolve(imp)) {
		imp->exporter = "vmlinux";
		return;
	}

	list_for_each_entry(use, &mod->target_list, target_list) {
		const struct module *owner = use->target;
		struct kg_symtab tabs[KG_MAX_SYMTABS];
		unsigned int nr = kg_module_symtabs(owner, tabs);

		for (i = 0; i < nr; i++) {
			if (kg_symtab_resolve(&tabs[i], imp)) {
				imp->exporter = owner->name;
				return;
			}
		}
	}
}
