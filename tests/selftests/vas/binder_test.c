// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas binder selftests, through the test binder of CONFIG_VAS_TEST: the
 * two-phase memslot protocol and vetoes, invalidation on memslot changes
 * and on munmap/mremap/madvise/fork in the owner, release at owner exit,
 * and a binder outliving the vas fd.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vas_util.h"

#define MAX_EVENTS	64

FIXTURE(binder) {
	int fd;
	int bfd;
	unsigned char *mem;
	struct vas_test_event ev[MAX_EVENTS];
};

FIXTURE_SETUP(binder)
{
	self->fd = sys_vas_create(0);
	ASSERT_LE(0, self->fd);
	self->mem = mmap(NULL, MEM_PAGES * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	self->bfd = vas_test_bind(self->fd);
	if (self->bfd == -ENOTTY)
		SKIP(return, "CONFIG_VAS_TEST is off");
	ASSERT_LE(0, self->bfd);
}

FIXTURE_TEARDOWN(binder)
{
	if (self->bfd >= 0)
		close(self->bfd);
	close(self->fd);
	munmap(self->mem, MEM_PAGES * PAGE);
}

static void expect_event(struct __test_metadata *_metadata,
			 const struct vas_test_event *ev, uint32_t type,
			 uint32_t kind, uint64_t gpa, uint64_t len)
{
	EXPECT_EQ(type, ev->type);
	if (type != VAS_TEST_EVENT_INVALIDATE)
		EXPECT_EQ(kind, ev->kind);
	EXPECT_EQ(gpa, ev->gpa);
	EXPECT_EQ(len, ev->len);
}

#define EXPECT_EVENT(ev, type, kind, gpa, len) \
	expect_event(_metadata, ev, VAS_TEST_EVENT_##type, VAS_TEST_##kind, gpa, len)

/* Whether some INVALIDATE event covers exactly [gpa, gpa + len) or contains it */
static int invalidated(const struct vas_test_event *ev, int n, uint64_t gpa,
		       uint64_t len)
{
	int i;

	for (i = 0; i < n; i++)
		if (ev[i].type == VAS_TEST_EVENT_INVALIDATE &&
		    ev[i].gpa <= gpa && ev[i].gpa + ev[i].len >= gpa + len)
			return 1;
	return 0;
}

TEST_F(binder, memslot_protocol)
{
	struct vas_test_event *ev = self->ev;

	ASSERT_EQ(0, set_memslot(self->fd, 1, 0, 0x10000, 4 * PAGE, self->mem));
	ASSERT_EQ(2, binder_events(self->bfd, ev, MAX_EVENTS));
	EXPECT_EVENT(&ev[0], PREPARE, CREATE, 0x10000, 4 * PAGE);
	EXPECT_EQ(1, ev[0].slot);
	EXPECT_EVENT(&ev[1], COMMIT, CREATE, 0x10000, 4 * PAGE);

	/* a move invalidates the old range before the commit */
	ASSERT_EQ(0, set_memslot(self->fd, 1, 0, 0x20000, 4 * PAGE, self->mem));
	ASSERT_EQ(3, binder_events(self->bfd, ev, MAX_EVENTS));
	EXPECT_EVENT(&ev[0], PREPARE, MOVE, 0x20000, 4 * PAGE);
	EXPECT_EVENT(&ev[1], INVALIDATE, MOVE, 0x10000, 4 * PAGE);
	EXPECT_EVENT(&ev[2], COMMIT, MOVE, 0x20000, 4 * PAGE);

	/* read-only takes write access away: invalidate; back: no */
	ASSERT_EQ(0, set_memslot(self->fd, 1, VAS_MEM_READONLY, 0x20000, 4 * PAGE, self->mem));
	ASSERT_EQ(3, binder_events(self->bfd, ev, MAX_EVENTS));
	EXPECT_EVENT(&ev[0], PREPARE, FLAGS_ONLY, 0x20000, 4 * PAGE);
	EXPECT_EVENT(&ev[1], INVALIDATE, FLAGS_ONLY, 0x20000, 4 * PAGE);
	EXPECT_EVENT(&ev[2], COMMIT, FLAGS_ONLY, 0x20000, 4 * PAGE);
	ASSERT_EQ(0, set_memslot(self->fd, 1, VAS_MEM_LOG_DIRTY_PAGES, 0x20000, 4 * PAGE,
				 self->mem));
	ASSERT_EQ(2, binder_events(self->bfd, ev, MAX_EVENTS));
	EXPECT_EVENT(&ev[0], PREPARE, FLAGS_ONLY, 0x20000, 4 * PAGE);
	EXPECT_EVENT(&ev[1], COMMIT, FLAGS_ONLY, 0x20000, 4 * PAGE);

	/* a no-op and a refused request tell nobody anything */
	ASSERT_EQ(0, set_memslot(self->fd, 1, VAS_MEM_LOG_DIRTY_PAGES, 0x20000, 4 * PAGE,
				 self->mem));
	EXPECT_EQ(-EEXIST, set_memslot(self->fd, 2, 0, 0x21000, PAGE, self->mem));
	EXPECT_EQ(0, binder_events(self->bfd, ev, MAX_EVENTS));

	ASSERT_EQ(0, set_memslot(self->fd, 1, 0, 0, 0, NULL));
	ASSERT_EQ(3, binder_events(self->bfd, ev, MAX_EVENTS));
	EXPECT_EVENT(&ev[0], PREPARE, DELETE, 0x20000, 4 * PAGE);
	EXPECT_EVENT(&ev[1], INVALIDATE, DELETE, 0x20000, 4 * PAGE);
	EXPECT_EVENT(&ev[2], COMMIT, DELETE, 0x20000, 4 * PAGE);
}

/*
 * A binder that binds late is offered the existing memslots as one batch of
 * creates, in id order; a veto fails the bind, and the others accepted are
 * aborted.
 */
TEST_F(binder, bind_replays_memslots)
{
	struct vas_test_event *ev = self->ev;
	int late;

	ASSERT_EQ(0, set_memslot(self->fd, 7, 0, 0x30000, 2 * PAGE, self->mem));
	ASSERT_EQ(0, set_memslot(self->fd, 3, VAS_MEM_READONLY, 0x10000, PAGE,
				 self->mem + 2 * PAGE));
	late = vas_test_bind(self->fd);
	ASSERT_LE(0, late);
	ASSERT_EQ(4, binder_events(late, ev, MAX_EVENTS));
	EXPECT_EVENT(&ev[0], PREPARE, CREATE, 0x10000, PAGE);
	EXPECT_EQ(3, ev[0].slot);
	EXPECT_EVENT(&ev[1], PREPARE, CREATE, 0x30000, 2 * PAGE);
	EXPECT_EQ(7, ev[1].slot);
	EXPECT_EVENT(&ev[2], COMMIT, CREATE, 0x10000, PAGE);
	EXPECT_EVENT(&ev[3], COMMIT, CREATE, 0x30000, 2 * PAGE);
	/* the binder bound first saw nothing of it */
	EXPECT_EQ(4, binder_events(self->bfd, ev, MAX_EVENTS));
	EXPECT_EQ(0, binder_events(self->bfd, ev, MAX_EVENTS));
	close(late);

	EXPECT_EQ(-ENOSPC, vas_test_bind_veto(self->fd, ENOSPC));
	EXPECT_EQ(-EINVAL, vas_test_bind_veto(self->fd, 4096));
	/* binding an empty vas offers nothing to veto */
	ASSERT_EQ(0, set_memslot(self->fd, 3, 0, 0, 0, NULL));
	ASSERT_EQ(0, set_memslot(self->fd, 7, 0, 0, 0, NULL));
	late = vas_test_bind_veto(self->fd, ENOSPC);
	ASSERT_LE(0, late);
	EXPECT_EQ(0, binder_events(late, ev, MAX_EVENTS));
	close(late);
}

/* Two binders; the second vetoes: the change fails with its errno, nothing changes. */
TEST_F(binder, veto)
{
	struct vas_test_event *ev = self->ev;
	unsigned char byte;
	int vetoer;

	vetoer = vas_test_bind(self->fd);
	ASSERT_LE(0, vetoer);
	ASSERT_EQ(0, binder_cmd(vetoer, VAS_TEST_BINDER_SET_VETO, EBUSY, 0, 0, NULL));

	EXPECT_EQ(-EBUSY, set_memslot(self->fd, 0, 0, 0x10000, PAGE, self->mem));
	EXPECT_EQ(-1, pread(self->fd, &byte, 1, 0x10000));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(2, binder_events(self->bfd, ev, MAX_EVENTS));
	EXPECT_EVENT(&ev[0], PREPARE, CREATE, 0x10000, PAGE);
	EXPECT_EVENT(&ev[1], ABORT, CREATE, 0x10000, PAGE);
	ASSERT_EQ(1, binder_events(vetoer, ev, MAX_EVENTS));
	EXPECT_EVENT(&ev[0], PREPARE, CREATE, 0x10000, PAGE);

	ASSERT_EQ(0, binder_cmd(vetoer, VAS_TEST_BINDER_SET_VETO, 0, 0, 0, NULL));
	ASSERT_EQ(0, set_memslot(self->fd, 0, 0, 0x10000, PAGE, self->mem));
	ASSERT_EQ(2, binder_events(vetoer, ev, MAX_EVENTS));
	ASSERT_EQ(2, binder_events(self->bfd, ev, MAX_EVENTS));

	/* a vetoed delete and move leave the memslot where it was */
	self->mem[0] = 0x61;
	ASSERT_EQ(0, binder_cmd(vetoer, VAS_TEST_BINDER_SET_VETO, ENOSPC, 0, 0, NULL));
	EXPECT_EQ(-ENOSPC, set_memslot(self->fd, 0, 0, 0, 0, NULL));
	EXPECT_EQ(-ENOSPC, set_memslot(self->fd, 0, 0, 0x30000, PAGE, self->mem));
	ASSERT_EQ(1, pread(self->fd, &byte, 1, 0x10000));
	EXPECT_EQ(0x61, byte);
	ASSERT_EQ(4, binder_events(self->bfd, ev, MAX_EVENTS));
	EXPECT_EVENT(&ev[1], ABORT, DELETE, 0x10000, PAGE);
	EXPECT_EVENT(&ev[3], ABORT, MOVE, 0x30000, PAGE);

	/* bad veto values */
	EXPECT_EQ(-EINVAL, binder_cmd(vetoer, VAS_TEST_BINDER_SET_VETO, -1, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, binder_cmd(vetoer, VAS_TEST_BINDER_SET_VETO, 5000, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, binder_cmd(vetoer, 99, 0, 0, 0, NULL));
	close(vetoer);
}

/*
 * A binder whose ->prepare applies the change (prepare_applies, like KVM)
 * is asked last, after every other binder accepted, wherever it is in the
 * binding order: a veto never follows it, so it never applies a change
 * that is then undone. A vas has at most one such binder.
 */
TEST_F(binder, applying_binder_is_asked_last)
{
	struct vas_test_event *ev = self->ev;
	int applier, vetoer;

	applier = vas_test_bind_flags(self->fd, VAS_TEST_FLAG_BIND_APPLIES, 0);
	ASSERT_LE(0, applier);
	EXPECT_EQ(-EBUSY, vas_test_bind_flags(self->fd, VAS_TEST_FLAG_BIND_APPLIES, 0));
	vetoer = vas_test_bind(self->fd);
	ASSERT_LE(0, vetoer);

	/* the last binder to bind vetoes: the applier is never asked */
	ASSERT_EQ(0, binder_cmd(vetoer, VAS_TEST_BINDER_SET_VETO, EXDEV, 0, 0, NULL));
	EXPECT_EQ(-EXDEV, set_memslot(self->fd, 0, 0, 0x10000, PAGE, self->mem));
	EXPECT_EQ(0, binder_events(applier, ev, MAX_EVENTS));
	ASSERT_EQ(2, binder_events(self->bfd, ev, MAX_EVENTS));
	EXPECT_EVENT(&ev[1], ABORT, CREATE, 0x10000, PAGE);

	/* accepted by all: the applier prepares after the others */
	ASSERT_EQ(0, binder_cmd(vetoer, VAS_TEST_BINDER_SET_VETO, 0, 0, 0, NULL));
	binder_events(vetoer, ev, MAX_EVENTS);
	ASSERT_EQ(0, set_memslot(self->fd, 0, 0, 0x10000, PAGE, self->mem));
	ASSERT_EQ(2, binder_events(applier, ev, MAX_EVENTS));
	EXPECT_EVENT(&ev[0], PREPARE, CREATE, 0x10000, PAGE);
	EXPECT_EVENT(&ev[1], COMMIT, CREATE, 0x10000, PAGE);

	/* the applier vetoes last: every other binder is told to abort */
	ASSERT_EQ(0, binder_cmd(applier, VAS_TEST_BINDER_SET_VETO, ENOSPC, 0, 0, NULL));
	binder_events(self->bfd, ev, MAX_EVENTS);
	binder_events(vetoer, ev, MAX_EVENTS);
	EXPECT_EQ(-ENOSPC, set_memslot(self->fd, 0, 0, 0x20000, PAGE, self->mem));
	ASSERT_EQ(2, binder_events(self->bfd, ev, MAX_EVENTS));
	EXPECT_EVENT(&ev[1], ABORT, MOVE, 0x20000, PAGE);
	ASSERT_EQ(2, binder_events(vetoer, ev, MAX_EVENTS));
	EXPECT_EVENT(&ev[1], ABORT, MOVE, 0x20000, PAGE);
	ASSERT_EQ(1, binder_events(applier, ev, MAX_EVENTS));
	EXPECT_EVENT(&ev[0], PREPARE, MOVE, 0x20000, PAGE);

	/* gone, it makes room for another */
	close(applier);
	applier = vas_test_bind_flags(self->fd, VAS_TEST_FLAG_BIND_APPLIES, 0);
	EXPECT_LE(0, applier);
	/* the flag only means something for a bind */
	EXPECT_EQ(-EINVAL, vas_test_ioctl(self->fd, VAS_TEST_FLAG_BIND_APPLIES, 0,
					  VAS_TEST_OP_READ, VAS_TEST_CALLER, 0x10000,
					  self->ev, 1, NULL));
	close(applier);
	close(vetoer);
}

TEST_F(binder, munmap_madvise_mremap_invalidate)
{
	struct vas_test_event *ev = self->ev;
	void *moved;
	int n;

	memset(self->mem, 1, 16 * PAGE);
	ASSERT_EQ(0, set_memslot(self->fd, 0, 0, 0x100000, 8 * PAGE, self->mem));
	/* an alias of the same memory: both guest ranges go */
	ASSERT_EQ(0, set_memslot(self->fd, 1, 0, 0x200000, 8 * PAGE, self->mem));
	ASSERT_EQ(4, binder_events(self->bfd, ev, MAX_EVENTS));

	ASSERT_EQ(0, madvise(self->mem + PAGE, PAGE, MADV_DONTNEED));
	n = binder_events(self->bfd, ev, MAX_EVENTS);
	ASSERT_LE(2, n);
	EXPECT_TRUE(invalidated(ev, n, 0x101000, PAGE));
	EXPECT_TRUE(invalidated(ev, n, 0x201000, PAGE));

	ASSERT_EQ(0, munmap(self->mem + 2 * PAGE, 2 * PAGE));
	n = binder_events(self->bfd, ev, MAX_EVENTS);
	ASSERT_LE(2, n);
	EXPECT_TRUE(invalidated(ev, n, 0x102000, 2 * PAGE));
	EXPECT_TRUE(invalidated(ev, n, 0x202000, 2 * PAGE));
	EXPECT_FALSE(invalidated(ev, n, 0x100000, PAGE));

	moved = mremap(self->mem + 4 * PAGE, 2 * PAGE, 2 * PAGE,
		       MREMAP_MAYMOVE | MREMAP_FIXED, self->mem + 32 * PAGE);
	ASSERT_NE(MAP_FAILED, moved);
	n = binder_events(self->bfd, ev, MAX_EVENTS);
	ASSERT_LE(2, n);
	EXPECT_TRUE(invalidated(ev, n, 0x104000, 2 * PAGE));
	EXPECT_TRUE(invalidated(ev, n, 0x204000, 2 * PAGE));

	/* memory outside every memslot: nothing */
	ASSERT_EQ(0, madvise(self->mem + 40 * PAGE, PAGE, MADV_DONTNEED));
	EXPECT_EQ(0, binder_events(self->bfd, ev, MAX_EVENTS));
}

/* fork() write-protects the owner's private memory: binders hear of it. */
TEST_F(binder, fork_invalidates_private_memory)
{
	struct vas_test_event *ev = self->ev;
	int n, status;
	pid_t pid;

	memset(self->mem, 1, 4 * PAGE);
	ASSERT_EQ(0, set_memslot(self->fd, 0, 0, 0x100000, 4 * PAGE, self->mem));
	ASSERT_EQ(2, binder_events(self->bfd, ev, MAX_EVENTS));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	n = binder_events(self->bfd, ev, MAX_EVENTS);
	ASSERT_LE(1, n);
	EXPECT_TRUE(invalidated(ev, n, 0x100000, PAGE));
	while (n-- > 0)
		EXPECT_NE(VAS_TEST_EVENT_RELEASE, ev[n].type);
}

/* Closing the vas fd leaves the binder working; closing it frees the vas. */
TEST_F(binder, outlives_fd)
{
	unsigned char buf[32];

	ASSERT_EQ(0, set_memslot(self->fd, 0, 0, 0x4000, PAGE, self->mem));
	close(self->fd);
	self->fd = -1;
	memset(buf, 0x5e, sizeof(buf));
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_WRITE, 0, 0x4010, sizeof(buf), buf));
	EXPECT_EQ(0x5e, self->mem[0x10]);
	self->mem[0x30] = 0x7f;
	ASSERT_EQ(0, binder_cmd(self->bfd, VAS_TEST_BINDER_READ, 0, 0x4020, sizeof(buf), buf));
	EXPECT_EQ(0x7f, buf[0x10]);
	EXPECT_EQ(-EFAULT, binder_cmd(self->bfd, VAS_TEST_BINDER_READ, 0, 0x8000, 1, buf));
	EXPECT_EQ(-EINVAL, binder_cmd(self->bfd, VAS_TEST_BINDER_READ, 0, 0x4000,
				      (1 << 20) + 1, buf));
}

/* The owner exits while a binder holds the vas: ->release, then ESRCH. */
/*
 * The test interface's own checks, done once for every op by its
 * dispatcher: the ops of one kind of fd are refused on the other, and so
 * are flags, a context or reserved bits an op does not take, and sizes
 * outside the struct's.
 */
TEST_F(binder, test_interface_refuses_bad_commands)
{
	struct {
		struct vas_test_cmd cmd;
		uint64_t tail;
	} big = { .cmd = vas_test_cmd(VAS_TEST_BINDER_SET_VETO, 0, 0, 0, 0, 0, NULL),
		  .tail = 1 };
	struct vas_test_cmd cmd;

	/* a binder op on the vas fd, a vas op on the binder fd */
	cmd = vas_test_cmd(VAS_TEST_BINDER_VUNMAP, 0, 0, 0, 0, 0, NULL);
	EXPECT_EQ(-EINVAL, vas_test_cmd_ioctl(self->fd, &cmd));
	cmd = vas_test_cmd(VAS_TEST_OP_READ, 0, 0, 0, 0x10000, 1, self->ev);
	EXPECT_EQ(-EINVAL, vas_test_cmd_ioctl(self->bfd, &cmd));
	cmd = vas_test_cmd(VAS_TEST_OP_BIND, 0, 0, 0, 0, 0, NULL);
	EXPECT_EQ(-EINVAL, vas_test_cmd_ioctl(self->bfd, &cmd));
	cmd = vas_test_cmd(15, 0, 0, 0, 0, 0, NULL);
	EXPECT_EQ(-EINVAL, vas_test_cmd_ioctl(self->fd, &cmd));
	cmd = vas_test_cmd(15, 0, 0, 0, 0, 0, NULL);
	EXPECT_EQ(-EINVAL, vas_test_cmd_ioctl(self->bfd, &cmd));

	/* flags, context and reserved bits the op does not take */
	cmd = vas_test_cmd(VAS_TEST_BINDER_SET_VETO, VAS_TEST_MAP_WRITE, 0, 0,
			   0, 0, NULL);
	EXPECT_EQ(-EINVAL, vas_test_cmd_ioctl(self->bfd, &cmd));
	cmd = vas_test_cmd(VAS_TEST_BINDER_VMAP, 1U << 31, 0, 0, 0x10000, 1, NULL);
	EXPECT_EQ(-EINVAL, vas_test_cmd_ioctl(self->bfd, &cmd));
	cmd = vas_test_cmd(VAS_TEST_OP_BIND, 0, VAS_TEST_KTHREAD, 0, 0, 0, NULL);
	EXPECT_EQ(-EINVAL, vas_test_cmd_ioctl(self->fd, &cmd));
	cmd = vas_test_cmd(VAS_TEST_OP_READ, 0, 2, 0, 0x10000, 1, self->ev);
	EXPECT_EQ(-EINVAL, vas_test_cmd_ioctl(self->fd, &cmd));
	cmd = vas_test_cmd(VAS_TEST_BINDER_SET_VETO, 0, 0, 0, 0, 0, NULL);
	cmd.bind.__reserved = 1;
	EXPECT_EQ(-EINVAL, vas_test_cmd_ioctl(self->bfd, &cmd));
	cmd = vas_test_cmd(VAS_TEST_OP_BIND, 0, 0, 0, 0, 0, NULL);
	cmd.bind.__reserved = 1;
	EXPECT_EQ(-EINVAL, vas_test_cmd_ioctl(self->fd, &cmd));

	/* sizes: shorter than the struct, beyond it with data, beyond a page */
	cmd = vas_test_cmd(VAS_TEST_BINDER_SET_VETO, 0, 0, 0, 0, 0, NULL);
	cmd.size = sizeof(cmd) - 8;
	EXPECT_EQ(-EINVAL, vas_test_cmd_ioctl(self->bfd, &cmd));
	big.cmd.size = sizeof(big);
	EXPECT_EQ(-E2BIG, vas_test_cmd_ioctl(self->bfd, &big.cmd));
	big.tail = 0;
	EXPECT_EQ(0, vas_test_cmd_ioctl(self->bfd, &big.cmd));
	big.cmd.size = PAGE + 8;
	EXPECT_EQ(-E2BIG, vas_test_cmd_ioctl(self->bfd, &big.cmd));
	EXPECT_EQ(-EFAULT, vas_test_cmd_ioctl(self->bfd, NULL));
	/* another ioctl number on the binder fd */
	EXPECT_EQ(-1, ioctl(self->bfd, _IO(VAS_TYPE, VAS_CMD_GET_INFO), &cmd));
	EXPECT_EQ(ENOTTY, errno);
}

TEST(owner_exit_releases)
{
	struct vas_test_event ev[MAX_EVENTS];
	int sv[2], fd, bfd, status, n, i, released = 0;
	unsigned char buf[8];
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork_vas_owner(sv, 0x4000, 0x44);
	ASSERT_LE(0, pid);
	fd = recv_fd(sv[0]);
	ASSERT_LE(0, fd);
	bfd = vas_test_bind(fd);
	if (bfd == -ENOTTY) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		SKIP(return, "CONFIG_VAS_TEST is off");
	}
	ASSERT_LE(0, bfd);
	close(fd);
	ASSERT_EQ(0, binder_cmd(bfd, VAS_TEST_BINDER_READ, 0, 0x4000, 1, buf));
	EXPECT_EQ(0x44, buf[0]);

	EXPECT_EQ(0, finish_vas_owner(sv, pid, 0, 0x44));
	n = binder_events(bfd, ev, MAX_EVENTS);
	for (i = 0; i < n; i++)
		released += ev[i].type == VAS_TEST_EVENT_RELEASE;
	EXPECT_EQ(1, released);
	EXPECT_EQ(-ESRCH, binder_cmd(bfd, VAS_TEST_BINDER_READ, 0, 0x4000, 1, buf));
	EXPECT_EQ(-ESRCH, binder_cmd(bfd, VAS_TEST_BINDER_WRITE, 0, 0x4000, 1, buf));
	close(bfd);
	close(sv[0]);
	close(sv[1]);
}

TEST_HARNESS_MAIN
