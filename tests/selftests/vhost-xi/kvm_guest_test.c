// SPDX-License-Identifier: GPL-2.0-only
/*
 * One vas fd handed to KVM and to vhost-xi-net: a real KVM guest bound to
 * the vas (KVM_BIND_VAS) fills virtio-net rings in its own memory and
 * kicks the device through a KVM_IOEVENTFD-bound port; vhost-xi-net, bound
 * to the same vas, serves them; the guest sees the completions in its
 * used rings, and the host sees the frames on the tap.
 */
#include "kselftest_harness.h"
#include "../vas/kvm_guest.h"
#include "vring_driver.h"

#define BOOT_SLOT	1
#define KICK_PORT	0x6000		/* + queue index * 2 */
#define NFRAMES		64
#define FRAME_LEN	200
#define SPIN_LIMIT	400000000UL

/* The frame vdrv_frame() makes, written by the guest byte by byte */
GUEST_CODE static void guest_frame(uint8_t *p, uint64_t len, uint32_t seq)
{
	uint64_t i;

	for (i = 0; i < 6; i++)
		GUEST_WRITE(&p[i], 0xff);
	for (i = 6; i < 12; i++)
		GUEST_WRITE(&p[i], i == 6 ? 0x02 : i == 11 ? 0x01 : 0);
	GUEST_WRITE(&p[12], VDRV_ETHERTYPE >> 8);
	GUEST_WRITE(&p[13], VDRV_ETHERTYPE & 0xff);
	for (i = 0; i < 4; i++)
		GUEST_WRITE(&p[14 + i], (uint8_t)(seq >> (8 * i)));
	for (i = 18; i < len; i++)
		GUEST_WRITE(&p[i], (uint8_t)(seq * 7 + i));
}

GUEST_CODE static void guest_kick(uint16_t queue)
{
	asm volatile("outw %w0, %w1" : : "a"(queue),
		     "Nd"((uint16_t)(KICK_PORT + 2 * queue)));
}

/* Waits for the used index to reach @n; returns the index it saw last */
GUEST_CODE static uint16_t guest_wait_used(struct vring_used *used, uint16_t n)
{
	uint64_t spins;
	uint16_t idx = 0;

	for (spins = 0; spins < SPIN_LIMIT; spins++) {
		idx = __atomic_load_n(&used->idx, __ATOMIC_ACQUIRE);
		if (idx == n)
			break;
		asm volatile("pause");
	}
	return idx;
}

/*
 * TX in the guest: @n frames in the slots of the queue whose rings start at
 * @ring (desc, avail at +4K, used at +8K, slots at +64K), one kick.
 */
GUEST_CODE uint64_t guest_tx(uint64_t ring, uint64_t n, uint64_t unused)
{
	struct vring_desc *desc = (void *)ring;
	struct vring_avail *avail = (void *)(ring + 0x1000);
	uint64_t slots = ring + 0x10000, i;

	for (i = 0; i < n; i++) {
		uint8_t *buf = (void *)(slots + i * VDRV_SLOT);
		uint64_t j;

		for (j = 0; j < VDRV_HDR; j++)
			GUEST_WRITE(&buf[j], 0);
		guest_frame(buf + VDRV_HDR, FRAME_LEN, i);
		GUEST_WRITE(&desc[i].addr, slots + i * VDRV_SLOT);
		GUEST_WRITE(&desc[i].len, VDRV_HDR + FRAME_LEN);
		GUEST_WRITE(&desc[i].flags, 0);
		GUEST_WRITE(&avail->ring[i], i);
	}
	__atomic_store_n(&avail->idx, n, __ATOMIC_RELEASE);
	guest_kick(VDRV_TX);
	return guest_wait_used((void *)(ring + 0x2000), n);
}

/* RX in the guest: @n buffers offered, one kick, wait until all are used */
GUEST_CODE uint64_t guest_rx(uint64_t ring, uint64_t n, uint64_t unused)
{
	struct vring_desc *desc = (void *)ring;
	struct vring_avail *avail = (void *)(ring + 0x1000);
	uint64_t slots = ring + 0x10000, i;

	for (i = 0; i < n; i++) {
		GUEST_WRITE(&desc[i].addr, slots + i * VDRV_SLOT);
		GUEST_WRITE(&desc[i].len, VDRV_SLOT);
		GUEST_WRITE(&desc[i].flags, VRING_DESC_F_WRITE);
		GUEST_WRITE(&avail->ring[i], i);
	}
	__atomic_store_n(&avail->idx, n, __ATOMIC_RELEASE);
	guest_kick(VDRV_RX);
	return guest_wait_used((void *)(ring + 0x2000), n);
}

FIXTURE(guest) {
	struct vdrv d;
	void *boot;
	struct kvm_guest g;
};

FIXTURE_SETUP(guest)
{
	struct kvm_bind_vas bind = {};
	int i;

	self->g.vm_fd = -1;
	if (access("/dev/kvm", R_OK | W_OK))
		SKIP(return, "no /dev/kvm");
	ASSERT_EQ(0, vdrv_load_vhost_xi());
	/* the device's vas, rings and tap; the guest drives the rings */
	ASSERT_EQ(0, vdrv_open(&self->d, VDRV_VHOST_XI, 0, false));

	self->boot = mmap(NULL, KVM_GUEST_BOOT_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->boot);
	ASSERT_EQ(0, ioctl(self->d.vas, VAS_SET_MEMSLOT,
			   &(struct vas_set_memslot){
				.size = sizeof(struct vas_set_memslot),
				.slot = BOOT_SLOT,
				.memory_size = KVM_GUEST_BOOT_SIZE,
				.userspace_addr = (uintptr_t)self->boot }));
	ASSERT_EQ(0, kvm_guest_open(&self->g));
	ASSERT_EQ(0, kvm_guest_setup_boot(&self->g, self->boot));
	bind.fd = self->d.vas;
	ASSERT_EQ(0, ioctl(self->g.vm_fd, KVM_BIND_VAS, &bind));
	ASSERT_EQ(0, kvm_guest_create_vcpu(&self->g));

	/* the guest's OUT to the port is the queue's kick */
	for (i = 0; i < 2; i++) {
		struct kvm_ioeventfd kick = {
			.addr = KICK_PORT + 2 * i,
			.len = 2,
			.fd = self->d.q[i].kick,
			.flags = KVM_IOEVENTFD_FLAG_PIO,
		};

		ASSERT_EQ(0, ioctl(self->g.vm_fd, KVM_IOEVENTFD, &kick));
	}
}

FIXTURE_TEARDOWN(guest)
{
	if (self->g.vm_fd >= 0)
		kvm_guest_close(&self->g);
	vdrv_close(&self->d);
}

TEST_F(guest, tx_from_guest_reaches_tap)
{
	uint8_t frame[VDRV_SLOT], want[VDRV_SLOT];
	uint64_t used = 0;
	uint32_t seq;

	ASSERT_EQ(KVM_EXIT_HLT, kvm_guest_call(&self->g, guest_tx,
					       self->d.q[VDRV_TX].desc_gpa,
					       NFRAMES, 0, &used));
	ASSERT_EQ(NFRAMES, used);
	for (seq = 0; seq < NFRAMES; seq++) {
		ASSERT_EQ(FRAME_LEN, vdrv_capture(&self->d, frame, sizeof(frame),
						  5000));
		vdrv_frame(want, FRAME_LEN, seq);
		ASSERT_EQ(0, memcmp(frame, want, FRAME_LEN));
	}
}

TEST_F(guest, rx_into_guest_buffers)
{
	struct vdrv_queue *q = &self->d.q[VDRV_RX];
	uint8_t frame[VDRV_SLOT];
	uint64_t used = 0;
	uint32_t seq;

	/* queued in the tap until the guest offers buffers */
	for (seq = 0; seq < NFRAMES; seq++) {
		vdrv_frame(frame, FRAME_LEN, seq);
		ASSERT_EQ(0, vdrv_inject(&self->d, frame, FRAME_LEN));
	}
	ASSERT_EQ(KVM_EXIT_HLT, kvm_guest_call(&self->g, guest_rx, q->desc_gpa,
					       NFRAMES, 0, &used));
	ASSERT_EQ(NFRAMES, used);
	for (seq = 0; seq < NFRAMES; seq++) {
		struct vring_used_elem *e = &q->used->ring[seq];

		ASSERT_EQ(VDRV_HDR + FRAME_LEN, e->len);
		vdrv_frame(frame, FRAME_LEN, seq);
		ASSERT_EQ(0, memcmp(vdrv_slot(q, e->id) + VDRV_HDR, frame,
				    FRAME_LEN));
	}
}

TEST_HARNESS_MAIN
