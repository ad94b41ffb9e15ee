// SPDX-License-Identifier: GPL-2.0
/*
 * kgc_find_modules(): the module files named, and those under the
 * directories named (recursively, each directory's files sorted by path),
 * for the offline checker.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

/* Module file names (modread.c decompresses gzip, xz and zstd). */
static bool kgc_is_module_name(const char *n)
{
	static const char *const ext[] = { ".ko", ".ko.xz", ".ko.zst",
					   ".ko.gz" };
	size_t len = strlen(n), i, el;

	for (i = 0; i < sizeof(ext) / sizeof(*ext); i++) {
		el = strlen(ext[i]);
		if (len > el && !strcmp(n + len - el, ext[i]))
			return true;
	}
	return false;
}

struct kgc_strv {
	char **v;
	size_t nr, cap;
};

static int kgc_strv_add(struct kgc_strv *s, const char *str)
{
	if (s->nr == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		char **n = realloc(s->v, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->v = n;
		s->cap = cap;
	}
	s->v[s->nr] = strdup(str);
	if (!s->v[s->nr])
		return -ENOMEM;
	s->nr++;
	return 0;
}

void kgc_free_strv(char **v, size_t nr)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < nr; i++)
		free(v[i]);
	free(v);
}

/* Recursive walk; symlinked directories are not followed (no loops). */
static int kgc_walk(struct kgc_strv *s, const char *dir, char *err,
		   size_t errlen)
{
	struct dirent *de;
	int ret = 0;
	DIR *d;

	d = opendir(dir);
	if (!d) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(-ret));
		return ret;
	}
	while (!ret && (de = readdir(d))) {
		char path[4096];
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
				     de->d_name) >= sizeof(path))
			continue;
		/* d_type spares a stat per entry where the file system
		 * fills it in; a symlink is followed to a file only. */
		if (de->d_type == DT_DIR) {
			ret = kgc_walk(s, path, err, errlen);
			continue;
		}
		if (de->d_type == DT_REG) {
			if (kgc_is_module_name(de->d_name))
				ret = kgc_strv_add(s, path);
			continue;
		}
		if (de->d_type != DT_LNK && de->d_type != DT_UNKNOWN)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (S_ISDIR(st.st_mode))
			ret = kgc_walk(s, path, err, errlen);
		else if (kgc_is_module_name(de->d_name) &&
			 !fstatat(dirfd(d), de->d_name, &st, 0) &&
			 S_ISREG(st.st_mode))
			ret = kgc_strv_add(s, path);
	}
	closedir(d);
	if (ret == -ENOMEM)
		snprintf(err, errlen, "%s: %s", dir, strerror(ENOMEM));
	return ret;
}

static int kgc_cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int kgc_find_modules(char *const *paths, size_t nr, char ***out, size_t *nr_out,
		    char *err, size_t errlen)
{
	struct kgc_strv s = { 0 };
	size_t i, first;
	int ret = 0;

	for (i = 0; i < nr && !ret; i++) {
		struct stat st;

		if (stat(paths[i], &st)) {
			ret = -errno;
			snprintf(err, errlen, "%s: %s", paths[i],
				 strerror(-ret));
			break;
		}
		if (!S_ISDIR(st.st_mode)) {
			/* Named explicitly: checked whatever its name. */
			ret = kgc_strv_add(&s, paths[i]);
			if (ret)
				snprintf(err, errlen, "%s", strerror(ENOMEM));
			continue;
		}
		first = s.nr;
		ret = kgc_walk(&s, paths[i], err, errlen);
		if (!ret)
			qsort(s.v + first, s.nr - first, sizeof(*s.v),
			      kgc_cmp_path);
	}
	if (ret) {
		kgc_free_strv(s.v, s.nr);
		return ret;
	}
	*out = s.v;
	*nr_out = s.nr;
	return 0;
}
