/* SPDX-License-Identifier: GPL-2.0-only */
/* struct mm_struct, and the notifiers embedded in struct vas and vas_gpc */
#ifndef __VAS_SHIM_MMU_NOTIFIER_H
#define __VAS_SHIM_MMU_NOTIFIER_H

#include <linux/types.h>

struct mm_struct {
	int mm_users;
};

struct mmu_notifier {
	struct mm_struct *mm;
};

struct mmu_interval_notifier {
	struct mm_struct *mm;
	unsigned long start, last;
};

#endif /* __VAS_SHIM_MMU_NOTIFIER_H */
