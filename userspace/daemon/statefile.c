// SPDX-License-Identifier: GPL-2.0
/*
 * Where kabiguardd resumes: the last sequence number it wrote, with the
 * boot it belongs to (sequence numbers restart at every boot).
 *
 * The state file only ever claims what the log already holds on disk: it
 * is written after the log's fdatasync(). The log itself is the final
 * word: at start the seq of its last line (same boot) counts too, so a
 * crash between the log's fdatasync() and the state's rename() neither
 * loses nor repeats a line, and a line cut short by a crash is removed
 * and written again whole (logfile.c: kgd_log_recover()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "kabiguardd.h"

int kgd_boot_id(char *buf, size_t len)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
	int ret = 0;

	buf[0] = '\0';
	if (!f)
		return -errno;
	if (!fgets(buf, len, f))
		ret = -EIO;
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	return ret;
}

int kgd_state_read(const char *path, struct kgd_state *st, char *err,
		   size_t errlen)
{
	char line[256];
	unsigned int lineno = 0;
	bool has_seq = false;
	FILE *f;
	int ret = 0;

	memset(st, 0, sizeof(*st));
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	while (fgets(line, sizeof(line), f)) {
		char *end;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (!*line || *line == '#')
			continue;
		if (!strncmp(line, "boot_id=", 8) &&
		    strlen(line + 8) < sizeof(st->boot_id)) {
			strcpy(st->boot_id, line + 8);
			continue;
		}
		if (!strncmp(line, "last_seq=", 9)) {
			errno = 0;
			st->last_seq = strtoull(line + 9, &end, 10);
			if (!errno && end != line + 9 && !*end) {
				has_seq = true;
				continue;
			}
		}
		snprintf(err, errlen, "%s:%u: expected boot_id=ID or "
			 "last_seq=N", path, lineno);
		ret = -EINVAL;
		break;
	}
	fclose(f);
	if (!ret && (!has_seq || !*st->boot_id)) {
		snprintf(err, errlen, "%s: incomplete (no boot_id or last_seq)",
			 path);
		ret = -EINVAL;
	}
	if (ret)
		memset(st, 0, sizeof(*st));
	return ret;
}

static int kgd_fsync_dir(const char *path)
{
	char *dup = strdup(path);
	int fd, ret = 0;

	if (!dup)
		return -ENOMEM;
	fd = open(dirname(dup), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dup);
	if (fd < 0)
		return -errno;
	if (fsync(fd))
		ret = -errno;
	close(fd);
	return ret;
}

int kgd_state_write(const char *path, const struct kgd_state *st)
{
	char tmp[4096], buf[256];
	int fd, n, ret = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	n = snprintf(buf, sizeof(buf), "# kabiguardd(8) state, written "
		     "atomically; do not edit\nboot_id=%s\nlast_seq=%" PRIu64
		     "\n", st->boot_id, st->last_seq);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, n) != n)
		ret = errno ? -errno : -EIO;
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		return ret;
	}
	return kgd_fsync_dir(path);
}
