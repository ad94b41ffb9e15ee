// SPDX-License-Identifier: GPL-2.0
/*
 * Retro scan: checking modules that are already loaded (before kabiguard,
 * or before the current policy). A loaded module's imports are no longer
 * in kernel memory, so they are read from its file: libkmod finds it by
 * name in the running kernel's modules.dep, and lists its undefined
 * symbols (kmod_module_get_dependency_symbols: .symtab, with __versions
 * CRCs). KABIGUARD_CMD_SCAN sends them; the kernel resolves and checks
 * them as for a load and publishes an event of kind scan.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libkmod.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>

#include "internal.h"

struct kgc_scanner {
	struct kmod_ctx *ctx;	/* the running kernel's /lib/modules */
};

static void kgc_scan_quiet(void *data, int priority, const char *file,
			  int line, const char *fn, const char *format,
			  va_list args)
{
	(void)data, (void)priority, (void)file, (void)line, (void)fn;
	(void)format, (void)args;
}

int kgc_scanner_new(struct kgc_scanner **out)
{
	struct kgc_scanner *s;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->ctx = kmod_new(NULL, NULL);
	if (!s->ctx) {
		free(s);
		return -ENOMEM;
	}
	kmod_set_log_fn(s->ctx, kgc_scan_quiet, NULL);
	*out = s;
	return 0;
}

void kgc_scanner_free(struct kgc_scanner *s)
{
	if (!s)
		return;
	kmod_unref(s->ctx);
	free(s);
}

void kgc_scan_report_free(struct kgc_scan_report *rep)
{
	free(rep->path);
	rep->path = NULL;
}

int kgc_cmd_scan(struct kgc_client *c, const char *module, const char *const *names,
	    size_t nr)
{
	size_t i, size = nla_total_size(strlen(module) + 1) + 256;
	struct nl_msg *msg;
	int ret;

	for (i = 0; i < nr; i++)
		size += nla_total_size(nla_total_size(strlen(names[i]) + 1));
	msg = kgc_msg_new(c, KABIGUARD_CMD_SCAN, 0, NLMSG_SPACE(size));
	if (!msg)
		return -ENOMEM;
	ret = nla_put_string(msg, KABIGUARD_A_MODULE, module);
	for (i = 0; !ret && i < nr; i++) {
		struct nlattr *nest = nla_nest_start(msg, KABIGUARD_A_IMPORT);

		if (!nest) {
			ret = -NLE_NOMEM;
			break;
		}
		ret = nla_put_string(msg, KABIGUARD_IMPORT_A_NAME, names[i]);
		if (!ret)
			nla_nest_end(msg, nest);
	}
	if (ret < 0) {
		ret = kgc_nlerr(ret);
		goto out;
	}
	ret = kgc_request(c, msg, NULL, NULL);
out:
	nlmsg_free(msg);
	return ret;
}

/* First line of a sysfs file, newline stripped; "" when unreadable. */
static void kgc_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static void kgc_file_srcversion(struct kmod_module *mod, char *buf, size_t len)
{
	struct kmod_list *list = NULL, *e;

	buf[0] = '\0';
	if (kmod_module_get_info(mod, &list) < 0)
		return;
	kmod_list_foreach(e, list) {
		const char *k = kmod_module_info_get_key(e);
		const char *v = kmod_module_info_get_value(e);

		if (k && v && !strcmp(k, "srcversion")) {
			snprintf(buf, len, "%s", v);
			break;
		}
	}
	kmod_module_info_free_list(list);
}

int kgc_scanner_scan(struct kgc_scanner *s, struct kgc_client *c,
		    const char *module, struct kgc_scan_report *rep)
{
	struct kmod_list *syms = NULL, *e;
	struct kmod_module *mod = NULL;
	const char **names = NULL;
	char sysfs[128 + KABIGUARD_MODNAME_MAX];
	const char *path;
	size_t nr = 0;
	int ret, n;

	memset(rep, 0, sizeof(*rep));
	ret = kmod_module_new_from_name(s->ctx, module, &mod);
	if (ret < 0) {
		snprintf(rep->err, sizeof(rep->err), "%s: %s", module,
			 strerror(-ret));
		return ret;
	}
	path = kmod_module_get_path(mod);
	if (!path) {
		snprintf(rep->err, sizeof(rep->err), "%s: no module file under "
			 "/lib/modules (built in, or loaded from elsewhere): "
			 "not scanned", module);
		ret = -ENOENT;
		goto out;
	}
	rep->path = strdup(path);
	if (!rep->path) {
		ret = -ENOMEM;
		goto out;
	}

	n = kmod_module_get_dependency_symbols(mod, &syms);
	if (n < 0 && n != -ENODATA && n != -ENOENT) {
		snprintf(rep->err, sizeof(rep->err), "%s: %s: cannot read its "
			 "imports: %s", module, path, strerror(-n));
		ret = n;
		goto out;
	}
	if (n > 0) {
		names = calloc(n, sizeof(*names));
		if (!names) {
			ret = -ENOMEM;
			goto out;
		}
		kmod_list_foreach(e, syms) {
			const char *sym =
				kmod_module_dependency_symbol_get_symbol(e);

			/* libkmod lists __versions entries too; the
			 * struct module check is no import. */
			if (sym && nr < (size_t)n &&
			    strcmp(sym, "module_layout"))
				names[nr++] = sym;
		}
	}
	rep->nr_imports = nr;

	kgc_file_srcversion(mod, rep->file_srcversion,
			   sizeof(rep->file_srcversion));
	snprintf(sysfs, sizeof(sysfs), "/sys/module/%s/srcversion", module);
	kgc_read_line(sysfs, rep->live_srcversion, sizeof(rep->live_srcversion));
	rep->changed = *rep->file_srcversion && *rep->live_srcversion &&
		       strcmp(rep->file_srcversion, rep->live_srcversion);

	ret = kgc_cmd_scan(c, module, names, nr);
	if (ret) {
		const char *why = *kgc_extack(c) ? kgc_extack(c) : strerror(-ret);

		snprintf(rep->err, sizeof(rep->err), "%s: scan refused: %s",
			 module, ret == -ENOENT ? "no longer loaded" : why);
	}
out:
	if (ret == -ENOMEM)
		snprintf(rep->err, sizeof(rep->err), "%s: out of memory", module);
	free(names);
	kmod_module_dependency_symbols_free_list(syms);
	kmod_module_unref(mod);
	return ret;
}

int kgc_loaded_modules(char ***names, size_t *nr)
{
	char line[4096], **v = NULL;
	size_t n = 0;
	FILE *f;
	int ret = 0;

	*names = NULL;
	*nr = 0;
	f = fopen("/proc/modules", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char **nv;

		line[strcspn(line, " \n")] = '\0';
		if (!*line)
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			ret = -ENOMEM;
			break;
		}
		v = nv;
		v[n] = strdup(line);
		if (!v[n]) {
			ret = -ENOMEM;
			break;
		}
		n++;
	}
	fclose(f);
	if (ret) {
		while (n)
			free(v[--n]);
		free(v);
		return ret;
	}
	*names = v;
	*nr = n;
	return 0;
}
