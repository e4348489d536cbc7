// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtio-net device: two queues (rx 0, tx 1) of up to 256 entries, a
 * MAC address in the config space, and a tap on the host side.
 *
 * The VMM only describes the device; the packets never pass through it.
 * The features offered are VERSION_1, MRG_RXBUF and EVENT_IDX as far as
 * the backend (vhost.c) offers them, read with VHOST_GET_FEATURES, plus
 * MAC, which is the VMM's own (config space). VERSION_1 is required:
 * virtio-mmio version 2 has no legacy mode.
 *
 * The tap: IFF_TAP | IFF_NO_PI | IFF_VNET_HDR with a 12-byte virtio-net
 * header (TUNSETVNETHDRSZ), the size VERSION_1 uses whether or not
 * MRG_RXBUF is negotiated; no offloads, since the guest is offered no
 * checksum or segmentation features. The backend moves frames between
 * the rings and the tap; the host side configures the tap (address, up).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include "virtio.h"

#define NET_QUEUE_SIZE		256
#define NET_VNET_HDR_SIZE	12

/* Features the device may offer, if the backend has them */
#define NET_BACKEND_FEATURES	((1ULL << VIRTIO_F_VERSION_1) |		\
				 (1ULL << VIRTIO_NET_F_MRG_RXBUF) |	\
				 (1ULL << VIRTIO_RING_F_EVENT_IDX))
/* Features the VMM implements itself */
#define NET_VMM_FEATURES	(1ULL << VIRTIO_NET_F_MAC)

struct virtio_net {
	struct vm *vm;
	int index;
	struct virtio_mmio *transport;
	struct vhost *vhost;
	int tap_fd;
	char tap[IFNAMSIZ];
	uint8_t mac[6];
	uint64_t features;	/* offered to the driver */
	uint64_t acked;		/* negotiated, at the last start */
	int starts;
};

static uint64_t net_features(void *opaque)
{
	struct virtio_net *n = opaque;

	return n->features;
}

static uint8_t net_config(void *opaque, uint32_t offset)
{
	struct virtio_net *n = opaque;

	/* struct virtio_net_config: mac[6], then nothing this device has */
	if (offset < sizeof(n->mac))
		return n->mac[offset];
	return 0;
}

static int net_start(void *opaque, uint64_t features, struct virtio_queue *q,
		     const int *kick_fds, int call_fd)
{
	struct virtio_net *n = opaque;
	int ret;

	ret = vhost_start(n->vhost, features, q, 2, kick_fds, call_fd,
			  n->tap_fd);
	if (ret)
		return ret;
	n->acked = features;
	n->starts++;
	info("net: driver ready, rings with %s (features 0x%llx, rx %u/tx %u entries, rx ring at 0x%llx)",
	     vhost_name(n->vhost), (unsigned long long)features, q[0].num,
	     q[1].num, (unsigned long long)q[0].desc);
	return 0;
}

static void net_stop(void *opaque)
{
	struct virtio_net *n = opaque;

	vhost_stop(n->vhost);
}

static const struct virtio_device_ops net_ops = {
	.device_id = VIRTIO_ID_NET,
	.nr_queues = 2,
	.queue_max = NET_QUEUE_SIZE,
	.features = net_features,
	.config = net_config,
	.start = net_start,
	.stop = net_stop,
};

static int tap_open(struct virtio_net *n, const char *name)
{
	struct ifreq ifr;
	int hdr = NET_VNET_HDR_SIZE;

	if (strlen(name) >= IFNAMSIZ) {
		error("cannot create tap %s: name longer than %d characters",
		      name, IFNAMSIZ - 1);
		return -EINVAL;
	}
	n->tap_fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (n->tap_fd < 0) {
		error("cannot create tap %s: /dev/net/tun: %s", name,
		      strerror(errno));
		return -errno;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(n->tap_fd, TUNSETIFF, &ifr)) {
		error("cannot create tap %s: TUNSETIFF: %s", name,
		      strerror(errno));
		return -errno;
	}
	memcpy(n->tap, ifr.ifr_name, IFNAMSIZ);
	n->tap[IFNAMSIZ - 1] = '\0';
	if (ioctl(n->tap_fd, TUNSETVNETHDRSZ, &hdr)) {
		error("tap %s: TUNSETVNETHDRSZ %d: %s", n->tap, hdr,
		      strerror(errno));
		return -errno;
	}
	if (ioctl(n->tap_fd, TUNSETOFFLOAD, 0)) {
		error("tap %s: TUNSETOFFLOAD: %s", n->tap, strerror(errno));
		return -errno;
	}
	return 0;
}

struct virtio_net *net_create(struct vm *vm, int index)
{
	struct virtio_net *n;
	uint64_t backend;

	n = calloc(1, sizeof(*n));
	if (!n) {
		error("out of memory");
		return NULL;
	}
	n->vm = vm;
	n->index = index;
	n->tap_fd = -1;
	/* Locally administered, QEMU's prefix; one per device */
	memcpy(n->mac, (uint8_t[]){ 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }, 6);
	n->mac[5] += index;

	/* Backend first: a missing device is the likelier error */
	n->vhost = vhost_open(vm, vm->cfg->net);
	if (!n->vhost)
		goto err;
	backend = vhost_features(n->vhost);
	if (!(backend & (1ULL << VIRTIO_F_VERSION_1))) {
		error("%s does not offer VIRTIO_F_VERSION_1 (features 0x%llx)",
		      vhost_name(n->vhost), (unsigned long long)backend);
		goto err;
	}
	n->features = (backend & NET_BACKEND_FEATURES) | NET_VMM_FEATURES;

	if (tap_open(n, vm->cfg->tap))
		goto err;

	n->transport = virtio_mmio_create(vm, index, &net_ops, n);
	if (!n->transport)
		goto err;

	info("net: virtio-net at 0x%llx irq %d, mac %02x:%02x:%02x:%02x:%02x:%02x, backend %s (features 0x%llx, offered 0x%llx), tap %s",
	     (unsigned long long)virtio_mmio_base(n->transport),
	     virtio_mmio_irq(n->transport), n->mac[0], n->mac[1], n->mac[2],
	     n->mac[3], n->mac[4], n->mac[5], vhost_name(n->vhost),
	     (unsigned long long)backend, (unsigned long long)n->features,
	     n->tap);
	return n;
err:
	net_destroy(n);
	return NULL;
}

/* Counter @name of network interface @ifname, from sysfs */
int netdev_stat(const char *ifname, const char *name, uint64_t *v)
{
	char path[128];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s",
		 ifname, name);
	f = fopen(path, "re");
	if (!f)
		return -1;
	ok = fscanf(f, "%" SCNu64, v) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

/* Prints the packets that went through the backend, from the tap's view */
void net_stats(struct virtio_net *n)
{
	uint64_t rxp, rxb, txp, txb, errors[VIRTIO_MAX_QUEUES];

	if (!n)
		return;
	if (vhost_errors(n->vhost, errors))
		warning("net: %s signalled ring errors: rx %" PRIu64 ", tx %" PRIu64,
			vhost_name(n->vhost), errors[0], errors[1]);
	if (netdev_stat(n->tap, "rx_packets", &rxp) ||
	    netdev_stat(n->tap, "rx_bytes", &rxb) ||
	    netdev_stat(n->tap, "tx_packets", &txp) ||
	    netdev_stat(n->tap, "tx_bytes", &txb)) {
		info("net %s: no statistics for tap %s",
		     vhost_name(n->vhost), n->tap);
		return;
	}
	/* The tap receives what the guest sends, and the reverse */
	info("net %s: guest tx %" PRIu64 " packets %" PRIu64 " bytes, guest rx %" PRIu64 " packets %" PRIu64 " bytes (tap %s), driver started %d time(s), features 0x%llx",
	     vhost_name(n->vhost), rxp, rxb, txp, txb, n->tap, n->starts,
	     (unsigned long long)n->acked);
}

void net_destroy(struct virtio_net *n)
{
	if (!n)
		return;
	/* Stops the backend if the rings are live, then unwires KVM */
	virtio_mmio_destroy(n->transport);
	vhost_close(n->vhost);
	if (n->tap_fd >= 0)
		close(n->tap_fd);
	free(n);
}
