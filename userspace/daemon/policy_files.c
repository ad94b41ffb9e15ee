// SPDX-License-Identifier: GPL-2.0
/*
 * The policy files: every regular file of policy_dir in name order (as
 * systemd's *.d directories), or the one file it names, read into one
 * policy that goes to the kernel as one transaction.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kabiguardd.h"

/* Hidden files, editor backups and package manager leftovers. */
static int kgd_policy_name_ok(const struct dirent *d)
{
	static const char *const skip[] = {
		"~", ".swp", ".bak", ".tmp", ".dpkg-old", ".dpkg-new",
		".dpkg-dist", ".dpkg-tmp", ".rpmnew", ".rpmsave", ".disabled",
	};
	size_t i, n = strlen(d->d_name), m;

	if (d->d_name[0] == '.')
		return 0;
	for (i = 0; i < sizeof(skip) / sizeof(skip[0]); i++) {
		m = strlen(skip[i]);
		if (n >= m && !strcmp(d->d_name + n - m, skip[i]))
			return 0;
	}
	return 1;
}

int kgd_policy_read(const char *path, struct kgc_policy *p, size_t *nr_files,
		    char *err, size_t errlen)
{
	struct dirent **names = NULL;
	char file[4096];
	struct stat st;
	int i, n, ret = 0;

	*nr_files = 0;
	if (stat(path, &st)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	if (!S_ISDIR(st.st_mode)) {
		ret = kgc_policy_load_file(p, path, KG_FORMAT_AUTO, err, errlen);
		if (!ret)
			*nr_files = 1;
		return ret;
	}
	n = scandir(path, &names, kgd_policy_name_ok, alphasort);
	if (n < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	for (i = 0; i < n && !ret; i++) {
		snprintf(file, sizeof(file), "%s/%s", path, names[i]->d_name);
		if (stat(file, &st) || !S_ISREG(st.st_mode))
			continue;
		ret = kgc_policy_load_file(p, file, KG_FORMAT_AUTO, err, errlen);
		if (!ret)
			(*nr_files)++;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (!ret && !*nr_files) {
		snprintf(err, errlen, "%s: no policy files", path);
		ret = -ENOENT;
	}
	return ret;
}
