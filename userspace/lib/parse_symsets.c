// SPDX-License-Identifier: GPL-2.0
/*
 * RHEL 5 symsets (kABI "seed 000"): /boot/symsets-KVER.tar.gz holds
 * symsets-KVER/<group>.<sha1> files of "0xCRC<TAB>symbol<TAB>object"
 * lines, one file per group of symbols. Each line becomes a SYMBOL rule
 * pinned to its exporter and CRC, like a three-column Module.symvers line.
 *
 * The tarball is read through kgc_tar_hook (symsets_tar.c, libarchive),
 * which programs enable with kgc_policy_enable_tar(); without it, or
 * wherever a tarball was already unpacked, the directory works too: every
 * regular file in it (and in its subdirectories) is read in name order.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

int (*kgc_tar_hook)(struct kgc_policy *p, const char *name, const char *buf,
		   size_t len, enum kgc_format fmt, char *err, size_t errlen);

int kgc_parse_symsets(struct kgc_policy *p, struct kgc_lines *l)
{
	char *line, *q;
	int ret, tabs;

	while ((ret = kgc_next_line(l, &line)) > 0) {
		struct kgc_rule r = {
			.kind = KABIGUARD_RULE_SYMBOL,
			.file = l->file,
			.line = l->lineno,
		};

		if (!*line)
			continue;
		for (tabs = 0, q = line; (q = strchr(q, '\t')); q++)
			tabs++;
		if (tabs != 2)
			return kgc_parse_error(l, "expected 0xCRC<TAB>symbol<TAB>"
					      "object");
		ret = kgc_parse_symvers_line(l, line, &r);
		if (ret)
			return ret;
		ret = kgc_policy_append(p, &r);
		if (ret)
			return ret;
	}
	return ret;
}

/* A POSIX (ustar) or GNU tar header: "ustar" at offset 257. */
bool kgc_is_tar(const char *buf, size_t len)
{
	return len >= 512 && !memcmp(buf + 257, "ustar", 5);
}

static int kgc_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int kgc_load_dir(struct kgc_policy *p, const char *path, enum kgc_format fmt,
		char *err, size_t errlen)
{
	struct kgc_policy tmp = { 0 };
	char **names = NULL, **n;
	size_t nr = 0, i;
	struct dirent *de;
	int ret = 0;
	DIR *d;

	d = opendir(path);
	if (!d) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		n = realloc(names, (nr + 1) * sizeof(*names));
		if (!n || !(n[nr] = strdup(de->d_name))) {
			names = n ? n : names;
			ret = -ENOMEM;
			snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
			goto out;
		}
		names = n;
		nr++;
	}
	qsort(names, nr, sizeof(*names), kgc_cmp_str);
	for (i = 0; i < nr; i++) {
		char sub[4096];
		struct stat st;

		snprintf(sub, sizeof(sub), "%s/%s", path, names[i]);
		/* No symlinked directories: no loops. */
		if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (!S_ISDIR(st.st_mode) &&
		    (fstatat(dirfd(d), names[i], &st, 0) ||
		     !S_ISREG(st.st_mode)))
			continue;
		ret = kgc_policy_load_file(&tmp, sub, fmt, err, errlen);
		if (ret)
			goto out;
	}
	ret = kgc_policy_move(p, &tmp);
	if (ret)
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
out:
	kgc_policy_free(&tmp);
	closedir(d);
	for (i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	return ret;
}
