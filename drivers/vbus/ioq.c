// SPDX-License-Identifier: GPL-2.0-only
/*
 * vbus ioq: the device's end of a ring of descriptors in shared memory
 *
 * The ring's layout and protocol are in <uapi/linux/vbus_ring.h>: the guest
 * hands descriptors over by setting their sown flag, the device hands them
 * back by clearing it. The device keeps its own copy of the ring's
 * geometry, read once by ioq_init(), so nothing the guest writes later can
 * make it index outside the region; what a descriptor points to is only
 * ever used as a guest-physical range, checked by the memory context.
 *
 * vbus keeps the ioq of the 2009 tree rather than taking virtio rings
 * through vringh: one ring per direction with an ownership flag per
 * descriptor is what the shm-signal model was designed around, a device
 * model gets plain descriptors and no virtio feature negotiation, and the
 * virtio path exists already as vhost-xi. Unlike the original, the ring
 * carries no pointers into host memory and the indices are free-running.
 */
#include <linux/log2.h>
#include <linux/overflow.h>

#include "vbus_private.h"

/**
 * ioq_init() - take up the ioq that fills a shared memory region
 * @q: The device's end, filled in here
 * @shm: The region, as the model's shm() got it
 *
 * Context: Process context; may sleep.
 * Return: 0; -EINVAL if the region holds no ioq (bad magic or version, a
 * count that is not a power of two or does not fit the region); -EFAULT
 * if the connection faulted.
 */
int ioq_init(struct ioq *q, struct vbus_shm *shm)
{
	size_t len = vbus_shm_len(shm);
	struct ioq_ring_head *head;
	u32 magic, ver, count, tail;

	if (len < sizeof(*head))
		return -EINVAL;
	head = vbus_shm_access_begin(shm);
	if (IS_ERR(head)) {
		vbus_shm_access_end(shm);
		return PTR_ERR(head);
	}
	magic = le32_to_cpu(READ_ONCE(head->magic));
	ver = le32_to_cpu(READ_ONCE(head->ver));
	count = le32_to_cpu(READ_ONCE(head->count));
	tail = le32_to_cpu(READ_ONCE(head->tail));
	vbus_shm_access_end(shm);

	if (magic != IOQ_RING_MAGIC || ver != IOQ_RING_VER)
		return -EINVAL;
	if (!is_power_of_2(count) ||
	    struct_size(head, ring, count) > len)
		return -EINVAL;
	q->shm = shm;
	q->count = count;
	q->tail = tail;
	q->taken = 0;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(ioq_init, VBUS);

/* Copies the next descriptor the guest handed over; takes it if @take */
static int ioq_next(struct ioq *q, struct ioq_ring_desc *desc, bool take)
{
	struct ioq_ring_head *head;
	struct ioq_ring_desc *d;
	int ret = 0;

	if (q->taken == q->count)
		return 0;
	head = vbus_shm_access_begin(q->shm);
	if (IS_ERR(head)) {
		vbus_shm_access_end(q->shm);
		return PTR_ERR(head);
	}
	d = &head->ring[(q->tail + q->taken) & (q->count - 1)];
	/* The guest fills a descriptor before it hands it over */
	if (smp_load_acquire(&d->sown)) {
		desc->cookie = READ_ONCE(d->cookie);
		desc->ptr = READ_ONCE(d->ptr);
		desc->len = READ_ONCE(d->len);
		desc->used = 0;
		desc->sown = 1;
		q->taken += take;
		ret = 1;
	}
	vbus_shm_access_end(q->shm);
	return ret;
}

/**
 * ioq_pop() - take the next descriptor the guest handed over
 * @q: The ioq
 * @desc: Out: a copy of the descriptor, little-endian as in the ring
 *
 * Descriptors are handed back with ioq_push(), in the order taken.
 *
 * Context: Process context; may sleep. Serialized with the ioq's other
 * calls by the caller.
 * Return: 1 if a descriptor was taken, 0 if the guest handed over none,
 * -EFAULT if the connection faulted.
 */
int ioq_pop(struct ioq *q, struct ioq_ring_desc *desc)
{
	return ioq_next(q, desc, true);
}
EXPORT_SYMBOL_NS_GPL(ioq_pop, VBUS);

/**
 * ioq_peek() - look at the next descriptor the guest handed over
 * @q: The ioq
 * @desc: Out: a copy of the descriptor, little-endian as in the ring
 *
 * As ioq_pop(), but the descriptor is not taken: the next ioq_peek() or
 * ioq_pop() finds it again.
 *
 * Context: Process context; may sleep. Serialized with the ioq's other
 * calls by the caller.
 * Return: 1 if there is one, 0 if not, -EFAULT if the connection faulted.
 */
int ioq_peek(struct ioq *q, struct ioq_ring_desc *desc)
{
	return ioq_next(q, desc, false);
}
EXPORT_SYMBOL_NS_GPL(ioq_peek, VBUS);

/**
 * ioq_push() - hand the oldest taken descriptor back to the guest
 * @q: The ioq
 * @used: Bytes the device wrote to the buffer, or read from it
 *
 * Context: Process context; may sleep. Serialized with the ioq's other
 * calls by the caller.
 * Return: 0; -EINVAL if no descriptor is taken; -EFAULT if the connection
 * faulted.
 */
int ioq_push(struct ioq *q, u32 used)
{
	struct ioq_ring_head *head;
	struct ioq_ring_desc *d;

	if (WARN_ON_ONCE(!q->taken))
		return -EINVAL;
	head = vbus_shm_access_begin(q->shm);
	if (IS_ERR(head)) {
		vbus_shm_access_end(q->shm);
		return PTR_ERR(head);
	}
	d = &head->ring[q->tail & (q->count - 1)];
	WRITE_ONCE(d->used, cpu_to_le32(used));
	/* used written before the guest sees the descriptor back */
	smp_store_release(&d->sown, 0);
	q->tail++;
	q->taken--;
	/* and after it: a guest that reads @tail sees the descriptor back */
	smp_store_release(&head->tail, cpu_to_le32(q->tail));
	vbus_shm_access_end(q->shm);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(ioq_push, VBUS);
