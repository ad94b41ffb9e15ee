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
#include "kgc_raw.h"

#define KG_EXTACK_MAX	512

struct kgc_client {
	struct nl_sock *sk;
	int family;
	char extack[KG_EXTACK_MAX];

	/* Offset of the attribute the kernel's extack pointed at, in the
	 * last request, from its nlmsghdr. */
	bool has_bad_offs;
	uint32_t bad_offs;
	const struct kgc_rule *bad_rule;

	/* Events socket only: one received datagram, consumed message by
	 * message by kgc_events_next(). */
	unsigned char *buf;
	size_t bufsize, buflen, bufpos;
};

/* client.c */
typedef int (*kgc_reply_fn)(struct nl_msg *msg, void *arg);
int kgc_request(struct kgc_client *c, struct nl_msg *msg, kgc_reply_fn reply,
	       void *arg);
int kgc_nlerr(int nlerr);
struct nl_msg *kgc_msg_new(const struct kgc_client *c, uint8_t cmd, int flags,
			  size_t size);
int kgc_connect(struct kgc_client **out);
/* 0 when a module's genl family version is KABIGUARD_GENL_VERSION, else
 * -EPROTO; either way kgc_family_version() returns it afterwards (for
 * kgc_explain()'s message). */
int kgc_family_version_check(unsigned int version);
unsigned int kgc_family_version(void);

/* commands.c: a GET_STATUS reply into the struct kgc_status at arg
 * (zeroed by the caller); -EBADMSG when it or its ring nest is malformed. */
int kgc_status_reply(struct nl_msg *msg, void *arg);

/* policy_array.c */
int kgc_policy_reserve(struct kgc_policy *p, size_t more);
void kgc_prefault(void *addr, size_t len);
int kgc_policy_move(struct kgc_policy *dst, struct kgc_policy *src);

/* parse.c: the per-format parsers work on a NUL-terminated copy of the
 * file they may modify in place, and append to an empty temporary policy. */
struct kgc_lines {
	char *pos, *end;
	const char *file;
	unsigned int lineno;
	char *err;
	size_t errlen;
};
/* 1 with *line set (NUL-terminated, '\r\n' stripped), 0 at the end,
 * -EINVAL (err written) on a NUL byte inside a line. */
int kgc_next_line(struct kgc_lines *l, char **line);
int kgc_parse_error(struct kgc_lines *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Checks a name against a uapi limit (which counts the NUL). */
int kgc_check_len(struct kgc_lines *l, const char *what, const char *s,
		 size_t max);
/* Module names as the kernel spells them: '-' becomes '_'. */
void kgc_modname_normalise(char *s);

int kgc_parse_native(struct kgc_policy *p, struct kgc_lines *l);
int kgc_parse_symvers(struct kgc_policy *p, struct kgc_lines *l);
int kgc_parse_rhkabi(struct kgc_policy *p, struct kgc_lines *l);
/* One Module.symvers line (cut in place) into r; parse_symsets.c shares it. */
int kgc_parse_symvers_line(struct kgc_lines *l, char *line, struct kgc_rule *r);
int kgc_parse_symsets(struct kgc_policy *p, struct kgc_lines *l);

/* parse_symsets.c: symsets directories and tarballs. kgc_tar_hook is set by
 * kgc_policy_enable_tar() (symsets_tar.c, the only user of libarchive). */
bool kgc_is_tar(const char *buf, size_t len);
int kgc_load_dir(struct kgc_policy *p, const char *path, enum kgc_format fmt,
		char *err, size_t errlen);
extern int (*kgc_tar_hook)(struct kgc_policy *p, const char *name,
			  const char *buf, size_t len, enum kgc_format fmt,
			  char *err, size_t errlen);

/* Far above any real policy (Module.symvers is ~2 MiB) or module file,
 * far below harm. */
#define KG_FILE_MAX	(256UL * 1024 * 1024)

/* parse.c: all of fd into a malloc'ed buffer with one spare byte after
 * *outlen bytes; -EFBIG past KG_FILE_MAX. */
int kgc_read_all(int fd, char **out, size_t *outlen);

/* modinfo_elf.c: a module's decompressed bytes (image, len; libelf may
 * convert them in place) into mi, all but the signer. Returns 0, or a
 * negative errno with "path: reason" in err. */
int kgc_modinfo_parse(const char *path, char *image, size_t len,
		     struct kgc_modinfo *mi, char *err, size_t errlen);

/* match.c */
uint32_t kgc_str_hash(const char *s);

/* decompress.c: decompresses len bytes at buf by magic (gzip, xz, zstd)
 * into *out (malloc'ed, one spare byte after *outlen): returns 1; not
 * compressed: 0, *out untouched; else a negative errno, err written. */
int kgc_decompress_mem(const char *name, const void *buf, size_t len,
		      char **out, size_t *outlen, char *err, size_t errlen);
/* Replaces *buf (malloc'ed, *len bytes, one spare byte after them) by its
 * decompressed contents when it starts with a gzip, xz or zstd magic.
 * Returns 0, or a negative errno with err written. */
int kgc_decompress(const char *name, char **buf, size_t *len, char *err,
		  size_t errlen);

#endif /* KG_INTERNAL_H */
