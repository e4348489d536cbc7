/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vas: guest-physical address spaces, the in-kernel API
 *
 * A struct vas is a guest-physical address space created by vas_create(2).
 * Its owner process maps guest-physical ranges (memslots) onto its own
 * memory. Kernel code that has been handed the vas file descriptor takes a
 * reference with vas_get_from_fd() and reaches guest memory with
 * vas_read() and vas_write() from any context that may sleep: the owner
 * process, a kernel thread or any other process. See
 * Documentation/virt/vas/kernel-api.rst.
 *
 * All functions are exported in the VAS symbol namespace:
 * MODULE_IMPORT_NS(VAS).
 */
#ifndef __LINUX_VAS_H
#define __LINUX_VAS_H

#include <linux/err.h>
#include <linux/types.h>
#include <uapi/linux/vas.h>

struct vas;

#if IS_ENABLED(CONFIG_VAS)

/**
 * vas_get_from_fd() - Take a reference on the vas behind a file descriptor
 * @fd: File descriptor of the calling process, as returned by vas_create(2)
 *
 * The reference is independent of the file: the vas stays alive after the
 * descriptor is closed, until the matching vas_put().
 *
 * Context: Process context.
 * Return: The vas, or ERR_PTR(-EBADF) if @fd is not an open file,
 * ERR_PTR(-EINVAL) if it is not a vas.
 */
struct vas *vas_get_from_fd(int fd);

/**
 * vas_get() - Take another reference on a vas
 * @vas: A vas the caller already holds a reference on
 *
 * Context: Any context.
 */
void vas_get(struct vas *vas);

/**
 * vas_put() - Drop a reference on a vas
 * @vas: The vas; freed with all its memslots when this was the last one
 *
 * Context: Process context; may sleep.
 */
void vas_put(struct vas *vas);

/**
 * vas_read() - Read guest-physical memory
 * @vas: The vas
 * @gpa: Guest-physical address of the first byte
 * @buf: Kernel buffer of at least @len bytes
 * @len: Number of bytes to read; the range may span memslots
 *
 * Copies from the owner's memory behind the memslots. Works from the owner
 * process, from a kernel thread (it borrows the owner's mm) and from any
 * other process (remote access to the owner's mm).
 *
 * Context: Process context or kernel thread; may sleep. No vas lock may be
 * held by the caller.
 * Return: 0 on success; -EFAULT if part of the range is not covered by a
 * memslot or not mapped in the owner; -ESRCH if the owner's address space
 * is gone; -EINVAL if @gpa + @len overflows. On error, @buf may be
 * partially written.
 */
int vas_read(struct vas *vas, u64 gpa, void *buf, size_t len);

/**
 * vas_write() - Write guest-physical memory
 * @vas: The vas
 * @gpa: Guest-physical address of the first byte
 * @buf: Kernel buffer of at least @len bytes
 * @len: Number of bytes to write; the range may span memslots
 *
 * The counterpart of vas_read(), with the same contexts.
 *
 * Context: Process context or kernel thread; may sleep. No vas lock may be
 * held by the caller.
 * Return: 0 on success; -EPERM if part of the range is in a read-only
 * memslot; -EFAULT, -ESRCH or -EINVAL as for vas_read(). On error, a
 * prefix of the range may have been written.
 */
int vas_write(struct vas *vas, u64 gpa, const void *buf, size_t len);

#else /* !CONFIG_VAS */

static inline struct vas *vas_get_from_fd(int fd)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline void vas_get(struct vas *vas)
{
}

static inline void vas_put(struct vas *vas)
{
}

static inline int vas_read(struct vas *vas, u64 gpa, void *buf, size_t len)
{
	return -EOPNOTSUPP;
}

static inline int vas_write(struct vas *vas, u64 gpa, const void *buf,
			    size_t len)
{
	return -EOPNOTSUPP;
}

#endif /* CONFIG_VAS */

#endif /* __LINUX_VAS_H */
