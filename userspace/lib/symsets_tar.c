// SPDX-License-Identifier: GPL-2.0
/*
 * Tar archives of policy files (RHEL 5 /boot/symsets-KVER.tar.gz), read
 * with libarchive. kgc_policy_load_file() has already decompressed the
 * file; each regular member is parsed as its own file, named
 * "archive:member" in messages, and the archive as a whole is appended or
 * nothing is. Kept apart so that only programs calling
 * kgc_policy_enable_tar() link libarchive.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <archive.h>
#include <archive_entry.h>

#include "internal.h"

/* One member: a symsets group is a few KiB; refuse anything absurd. */
#define KG_MEMBER_MAX	(64L * 1024 * 1024)

static int kgc_tar_read(struct kgc_policy *p, const char *name, const char *buf,
		       size_t len, enum kgc_format fmt, char *err,
		       size_t errlen)
{
	struct kgc_policy tmp = { 0 };
	struct archive_entry *e;
	struct archive *a;
	char *data = NULL;
	int ret = 0, r;

	if (fmt == KG_FORMAT_AUTO)
		fmt = KG_FORMAT_SYMSETS;
	a = archive_read_new();
	if (!a) {
		snprintf(err, errlen, "%s: %s", name, strerror(ENOMEM));
		return -ENOMEM;
	}
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_memory(a, buf, len) != ARCHIVE_OK)
		goto bad;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		char member[4096];
		la_int64_t size = archive_entry_size(e);
		la_ssize_t got;

		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		snprintf(member, sizeof(member), "%s:%s", name,
			 archive_entry_pathname(e));
		if (size < 0 || size > KG_MEMBER_MAX) {
			snprintf(err, errlen, "%s: member too large", member);
			ret = -EFBIG;
			goto out;
		}
		free(data);
		data = malloc(size + 1);
		if (!data) {
			ret = -ENOMEM;
			snprintf(err, errlen, "%s: %s", member, strerror(ENOMEM));
			goto out;
		}
		got = archive_read_data(a, data, size);
		if (got != size) {
			if (got >= 0)
				snprintf(err, errlen, "%s: truncated archive "
					 "member", member);
			else
				snprintf(err, errlen, "%s: %s", member,
					 archive_error_string(a));
			ret = -EINVAL;
			goto out;
		}
		ret = kgc_policy_load_buf(&tmp, member, data, size, fmt, err,
					 errlen);
		if (ret)
			goto out;
	}
	if (r != ARCHIVE_EOF)
		goto bad;
	ret = kgc_policy_move(p, &tmp);
	if (ret)
		snprintf(err, errlen, "%s: %s", name, strerror(-ret));
	goto out;
bad:
	snprintf(err, errlen, "%s: not a readable tar archive: %s", name,
		 archive_error_string(a) ? archive_error_string(a) : "unknown");
	ret = -EINVAL;
out:
	free(data);
	archive_read_free(a);
	kgc_policy_free(&tmp);
	return ret;
}

void kgc_policy_enable_tar(void)
{
	kgc_tar_hook = kgc_tar_read;
}
