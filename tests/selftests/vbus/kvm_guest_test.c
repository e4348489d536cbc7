// SPDX-License-Identifier: GPL-2.0-only
/*
 * One vas fd handed to KVM and to /dev/vbus: a real KVM guest bound to the
 * vas (KVM_BIND_VAS) is the guest side of the vbus ring protocol, on
 * memory in its own guest-physical space; the echo device, on a bus bound
 * to the same vas (VBUS_SET_VAS), serves it.
 *
 * Guest memory is vbus_guest.h's: memslot 0 of the vas at VBG_MEM_GPA,
 * next to the boot memory of kvm_guest.h (memslot 1 at 0), as
 * vhost-xi/kvm_guest_test.c places its rings. The guest identity-maps the
 * low 4 GiB, so the guest-physical addresses the device is given are the
 * pointers the guest code uses. The host lays the empty rings out
 * (vbg_ring_init(), on its view of the same pages), attaches them and
 * waits for the device's first pass over them to end; from then on only
 * the guest and the device touch them:
 *
 * - rings: the guest posts reply buffers and requests (sown set with
 *   release ordering), kicks each ring as shm_signal says (SOUTH.dirty,
 *   a fence, and only if SOUTH.enabled && !SOUTH.pending: pending, then
 *   an OUT to the ring's port, which KVM_IOEVENTFD turns into a write of
 *   the ring's kick eventfd without an exit), spins until the device hands
 *   the descriptors back and checks every reply itself; the host checks
 *   them again, and that the device signalled each ring's call eventfd.
 * - calls: the guest's "hypercall" is an OUT of the request's address to
 *   a port no ioeventfd claims (function and length in edi and esi); the
 *   run loop sees the KVM_EXIT_IO, issues VBUS_CONN_CALL, and gives the
 *   result back to the guest's IN from the same port.
 * - dirty log: guest memory logs dirty pages; reply buffers that only the
 *   device wrote (the guest leaves them unread there) and request buffers
 *   that only the guest wrote are both in VAS_GET_DIRTY_LOG (KVM's log
 *   and the vas's are one), pages nobody wrote are not.
 * - venet: when vbus_venet.ko is there, the guest transmits frames on the
 *   TX ring of a venet device after a LINKUP hypercall, and the host
 *   receives them on an AF_PACKET socket bound to its network interface.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <linux/venet.h>

#include "kselftest_harness.h"
#include "../vas/kvm_guest.h"
#include "vbus_guest.h"

#define BOOT_SLOT	1
#define KICK_PORT	0x6000		/* + shm_id * 2: ioeventfds */
#define HCALL_PORT	0x7000		/* the run loop's */
#define PAGE		0x1000UL
#define N		64		/* requests, and descriptors per ring */
#define REQ_RING	(VBG_MEM_GPA + 0x0000)
#define REP_RING	(VBG_MEM_GPA + 0x1000)
#define CALL_DATA	(VBG_MEM_GPA + 0x2000)
#define STATS_DATA	(VBG_MEM_GPA + 0x2100)
#define REQ_BUF		(VBG_MEM_GPA + 0x10000)		/* N pages */
#define REP_BUF		(VBG_MEM_GPA + 0x100000)	/* N pages */
#define UNTOUCHED	(VBG_MEM_GPA + 0x200000)
#define COPY_SRC	(VBG_MEM_GPA + 0x300000)	/* 64 KiB */
#define COPY_DST	(VBG_MEM_GPA + 0x320000)	/* 64 KiB + a page */
#define COPY_DST2	(VBG_MEM_GPA + 0x340000)
#define HOLE		(VBG_MEM_GPA + VBG_MEM_SIZE)
#define TX_RING		(VBG_MEM_GPA + 0x3000)		/* venet's */
#define RX_RING		(VBG_MEM_GPA + 0x4000)
#define TX_BUF		(VBG_MEM_GPA + 0x380000)	/* N slots */
#define SLOT		2048
#define VENET_KICK_PORT	0x6100		/* + shm_id * 2: ioeventfds */
#define ETHERTYPE	0x88b5		/* local experimental */
#define SPIN_LIMIT	400000000UL
#define WAIT_MS		10000

/* Request @i: its length and its bytes, the same in guest and host */
#define REQ_LEN(i)	((i) == N - 1 ? (uint32_t)PAGE : \
			 (uint32_t)(1 + ((i) * 97) % 4000))
#define PATTERN(seed, j) ((uint8_t)((seed) * 131 + (j) * 7 + ((j) >> 8)))
#define COOKIE(i)	(0xc0de0000ULL + (i))
/* Frame @i: 60 to 1514 bytes, its byte j is FRAME_BYTE(i, j) */
#define FRAME_LEN(i)	((uint32_t)(60 + ((i) * 331) % 1455))
#define FRAME_BYTE(i, j) \
	((uint8_t)((j) < 6 ? 0xff : (j) == 6 ? 0x02 : (j) < 11 ? 0 : \
		   (j) == 11 ? 0x01 : (j) == 12 ? ETHERTYPE >> 8 : \
		   (j) == 13 ? (ETHERTYPE & 0xff) : (j) == 14 ? (i) : \
		   (i) * 7 + (j)))

/* What guest_echo() returns: replies checked, kicks sent, first error */
#define RES(count, kicks, err) \
	((uint64_t)(count) | (uint64_t)(kicks) << 32 | (uint64_t)(err) << 48)
#define RES_COUNT(r)	((uint32_t)(r))
#define RES_KICKS(r)	((uint16_t)((r) >> 32))
#define RES_ERR(r)	((uint16_t)((r) >> 48))
enum {
	E_OK,
	E_RING,		/* a ring header the guest does not accept */
	E_FULL,		/* no room to post */
	E_REPLY_TIMEOUT,
	E_REPLY,	/* reply descriptor: cookie or used */
	E_REQ_TIMEOUT,
	E_REQ,		/* request descriptor: cookie or used */
	E_PAYLOAD,
	E_TAIL,
	E_LINK,		/* the venet link call failed */
};

/* ------------------------------------------------------------ the guest */

/* The guest's end of an ioq, as a guest driver keeps it */
struct guest_ring {
	struct ioq_ring_head *h;
	uint32_t count;
	uint32_t next;		/* descriptors handed over */
	uint32_t reap;		/* descriptors taken back */
	uint16_t port;		/* the kick */
};

GUEST_CODE static bool guest_ring_open(struct guest_ring *r, uint64_t gpa,
				       uint16_t port)
{
	r->h = (void *)gpa;
	r->count = GUEST_READ(&r->h->count);
	r->next = GUEST_READ(&r->h->head);
	r->reap = r->next;
	r->port = port;
	return GUEST_READ(&r->h->magic) == IOQ_RING_MAGIC &&
	       GUEST_READ(&r->h->ver) == IOQ_RING_VER &&
	       GUEST_READ(&r->h->signal.magic) == SHM_SIGNAL_MAGIC &&
	       r->count && !(r->count & (r->count - 1));
}

/* Hands a buffer to the device; false if the ring is full */
GUEST_CODE static bool guest_post(struct guest_ring *r, uint64_t ptr,
				  uint32_t len, uint64_t cookie)
{
	struct ioq_ring_desc *d = &r->h->ring[r->next & (r->count - 1)];

	if (r->next - r->reap == r->count)
		return false;
	GUEST_WRITE(&d->cookie, cookie);
	GUEST_WRITE(&d->ptr, ptr);
	GUEST_WRITE(&d->len, len);
	GUEST_WRITE(&d->used, 0);
	/* the descriptor is filled before the device may see it as its own */
	__atomic_store_n(&d->sown, 1, __ATOMIC_RELEASE);
	r->next++;
	__atomic_store_n(&r->h->head, r->next, __ATOMIC_RELEASE);
	return true;
}

/*
 * The shm_signal inject of the north side: mark the device dirty and kick
 * it through the port unless it does not want signals or has one pending.
 * pending is set before the OUT, not after: the device clears it when it
 * takes the kick (shm_signal_disable()), which can happen before an OUT
 * that is served in the kernel returns, and a pending set after that
 * would stay set and suppress every later kick. Returns 1 if it kicked.
 */
GUEST_CODE static uint32_t guest_kick(struct guest_ring *r)
{
	struct shm_signal_irq *irq = &r->h->signal.irq[SHM_SIGNAL_SOUTH];

	GUEST_WRITE(&irq->dirty, 1);
	/* dirty is set before enabled is read: pairs with the device's enable */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!GUEST_READ(&irq->enabled) || GUEST_READ(&irq->pending))
		return 0;
	GUEST_WRITE(&irq->pending, 1);
	asm volatile("outw %w0, %w1" : : "a"((uint16_t)r->port),
		     "Nd"(r->port) : "memory");
	return 1;
}

/*
 * Waits for the device to hand back the oldest descriptor, polling as a
 * driver with interrupts masked would: acknowledge the signal (pending,
 * dirty), then look. Returns it, or NULL after SPIN_LIMIT looks.
 */
GUEST_CODE static struct ioq_ring_desc *guest_wait(struct guest_ring *r)
{
	struct shm_signal_irq *irq = &r->h->signal.irq[SHM_SIGNAL_NORTH];
	struct ioq_ring_desc *d = &r->h->ring[r->reap & (r->count - 1)];
	uint64_t spins;

	if (r->reap == r->next)
		return NULL;
	for (spins = 0; spins < SPIN_LIMIT; spins++) {
		GUEST_WRITE(&irq->pending, 0);
		GUEST_WRITE(&irq->dirty, 0);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		/* what the device wrote is visible once sown reads clear */
		if (!__atomic_load_n(&d->sown, __ATOMIC_ACQUIRE))
			return d;
		asm volatile("pause");
	}
	return NULL;
}

/* guest_echo() flag: leave the reply buffers alone, descriptors only */
#define ECHO_UNREAD	(1ULL << 32)

/*
 * The guest side of the echo rings at @req and @rep: @n reply buffers and
 * @n requests (request i: REQ_LEN(i) bytes of PATTERN(i, ...), in page i
 * of REQ_BUF; its reply buffer is page i of REP_BUF), then every reply
 * checked, its bytes too unless @n has ECHO_UNREAD. Returns RES(replies
 * checked, kicks sent, E_*).
 */
GUEST_CODE uint64_t guest_echo(uint64_t req, uint64_t rep, uint64_t n)
{
	bool unread = n & ECHO_UNREAD;
	struct guest_ring rq, rp;
	struct ioq_ring_desc *d;
	uint32_t kicks = 0;
	uint64_t i, j;

	n = (uint32_t)n;
	if (!guest_ring_open(&rq, req, KICK_PORT + 2 * VBUS_ECHO_SHM_REQUEST) ||
	    !guest_ring_open(&rp, rep, KICK_PORT + 2 * VBUS_ECHO_SHM_REPLY) ||
	    n > rq.count || n > rp.count)
		return RES(0, 0, E_RING);

	/* Reply buffers first, as a driver fills its receive ring */
	for (i = 0; i < n; i++)
		if (!guest_post(&rp, REP_BUF + i * PAGE, PAGE, COOKIE(i)))
			return RES(i, kicks, E_FULL);
	kicks += guest_kick(&rp);

	for (i = 0; i < n; i++) {
		uint8_t *p = (uint8_t *)(REQ_BUF + i * PAGE);

		for (j = 0; j < REQ_LEN(i); j++)
			GUEST_WRITE(&p[j], PATTERN(i, j));
		if (!guest_post(&rq, (uintptr_t)p, REQ_LEN(i), i))
			return RES(i, kicks, E_FULL);
	}
	kicks += guest_kick(&rq);

	/* The device serves in order: request i lands in reply buffer i */
	for (i = 0; i < n; i++) {
		uint8_t *p = (uint8_t *)(REP_BUF + i * PAGE);

		d = guest_wait(&rp);
		if (!d)
			return RES(i, kicks, E_REPLY_TIMEOUT);
		if (GUEST_READ(&d->cookie) != COOKIE(i) ||
		    GUEST_READ(&d->ptr) != (uintptr_t)p ||
		    GUEST_READ(&d->used) != REQ_LEN(i))
			return RES(i, kicks, E_REPLY);
		rp.reap++;
		d = guest_wait(&rq);
		if (!d)
			return RES(i, kicks, E_REQ_TIMEOUT);
		if (GUEST_READ(&d->cookie) != i ||
		    GUEST_READ(&d->used) != REQ_LEN(i))
			return RES(i, kicks, E_REQ);
		rq.reap++;
		for (j = 0; !unread && j < REQ_LEN(i); j++)
			if (GUEST_READ(&p[j]) != PATTERN(i, j))
				return RES(i, kicks, E_PAYLOAD);
	}
	if (__atomic_load_n(&rp.h->tail, __ATOMIC_ACQUIRE) != rp.next ||
	    __atomic_load_n(&rq.h->tail, __ATOMIC_ACQUIRE) != rq.next)
		return RES(n, kicks, E_TAIL);
	return RES(n, kicks, E_OK);
}

/*
 * The guest's hypercall: an OUT of the request's guest-physical address to
 * HCALL_PORT, with the function in edi and the request's length in esi;
 * the VMM calls the device and returns the result to the IN that follows.
 */
GUEST_CODE static int32_t guest_hcall(uint32_t func, uint64_t gpa,
				      uint32_t len)
{
	uint32_t v = gpa;

	asm volatile("outl %0, %w1\n\t"
		     "inl %w1, %0"
		     : "+a"(v)
		     : "d"((uint16_t)HCALL_PORT), "D"(func), "S"(len)
		     : "memory");
	return v;
}

GUEST_CODE static void guest_fill(uint64_t gpa, uint32_t len, uint32_t seed)
{
	uint8_t *p = (uint8_t *)gpa;
	uint32_t j;

	for (j = 0; j < len; j++)
		GUEST_WRITE(&p[j], PATTERN(seed, j));
}

/* 0 if @len bytes at @gpa are PATTERN(seed) and the next byte is still 0 */
GUEST_CODE static int guest_check(uint64_t gpa, uint32_t len, uint32_t seed)
{
	uint8_t *p = (uint8_t *)gpa;
	uint32_t j;

	for (j = 0; j < len; j++)
		if (GUEST_READ(&p[j]) != PATTERN(seed, j))
			return -1;
	return GUEST_READ(&p[len]) ? -1 : 0;
}

GUEST_CODE static void guest_copy_req(struct vbus_echo_copy *req,
				      uint64_t src, uint64_t dst, uint32_t len)
{
	GUEST_WRITE(&req->src, src);
	GUEST_WRITE(&req->dst, dst);
	GUEST_WRITE(&req->len, len);
	GUEST_WRITE(&req->__pad, 0);
}

/*
 * Calls the echo device from the guest: copies of a page and of
 * VBUS_ECHO_MAX_LEN bytes, checked; a copy too long, a request in a hole
 * and an unknown function, each refused with its errno and nothing
 * written; the statistics, which count the two copies. Returns the number
 * of steps passed (6), or 100 + the step that failed.
 */
GUEST_CODE uint64_t guest_calls(uint64_t data, uint64_t stats_gpa,
				uint64_t unused)
{
	struct vbus_echo_copy *req = (void *)data;
	struct vbus_echo_stats *st = (void *)stats_gpa;
	uint32_t step = 0;

	/* 1: a page */
	step++;
	guest_fill(COPY_SRC, PAGE, 1);
	guest_copy_req(req, COPY_SRC, COPY_DST, PAGE);
	if (guest_hcall(VBUS_ECHO_CALL_COPY, data, sizeof(*req)) != PAGE ||
	    guest_check(COPY_DST, PAGE, 1))
		return 100 + step;

	/* 2: the longest copy, to another buffer */
	step++;
	guest_fill(COPY_SRC, VBUS_ECHO_MAX_LEN, 2);
	guest_copy_req(req, COPY_SRC, COPY_DST2, VBUS_ECHO_MAX_LEN);
	if (guest_hcall(VBUS_ECHO_CALL_COPY, data, sizeof(*req)) !=
	    VBUS_ECHO_MAX_LEN || guest_check(COPY_DST2, VBUS_ECHO_MAX_LEN, 2))
		return 100 + step;

	/* 3: too long: EINVAL, the first buffer is still the first copy */
	step++;
	guest_copy_req(req, COPY_SRC, COPY_DST, VBUS_ECHO_MAX_LEN + 1);
	if (guest_hcall(VBUS_ECHO_CALL_COPY, data, sizeof(*req)) != -EINVAL ||
	    guest_check(COPY_DST, PAGE, 1))
		return 100 + step;

	/* 4: a request outside guest memory */
	step++;
	if (guest_hcall(VBUS_ECHO_CALL_COPY, HOLE, sizeof(*req)) != -EFAULT)
		return 100 + step;

	/* 5: a function the device does not have */
	step++;
	if (guest_hcall(99, data, sizeof(*req)) != -EINVAL)
		return 100 + step;

	/* 6: the device counted the two copies */
	step++;
	if (guest_hcall(VBUS_ECHO_CALL_STATS, stats_gpa, sizeof(*st)) !=
	    sizeof(*st) || GUEST_READ(&st->calls) != 2 ||
	    GUEST_READ(&st->bytes) != PAGE + VBUS_ECHO_MAX_LEN ||
	    GUEST_READ(&st->requests) != 0)
		return 100 + step;
	return step;
}

/*
 * The guest's side of a venet device: the link up with a hypercall, then
 * @n frames (frame i: FRAME_LEN(i) bytes of FRAME_BYTE(i, ...) in slot i
 * of TX_BUF) posted on the TX ring at @tx and one kick; waits until the
 * device hands each back with used its length. Returns RES(frames sent,
 * kicks, E_*).
 */
GUEST_CODE uint64_t guest_venet_tx(uint64_t tx, uint64_t n, uint64_t unused)
{
	struct guest_ring r;
	struct ioq_ring_desc *d;
	uint32_t kicks;
	uint64_t i, j;

	if (guest_hcall(VENET_FUNC_LINKUP, 0, 0))
		return RES(0, 0, E_LINK);
	if (!guest_ring_open(&r, tx, VENET_KICK_PORT + 2 * VENET_SHM_TX) ||
	    n > r.count)
		return RES(0, 0, E_RING);
	for (i = 0; i < n; i++) {
		uint8_t *p = (uint8_t *)(TX_BUF + i * SLOT);

		for (j = 0; j < FRAME_LEN(i); j++)
			GUEST_WRITE(&p[j], FRAME_BYTE(i, j));
		if (!guest_post(&r, (uintptr_t)p, FRAME_LEN(i), i))
			return RES(i, 0, E_FULL);
	}
	kicks = guest_kick(&r);
	for (i = 0; i < n; i++) {
		d = guest_wait(&r);
		if (!d)
			return RES(i, kicks, E_REPLY_TIMEOUT);
		if (GUEST_READ(&d->cookie) != i ||
		    GUEST_READ(&d->used) != FRAME_LEN(i))
			return RES(i, kicks, E_REPLY);
		r.reap++;
	}
	return RES(n, kicks, E_OK);
}

/* ------------------------------------------------------------ the host */

FIXTURE(guest) {
	struct vbg g;		/* the vas, its memslot 0 and the bus */
	void *boot;
	struct kvm_guest k;
	uint32_t dev, conn;
	int err_fd;
	struct vbg_ring req, rep;
	long hcalls;		/* hypercalls served by run_guest() */
};

/* The guest's OUT to a ring's port is that ring's kick */
static int wire_kick(FIXTURE_DATA(guest) *self, uint32_t shm_id, int fd)
{
	struct kvm_ioeventfd kick = {
		.addr = KICK_PORT + 2 * shm_id,
		.len = 2,
		.fd = fd,
		.flags = KVM_IOEVENTFD_FLAG_PIO,
	};

	return ioctl(self->k.vm_fd, KVM_IOEVENTFD, &kick) ? -errno : 0;
}

FIXTURE_SETUP(guest)
{
	struct kvm_bind_vas bind = {};

	self->g.vas = self->g.bus = -1;
	self->k.vm_fd = -1;
	self->err_fd = -1;
	self->boot = MAP_FAILED;
	if (access("/dev/kvm", R_OK | W_OK))
		SKIP(return, "no /dev/kvm");

	/* guest memory in a vas, logging dirty pages; a bus on the vas */
	ASSERT_EQ(0, vbg_open(&self->g));
	ASSERT_EQ(0, vbg_load_module("vbus_echo"));
	ASSERT_EQ(0, vbg_set_memslot_flags(&self->g, VBG_MEM_SIZE,
					   VAS_MEM_LOG_DIRTY_PAGES));

	/* the boot memory in the same vas, then the VM on it */
	self->boot = mmap(NULL, KVM_GUEST_BOOT_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->boot);
	ASSERT_EQ(0, ioctl(self->g.vas, VAS_SET_MEMSLOT,
			   &(struct vas_set_memslot){
				.size = sizeof(struct vas_set_memslot),
				.slot = BOOT_SLOT,
				.memory_size = KVM_GUEST_BOOT_SIZE,
				.userspace_addr = (uintptr_t)self->boot }));
	ASSERT_EQ(0, kvm_guest_open(&self->k));
	ASSERT_EQ(0, kvm_guest_setup_boot(&self->k, self->boot));
	bind.fd = self->g.vas;
	ASSERT_EQ(0, ioctl(self->k.vm_fd, KVM_BIND_VAS, &bind));
	ASSERT_EQ(0, kvm_guest_create_vcpu(&self->k));

	/* an echo device, a connection, two empty rings in guest memory */
	ASSERT_EQ(0, vbg_dev_create(&self->g, VBUS_ECHO_CLASS, &self->dev));
	self->err_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_LE(0, self->err_fd);
	ASSERT_EQ(0, vbg_conn_open(&self->g, self->dev, VBUS_ECHO_INTF,
				   VBUS_ECHO_VERSION, self->err_fd,
				   &self->conn));
	ASSERT_EQ(0, vbg_ring_init(&self->g, &self->req, REQ_RING, N));
	ASSERT_EQ(0, vbg_ring_init(&self->g, &self->rep, REP_RING, N));
	ASSERT_EQ(0, wire_kick(self, VBUS_ECHO_SHM_REQUEST, self->req.kick));
	ASSERT_EQ(0, wire_kick(self, VBUS_ECHO_SHM_REPLY, self->rep.kick));
}

FIXTURE_TEARDOWN(guest)
{
	if (self->k.vm_fd >= 0)
		kvm_guest_close(&self->k);
	vbg_close(&self->g);
	vbg_ring_fini(&self->req);
	vbg_ring_fini(&self->rep);
	if (self->err_fd >= 0)
		close(self->err_fd);
	if (self->boot != MAP_FAILED)
		munmap(self->boot, KVM_GUEST_BOOT_SIZE);
}

/*
 * Runs fn(a0, a1, a2) in the guest and serves its hypercalls: the OUT
 * gives the request's address, edi and esi the function and length; the
 * run loop calls the device on @conn (the vCPU stopped meanwhile)
 * and hands the result to the IN. Returns the exit that ended the run.
 */
static int run_guest(FIXTURE_DATA(guest) *self, uint32_t conn, void *fn,
		     uint64_t a0, uint64_t a1, uint64_t a2, uint64_t *ret)
{
	struct kvm_run *run;
	struct kvm_regs regs;
	int32_t result = -EPROTO;	/* an IN without an OUT before it */
	uint32_t gpa;
	int r;

	r = kvm_guest_call(&self->k, fn, a0, a1, a2, ret);
	for (run = self->k.run; r == KVM_EXIT_IO &&
	     run->io.port == HCALL_PORT && run->io.size == 4 &&
	     run->io.count == 1; r = kvm_guest_resume(&self->k, ret)) {
		uint8_t *data = (uint8_t *)run + run->io.data_offset;

		if (run->io.direction == KVM_EXIT_IO_IN) {
			memcpy(data, &result, sizeof(result));
			result = -EPROTO;
			continue;
		}
		if (ioctl(self->k.vcpu_fd, KVM_GET_REGS, &regs))
			return -errno;
		memcpy(&gpa, data, sizeof(gpa));
		result = vbg_call(&self->g, conn, (uint32_t)regs.rdi, gpa,
				  (uint32_t)regs.rsi);
		self->hcalls++;
	}
	return r;
}

/* Hands both rings to the device, their call eventfds wired or not */
static int attach_rings(FIXTURE_DATA(guest) *self, bool calls)
{
	struct vbg_ring rep = self->rep;
	int ret;

	if (!calls)
		rep.call = -1;
	ret = vbg_ring_attach(&self->g, self->conn, VBUS_ECHO_SHM_REQUEST,
			      &self->req);
	return ret ?: vbg_ring_attach(&self->g, self->conn,
				      VBUS_ECHO_SHM_REPLY, &rep);
}

/*
 * Waits for the device to be idle on @r: its first pass, queued when both
 * rings were attached, re-enables its signals last. A signal to the guest
 * from that pass (a device may send one with nothing handed back) is
 * acknowledged, as the guest's interrupt handler would, so that what the
 * call eventfd counts afterwards is for the guest's work.
 */
static int settle(struct vbg_ring *r)
{
	struct shm_signal_desc *s = &r->head->signal;
	uint64_t n;
	int ms;

	for (ms = 0; !__atomic_load_n(&s->irq[SHM_SIGNAL_SOUTH].enabled,
				      __ATOMIC_ACQUIRE); ms++) {
		if (ms == WAIT_MS)
			return -ETIMEDOUT;
		usleep(1000);
	}
	if (read(r->call, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return -errno;
	__atomic_store_n(&s->irq[SHM_SIGNAL_NORTH].pending, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->irq[SHM_SIGNAL_NORTH].dirty, 0, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return 0;
}

/* Reads (and so clears) the dirty log of guest memory into @bitmap */
static int harvest(struct vbg *g, uint64_t *bitmap)
{
	struct vas_dirty_log log = {
		.size = sizeof(log),
		.slot = VBG_SLOT,
		.bitmap = (uintptr_t)bitmap,
	};

	return ioctl(g->vas, VAS_GET_DIRTY_LOG, &log) ? -errno : 0;
}

#define DIRTY(bitmap, gpa) \
	(!!((bitmap)[((gpa) - VBG_MEM_GPA) / PAGE / 64] & \
	    (1ULL << (((gpa) - VBG_MEM_GPA) / PAGE % 64))))

/* Where @len bytes at @buf first differ from PATTERN(@seed), or -1 */
static long first_diff(const uint8_t *buf, uint32_t len, uint32_t seed)
{
	uint32_t j;

	for (j = 0; j < len; j++)
		if (buf[j] != PATTERN(seed, j))
			return j;
	return -1;
}

/* Where @len bytes at @buf first are not 0, or -1 */
static long first_nonzero(const uint8_t *buf, uint32_t len)
{
	uint32_t j;

	for (j = 0; j < len; j++)
		if (buf[j])
			return j;
	return -1;
}

/* The exit that ended a run, for the log */
static const char *describe(FIXTURE_DATA(guest) *self, char *buf,
			    size_t len)
{
	struct kvm_guest_exception e;
	struct kvm_run *run = self->k.run;

	if (run->exit_reason == KVM_EXIT_IO && !kvm_guest_exception(&self->k, &e))
		snprintf(buf, len, "io %s port 0x%x size %u",
			 run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
			 run->io.port, run->io.size);
	else
		kvm_guest_describe(&self->k, buf, len);
	return buf;
}

/* The echo rings run by guest_echo(): checked by the host too */
static void run_echo(struct __test_metadata *_metadata,
		     FIXTURE_DATA(guest) *self, uint64_t flags)
{
	struct vbus_echo_stats *st = vbg_host(&self->g, STATS_DATA);
	uint64_t res = 0, bytes = 0, n;
	char why[128];
	uint32_t i;

	ASSERT_EQ(KVM_EXIT_HLT, run_guest(self, self->conn, guest_echo,
					  REQ_RING, REP_RING, N | flags, &res))
		TH_LOG("%s", describe(self, why, sizeof(why)));
	EXPECT_EQ(E_OK, RES_ERR(res))
		TH_LOG("guest: error %u at request %u", RES_ERR(res),
		       RES_COUNT(res));
	ASSERT_EQ(N, RES_COUNT(res));
	/* the first kick surely went out: the device was idle, enabled */
	EXPECT_LE(1, RES_KICKS(res));
	EXPECT_GE(2, RES_KICKS(res));

	/* what the guest saw, seen from the host */
	EXPECT_EQ(N, self->req.head->head);
	EXPECT_EQ(N, self->req.head->tail);
	EXPECT_EQ(N, self->rep.head->head);
	EXPECT_EQ(N, self->rep.head->tail);
	for (i = 0; i < N; i++) {
		struct ioq_ring_desc *rq = &self->req.head->ring[i];
		struct ioq_ring_desc *rp = &self->rep.head->ring[i];
		uint8_t *buf = vbg_host(&self->g, REP_BUF + i * PAGE);

		ASSERT_EQ(0, rq->sown);
		ASSERT_EQ(0, rp->sown);
		ASSERT_EQ(i, rq->cookie);
		ASSERT_EQ(COOKIE(i), rp->cookie);
		ASSERT_EQ(REQ_LEN(i), rq->used);
		ASSERT_EQ(REQ_LEN(i), rp->used);
		ASSERT_EQ(-1, first_diff(buf, REQ_LEN(i), i))
			TH_LOG("reply %u", i);
		ASSERT_EQ(-1, first_nonzero(buf + REQ_LEN(i),
					    PAGE - REQ_LEN(i)))
			TH_LOG("reply %u written past its length", i);
		bytes += REQ_LEN(i);
	}
	/* the device signalled the guest on both rings */
	EXPECT_EQ(sizeof(n), read(self->req.call, &n, sizeof(n)));
	EXPECT_EQ(sizeof(n), read(self->rep.call, &n, sizeof(n)))
		TH_LOG("no interrupt for the reply ring");
	EXPECT_EQ(sizeof(*st), vbg_call(&self->g, self->conn,
					VBUS_ECHO_CALL_STATS, STATS_DATA,
					sizeof(*st)));
	EXPECT_EQ(N, st->requests);
	EXPECT_EQ(bytes, st->bytes);
	EXPECT_EQ(0, st->errors);
	EXPECT_EQ(-1, read(self->err_fd, &n, sizeof(n)));	/* no fault */
}

TEST_F_TIMEOUT(guest, echo_rings, 300)
{
	ASSERT_EQ(0, attach_rings(self, true));
	ASSERT_EQ(0, settle(&self->req));
	ASSERT_EQ(0, settle(&self->rep));
	run_echo(_metadata, self, 0);
}

TEST_F_TIMEOUT(guest, hypercalls, 300)
{
	uint8_t *dst = vbg_host(&self->g, COPY_DST);
	uint8_t *dst2 = vbg_host(&self->g, COPY_DST2);
	uint64_t res = 0;
	char why[128];

	ASSERT_EQ(KVM_EXIT_HLT, run_guest(self, self->conn, guest_calls,
					  CALL_DATA, STATS_DATA, 0, &res))
		TH_LOG("%s", describe(self, why, sizeof(why)));
	EXPECT_EQ(6, res) TH_LOG("guest failed at step %lu",
				 (unsigned long)res - 100);
	EXPECT_EQ(6, self->hcalls);
	EXPECT_EQ(-1, first_diff(dst, PAGE, 1));
	EXPECT_EQ(-1, first_diff(dst2, VBUS_ECHO_MAX_LEN, 2));
	EXPECT_EQ(-1, first_nonzero(dst + PAGE, PAGE));
	EXPECT_EQ(-1, first_nonzero(dst2 + VBUS_ECHO_MAX_LEN, PAGE));
}

/*
 * One dirty log for guest and device: after the run, the reply buffers
 * (written by the device only) and the request buffers (by the guest
 * only) are dirty; the pages past them, which nobody wrote, are not. The
 * guest does not read the reply buffers here (the host checks them):
 * KVM maps a page writable on a guest's first read of it and logs it
 * dirty then (make_spte()), which would hide a device write not logged.
 */
TEST_F_TIMEOUT(guest, dirty_log, 300)
{
	uint64_t bitmap[VBG_MEM_SIZE / PAGE / 64];
	uint32_t i;

	ASSERT_EQ(0, attach_rings(self, true));
	ASSERT_EQ(0, settle(&self->req));
	ASSERT_EQ(0, settle(&self->rep));
	ASSERT_EQ(0, harvest(&self->g, bitmap));
	for (i = 0; i < N; i++)
		ASSERT_FALSE(DIRTY(bitmap, REP_BUF + i * PAGE));
	run_echo(_metadata, self, ECHO_UNREAD);
	ASSERT_EQ(0, harvest(&self->g, bitmap));
	for (i = 0; i < N; i++) {
		EXPECT_TRUE(DIRTY(bitmap, REP_BUF + i * PAGE))
			TH_LOG("reply buffer %u", i);
		EXPECT_TRUE(DIRTY(bitmap, REQ_BUF + i * PAGE))
			TH_LOG("request buffer %u", i);
	}
	EXPECT_TRUE(DIRTY(bitmap, REQ_RING));
	EXPECT_TRUE(DIRTY(bitmap, REP_RING));
	EXPECT_FALSE(DIRTY(bitmap, REQ_BUF + N * PAGE));
	EXPECT_FALSE(DIRTY(bitmap, REP_BUF + N * PAGE));
	EXPECT_FALSE(DIRTY(bitmap, UNTOUCHED));
	EXPECT_FALSE(DIRTY(bitmap, COPY_DST));
	/* harvested: clean until written again */
	ASSERT_EQ(0, harvest(&self->g, bitmap));
	EXPECT_FALSE(DIRTY(bitmap, REP_BUF));
	EXPECT_FALSE(DIRTY(bitmap, REQ_BUF));
}

/* /sys/class/net/@ifname/@attr as a number, or -1 */
static long long read_sysfs(const char *ifname, const char *attr)
{
	char path[128], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtoll(buf, NULL, 0);
}

/*
 * A venet device on the same bus: the guest brings its link up with a
 * hypercall, transmits N frames on its TX ring from its own memory and
 * kicks it through a port; the host receives them, intact and in order,
 * on an AF_PACKET socket bound to the device's network interface.
 */
TEST_F_TIMEOUT(guest, venet_tx_from_guest, 300)
{
	struct vbus_intf_info info;
	struct vbg_ring tx = { .kick = -1, .call = -1 };
	struct vbg_ring rx = { .kick = -1, .call = -1 };
	uint8_t frame[SLOT];
	uint64_t res = 0;
	uint32_t dev = 0, conn = 0, i;
	int rcvbuf = 8 << 20, ifindex, sock, ret;
	char why[128];
	ssize_t n;

	ret = vbg_load_module("vbus_venet");
	if (ret == -ENOENT)
		SKIP(return, "no vbus_venet.ko");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, vbg_dev_create(&self->g, VENET_CLASS, &dev));
	ASSERT_EQ(0, vbg_find_intf(&self->g, dev, &info));
	ASSERT_STREQ(VENET_INTF, info.type);
	ifindex = if_nametoindex(info.name);
	ASSERT_NE(0, ifindex) TH_LOG("interface \"%s\"", info.name);
	ASSERT_EQ(0, vbg_if_up(info.name));
	sock = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETHERTYPE));
	ASSERT_LE(0, sock);
	ASSERT_EQ(0, bind(sock, (struct sockaddr *)&(struct sockaddr_ll){
				.sll_family = AF_PACKET,
				.sll_protocol = htons(ETHERTYPE),
				.sll_ifindex = ifindex,
			  }, sizeof(struct sockaddr_ll)));
	ASSERT_EQ(0, setsockopt(sock, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
				sizeof(rcvbuf)));

	/* its rings in guest memory, kicked through ports */
	ASSERT_EQ(0, vbg_conn_open(&self->g, dev, VENET_INTF, VENET_VERSION,
				   -1, &conn));
	ASSERT_EQ(0, vbg_ring_init(&self->g, &tx, TX_RING, N));
	ASSERT_EQ(0, vbg_ring_init(&self->g, &rx, RX_RING, N));
	ASSERT_EQ(0, ioctl(self->k.vm_fd, KVM_IOEVENTFD, &(struct kvm_ioeventfd){
				.addr = VENET_KICK_PORT + 2 * VENET_SHM_TX,
				.len = 2,
				.fd = tx.kick,
				.flags = KVM_IOEVENTFD_FLAG_PIO }));
	ASSERT_EQ(0, ioctl(self->k.vm_fd, KVM_IOEVENTFD, &(struct kvm_ioeventfd){
				.addr = VENET_KICK_PORT + 2 * VENET_SHM_RX,
				.len = 2,
				.fd = rx.kick,
				.flags = KVM_IOEVENTFD_FLAG_PIO }));
	ASSERT_EQ(0, vbg_ring_attach(&self->g, conn, VENET_SHM_TX, &tx));
	ASSERT_EQ(0, vbg_ring_attach(&self->g, conn, VENET_SHM_RX, &rx));
	ASSERT_EQ(0, settle(&tx));
	EXPECT_EQ(0, read_sysfs(info.name, "carrier"));

	/* the guest's hypercalls go to the venet connection */
	ASSERT_EQ(KVM_EXIT_HLT, run_guest(self, conn, guest_venet_tx, TX_RING,
					  N, 0, &res))
		TH_LOG("%s", describe(self, why, sizeof(why)));
	EXPECT_EQ(1, self->hcalls);
	EXPECT_EQ(E_OK, RES_ERR(res))
		TH_LOG("guest: error %u at frame %u", RES_ERR(res),
		       RES_COUNT(res));
	ASSERT_EQ(N, RES_COUNT(res));
	/* the device was idle: nothing is sent on an interface without address */
	EXPECT_EQ(1, RES_KICKS(res));
	EXPECT_EQ(1, read_sysfs(info.name, "carrier"));

	for (i = 0; i < N; i++) {
		uint32_t j;

		ASSERT_EQ(1, poll(&(struct pollfd){ .fd = sock,
						    .events = POLLIN }, 1,
				  WAIT_MS)) TH_LOG("frame %u", i);
		n = recv(sock, frame, sizeof(frame), MSG_DONTWAIT);
		ASSERT_EQ(FRAME_LEN(i), n) TH_LOG("frame %u", i);
		for (j = 0; j < FRAME_LEN(i); j++)
			if (frame[j] != FRAME_BYTE(i, j))
				break;
		ASSERT_EQ(FRAME_LEN(i), j) TH_LOG("frame %u byte %u", i, j);
	}
	EXPECT_EQ(-1, recv(sock, frame, sizeof(frame), MSG_DONTWAIT));
	EXPECT_EQ(N, read_sysfs(info.name, "statistics/rx_packets"));
	EXPECT_EQ(0, read_sysfs(info.name, "statistics/rx_errors"));
	n = read(tx.call, &res, sizeof(res));
	EXPECT_EQ(sizeof(res), n) TH_LOG("no interrupt for the TX ring");

	close(sock);
	EXPECT_EQ(0, vbg_conn_close(&self->g, conn));
	EXPECT_EQ(0, vbg_dev_destroy(&self->g, dev));
	vbg_ring_fini(&tx);
	vbg_ring_fini(&rx);
}

TEST_HARNESS_MAIN
