/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vbus proxy as the guest sees it (vas-vmm --venet): how a guest
 * without a vbus driver of its own reaches the VMM's venet connection.
 * Shared by vbus.c and guest programs (tests/vmm/venet-guest.c), so it
 * needs nothing but <linux/types.h>.
 *
 * The guest writes a request block (struct vbus_proxy_req, in guest RAM
 * below 4 GiB) and then its guest-physical address
 * with one 32-bit OUT to VBUS_PROXY_PORT. The OUT exits to the VMM, which
 * runs the request on its connection and writes the result into the
 * block before the guest's next instruction. A 32-bit IN from the port
 * reads VBUS_PROXY_MAGIC, so the guest can tell that the proxy is there
 * (an absent port reads all ones). Every address in a block is
 * guest-physical; the layout is little-endian.
 *
 * VBUS_PROXY_OP_CALL	VBUS_CONN_CALL: function @func, data at @gpa,
 *			@len bytes. @result: what the device returned.
 * VBUS_PROXY_OP_SHM	VBUS_CONN_SHM with VBUS_SHM_SIGNAL: region @func
 *			(the shm_id) at @gpa, @len bytes, its struct
 *			shm_signal_desc at @signal_offset. @result 0 and
 *			@kick_port set: a one-byte OUT to that port (any
 *			value) is a kick, taken by KVM itself (a
 *			KVM_IOEVENTFD) without an exit to the VMM. The
 *			device never interrupts the guest: a guest that
 *			waits for its descriptors polls the ring.
 *
 * @result is negative errno for a failure: the ioctl's (see
 * Documentation/virt/vas/vbus.rst), or EINVAL for an unknown @op or a
 * length that does not fit the ioctl, ENOSPC when every kick port is
 * taken.
 */
#ifndef VBUS_PROXY_H
#define VBUS_PROXY_H

#include <linux/types.h>

#define VBUS_PROXY_PORT		0x520	/* 32-bit OUT: a request's address */
#define VBUS_PROXY_MAGIC	0x78707662	/* "bvpx", 32-bit IN */
#define VBUS_PROXY_KICK_BASE	0x528	/* the kick ports, one per region */
#define VBUS_PROXY_MAX_SHMS	8

#define VBUS_PROXY_OP_CALL	1
#define VBUS_PROXY_OP_SHM	2

/**
 * struct vbus_proxy_req - a request to the vbus proxy, in guest memory
 * @op: VBUS_PROXY_OP_*
 * @result: Out: the ioctl's result, or -errno
 * @func: CALL: the device's function; SHM: the region's shm_id
 * @kick_port: SHM, out: the region's kick port
 * @gpa: CALL: the request's data; SHM: the region
 * @len: Its length
 * @signal_offset: SHM: where the region's signal is in it
 */
struct vbus_proxy_req {
	__u32 op;
	__s32 result;
	__u32 func;
	__u32 kick_port;
	__u64 gpa;
	__u64 len;
	__u64 signal_offset;
};

#endif /* VBUS_PROXY_H */
