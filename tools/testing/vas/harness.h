/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The harness around the vas memslot table and dirty log: the real
 * virt/vas/memslots.c and virt/vas/dirty.c over the shim headers of
 * linux/, with stubs that record what the code asks of binders and vmaps,
 * and knobs to fail allocations, veto changes, limit "user" memory and
 * run a racing reader inside a grace period.
 */
#ifndef __VAS_HARNESS_H
#define __VAS_HARNESS_H

#include <limits.h>

#include <linux/mm.h>
#include <linux/types.h>
#include <linux/uaccess.h>

#include "vas_private.h"

/* Allocations larger than this fail, as a huge kvmalloc() might */
#define VAS_SHIM_ALLOC_MAX	BIT(20)

/* shim.c */
extern long vas_shim_live;		/* allocations not yet freed */
extern long vas_shim_fail_nth;		/* fail the nth next allocation; 0: none */
extern long vas_shim_failed;		/* allocations that failed */
extern void (*vas_shim_gp_hook)(struct srcu_struct *ssp);

void vas_shim_user_window(void *base, size_t len);

/* harness.c: what the stubs saw */
struct vas_harness_calls {
	int prepare;
	int commit;
	int invalidate;
	int sync_dirty;
	int vmaps_invalidate;
	int vmaps_sync_dirty;
	int sgmaps_sync_dirty;
	u32 sync_slot;
	struct vas_memslot_change prepared;
	struct vas_memslot_change committed;
};

extern struct vas_harness_calls vas_harness_calls;
/* errno vas_binders_prepare() returns, 0 to accept */
extern int vas_harness_veto;
/* called from vas_binders_sync_dirty(), as a binder reporting its writes */
extern void (*vas_harness_sync_hook)(struct vas *vas, u32 slot);

struct vas *vas_harness_create(void);
/* Makes current the owner of @vas, or another task */
void vas_harness_owner(struct vas *vas, bool owner);
void vas_harness_destroy(struct vas *vas);

#endif /* __VAS_HARNESS_H */
