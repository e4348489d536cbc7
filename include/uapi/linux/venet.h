/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * venet: a virtual ethernet device on vbus
 *
 * Class "venet": each device is a network interface of the host, named
 * venet%d (VBUS_DEV_LIST reports the name), with a random locally
 * administered MAC address; creating one takes CAP_NET_ADMIN in the VMM's
 * network namespace, where the interface appears. It has one interface of
 * type "virtual-ethernet", version 1, which takes one connection at a time
 * (EBUSY for a second one).
 *
 * The guest brings the link up and down with calls: the interface's
 * carrier follows, and frames the host sends while the link is down, or
 * before both rings are attached, are dropped. Frames travel through two
 * ioq rings with signals (<linux/vbus_ring.h>):
 *
 * - VENET_SHM_TX: the guest posts frames; the device hands each to the
 *   host's network stack as received on the interface, and hands the
 *   descriptor back with used set to the frame's length, or 0 if it was
 *   dropped (shorter than an ethernet header, longer than VENET_MAX_FRAME,
 *   outside guest memory, or the link is down).
 * - VENET_SHM_RX: the guest posts empty buffers; the device writes each
 *   frame the host sent on the interface into the next one, used set to
 *   the frame's length. A frame longer than the buffer is dropped and the
 *   buffer handed back with used 0. Frames wait in the device, a bounded
 *   number of them, until the guest posts buffers.
 *
 * Frames are plain ethernet frames, from the destination address on, with
 * no header before them and no frame check sequence. Everything in guest
 * memory is little-endian.
 */
#ifndef _UAPI_LINUX_VENET_H
#define _UAPI_LINUX_VENET_H

#include <linux/types.h>

#define VENET_CLASS		"venet"
#define VENET_INTF		"virtual-ethernet"
#define VENET_VERSION		1

/* Longest frame either way: ETH_FRAME_LEN and a VLAN tag */
#define VENET_MAX_FRAME		1518

/*
 * Functions of VBUS_CONN_CALL. Each returns what it wrote to its data (0
 * for LINKUP and LINKDOWN, which take none), EINVAL if the data is shorter
 * than what it reads or writes, EFAULT if the data is not guest memory.
 */
#define VENET_FUNC_LINKUP	0	/* carrier on */
#define VENET_FUNC_LINKDOWN	1	/* carrier off, queued frames dropped */
#define VENET_FUNC_MACQUERY	2	/* data: the 6-byte MAC address */
#define VENET_FUNC_NEGCAP	3	/* data: struct venet_capabilities */
#define VENET_FUNC_STATS	4	/* data: struct venet_stats */

/* shm_id of VBUS_CONN_SHM: both are ioq rings with a signal */
#define VENET_SHM_TX		0
#define VENET_SHM_RX		1

/* Capability groups, and the bits of each */
#define VENET_CAP_GROUP_GENERIC	0
#define VENET_CAP_STATS		(1U << 0)	/* VENET_FUNC_STATS */

/**
 * struct venet_capabilities - the data of VENET_FUNC_NEGCAP
 * @gid: The capability group, VENET_CAP_GROUP_*
 * @bits: In: the bits of @gid the guest offers; out: those the device
 *	accepts, a subset (0 for a group it does not know)
 *
 * What the device accepts for a group replaces what it accepted for that
 * group before, so offering 0 withdraws the group's capabilities. A new
 * connection starts with none.
 */
struct venet_capabilities {
	__le32 gid;
	__le32 bits;
};

/**
 * struct venet_stats - what VENET_FUNC_STATS writes to its data
 * @rx_packets: Frames written to the guest's receive buffers
 * @rx_bytes: Their bytes
 * @rx_dropped: Frames the host sent that did not reach the guest (no
 *	connection, rings or link, too many waiting, too long for the buffer,
 *	a buffer outside guest memory)
 * @tx_packets: Frames the guest sent that reached the host's stack
 * @tx_bytes: Their bytes
 * @tx_errors: Frames the guest sent that did not (used 0)
 *
 * The counters are the guest's view of the interface's: the guest's
 * receive side is the interface's transmit side. They count since the
 * device was created, over all its connections. The call fails with EPERM
 * unless VENET_CAP_STATS is negotiated.
 */
struct venet_stats {
	__le64 rx_packets;
	__le64 rx_bytes;
	__le64 rx_dropped;
	__le64 tx_packets;
	__le64 tx_bytes;
	__le64 tx_errors;
};

#endif /* _UAPI_LINUX_VENET_H */
