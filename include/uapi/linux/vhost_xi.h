/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vhost-xi: vhost devices whose guest memory is a vas
 *
 * A vhost-xi device (/dev/vhost-xi-net) speaks the vhost ioctls of
 * <linux/vhost.h>, with one difference in how it reaches guest memory:
 * instead of a table of userspace addresses (VHOST_SET_MEM_TABLE) it is
 * bound to a vas (VHOST_XI_SET_VAS), and every address it is given, ring
 * addresses in VHOST_SET_VRING_ADDR included, is a guest-physical address
 * of that vas. Its writes to guest memory land in the vas's dirty log, so
 * VHOST_SET_LOG_BASE, VHOST_SET_LOG_FD and VHOST_F_LOG_ALL are refused with
 * EOPNOTSUPP, as is VHOST_SET_MEM_TABLE. See Documentation/virt/vas/.
 */
#ifndef _UAPI_LINUX_VHOST_XI_H
#define _UAPI_LINUX_VHOST_XI_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* In the vas ioctl range of ioctl-number.rst: 0xB9 0x30-0x3F */
#define VHOST_XI_TYPE		0xB9

/**
 * struct vhost_xi_set_vas - ioctl(VHOST_XI_SET_VAS)
 * @size: sizeof(struct vhost_xi_set_vas); as for the vas ioctls, any size
 *	from this first version up to a page is accepted, and bytes the
 *	kernel does not know must be zero (else E2BIG)
 * @flags: Must be 0
 * @vas_fd: A vas file descriptor
 * @__reserved: Must be 0
 *
 * Binds the device, once, to a vas: from then on ring and buffer addresses
 * are guest-physical addresses in it. Only the device's owner
 * (VHOST_SET_OWNER) may bind it. Errors: EINVAL for unknown flags or a
 * non-zero @__reserved, or a @size below this version's; EBADF or EINVAL
 * if @vas_fd is not a vas; EBUSY if the device is bound already; EPERM
 * from a process other than the owner.
 */
struct vhost_xi_set_vas {
	__u32 size;
	__u32 flags;
	__s32 vas_fd;
	__u32 __reserved;
};

#define VHOST_XI_SET_VAS	_IOW(VHOST_XI_TYPE, 0x30, struct vhost_xi_set_vas)

#endif /* _UAPI_LINUX_VHOST_XI_H */
