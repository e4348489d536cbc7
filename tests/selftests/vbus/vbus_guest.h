/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A userspace "guest" of vbus devices, as a guest driver would be one:
 * guest memory is a memslot of a vas at a guest-physical address that is
 * not its host address; ioq rings with their shm-signals and the buffers
 * they point to live there; the guest kicks the device through an eventfd
 * (the VMM's KVM_IOEVENTFD) and is interrupted through another (the VMM's
 * KVM_IRQFD). The bus is /dev/vbus, bound to the vas.
 */
#ifndef VBUS_GUEST_H
#define VBUS_GUEST_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/vas.h>
#include <linux/vbus.h>
#include <linux/vbus_echo.h>
#include <linux/vbus_ring.h>

#define VBG_MODULE_DIR		"/modules"
#define VBG_MEM_GPA		0x40000000ULL	/* guest-physical base */
#define VBG_MEM_SIZE		(4UL << 20)
#define VBG_SLOT		0		/* its memslot */

struct vbg {
	int vas;
	int bus;
	uint8_t *mem;		/* guest memory, VBG_MEM_GPA onwards */
};

/* The guest's end of an ioq ring and its signal */
struct vbg_ring {
	struct ioq_ring_head *head;	/* host view of the ring */
	uint64_t gpa;
	uint32_t count;
	uint32_t next;		/* next descriptor the guest hands over */
	uint32_t reap;		/* next descriptor the guest takes back */
	int kick;		/* eventfd: guest -> device */
	int call;		/* eventfd: device -> guest */
};

static inline void *vbg_host(struct vbg *g, uint64_t gpa)
{
	return g->mem + (gpa - VBG_MEM_GPA);
}

/* Loads a module from VBG_MODULE_DIR as insmod does; loaded already is fine */
static inline int vbg_load_module(const char *name)
{
	char path[128];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s.ko", VBG_MODULE_DIR, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(__NR_finit_module, fd, "", 0) && errno != EEXIST ?
	      -errno : 0;
	close(fd);
	return ret;
}

/* (Re)sets guest memory's memslot: @size 0 deletes it */
static inline int vbg_set_memslot_flags(struct vbg *g, uint64_t size,
					uint32_t flags)
{
	struct vas_set_memslot slot = {
		.size = sizeof(slot),
		.flags = flags,
		.slot = VBG_SLOT,
		.guest_phys_addr = VBG_MEM_GPA,
		.memory_size = size,
		.userspace_addr = (uintptr_t)g->mem,
	};

	return ioctl(g->vas, VAS_SET_MEMSLOT, &slot) ? -errno : 0;
}

static inline int vbg_set_memslot(struct vbg *g, uint64_t size)
{
	return vbg_set_memslot_flags(g, size, 0);
}

static inline int vbg_set_vas(int bus, int vas)
{
	struct vbus_set_vas args = { .size = sizeof(args), .vas_fd = vas };

	return ioctl(bus, VBUS_SET_VAS, &args) ? -errno : 0;
}

/* Guest memory in a vas, a bus bound to it */
static inline int vbg_open(struct vbg *g)
{
	int ret;

	memset(g, 0, sizeof(*g));
	g->vas = g->bus = -1;
	ret = vbg_load_module("vbus");
	if (ret)
		return ret;
	g->vas = syscall(__NR_vas_create, 0);
	if (g->vas < 0)
		return -errno;
	g->mem = mmap(NULL, VBG_MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (g->mem == MAP_FAILED)
		return -errno;
	ret = vbg_set_memslot(g, VBG_MEM_SIZE);
	if (ret)
		return ret;
	g->bus = open("/dev/vbus", O_RDWR | O_CLOEXEC);
	if (g->bus < 0)
		return -errno;
	return vbg_set_vas(g->bus, g->vas);
}

static inline void vbg_close(struct vbg *g)
{
	if (g->bus >= 0)
		close(g->bus);
	if (g->vas >= 0)
		close(g->vas);
	if (g->mem && g->mem != MAP_FAILED)
		munmap(g->mem, VBG_MEM_SIZE);
	g->bus = g->vas = -1;
}

static inline int vbg_dev_create(struct vbg *g, const char *devclass,
				 uint32_t *id)
{
	struct vbus_dev_create args = { .size = sizeof(args) };

	strncpy(args.devclass, devclass, sizeof(args.devclass));
	if (ioctl(g->bus, VBUS_DEV_CREATE, &args))
		return -errno;
	*id = args.id;
	return 0;
}

static inline int vbg_dev_destroy(struct vbg *g, uint32_t id)
{
	struct vbus_dev_destroy args = { .size = sizeof(args), .id = id };

	return ioctl(g->bus, VBUS_DEV_DESTROY, &args) ? -errno : 0;
}

static inline int vbg_conn_open(struct vbg *g, uint32_t dev, const char *type,
				uint32_t version, int err_fd, uint32_t *id)
{
	struct vbus_conn_open args = {
		.size = sizeof(args),
		.dev_id = dev,
		.version = version,
		.err_fd = err_fd,
	};

	strncpy(args.type, type, sizeof(args.type));
	if (ioctl(g->bus, VBUS_CONN_OPEN, &args))
		return -errno;
	*id = args.id;
	return 0;
}

static inline int vbg_conn_close(struct vbg *g, uint32_t id)
{
	struct vbus_conn_close args = { .size = sizeof(args), .id = id };

	return ioctl(g->bus, VBUS_CONN_CLOSE, &args) ? -errno : 0;
}

/* The VBUS_DEV_LIST entry of device @dev (its first interface) */
static inline int vbg_find_intf(struct vbg *g, uint32_t dev,
				struct vbus_intf_info *out)
{
	struct vbus_intf_info info[8];
	struct vbus_dev_list list = {
		.size = sizeof(list),
		.num_intfs = 8,
		.intfs = (uintptr_t)info,
	};
	uint32_t i;

	if (ioctl(g->bus, VBUS_DEV_LIST, &list))
		return -errno;
	for (i = 0; i < list.num_intfs; i++) {
		if (info[i].dev_id == dev) {
			*out = info[i];
			return 0;
		}
	}
	return -ENOENT;
}

/* Sets IFF_UP on network interface @ifname (a venet device's, say) */
static inline int vbg_if_up(const char *ifname)
{
	struct ifreq ifr = {};
	size_t len = strlen(ifname);
	int s, ret = 0;

	if (len >= IFNAMSIZ)
		return -ENAMETOOLONG;
	memcpy(ifr.ifr_name, ifname, len);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (ioctl(s, SIOCGIFFLAGS, &ifr))
		ret = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!ret && ioctl(s, SIOCSIFFLAGS, &ifr))
		ret = -errno;
	close(s);
	return ret;
}

/* The call's result, or -errno */
static inline long vbg_call(struct vbg *g, uint32_t conn, uint32_t func,
			    uint64_t gpa, uint32_t len)
{
	struct vbus_conn_call args = {
		.size = sizeof(args),
		.id = conn,
		.func = func,
		.data = gpa,
		.len = len,
	};
	int ret = ioctl(g->bus, VBUS_CONN_CALL, &args);

	return ret < 0 ? -errno : ret;
}

/* Lays an empty ring of @count descriptors out at @gpa, with eventfds */
static inline int vbg_ring_init(struct vbg *g, struct vbg_ring *r,
				uint64_t gpa, uint32_t count)
{
	struct ioq_ring_head *h = vbg_host(g, gpa);

	memset(r, 0, sizeof(*r));
	memset(h, 0, sizeof(*h) + count * sizeof(h->ring[0]));
	h->magic = IOQ_RING_MAGIC;
	h->ver = IOQ_RING_VER;
	h->signal.magic = SHM_SIGNAL_MAGIC;
	h->signal.ver = SHM_SIGNAL_VER;
	h->signal.irq[SHM_SIGNAL_NORTH].enabled = 1;
	h->count = count;
	r->head = h;
	r->gpa = gpa;
	r->count = count;
	r->kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	r->call = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return r->kick < 0 || r->call < 0 ? -errno : 0;
}

static inline void vbg_ring_fini(struct vbg_ring *r)
{
	if (r->kick > 0)
		close(r->kick);
	if (r->call > 0)
		close(r->call);
	r->kick = r->call = -1;
}

static inline size_t vbg_ring_size(uint32_t count)
{
	return sizeof(struct ioq_ring_head) +
	       count * sizeof(struct ioq_ring_desc);
}

/* VBUS_CONN_SHM for a whole ring, with its signal */
static inline int vbg_ring_attach(struct vbg *g, uint32_t conn,
				  uint32_t shm_id, struct vbg_ring *r)
{
	struct vbus_conn_shm args = {
		.size = sizeof(args),
		.flags = VBUS_SHM_SIGNAL,
		.id = conn,
		.shm_id = shm_id,
		.gpa = r->gpa,
		.len = vbg_ring_size(r->count),
		.signal_offset = offsetof(struct ioq_ring_head, signal),
		.kick_fd = r->kick,
		.call_fd = r->call,
	};

	return ioctl(g->bus, VBUS_CONN_SHM, &args) ? -errno : 0;
}

/* Descriptors the device has not handed back yet */
static inline uint32_t vbg_ring_outstanding(struct vbg_ring *r)
{
	return r->next - r->reap;
}

/* Hands a buffer to the device; false if the ring is full */
static inline bool vbg_ring_post(struct vbg_ring *r, uint64_t ptr,
				 uint32_t len, uint64_t cookie)
{
	struct ioq_ring_desc *d = &r->head->ring[r->next & (r->count - 1)];

	if (vbg_ring_outstanding(r) == r->count)
		return false;
	d->cookie = cookie;
	d->ptr = ptr;
	d->len = len;
	d->used = 0;
	__atomic_store_n(&d->sown, 1, __ATOMIC_RELEASE);
	r->next++;
	__atomic_store_n(&r->head->head, r->next, __ATOMIC_RELEASE);
	return true;
}

/*
 * The guest's inject: marks the device dirty and kicks it unless it does
 * not want signals or has one pending. Returns whether it kicked.
 */
static inline bool vbg_ring_kick(struct vbg_ring *r)
{
	struct shm_signal_irq *irq = &r->head->signal.irq[SHM_SIGNAL_SOUTH];
	uint64_t one = 1;

	__atomic_store_n(&irq->dirty, 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&irq->enabled, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&irq->pending, __ATOMIC_RELAXED))
		return false;
	__atomic_store_n(&irq->pending, 1, __ATOMIC_RELAXED);
	return write(r->kick, &one, sizeof(one)) == sizeof(one);
}

/* Takes back the oldest descriptor if the device handed it back */
static inline bool vbg_ring_reap(struct vbg_ring *r, struct ioq_ring_desc *out)
{
	struct ioq_ring_desc *d = &r->head->ring[r->reap & (r->count - 1)];

	if (r->reap == r->next || __atomic_load_n(&d->sown, __ATOMIC_ACQUIRE))
		return false;
	*out = *d;
	r->reap++;
	return true;
}

/*
 * Waits up to @ms for the device to hand back a descriptor, as an
 * interrupt handler would: take the signal (pending, dirty), look, and
 * sleep on the call eventfd only if nothing is there. Returns whether
 * one is there; *@interrupts counts the signals taken.
 */
static inline bool vbg_ring_wait(struct vbg_ring *r, int ms,
				 unsigned long *interrupts)
{
	struct shm_signal_irq *irq = &r->head->signal.irq[SHM_SIGNAL_NORTH];
	struct ioq_ring_desc *d;
	struct pollfd pfd = { .fd = r->call, .events = POLLIN };
	uint64_t n;

	for (;;) {
		__atomic_store_n(&irq->pending, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&irq->dirty, 0, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		d = &r->head->ring[r->reap & (r->count - 1)];
		if (r->reap != r->next &&
		    !__atomic_load_n(&d->sown, __ATOMIC_ACQUIRE))
			return true;
		if (poll(&pfd, 1, ms) <= 0)
			return false;
		if (read(r->call, &n, sizeof(n)) == sizeof(n) && interrupts)
			*interrupts += n;
	}
}

#endif /* VBUS_GUEST_H */
