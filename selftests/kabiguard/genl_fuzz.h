/* SPDX-License-Identifier: GPL-2.0 */
/*
 * genl_fuzz: a generic netlink fuzzer driven by the family's own attribute
 * policy, as the kernel reports it (nlctrl CTRL_CMD_GETPOLICY). This header
 * is shared by the policy reader and message builder (genl_fuzz_gen.c) and
 * the driver (genl_fuzz_test.c).
 */
#ifndef GENL_FUZZ_H
#define GENL_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define FZ_MAX_POLICIES	16
#define FZ_MAX_ATTRS	128
#define FZ_MAX_OPS	64
/* Largest message built; the family's largest request is far smaller. */
#define FZ_MSG_MAX	8192

/* One attribute of a policy, as CTRL_CMD_GETPOLICY describes it. */
struct fz_attr {
	uint32_t type;		/* NL_ATTR_TYPE_*; 0: not in the policy */
	bool has_min_u, has_max_u, has_min_s, has_max_s;
	bool has_min_len, has_max_len, has_mask;
	uint64_t min_u, max_u, mask;
	int64_t min_s, max_s;
	uint32_t min_len, max_len;
	int nested;		/* policy index of a nest's content, -1: none */
};

struct fz_policy {
	bool seen;
	uint32_t maxtype;	/* highest attribute type reported */
	struct fz_attr attr[FZ_MAX_ATTRS];
};

struct fz_op {
	uint8_t cmd;
	uint32_t flags;		/* GENL_CMD_CAP_*, GENL_ADMIN_PERM */
	int do_pol, dump_pol;	/* policy index, -1: none reported */
};

struct fz_family {
	uint16_t id;
	uint32_t version, hdrsize, maxattr;
	struct fz_op ops[FZ_MAX_OPS];
	unsigned int nr_ops;
	uint32_t mcgrp;		/* id of the first multicast group, 0: none */
	char mcgrp_name[32];
	struct fz_policy pol[FZ_MAX_POLICIES];
	unsigned int nr_pol;
	/*
	 * The kernel said which policy each op uses (CTRL_ATTR_OP_POLICY);
	 * otherwise every op uses policy 0, the family's.
	 */
	bool per_op;
	unsigned int policy_msgs;	/* messages the policy dump returned */
};

/* splitmix64: small, fast, the same sequence everywhere for a seed. */
struct fz_rng {
	uint64_t s;
};

static inline uint64_t fz_rand(struct fz_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0. */
static inline uint32_t fz_below(struct fz_rng *r, uint32_t n)
{
	return (uint32_t)(fz_rand(r) % n);
}

/* The kinds of message built; the figures count each. */
enum fz_class {
	FZ_VALID,	/* everything as the policy says */
	FZ_MUTATED,	/* a valid message with 1 to 3 mutations */
	FZ_RANDOM,	/* random command, flags and attributes */
	FZ_NR_CLASSES
};

/* Mutations; fz_mut_name() names them for the figures. */
enum fz_mut {
	FZ_M_LEN_SHORT,		/* fixed-size attribute too short */
	FZ_M_LEN_LONG,		/* fixed-size attribute too long */
	FZ_M_WRONG_TYPE,	/* a value of another type (string for u32...) */
	FZ_M_RANGE,		/* integer beyond the policy's range or mask */
	FZ_M_STR_NONUL,		/* NUL string without its NUL */
	FZ_M_STR_LONG,		/* string longer than the policy's maximum */
	FZ_M_NEST_OVERRUN,	/* nest length beyond its parent */
	FZ_M_NEST_TRUNC,	/* nest length cut inside an attribute */
	FZ_M_DUP,		/* an attribute twice */
	FZ_M_TRAILING,		/* bytes after the last attribute */
	FZ_M_FLAGS,		/* dump on a do-only op, no REQUEST, ... */
	FZ_M_UNKNOWN_CMD,	/* a command the family does not have */
	FZ_M_UNKNOWN_ATTR,	/* an attribute type the policy does not have */
	FZ_M_NLA_FLAGS,		/* NLA_F_NESTED / NLA_F_NET_BYTEORDER misused */
	FZ_M_NLMSG_LEN,		/* nlmsg_len shorter or longer than the data */
	FZ_M_GENL_HDR,		/* genl version / reserved bytes random */
	FZ_M_ATTR_LEN,		/* nla_len below the attribute header */
	FZ_NR_MUTS
};

struct fz_stats_build {
	unsigned long muts[FZ_NR_MUTS];
};

/* A built request: one or more netlink messages in one datagram. */
struct fz_msg {
	union {
		unsigned char buf[FZ_MSG_MAX];
		uint64_t buf_align;	/* for the header casts */
	};
	size_t len;
	uint8_t cmd;		/* genl command of the first message */
	uint16_t flags;		/* its nlmsg_flags */
	bool dump;
	unsigned int nr;	/* messages in it, and where each starts */
	size_t off[8];
};

static inline void fz_msg_reset(struct fz_msg *m)
{
	m->len = 0;
	m->nr = 0;
}

/* Strings the builder picks from besides random ones. */
extern const char *const fz_words[];
extern const unsigned int fz_nr_words;

const char *fz_mut_name(enum fz_mut m);
const char *fz_attr_type_name(uint32_t t);

/*
 * Reads family @name and its policies from the kernel. Returns 0 or a
 * negative errno, with a message in @err.
 */
int fz_family_read(const char *name, struct fz_family *f, char *err,
		   size_t errlen);
void fz_family_print(const struct fz_family *f, FILE *out, bool all);
const struct fz_op *fz_op_find(const struct fz_family *f, uint8_t cmd);

/*
 * Builds one message of class @cls at m->buf + m->len (appending, so that
 * a datagram can hold several) with sequence number @seq.
 */
void fz_build(struct fz_rng *r, const struct fz_family *f, enum fz_class cls,
	      uint32_t seq, struct fz_msg *m, struct fz_stats_build *st);

/* A valid request for @cmd (do or dump), with attributes if @with_attrs. */
void fz_build_cmd(struct fz_rng *r, const struct fz_family *f, uint8_t cmd,
		  bool dump, bool with_attrs, uint32_t seq, struct fz_msg *m);

/* Appends attributes (bytes) to the last message of @m. */
void fz_append(struct fz_msg *m, const void *data, size_t len);

#endif /* GENL_FUZZ_H */
