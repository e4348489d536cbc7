// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio-mmio transport, version 2 (virtio 1.x, "modern" only).
 *
 * Device i sits at VIRTIO_MMIO_BASE + i * VIRTIO_MMIO_STRIDE with IRQ
 * VIRTIO_MMIO_IRQ_BASE + i, and the guest learns of it from the command
 * line (virtio_mmio.device=512@0xd0000000:5). Every register access but
 * QueueNotify exits to the VMM: they happen while the driver probes and
 * sets the device up, not on the data path.
 *
 * The data path never reaches the VMM: a write to QueueNotify is caught
 * by KVM itself (KVM_IOEVENTFD, 4 bytes, datamatch on the queue index)
 * and signals that queue's kick eventfd, which the backend polls; the
 * backend signals the call eventfd, which KVM turns into an edge on the
 * device's IOAPIC pin (KVM_IRQFD).
 *
 * InterruptStatus: Linux's vm_interrupt() reads it and returns IRQ_NONE
 * without looking at the rings when it reads 0. With irqfd the VMM never
 * sees an interrupt go by, so it cannot set the "used buffer" bit when
 * one is sent. It reports VIRTIO_MMIO_INT_VRING whenever the rings are
 * with the backend instead: an interrupt that finds nothing new is
 * harmless, since vring_interrupt() checks the used ring and returns
 * IRQ_NONE for a queue with nothing to do. The configuration-change bit is
 * set only when the config space changes (never, for this net device) and
 * cleared by InterruptACK.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include "virtio.h"

#define VIRTIO_MMIO_MAGIC	0x74726976	/* "virt" */
#define VIRTIO_MMIO_VENDOR	0x00736176	/* "vas" */

struct virtio_mmio {
	struct vm *vm;
	int index;
	uint64_t base;
	int irq;
	const struct virtio_device_ops *ops;
	void *opaque;

	uint32_t status;
	uint32_t device_features_sel;
	uint32_t driver_features_sel;
	uint64_t driver_features;
	uint32_t queue_sel;
	uint32_t int_config;	/* VIRTIO_MMIO_INT_CONFIG pending */
	bool started;		/* rings are with the backend */
	struct virtio_queue q[VIRTIO_MAX_QUEUES];

	int kick_fd[VIRTIO_MAX_QUEUES];
	bool ioeventfd[VIRTIO_MAX_QUEUES];
	int call_fd;
	bool irqfd;
};

static int set_ioeventfd(struct virtio_mmio *t, int q, bool assign)
{
	struct kvm_ioeventfd ev = {
		.datamatch = q,
		.addr = t->base + VIRTIO_MMIO_QUEUE_NOTIFY,
		.len = 4,
		.fd = t->kick_fd[q],
		.flags = KVM_IOEVENTFD_FLAG_DATAMATCH |
			 (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
	};

	return ioctl(t->vm->vm_fd, KVM_IOEVENTFD, &ev) ? -errno : 0;
}

static int set_irqfd(struct virtio_mmio *t, bool assign)
{
	struct kvm_irqfd irqfd = {
		.fd = t->call_fd,
		.gsi = t->irq,
		.flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
	};

	return ioctl(t->vm->vm_fd, KVM_IRQFD, &irqfd) ? -errno : 0;
}

static void transport_reset(struct virtio_mmio *t)
{
	if (t->started && t->ops->stop)
		t->ops->stop(t->opaque);
	t->started = false;
	t->status = 0;
	t->device_features_sel = 0;
	t->driver_features_sel = 0;
	t->driver_features = 0;
	t->queue_sel = 0;
	t->int_config = 0;
	memset(t->q, 0, sizeof(t->q));
}

static struct virtio_queue *cur_queue(struct virtio_mmio *t)
{
	if (t->queue_sel >= (uint32_t)t->ops->nr_queues)
		return NULL;
	return &t->q[t->queue_sel];
}

static void driver_ok(struct virtio_mmio *t)
{
	int i, ret;

	for (i = 0; i < t->ops->nr_queues; i++) {
		if (!t->q[i].ready || !t->q[i].num) {
			warning("virtio-mmio %d: DRIVER_OK with queue %d not ready",
				t->index, i);
			t->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
			return;
		}
	}
	ret = t->ops->start(t->opaque, t->driver_features, t->q, t->kick_fd,
			    t->call_fd);
	if (ret) {
		warning("virtio-mmio %d: the backend refused the rings: %s",
			t->index, strerror(-ret));
		t->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
		return;
	}
	t->started = true;
}

static uint32_t config_read(struct virtio_mmio *t, uint32_t offset, int len)
{
	uint32_t v = 0;
	int i;

	/* Little-endian, as the guest sees it */
	for (i = 0; i < len; i++)
		v |= (uint32_t)t->ops->config(t->opaque, offset + i) << (8 * i);
	return v;
}

static uint32_t mmio_read(void *opaque, uint64_t offset, int len)
{
	struct virtio_mmio *t = opaque;
	struct virtio_queue *q = cur_queue(t);
	uint64_t features;

	if (offset >= VIRTIO_MMIO_CONFIG)
		return config_read(t, offset - VIRTIO_MMIO_CONFIG, len);
	if (len != 4)
		return 0;

	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return t->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		features = t->ops->features(t->opaque);
		if (t->device_features_sel > 1)
			return 0;
		return features >> (32 * t->device_features_sel);
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q ? t->ops->queue_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return q ? q->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		/* See the top of the file */
		return (t->started ? VIRTIO_MMIO_INT_VRING : 0) | t->int_config;
	case VIRTIO_MMIO_STATUS:
		return t->status;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		return q ? (uint32_t)q->desc : 0;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		return q ? q->desc >> 32 : 0;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
		return q ? (uint32_t)q->avail : 0;
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		return q ? q->avail >> 32 : 0;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
		return q ? (uint32_t)q->used : 0;
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		return q ? q->used >> 32 : 0;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
		return ~0U;	/* no shared memory region */
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return 0;
	default:
		return 0;
	}
}

static void set_addr(uint64_t *addr, bool high, uint32_t value)
{
	if (high)
		*addr = (*addr & 0xffffffffULL) | (uint64_t)value << 32;
	else
		*addr = (*addr & ~0xffffffffULL) | value;
}

static void mmio_write(void *opaque, uint64_t offset, uint32_t value, int len)
{
	struct virtio_mmio *t = opaque;
	struct virtio_queue *q = cur_queue(t);
	uint32_t old;

	if (offset >= VIRTIO_MMIO_CONFIG || len != 4)
		return;		/* the net config space is read-only */

	/* The rings are the backend's until the device is reset */
	if (t->started && offset >= VIRTIO_MMIO_QUEUE_NUM &&
	    offset <= VIRTIO_MMIO_QUEUE_USED_HIGH &&
	    offset != VIRTIO_MMIO_QUEUE_NOTIFY &&
	    offset != VIRTIO_MMIO_INTERRUPT_ACK && offset != VIRTIO_MMIO_STATUS)
		return;

	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		t->device_features_sel = value;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (t->status & VIRTIO_CONFIG_S_FEATURES_OK)
			break;
		if (t->driver_features_sel == 0)
			t->driver_features = (t->driver_features &
					      ~0xffffffffULL) | value;
		else if (t->driver_features_sel == 1)
			t->driver_features = (t->driver_features &
					      0xffffffffULL) |
					     (uint64_t)value << 32;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		t->driver_features_sel = value;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		t->queue_sel = value;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (q && value <= t->ops->queue_max &&
		    !(value & (value - 1)))
			q->num = value;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (q)
			q->ready = value & 1;
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		/*
		 * Only before the ioeventfds are in place, or for a queue
		 * index they do not match: nothing to do either way.
		 */
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		t->int_config &= ~(value & VIRTIO_MMIO_INT_CONFIG);
		break;
	case VIRTIO_MMIO_STATUS:
		if (value == 0) {
			transport_reset(t);
			break;
		}
		old = t->status;
		t->status = value;
		if ((value & VIRTIO_CONFIG_S_FEATURES_OK) &&
		    !(old & VIRTIO_CONFIG_S_FEATURES_OK) &&
		    (t->driver_features & ~t->ops->features(t->opaque))) {
			/* Features the device did not offer: refuse */
			t->status &= ~VIRTIO_CONFIG_S_FEATURES_OK;
		}
		if ((value & VIRTIO_CONFIG_S_DRIVER_OK) &&
		    !(old & VIRTIO_CONFIG_S_DRIVER_OK) && !t->started)
			driver_ok(t);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if (q)
			set_addr(&q->desc,
				 offset == VIRTIO_MMIO_QUEUE_DESC_HIGH, value);
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		if (q)
			set_addr(&q->avail,
				 offset == VIRTIO_MMIO_QUEUE_AVAIL_HIGH, value);
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		if (q)
			set_addr(&q->used,
				 offset == VIRTIO_MMIO_QUEUE_USED_HIGH, value);
		break;
	default:
		break;
	}
}

struct virtio_mmio *virtio_mmio_create(struct vm *vm, int index,
				       const struct virtio_device_ops *ops,
				       void *opaque)
{
	struct virtio_mmio *t;
	struct mmio_device dev;
	int i, ret;

	if (index >= MAX_MMIO_DEVICES) {
		error("too many virtio-mmio devices");
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		error("out of memory");
		return NULL;
	}
	t->vm = vm;
	t->index = index;
	t->base = VIRTIO_MMIO_BASE + index * VIRTIO_MMIO_STRIDE;
	t->irq = VIRTIO_MMIO_IRQ_BASE + index;
	t->ops = ops;
	t->opaque = opaque;
	t->call_fd = -1;
	for (i = 0; i < VIRTIO_MAX_QUEUES; i++)
		t->kick_fd[i] = -1;

	for (i = 0; i < ops->nr_queues; i++) {
		t->kick_fd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (t->kick_fd[i] < 0) {
			error("eventfd: %s", strerror(errno));
			goto err;
		}
		ret = set_ioeventfd(t, i, true);
		if (ret) {
			error("KVM_IOEVENTFD at 0x%llx: %s",
			      (unsigned long long)t->base +
			      VIRTIO_MMIO_QUEUE_NOTIFY, strerror(-ret));
			goto err;
		}
		t->ioeventfd[i] = true;
	}
	t->call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (t->call_fd < 0) {
		error("eventfd: %s", strerror(errno));
		goto err;
	}
	ret = set_irqfd(t, true);
	if (ret) {
		error("KVM_IRQFD on GSI %d: %s", t->irq, strerror(-ret));
		goto err;
	}
	t->irqfd = true;

	dev = (struct mmio_device) {
		.base = t->base,
		.size = VIRTIO_MMIO_STRIDE,
		.opaque = t,
		.read = mmio_read,
		.write = mmio_write,
	};
	if (vm_add_mmio(vm, &dev))
		goto err;
	return t;
err:
	virtio_mmio_destroy(t);
	return NULL;
}

uint64_t virtio_mmio_base(struct virtio_mmio *t)
{
	return t->base;
}

int virtio_mmio_irq(struct virtio_mmio *t)
{
	return t->irq;
}

void virtio_mmio_destroy(struct virtio_mmio *t)
{
	int i;

	if (!t)
		return;
	vm_del_mmio(t->vm, t->base);
	if (t->started && t->ops->stop)
		t->ops->stop(t->opaque);
	t->started = false;
	if (t->irqfd)
		set_irqfd(t, false);
	if (t->call_fd >= 0)
		close(t->call_fd);
	for (i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		if (t->ioeventfd[i])
			set_ioeventfd(t, i, false);
		if (t->kick_fd[i] >= 0)
			close(t->kick_fd[i]);
	}
	free(t);
}
