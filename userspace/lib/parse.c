// SPDX-License-Identifier: GPL-2.0
/*
 * Policy files: read (and decompress) a file, detect its format, and hand
 * it to the parser of that format. Every parser fills a temporary policy
 * that is appended to the caller's only when the whole file parsed, so a
 * bad file adds nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "internal.h"

int kgc_parse_error(struct kgc_lines *l, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = snprintf(l->err, l->errlen, "%s:%u: ", l->file, l->lineno);
	if (n < l->errlen) {
		va_start(ap, fmt);
		vsnprintf(l->err + n, l->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int kgc_next_line(struct kgc_lines *l, char **line)
{
	char *start = l->pos, *nl;
	size_t len;

	if (l->pos >= l->end)
		return 0;
	nl = memchr(start, '\n', l->end - start);
	if (!nl)
		nl = l->end;	/* last line without newline; *end is NUL */
	l->pos = nl < l->end ? nl + 1 : l->end;
	l->lineno++;
	*nl = '\0';
	len = nl - start;
	if (len && start[len - 1] == '\r')
		start[--len] = '\0';
	if (strlen(start) != len)
		return kgc_parse_error(l, "unexpected NUL byte (binary file?)");
	*line = start;
	return 1;
}

int kgc_check_len(struct kgc_lines *l, const char *what, const char *s,
		 size_t max)
{
	size_t len = strlen(s);

	if (len >= max)
		return kgc_parse_error(l, "%s too long (%zu bytes, at most %zu)",
				      what, len, max - 1);
	return 0;
}

void kgc_modname_normalise(char *s)
{
	for (; *s; s++)
		if (*s == '-')
			*s = '_';
}

static bool kgc_is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* By the first non-blank line; see kabiguard-policy(5). */
static enum kgc_format kgc_detect(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' ||
			   *p == '\r'))
		p++;
	if (p == end)
		return KG_FORMAT_NATIVE;
	if (*p == '[')
		return KG_FORMAT_RH_KABI;
	/* Back to the start of that line: symvers lines are not indented. */
	while (p > buf && p[-1] != '\n')
		p--;
	if (end - p > 3 && p[0] == '0' && p[1] == 'x' && kgc_is_hex(p[2])) {
		p += 2;
		while (p < end && kgc_is_hex(*p))
			p++;
		if (p < end && *p == '\t')
			return KG_FORMAT_SYMVERS;
	}
	return KG_FORMAT_NATIVE;
}

/* Parses buf (NUL at buf[len], modified in place) and appends to p. */
static int kgc_parse_buf(struct kgc_policy *p, const char *name, char *buf,
			size_t len, enum kgc_format fmt, char *err,
			size_t errlen)
{
	struct kgc_lines l = {
		.pos = buf, .end = buf + len, .file = name,
		.err = err, .errlen = errlen,
	};
	struct kgc_policy tmp = { 0 };
	int ret;

	if (fmt == KG_FORMAT_AUTO)
		fmt = kgc_detect(buf, len);
	/* One rule per line at most: size the array once, not by doubling. */
	if (len) {
		size_t lines = 1;
		const char *q = buf;

		while ((q = memchr(q, '\n', buf + len - q))) {
			lines++;
			q++;
		}
		if (kgc_policy_reserve(&tmp, lines)) {
			snprintf(err, errlen, "%s: %s", name, strerror(ENOMEM));
			return -ENOMEM;
		}
	}
	switch (fmt) {
	case KG_FORMAT_NATIVE:
		ret = kgc_parse_native(&tmp, &l);
		break;
	case KG_FORMAT_SYMVERS:
		ret = kgc_parse_symvers(&tmp, &l);
		break;
	case KG_FORMAT_RH_KABI:
		ret = kgc_parse_rhkabi(&tmp, &l);
		break;
	case KG_FORMAT_SYMSETS:
		ret = kgc_parse_symsets(&tmp, &l);
		break;
	default:
		snprintf(err, errlen, "%s: unknown format", name);
		ret = -EINVAL;
		break;
	}
	if (!ret) {
		ret = kgc_policy_move(p, &tmp);
		if (ret)
			snprintf(err, errlen, "%s: %s", name, strerror(-ret));
	} else if (ret != -EINVAL) {
		snprintf(err, errlen, "%s:%u: %s", name, l.lineno,
			 strerror(-ret));
	}
	kgc_policy_free(&tmp);
	return ret;
}

int kgc_policy_load_buf(struct kgc_policy *p, const char *name, const char *buf,
		       size_t len, enum kgc_format fmt, char *err, size_t errlen)
{
	char *copy;
	int ret;

	/* The parsers cut lines in place; the caller's buffer is const. */
	copy = malloc(len + 1);
	if (!copy) {
		snprintf(err, errlen, "%s: %s", name, strerror(ENOMEM));
		return -ENOMEM;
	}
	memcpy(copy, buf, len);
	copy[len] = '\0';
	ret = kgc_parse_buf(p, name, copy, len, fmt, err, errlen);
	free(copy);
	return ret;
}

/* Reads all of fd into a malloc'ed buffer with one spare byte. */
int kgc_read_all(int fd, char **out, size_t *outlen)
{
	size_t len = 0, size = 64 * 1024;
	struct stat st;
	char *buf, *n;
	ssize_t r;

	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0) {
		if ((unsigned long)st.st_size > KG_FILE_MAX)
			return -EFBIG;
		size = st.st_size + 1;
	}
	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	kgc_prefault(buf, size);
	for (;;) {
		if (len + 1 >= size) {
			if (size > KG_FILE_MAX) {
				free(buf);
				return -EFBIG;
			}
			n = realloc(buf, size * 2);
			if (!n) {
				free(buf);
				return -ENOMEM;
			}
			buf = n;
			size *= 2;
		}
		r = read(fd, buf + len, size - len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			free(buf);
			return r;
		}
		if (!r)
			break;
		len += r;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

int kgc_policy_load_file(struct kgc_policy *p, const char *path,
			enum kgc_format fmt, char *err, size_t errlen)
{
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, ret;

	if (!strcmp(path, "-")) {
		fd = STDIN_FILENO;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			ret = -errno;
			snprintf(err, errlen, "%s: %s", name, strerror(-ret));
			return ret;
		}
		/* A symsets directory (parse_symsets.c). */
		if (!fstat(fd, &st) && S_ISDIR(st.st_mode)) {
			close(fd);
			return kgc_load_dir(p, path, fmt == KG_FORMAT_AUTO ?
					   KG_FORMAT_SYMSETS : fmt, err, errlen);
		}
	}
	ret = kgc_read_all(fd, &buf, &len);
	if (fd != STDIN_FILENO)
		close(fd);
	if (ret) {
		snprintf(err, errlen, "%s: %s", name, strerror(-ret));
		return ret;
	}
	ret = kgc_decompress(name, &buf, &len, err, errlen);
	if (ret)
		goto out;
	if (kgc_is_tar(buf, len)) {
		if (kgc_tar_hook) {
			ret = kgc_tar_hook(p, name, buf, len, fmt, err, errlen);
		} else {
			snprintf(err, errlen, "%s: a tar archive; this program "
				 "reads archives only unpacked: give the "
				 "directory", name);
			ret = -EINVAL;
		}
		goto out;
	}
	buf[len] = '\0';
	ret = kgc_parse_buf(p, name, buf, len, fmt, err, errlen);
out:
	free(buf);
	return ret;
}
