/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The bitmap helpers of tools/include, with the kernel's allocation
 * functions (which take gfp flags) in place of the tools ones, so that
 * bitmaps come from the harness allocator like every other allocation.
 */
#ifndef __VAS_SHIM_BITMAP_H
#define __VAS_SHIM_BITMAP_H

#include <linux/atomic.h>
#include <linux/slab.h>

#define bitmap_alloc	tools_bitmap_alloc
#define bitmap_zalloc	tools_bitmap_zalloc
#define bitmap_free	tools_bitmap_free
#include_next <linux/bitmap.h>
#undef bitmap_alloc
#undef bitmap_zalloc
#undef bitmap_free

static inline unsigned long *bitmap_alloc(unsigned int nbits, gfp_t flags)
{
	return kmalloc_array(BITS_TO_LONGS(nbits), sizeof(unsigned long),
			     flags);
}

static inline unsigned long *bitmap_zalloc(unsigned int nbits, gfp_t flags)
{
	return bitmap_alloc(nbits, flags | __GFP_ZERO);
}

static inline void bitmap_free(const unsigned long *bitmap)
{
	kfree(bitmap);
}

#endif /* __VAS_SHIM_BITMAP_H */
