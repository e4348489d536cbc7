/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmalloc(), kvmalloc() and vmalloc() families over the harness allocator,
 * which counts live allocations and fails the one the fuzzer asks it to.
 * All of them are declared here, whichever kernel header they come from,
 * so that the vas sources may switch between them freely.
 */
#ifndef __VAS_SHIM_SLAB_H
#define __VAS_SHIM_SLAB_H

#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/overflow.h>

#ifndef __GFP_ACCOUNT
#define __GFP_ACCOUNT		0x400000u
#endif
#ifndef GFP_KERNEL_ACCOUNT
#define GFP_KERNEL_ACCOUNT	(GFP_KERNEL | __GFP_ACCOUNT)
#endif

void *vas_shim_alloc(size_t size, gfp_t flags);
void vas_shim_free(const void *p);

static inline void *kmalloc(size_t size, gfp_t flags)
{
	return vas_shim_alloc(size, flags);
}

static inline void *kzalloc(size_t size, gfp_t flags)
{
	return vas_shim_alloc(size, flags | __GFP_ZERO);
}

static inline void *kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (check_mul_overflow(n, size, &bytes))
		return NULL;
	return vas_shim_alloc(bytes, flags);
}

static inline void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	return kmalloc_array(n, size, flags | __GFP_ZERO);
}

static inline void kfree(const void *p)
{
	vas_shim_free(p);
}

#define kvmalloc(size, flags)		kmalloc(size, flags)
#define kvzalloc(size, flags)		kzalloc(size, flags)
#define kvmalloc_array(n, size, flags)	kmalloc_array(n, size, flags)
#define kvcalloc(n, size, flags)	kcalloc(n, size, flags)
#define kvfree(p)			kfree(p)
#define vmalloc(size)			kmalloc(size, GFP_KERNEL)
#define vzalloc(size)			kzalloc(size, GFP_KERNEL)
#define __vmalloc(size, flags)		kmalloc(size, flags)
#define vmalloc_array(n, size)		kmalloc_array(n, size, GFP_KERNEL)
#define __vmalloc_array(n, size, flags)	kmalloc_array(n, size, flags)
#define vcalloc(n, size)		kcalloc(n, size, GFP_KERNEL)
#define __vcalloc(n, size, flags)	kcalloc(n, size, flags)
#define vfree(p)			kfree(p)

#endif /* __VAS_SHIM_SLAB_H */
