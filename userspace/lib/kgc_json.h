/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libkgclient: events as JSON lines, written (kabiguardd's log,
 * `kabiguardctl monitor --json`) and read back (policy generate --audit).
 */
#ifndef KGC_JSON_H
#define KGC_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kabiguard.h>
#include "kgc_client.h"

/* A growable string, for JSON lines. */
struct kgc_strbuf {
	char *s;
	size_t len, cap;
};
void kgc_strbuf_free(struct kgc_strbuf *b);
/* Append (the string stays NUL-terminated); 0 or -ENOMEM. */
int kgc_strbuf_put(struct kgc_strbuf *b, const char *s, size_t n);
int kgc_strbuf_printf(struct kgc_strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Extra members of an event's JSON line; NULL members are left out. */
struct kgc_event_json_ctx {
	const char *boot_id;
	const char *host;
	const char *kernel;
};
/* Appends ev as one line of compact JSON (with its '\n') to b: every
 * field of the event, times also as ISO 8601 UTC with nanoseconds, taints
 * also as letters. Strings are escaped per RFC 8259, invalid UTF-8 bytes
 * as \u00XX. Returns 0 or -ENOMEM. */
int kgc_event_json(struct kgc_strbuf *b, const struct kgc_event *ev,
		  const struct kgc_event_json_ctx *x);
/* Length of the valid UTF-8 sequence at s (1 to 4 bytes above ASCII),
 * or 0: how JSON output tells text it may copy from bytes to escape. */
size_t kgc_utf8_len(const unsigned char *s);

/*
 * The one JSON writer (json_writer.c): each call appends one JSON value
 * to b and returns 0 or -ENOMEM. kgc_json_key() writes the separator and
 * the key of a member that is not an object's first: ,"key":
 */
int kgc_json_str(struct kgc_strbuf *b, const char *s);
/* NULL or "" as null. */
int kgc_json_str_or_null(struct kgc_strbuf *b, const char *s);
int kgc_json_u64(struct kgc_strbuf *b, uint64_t v);
int kgc_json_bool(struct kgc_strbuf *b, bool v);
int kgc_json_null(struct kgc_strbuf *b);
/* As a string, "0x%08x": CRCs are compared with Module.symvers by eye. */
int kgc_json_hex32(struct kgc_strbuf *b, uint32_t v);
int kgc_json_key(struct kgc_strbuf *b, const char *key);
/* The kernel's taint letters for taint bits (kernel/panic.c order). */
void kgc_taint_letters(uint64_t taints, char *buf, size_t len);

/* Audit events as JSON lines (kabiguardd's log, `kabiguardctl monitor
 * --json`): the fields policy generation needs, others are skipped. */
struct kgc_audit_viol {
	char *symbol;
	char *ns;		/* NULL: none */
	char *exporter;		/* NULL: unknown */
	char *reason;		/* as written, NULL when absent */
	bool has_kernel_crc;
	uint32_t kernel_crc;
};

struct kgc_audit_event {
	char *module;
	char *verdict;
	struct kgc_audit_viol *viol;
	size_t nr_viol;
};

/* Parses one line holding one JSON object. Returns 0 (event filled; free
 * it with kgc_audit_event_free()), 1 for a blank line, or -EINVAL with
 * "what was expected at which column" in err. */
int kgc_audit_parse(const char *line, size_t len, struct kgc_audit_event *ev,
		   char *err, size_t errlen);
void kgc_audit_event_free(struct kgc_audit_event *ev);

#endif /* KGC_JSON_H */
