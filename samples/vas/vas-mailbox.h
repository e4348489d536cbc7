/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vas-mailbox: the interface of the sample vas backend
 *
 * The guest keeps a struct vas_mailbox somewhere in its memory. To send a
 * request it writes the payload and the mailbox fields, then increments
 * @request; the VMM rings the device's doorbell (VAS_MAILBOX_KICK). The
 * device reads the payload from guest memory, writes it back reversed at
 * @reply_gpa, stores the outcome in @status and sets @reply to @request.
 * Every address is guest-physical, reached through the vas the device was
 * bound to (VAS_MAILBOX_BIND); the device follows memslot changes.
 *
 * The ioctls take a structure whose first member is its size, as the vas
 * ioctls do; they are numbered in the vas ioctl range (0xB9 0x20-0x2F).
 */
#ifndef _UAPI_VAS_MAILBOX_H
#define _UAPI_VAS_MAILBOX_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Largest payload of one request */
#define VAS_MAILBOX_MAX_LEN	65536

/**
 * struct vas_mailbox - the mailbox, in guest memory
 * @request: Incremented by the guest for each new request
 * @reply: Set to @request by the device once the request is done
 * @status: 0, or a negative errno: -EINVAL for @len beyond
 *          VAS_MAILBOX_MAX_LEN or a range that wraps around, -EFAULT for
 *          a payload or reply range that is not guest memory, -EPERM for
 *          a reply in read-only memory, -ESRCH once the VMM has exited
 * @len: Payload length in bytes
 * @data_gpa: Guest-physical address of the payload
 * @reply_gpa: Guest-physical address where the reversed payload goes
 *
 * The device writes @status before @reply, with release semantics.
 */
struct vas_mailbox {
	__u32 request;
	__u32 reply;
	__s32 status;
	__u32 len;
	__aligned_u64 data_gpa;
	__aligned_u64 reply_gpa;
};

/**
 * struct vas_mailbox_bind - ioctl(VAS_MAILBOX_BIND)
 * @size: sizeof(struct vas_mailbox_bind)
 * @flags: Must be 0
 * @vas_fd: A vas file descriptor
 * @__reserved: Must be 0
 * @mailbox_gpa: Guest-physical address of the struct vas_mailbox, 8-byte
 *               aligned; it must lie in one writable memslot
 *
 * Binds the device, once, to a vas and a mailbox. Errors: EINVAL for
 * unknown flags, a non-zero @__reserved or a misaligned @mailbox_gpa;
 * EBADF/EINVAL if @vas_fd is not a vas; EBUSY if already bound; EFAULT if
 * the mailbox is not in one memslot, EPERM if that memslot is read-only,
 * ENOMEM beyond the owner's RLIMIT_MEMLOCK (the mailbox page is pinned).
 */
struct vas_mailbox_bind {
	__u32 size;
	__u32 flags;
	__s32 vas_fd;
	__u32 __reserved;
	__aligned_u64 mailbox_gpa;
};

/**
 * struct vas_mailbox_kick - ioctl(VAS_MAILBOX_KICK)
 * @size: sizeof(struct vas_mailbox_kick)
 * @flags: Must be 0
 * @served: Output: 1 if a request was served, 0 if there was none
 * @__reserved: Must be 0
 *
 * Serves the pending request, if any, from the device's worker and waits
 * for it. The request's own outcome is in the mailbox's status. Errors
 * are about the mailbox: ENXIO if the device is not bound; EFAULT if the
 * mailbox is no longer in one memslot, EPERM if its memslot became
 * read-only, ESRCH once the vas's owner has exited.
 */
struct vas_mailbox_kick {
	__u32 size;
	__u32 flags;
	__u32 served;
	__u32 __reserved;
};

#define VAS_MAILBOX_TYPE	0xB9
#define VAS_MAILBOX_BIND	_IO(VAS_MAILBOX_TYPE, 0x20)
#define VAS_MAILBOX_KICK	_IO(VAS_MAILBOX_TYPE, 0x21)

#endif /* _UAPI_VAS_MAILBOX_H */
