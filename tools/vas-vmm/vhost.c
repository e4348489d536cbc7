// SPDX-License-Identifier: GPL-2.0-only
/*
 * In-kernel virtio-net backends: stock vhost-net and vhost-xi-net.
 *
 * Both take the same standard vhost ioctls, in kvmtool's order
 * (virtio/vhost.c): VHOST_SET_OWNER when the device is opened, then, when
 * the driver sets DRIVER_OK, VHOST_SET_FEATURES and for each queue
 * VHOST_SET_VRING_NUM, _BASE, _ADDR, _KICK and _CALL, then
 * VHOST_NET_SET_BACKEND with the tap. They differ in how they reach guest
 * memory:
 *
 * vhost-net	has its own copy of the memory map: VHOST_SET_MEM_TABLE
 *		with one region per memslot (guest-physical -> this
 *		process's address), and ring addresses in
 *		VHOST_SET_VRING_ADDR are host virtual addresses.
 * vhost-xi	reaches guest memory through the vas that KVM uses too:
 *		VHOST_XI_SET_VAS with the vas fd right after
 *		VHOST_SET_OWNER, no VHOST_SET_MEM_TABLE (it refuses it), and
 *		ring addresses are guest-physical.
 *
 * VIRTIO_NET_F_MAC and the other device-level features are the VMM's:
 * VHOST_SET_FEATURES gets only the bits the backend itself offered.
 *
 * Each queue also gets an error eventfd (VHOST_SET_VRING_ERR), on which
 * the backend signals a ring it stopped serving (a bad descriptor, an
 * address outside guest memory); the summary reports them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include <linux/vhost.h>

#ifdef HAVE_VHOST_XI_H		/* set by the Makefile */
#include <linux/vhost_xi.h>
#endif

#include "virtio.h"

#ifndef VHOST_XI_SET_VAS
/* Local copy of include/uapi/linux/vhost_xi.h, until it is installed */
struct vhost_xi_set_vas {
	__u32 size;		/* sizeof(struct vhost_xi_set_vas) */
	__u32 flags;		/* 0 */
	__s32 vas_fd;
	__u32 __reserved;
};

#define VHOST_XI_SET_VAS	_IOW(0xB9, 0x30, struct vhost_xi_set_vas)
#endif

struct vhost {
	struct vm *vm;
	enum net_backend kind;
	const char *name;
	const char *path;
	int fd;
	uint64_t features;	/* VHOST_GET_FEATURES */
	int nr_queues;		/* with the tap attached */
	/* VHOST_SET_VRING_ERR: the backend signals a ring it gave up on */
	int err_fd[VIRTIO_MAX_QUEUES];
	uint64_t errors[VIRTIO_MAX_QUEUES];
};

static int set_mem_table(struct vhost *v)
{
	struct vm *vm = v->vm;
	struct vhost_memory *mem;
	int ret;

	mem = calloc(1, sizeof(*mem) + 2 * sizeof(mem->regions[0]));
	if (!mem)
		return -ENOMEM;
	mem->regions[0] = (struct vhost_memory_region) {
		.guest_phys_addr = 0,
		.memory_size = vm->low_ram_size,
		.userspace_addr = (uintptr_t)vm->ram,
	};
	mem->nregions = 1;
	if (vm->high_ram_size) {
		mem->regions[1] = (struct vhost_memory_region) {
			.guest_phys_addr = HIGH_RAM_START,
			.memory_size = vm->high_ram_size,
			.userspace_addr = (uintptr_t)vm->ram +
					  vm->low_ram_size,
		};
		mem->nregions = 2;
	}
	ret = ioctl(v->fd, VHOST_SET_MEM_TABLE, mem) ? -errno : 0;
	free(mem);
	return ret;
}

static int set_vas(struct vhost *v)
{
	struct vhost_xi_set_vas arg = {
		.size = sizeof(arg),
		.vas_fd = v->vm->vas_fd,
	};

	return ioctl(v->fd, VHOST_XI_SET_VAS, &arg) ? -errno : 0;
}

struct vhost *vhost_open(struct vm *vm, enum net_backend kind)
{
	struct vhost *v;
	int i, ret;

	v = calloc(1, sizeof(*v));
	if (!v) {
		error("out of memory");
		return NULL;
	}
	v->vm = vm;
	v->kind = kind;
	for (i = 0; i < VIRTIO_MAX_QUEUES; i++)
		v->err_fd[i] = -1;
	if (kind == NET_VHOST_XI) {
		v->name = "vhost-xi";
		v->path = "/dev/vhost-xi-net";
	} else {
		v->name = "vhost-net";
		v->path = "/dev/vhost-net";
	}
	v->fd = open(v->path, O_RDWR | O_CLOEXEC);
	if (v->fd < 0) {
		if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
			error("backend device %s is missing (is %s built into the kernel or loaded?)",
			      v->path, kind == NET_VHOST_XI ?
			      "vhost-xi-net" : "CONFIG_VHOST_NET");
		else
			error("cannot open backend device %s: %s", v->path,
			      strerror(errno));
		goto err;
	}
	if (ioctl(v->fd, VHOST_SET_OWNER)) {
		error("%s: VHOST_SET_OWNER: %s", v->path, strerror(errno));
		goto err;
	}
	ret = kind == NET_VHOST_XI ? set_vas(v) : set_mem_table(v);
	if (ret) {
		error("%s: %s: %s", v->path, kind == NET_VHOST_XI ?
		      "VHOST_XI_SET_VAS" : "VHOST_SET_MEM_TABLE",
		      strerror(-ret));
		goto err;
	}
	if (ioctl(v->fd, VHOST_GET_FEATURES, &v->features)) {
		error("%s: VHOST_GET_FEATURES: %s", v->path, strerror(errno));
		goto err;
	}
	for (i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		v->err_fd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (v->err_fd[i] < 0) {
			error("eventfd: %s", strerror(errno));
			goto err;
		}
	}
	return v;
err:
	vhost_close(v);
	return NULL;
}

const char *vhost_name(struct vhost *v)
{
	return v->name;
}

uint64_t vhost_features(struct vhost *v)
{
	return v->features;
}

/* The ring addresses as the backend wants them: HVA or GPA */
static int ring_addr(struct vhost *v, uint64_t gpa, uint64_t len,
		     uint64_t *addr)
{
	void *hva = gpa_to_hva(v->vm, gpa, len);

	if (!hva)
		return -EFAULT;
	*addr = v->kind == NET_VHOST_XI ? gpa : (uintptr_t)hva;
	return 0;
}

static int start_queue(struct vhost *v, int i, struct virtio_queue *q,
		       int kick_fd, int call_fd)
{
	struct vhost_vring_state state = { .index = i, .num = q->num };
	struct vhost_vring_file kick = { .index = i, .fd = kick_fd };
	struct vhost_vring_file call = { .index = i, .fd = call_fd };
	struct vhost_vring_file err = { .index = i, .fd = v->err_fd[i] };
	struct vhost_vring_addr addr = { .index = i };
	uint64_t desc, avail, used;
	int ret;

	ret = ring_addr(v, q->desc, 16ULL * q->num, &desc);
	if (!ret)
		ret = ring_addr(v, q->avail, 6 + 2ULL * q->num, &avail);
	if (!ret)
		ret = ring_addr(v, q->used, 6 + 8ULL * q->num, &used);
	if (ret) {
		warning("%s: queue %d: rings outside guest RAM", v->name, i);
		return ret;
	}
	addr.desc_user_addr = desc;
	addr.avail_user_addr = avail;
	addr.used_user_addr = used;

	if (ioctl(v->fd, VHOST_SET_VRING_NUM, &state))
		goto fail_num;
	state.num = 0;
	if (ioctl(v->fd, VHOST_SET_VRING_BASE, &state))
		goto fail_base;
	if (ioctl(v->fd, VHOST_SET_VRING_ADDR, &addr))
		goto fail_addr;
	if (ioctl(v->fd, VHOST_SET_VRING_KICK, &kick))
		goto fail_kick;
	if (ioctl(v->fd, VHOST_SET_VRING_CALL, &call))
		goto fail_call;
	if (ioctl(v->fd, VHOST_SET_VRING_ERR, &err))
		warning("%s: queue %d: VHOST_SET_VRING_ERR: %s", v->name, i,
			strerror(errno));
	return 0;

fail_num:
	ret = -errno;
	warning("%s: queue %d: VHOST_SET_VRING_NUM %u: %s", v->name, i,
		q->num, strerror(errno));
	return ret;
fail_base:
	ret = -errno;
	warning("%s: queue %d: VHOST_SET_VRING_BASE: %s", v->name, i,
		strerror(errno));
	return ret;
fail_addr:
	ret = -errno;
	warning("%s: queue %d: VHOST_SET_VRING_ADDR 0x%llx/0x%llx/0x%llx: %s",
		v->name, i, (unsigned long long)desc,
		(unsigned long long)avail, (unsigned long long)used,
		strerror(errno));
	return ret;
fail_kick:
	ret = -errno;
	warning("%s: queue %d: VHOST_SET_VRING_KICK: %s", v->name, i,
		strerror(errno));
	return ret;
fail_call:
	ret = -errno;
	warning("%s: queue %d: VHOST_SET_VRING_CALL: %s", v->name, i,
		strerror(errno));
	return ret;
}

int vhost_start(struct vhost *v, uint64_t features, struct virtio_queue *q,
		int nr_queues, const int *kick_fds, int call_fd, int tap_fd)
{
	uint64_t backend_features = features & v->features;
	struct vhost_vring_file backend = { .fd = tap_fd };
	int i, ret;

	if (ioctl(v->fd, VHOST_SET_FEATURES, &backend_features)) {
		ret = -errno;
		warning("%s: VHOST_SET_FEATURES 0x%llx: %s", v->name,
			(unsigned long long)backend_features, strerror(errno));
		return ret;
	}
	for (i = 0; i < nr_queues; i++) {
		ret = start_queue(v, i, &q[i], kick_fds[i], call_fd);
		if (ret)
			return ret;
	}
	for (i = 0; i < nr_queues; i++) {
		backend.index = i;
		if (ioctl(v->fd, VHOST_NET_SET_BACKEND, &backend)) {
			ret = -errno;
			warning("%s: queue %d: VHOST_NET_SET_BACKEND: %s",
				v->name, i, strerror(errno));
			v->nr_queues = i;
			vhost_stop(v);
			return ret;
		}
	}
	v->nr_queues = nr_queues;
	return 0;
}

/* Detaches the tap: the backend stops touching the rings */
void vhost_stop(struct vhost *v)
{
	struct vhost_vring_file backend = { .fd = -1 };
	int i;

	for (i = 0; i < v->nr_queues; i++) {
		backend.index = i;
		if (ioctl(v->fd, VHOST_NET_SET_BACKEND, &backend))
			warning("%s: queue %d: VHOST_NET_SET_BACKEND -1: %s",
				v->name, i, strerror(errno));
	}
	v->nr_queues = 0;
}

/* Ring errors the backend signalled so far, per queue in @per_queue */
uint64_t vhost_errors(struct vhost *v, uint64_t *per_queue)
{
	uint64_t n, total = 0;
	int i;

	for (i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		if (v->err_fd[i] >= 0 &&
		    read(v->err_fd[i], &n, sizeof(n)) == sizeof(n))
			v->errors[i] += n;
		per_queue[i] = v->errors[i];
		total += v->errors[i];
	}
	return total;
}

void vhost_close(struct vhost *v)
{
	int i;

	if (!v)
		return;
	if (v->fd >= 0) {
		vhost_stop(v);
		close(v->fd);
	}
	for (i = 0; i < VIRTIO_MAX_QUEUES; i++)
		if (v->err_fd[i] >= 0)
			close(v->err_fd[i]);
	free(v);
}
