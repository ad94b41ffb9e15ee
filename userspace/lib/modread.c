// SPDX-License-Identifier: GPL-2.0
/*
 * Reading module files offline with libkmod: imports with their
 * __versions CRCs (kmod_module_get_dependency_symbols: the undefined
 * symbols of .symtab, as the kernel's loader and kabiguard.ko see them),
 * and modinfo (name, vermagic, import_ns, signer) from
 * kmod_module_get_info. libkmod decompresses .ko.xz/.zst/.gz itself when
 * it was built with that library; this file only recognises the magic of
 * a format it could not read, to say so.
 *
 * A kmod_ctx is not thread-safe: one reader per thread. Its context has no
 * module directory and no configuration, so creating one costs nothing and
 * reads no system file; each module is released after reading, so modules
 * of the same name from different trees do not collide in its pool.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libkmod.h>

#include "internal.h"

struct kg_modreader {
	struct kmod_ctx *ctx;		/* offline: no dirname, no config */
	struct kmod_ctx *sys;		/* kg_modreader_find(): the system's */
};

static void kg_kmod_quiet(void *data, int priority, const char *file,
			  int line, const char *fn, const char *format,
			  va_list args)
{
	(void)data, (void)priority, (void)file, (void)line, (void)fn;
	(void)format, (void)args;
}

int kg_modreader_new(struct kg_modreader **out)
{
	static const char *const no_config[] = { NULL };
	struct kg_modreader *r;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->ctx = kmod_new("/nonexistent", no_config);
	if (!r->ctx) {
		free(r);
		return -ENOMEM;
	}
	kmod_set_log_fn(r->ctx, kg_kmod_quiet, NULL);
	*out = r;
	return 0;
}

void kg_modreader_free(struct kg_modreader *r)
{
	if (!r)
		return;
	kmod_unref(r->ctx);
	if (r->sys)
		kmod_unref(r->sys);
	free(r);
}

char *kg_modreader_find(struct kg_modreader *r, const char *name)
{
	struct kmod_module *mod;
	const char *path;
	char *ret = NULL;

	if (!r->sys) {
		r->sys = kmod_new(NULL, NULL);
		if (!r->sys)
			return NULL;
		kmod_set_log_fn(r->sys, kg_kmod_quiet, NULL);
	}
	if (kmod_module_new_from_name(r->sys, name, &mod))
		return NULL;
	path = kmod_module_get_path(mod);
	if (path)
		ret = strdup(path);
	kmod_module_unref(mod);
	return ret;
}

void kg_modinfo_free(struct kg_modinfo *mi)
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
	memset(mi, 0, sizeof(*mi));
}

/* The compression a file's magic names, for messages; NULL: none. */
static const char *kg_compression(const char *path)
{
	unsigned char m[6] = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, m, sizeof(m));
	close(fd);
	if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
		return "gzip (zlib)";
	if (n >= 6 && !memcmp(m, "\xfd" "7zXZ\0", 6))
		return "xz (liblzma)";
	if (n >= 4 && !memcmp(m, "\x28\xb5\x2f\xfd", 4))
		return "zstd (libzstd)";
	return NULL;
}

static int kg_read_error(const char *path, int ret, const char *what,
			 char *err, size_t errlen)
{
	const char *comp = kg_compression(path);

	if (ret == -ENOEXEC && comp)
		snprintf(err, errlen, "%s: cannot read: the system's libkmod "
			 "was built without %s support (see `kmod --version`); "
			 "decompress the module first", path, comp);
	else if (ret == -ENOEXEC || ret == -EINVAL)
		snprintf(err, errlen, "%s: %s: not a valid kernel module%s "
			 "(truncated, corrupt or not ELF)", path, what,
			 comp ? " after decompression" : "");
	else
		snprintf(err, errlen, "%s: %s: %s", path, what, strerror(-ret));
	return ret;
}

static int kg_push_str(char ***v, size_t *nr, const char *s)
{
	char **n = realloc(*v, (*nr + 1) * sizeof(**v));

	if (!n)
		return -ENOMEM;
	*v = n;
	n[*nr] = strdup(s);
	if (!n[*nr])
		return -ENOMEM;
	(*nr)++;
	return 0;
}

static int kg_read_info(struct kmod_module *mod, struct kg_modinfo *mi)
{
	struct kmod_list *list = NULL, *e;
	int ret;

	ret = kmod_module_get_info(mod, &list);
	if (ret < 0)
		return ret;
	ret = 0;
	kmod_list_foreach(e, list) {
		const char *k = kmod_module_info_get_key(e);
		const char *v = kmod_module_info_get_value(e);

		if (!k || !v)
			continue;
		if (!strcmp(k, "import_ns")) {
			ret = kg_push_str(&mi->import_ns, &mi->nr_import_ns, v);
		} else if (!strcmp(k, "vermagic") && !mi->vermagic) {
			mi->vermagic = strdup(v);
			ret = mi->vermagic ? 0 : -ENOMEM;
		} else if (!strcmp(k, "name") && *v) {
			free(mi->name);
			mi->name = strdup(v);
			ret = mi->name ? 0 : -ENOMEM;
		} else if (!strcmp(k, "signer") && !mi->signer) {
			mi->signer = strdup(*v ? v : "(unknown signer)");
			ret = mi->signer ? 0 : -ENOMEM;
		}
		if (ret)
			break;
	}
	kmod_module_info_free_list(list);
	return ret;
}

static int kg_read_imports(struct kmod_module *mod, struct kg_modinfo *mi)
{
	struct kmod_list *list = NULL, *vers = NULL, *e;
	int ret, n;

	n = kmod_module_get_versions(mod, &vers);
	mi->has_versions = n > 0;
	n = kmod_module_get_dependency_symbols(mod, &list);
	if (n < 0) {
		kmod_module_versions_free_list(vers);
		/* A module with no imports at all has nothing to list. */
		return n == -ENODATA || n == -ENOENT ? 0 : n;
	}
	mi->imports = calloc(n ? n : 1, sizeof(*mi->imports));
	if (!mi->imports) {
		ret = -ENOMEM;
		goto out;
	}
	ret = 0;
	kmod_list_foreach(e, list) {
		struct kg_modsym *s = &mi->imports[mi->nr_imports];
		const char *name = kmod_module_dependency_symbol_get_symbol(e);
		struct kmod_list *v;

		if (!name || mi->nr_imports == (size_t)n)
			continue;
		s->name = strdup(name);
		if (!s->name) {
			ret = -ENOMEM;
			break;
		}
		s->weak = kmod_module_dependency_symbol_get_bind(e) ==
			  KMOD_SYMBOL_WEAK;
		s->crc = kmod_module_dependency_symbol_get_crc(e);
		s->has_crc = s->crc != 0;
		/* CRC 0 is also what libkmod says for "no entry". */
		if (!s->has_crc && mi->has_versions)
			kmod_list_foreach(v, vers)
				if (!strcmp(kmod_module_version_get_symbol(v),
					    name))
					s->has_crc = true;
		mi->nr_imports++;
	}
out:
	kmod_module_dependency_symbols_free_list(list);
	kmod_module_versions_free_list(vers);
	return ret;
}

int kg_modreader_read(struct kg_modreader *r, const char *path,
		      struct kg_modinfo *mi, char *err, size_t errlen)
{
	struct kmod_module *mod;
	int ret;

	memset(mi, 0, sizeof(*mi));
	ret = kmod_module_new_from_path(r->ctx, path, &mod);
	if (ret)
		return kg_read_error(path, ret, "cannot open", err, errlen);
	mi->path = strdup(path);
	mi->name = strdup(kmod_module_get_name(mod));
	if (!mi->path || !mi->name) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = kg_read_info(mod, mi);
	if (ret)
		goto fail;
	kg_modname_normalise(mi->name);
	ret = kg_read_imports(mod, mi);
	if (ret)
		goto fail;
	kmod_module_unref(mod);
	return 0;
fail:
	kmod_module_unref(mod);
	kg_modinfo_free(mi);
	return kg_read_error(path, ret, ret == -ENOMEM ? "reading" :
			     "reading imports and modinfo", err, errlen);
}
