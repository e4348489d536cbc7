/* SPDX-License-Identifier: GPL-2.0-only */
/* tools/include's spinlock_t, and an rwlock_t for struct vas_gpc */
#ifndef __VAS_SHIM_SPINLOCK_H
#define __VAS_SHIM_SPINLOCK_H

#include_next <linux/spinlock.h>

typedef struct {
	int unused;
} rwlock_t;

#endif /* __VAS_SHIM_SPINLOCK_H */
