/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small xarray: a sorted array of (index, entry) pairs with the
 * semantics the vas sources rely on. A reserved index reads as NULL and is
 * skipped by xa_for_each(); storing into an index that is neither present
 * nor reserved allocates, so it can fail like the kernel's xa_store().
 */
#ifndef __VAS_SHIM_XARRAY_H
#define __VAS_SHIM_XARRAY_H

#include <limits.h>

#include <linux/types.h>
#include <linux/gfp.h>

struct xa_slot {
	unsigned long index;
	void *entry;		/* NULL: reserved */
};

struct xarray {
	struct xa_slot *slots;
	unsigned int nr;
	unsigned int cap;
};

#define XA_PRESENT		0
#define XA_ERROR(errno)		((void *)(((unsigned long)(errno) << 2) | 2))

static inline bool xa_is_err(const void *entry)
{
	return ((unsigned long)entry & 3) == 2 &&
	       (unsigned long)entry >= (unsigned long)XA_ERROR(-4095);
}

static inline int xa_err(void *entry)
{
	return xa_is_err(entry) ? (int)((long)entry >> 2) : 0;
}

void xa_init(struct xarray *xa);
void xa_destroy(struct xarray *xa);
void *xa_load(struct xarray *xa, unsigned long index);
void *xa_store(struct xarray *xa, unsigned long index, void *entry,
	       gfp_t gfp);
void *xa_erase(struct xarray *xa, unsigned long index);
int xa_reserve(struct xarray *xa, unsigned long index, gfp_t gfp);
void xa_release(struct xarray *xa, unsigned long index);
void *xa_find(struct xarray *xa, unsigned long *index, unsigned long max,
	      unsigned int filter);
void *xa_find_after(struct xarray *xa, unsigned long *index,
		    unsigned long max, unsigned int filter);
bool xa_empty(const struct xarray *xa);

#define xa_for_each(xa, index, entry)					\
	for (index = 0, entry = xa_find(xa, &index, ULONG_MAX, XA_PRESENT); \
	     entry;							\
	     entry = xa_find_after(xa, &index, ULONG_MAX, XA_PRESENT))

#endif /* __VAS_SHIM_XARRAY_H */
