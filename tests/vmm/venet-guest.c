// SPDX-License-Identifier: GPL-2.0-only
/*
 * venet-guest: a freestanding guest program that drives a venet device
 * through vas-vmm's vbus proxy (tools/vas-vmm/vbus-proxy.h):
 *
 *	vas-vmm --program venet-guest.bin --venet -m 64
 *
 * vas-vmm loads it at 1 MiB and enters _start in long mode with identity
 * paging (an address is its guest-physical address), interrupts off and
 * a stack. It asks the device for its MAC address (non-zero), negotiates
 * VENET_CAP_STATS, brings the link up, lays out its transmit ring
 * (VENET_SHM_TX, TX_COUNT descriptors) and an empty receive ring
 * (VENET_SHM_RX: the device serves its rings once both are there) in its
 * own memory and hands both over, then sends NR_FRAMES ethernet frames of
 * FRAME_LEN bytes: broadcast, from the device's MAC, ethertype 0x88b5
 * (local experimental), the payload "venet-guest frame NN" and then the
 * bytes NN, NN + 1, ... The frames go round the ring twice, each
 * descriptor reused once the device handed it back. A kick follows the
 * shm-signal protocol of <linux/vbus_ring.h>; the device never
 * interrupts, the program polls its ring (sown) with a deadline; each
 * frame must come back in order with used == FRAME_LEN (it reached the
 * host's stack). Last, VENET_FUNC_STATS must count NR_FRAMES frames sent.
 *
 * Build (gcc, the kernel's installed uAPI headers):
 *
 *	gcc -ffreestanding -nostdlib -fno-pic -no-pie -mno-red-zone -static
 *	    -O2 -mgeneral-regs-only -fno-stack-protector -fcf-protection=none
 *	    -fno-asynchronous-unwind-tables -Wl,--build-id=none
 *	    -isystem USR/include -I tools/vas-vmm -T tests/vmm/venet-guest.ld
 *	    -o venet-guest.elf tests/vmm/venet-guest.c
 *	objcopy -O binary venet-guest.elf venet-guest.bin
 *
 * (-mgeneral-regs-only: the vCPU starts without SSE enabled in CR4.)
 *
 * It reports on the UART ("venet-guest: ..." lines on vas-vmm's stdout)
 * and ends by writing its status to port 0x501, then halts: 0 if
 * everything passed, else the code of the first failure (enum vg_status).
 */
#include <stddef.h>
#include <stdint.h>

#include <linux/vbus_ring.h>
#include <linux/venet.h>

#include "vbus-proxy.h"

#define NR_FRAMES	32
#define TX_COUNT	16	/* a power of two, NR_FRAMES / 2 */
#define RX_COUNT	16
#define FRAME_LEN	64	/* header and payload, no FCS */
#define FRAME_SLOT	128	/* room per transmit buffer */
#define ETHERTYPE	0x88b5
#define ETH_HLEN	14

#define PORT_UART	0x3f8
#define PORT_STATUS	0x501

/* About 10 s at 3 GHz; the host's test allows much more */
#define DEADLINE_TSC	(1ULL << 35)

/* The exit status: what went wrong first */
enum vg_status {
	VG_OK = 0,
	VG_NO_PROXY = 10,	/* port 0x520 does not read the magic */
	VG_MACQUERY = 11,	/* VENET_FUNC_MACQUERY failed */
	VG_MAC_ZERO = 12,	/* it gave 00:00:00:00:00:00 */
	VG_NEGCAP = 13,		/* VENET_CAP_STATS not accepted */
	VG_LINKUP = 14,		/* VENET_FUNC_LINKUP failed */
	VG_TX_RING = 15,	/* the proxy did not take the transmit ring */
	VG_RX_RING = 16,	/* nor the receive ring */
	VG_TIMEOUT = 17,	/* frames not handed back by the deadline */
	VG_ORDER = 18,		/* handed back out of order */
	VG_DROPPED = 19,	/* handed back with used != FRAME_LEN */
	VG_STATS = 20,		/* VENET_FUNC_STATS failed */
	VG_TX_PACKETS = 21,	/* its tx_packets is not NR_FRAMES */
	VG_TX_ERRORS = 22,	/* the device counted frames it did not deliver */
};

/* The guest's end of an ioq ring */
struct ring {
	struct ioq_ring_head *head;
	uint32_t count;
	uint32_t next;		/* descriptors handed over */
	uint32_t reap;		/* descriptors taken back */
	uint16_t kick_port;
	uint32_t kicks;
};

#define RING_BYTES(n)	(sizeof(struct ioq_ring_head) + \
			 (n) * sizeof(struct ioq_ring_desc))

static uint8_t tx_mem[RING_BYTES(TX_COUNT)] __attribute__((aligned(64)));
static uint8_t rx_mem[RING_BYTES(RX_COUNT)] __attribute__((aligned(64)));
static uint8_t tx_buf[TX_COUNT][FRAME_SLOT] __attribute__((aligned(64)));
static struct vbus_proxy_req req;
static uint8_t mac[8];
static struct venet_capabilities caps;
static struct venet_stats stats;
static struct ring tx, rx;

int venet_main(void);

/* _start: clear .bss, align the stack, run, write the status, halt */
__asm__(".section .text.start, \"ax\"\n"
	".globl _start\n"
	"_start:\n"
	"	cld\n"
	"	lea __bss_start(%rip), %rdi\n"
	"	lea __bss_end(%rip), %rcx\n"
	"	sub %rdi, %rcx\n"
	"	xor %eax, %eax\n"
	"	rep stosb\n"
	"	and $-16, %rsp\n"
	"	call venet_main\n"
	"	mov $0x501, %dx\n"
	"	out %al, %dx\n"
	"1:	cli\n"
	"	hlt\n"
	"	jmp 1b\n"
	".previous\n");

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}

/* rep stosb: a loop here could be turned into a call to memset */
static void zero(void *p, size_t n)
{
	__asm__ volatile("rep stosb"
			 : "+D"(p), "+c"(n) : "a"(0) : "memory");
}

/* ------------------------------------------------------------ the UART */

static void put_str(const char *s)
{
	while (*s)
		outb(PORT_UART, *s++);
}

static void put_dec(uint64_t v)
{
	char buf[21];
	int i = sizeof(buf) - 1;

	buf[i] = '\0';
	do {
		buf[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	put_str(&buf[i]);
}

static void put_hex8(uint8_t v)
{
	static const char digits[] = "0123456789abcdef";

	outb(PORT_UART, digits[v >> 4]);
	outb(PORT_UART, digits[v & 0xf]);
}

static void say(const char *s)
{
	put_str("venet-guest: ");
	put_str(s);
}

/* "venet-guest: FAIL what (result)"; returns @status */
static int fail(int status, const char *what, int64_t result)
{
	say("FAIL ");
	put_str(what);
	put_str(" (");
	if (result < 0) {
		put_str("-");
		result = -result;
	}
	put_dec(result);
	put_str(")\n");
	return status;
}

/* ------------------------------------------------------------ the proxy */

/* VBUS_CONN_CALL of @func with @len bytes at @data: the device's result */
static int32_t call(uint32_t func, void *data, uint32_t len)
{
	zero(&req, sizeof(req));
	req.op = VBUS_PROXY_OP_CALL;
	req.func = func;
	req.gpa = (uintptr_t)data;
	req.len = len;
	outl(VBUS_PROXY_PORT, (uint32_t)(uintptr_t)&req);
	return req.result;
}

/* ------------------------------------------------------------ rings */

static void ring_init(struct ring *r, void *mem, uint32_t count)
{
	struct ioq_ring_head *h = mem;

	zero(mem, RING_BYTES(count));
	h->magic = IOQ_RING_MAGIC;
	h->ver = IOQ_RING_VER;
	h->signal.magic = SHM_SIGNAL_MAGIC;
	h->signal.ver = SHM_SIGNAL_VER;
	/* NORTH.enabled stays 0: this guest polls, it wants no interrupt */
	h->count = count;
	r->head = h;
	r->count = count;
	r->next = r->reap = 0;
}

/* Hands the ring to the device as region @shm_id: 0 or -errno */
static int32_t ring_attach(struct ring *r, uint32_t shm_id)
{
	zero(&req, sizeof(req));
	req.op = VBUS_PROXY_OP_SHM;
	req.func = shm_id;
	req.gpa = (uintptr_t)r->head;
	req.len = RING_BYTES(r->count);
	req.signal_offset = offsetof(struct ioq_ring_head, signal);
	outl(VBUS_PROXY_PORT, (uint32_t)(uintptr_t)&req);
	if (!req.result)
		r->kick_port = req.kick_port;
	return req.result;
}

/* Hands a buffer over; 0 if every descriptor is the device's */
static int ring_post(struct ring *r, void *buf, uint32_t len, uint64_t cookie)
{
	struct ioq_ring_desc *d = &r->head->ring[r->next & (r->count - 1)];

	if (r->next - r->reap == r->count)
		return 0;
	d->cookie = cookie;
	d->ptr = (uintptr_t)buf;
	d->len = len;
	d->used = 0;
	/* the descriptor is filled before the device may take it */
	__atomic_store_n(&d->sown, 1, __ATOMIC_RELEASE);
	r->next++;
	__atomic_store_n(&r->head->head, r->next, __ATOMIC_RELEASE);
	return 1;
}

/*
 * The guest's side of the signal: mark the device dirty, and kick it if
 * it wants signals and has none pending. pending is set before the OUT:
 * KVM delivers the kick at once, and the device's work, which clears
 * pending when it starts looking, may run before the next instruction;
 * a pending set after that would stay set and silence every later kick.
 */
static void ring_kick(struct ring *r)
{
	struct shm_signal_irq *irq = &r->head->signal.irq[SHM_SIGNAL_SOUTH];

	__atomic_store_n(&irq->dirty, 1, __ATOMIC_RELAXED);
	/* dirty is visible before enabled is read; pairs with the device */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&irq->enabled, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&irq->pending, __ATOMIC_RELAXED))
		return;
	__atomic_store_n(&irq->pending, 1, __ATOMIC_RELAXED);
	outb(r->kick_port, 0);
	r->kicks++;
}

/* Takes back the oldest descriptor if the device handed it back */
static int ring_reap(struct ring *r, struct ioq_ring_desc *out)
{
	struct ioq_ring_desc *d = &r->head->ring[r->reap & (r->count - 1)];

	if (r->reap == r->next || __atomic_load_n(&d->sown, __ATOMIC_ACQUIRE))
		return 0;
	out->cookie = d->cookie;
	out->used = d->used;
	r->reap++;
	return 1;
}

/* ------------------------------------------------------------ frames */

static void make_frame(uint8_t *f, uint32_t seq)
{
	static const char text[] = "venet-guest frame ";
	uint32_t i, n = 0;

	for (i = 0; i < 6; i++) {
		f[i] = 0xff;		/* broadcast */
		f[6 + i] = mac[i];	/* from the device's address */
	}
	f[12] = ETHERTYPE >> 8;
	f[13] = ETHERTYPE & 0xff;
	for (i = 0; text[i]; i++)
		f[ETH_HLEN + n++] = text[i];
	f[ETH_HLEN + n++] = '0' + seq / 10 % 10;
	f[ETH_HLEN + n++] = '0' + seq % 10;
	for (i = ETH_HLEN + n; i < FRAME_LEN; i++)
		f[i] = seq + i;
}

/* Sends NR_FRAMES frames and waits for every descriptor back */
static int transmit(void)
{
	uint64_t deadline = rdtsc() + DEADLINE_TSC;
	struct ioq_ring_desc d;
	uint32_t sent = 0, done = 0;

	while (done < NR_FRAMES) {
		/* A buffer is written only once its descriptor is back */
		while (sent < NR_FRAMES && tx.next - tx.reap < TX_COUNT) {
			uint8_t *f = tx_buf[tx.next & (TX_COUNT - 1)];

			make_frame(f, sent);
			ring_post(&tx, f, FRAME_LEN, sent);
			ring_kick(&tx);
			sent++;
		}
		while (ring_reap(&tx, &d)) {
			if (d.cookie != done)
				return fail(VG_ORDER, "frame handed back out of order, cookie",
					    d.cookie);
			if (d.used != FRAME_LEN)
				return fail(VG_DROPPED, "frame dropped by the device, used",
					    d.used);
			done++;
		}
		if (done < NR_FRAMES && rdtsc() > deadline)
			return fail(VG_TIMEOUT, "frames not handed back in time, handed back",
				    done);
		cpu_relax();
	}
	say("sent ");
	put_dec(sent);
	put_str(" frames, all handed back; ");
	put_dec(tx.kicks);
	put_str(" kicks\n");
	return VG_OK;
}

static int run(void)
{
	int32_t ret;
	int i, status;

	say("start\n");
	if (inl(VBUS_PROXY_PORT) != VBUS_PROXY_MAGIC)
		return fail(VG_NO_PROXY, "no vbus proxy at port 0x520 (--venet?)",
			    0);

	ret = call(VENET_FUNC_MACQUERY, mac, sizeof(mac));
	if (ret != 6)
		return fail(VG_MACQUERY, "VENET_FUNC_MACQUERY", ret);
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return fail(VG_MAC_ZERO, "MAC address is zero", 0);
	say("mac ");
	for (i = 0; i < 6; i++) {
		put_hex8(mac[i]);
		put_str(i < 5 ? ":" : "\n");
	}

	caps.gid = VENET_CAP_GROUP_GENERIC;
	caps.bits = VENET_CAP_STATS;
	ret = call(VENET_FUNC_NEGCAP, &caps, sizeof(caps));
	if (ret != sizeof(caps))
		return fail(VG_NEGCAP, "VENET_FUNC_NEGCAP", ret);
	if (!(caps.bits & VENET_CAP_STATS))
		return fail(VG_NEGCAP, "VENET_CAP_STATS not accepted, bits",
			    caps.bits);

	ret = call(VENET_FUNC_LINKUP, NULL, 0);
	if (ret)
		return fail(VG_LINKUP, "VENET_FUNC_LINKUP", ret);

	ring_init(&tx, tx_mem, TX_COUNT);
	ring_init(&rx, rx_mem, RX_COUNT);
	ret = ring_attach(&tx, VENET_SHM_TX);
	if (ret)
		return fail(VG_TX_RING, "transmit ring not taken", ret);
	ret = ring_attach(&rx, VENET_SHM_RX);
	if (ret)
		return fail(VG_RX_RING, "receive ring not taken", ret);
	say("link up, rings attached, kick port ");
	put_dec(tx.kick_port);
	put_str("\n");

	status = transmit();
	if (status)
		return status;

	ret = call(VENET_FUNC_STATS, &stats, sizeof(stats));
	if (ret != sizeof(stats))
		return fail(VG_STATS, "VENET_FUNC_STATS", ret);
	say("device stats: tx_packets ");
	put_dec(stats.tx_packets);
	put_str(" tx_bytes ");
	put_dec(stats.tx_bytes);
	put_str(" tx_errors ");
	put_dec(stats.tx_errors);
	put_str("\n");
	if (stats.tx_packets != NR_FRAMES)
		return fail(VG_TX_PACKETS, "tx_packets", stats.tx_packets);
	if (stats.tx_errors)
		return fail(VG_TX_ERRORS, "tx_errors", stats.tx_errors);
	return VG_OK;
}

/* Called by _start, which writes the result to port 0x501 */
int venet_main(void)
{
	int status = run();

	say("status ");
	put_dec(status);
	put_str("\n");
	return status;
}
