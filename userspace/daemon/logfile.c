// SPDX-License-Identifier: GPL-2.0
/*
 * The log file: one JSON line per verdict event, appended by batches
 * (one write, then fdatasync), cut back when a batch could not be written
 * whole, and at start cleared of a last line a crash cut short, whose seq
 * (with the state file, statefile.c) says where to resume.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/stat.h>

#include "kabiguardd.h"

void kgd_mkdir_parent(const char *path)
{
	char *dup = strdup(path), *dir, *p;

	if (!dup)
		return;
	dir = dirname(dup);
	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(dir, 0750) && errno != EEXIST)
			break;
		*p = c;
		if (!c)
			break;
	}
	free(dup);
}

int kgd_log_open(const char *path)
{
	int fd;

	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0 && errno == ENOENT) {
		kgd_mkdir_parent(path);
		fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	}
	if (fd < 0) {
		kgd_msg(LOG_ERR, "%s: %s", path, strerror(errno));
		return -errno;
	}
	return fd;
}

int kgd_log_append(int fd, const char *buf, size_t len, off_t *start)
{
	struct stat st;
	size_t off = 0;
	int ret = 0;

	*start = fstat(fd, &st) ? -1 : st.st_size;
	while (off < len) {
		ssize_t n = write(fd, buf + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			break;
		}
		off += n;
	}
	if (!ret && fdatasync(fd))
		ret = -errno;
	return ret;
}

int kgd_log_cut_back(int fd, off_t start)
{
	if (start >= 0 && ftruncate(fd, start))
		return -errno;
	return 0;
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
