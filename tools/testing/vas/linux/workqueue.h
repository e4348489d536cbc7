/* SPDX-License-Identifier: GPL-2.0-only */
/* struct work_struct, embedded in struct vas_pins */
#ifndef __VAS_SHIM_WORKQUEUE_H
#define __VAS_SHIM_WORKQUEUE_H

struct work_struct {
	void (*func)(struct work_struct *work);
};

#endif /* __VAS_SHIM_WORKQUEUE_H */
