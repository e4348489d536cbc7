/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A userspace virtio-net driver for vhost devices, as a guest would be one:
 * split rings and buffers in "guest memory" (a memslot of a vas at a
 * guest-physical address that is not its host address), a kick eventfd per
 * queue, a call eventfd per queue, and a tap as the device's backend,
 * whose other end the driver reads and writes with AF_PACKET.
 *
 * It drives /dev/vhost-xi-net (VHOST_XI_SET_VAS, guest-physical ring
 * addresses) and, for comparison, stock /dev/vhost-net (VHOST_SET_MEM_TABLE,
 * ring addresses in this process): descriptors hold guest-physical
 * addresses either way. Queue 0 receives, queue 1 transmits.
 */
#ifndef VRING_DRIVER_H
#define VRING_DRIVER_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/vas.h>
#include <linux/vhost.h>
#include <linux/vhost_xi.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#define VDRV_MODULE_DIR		"/modules"
#define VDRV_NUM		256		/* descriptors per queue */
#define VDRV_SLOT		2048		/* bytes per buffer slot */
#define VDRV_MEM_GPA		0x40000000ULL	/* guest-physical base */
#define VDRV_MEM_SIZE		(4UL << 20)
#define VDRV_HDR		sizeof(struct virtio_net_hdr_mrg_rxbuf)
#define VDRV_ETHERTYPE		0x88b5		/* local experimental */
#define VDRV_RX			0
#define VDRV_TX			1

enum vdrv_backend {
	VDRV_VHOST_XI,		/* /dev/vhost-xi-net on the vas */
	VDRV_VHOST_NET,		/* /dev/vhost-net with a memory table */
};

struct vdrv_queue {
	struct vring_desc *desc;	/* host views of guest memory */
	struct vring_avail *avail;
	struct vring_used *used;
	uint64_t desc_gpa, avail_gpa, used_gpa, buf_gpa;
	uint8_t *buf;			/* VDRV_NUM slots of VDRV_SLOT bytes */
	uint16_t avail_idx;		/* next avail index to publish */
	uint16_t used_idx;		/* next used index to reap */
	int kick, call, err;
};

struct vdrv {
	int vas;
	uint8_t *mem;			/* guest memory, VDRV_MEM_GPA onwards */
	int dev;
	int tap;
	int packet;			/* AF_PACKET socket on the tap */
	int ifindex;
	char ifname[IFNAMSIZ];
	uint64_t features;
	struct vdrv_queue q[2];
};

static inline void *vdrv_host(struct vdrv *d, uint64_t gpa)
{
	return d->mem + (gpa - VDRV_MEM_GPA);
}

/* Loads a module from VDRV_MODULE_DIR as insmod does; loaded already is fine */
static inline int vdrv_load_module(const char *name)
{
	char path[128];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s.ko", VDRV_MODULE_DIR, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(__NR_finit_module, fd, "", 0) && errno != EEXIST ?
	      -errno : 0;
	close(fd);
	return ret;
}

static inline int vdrv_load_vhost_xi(void)
{
	int ret = vdrv_load_module("vringh");

	return ret ?: vdrv_load_module("vhost_xi_net");
}

/* A tap named vxi%d, up, with a vnet header of VDRV_HDR bytes if @vnet_hdr */
static inline int vdrv_open_tap(struct vdrv *d, bool vnet_hdr)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	int hdr = VDRV_HDR, rcvbuf = 8 << 20, s, ret = 0;

	if (vnet_hdr)
		ifr.ifr_flags |= IFF_VNET_HDR;
	strcpy(ifr.ifr_name, "vxi%d");
	d->tap = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (d->tap < 0)
		return -errno;
	if (ioctl(d->tap, TUNSETIFF, &ifr) ||
	    (vnet_hdr && ioctl(d->tap, TUNSETVNETHDRSZ, &hdr)))
		return -errno;
	memcpy(d->ifname, ifr.ifr_name, IFNAMSIZ);

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (ioctl(s, SIOCGIFFLAGS, &ifr))
		ret = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!ret && ioctl(s, SIOCSIFFLAGS, &ifr))
		ret = -errno;
	close(s);
	if (ret)
		return ret;
	d->ifindex = if_nametoindex(d->ifname);

	d->packet = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC,
			   htons(VDRV_ETHERTYPE));
	if (d->packet < 0)
		return -errno;
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(VDRV_ETHERTYPE),
		.sll_ifindex = d->ifindex,
	};
	if (bind(d->packet, (struct sockaddr *)&sll, sizeof(sll)))
		return -errno;
	/* room for a whole ring of the largest frames, unread */
	if (setsockopt(d->packet, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)))
		return -errno;
	return 0;
}

static inline int vdrv_set_vas(int dev, int vas)
{
	struct vhost_xi_set_vas args = { .size = sizeof(args), .vas_fd = vas };

	return ioctl(dev, VHOST_XI_SET_VAS, &args) ? -errno : 0;
}

/* The memory table of stock vhost-net: one region, guest memory */
static inline int vdrv_set_mem_table(struct vdrv *d)
{
	struct {
		struct vhost_memory mem;
		struct vhost_memory_region region;
	} table = {
		.mem.nregions = 1,
		.region = {
			.guest_phys_addr = VDRV_MEM_GPA,
			.memory_size = VDRV_MEM_SIZE,
			.userspace_addr = (uintptr_t)d->mem,
		},
	};

	return ioctl(d->dev, VHOST_SET_MEM_TABLE, &table) ? -errno : 0;
}

/* Lays queue @i out in guest memory: rings first, then its buffer slots */
static inline void vdrv_layout(struct vdrv *d, int i)
{
	struct vdrv_queue *q = &d->q[i];
	uint64_t base = VDRV_MEM_GPA + i * (VDRV_MEM_SIZE / 2);

	q->desc_gpa = base;
	q->avail_gpa = base + 0x1000;
	q->used_gpa = base + 0x2000;
	q->buf_gpa = base + 0x10000;
	q->desc = vdrv_host(d, q->desc_gpa);
	q->avail = vdrv_host(d, q->avail_gpa);
	q->used = vdrv_host(d, q->used_gpa);
	q->buf = vdrv_host(d, q->buf_gpa);
}

static inline int vdrv_set_vring_addr(struct vdrv *d, int i,
				      enum vdrv_backend backend)
{
	struct vdrv_queue *q = &d->q[i];
	struct vhost_vring_addr addr = {
		.index = i,
		.desc_user_addr = q->desc_gpa,
		.avail_user_addr = q->avail_gpa,
		.used_user_addr = q->used_gpa,
	};

	if (backend == VDRV_VHOST_NET) {
		addr.desc_user_addr = (uintptr_t)q->desc;
		addr.avail_user_addr = (uintptr_t)q->avail;
		addr.used_user_addr = (uintptr_t)q->used;
	}
	return ioctl(d->dev, VHOST_SET_VRING_ADDR, &addr) ? -errno : 0;
}

static inline int vdrv_set_backend(struct vdrv *d, int i, int fd)
{
	struct vhost_vring_file f = { .index = i, .fd = fd };

	return ioctl(d->dev, VHOST_NET_SET_BACKEND, &f) ? -errno : 0;
}

/*
 * Everything up to a running device: guest memory in a vas, the device
 * bound to it (or given the memory table), both queues, the tap. The
 * virtio-net header is the device's to add and strip if @device_hdr,
 * else the tap's.
 */
static inline int vdrv_open(struct vdrv *d, enum vdrv_backend backend,
			    uint64_t features, bool device_hdr)
{
	struct vas_set_memslot slot = {
		.size = sizeof(slot),
		.guest_phys_addr = VDRV_MEM_GPA,
		.memory_size = VDRV_MEM_SIZE,
	};
	int i, ret;

	memset(d, 0, sizeof(*d));
	d->vas = d->dev = d->tap = d->packet = -1;
	d->vas = syscall(__NR_vas_create, 0);
	if (d->vas < 0)
		return -errno;
	d->mem = mmap(NULL, VDRV_MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (d->mem == MAP_FAILED)
		return -errno;
	slot.userspace_addr = (uintptr_t)d->mem;
	if (ioctl(d->vas, VAS_SET_MEMSLOT, &slot))
		return -errno;

	ret = vdrv_open_tap(d, !device_hdr);
	if (ret)
		return ret;

	d->dev = open(backend == VDRV_VHOST_XI ? "/dev/vhost-xi-net" :
		      "/dev/vhost-net", O_RDWR | O_CLOEXEC);
	if (d->dev < 0)
		return -errno;
	if (ioctl(d->dev, VHOST_SET_OWNER))
		return -errno;
	ret = backend == VDRV_VHOST_XI ? vdrv_set_vas(d->dev, d->vas) :
	      vdrv_set_mem_table(d);
	if (ret)
		return ret;
	d->features = features | (1ULL << VIRTIO_F_VERSION_1);
	if (device_hdr)
		d->features |= 1ULL << VHOST_NET_F_VIRTIO_NET_HDR;
	if (ioctl(d->dev, VHOST_SET_FEATURES, &d->features))
		return -errno;

	for (i = 0; i < 2; i++) {
		struct vdrv_queue *q = &d->q[i];
		struct vhost_vring_state num = { .index = i, .num = VDRV_NUM };
		struct vhost_vring_state base = { .index = i, .num = 0 };
		struct vhost_vring_file f = { .index = i };

		vdrv_layout(d, i);
		q->kick = eventfd(0, EFD_CLOEXEC);
		q->call = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		q->err = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (q->kick < 0 || q->call < 0 || q->err < 0)
			return -errno;
		if (ioctl(d->dev, VHOST_SET_VRING_NUM, &num) ||
		    ioctl(d->dev, VHOST_SET_VRING_BASE, &base))
			return -errno;
		ret = vdrv_set_vring_addr(d, i, backend);
		if (ret)
			return ret;
		f.fd = q->kick;
		if (ioctl(d->dev, VHOST_SET_VRING_KICK, &f))
			return -errno;
		f.fd = q->call;
		if (ioctl(d->dev, VHOST_SET_VRING_CALL, &f))
			return -errno;
		f.fd = q->err;
		if (ioctl(d->dev, VHOST_SET_VRING_ERR, &f))
			return -errno;
		ret = vdrv_set_backend(d, i, d->tap);
		if (ret)
			return ret;
	}
	return 0;
}

static inline void vdrv_close(struct vdrv *d)
{
	int i;

	if (d->dev >= 0)
		close(d->dev);
	for (i = 0; i < 2; i++) {
		if (d->q[i].kick > 0)
			close(d->q[i].kick);
		if (d->q[i].call > 0)
			close(d->q[i].call);
		if (d->q[i].err > 0)
			close(d->q[i].err);
	}
	if (d->packet >= 0)
		close(d->packet);
	if (d->tap >= 0)
		close(d->tap);
	if (d->mem && d->mem != MAP_FAILED)
		munmap(d->mem, VDRV_MEM_SIZE);
	if (d->vas >= 0)
		close(d->vas);
	memset(d, 0, sizeof(*d));
}

static inline uint64_t vdrv_slot_gpa(struct vdrv_queue *q, unsigned int slot)
{
	return q->buf_gpa + (uint64_t)slot * VDRV_SLOT;
}

static inline uint8_t *vdrv_slot(struct vdrv_queue *q, unsigned int slot)
{
	return q->buf + (size_t)slot * VDRV_SLOT;
}

/* Writes descriptor @i; the caller publishes heads with vdrv_publish() */
static inline void vdrv_set_desc(struct vdrv_queue *q, unsigned int i,
				 uint64_t gpa, uint32_t len, uint16_t flags,
				 uint16_t next)
{
	q->desc[i].addr = gpa;
	q->desc[i].len = len;
	q->desc[i].flags = flags;
	q->desc[i].next = next;
}

/* Makes head @head available; the index goes out with vdrv_kick() */
static inline void vdrv_add(struct vdrv_queue *q, uint16_t head)
{
	q->avail->ring[q->avail_idx++ % VDRV_NUM] = head;
}

/* Publishes the avail index and kicks the device */
static inline void vdrv_kick(struct vdrv_queue *q)
{
	uint64_t one = 1;

	/* ask for a call once everything published so far is used */
	((volatile uint16_t *)q->avail->ring)[VDRV_NUM] = q->avail_idx - 1;
	__atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
	if (write(q->kick, &one, sizeof(one)) != sizeof(one))
		perror("kick");
}

/* The used index the device published */
static inline uint16_t vdrv_used_idx(struct vdrv_queue *q)
{
	return __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
}

static inline uint64_t vdrv_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Waits up to @ms for the device to use up to index @idx, adding the
 * signals of the call eventfd to *@calls if @calls is not NULL. Returns 0,
 * or -ETIMEDOUT, or -EIO if the queue signalled its error eventfd.
 */
static inline int vdrv_wait_used_counting(struct vdrv_queue *q, uint16_t idx,
					  int ms, unsigned long *calls)
{
	uint64_t end = vdrv_now_ns() + ms * 1000000ULL, v;
	struct pollfd p[2] = {
		{ .fd = q->call, .events = POLLIN },
		{ .fd = q->err, .events = POLLIN },
	};

	while ((int16_t)(vdrv_used_idx(q) - idx) < 0) {
		if (read(q->err, &v, sizeof(v)) == sizeof(v))
			return -EIO;
		if (vdrv_now_ns() > end)
			return -ETIMEDOUT;
		poll(p, 2, 10);
		if (read(q->call, &v, sizeof(v)) < 0) {
			if (errno != EAGAIN)
				return -errno;
		} else if (calls) {
			*calls += v;
		}
	}
	return 0;
}

static inline int vdrv_wait_used(struct vdrv_queue *q, uint16_t idx, int ms)
{
	return vdrv_wait_used_counting(q, idx, ms, NULL);
}

/* Waits up to @ms for a signal on the error eventfd of @q: 0 or -ETIMEDOUT */
static inline int vdrv_wait_error(struct vdrv_queue *q, int ms)
{
	struct pollfd p = { .fd = q->err, .events = POLLIN };
	uint64_t v;

	if (poll(&p, 1, ms) != 1)
		return -ETIMEDOUT;
	return read(q->err, &v, sizeof(v)) == sizeof(v) ? 0 : -errno;
}

/* An Ethernet frame of @len bytes numbered @seq, to the broadcast address */
static inline void vdrv_frame(uint8_t *p, size_t len, uint32_t seq)
{
	size_t i;

	memset(p, 0xff, 6);
	memcpy(p + 6, "\x02\x00\x00\x00\x00\x01", 6);
	p[12] = VDRV_ETHERTYPE >> 8;
	p[13] = VDRV_ETHERTYPE & 0xff;
	memcpy(p + 14, &seq, sizeof(seq));
	for (i = 18; i < len; i++)
		p[i] = (uint8_t)(seq * 7 + i);
}

/* Sends @len bytes at @p out of the tap, towards the device's RX queue */
static inline int vdrv_inject(struct vdrv *d, const void *p, size_t len)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = d->ifindex,
		.sll_halen = 6,
	};

	memset(sll.sll_addr, 0xff, 6);
	return sendto(d->packet, p, len, 0, (struct sockaddr *)&sll,
		      sizeof(sll)) == (ssize_t)len ? 0 : -errno;
}

/* Receives one frame the device sent into the tap; -EAGAIN after @ms */
static inline ssize_t vdrv_capture(struct vdrv *d, void *p, size_t len, int ms)
{
	struct pollfd pfd = { .fd = d->packet, .events = POLLIN };
	ssize_t n;

	if (poll(&pfd, 1, ms) != 1)
		return -EAGAIN;
	n = recv(d->packet, p, len, MSG_DONTWAIT);
	return n < 0 ? -errno : n;
}

/* Posts TX frame @seq of @len bytes (virtio-net header first) in slot @slot */
static inline void vdrv_post_tx(struct vdrv_queue *q, unsigned int slot,
				size_t len, uint32_t seq)
{
	memset(vdrv_slot(q, slot), 0, VDRV_HDR);
	vdrv_frame(vdrv_slot(q, slot) + VDRV_HDR, len, seq);
	vdrv_set_desc(q, slot, vdrv_slot_gpa(q, slot), VDRV_HDR + len, 0, 0);
	vdrv_add(q, slot);
}

/* Posts an RX buffer of @len bytes in slot @slot */
static inline void vdrv_post_rx(struct vdrv_queue *q, unsigned int slot,
				uint32_t len)
{
	vdrv_set_desc(q, slot, vdrv_slot_gpa(q, slot), len,
		      VRING_DESC_F_WRITE, 0);
	vdrv_add(q, slot);
}

#endif /* VRING_DRIVER_H */
