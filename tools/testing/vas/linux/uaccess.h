/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * "User" memory is harness memory: copy_{to,from}_user() copy within the
 * windows the harness declared (see harness.h) and fail like the kernel
 * ones, with the number of bytes not copied, beyond them. access_ok() is
 * x86-64's range check, without LAM.
 */
#ifndef __VAS_SHIM_UACCESS_H
#define __VAS_SHIM_UACCESS_H

#include <linux/mm.h>
#include <linux/types.h>

#define VAS_SHIM_TASK_SIZE_MAX	((1UL << 47) - PAGE_SIZE)

unsigned long vas_shim_copy(void *to, const void *from, unsigned long n,
			    bool to_user);

static inline bool access_ok(const void __user *ptr, unsigned long size)
{
	unsigned long sum = (unsigned long)ptr + size;

	return sum <= VAS_SHIM_TASK_SIZE_MAX && sum >= (unsigned long)ptr;
}

static inline unsigned long copy_to_user(void __user *to, const void *from,
					 unsigned long n)
{
	return vas_shim_copy((void *)to, from, n, true);
}

static inline unsigned long copy_from_user(void *to, const void __user *from,
					   unsigned long n)
{
	return vas_shim_copy(to, (const void *)from, n, false);
}

#endif /* __VAS_SHIM_UACCESS_H */
