// SPDX-License-Identifier: GPL-2.0-only
/*
 * vhost-xi-net against stock vhost-net, in one boot: the same userspace
 * virtio-net driver (tests/selftests/vhost-xi/vring_driver.h) with 256
 * buffers in flight drives /dev/vhost-net (VHOST_SET_MEM_TABLE, the anchor)
 * and /dev/vhost-xi-net (a vas, guest-physical ring addresses), with and
 * without the rings mapped into the kernel (the module's ring_maps).
 * TX: frames go out of the tap into the host stack, which drops them. RX:
 * frames sent into the tap with AF_PACKET land in the driver's buffers.
 * Rounds alternate between the devices; each figure is the best round.
 * Prints packets per second and the ratio vhost-xi / vhost-net.
 */
#include <stdlib.h>

#include "../selftests/vhost-xi/vring_driver.h"

#define ROUNDS		5
#define PACKETS		1024	/* per round */

enum config { VHOST_NET, XI_VAS_READ, XI_RING_MAPS, NCONFIGS };

static const char *const config_name[NCONFIGS] = {
	"vhost-net", "vhost-xi (vas_read rings)", "vhost-xi (mapped rings)",
};

static int set_ring_maps(bool on)
{
	int fd = open("/sys/module/vhost_xi_net/parameters/ring_maps", O_WRONLY);
	int ret;

	if (fd < 0)
		return -errno;
	ret = write(fd, on ? "1" : "0", 1) == 1 ? 0 : -errno;
	close(fd);
	return ret;
}

/* Packets per second of one round, or a negative errno */
static double tx_round(struct vdrv *d, size_t len)
{
	struct vdrv_queue *q = &d->q[VDRV_TX];
	uint64_t start = vdrv_now_ns();
	unsigned int sent = 0, i;
	int ret;

	for (i = 0; i < VDRV_NUM; i++)
		vdrv_post_tx(q, i, len, i);
	while (sent < PACKETS) {
		uint16_t done = q->used_idx;

		vdrv_kick(q);
		ret = vdrv_wait_used(q, q->avail_idx, 10000);
		if (ret)
			return ret;
		/* repost what was used: the same slots, the same frames */
		while (q->used_idx != vdrv_used_idx(q)) {
			struct vring_used_elem *e = &q->used->ring[q->used_idx++ % VDRV_NUM];

			vdrv_add(q, e->id);
		}
		sent += (uint16_t)(q->used_idx - done);
	}
	return sent * 1e9 / (vdrv_now_ns() - start);
}

static double rx_round(struct vdrv *d, size_t len)
{
	struct vdrv_queue *q = &d->q[VDRV_RX];
	uint8_t frame[VDRV_SLOT];
	unsigned int got = 0, i;
	uint64_t start;
	int ret;

	vdrv_frame(frame, len, 0);
	for (i = 0; i < VDRV_NUM; i++)
		vdrv_post_rx(q, i, VDRV_SLOT);
	vdrv_kick(q);
	start = vdrv_now_ns();
	while (got < PACKETS) {
		/* as many frames as there are buffers */
		for (i = 0; i < VDRV_NUM; i++) {
			ret = vdrv_inject(d, frame, len);
			if (ret)
				return ret;
		}
		ret = vdrv_wait_used(q, q->used_idx + VDRV_NUM, 10000);
		if (ret)
			return ret;
		while (q->used_idx != vdrv_used_idx(q)) {
			struct vring_used_elem *e = &q->used->ring[q->used_idx++ % VDRV_NUM];

			vdrv_add(q, e->id);
			got++;
		}
		vdrv_kick(q);
	}
	return got * 1e9 / (vdrv_now_ns() - start);
}

static double round_pps(enum config c, bool tx, size_t len)
{
	struct vdrv d;
	double pps;
	int ret;

	if (c != VHOST_NET && set_ring_maps(c == XI_RING_MAPS))
		return -1;
	ret = vdrv_open(&d, c == VHOST_NET ? VDRV_VHOST_NET : VDRV_VHOST_XI,
			(1ULL << VIRTIO_RING_F_EVENT_IDX) |
			(1ULL << VIRTIO_NET_F_MRG_RXBUF), false);
	if (ret) {
		printf("bench: vhost-xi-net: %s setup failed: %s\n",
		       config_name[c], strerror(-ret));
		vdrv_close(&d);
		return ret;
	}
	if (tx) {
		/* nobody reads what the device sends */
		close(d.packet);
		d.packet = -1;
	}
	pps = tx ? tx_round(&d, len) : rx_round(&d, len);
	vdrv_close(&d);
	return pps;
}

int main(void)
{
	static const size_t lens[] = { 64, 1500 };
	double best[2][2][NCONFIGS] = {};
	int ret, r, c, dir, l;

	ret = vdrv_load_vhost_xi();
	if (ret) {
		printf("bench: vhost-xi-net: cannot load the module: %s\n",
		       strerror(-ret));
		return 1;
	}
	for (r = 0; r < ROUNDS; r++)
		for (dir = 0; dir < 2; dir++)
			for (l = 0; l < 2; l++)
				for (c = 0; c < NCONFIGS; c++) {
					double pps = round_pps(c, dir, lens[l]);

					if (pps < 0)
						return 1;
					if (pps > best[dir][l][c])
						best[dir][l][c] = pps;
				}
	set_ring_maps(true);

	printf("bench: vhost-xi-net: %d buffers in flight, best of %d rounds of %d packets; ratio = vhost-xi / vhost-net, same boot\n",
	       VDRV_NUM, ROUNDS, PACKETS);
	for (dir = 0; dir < 2; dir++)
		for (l = 0; l < 2; l++) {
			double anchor = best[dir][l][VHOST_NET];

			printf("bench: vhost-xi-net %s %4zu B: vhost-net %7.0f pps, vas_read rings %7.0f pps ratio %.2f, mapped rings %7.0f pps ratio %.2f\n",
			       dir ? "TX" : "RX", lens[l], anchor,
			       best[dir][l][XI_VAS_READ],
			       best[dir][l][XI_VAS_READ] / anchor,
			       best[dir][l][XI_RING_MAPS],
			       best[dir][l][XI_RING_MAPS] / anchor);
		}
	return 0;
}
