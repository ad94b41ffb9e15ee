// SPDX-License-Identifier: GPL-2.0
/*
 * Every reference the loader resolves is checked, in the VM as root with
 * kabiguard.ko loaded:
 *  - a livepatch relocation symbol (".klp.sym.vmlinux.NAME,0",
 *    SHN_LIVEPATCH, in a ".klp.rela.vmlinux.*" section), which the loader
 *    resolves to any kernel symbol before the notifier runs, is a
 *    violation of reason "livepatch", and a livepatch module (modinfo
 *    livepatch=Y) one more; enforce mode denies them, audit mode reports
 *    them; no ANY rule allows them, a livepatch rule does (for the module
 *    it names, signed or not as it says), and the module's ordinary imports
 *    are still checked;
 *  - a nameless undefined symbol with a value, a named one whose value no
 *    export has, and an absolute symbol holding a kernel text address are
 *    "unverifiable", whatever the policy.
 * The test modules are built as ordinary modules with weak imports
 * (test_modules/kg_klp.h, kg_unverifiable.c); this test patches the ELF
 * file in memory into what they stand for and loads it with
 * init_module(2).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kg_selftest.h"

#ifndef SHN_LIVEPATCH
#define SHN_LIVEPATCH		0xff20
#endif
#ifndef SHF_RELA_LIVEPATCH
#define SHF_RELA_LIVEPATCH	0x00100000
#endif

#define LIVEPATCH	"kg_livepatch"
#define KLP_HIDDEN	"kg_klp_hidden"
#define UNVERIFIABLE	"kg_unverifiable"
/* As in test_modules/kg_klp.h. */
#define KLP_SYM		".klp.sym.vmlinux.kallsyms_lookup_name,0"
#define KLP_RELA	".klp.rela.vmlinux."

/* A module file read into memory, with its symbol table located. */
struct img {
	char *buf;
	size_t len;
	Elf64_Ehdr *eh;
	Elf64_Shdr *sh;
	unsigned int symndx;
	Elf64_Sym *sym;
	size_t nsym;
	char *str;
	size_t strsz;
	char *shstr;
	size_t shstrsz;
};

static bool in_file(const struct img *m, uint64_t off, uint64_t size)
{
	return off <= m->len && size <= m->len - off;
}

static void img_free(struct img *m)
{
	free(m->buf);
	memset(m, 0, sizeof(*m));
}

/* Read test module @name: 0, or -1 when it is missing or malformed. */
static int img_read(struct img *m, const char *name)
{
	char path[4096];
	struct stat st;
	unsigned int i;
	int fd;

	memset(m, 0, sizeof(*m));
	kg_t_kopath(path, sizeof(path), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || st.st_size < (off_t)sizeof(Elf64_Ehdr) ||
	    !(m->buf = malloc(st.st_size)) ||
	    read(fd, m->buf, st.st_size) != st.st_size) {
		close(fd);
		img_free(m);
		return -1;
	}
	close(fd);
	m->len = st.st_size;
	m->eh = (Elf64_Ehdr *)m->buf;
	if (memcmp(m->eh->e_ident, ELFMAG, SELFMAG) ||
	    m->eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    !in_file(m, m->eh->e_shoff,
		     (uint64_t)m->eh->e_shnum * sizeof(Elf64_Shdr)) ||
	    m->eh->e_shstrndx >= m->eh->e_shnum)
		goto bad;
	m->sh = (Elf64_Shdr *)(m->buf + m->eh->e_shoff);
	for (i = 0; i < m->eh->e_shnum; i++) {
		if (!in_file(m, m->sh[i].sh_offset, m->sh[i].sh_type ==
			     SHT_NOBITS ? 0 : m->sh[i].sh_size))
			goto bad;
		if (m->sh[i].sh_type == SHT_SYMTAB)
			m->symndx = i;
	}
	if (!m->symndx || m->sh[m->symndx].sh_link >= m->eh->e_shnum)
		goto bad;
	m->sym = (Elf64_Sym *)(m->buf + m->sh[m->symndx].sh_offset);
	m->nsym = m->sh[m->symndx].sh_size / sizeof(Elf64_Sym);
	m->str = m->buf + m->sh[m->sh[m->symndx].sh_link].sh_offset;
	m->strsz = m->sh[m->sh[m->symndx].sh_link].sh_size;
	m->shstr = m->buf + m->sh[m->eh->e_shstrndx].sh_offset;
	m->shstrsz = m->sh[m->eh->e_shstrndx].sh_size;
	return 0;
bad:
	img_free(m);
	return -1;
}

/* The symbol named @name, its index in *idx; NULL when absent. */
static Elf64_Sym *img_sym(struct img *m, const char *name, size_t *idx)
{
	size_t i;

	for (i = 1; i < m->nsym; i++) {
		if (m->sym[i].st_name >= m->strsz ||
		    strnlen(m->str + m->sym[i].st_name,
			    m->strsz - m->sym[i].st_name) ==
		    m->strsz - m->sym[i].st_name)
			continue;
		if (!strcmp(m->str + m->sym[i].st_name, name)) {
			*idx = i;
			return &m->sym[i];
		}
	}
	return NULL;
}

/*
 * Make the KLP_SYM import a livepatch relocation: SHN_LIVEPATCH, and its
 * one relocation section (which must use no other symbol) renamed
 * ".klp.rela.vmlinux.*" in place and flagged SHF_RELA_LIVEPATCH. Returns
 * 0, or -1 when the module is not built as kg_klp.h says.
 */
static int img_make_klp(struct img *m)
{
	size_t idx, i, j, found = 0;
	Elf64_Sym *s = img_sym(m, KLP_SYM, &idx);

	if (!s || s->st_shndx != SHN_UNDEF)
		return -1;
	s->st_shndx = SHN_LIVEPATCH;
	for (i = 1; i < m->eh->e_shnum; i++) {
		Elf64_Shdr *sh = &m->sh[i];
		Elf64_Rela *r = (Elf64_Rela *)(m->buf + sh->sh_offset);
		size_t nr = sh->sh_size / sizeof(*r), uses = 0;
		char *name;

		if (sh->sh_type != SHT_RELA || sh->sh_link != m->symndx)
			continue;
		for (j = 0; j < nr; j++)
			uses += ELF64_R_SYM(r[j].r_info) == idx;
		if (!uses)
			continue;
		if (uses != nr || sh->sh_name >= m->shstrsz)
			return -1;
		name = m->shstr + sh->sh_name;
		if (strnlen(name, m->shstrsz - sh->sh_name) <=
		    strlen(KLP_RELA))
			return -1;
		memcpy(name, KLP_RELA, strlen(KLP_RELA));
		sh->sh_flags |= SHF_RELA_LIVEPATCH;
		found++;
	}
	return found == 1 ? 0 : -1;
}

/* The kernel's _stext, from /proc/kallsyms; 0 when not readable. */
static uint64_t kernel_stext(void)
{
	char line[512], name[256], type;
	unsigned long long addr;
	uint64_t ret = 0;
	FILE *f = fopen("/proc/kallsyms", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) == 3 &&
		    !strcmp(name, "_stext")) {
			ret = addr;
			break;
		}
	fclose(f);
	return ret;
}

/*
 * kg_unverifiable's three weak imports made unverifiable (see
 * kg_unverifiable.c), with values inside the kernel's text.
 */
static int img_make_unverifiable(struct img *m, uint64_t stext)
{
	Elf64_Sym *nameless, *named, *abs;
	size_t idx;

	nameless = img_sym(m, "kg_unv_nameless", &idx);
	named = img_sym(m, "kg_unv_named", &idx);
	abs = img_sym(m, "kg_unv_abs", &idx);
	if (!nameless || !named || !abs || !stext)
		return -1;
	nameless->st_name = 0;
	nameless->st_value = stext + 0x10;
	named->st_value = stext + 0x20;
	abs->st_shndx = SHN_ABS;
	abs->st_value = stext;
	return 0;
}

/* init_module(2) of the patched image: 0 or the errno. */
static int img_load(const struct img *m)
{
	return syscall(__NR_init_module, m->buf, m->len, "") ? errno : 0;
}

/* The "resolved" parameter of kg_klp.h: 1 (Y), 0 (N), -1 unreadable. */
static int klp_resolved(const char *name)
{
	char path[256], c = 0;
	int fd, n;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/resolved",
		 name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, &c, 1);
	close(fd);
	return n == 1 ? c == 'Y' : -1;
}

/* How many listed violations have this symbol and reason. */
static size_t count_viol(const struct kgc_event *ev, const char *sym,
			 enum kabiguard_reason reason)
{
	size_t i, n = 0;

	for (i = 0; i < ev->nr_listed; i++)
		n += !strcmp(ev->viol[i].symbol, sym) &&
		     ev->viol[i].reason == reason;
	return n;
}

static size_t count_reason(const struct kgc_event *ev,
			   enum kabiguard_reason reason)
{
	size_t i, n = 0;

	for (i = 0; i < ev->nr_listed; i++)
		n += ev->viol[i].reason == reason;
	return n;
}

FIXTURE(refs) {
	struct kgc_client *c;
	struct kgc_client *evc;
	struct img img;
};

FIXTURE_SETUP(refs)
{
	ASSERT_EQ(0, kgc_open(&self->c));
	ASSERT_EQ(0, kgc_events_open(&self->evc));
}

FIXTURE_TEARDOWN(refs)
{
	kg_t_unload(LIVEPATCH);
	kg_t_unload(KLP_HIDDEN);
	kg_t_unload(UNVERIFIABLE);
	if (self->c)
		kgc_cmd_set_mode(self->c, KABIGUARD_MODE_AUDIT);
	img_free(&self->img);
	kgc_close(self->evc);
	kgc_close(self->c);
}

/* Make @rules the active policy and set @mode. */
static void policy(struct __test_metadata *_metadata, FIXTURE_DATA(refs) *self,
		   const struct kgc_rule *rules, size_t nr,
		   enum kabiguard_mode mode)
{
	struct kgc_policy p = { 0 };
	uint64_t gen;
	size_t i;

	for (i = 0; i < nr; i++)
		ASSERT_EQ(0, kgc_policy_append(&p, &rules[i]));
	ASSERT_EQ(0, kgc_policy_push(self->c, &p, &gen))
		TH_LOG("push: %s", kgc_extack(self->c));
	kgc_policy_free(&p);
	ASSERT_EQ(0, kgc_cmd_set_mode(self->c, mode));
}

/* Load @name patched by @make; expect errno @want and its event in *ev. */
static void load_patched(struct __test_metadata *_metadata,
			 FIXTURE_DATA(refs) *self, const char *name,
			 int want, struct kgc_event *ev)
{
	if (!strcmp(name, UNVERIFIABLE)) {
		ASSERT_EQ(0, img_read(&self->img, name)) TH_LOG("%s.ko", name);
		ASSERT_EQ(0, img_make_unverifiable(&self->img, kernel_stext()))
			TH_LOG("%s.ko not as built, or no _stext in /proc/kallsyms",
			       name);
	} else {
		ASSERT_EQ(0, img_read(&self->img, name)) TH_LOG("%s.ko", name);
		ASSERT_EQ(0, img_make_klp(&self->img))
			TH_LOG("%s.ko is not built as kg_klp.h says", name);
	}
	kg_t_unload(name);
	ASSERT_EQ(want, img_load(&self->img))
		TH_LOG("init_module(%s): %s", name, strerror(errno));
	ASSERT_EQ(1, kg_t_event_for(self->evc, name, ev, KG_EVENT_TIMEOUT_MS));
	EXPECT_EQ(want == 0, kg_t_loaded(name));
}

static const struct kgc_rule everything[] = {
	KG_R_VMLINUX,
	KG_R_ANY(),
};

TEST_F(refs, livepatch_denied_in_enforce)
{
	struct kgc_event ev;

	/* Not even a rule allowing every import allows a livepatch. */
	policy(_metadata, self, everything, ARRAY_SIZE(everything),
	       KABIGUARD_MODE_ENFORCE);
	load_patched(_metadata, self, LIVEPATCH, EPERM, &ev);
	EXPECT_EQ(KABIGUARD_VERDICT_DENIED, ev.verdict);
	EXPECT_EQ(2, ev.nr_violations);
	EXPECT_EQ(1, count_viol(&ev, "", KABIGUARD_REASON_LIVEPATCH));
	EXPECT_EQ(1, count_viol(&ev, KLP_SYM, KABIGUARD_REASON_LIVEPATCH));
	kgc_event_free(&ev);
}

TEST_F(refs, livepatch_audited)
{
	struct kgc_event ev;

	policy(_metadata, self, everything, 1, KABIGUARD_MODE_AUDIT);
	load_patched(_metadata, self, LIVEPATCH, 0, &ev);
	EXPECT_EQ(KABIGUARD_VERDICT_AUDITED, ev.verdict);
	EXPECT_EQ(2, ev.nr_violations);
	EXPECT_EQ(1, count_viol(&ev, "", KABIGUARD_REASON_LIVEPATCH));
	EXPECT_EQ(1, count_viol(&ev, KLP_SYM, KABIGUARD_REASON_LIVEPATCH));
	/* What was reported is what the loader did. */
	EXPECT_EQ(1, klp_resolved(LIVEPATCH));
	kgc_event_free(&ev);
	EXPECT_EQ(0, kg_t_unload(LIVEPATCH));
}

TEST_F(refs, livepatch_allowed_by_rule)
{
	const struct kgc_rule rules[] = {
		KG_R_VMLINUX,
		{ .kind = KABIGUARD_RULE_LIVEPATCH, .module = LIVEPATCH },
	};
	struct kgc_event ev;

	policy(_metadata, self, rules, ARRAY_SIZE(rules),
	       KABIGUARD_MODE_ENFORCE);
	load_patched(_metadata, self, LIVEPATCH, 0, &ev);
	EXPECT_EQ(KABIGUARD_VERDICT_ALLOWED, ev.verdict);
	EXPECT_EQ(0, ev.nr_violations);
	/* _printk, param_ops_bool, the livepatch symbol at least. */
	EXPECT_LE(3, ev.nr_imports);
	EXPECT_EQ(1, klp_resolved(LIVEPATCH));
	kgc_event_free(&ev);
	EXPECT_EQ(0, kg_t_unload(LIVEPATCH));
}

TEST_F(refs, livepatch_rule_names_another_module)
{
	const struct kgc_rule rules[] = {
		KG_R_VMLINUX,
		{ .kind = KABIGUARD_RULE_LIVEPATCH, .module = "kg_other" },
	};
	struct kgc_event ev;

	policy(_metadata, self, rules, ARRAY_SIZE(rules),
	       KABIGUARD_MODE_ENFORCE);
	load_patched(_metadata, self, LIVEPATCH, EPERM, &ev);
	EXPECT_EQ(KABIGUARD_VERDICT_DENIED, ev.verdict);
	EXPECT_EQ(2, count_reason(&ev, KABIGUARD_REASON_LIVEPATCH));
	kgc_event_free(&ev);
}

TEST_F(refs, livepatch_rule_signed_only)
{
	const struct kgc_rule rules[] = {
		KG_R_VMLINUX,
		{ .kind = KABIGUARD_RULE_LIVEPATCH,
		  .flags = KABIGUARD_RULE_F_SIGNED_ONLY },
	};
	struct kgc_event ev;

	policy(_metadata, self, rules, ARRAY_SIZE(rules),
	       KABIGUARD_MODE_ENFORCE);
	load_patched(_metadata, self, LIVEPATCH, EPERM, &ev);
	/* The test modules are not signed. */
	EXPECT_EQ(0, ev.sig_ok);
	EXPECT_EQ(KABIGUARD_VERDICT_DENIED, ev.verdict);
	EXPECT_EQ(2, count_reason(&ev, KABIGUARD_REASON_LIVEPATCH));
	kgc_event_free(&ev);
}

TEST_F(refs, livepatch_rule_still_checks_imports)
{
	const struct kgc_rule rules[] = {
		{ .kind = KABIGUARD_RULE_LIVEPATCH },
	};
	struct kgc_event ev;

	policy(_metadata, self, rules, ARRAY_SIZE(rules),
	       KABIGUARD_MODE_ENFORCE);
	load_patched(_metadata, self, LIVEPATCH, EPERM, &ev);
	EXPECT_EQ(KABIGUARD_VERDICT_DENIED, ev.verdict);
	EXPECT_EQ(0, count_reason(&ev, KABIGUARD_REASON_LIVEPATCH));
	EXPECT_EQ(1, count_viol(&ev, "param_ops_bool",
				KABIGUARD_REASON_NOT_ALLOWED));
	kgc_event_free(&ev);
}

TEST_F(refs, livepatch_rule_takes_no_name)
{
	const struct kgc_rule bad = {
		.kind = KABIGUARD_RULE_LIVEPATCH, .name = "kallsyms_lookup_name",
	};
	struct kgc_policy p = { 0 };
	uint64_t gen;

	ASSERT_EQ(0, kgc_policy_append(&p, &bad));
	EXPECT_EQ(-EINVAL, kgc_policy_push(self->c, &p, &gen));
	EXPECT_NE(NULL, strstr(kgc_extack(self->c), "LIVEPATCH rule takes no"))
		TH_LOG("extack: %s", kgc_extack(self->c));
	kgc_policy_free(&p);
}

TEST_F(refs, klp_relocation_without_modinfo)
{
	struct kgc_event ev;

	policy(_metadata, self, everything, ARRAY_SIZE(everything),
	       KABIGUARD_MODE_ENFORCE);
	load_patched(_metadata, self, KLP_HIDDEN, EPERM, &ev);
	EXPECT_EQ(KABIGUARD_VERDICT_DENIED, ev.verdict);
	EXPECT_EQ(1, ev.nr_violations);
	EXPECT_EQ(1, count_viol(&ev, KLP_SYM, KABIGUARD_REASON_LIVEPATCH));
	kgc_event_free(&ev);
	img_free(&self->img);

	/* In audit mode it loads: the loader did resolve the symbol. */
	ASSERT_EQ(0, kgc_cmd_set_mode(self->c, KABIGUARD_MODE_AUDIT));
	load_patched(_metadata, self, KLP_HIDDEN, 0, &ev);
	EXPECT_EQ(KABIGUARD_VERDICT_AUDITED, ev.verdict);
	EXPECT_EQ(1, count_viol(&ev, KLP_SYM, KABIGUARD_REASON_LIVEPATCH));
	EXPECT_EQ(1, klp_resolved(KLP_HIDDEN));
	kgc_event_free(&ev);
	EXPECT_EQ(0, kg_t_unload(KLP_HIDDEN));
}

TEST_F(refs, unverifiable_denied_whatever_the_policy)
{
	struct kgc_event ev;

	policy(_metadata, self, everything, ARRAY_SIZE(everything),
	       KABIGUARD_MODE_ENFORCE);
	load_patched(_metadata, self, UNVERIFIABLE, EPERM, &ev);
	EXPECT_EQ(KABIGUARD_VERDICT_DENIED, ev.verdict);
	EXPECT_EQ(3, ev.nr_violations);
	EXPECT_EQ(1, count_viol(&ev, "", KABIGUARD_REASON_UNVERIFIABLE));
	EXPECT_EQ(1, count_viol(&ev, "kg_unv_named",
				KABIGUARD_REASON_UNVERIFIABLE));
	EXPECT_EQ(1, count_viol(&ev, "kg_unv_abs",
				KABIGUARD_REASON_UNVERIFIABLE));
	kgc_event_free(&ev);
}

TEST_F(refs, unverifiable_audited)
{
	struct kgc_event ev;

	policy(_metadata, self, everything, ARRAY_SIZE(everything),
	       KABIGUARD_MODE_AUDIT);
	load_patched(_metadata, self, UNVERIFIABLE, 0, &ev);
	EXPECT_EQ(KABIGUARD_VERDICT_AUDITED, ev.verdict);
	EXPECT_EQ(3, ev.nr_violations);
	EXPECT_EQ(3, count_reason(&ev, KABIGUARD_REASON_UNVERIFIABLE));
	kgc_event_free(&ev);
	EXPECT_EQ(0, kg_t_unload(UNVERIFIABLE));
}

TEST_F(refs, nameless_undefined_counts)
{
	const struct kgc_rule rules[] = { KG_R_VMLINUX };
	size_t idx;
	Elf64_Sym *s;
	struct kgc_event ev;

	/*
	 * As built, but kg_unv_nameless without its name: a nameless weak
	 * import the loader leaves at 0 is no unverifiable value, yet still
	 * an import that this policy does not allow.
	 */
	policy(_metadata, self, rules, ARRAY_SIZE(rules), KABIGUARD_MODE_AUDIT);
	ASSERT_EQ(0, img_read(&self->img, UNVERIFIABLE));
	s = img_sym(&self->img, "kg_unv_nameless", &idx);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, s->st_value);
	s->st_name = 0;
	kg_t_unload(UNVERIFIABLE);
	ASSERT_EQ(0, img_load(&self->img));
	ASSERT_EQ(1, kg_t_event_for(self->evc, UNVERIFIABLE, &ev,
				    KG_EVENT_TIMEOUT_MS));
	EXPECT_EQ(KABIGUARD_VERDICT_AUDITED, ev.verdict);
	EXPECT_EQ(3, ev.nr_violations);
	EXPECT_EQ(1, count_viol(&ev, "", KABIGUARD_REASON_NOT_ALLOWED));
	EXPECT_EQ(1, count_viol(&ev, "kg_unv_named",
				KABIGUARD_REASON_NOT_ALLOWED));
	EXPECT_EQ(0, count_reason(&ev, KABIGUARD_REASON_UNVERIFIABLE));
	kgc_event_free(&ev);
	EXPECT_EQ(0, kg_t_unload(UNVERIFIABLE));
}

TEST_HARNESS_MAIN
