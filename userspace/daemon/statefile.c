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
 * and written again whole.
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

/* The seq of a log line written by kabiguardd, if it has this boot_id. */
static uint64_t kgd_line_seq(const char *line, const char *boot_id)
{
	const char *b = strstr(line, ",\"boot_id\":\"");
	unsigned long long seq;
	size_t n = strlen(boot_id);

	if (sscanf(line, "{\"seq\":%llu", &seq) != 1 || !b)
		return 0;
	b += strlen(",\"boot_id\":\"");
	if (strncmp(b, boot_id, n) || b[n] != '"')
		return 0;
	return seq;
}

/* Longer than any verdict line: 256 violations of the longest names. */
#define KGD_TAIL	(512 * 1024)

static int kgd_log_tail(int fd, char *buf, off_t end, const char *boot_id,
			uint64_t *seq, size_t *cut)
{
	off_t pos;
	ssize_t n;
	size_t len;
	char *nl, *line;

	/* Cut a partial last line: back to the last newline. */
	pos = end;
	for (;;) {
		off_t from = pos > KGD_TAIL ? pos - KGD_TAIL : 0;

		n = pread(fd, buf, pos - from, from);
		if (n < 0)
			return -errno;
		nl = memrchr(buf, '\n', n);
		if (nl) {
			pos = from + (nl - buf) + 1;
			break;
		}
		pos = from;
		if (!from)
			break;
	}
	if (pos < end) {
		if (ftruncate(fd, pos))
			return -errno;
		*cut = end - pos;
		end = pos;
	}
	if (!end)
		return 0;

	/* The last whole line. */
	len = end > KGD_TAIL - 1 ? KGD_TAIL - 1 : end;
	n = pread(fd, buf, len, end - len);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	line = memrchr(buf, '\n', n);
	line = line ? line + 1 : buf;
	/* A line longer than the buffer is not trusted. */
	if (line != buf || end == (off_t)len)
		*seq = kgd_line_seq(line, boot_id);
	return 0;
}

int kgd_log_recover(int fd, const char *boot_id, uint64_t *seq, size_t *cut)
{
	struct stat st;
	char *buf;
	off_t end;
	int ret;

	*seq = 0;
	*cut = 0;
	if (fstat(fd, &st))
		return -errno;
	end = st.st_size;
	if (!end)
		return 0;
	buf = malloc(KGD_TAIL);
	if (!buf)
		return -ENOMEM;
	ret = kgd_log_tail(fd, buf, end, boot_id, seq, cut);
	free(buf);
	return ret;
}
