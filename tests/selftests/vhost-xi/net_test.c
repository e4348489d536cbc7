// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/vhost-xi-net driven by a userspace virtio-net driver whose rings
 * and buffers live in a vas at guest-physical addresses that are not its
 * host addresses (vring_driver.h): frames it transmits appear on the tap,
 * frames sent into the tap arrive in its receive buffers intact, merged
 * across buffers with VIRTIO_NET_F_MRG_RXBUF, every write lands in the
 * vas's dirty log, and every bad input fails as documented.
 */
#include <stdlib.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vring_driver.h"

#define FEATURES_ALL	((1ULL << VIRTIO_RING_F_EVENT_IDX) | \
			 (1ULL << VIRTIO_NET_F_MRG_RXBUF) | \
			 (1ULL << VIRTIO_RING_F_INDIRECT_DESC))

/* Frame sizes the data path tests cycle through */
static const size_t frame_len[] = { 60, 64, 128, 1000, 1500, 1514 };
#define NLENS (sizeof(frame_len) / sizeof(frame_len[0]))

static void check_frame(struct __test_metadata *_metadata, const uint8_t *p,
			size_t len, uint32_t seq)
{
	uint8_t want[VDRV_SLOT];

	vdrv_frame(want, len, seq);
	ASSERT_EQ(0, memcmp(p, want, len)) {
		TH_LOG("frame %u of %zu bytes differs", seq, len);
	}
}

FIXTURE(net) {
	struct vdrv d;
};

FIXTURE_VARIANT(net) {
	uint64_t features;
	bool device_hdr;	/* the device adds the header, not the tap */
};

FIXTURE_VARIANT_ADD(net, tap_hdr_mrg_event_idx) {
	.features = FEATURES_ALL,
	.device_hdr = false,
};

FIXTURE_VARIANT_ADD(net, device_hdr_plain) {
	.features = 0,
	.device_hdr = true,
};

FIXTURE_SETUP(net)
{
	int ret = vdrv_load_vhost_xi();

	ASSERT_EQ(0, ret) TH_LOG("loading vhost_xi_net: %s", strerror(-ret));
	ret = vdrv_open(&self->d, VDRV_VHOST_XI, variant->features,
			variant->device_hdr);
	ASSERT_EQ(0, ret) TH_LOG("setting up: %s", strerror(-ret));
}

FIXTURE_TEARDOWN(net)
{
	vdrv_close(&self->d);
}

/* 3 rounds of 200 frames: indices wrap the 256-entry ring */
TEST_F(net, tx_frames_appear_on_tap)
{
	struct vdrv_queue *q = &self->d.q[VDRV_TX];
	uint8_t frame[VDRV_SLOT];
	uint32_t seq = 0, got = 0;
	int round, i;

	for (round = 0; round < 3; round++) {
		for (i = 0; i < 200; i++, seq++)
			vdrv_post_tx(q, seq % VDRV_NUM, frame_len[seq % NLENS],
				     seq);
		vdrv_kick(q);
		ASSERT_EQ(0, vdrv_wait_used(q, q->avail_idx, 10000));
		for (; got < seq; got++) {
			ssize_t n = vdrv_capture(&self->d, frame, sizeof(frame),
						 5000);

			ASSERT_EQ(frame_len[got % NLENS], n);
			check_frame(_metadata, frame, n, got);
		}
	}
	ASSERT_EQ(-EAGAIN, vdrv_capture(&self->d, frame, sizeof(frame), 100));
}

/* Frames sent into the tap fill posted buffers, one buffer each */
TEST_F(net, rx_frames_arrive_intact)
{
	struct vdrv_queue *q = &self->d.q[VDRV_RX];
	uint8_t frame[VDRV_SLOT];
	uint32_t seq;

	for (seq = 0; seq < VDRV_NUM; seq++)
		vdrv_post_rx(q, seq, VDRV_SLOT);
	vdrv_kick(q);
	for (seq = 0; seq < 300; seq++) {
		size_t len = frame_len[seq % NLENS];
		struct vring_used_elem *e;
		struct virtio_net_hdr_mrg_rxbuf *hdr;

		vdrv_frame(frame, len, seq);
		ASSERT_EQ(0, vdrv_inject(&self->d, frame, len));
		ASSERT_EQ(0, vdrv_wait_used(q, q->used_idx + 1, 5000));
		e = &q->used->ring[q->used_idx++ % VDRV_NUM];
		ASSERT_EQ(VDRV_HDR + len, e->len);
		hdr = (void *)vdrv_slot(q, e->id);
		ASSERT_EQ(1, hdr->num_buffers);
		check_frame(_metadata, (uint8_t *)(hdr + 1), len, seq);
		/* give the buffer back */
		vdrv_post_rx(q, e->id, VDRV_SLOT);
		vdrv_kick(q);
	}
}

/* A frame larger than one buffer spreads over several, num_buffers says how many */
TEST_F(net, rx_mergeable_spans_buffers)
{
	struct vdrv_queue *q = &self->d.q[VDRV_RX];
	uint8_t frame[VDRV_SLOT], got[VDRV_SLOT];
	struct virtio_net_hdr_mrg_rxbuf *hdr;
	size_t len = 1514, off = 0;
	unsigned int i, n;

	if (!(variant->features & (1ULL << VIRTIO_NET_F_MRG_RXBUF)))
		SKIP(return, "needs VIRTIO_NET_F_MRG_RXBUF");
	for (i = 0; i < 16; i++)
		vdrv_post_rx(q, i, 256);
	vdrv_kick(q);
	vdrv_frame(frame, len, 42);
	ASSERT_EQ(0, vdrv_inject(&self->d, frame, len));
	n = (VDRV_HDR + len + 255) / 256;
	ASSERT_EQ(0, vdrv_wait_used(q, n, 5000));
	hdr = (void *)vdrv_slot(q, q->used->ring[0].id);
	ASSERT_EQ(n, hdr->num_buffers);
	for (i = 0; i < n; i++) {
		struct vring_used_elem *e = &q->used->ring[i];
		size_t skip = i ? 0 : VDRV_HDR;

		ASSERT_EQ(i, e->id);
		ASSERT_EQ(i < n - 1 ? 256 : (VDRV_HDR + len) - 256 * i, e->len);
		memcpy(got + off, vdrv_slot(q, e->id) + skip, e->len - skip);
		off += e->len - skip;
	}
	ASSERT_EQ(len, off);
	check_frame(_metadata, got, len, 42);
}

/* Without buffers a frame waits; it arrives once the driver posts one */
TEST_F(net, rx_frame_waits_for_a_buffer)
{
	struct vdrv_queue *q = &self->d.q[VDRV_RX];
	uint8_t frame[VDRV_SLOT];

	vdrv_frame(frame, 100, 7);
	ASSERT_EQ(0, vdrv_inject(&self->d, frame, 100));
	usleep(200000);
	ASSERT_EQ(0, vdrv_used_idx(q));
	vdrv_post_rx(q, 0, VDRV_SLOT);
	vdrv_kick(q);
	ASSERT_EQ(0, vdrv_wait_used(q, 1, 5000));
	check_frame(_metadata, vdrv_slot(q, 0) + VDRV_HDR, 100, 7);
}

/* A chained descriptor and an indirect table both carry one frame */
TEST_F(net, tx_chained_and_indirect)
{
	struct vdrv_queue *q = &self->d.q[VDRV_TX];
	struct vring_desc *table = (void *)vdrv_slot(q, 100);
	uint8_t frame[VDRV_SLOT];
	uint8_t *p = vdrv_slot(q, 10);
	size_t len = 1000;
	ssize_t n;

	if (!(variant->features & (1ULL << VIRTIO_RING_F_INDIRECT_DESC)))
		SKIP(return, "needs VIRTIO_RING_F_INDIRECT_DESC");
	/* header in one descriptor, the frame split over two more */
	memset(p, 0, VDRV_HDR);
	vdrv_frame(p + VDRV_HDR, len, 1);
	vdrv_set_desc(q, 0, vdrv_slot_gpa(q, 10), VDRV_HDR, VRING_DESC_F_NEXT, 1);
	vdrv_set_desc(q, 1, vdrv_slot_gpa(q, 10) + VDRV_HDR, 300,
		      VRING_DESC_F_NEXT, 2);
	vdrv_set_desc(q, 2, vdrv_slot_gpa(q, 10) + VDRV_HDR + 300, len - 300,
		      0, 0);
	vdrv_add(q, 0);
	/* the same frame through an indirect table of three */
	table[0] = (struct vring_desc){ vdrv_slot_gpa(q, 10), VDRV_HDR,
					VRING_DESC_F_NEXT, 1 };
	table[1] = (struct vring_desc){ vdrv_slot_gpa(q, 10) + VDRV_HDR, 500,
					VRING_DESC_F_NEXT, 2 };
	table[2] = (struct vring_desc){ vdrv_slot_gpa(q, 10) + VDRV_HDR + 500,
					len - 500, 0, 0 };
	vdrv_set_desc(q, 3, vdrv_slot_gpa(q, 100), 3 * sizeof(*table),
		      VRING_DESC_F_INDIRECT, 0);
	vdrv_add(q, 3);
	vdrv_kick(q);
	ASSERT_EQ(0, vdrv_wait_used(q, 2, 5000));
	for (int i = 0; i < 2; i++) {
		n = vdrv_capture(&self->d, frame, sizeof(frame), 5000);
		ASSERT_EQ(len, n);
		check_frame(_metadata, frame, len, 1);
	}
}

/* Every page the device wrote is in the vas's dirty log, with no vhost log */
TEST_F(net, writes_land_in_the_dirty_log)
{
	struct vdrv_queue *q = &self->d.q[VDRV_RX];
	uint64_t bitmap[VDRV_MEM_SIZE / 4096 / 64] = {};
	uint8_t frame[VDRV_SLOT];
	uint64_t page;
	int i;

	ASSERT_EQ(0, ioctl(self->d.vas, VAS_SET_MEMSLOT,
			   &(struct vas_set_memslot){
				.size = sizeof(struct vas_set_memslot),
				.flags = VAS_MEM_LOG_DIRTY_PAGES,
				.guest_phys_addr = VDRV_MEM_GPA,
				.memory_size = VDRV_MEM_SIZE,
				.userspace_addr = (uintptr_t)self->d.mem }));
	/* clear what the setup wrote */
	ASSERT_EQ(0, ioctl(self->d.vas, VAS_GET_DIRTY_LOG,
			   &(struct vas_dirty_log){
				.size = sizeof(struct vas_dirty_log),
				.bitmap = (uintptr_t)bitmap }));
	/* slots 0, 2, 4...: every other buffer page */
	for (i = 0; i < 8; i++)
		vdrv_post_rx(q, 4 * i, VDRV_SLOT);
	vdrv_kick(q);
	for (i = 0; i < 8; i++) {
		vdrv_frame(frame, 1000, i);
		ASSERT_EQ(0, vdrv_inject(&self->d, frame, 1000));
	}
	ASSERT_EQ(0, vdrv_wait_used(q, 8, 5000));
	memset(bitmap, 0, sizeof(bitmap));
	ASSERT_EQ(0, ioctl(self->d.vas, VAS_GET_DIRTY_LOG,
			   &(struct vas_dirty_log){
				.size = sizeof(struct vas_dirty_log),
				.bitmap = (uintptr_t)bitmap }));
#define DIRTY(gpa) (page = ((gpa) - VDRV_MEM_GPA) / 4096, \
		    (bitmap[page / 64] >> (page % 64)) & 1)
	for (i = 0; i < 8; i++) {
		ASSERT_TRUE(DIRTY(vdrv_slot_gpa(q, 4 * i)));
		ASSERT_FALSE(DIRTY(vdrv_slot_gpa(q, 4 * i + 2)));
	}
	ASSERT_TRUE(DIRTY(q->used_gpa));
	ASSERT_FALSE(DIRTY(q->desc_gpa));
#undef DIRTY
}

/* A descriptor pointing into a hole stops the queue with an error */
TEST_F(net, tx_descriptor_in_a_hole_fails_the_queue)
{
	struct vdrv_queue *q = &self->d.q[VDRV_TX];

	vdrv_set_desc(q, 0, VDRV_MEM_GPA + VDRV_MEM_SIZE, 100, 0, 0);
	vdrv_add(q, 0);
	vdrv_kick(q);
	ASSERT_EQ(0, vdrv_wait_error(q, 5000));
	ASSERT_EQ(0, vdrv_used_idx(q));
}

/* A descriptor chain that loops is caught */
TEST_F(net, tx_descriptor_loop_fails_the_queue)
{
	struct vdrv_queue *q = &self->d.q[VDRV_TX];

	vdrv_set_desc(q, 0, vdrv_slot_gpa(q, 0), 100, VRING_DESC_F_NEXT, 1);
	vdrv_set_desc(q, 1, vdrv_slot_gpa(q, 1), 100, VRING_DESC_F_NEXT, 0);
	vdrv_add(q, 0);
	vdrv_kick(q);
	ASSERT_EQ(0, vdrv_wait_error(q, 5000));
	ASSERT_EQ(0, vdrv_used_idx(q));
}

/* A descriptor whose address + length wraps is refused */
TEST_F(net, tx_descriptor_length_overflow_fails_the_queue)
{
	struct vdrv_queue *q = &self->d.q[VDRV_TX];

	vdrv_set_desc(q, 0, ~0ULL - 10, 100, 0, 0);
	vdrv_add(q, 0);
	vdrv_kick(q);
	ASSERT_EQ(0, vdrv_wait_error(q, 5000));
	ASSERT_EQ(0, vdrv_used_idx(q));
}

/* An RX buffer in a read-only memslot is not written: the queue fails */
TEST_F(net, rx_buffer_in_read_only_memslot_fails_the_queue)
{
	struct vdrv_queue *q = &self->d.q[VDRV_RX];
	uint8_t frame[VDRV_SLOT];
	void *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, ioctl(self->d.vas, VAS_SET_MEMSLOT,
			   &(struct vas_set_memslot){
				.size = sizeof(struct vas_set_memslot),
				.slot = 1, .flags = VAS_MEM_READONLY,
				.guest_phys_addr = 0x80000000,
				.memory_size = 4096,
				.userspace_addr = (uintptr_t)ro }));
	vdrv_set_desc(q, 0, 0x80000000, 2048, VRING_DESC_F_WRITE, 0);
	vdrv_add(q, 0);
	vdrv_kick(q);
	vdrv_frame(frame, 100, 1);
	ASSERT_EQ(0, vdrv_inject(&self->d, frame, 100));
	ASSERT_EQ(0, vdrv_wait_error(q, 5000));
	ASSERT_EQ(0, vdrv_used_idx(q));
	munmap(ro, 4096);
}

/*
 * The memslot under a running ring goes away: the queue stops with an
 * error, never touching the old memory; once the VMM puts guest memory
 * back and sets the ring again it resumes where it was.
 */
TEST_F(net, memslot_deleted_under_ring_then_restored)
{
	struct vdrv_queue *q = &self->d.q[VDRV_TX];
	struct vas_set_memslot slot = {
		.size = sizeof(slot),
		.guest_phys_addr = VDRV_MEM_GPA,
		.memory_size = VDRV_MEM_SIZE,
		.userspace_addr = (uintptr_t)self->d.mem,
	};
	struct vas_set_memslot gone = slot;
	uint8_t frame[VDRV_SLOT];

	vdrv_post_tx(q, 0, 100, 0);
	vdrv_kick(q);
	ASSERT_EQ(0, vdrv_wait_used(q, 1, 5000));
	ASSERT_EQ(100, vdrv_capture(&self->d, frame, sizeof(frame), 5000));

	gone.memory_size = 0;
	ASSERT_EQ(0, ioctl(self->d.vas, VAS_SET_MEMSLOT, &gone));
	vdrv_post_tx(q, 1, 100, 1);
	vdrv_kick(q);
	ASSERT_EQ(0, vdrv_wait_error(q, 5000));
	ASSERT_EQ(1, vdrv_used_idx(q));
	ASSERT_EQ(-EAGAIN, vdrv_capture(&self->d, frame, sizeof(frame), 100));

	ASSERT_EQ(0, ioctl(self->d.vas, VAS_SET_MEMSLOT, &slot));
	ASSERT_EQ(0, vdrv_set_vring_addr(&self->d, VDRV_TX, VDRV_VHOST_XI));
	ASSERT_EQ(0, vdrv_wait_used(q, 2, 5000));
	ASSERT_EQ(100, vdrv_capture(&self->d, frame, sizeof(frame), 5000));
	check_frame(_metadata, frame, 100, 1);
}

/* Detaching the tap stops the queue; attaching it again resumes it */
TEST_F(net, backend_detach_and_reattach)
{
	struct vdrv_queue *q = &self->d.q[VDRV_TX];
	struct vhost_vring_state base = { .index = VDRV_TX };
	uint8_t frame[VDRV_SLOT];

	vdrv_post_tx(q, 0, 100, 0);
	vdrv_kick(q);
	ASSERT_EQ(0, vdrv_wait_used(q, 1, 5000));
	ASSERT_EQ(0, vdrv_set_backend(&self->d, VDRV_TX, -1));
	ASSERT_EQ(0, ioctl(self->d.dev, VHOST_GET_VRING_BASE, &base));
	ASSERT_EQ(1, base.num);
	vdrv_post_tx(q, 1, 100, 1);
	vdrv_kick(q);
	usleep(200000);
	ASSERT_EQ(1, vdrv_used_idx(q));
	ASSERT_EQ(0, vdrv_set_backend(&self->d, VDRV_TX, self->d.tap));
	ASSERT_EQ(0, vdrv_wait_used(q, 2, 5000));
	ASSERT_EQ(100, vdrv_capture(&self->d, frame, sizeof(frame), 5000));
	ASSERT_EQ(100, vdrv_capture(&self->d, frame, sizeof(frame), 5000));
	check_frame(_metadata, frame, 100, 1);
}

/* Closing every fd in the middle of traffic, the vas first, leaks nothing */
TEST_F(net, close_mid_traffic)
{
	struct vdrv_queue *tx = &self->d.q[VDRV_TX];
	uint8_t frame[VDRV_SLOT];
	int i;

	for (i = 0; i < VDRV_NUM; i++)
		vdrv_post_tx(tx, i, 1500, i);
	for (i = 0; i < 64; i++)
		vdrv_post_rx(&self->d.q[VDRV_RX], i, VDRV_SLOT);
	vdrv_kick(tx);
	vdrv_kick(&self->d.q[VDRV_RX]);
	vdrv_frame(frame, 1000, 0);
	for (i = 0; i < 32; i++)
		vdrv_inject(&self->d, frame, 1000);
	close(self->d.vas);
	self->d.vas = -1;
	close(self->d.dev);
	self->d.dev = -1;
}

/* The module cannot go while a device is open */
TEST(module_unload_refused_while_open)
{
	int dev, ret = vdrv_load_vhost_xi();

	ASSERT_EQ(0, ret);
	dev = open("/dev/vhost-xi-net", O_RDWR);
	ASSERT_LE(0, dev);
	ASSERT_EQ(-1, syscall(__NR_delete_module, "vhost_xi_net", O_NONBLOCK));
	ASSERT_EQ(EWOULDBLOCK, errno);
	close(dev);
}

/* Every bad input of the uAPI, each with its documented errno */
TEST(bad_inputs)
{
	struct vhost_xi_set_vas args = { .size = sizeof(args) };
	struct vhost_vring_addr addr = { .index = 0 };
	struct vhost_vring_file backend = { .index = 0 };
	uint64_t features = 1ULL << VHOST_F_LOG_ALL, log_base = 0;
	struct vhost_memory mem = {};
	char big[8192] = {};
	int dev, vas, other;

	ASSERT_EQ(0, vdrv_load_vhost_xi());
	vas = syscall(__NR_vas_create, 0);
	ASSERT_LE(0, vas);
	dev = open("/dev/vhost-xi-net", O_RDWR);
	ASSERT_LE(0, dev);

	/* before VHOST_SET_OWNER */
	args.vas_fd = vas;
	ASSERT_EQ(-EPERM, vdrv_set_vas(dev, vas));
	ASSERT_EQ(0, ioctl(dev, VHOST_SET_OWNER));

	/* the size-first structure */
	args.size = 8;
	ASSERT_EQ(-1, ioctl(dev, VHOST_XI_SET_VAS, &args));
	ASSERT_EQ(EINVAL, errno);
	memcpy(big, &args, sizeof(args));
	((struct vhost_xi_set_vas *)big)->size = sizeof(big);
	ASSERT_EQ(-1, ioctl(dev, VHOST_XI_SET_VAS, big));
	ASSERT_EQ(E2BIG, errno);
	((struct vhost_xi_set_vas *)big)->size = 64;
	big[40] = 1;
	ASSERT_EQ(-1, ioctl(dev, VHOST_XI_SET_VAS, big));
	ASSERT_EQ(E2BIG, errno);
	args.size = sizeof(args);
	args.flags = 1;
	ASSERT_EQ(-1, ioctl(dev, VHOST_XI_SET_VAS, &args));
	ASSERT_EQ(EINVAL, errno);
	args.flags = 0;
	args.__reserved = 1;
	ASSERT_EQ(-1, ioctl(dev, VHOST_XI_SET_VAS, &args));
	ASSERT_EQ(EINVAL, errno);

	/* not a vas */
	ASSERT_EQ(-EBADF, vdrv_set_vas(dev, 1000));
	other = eventfd(0, 0);
	ASSERT_EQ(-EINVAL, vdrv_set_vas(dev, other));

	/* the ring needs a vas for its addresses, the backend too */
	ASSERT_EQ(-1, ioctl(dev, VHOST_SET_VRING_ADDR, &addr));
	ASSERT_EQ(ENXIO, errno);
	backend.fd = other;
	ASSERT_EQ(-1, ioctl(dev, VHOST_NET_SET_BACKEND, &backend));
	ASSERT_EQ(ENXIO, errno);

	ASSERT_EQ(0, vdrv_set_vas(dev, vas));
	ASSERT_EQ(-EBUSY, vdrv_set_vas(dev, vas));

	/* the vas replaces the memory table and the vhost log */
	ASSERT_EQ(-1, ioctl(dev, VHOST_SET_MEM_TABLE, &mem));
	ASSERT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(-1, ioctl(dev, VHOST_SET_LOG_BASE, &log_base));
	ASSERT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(-1, ioctl(dev, VHOST_SET_LOG_FD, &other));
	ASSERT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(-1, ioctl(dev, VHOST_SET_FEATURES, &features));
	ASSERT_EQ(EOPNOTSUPP, errno);
	addr.flags = 1U << VHOST_VRING_F_LOG;
	ASSERT_EQ(-1, ioctl(dev, VHOST_SET_VRING_ADDR, &addr));
	ASSERT_EQ(EOPNOTSUPP, errno);

	/* ring addresses: alignment and index */
	addr.flags = 0;
	addr.desc_user_addr = 8;
	ASSERT_EQ(-1, ioctl(dev, VHOST_SET_VRING_ADDR, &addr));
	ASSERT_EQ(EINVAL, errno);
	addr.desc_user_addr = 0;
	addr.index = 2;
	ASSERT_EQ(-1, ioctl(dev, VHOST_SET_VRING_ADDR, &addr));
	ASSERT_EQ(ENOBUFS, errno);
	backend.index = 2;
	ASSERT_EQ(-1, ioctl(dev, VHOST_NET_SET_BACKEND, &backend));
	ASSERT_EQ(ENOBUFS, errno);

	/* the backend must be a tap */
	backend.index = 0;
	ASSERT_EQ(-1, ioctl(dev, VHOST_NET_SET_BACKEND, &backend));
	ASSERT_EQ(ENOTSOCK, errno);

	close(other);
	close(dev);
	close(vas);
}

/* A ring in a hole cannot be started: attaching the backend fails */
TEST(ring_in_a_hole)
{
	struct vdrv d;
	struct vhost_vring_addr addr = {
		.index = VDRV_RX,
		.desc_user_addr = 0x10000000,
		.avail_user_addr = 0x10001000,
		.used_user_addr = 0x10002000,
	};

	ASSERT_EQ(0, vdrv_load_vhost_xi());
	ASSERT_EQ(0, vdrv_open(&d, VDRV_VHOST_XI, 0, false));
	ASSERT_EQ(0, vdrv_set_backend(&d, VDRV_RX, -1));
	ASSERT_EQ(0, ioctl(d.dev, VHOST_SET_VRING_ADDR, &addr));
	ASSERT_EQ(-EFAULT, vdrv_set_backend(&d, VDRV_RX, d.tap));
	vdrv_close(&d);
}

/* A ring whose used ring runs past the end of its memslot */
TEST(ring_larger_than_its_memslot)
{
	struct vdrv d;
	struct vdrv_queue *q;
	struct vhost_vring_addr addr = { .index = VDRV_TX };

	ASSERT_EQ(0, vdrv_load_vhost_xi());
	ASSERT_EQ(0, vdrv_open(&d, VDRV_VHOST_XI, 0, false));
	q = &d.q[VDRV_TX];
	/* the used ring's last entries lie beyond guest memory */
	addr.desc_user_addr = q->desc_gpa;
	addr.avail_user_addr = q->avail_gpa;
	addr.used_user_addr = VDRV_MEM_GPA + VDRV_MEM_SIZE - 64;
	ASSERT_EQ(0, ioctl(d.dev, VHOST_SET_VRING_ADDR, &addr));
	q->used = vdrv_host(&d, addr.used_user_addr);
	for (int i = 0; i < 20; i++)
		vdrv_post_tx(q, i, 60, i);
	vdrv_kick(q);
	ASSERT_EQ(0, vdrv_wait_error(q, 5000));
	vdrv_close(&d);
}

TEST_HARNESS_MAIN
