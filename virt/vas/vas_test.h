/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The vas test interface, CONFIG_VAS_TEST only. Not part of the uAPI: the
 * vas selftests include this header from the kernel tree, like iommufd's
 * selftests include iommufd_test.h.
 */
#ifndef _VAS_TEST_H
#define _VAS_TEST_H

#include <linux/types.h>
#include <linux/vas.h>

#define VAS_CMD_TEST		0x1f

/* Operations of the test interface, CONFIG_VAS_TEST only */
enum vas_test_op {
	VAS_TEST_OP_READ = 0,
	VAS_TEST_OP_WRITE = 1,
};

/* Context an access of the test interface runs in */
enum vas_test_context {
	VAS_TEST_CALLER = 0,	/* the calling process itself */
	VAS_TEST_KTHREAD = 1,	/* a kernel thread started for the access */
};

/* Access paths, as reported in vas_test.path_taken */
enum vas_test_path {
	VAS_TEST_PATH_OWNER = 1,	/* current->mm is the owner's mm */
	VAS_TEST_PATH_KTHREAD = 2,	/* kernel thread borrowing the owner's mm */
	VAS_TEST_PATH_REMOTE = 3,	/* any other process: remote GUP */
};

/**
 * struct vas_test - ioctl(VAS_TEST), only with CONFIG_VAS_TEST
 * @size: sizeof(struct vas_test)
 * @op: enum vas_test_op
 * @context: enum vas_test_context
 * @path_taken: Output: enum vas_test_path the access went through
 * @gpa: Guest-physical address to access
 * @length: Number of bytes, at most 1 MiB
 * @buffer: Caller's buffer: filled by a read, the source of a write
 * @flags: VAS_TEST_FLAG_*
 * @fd: With VAS_TEST_FLAG_VIA_FD: a file descriptor of the caller
 *
 * Runs the in-kernel vas_read() or vas_write() on a kernel buffer, in the
 * calling process or in a kernel thread, so that selftests reach every
 * in-kernel access path. Returns the errno of vas_read()/vas_write().
 *
 * With VAS_TEST_FLAG_VIA_FD the access goes to the vas that
 * vas_get_from_fd(@fd) returns, not to the one the ioctl was issued on, as
 * a kernel user handed a descriptor would do; its errors are returned.
 */
struct vas_test {
	__u32 size;
	__u32 op;
	__u32 context;
	__u32 path_taken;
	__aligned_u64 gpa;
	__aligned_u64 length;
	__aligned_u64 buffer;
	__u32 flags;
	__s32 fd;
};

#define VAS_TEST_FLAG_VIA_FD	0x1U

#define VAS_TEST		_IO(VAS_TYPE, VAS_CMD_TEST)

#endif /* _VAS_TEST_H */
