/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * seqcount_latch_t for include/linux/rbtree_latch.h: a counter whose
 * low bit selects the tree copy readers use, under both the 6.12 names
 * and the later ones.
 */
#ifndef __VAS_SHIM_SEQLOCK_H
#define __VAS_SHIM_SEQLOCK_H

#include <linux/compiler.h>

typedef struct {
	unsigned int sequence;
} seqcount_latch_t;

#define seqcount_latch_init(s)	((s)->sequence = 0)

static inline unsigned int raw_read_seqcount_latch(const seqcount_latch_t *s)
{
	return READ_ONCE(s->sequence);
}

static inline bool raw_read_seqcount_latch_retry(const seqcount_latch_t *s,
						 unsigned int start)
{
	return READ_ONCE(s->sequence) != start;
}

static inline void raw_write_seqcount_latch(seqcount_latch_t *s)
{
	WRITE_ONCE(s->sequence, s->sequence + 1);
}

#define read_seqcount_latch(s)		raw_read_seqcount_latch(s)
#define read_seqcount_latch_retry(s, v)	raw_read_seqcount_latch_retry(s, v)
#define write_seqcount_latch_begin(s)	raw_write_seqcount_latch(s)
#define write_seqcount_latch(s)		raw_write_seqcount_latch(s)
#define write_seqcount_latch_end(s)	do { } while (0)

#endif /* __VAS_SHIM_SEQLOCK_H */
