/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the vas selftests.
 */
#ifndef VAS_UTIL_H
#define VAS_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/syscall.h>

#include <linux/capability.h>
#include <linux/vas.h>

#include "vas_test.h"

#define PAGE		4096UL
#define MEM_PAGES	64

static inline int sys_vas_create(unsigned int flags)
{
	return syscall(__NR_vas_create, flags);
}

static inline int set_memslot(int fd, uint32_t slot, uint32_t flags, uint64_t gpa,
		       uint64_t size, void *uaddr)
{
	struct vas_set_memslot req = {
		.size = sizeof(req),
		.flags = flags,
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)uaddr,
	};

	return ioctl(fd, VAS_SET_MEMSLOT, &req) ? -errno : 0;
}

/*
 * A struct vas_test_cmd for @op with its arguments in the union member the
 * op uses: bind (@veto), range (@gpa, @len) or access (@gpa, @len, @buf).
 */
static inline struct vas_test_cmd vas_test_cmd(uint32_t op, uint32_t flags,
					       uint32_t context, int veto,
					       uint64_t gpa, uint64_t len,
					       void *buf)
{
	struct vas_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = op,
		.context = context,
		.flags = flags,
	};

	switch (op) {
	case VAS_TEST_OP_BIND:
	case VAS_TEST_BINDER_SET_VETO:
		cmd.bind.veto = veto;
		break;
	case VAS_TEST_BINDER_ADD_DIRTY:
	case VAS_TEST_BINDER_VMAP:
	case VAS_TEST_BINDER_SGMAP:
	case VAS_TEST_BINDER_GPC_ACTIVATE:
		cmd.range.gpa = gpa;
		cmd.range.length = len;
		break;
	default:
		cmd.access.gpa = gpa;
		cmd.access.length = len;
		cmd.access.buffer = (uintptr_t)buf;
	}
	return cmd;
}

/* VAS_TEST on @fd: the op's non-negative result, or -errno */
static inline int vas_test_cmd_ioctl(int fd, struct vas_test_cmd *cmd)
{
	int ret = ioctl(fd, VAS_TEST, cmd);

	return ret < 0 ? -errno : ret;
}

/*
 * Runs the in-kernel vas_read()/vas_write() through VAS_TEST, on the vas of
 * @fd, or with VAS_TEST_FLAG_VIA_FD in @flags on the one that
 * vas_get_from_fd(@target_fd) finds.
 */
static inline int vas_test_ioctl(int fd, uint32_t flags, int target_fd, uint32_t op,
			  uint32_t context, uint64_t gpa, void *buf,
			  uint64_t len, uint32_t *path)
{
	struct vas_test_cmd cmd = vas_test_cmd(op, flags, context, 0, gpa, len, buf);
	int ret;

	cmd.access.fd = target_fd;
	ret = vas_test_cmd_ioctl(fd, &cmd);
	if (path)
		*path = cmd.access.path_taken;
	return ret;
}

static inline int vas_test_access(int fd, uint32_t op, uint32_t context,
			   uint64_t gpa, void *buf, uint64_t len,
			   uint32_t *path)
{
	return vas_test_ioctl(fd, 0, 0, op, context, gpa, buf, len, path);
}

static inline int vas_test_access_via_fd(int fd, int target_fd, uint32_t op,
				  uint32_t context, uint64_t gpa, void *buf,
				  uint64_t len)
{
	return vas_test_ioctl(fd, VAS_TEST_FLAG_VIA_FD, target_fd, op, context,
			      gpa, buf, len, NULL);
}

/*
 * Raises or lowers CAP_IPC_LOCK in the effective set (it stays permitted).
 * A vas created without it charges pins against RLIMIT_MEMLOCK.
 */
static inline int set_cap_ipc_lock(int on)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(__NR_capget, &hdr, data))
		return -errno;
	if (on)
		data[0].effective |= 1U << CAP_IPC_LOCK;
	else
		data[0].effective &= ~(1U << CAP_IPC_LOCK);
	return syscall(__NR_capset, &hdr, data) ? -errno : 0;
}

static inline void fill(void *buf, size_t len, unsigned int seed)
{
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = seed + i * 13 + (i >> 12);
}


/*
 * Binds a test binder to the vas of @fd that vetoes every change, the
 * replay of the existing memslots included, with -@veto (0: none);
 * returns its fd or -errno.
 */
static inline int vas_test_bind_flags(int fd, uint32_t flags, int veto)
{
	struct vas_test_cmd cmd = vas_test_cmd(VAS_TEST_OP_BIND, flags, 0, veto,
					       0, 0, NULL);

	return vas_test_cmd_ioctl(fd, &cmd);
}

static inline int vas_test_bind_veto(int fd, int veto)
{
	return vas_test_bind_flags(fd, 0, veto);
}

/* Binds a test binder to the vas of @fd; returns its fd or -errno. */
static inline int vas_test_bind(int fd)
{
	return vas_test_bind_veto(fd, 0);
}

/* A test binder op, without flags or context: 0 or -errno */
static inline int binder_cmd(int bfd, uint32_t op, int veto, uint64_t gpa,
			     uint64_t len, void *buf)
{
	struct vas_test_cmd cmd = vas_test_cmd(op, 0, 0, veto, gpa, len, buf);
	int ret = vas_test_cmd_ioctl(bfd, &cmd);

	return ret < 0 ? ret : 0;
}

/*
 * Any op of a test binder, with flags and context: returns the op's
 * non-negative result, or -errno.
 */
static inline int binder_ioctl(int bfd, uint32_t op, uint32_t flags,
			       uint32_t context, uint64_t gpa, uint64_t len,
			       void *buf)
{
	struct vas_test_cmd cmd = vas_test_cmd(op, flags, context, 0, gpa, len,
					       buf);

	return vas_test_cmd_ioctl(bfd, &cmd);
}

/* GPC_READ or GPC_WRITE: the number of refreshes needed, or -errno */
static inline int gpc_rw(int bfd, uint32_t op, void *buf, uint64_t len)
{
	return binder_ioctl(bfd, op, 0, VAS_TEST_CALLER, 0, len, buf);
}

/* Pages this process has pinned: VmPin in /proc/self/status, in pages */
static inline long vm_pin_pages(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : kb / 4;
}

/* Reads up to @max events; returns how many, or -errno. */
static inline int binder_events(int bfd, struct vas_test_event *ev, int max)
{
	ssize_t n = read(bfd, ev, max * sizeof(*ev));

	return n < 0 ? -errno : (int)(n / sizeof(*ev));
}

static inline int get_dirty_log(int fd, uint32_t slot, uint32_t flags,
				void *bitmap)
{
	struct vas_dirty_log log = {
		.size = sizeof(log),
		.flags = flags,
		.slot = slot,
		.bitmap = (uintptr_t)bitmap,
	};

	return ioctl(fd, VAS_GET_DIRTY_LOG, &log) ? -errno : 0;
}

static inline int clear_dirty_log(int fd, uint32_t slot, uint64_t first,
				  uint64_t num, void *bitmap)
{
	struct vas_dirty_log log = {
		.size = sizeof(log),
		.slot = slot,
		.first_page = first,
		.num_pages = num,
		.bitmap = (uintptr_t)bitmap,
	};

	return ioctl(fd, VAS_CLEAR_DIRTY_LOG, &log) ? -errno : 0;
}

/* Passes a file descriptor over a unix socket (SCM_RIGHTS) */
static inline int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {};
	char byte = 'v';
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static inline int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {};
	char byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

/*
 * Forks a process that owns a new vas: one page, filled with @fill, at
 * guest address @gpa. It sends the vas fd over @sv[1], waits for two bytes
 * (offset, value) on it, and exits 0 if its page holds value at offset.
 * The caller, a foreign process to that vas, gets the fd with recv_fd().
 */
static inline pid_t fork_vas_owner(int sv[2], uint64_t gpa, unsigned char fill)
{
	unsigned char *mem, check[2];
	pid_t pid = fork();
	int vfd;

	if (pid)
		return pid;
	mem = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	vfd = sys_vas_create(0);
	if (mem == MAP_FAILED || vfd < 0)
		_exit(1);
	memset(mem, fill, PAGE);
	if (set_memslot(vfd, 0, 0, gpa, PAGE, mem) || send_fd(sv[1], vfd))
		_exit(2);
	if (read(sv[1], check, 2) != 2)
		_exit(3);
	_exit(mem[check[0]] == check[1] ? 0 : 4);
}

/* Lets the owner from fork_vas_owner() check its page and exit */
static inline int finish_vas_owner(int sv[2], pid_t pid, unsigned char offset,
				   unsigned char value)
{
	unsigned char check[2] = { offset, value };
	int status;

	if (write(sv[0], check, 2) != 2 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#endif /* VAS_UTIL_H */
