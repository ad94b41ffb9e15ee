// SPDX-License-Identifier: GPL-2.0
/*
 * Module.symvers, as written by modpost, one export per line:
 *
 *	since 5.4.y/5.6: 0xCRC sym module export-type namespace (may be empty)
 *	5.4.0 only:      0xCRC sym namespace module export-type
 *	before 5.4:      0xCRC sym module export-type
 *	before 2.6.18:   0xCRC sym module
 *
 * columns separated by single TABs. Each line becomes a SYMBOL rule pinned
 * to its exporter, to its namespace (none when the namespace column is
 * empty; a line without that column pins none) and, unless the kernel was
 * built without MODVERSIONS (CRC 0), to its CRC.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define KG_SYMVERS_COLS	5

static bool kgc_is_export_type(const char *s)
{
	return !strncmp(s, "EXPORT_", 7);
}

static int kgc_parse_symvers_crc(struct kgc_lines *l, const char *s,
				uint32_t *crc)
{
	size_t i;

	if (s[0] != '0' || s[1] != 'x' || !s[2] || strlen(s + 2) > 8)
		goto bad;
	for (i = 2; s[i]; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]))
			goto bad;
	*crc = strtoul(s + 2, NULL, 16);
	return 0;
bad:
	return kgc_parse_error(l, "bad CRC '%s' (expected 0x and 1 to 8 hex "
			      "digits)", s);
}

/* "drivers/usb/storage/usb-storage" -> "usb_storage"; vmlinux stays. */
static char *kgc_symvers_exporter(char *path)
{
	char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 3 && !strcmp(base + len - 3, ".ko"))
		base[len - 3] = '\0';
	kgc_modname_normalise(base);
	return base;
}

int kgc_parse_symvers_line(struct kgc_lines *l, char *line, struct kgc_rule *r)
{
	char *col[KG_SYMVERS_COLS], *p = line, *module, *ns = NULL;
	int n = 0, ret;

	for (;;) {
		char *tab = strchr(p, '\t');

		if (n == KG_SYMVERS_COLS)
			goto bad;
		col[n++] = p;
		if (!tab)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	if (n < 3)
		goto bad;

	module = col[2];
	if (n == 5) {
		/* 5.4.0 put the namespace third and the export type last. */
		if (kgc_is_export_type(col[4]) && !kgc_is_export_type(col[3])) {
			ns = col[2];
			module = col[3];
		} else {
			ns = col[4];
		}
	}

	ret = kgc_parse_symvers_crc(l, col[0], &r->crc);
	if (ret)
		return ret;
	r->has_crc = r->crc != 0;
	if (!*col[1])
		return kgc_parse_error(l, "missing symbol name in column 2");
	if (!*module)
		return kgc_parse_error(l, "missing module name");
	ret = kgc_check_len(l, "symbol name", col[1], KABIGUARD_SYMBOL_MAX);
	if (ret)
		return ret;
	r->name = col[1];
	r->exporter = kgc_symvers_exporter(module);
	ret = kgc_check_len(l, "module name", r->exporter,
			   KABIGUARD_MODNAME_MAX);
	if (ret)
		return ret;
	if (ns && *ns) {
		ret = kgc_check_len(l, "namespace", ns,
				   KABIGUARD_NAMESPACE_MAX);
		if (ret)
			return ret;
		r->ns = ns;
	} else if (n == 5) {
		/*
		 * A namespace column (v5.4+) left empty: the symbol is in no
		 * namespace, pinned like any other. Without the column (older
		 * kernels, RHEL 5 symsets) the line says nothing about
		 * namespaces: a name-only rule, any namespace.
		 */
		r->flags |= KABIGUARD_RULE_F_NS_PINNED;
	}
	return 0;
bad:
	return kgc_parse_error(l, "expected 0xCRC<TAB>symbol<TAB>module<TAB>"
			      "export type[<TAB>namespace]");
}

int kgc_parse_symvers(struct kgc_policy *p, struct kgc_lines *l)
{
	char *line;
	int ret;

	while ((ret = kgc_next_line(l, &line)) > 0) {
		struct kgc_rule r = {
			.kind = KABIGUARD_RULE_SYMBOL,
			.file = l->file,
			.line = l->lineno,
		};

		if (!*line)
			continue;
		ret = kgc_parse_symvers_line(l, line, &r);
		if (ret)
			return ret;
		ret = kgc_policy_append(p, &r);
		if (ret)
			return ret;
	}
	return ret;
}
