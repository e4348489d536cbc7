/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vbus: signals and ioq rings in shared memory, the device's side
 *
 * The layouts and the protocol are in <uapi/linux/vbus_ring.h>. A struct
 * shm_signal is the device's ("south") end of a struct shm_signal_desc in
 * a shared memory region: the bus creates it for a region handed over
 * with VBUS_SHM_SIGNAL and ties it to the region's kick and call eventfds.
 * A struct ioq is the device's end of an ioq ring that fills such a
 * region.
 *
 * A device model's work loop on an ioq::
 *
 *	do {
 *		shm_signal_disable(sig);	// no kicks while we look
 *		while (ioq_pop(q, &desc) > 0) {
 *			... vbus_memctx_copy_from/to() the buffer ...
 *			ioq_push(q, used);
 *		}
 *		shm_signal_inject(sig);		// tell the guest
 *	} while (shm_signal_enable(sig) > 0);	// work came in meanwhile
 *
 * A model starts a signal with shm_signal_start() in its shm(); the bus
 * stops it before the model's close(). Everything may sleep except the
 * notifier, and fails with -EFAULT once the region cannot be mapped (the
 * connection has then faulted).
 */
#ifndef __LINUX_VBUS_RING_H
#define __LINUX_VBUS_RING_H

#include <linux/types.h>
#include <uapi/linux/vbus_ring.h>

struct shm_signal;
struct vbus_shm;

/**
 * struct shm_signal_notifier - told that the guest signalled
 * @signal: Called from the kick eventfd's wakeup, in atomic context: queue
 *	the work that looks at the shared memory
 */
struct shm_signal_notifier {
	void (*signal)(struct shm_signal_notifier *notifier);
};

void shm_signal_start(struct shm_signal *s,
		      struct shm_signal_notifier *notifier);
int shm_signal_enable(struct shm_signal *s);
int shm_signal_disable(struct shm_signal *s);
int shm_signal_inject(struct shm_signal *s);

/**
 * struct ioq - the device's end of an ioq ring
 * @shm: The region the ring fills
 * @count: Number of descriptors, a power of two
 * @tail: The next descriptor the device takes
 * @taken: Descriptors taken with ioq_pop() and not yet handed back
 */
struct ioq {
	struct vbus_shm *shm;
	u32 count;
	u32 tail;
	u32 taken;
};

int ioq_init(struct ioq *q, struct vbus_shm *shm);
int ioq_pop(struct ioq *q, struct ioq_ring_desc *desc);
int ioq_peek(struct ioq *q, struct ioq_ring_desc *desc);
int ioq_push(struct ioq *q, u32 used);

#endif /* __LINUX_VBUS_RING_H */
