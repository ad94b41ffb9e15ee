/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libkgclient internals shared between its files. Nothing here is part of
 * the library's API (kgclient.h is).
 */
#ifndef KG_INTERNAL_H
#define KG_INTERNAL_H

#include <stdarg.h>
#include <netlink/msg.h>
#include "kgclient.h"

#define KG_EXTACK_MAX	512

struct kg_client {
	struct nl_sock *sk;
	int family;
	char extack[KG_EXTACK_MAX];

	/* Offset of the attribute the kernel's extack pointed at, in the
	 * last request, from its nlmsghdr. */
	bool has_bad_offs;
	uint32_t bad_offs;
	const struct kg_rule *bad_rule;

	/* Events socket only: one received datagram, consumed message by
	 * message by kg_events_next(). */
	unsigned char *buf;
	size_t bufsize, buflen, bufpos;
};

/* client.c */
typedef int (*kg_reply_fn)(struct nl_msg *msg, void *arg);
int kg_request(struct kg_client *c, struct nl_msg *msg, kg_reply_fn reply,
	       void *arg);
int kg_nlerr(int nlerr);
struct nl_msg *kg_msg_new(const struct kg_client *c, uint8_t cmd, int flags,
			  size_t size);
int kg_connect(struct kg_client **out);

/* policy_array.c */
int kg_policy_reserve(struct kg_policy *p, size_t more);
void kg_prefault(void *addr, size_t len);
int kg_policy_move(struct kg_policy *dst, struct kg_policy *src);

/* parse.c: the per-format parsers work on a NUL-terminated copy of the
 * file they may modify in place, and append to an empty temporary policy. */
struct kg_lines {
	char *pos, *end;
	const char *file;
	unsigned int lineno;
	char *err;
	size_t errlen;
};
/* 1 with *line set (NUL-terminated, '\r\n' stripped), 0 at the end,
 * -EINVAL (err written) on a NUL byte inside a line. */
int kg_next_line(struct kg_lines *l, char **line);
int kg_parse_error(struct kg_lines *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Checks a name against a uapi limit (which counts the NUL). */
int kg_check_len(struct kg_lines *l, const char *what, const char *s,
		 size_t max);
/* Module names as the kernel spells them: '-' becomes '_'. */
void kg_modname_normalise(char *s);

int kg_parse_native(struct kg_policy *p, struct kg_lines *l);
int kg_parse_symvers(struct kg_policy *p, struct kg_lines *l);
int kg_parse_rhkabi(struct kg_policy *p, struct kg_lines *l);
/* One Module.symvers line (cut in place) into r; parse_symsets.c shares it. */
int kg_parse_symvers_line(struct kg_lines *l, char *line, struct kg_rule *r);
int kg_parse_symsets(struct kg_policy *p, struct kg_lines *l);

/* parse_symsets.c: symsets directories and tarballs. kg_tar_hook is set by
 * kg_policy_enable_tar() (symsets_tar.c, the only user of libarchive). */
bool kg_is_tar(const char *buf, size_t len);
int kg_load_dir(struct kg_policy *p, const char *path, enum kg_format fmt,
		char *err, size_t errlen);
extern int (*kg_tar_hook)(struct kg_policy *p, const char *name,
			  const char *buf, size_t len, enum kg_format fmt,
			  char *err, size_t errlen);

/* Far above any real policy (Module.symvers is ~2 MiB) or module file,
 * far below harm. */
#define KG_FILE_MAX	(256UL * 1024 * 1024)

/* parse.c: all of fd into a malloc'ed buffer with one spare byte after
 * *outlen bytes; -EFBIG past KG_FILE_MAX. */
int kg_read_all(int fd, char **out, size_t *outlen);

/* modread.c: a module's decompressed bytes (image, len; libelf may
 * convert them in place) into mi, all but the signer. Returns 0, or a
 * negative errno with "path: reason" in err. */
int kg_modinfo_parse(const char *path, char *image, size_t len,
		     struct kg_modinfo *mi, char *err, size_t errlen);

/* match.c */
uint32_t kg_str_hash(const char *s);

/* decompress.c: decompresses len bytes at buf by magic (gzip, xz, zstd)
 * into *out (malloc'ed, one spare byte after *outlen): returns 1; not
 * compressed: 0, *out untouched; else a negative errno, err written. */
int kg_decompress_mem(const char *name, const void *buf, size_t len,
		      char **out, size_t *outlen, char *err, size_t errlen);
/* Replaces *buf (malloc'ed, *len bytes, one spare byte after them) by its
 * decompressed contents when it starts with a gzip, xz or zstd magic.
 * Returns 0, or a negative errno with err written. */
int kg_decompress(const char *name, char **buf, size_t *len, char *err,
		  size_t errlen);

#endif /* KG_INTERNAL_H */
