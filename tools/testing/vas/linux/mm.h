/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Page size, and the allocation helpers of the kernel header (slab.h).
 */
#ifndef __VAS_SHIM_MM_H
#define __VAS_SHIM_MM_H

#include <linux/bits.h>
#include <linux/types.h>
#include <linux/slab.h>

#ifndef PAGE_SHIFT
#define PAGE_SHIFT		12
#endif
#ifndef PAGE_SIZE
#define PAGE_SIZE		BIT(PAGE_SHIFT)
#endif
#ifndef PAGE_MASK
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#endif
#ifndef PAGE_ALIGNED
#define PAGE_ALIGNED(addr)	(!((u64)(addr) & (PAGE_SIZE - 1)))
#endif
#ifndef offset_in_page
#define offset_in_page(p)	((unsigned long)(p) & ~PAGE_MASK)
#endif

struct page;
struct mm_struct;
struct vm_area_struct;

#endif /* __VAS_SHIM_MM_H */
