/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vbus shared memory: the signal descriptor and the ioq ring
 *
 * These live in guest memory and are shared by the guest ("north") and a
 * device model in the host ("south"); all fields are little-endian.
 *
 * shm_signal: one descriptor per signal, with a record per side. A side
 * that wants to be told of new work sets its @enabled; the other side,
 * after publishing work, sets the receiver's @dirty and, if the receiver
 * is enabled and has no @pending signal, sets @pending and sends one (an
 * eventfd write for the device, an interrupt for the guest). The receiver
 * clears @pending when the signal arrives and @dirty before it looks for
 * work; after re-enabling it looks once more if @dirty is set again. So
 * a busy receiver gets no signals and no work is missed.
 *
 * ioq: a ring of descriptors that the guest hands to the device and the
 * device hands back. The guest fills the descriptor at @head modulo
 * @count, sets its @sown ("south owned") with release ordering, advances
 * @head, and signals. The device takes descriptors from @tail while @sown
 * is set (acquire), reads or writes the buffer at @ptr (guest-physical,
 * @len bytes), sets @used, clears @sown (release), advances @tail and
 * signals. Whether a ring carries requests or empty buffers is up to the
 * interface.
 */
#ifndef _UAPI_LINUX_VBUS_RING_H
#define _UAPI_LINUX_VBUS_RING_H

#include <linux/types.h>

#define SHM_SIGNAL_MAGIC	0x58fa39df
#define SHM_SIGNAL_VER		1

/* Indices of struct shm_signal_desc's @irq */
#define SHM_SIGNAL_NORTH	0	/* the guest */
#define SHM_SIGNAL_SOUTH	1	/* the device */

/**
 * struct shm_signal_irq - one side's record of a signal
 * @enabled: The side wants signals
 * @pending: A signal to the side is on its way
 * @dirty: The other side published work since the side last looked
 * @__pad: Must be 0
 */
struct shm_signal_irq {
	__u8 enabled;
	__u8 pending;
	__u8 dirty;
	__u8 __pad;
};

/**
 * struct shm_signal_desc - a signal in shared memory
 * @magic: SHM_SIGNAL_MAGIC
 * @ver: SHM_SIGNAL_VER
 * @irq: The records of the guest (SHM_SIGNAL_NORTH) and the device
 *	(SHM_SIGNAL_SOUTH)
 */
struct shm_signal_desc {
	__le32 magic;
	__le32 ver;
	struct shm_signal_irq irq[2];
};

#define IOQ_RING_MAGIC		0x47fa2fe4
#define IOQ_RING_VER		1

/**
 * struct ioq_ring_desc - one descriptor of an ioq
 * @cookie: The guest's; the device leaves it alone
 * @ptr: Guest-physical address of the buffer
 * @len: Length of the buffer
 * @used: Set by the device: bytes it wrote to the buffer, or read from it
 * @sown: 1 while the device owns the descriptor
 * @__pad: Must be 0
 */
struct ioq_ring_desc {
	__le64 cookie;
	__le64 ptr;
	__le32 len;
	__le32 used;
	__u8 sown;
	__u8 __pad[7];
};

/**
 * struct ioq_ring_head - an ioq: its header and then its descriptors
 * @magic: IOQ_RING_MAGIC
 * @ver: IOQ_RING_VER
 * @signal: The ring's signal; VBUS_CONN_SHM's signal_offset is its offset
 * @head: Written by the guest: descriptors handed over so far
 * @tail: Written by the device: descriptors handed back so far
 * @count: Number of descriptors, a power of two
 * @__pad: Must be 0
 * @ring: The descriptors
 *
 * @head and @tail are free-running; both sides index with them modulo
 * @count.
 */
struct ioq_ring_head {
	__le32 magic;
	__le32 ver;
	struct shm_signal_desc signal;
	__le32 head;
	__le32 tail;
	__le32 count;
	__le32 __pad;
	struct ioq_ring_desc ring[];
};

#endif /* _UAPI_LINUX_VBUS_RING_H */
