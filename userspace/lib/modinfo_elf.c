// SPDX-License-Identifier: GPL-2.0
/*
 * A module's ELF read offline, as the kernel's loader reads it
 * (kernel/module/main.c, version.c), into a struct kgc_modinfo; the file
 * itself is opened, decompressed and its signer read by modread.c.
 *
 *   - the ELF is read with elfutils' libelf: the imports are the undefined
 *     symbols of .symtab (weak ones may stay unresolved), modinfo is the
 *     "key=value" strings of .modinfo (name, vermagic, import_ns);
 *   - CRCs: __version_ext_crcs (u32 each) beside __version_ext_names (as
 *     many NUL-terminated names) when the module has them (6.14+,
 *     CONFIG_EXTENDED_MODVERSIONS; the only place a name longer than 55
 *     bytes has a CRC), and then the loader reads them alone; else
 *     __versions (struct modversion_info: an unsigned long CRC and a
 *     64-byte record, name NUL-padded); neither in a kernel built without
 *     CONFIG_MODVERSIONS (Debian's 7.2 and 7.3).
 *
 * Sections are found as the loader finds them: the first SHF_ALLOC
 * section of the name. Every byte of them is hostile: sizes are taken from
 * libelf's data (which checks them against the file), strings are bounded
 * by their section, entries counted down from the section size, and a
 * module the loader would refuse for its extended modversions (one of the
 * two sections without the other, more CRCs than names) is an error here.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gelf.h>

#include "modinfo_elf.h"

/* struct modversion_info: unsigned long crc; char name[64 - its size]. */
#define KG_MODVERSION_SIZE	64

void kgc_modinfo_free(struct kgc_modinfo *mi)
{
	size_t i;

	free(mi->path);
	free(mi->name);
	free(mi->vermagic);
	free(mi->signer);
	for (i = 0; i < mi->nr_import_ns; i++)
		free(mi->import_ns[i]);
	free(mi->import_ns);
	for (i = 0; i < mi->nr_imports; i++)
		free(mi->imports[i].name);
	free(mi->imports);
	for (i = 0; i < mi->nr_crc_checks; i++)
		free(mi->crc_checks[i].name);
	free(mi->crc_checks);
	memset(mi, 0, sizeof(*mi));
}

const char *kgc_modversions_name(const struct kgc_modinfo *mi)
{
	return mi->has_ext_versions ? "extended" :
	       mi->has_versions ? "basic" : "none";
}

static int kgc_push_str(char ***v, size_t *nr, const char *s, size_t len)
{
	char **n = realloc(*v, (*nr + 1) * sizeof(**v));

	if (!n)
		return -ENOMEM;
	*v = n;
	n[*nr] = strndup(s, len);
	if (!n[*nr])
		return -ENOMEM;
	(*nr)++;
	return 0;
}

/* The sections the loader looks at; NULL data when absent. */
struct kgc_elf {
	Elf *e;
	bool msb;			/* big-endian file */
	bool is64;
	Elf_Data *modinfo, *versions, *ext_crcs, *ext_names;
	Elf_Scn *symtab;
	size_t strndx;			/* the symbol table's strings */
};

static uint64_t kgc_get(const struct kgc_elf *k, const unsigned char *p,
		       size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[k->msb ? n - 1 - i : i] << (8 * i);
	return v;
}

/* A section's bytes as they are in the file (NOBITS: none). */
static Elf_Data *kgc_raw(Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *d;

	if (sh->sh_type == SHT_NOBITS)
		return NULL;
	d = elf_rawdata(scn, NULL);
	return d && d->d_buf ? d : NULL;
}

/* k->e is the module's ELF, from memory or from a file descriptor. */
static int kgc_elf_index(struct kgc_elf *k, const char **why)
{
	unsigned char *ident;
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;

	if (!k->e || elf_kind(k->e) != ELF_K_ELF || !gelf_getehdr(k->e, &eh))
		return -ENOEXEC;
	if (eh.e_type != ET_REL) {
		*why = "not a relocatable ELF object";
		return -ENOEXEC;
	}
	ident = (unsigned char *)elf_getident(k->e, NULL);
	if (!ident)
		return -ENOEXEC;
	k->msb = ident[EI_DATA] == ELFDATA2MSB;
	k->is64 = ident[EI_CLASS] == ELFCLASS64;
	if (elf_getshdrstrndx(k->e, &shstrndx))
		return -ENOEXEC;
	while ((scn = elf_nextscn(k->e, scn))) {
		Elf_Data **slot = NULL;
		const char *name;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			return -ENOEXEC;
		if (sh.sh_type == SHT_SYMTAB) {
			/* The loader wants exactly one. */
			if (k->symtab) {
				*why = "more than one symbol table";
				return -ENOEXEC;
			}
			k->symtab = scn;
			k->strndx = sh.sh_link;
			continue;
		}
		if (!(sh.sh_flags & SHF_ALLOC))
			continue;
		name = elf_strptr(k->e, shstrndx, sh.sh_name);
		if (!name)
			continue;
		if (!strcmp(name, ".modinfo"))
			slot = &k->modinfo;
		else if (!strcmp(name, "__versions"))
			slot = &k->versions;
		else if (!strcmp(name, "__version_ext_crcs"))
			slot = &k->ext_crcs;
		else if (!strcmp(name, "__version_ext_names"))
			slot = &k->ext_names;
		/* find_sec(): the first of a name counts. */
		if (slot && !*slot) {
			*slot = kgc_raw(scn, &sh);
			if (!*slot && sh.sh_type != SHT_NOBITS && sh.sh_size)
				return -ENOEXEC;
		}
	}
	if (!k->symtab) {
		*why = "no symbol table (stripped?)";
		return -ENOEXEC;
	}
	return 0;
}

/* .modinfo: "key=value" strings, NUL-separated (padding NULs between). */
static int kgc_read_modinfo(const struct kgc_elf *k, struct kgc_modinfo *mi)
{
	const char *p, *end, *v;
	size_t len;
	int ret = 0;

	if (!k->modinfo)
		return 0;
	p = k->modinfo->d_buf;
	end = p + k->modinfo->d_size;
	for (; p < end && !ret; p += len + 1) {
		len = strnlen(p, end - p);
		v = memchr(p, '=', len);
		if (!v)
			continue;
		v++;
		if (v - p == 10 && !strncmp(p, "import_ns=", 10)) {
			ret = kgc_push_str(&mi->import_ns, &mi->nr_import_ns, v,
					  p + len - v);
		} else if (v - p == 9 && !strncmp(p, "vermagic=", 9) &&
			   !mi->vermagic) {
			mi->vermagic = strndup(v, p + len - v);
			ret = mi->vermagic ? 0 : -ENOMEM;
		} else if (v - p == 7 && !strncmp(p, "intree=", 7)) {
			/* The loader looks for the key alone, any value. */
			mi->in_tree = true;
		} else if (v - p == 5 && !strncmp(p, "name=", 5) && v < p + len) {
			free(mi->name);
			mi->name = strndup(v, p + len - v);
			ret = mi->name ? 0 : -ENOMEM;
		}
	}
	return ret;
}

/* One CRC table entry; name points into the section, not terminated. */
struct kgc_vers {
	const char *name;
	size_t len;
	uint32_t crc;
	size_t idx;			/* its place in the table */
	bool used;			/* an undefined symbol has it */
};

static int kgc_cmp_name(const struct kgc_vers *x, const struct kgc_vers *y)
{
	int d = memcmp(x->name, y->name, x->len < y->len ? x->len : y->len);

	return d ? d : (x->len > y->len) - (x->len < y->len);
}

/* By name, then table order: the loader takes a name's first entry. */
static int kgc_cmp_vers(const void *a, const void *b)
{
	const struct kgc_vers *x = a, *y = b;
	int d = kgc_cmp_name(x, y);

	return d ? d : (x->idx > y->idx) - (x->idx < y->idx);
}

/* The first entry named like key, or NULL; every entry of that name is
 * marked used (duplicates are no extra import). */
static struct kgc_vers *kgc_find_vers(struct kgc_vers *v, size_t nr,
				    const struct kgc_vers *key)
{
	size_t lo = 0, hi = nr, i;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (kgc_cmp_name(&v[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == nr || kgc_cmp_name(&v[lo], key))
		return NULL;
	for (i = lo; i < nr && !kgc_cmp_name(&v[i], key); i++)
		v[i].used = true;
	return &v[lo];
}

/*
 * The CRC table the loader reads: the extended one when present (each
 * name bounded by what is left of its section; fewer names than CRCs is
 * an error, as in elf_validity_cache_index_versions()), else __versions
 * (whole records only; a name is at most its record less the CRC). Sorted
 * by name for lookups. *v is NULL when there is none.
 */
static int kgc_read_versions(const struct kgc_elf *k, struct kgc_vers **v,
			    size_t *nr, const char **why)
{
	size_t i, n, left, crcsize = k->is64 ? 8 : 4;
	const unsigned char *c;
	const char *name;

	*v = NULL;
	*nr = 0;
	if (!!k->ext_crcs != !!k->ext_names) {
		*why = "__version_ext_crcs without __version_ext_names or "
		       "the reverse (the loader refuses it)";
		return -ENOEXEC;
	}
	if (k->ext_crcs) {
		n = k->ext_crcs->d_size / 4;
		c = k->ext_crcs->d_buf;
		name = k->ext_names->d_buf;
		left = k->ext_names->d_size;
	} else if (k->versions) {
		n = k->versions->d_size / KG_MODVERSION_SIZE;
		c = k->versions->d_buf;
		name = NULL;
		left = 0;
	} else {
		return 0;
	}
	*v = calloc(n ? n : 1, sizeof(**v));
	if (!*v)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct kgc_vers *e = &(*v)[i];

		e->idx = i;
		if (k->ext_crcs) {
			e->crc = kgc_get(k, c + 4 * i, 4);
			e->name = name;
			e->len = strnlen(name, left);
			if (e->len == left) {
				*why = "more extended version CRCs than names "
				       "(the loader refuses it)";
				free(*v);
				*v = NULL;
				return -ENOEXEC;
			}
			name += e->len + 1;
			left -= e->len + 1;
		} else {
			const unsigned char *rec = c + KG_MODVERSION_SIZE * i;

			e->crc = kgc_get(k, rec, crcsize);
			e->name = (const char *)rec + crcsize;
			e->len = strnlen(e->name, KG_MODVERSION_SIZE - crcsize);
		}
	}
	qsort(*v, n, sizeof(**v), kgc_cmp_vers);
	*nr = n;
	return 0;
}

/*
 * CRC entries no undefined symbol has: libkmod and `modprobe
 * --dump-modversions` list them among the imports, but the loader
 * resolves none of them; it compares module_layout's CRC alone (modpost
 * puts it in __versions until 6.x; check_modstruct_version()). They are
 * CRC checks, kept apart in mi->crc_checks, sorted by name.
 */
static int kgc_add_crc_checks(struct kgc_modinfo *mi, struct kgc_vers *v,
			     size_t nr)
{
	size_t i, extra = 0;

	for (i = 0; i < nr; i++) {
		/* Sorted: a duplicate of an extra follows it. */
		if (i && !kgc_cmp_name(&v[i - 1], &v[i]))
			v[i].used = true;
		extra += !v[i].used && v[i].len;
	}
	if (!extra)
		return 0;
	mi->crc_checks = calloc(extra, sizeof(*mi->crc_checks));
	if (!mi->crc_checks)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		struct kgc_modsym *s = &mi->crc_checks[mi->nr_crc_checks];

		if (v[i].used || !v[i].len)
			continue;
		*s = (struct kgc_modsym){ .crc = v[i].crc, .has_crc = true };
		s->name = strndup(v[i].name, v[i].len);
		if (!s->name)
			return -ENOMEM;
		mi->nr_crc_checks++;
	}
	return 0;
}

static int kgc_read_imports(const struct kgc_elf *k, struct kgc_modinfo *mi,
			   const char **why)
{
	struct kgc_vers *vers;
	size_t nvers, i, nsyms;
	Elf_Data *d;
	GElf_Shdr sh;
	int ret;

	mi->has_ext_versions = k->ext_crcs != NULL;
	mi->has_versions = k->versions != NULL;
	ret = kgc_read_versions(k, &vers, &nvers, why);
	if (ret)
		return ret;
	d = elf_getdata(k->symtab, NULL);
	if (!gelf_getshdr(k->symtab, &sh) || !d ||
	    !gelf_fsize(k->e, ELF_T_SYM, 1, EV_CURRENT)) {
		*why = "unreadable symbol table";
		ret = -ENOEXEC;
		goto out;
	}
	nsyms = d->d_size / gelf_fsize(k->e, ELF_T_SYM, 1, EV_CURRENT);
	mi->imports = calloc(nsyms ? nsyms : 1, sizeof(*mi->imports));
	if (!mi->imports) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 1; i < nsyms; i++) {
		struct kgc_modsym *s = &mi->imports[mi->nr_imports];
		struct kgc_vers key, *hit;
		const char *name;
		GElf_Sym sym;

		if (!gelf_getsym(d, i, &sym) || sym.st_shndx != SHN_UNDEF)
			continue;
		name = elf_strptr(k->e, k->strndx, sym.st_name);
		if (!name || !*name)
			continue;
		s->name = strdup(name);
		if (!s->name) {
			ret = -ENOMEM;
			goto out;
		}
		s->weak = GELF_ST_BIND(sym.st_info) == STB_WEAK;
		key = (struct kgc_vers){ .name = name, .len = strlen(name) };
		hit = kgc_find_vers(vers, nvers, &key);
		if (hit) {
			s->crc = hit->crc;
			s->has_crc = true;
		}
		mi->nr_imports++;
	}
	ret = kgc_add_crc_checks(mi, vers, nvers);
out:
	free(vers);
	return ret;
}

/* The name libkmod gives a path: its base name up to the first '.'. */
static char *kgc_name_of(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return strndup(base, strcspn(base, "."));
}

/* Parses the module whose ELF is e (consumed: elf_end() here). */
int kgc_modinfo_parse_elf(const char *path, Elf *e, struct kgc_modinfo *mi,
			  char *err, size_t errlen)
{
	struct kgc_elf k = { .e = e };
	const char *why = NULL;
	int ret;

	memset(mi, 0, sizeof(*mi));
	mi->path = strdup(path);
	mi->name = kgc_name_of(path);
	if (!mi->path || !mi->name) {
		ret = -ENOMEM;
		goto out;
	}
	ret = kgc_elf_index(&k, &why);
	if (!ret)
		ret = kgc_read_modinfo(&k, mi);
	if (!ret)
		ret = kgc_read_imports(&k, mi, &why);
	if (!ret)
		kgc_modname_normalise(mi->name);
out:
	elf_end(k.e);
	if (!ret)
		return 0;
	kgc_modinfo_free(mi);
	if (ret == -ENOEXEC) {
		const char *lib = elf_errmsg(-1);

		snprintf(err, errlen, "%s: not a valid kernel module: %s%s%s",
			 path, why ? why : "truncated, corrupt or not ELF",
			 lib && !why ? ": libelf: " : "", lib && !why ? lib : "");
	}
	else
		snprintf(err, errlen, "%s: reading: %s", path, strerror(-ret));
	return ret;
}

int kgc_modinfo_parse(const char *path, char *image, size_t len,
		     struct kgc_modinfo *mi, char *err, size_t errlen)
{
	elf_errno();	/* no error left from another file */
	return kgc_modinfo_parse_elf(path, elf_memory(image, len), mi, err,
				    errlen);
}
