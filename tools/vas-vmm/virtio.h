/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtio-mmio transport and the in-kernel backends behind it.
 *
 * A device model (net.c) gives the transport a struct virtio_device_ops:
 * its device id, the features it offers, its config space, and start and
 * stop callbacks. The transport (virtio-mmio.c) does the register file,
 * feature negotiation and queue setup, and owns the eventfds: one kick
 * eventfd per queue, wired to the QueueNotify register with KVM_IOEVENTFD,
 * and one call eventfd for the device, wired to its GSI with KVM_IRQFD.
 * When the driver sets DRIVER_OK it calls ->start() with the rings and
 * those eventfds; from then on the guest and the backend (vhost.c) talk
 * without the VMM. Writing 0 to Status calls ->stop().
 */
#ifndef VAS_VMM_VIRTIO_H
#define VAS_VMM_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include "vas-vmm.h"

#define VIRTIO_MAX_QUEUES	2

struct virtio_queue {
	uint32_t num;		/* QueueNum, as the driver set it */
	bool ready;		/* QueueReady */
	uint64_t desc;		/* guest-physical addresses of the rings */
	uint64_t avail;
	uint64_t used;
};

struct virtio_device_ops {
	uint32_t device_id;
	int nr_queues;
	uint32_t queue_max;
	/* Features offered to the driver */
	uint64_t (*features)(void *opaque);
	/* One byte of the config space at @offset (0 past its end) */
	uint8_t (*config)(void *opaque, uint32_t offset);
	/* DRIVER_OK: hand the rings to the backend; 0 or -errno */
	int (*start)(void *opaque, uint64_t features, struct virtio_queue *q,
		     const int *kick_fds, int call_fd);
	/* Device reset while started */
	void (*stop)(void *opaque);
};

struct virtio_mmio;

struct virtio_mmio *virtio_mmio_create(struct vm *vm, int index,
				       const struct virtio_device_ops *ops,
				       void *opaque);
uint64_t virtio_mmio_base(struct virtio_mmio *t);
int virtio_mmio_irq(struct virtio_mmio *t);
/* Stops the device if it runs, releases the eventfds and their wiring */
void virtio_mmio_destroy(struct virtio_mmio *t);

/* vhost.c: an in-kernel virtio-net backend */
struct vhost;

struct vhost *vhost_open(struct vm *vm, enum net_backend kind);
const char *vhost_name(struct vhost *v);
uint64_t vhost_features(struct vhost *v);
int vhost_start(struct vhost *v, uint64_t features, struct virtio_queue *q,
		int nr_queues, const int *kick_fds, int call_fd, int tap_fd);
void vhost_stop(struct vhost *v);
uint64_t vhost_errors(struct vhost *v, uint64_t *per_queue);
void vhost_close(struct vhost *v);

#endif /* VAS_VMM_VIRTIO_H */
