// SPDX-License-Identifier: GPL-2.0-only
/*
 * vbus (--venet): a venet device on a bus bound to the guest's vas, and
 * the vbus proxy, the ports through which the guest uses it.
 *
 * At start: open("/dev/vbus") (a bus of its own, owned by that fd),
 * VBUS_SET_VAS with the vas KVM is bound to, VBUS_DEV_CREATE of class
 * "venet", VBUS_DEV_LIST for the host interface the device made (venetN),
 * VBUS_CONN_OPEN of its "virtual-ethernet" interface: the guest gets that
 * one connection. The VMM brings the interface up (IFF_UP), as it would
 * a tap it made for the guest: the host stack drops whatever arrives on
 * an interface that is down, and the guest may send from its first
 * instruction. Its addresses and the rest are the host's business.
 *
 * The proxy (its protocol is in vbus-proxy.h) turns the guest's requests
 * into VBUS_CONN_CALL and VBUS_CONN_SHM on that connection. Each region
 * gets a kick eventfd that is a KVM_IOEVENTFD on a port of its own (one
 * byte, any value), so a kick goes from the guest to the device without
 * the VMM; a wider access to that port exits, and the VMM writes the
 * eventfd itself. There is no call eventfd: the guest polls. Requests run
 * in the vCPU's thread under vm->io_lock, like every exit; a request the
 * device refuses is the guest's affair and is reported to it, and logged.
 *
 * At exit: the interface's counters for the summary, then the bus fd is
 * closed (vbus closes the connection, unmaps the regions and destroys the
 * device, whose interface goes with it), then the ioeventfds and their
 * eventfds.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <linux/if.h>
#include <linux/vbus.h>
#include <linux/venet.h>

#include "vas-vmm.h"
#include "vbus-proxy.h"

#define VBUS_DEV		"/dev/vbus"
#define VBUS_LIST_MAX		8

/* A region handed to the device, and the port that kicks it */
struct vbus_region {
	uint32_t shm_id;
	uint16_t port;
	int kick_fd;
};

struct vbus_proxy {
	struct vm *vm;
	int fd;			/* the bus */
	uint32_t dev_id;
	uint32_t conn_id;
	char ifname[IFNAMSIZ];
	struct vbus_region region[VBUS_PROXY_MAX_SHMS];
	int nr_regions;
	/* The guest's requests */
	uint64_t calls;
	uint64_t failed;
	uint64_t slow_kicks;	/* wider than a byte: through the VMM */
	uint64_t bad;		/* not even a request */
};

static int set_ioeventfd(struct vbus_proxy *p, struct vbus_region *r,
			 bool assign)
{
	struct kvm_ioeventfd ev = {
		.addr = r->port,
		.len = 1,
		.fd = r->kick_fd,
		.flags = KVM_IOEVENTFD_FLAG_PIO |
			 (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN),
	};

	return ioctl(p->vm->vm_fd, KVM_IOEVENTFD, &ev) ? -errno : 0;
}

/* The name of the host interface of device @p->dev_id */
static int find_ifname(struct vbus_proxy *p)
{
	struct vbus_intf_info info[VBUS_LIST_MAX];
	struct vbus_dev_list list = {
		.size = sizeof(list),
		.num_intfs = VBUS_LIST_MAX,
		.intfs = (uintptr_t)info,
	};
	uint32_t i, n;

	/* One device on a bus of our own: EMSGSIZE cannot hide it */
	if (ioctl(p->fd, VBUS_DEV_LIST, &list) && errno != EMSGSIZE) {
		error("VBUS_DEV_LIST: %s", strerror(errno));
		return -1;
	}
	n = list.num_intfs < VBUS_LIST_MAX ? list.num_intfs : VBUS_LIST_MAX;
	for (i = 0; i < n; i++) {
		if (info[i].dev_id != p->dev_id ||
		    strcmp(info[i].type, VENET_INTF))
			continue;
		if (!memchr(info[i].name, '\0', IFNAMSIZ) || !info[i].name[0]) {
			error("venet device %u: host interface name \"%.*s\" is not a network interface's",
			      p->dev_id, (int)sizeof(info[i].name),
			      info[i].name);
			return -1;
		}
		strcpy(p->ifname, info[i].name);
		return 0;
	}
	error("venet device %u has no %s interface in VBUS_DEV_LIST",
	      p->dev_id, VENET_INTF);
	return -1;
}

/* IFF_UP on the host interface */
static int ifup(const char *name)
{
	struct ifreq ifr;
	int s, ret = 0;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(s, SIOCGIFFLAGS, &ifr)) {
		ret = -errno;
	} else {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr))
			ret = -errno;
	}
	close(s);
	return ret;
}

static int bus_open(struct vbus_proxy *p)
{
	struct vbus_set_vas set = {
		.size = sizeof(set),
		.vas_fd = p->vm->vas_fd,
	};

	p->fd = open(VBUS_DEV, O_RDWR | O_CLOEXEC);
	if (p->fd < 0) {
		if (errno == ENOENT)
			error("no " VBUS_DEV ": is the vbus module loaded?");
		else
			error("cannot open " VBUS_DEV ": %s", strerror(errno));
		return -1;
	}
	if (ioctl(p->fd, VBUS_SET_VAS, &set)) {
		error("VBUS_SET_VAS: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int vbus_venet_open(struct vbus_proxy *p)
{
	struct vbus_dev_create create = {
		.size = sizeof(create),
		.devclass = VENET_CLASS,
	};
	struct vbus_conn_open conn = {
		.size = sizeof(conn),
		.version = VENET_VERSION,
		.err_fd = -1,
		.type = VENET_INTF,
	};
	int ret;

	if (ioctl(p->fd, VBUS_DEV_CREATE, &create)) {
		if (errno == ENOENT)
			error("no \"" VENET_CLASS "\" device class on " VBUS_DEV ": is the vbus_venet module loaded?");
		else if (errno == EPERM)
			error("cannot create a venet device: %s (it takes CAP_NET_ADMIN)",
			      strerror(errno));
		else
			error("VBUS_DEV_CREATE " VENET_CLASS ": %s",
			      strerror(errno));
		return -1;
	}
	p->dev_id = create.id;
	if (find_ifname(p))
		return -1;
	ret = ifup(p->ifname);
	if (ret) {
		error("cannot bring %s up: %s", p->ifname, strerror(-ret));
		return -1;
	}
	conn.dev_id = p->dev_id;
	if (ioctl(p->fd, VBUS_CONN_OPEN, &conn)) {
		error("VBUS_CONN_OPEN %s version %d: %s", VENET_INTF,
		      VENET_VERSION, strerror(errno));
		return -1;
	}
	p->conn_id = conn.id;
	return 0;
}

struct vbus_proxy *vbus_create(struct vm *vm)
{
	struct vbus_proxy *p;

	p = calloc(1, sizeof(*p));
	if (!p) {
		error("out of memory");
		return NULL;
	}
	p->vm = vm;
	p->fd = -1;
	if (bus_open(p) || vbus_venet_open(p)) {
		vbus_destroy(p);
		return NULL;
	}
	info("venet: device %u on " VBUS_DEV " (bound to vas fd %d), host interface %s (up), connection %u; vbus proxy at port 0x%x, kick ports from 0x%x",
	     p->dev_id, vm->vas_fd, p->ifname, p->conn_id, VBUS_PROXY_PORT,
	     VBUS_PROXY_KICK_BASE);
	return p;
}

static int proxy_call(struct vbus_proxy *p, const struct vbus_proxy_req *req)
{
	struct vbus_conn_call args = {
		.size = sizeof(args),
		.id = p->conn_id,
		.func = req->func,
		.data = req->gpa,
		.len = req->len,
	};
	int ret;

	if (req->len > UINT32_MAX)
		return -EINVAL;
	p->calls++;
	ret = ioctl(p->fd, VBUS_CONN_CALL, &args);
	return ret < 0 ? -errno : ret;
}

static int proxy_shm(struct vbus_proxy *p, struct vbus_proxy_req *req)
{
	struct vbus_region *r = &p->region[p->nr_regions];
	struct vbus_conn_shm args = {
		.size = sizeof(args),
		.flags = VBUS_SHM_SIGNAL,
		.id = p->conn_id,
		.shm_id = req->func,
		.gpa = req->gpa,
		.len = req->len,
		.signal_offset = req->signal_offset,
		.call_fd = -1,
	};
	int ret;

	if (p->nr_regions == VBUS_PROXY_MAX_SHMS)
		return -ENOSPC;
	r->shm_id = req->func;
	r->port = VBUS_PROXY_KICK_BASE + p->nr_regions;
	r->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->kick_fd < 0) {
		ret = -errno;
		warning("vbus proxy: kick eventfd: %s", strerror(-ret));
		return ret;
	}
	ret = set_ioeventfd(p, r, true);
	if (ret) {
		warning("vbus proxy: KVM_IOEVENTFD at port 0x%x: %s", r->port,
			strerror(-ret));
		goto err;
	}
	args.kick_fd = r->kick_fd;
	if (ioctl(p->fd, VBUS_CONN_SHM, &args)) {
		ret = -errno;
		set_ioeventfd(p, r, false);
		goto err;
	}
	p->nr_regions++;
	req->kick_port = r->port;
	info("venet: region %u at 0x%llx (%llu bytes, signal at +0x%llx), kick port 0x%x",
	     req->func, (unsigned long long)req->gpa,
	     (unsigned long long)req->len,
	     (unsigned long long)req->signal_offset, r->port);
	return 0;
err:
	close(r->kick_fd);
	r->kick_fd = -1;
	return ret;
}

/* Runs the request at guest @gpa and writes its result there */
static void proxy_request(struct vbus_proxy *p, uint32_t gpa)
{
	struct vbus_proxy_req *block, req;

	block = gpa_to_hva(p->vm, gpa, sizeof(*block));
	if (!block) {
		if (!p->bad++)
			info("vbus proxy: request at 0x%x is not in guest RAM; ignored (the first such)",
			     gpa);
		return;
	}
	memcpy(&req, block, sizeof(req));
	switch (req.op) {
	case VBUS_PROXY_OP_CALL:
		req.result = proxy_call(p, &req);
		break;
	case VBUS_PROXY_OP_SHM:
		req.result = proxy_shm(p, &req);
		break;
	default:
		req.result = -EINVAL;
	}
	if (req.result < 0) {
		p->failed++;
		info("vbus proxy: request at 0x%x (op %u, func %u, at 0x%llx, %llu bytes): %s",
		     gpa, req.op, req.func, (unsigned long long)req.gpa,
		     (unsigned long long)req.len, strerror(-req.result));
	}
	block->result = req.result;
	block->kick_port = req.kick_port;
}

bool vbus_pio(struct vbus_proxy *p, uint16_t port, bool out, int size,
	      uint8_t *data)
{
	uint32_t v = VBUS_PROXY_MAGIC;
	uint64_t one = 1;
	int i;

	if (port == VBUS_PROXY_PORT) {
		if (!out) {
			memcpy(data, &v, size < 4 ? size : 4);
		} else if (size == 4) {
			memcpy(&v, data, 4);
			proxy_request(p, v);
		} else if (!p->bad++) {
			info("vbus proxy: %d-byte OUT to port 0x%x, not 4; ignored (the first such)",
			     size, port);
		}
		return true;
	}
	for (i = 0; i < p->nr_regions; i++) {
		if (port != p->region[i].port)
			continue;
		if (!out) {
			memset(data, 0xff, size);
		} else if (write(p->region[i].kick_fd, &one, sizeof(one)) ==
			   sizeof(one)) {
			p->slow_kicks++;
		}
		return true;
	}
	return false;
}

/* What the guest asked for, and the host interface's view of its frames */
void vbus_stats(struct vbus_proxy *p)
{
	uint64_t rxp, rxb, txp, txb;

	if (!p)
		return;
	info("venet: %" PRIu64 " calls and %d region(s) through the proxy, %" PRIu64 " failed, %" PRIu64 " bad requests, %" PRIu64 " kicks through the VMM",
	     p->calls, p->nr_regions, p->failed, p->bad, p->slow_kicks);
	if (netdev_stat(p->ifname, "rx_packets", &rxp) ||
	    netdev_stat(p->ifname, "rx_bytes", &rxb) ||
	    netdev_stat(p->ifname, "tx_packets", &txp) ||
	    netdev_stat(p->ifname, "tx_bytes", &txb)) {
		info("venet: no statistics for %s", p->ifname);
		return;
	}
	/* The interface receives what the guest sends, and the reverse */
	info("venet: guest tx %" PRIu64 " packets %" PRIu64 " bytes, guest rx %" PRIu64 " packets %" PRIu64 " bytes (%s)",
	     rxp, rxb, txp, txb, p->ifname);
}

void vbus_destroy(struct vbus_proxy *p)
{
	int i;

	if (!p)
		return;
	/* The connection, its regions, the device and its interface */
	if (p->fd >= 0)
		close(p->fd);
	for (i = 0; i < p->nr_regions; i++) {
		set_ioeventfd(p, &p->region[i], false);
		close(p->region[i].kick_fd);
	}
	free(p);
}
