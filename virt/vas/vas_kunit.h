/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the vas KUnit suites.
 */
#ifndef __VAS_KUNIT_H
#define __VAS_KUNIT_H

#include "vas_private.h"

/* VAS_SET_MEMSLOT without the ioctl: 0 or a negative errno */
static inline int vas_kunit_set_memslot(struct vas *vas, u32 id, u32 flags,
					u64 gpa, u64 size, u64 uaddr)
{
	struct vas_set_memslot req = {
		.size = sizeof(req),
		.flags = flags,
		.slot = id,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = uaddr,
	};

	return vas_memslots_set(vas, &req);
}

#endif /* __VAS_KUNIT_H */
