// SPDX-License-Identifier: GPL-2.0-only
/*
 * vbus shm-signal: the device's end of a signal in shared memory
 *
 * The descriptor and its protocol are in <uapi/linux/vbus_ring.h>: each
 * side says in shared memory whether it wants signals, and the other side
 * sends one only then, and only one until the receiver has looked. The
 * 2009 vbus delivered them through its own hooks into KVM; here they are
 * eventfds the VMM wires as it likes: the guest kicks the device through
 * @kick (a KVM_IOEVENTFD, or a write from userspace), the device
 * interrupts the guest through @call (a KVM_IRQFD, or a read in
 * userspace).
 *
 * A kick arrives in the eventfd's wakeup, in atomic context: the signal
 * consumes the count and tells the model's notifier, which queues its
 * work; the work then uses the descriptor through shm_signal_disable(),
 * _enable() and _inject() in process context. Kicks are dropped only by
 * shm_signal_stop(), which the bus calls before the model's close(), so
 * no notifier runs once a connection is closing.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/poll.h>

#include "vbus_private.h"

static int shm_signal_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			     int sync, void *key)
{
	struct shm_signal *s = container_of(wait, struct shm_signal, wait);
	u64 count;

	if (key_to_poll(key) & EPOLLIN) {
		eventfd_ctx_do_read(s->kick, &count);
		s->notifier->signal(s->notifier);
	}
	return 0;
}

static void shm_signal_queue(struct file *file, wait_queue_head_t *wqh,
			     poll_table *pt)
{
	struct shm_signal *s = container_of(pt, struct shm_signal, pt);

	add_wait_queue(wqh, &s->wait);
}

/*
 * Ties the signal at @offset in @shm (mapped) to its eventfds after
 * checking its descriptor: -EINVAL for a bad magic or version, -EBADF or
 * -EINVAL for fds that are not eventfds.
 */
int shm_signal_init(struct shm_signal *s, struct vbus_shm *shm,
		    size_t offset, int kick_fd, int call_fd)
{
	struct shm_signal_desc *desc;
	u32 magic, ver;
	void *base;
	int err;

	s->shm = shm;
	s->offset = offset;
	base = vbus_shm_access_begin(shm);
	if (IS_ERR(base)) {
		vbus_shm_access_end(shm);
		return PTR_ERR(base);
	}
	desc = base + offset;
	magic = le32_to_cpu(READ_ONCE(desc->magic));
	ver = le32_to_cpu(READ_ONCE(desc->ver));
	vbus_shm_access_end(shm);
	if (magic != SHM_SIGNAL_MAGIC || ver != SHM_SIGNAL_VER)
		return -EINVAL;

	s->kick_file = fget(kick_fd);
	if (!s->kick_file)
		return -EBADF;
	s->kick = eventfd_ctx_fileget(s->kick_file);
	if (IS_ERR(s->kick)) {
		err = PTR_ERR(s->kick);
		goto err_file;
	}
	if (call_fd != -1) {
		s->call = eventfd_ctx_fdget(call_fd);
		if (IS_ERR(s->call)) {
			err = PTR_ERR(s->call);
			goto err_kick;
		}
	}
	return 0;

err_kick:
	eventfd_ctx_put(s->kick);
err_file:
	fput(s->kick_file);
	return err;
}

/**
 * shm_signal_start() - have kicks delivered to a notifier
 * @s: The signal, as the model's shm() got it
 * @notifier: Told of each kick, in atomic context; also at once if a kick
 *	came before
 *
 * Context: Process context; once per signal.
 */
void shm_signal_start(struct shm_signal *s,
		      struct shm_signal_notifier *notifier)
{
	__poll_t events;

	if (WARN_ON_ONCE(s->notifier))
		return;
	s->notifier = notifier;
	init_waitqueue_func_entry(&s->wait, shm_signal_wakeup);
	init_poll_funcptr(&s->pt, shm_signal_queue);
	events = vfs_poll(s->kick_file, &s->pt);
	if (events & EPOLLIN)
		notifier->signal(notifier);
}
EXPORT_SYMBOL_NS_GPL(shm_signal_start, VBUS);

/* No notifier runs once this returns */
void shm_signal_stop(struct shm_signal *s)
{
	u64 count;

	if (!s->notifier)
		return;
	eventfd_ctx_remove_wait_queue(s->kick, &s->wait, &count);
	s->notifier = NULL;
}

void shm_signal_destroy(struct shm_signal *s)
{
	shm_signal_stop(s);
	if (s->call)
		eventfd_ctx_put(s->call);
	eventfd_ctx_put(s->kick);
	fput(s->kick_file);
}

static struct shm_signal_irq *shm_signal_irq(struct shm_signal *s,
					     void *base, int side)
{
	struct shm_signal_desc *desc = base + s->offset;

	return &desc->irq[side];
}

/**
 * shm_signal_enable() - ask the guest for signals again
 * @s: The signal
 *
 * Context: Process context; serialized with the signal's other calls.
 * Return: 1 if the guest published work since shm_signal_disable() (look
 * again), 0 if not, -EFAULT if the connection faulted.
 */
int shm_signal_enable(struct shm_signal *s)
{
	struct shm_signal_irq *irq;
	void *base;
	int dirty;

	base = vbus_shm_access_begin(s->shm);
	if (IS_ERR(base)) {
		vbus_shm_access_end(s->shm);
		return PTR_ERR(base);
	}
	irq = shm_signal_irq(s, base, SHM_SIGNAL_SOUTH);
	WRITE_ONCE(irq->enabled, 1);
	/* enabled before dirty is read; pairs with the guest's inject */
	smp_mb();
	dirty = READ_ONCE(irq->dirty);
	vbus_shm_access_end(s->shm);
	return !!dirty;
}
EXPORT_SYMBOL_NS_GPL(shm_signal_enable, VBUS);

/**
 * shm_signal_disable() - no signals wanted: the device is looking for work
 * @s: The signal
 *
 * Also marks the signal received: a guest that publishes work from now on
 * sets the device's dirty flag, which shm_signal_enable() reports.
 *
 * Context: Process context; serialized with the signal's other calls.
 * Return: 0, or -EFAULT if the connection faulted.
 */
int shm_signal_disable(struct shm_signal *s)
{
	struct shm_signal_irq *irq;
	void *base;

	base = vbus_shm_access_begin(s->shm);
	if (IS_ERR(base)) {
		vbus_shm_access_end(s->shm);
		return PTR_ERR(base);
	}
	irq = shm_signal_irq(s, base, SHM_SIGNAL_SOUTH);
	WRITE_ONCE(irq->enabled, 0);
	WRITE_ONCE(irq->pending, 0);
	WRITE_ONCE(irq->dirty, 0);
	/* dirty cleared before the device looks at the work */
	smp_mb();
	vbus_shm_access_end(s->shm);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(shm_signal_disable, VBUS);

/**
 * shm_signal_inject() - tell the guest that the device published work
 * @s: The signal
 *
 * Sets the guest's dirty flag and, if the guest enabled signals and has
 * none pending, marks one pending and writes the call eventfd.
 *
 * Context: Process context; serialized with the signal's other calls.
 * Return: 0, or -EFAULT if the connection faulted.
 */
int shm_signal_inject(struct shm_signal *s)
{
	struct shm_signal_irq *irq;
	bool fire = false;
	void *base;

	base = vbus_shm_access_begin(s->shm);
	if (IS_ERR(base)) {
		vbus_shm_access_end(s->shm);
		return PTR_ERR(base);
	}
	irq = shm_signal_irq(s, base, SHM_SIGNAL_NORTH);
	WRITE_ONCE(irq->dirty, 1);
	/* dirty set before enabled is read; pairs with the guest's enable */
	smp_mb();
	if (READ_ONCE(irq->enabled) && !READ_ONCE(irq->pending)) {
		WRITE_ONCE(irq->pending, 1);
		fire = true;
	}
	vbus_shm_access_end(s->shm);
	if (fire && s->call)
		eventfd_signal(s->call);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(shm_signal_inject, VBUS);
